//! Columns recognised by what their header means, not where they stand.

/// What a column of a work-package table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Section,
    WorkPackage,
    Number,
    Title,
    Scope,
    Relationships,
    Delivery,
    Comments,
    Influences,
    Owner,
    Status,
    Rag,
    Progress,
    ActualDelivery,
    DependsOn,
    Programmes,
    RelatedItems,
}

/// The meaning of a header cell. The order of the tests matters: "Estimated
/// delivery of detailed work plan" mentions a work plan but is a delivery column.
pub fn classify(header: &str) -> Option<Column> {
    let h = header.trim().to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
    let col = if has(&["influence", "cross-ref", "cross ref", "crossref"]) {
        Column::Influences
    } else if has(&["actual"]) {
        Column::ActualDelivery
    } else if has(&["depends", "dependenc", "predecessor"]) {
        Column::DependsOn
    } else if has(&["related item"]) {
        Column::RelatedItems
    } else if has(&[
        "deliver",
        "target date",
        "due",
        "quarter",
        "timescale",
        "when",
    ]) {
        Column::Delivery
    } else if has(&["relationship", "related", "links to"]) {
        Column::Relationships
    } else if has(&["comment", "remark"]) || h == "notes" {
        Column::Comments
    } else if has(&["scope", "definition", "description", "objective"]) {
        Column::Scope
    } else if has(&["programme"]) {
        Column::Programmes
    } else if has(&["owner", "lead", "responsible"]) {
        Column::Owner
    } else if has(&["status"]) {
        Column::Status
    } else if h == "rag" || h.starts_with("rag ") {
        Column::Rag
    } else if has(&["progress", "% complete", "percent"]) {
        Column::Progress
    } else if has(&["section"]) {
        Column::Section
    } else if has(&["work package", "workpackage", "package", "action", "task"]) {
        Column::WorkPackage
    } else if h == "title" || h == "name" {
        Column::Title
    } else if h == "no" || h == "no." || h == "number" || h == "#" || h == "ref" || h == "reference"
    {
        Column::Number
    } else {
        return None;
    };
    Some(col)
}

/// More cells than this is not a header row.
pub const MAX_HEADER_CELLS: usize = 100;

/// Whether a row of cells is the header of a work-package table: at least two
/// recognised columns, one of which names the package.
pub fn is_work_package_header(cells: &[&str]) -> bool {
    // No plan has this many columns; a line of a million cells is data, and
    // classifying each would be slow for nothing.
    if cells.len() > MAX_HEADER_CELLS {
        return false;
    }
    // Headers are short labels; a data row can mention "action plan" or
    // "dependencies" too, but not in short cells that don't start with a number.
    let label_like = cells.iter().all(|c| {
        c.len() <= 240
            && c.chars().count() <= 60
            && !c.trim_start().starts_with(|ch: char| ch.is_ascii_digit())
    });
    if !label_like {
        return false;
    }
    let cols: Vec<Option<Column>> = cells.iter().map(|c| classify(c)).collect();
    let known = cols.iter().flatten().count();
    known >= 2
        && known * 2 >= cells.len()
        && cols
            .iter()
            .any(|c| matches!(c, Some(Column::WorkPackage | Column::Title)))
}

/// The registers Markdown exports carry after the sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Register {
    Influences,
    RelatedItems,
    Programmes,
    Dependencies,
}

pub fn register_of(cells: &[&str]) -> Option<Register> {
    if cells.len() > 4 || cells.iter().any(|c| c.len() > 40) {
        return None;
    }
    let lower: Vec<String> = cells.iter().map(|c| c.trim().to_lowercase()).collect();
    let first = lower.first().map(String::as_str).unwrap_or("");
    let has = |w: &str| lower.iter().any(|c| c == w);
    // Exactly the exported shape: a work-package table may well start with a
    // "Code" column and have a "Title".
    if lower == ["code", "title"] || lower == ["code", "title", "description"] {
        Some(Register::Influences)
    } else if first == "name" && has("kind") {
        Some(Register::RelatedItems)
    } else if first == "programme" && has("priority") {
        Some(Register::Programmes)
    } else if first == "predecessor" && has("successor") {
        Some(Register::Dependencies)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_headers_are_recognised_by_meaning() {
        let cases = [
            ("Work package", Column::WorkPackage),
            ("High level scope/definition", Column::Scope),
            ("Relationships", Column::Relationships),
            ("Estimated delivery of detailed work plan", Column::Delivery),
            ("Comments", Column::Comments),
            ("Cross-reference to key influences", Column::Influences),
            ("Actual delivery", Column::ActualDelivery),
            ("Related items", Column::RelatedItems),
        ];
        for (h, c) in cases {
            assert_eq!(classify(h), Some(c), "{h}");
        }
        assert_eq!(classify("Budget code"), None);
    }
}
