//! Columns recognised by what their header means, not where they stand.

/// What a column of a work-package table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// The section a row belongs to: `10.1`, or `10.1 Core business systems`.
    Section,
    /// The section's title alone, beside a `Section` column of numbers.
    SectionTitle,
    WorkPackage,
    Number,
    Title,
    Scope,
    Relationships,
    Delivery,
    /// The delivery's own words, beside the quarters read from them (the
    /// exports write it when the two differ).
    DeliveryAsWritten,
    Comments,
    Influences,
    Owner,
    Status,
    Rag,
    Progress,
    /// The latest progress note: free text on how the package is going.
    ProgressNote,
    ActualDelivery,
    DependsOn,
    Programmes,
    RelatedItems,
}

/// The meaning of a header cell. The order of the tests matters: "Estimated
/// delivery of detailed work plan" mentions a work plan but is a delivery
/// column; "Progress update" and "Commentary" are progress notes, not the
/// percentage or the comments, and "Delivery as written" is not the delivery.
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
    } else if has(&["deliver"]) && has(&["as written", "original", "verbatim"]) {
        Column::DeliveryAsWritten
    } else if has(&[
        "progress note",
        "progress update",
        "latest update",
        "commentary",
        "narrative",
        "current position",
        "position statement",
    ]) || h == "update"
        || h == "updates"
    {
        Column::ProgressNote
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
    } else if has(&["section"]) && has(&["title", "name", "heading"]) {
        Column::SectionTitle
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

impl Column {
    /// The field a column fills: a `Title` column and a `Work package` column
    /// both give the package its title.
    fn field(self) -> Column {
        match self {
            Column::Title => Column::WorkPackage,
            other => other,
        }
    }

    /// How the field is named in warnings.
    pub fn name(self) -> &'static str {
        match self {
            Column::Section => "section",
            Column::SectionTitle => "section title",
            Column::WorkPackage | Column::Title => "title",
            Column::Number => "number",
            Column::Scope => "scope",
            Column::Relationships => "relationships",
            Column::Delivery => "delivery",
            Column::DeliveryAsWritten => "delivery as written",
            Column::Comments => "comments",
            Column::Influences => "key influences",
            Column::Owner => "owner",
            Column::Status => "status",
            Column::Rag => "RAG",
            Column::Progress => "progress",
            Column::ProgressNote => "progress note",
            Column::ActualDelivery => "actual delivery",
            Column::DependsOn => "depends on",
            Column::Programmes => "programmes",
            Column::RelatedItems => "related items",
        }
    }
}

/// The field names `--map "Header=field"` takes, and the column each
/// means (`notes`: none; the column's cells are kept in the plan's notes).
/// `-` and `_` read as spaces, and case does not matter.
pub const FIELD_NAMES: &[(&str, Option<Column>)] = &[
    ("section", Some(Column::Section)),
    ("section title", Some(Column::SectionTitle)),
    ("work package", Some(Column::WorkPackage)),
    ("title", Some(Column::Title)),
    ("number", Some(Column::Number)),
    ("scope", Some(Column::Scope)),
    ("relationships", Some(Column::Relationships)),
    ("delivery", Some(Column::Delivery)),
    ("delivery as written", Some(Column::DeliveryAsWritten)),
    ("comments", Some(Column::Comments)),
    ("key influences", Some(Column::Influences)),
    ("owner", Some(Column::Owner)),
    ("status", Some(Column::Status)),
    ("rag", Some(Column::Rag)),
    ("progress", Some(Column::Progress)),
    ("progress note", Some(Column::ProgressNote)),
    ("actual delivery", Some(Column::ActualDelivery)),
    ("depends on", Some(Column::DependsOn)),
    ("programmes", Some(Column::Programmes)),
    ("related items", Some(Column::RelatedItems)),
    ("notes", None),
];

/// Headers whose meaning is given rather than read (`--map`): a header
/// (compared trimmed, ignoring case) and its column, `None` for the notes.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    /// The header as given, lower case (compared), and its column.
    entries: Vec<(String, String, Option<Column>)>,
}

fn field_key(field: &str) -> String {
    field
        .trim()
        .to_lowercase()
        .replace(['-', '_'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Mapping {
    /// `Header=field` pairs; a field that is not one of [`FIELD_NAMES`] or an
    /// empty header is an error naming it.
    pub fn parse(pairs: &[(String, String)]) -> Result<Mapping, String> {
        let mut entries = Vec::new();
        for (header, field) in pairs {
            let header = header.trim();
            if header.is_empty() {
                return Err(format!(
                    "--map \"={field}\": the header before \"=\" is empty"
                ));
            }
            let key = field_key(field);
            let Some((_, column)) = FIELD_NAMES.iter().find(|(name, _)| *name == key) else {
                let names: Vec<&str> = FIELD_NAMES.iter().map(|(n, _)| *n).collect();
                return Err(format!(
                    "--map \"{header}={field}\": \"{field}\" is not a field; the fields are: {}",
                    names.join(", ")
                ));
            };
            entries.push((header.to_string(), header.to_lowercase(), *column));
        }
        Ok(Mapping { entries })
    }

    /// The column a header is mapped to: `Some(None)` for the notes,
    /// `None` when the mapping does not name it.
    pub fn get(&self, header: &str) -> Option<Option<Column>> {
        let h = header.trim().to_lowercase();
        self.entries
            .iter()
            .rev()
            .find(|(_, k, _)| *k == h)
            .map(|(_, _, c)| *c)
    }

    /// What a header means: as mapped, else by its words ([`classify`]).
    pub fn classify(&self, header: &str) -> Option<Column> {
        self.get(header).unwrap_or_else(|| classify(header))
    }

    /// An error naming the first mapped header that is not among `headers`.
    pub fn check_used<'a>(
        &self,
        headers: impl IntoIterator<Item = &'a str> + Clone,
    ) -> Result<(), String> {
        for (given, key, _) in &self.entries {
            if !headers
                .clone()
                .into_iter()
                .any(|h| h.trim().to_lowercase() == *key)
            {
                let seen: Vec<String> = headers
                    .clone()
                    .into_iter()
                    .filter(|h| !h.trim().is_empty())
                    .map(|h| format!("\"{}\"", h.trim()))
                    .collect();
                return Err(format!(
                    "--map names the header \"{given}\", which the file's header row does not have; its headers are: {}",
                    seen.join(", ")
                ));
            }
        }
        Ok(())
    }
}

/// How a reader understood one column, for the report (`--dry-run`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedColumn {
    pub header: String,
    /// The field it fills; `None`: its cells go to the plan's notes.
    pub field: Option<&'static str>,
}

/// Each column of a read header with the field it fills.
pub fn mapped_columns(headers: &[String], columns: &[Option<Column>]) -> Vec<MappedColumn> {
    headers
        .iter()
        .zip(columns)
        .map(|(h, c)| MappedColumn {
            header: h.clone(),
            field: c.map(Column::name),
        })
        .collect()
}

/// A header row read: each column's field, and what the reader must report
/// about the columns whose cells go to the plan's notes instead, by index.
pub struct Header {
    pub columns: Vec<Option<Column>>,
    pub problems: Vec<(usize, String)>,
}

/// The fields of a header row's columns. A column nothing matches, and a
/// second column for a field an earlier column already fills ("Comments" and
/// "Notes"), fill no field: their cells are kept in the plan's notes, and each
/// has a problem saying so. Without this, the later column's cells would
/// overwrite (or be overwritten by) the earlier one's, with no word said.
#[cfg(test)]
pub fn read_header(headers: &[&str]) -> Header {
    read_header_with(headers, &Mapping::default())
}

/// [`read_header`] with some headers' meaning given (`--map`): a header
/// mapped to `notes` keeps its cells in the notes, with a warning.
pub fn read_header_with(headers: &[&str], mapping: &Mapping) -> Header {
    let mut columns = Vec::with_capacity(headers.len());
    let mut problems = Vec::new();
    let mut filled: Vec<(Column, usize)> = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let column = match mapping.classify(h) {
            None if mapping.get(h).is_some() => {
                problems.push((
                    i,
                    format!("column \"{h}\" is mapped to the notes; its cells are kept in the plan's notes"),
                ));
                None
            }
            None => {
                problems.push((
                    i,
                    format!("unknown column \"{h}\"; its cells are kept in the plan's notes"),
                ));
                None
            }
            Some(c) => match filled.iter().find(|(f, _)| *f == c.field()) {
                Some(&(_, first)) => {
                    problems.push((
                        i,
                        format!(
                            "column \"{h}\" is a second {} column (after \"{}\"); its cells are kept in the plan's notes",
                            c.name(),
                            headers[first]
                        ),
                    ));
                    None
                }
                None => {
                    filled.push((c.field(), i));
                    Some(c)
                }
            },
        };
        columns.push(column);
    }
    Header { columns, problems }
}

/// More cells than this is not a header row.
pub const MAX_HEADER_CELLS: usize = 100;

/// Whether a row of cells is the header of a work-package table: at least two
/// recognised columns, one of which names the package.
pub fn is_work_package_header(cells: &[&str]) -> bool {
    is_work_package_header_with(cells, &Mapping::default())
}

/// [`is_work_package_header`] with some headers' meaning given (`--map`).
pub fn is_work_package_header_with(cells: &[&str], mapping: &Mapping) -> bool {
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
    let cols: Vec<Option<Column>> = cells.iter().map(|c| mapping.classify(c)).collect();
    // A column mapped to the notes is known too: its header was named.
    let known = cols
        .iter()
        .zip(cells)
        .filter(|(c, h)| c.is_some() || mapping.get(h).is_some())
        .count();
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
        assert_eq!(classify("Section"), Some(Column::Section));
        assert_eq!(classify("Section title"), Some(Column::SectionTitle));
        assert_eq!(classify("Section name"), Some(Column::SectionTitle));
    }

    #[test]
    fn progress_notes_and_delivery_as_written_are_told_from_their_neighbours() {
        for h in [
            "Progress note",
            "Latest update",
            "Progress update",
            "Update",
            "Commentary",
            "Narrative",
            "Current position",
            "Position statement",
        ] {
            assert_eq!(classify(h), Some(Column::ProgressNote), "{h}");
        }
        for h in ["Delivery as written", "Original delivery text"] {
            assert_eq!(classify(h), Some(Column::DeliveryAsWritten), "{h}");
        }
        // Their neighbours keep their meaning.
        assert_eq!(classify("Progress"), Some(Column::Progress));
        assert_eq!(classify("Progress (%)"), Some(Column::Progress));
        assert_eq!(classify("Comments"), Some(Column::Comments));
        assert_eq!(classify("Estimated delivery"), Some(Column::Delivery));
        assert_eq!(classify("Actual delivery"), Some(Column::ActualDelivery));
        for (name, column) in [
            ("progress note", Column::ProgressNote),
            ("delivery as written", Column::DeliveryAsWritten),
        ] {
            assert!(FIELD_NAMES.contains(&(name, Some(column))), "{name}");
            assert_eq!(column.name(), name);
        }
    }

    #[test]
    fn a_mapping_gives_headers_their_meaning() {
        let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
            p.iter()
                .map(|(h, f)| (h.to_string(), f.to_string()))
                .collect()
        };
        let mapping = Mapping::parse(&pairs(&[
            ("Lead officer", "owner"),
            (" THEME ", "Section_title"),
            ("Budget", "notes"),
            ("Champion", "owner"),
        ]))
        .unwrap_or_default();
        let header = read_header_with(&["Action", "lead officer", "Theme", "Budget"], &mapping);
        assert_eq!(
            header.columns,
            [
                Some(Column::WorkPackage),
                Some(Column::Owner),
                Some(Column::SectionTitle),
                None
            ]
        );
        assert_eq!(
            header.problems[0].1,
            "column \"Budget\" is mapped to the notes; its cells are kept in the plan's notes"
        );
        // A header only a mapping knows still makes the row a header.
        assert!(!is_work_package_header(&["Action", "Champion", "Budget"]));
        assert!(is_work_package_header_with(
            &["Action", "Champion", "Budget"],
            &mapping
        ));
        assert_eq!(
            mapping.check_used(["Action", "Budget"]),
            Err("--map names the header \"Lead officer\", which the file's header row does not have; its headers are: \"Action\", \"Budget\"".into())
        );
        let bad = Mapping::parse(&pairs(&[("Lead", "boss")]))
            .err()
            .unwrap_or_default();
        assert!(bad.starts_with("--map \"Lead=boss\": \"boss\" is not a field; the fields are: section, section title,"), "{bad}");
    }

    #[test]
    fn a_second_column_for_a_field_fills_nothing() {
        let header = read_header(&["Title", "Comments", "Work package", "Notes", "Budget"]);
        assert_eq!(
            header.columns,
            [
                Some(Column::Title),
                Some(Column::Comments),
                None,
                None,
                None
            ]
        );
        let at: Vec<usize> = header.problems.iter().map(|(i, _)| *i).collect();
        assert_eq!(at, [2, 3, 4]);
        assert_eq!(
            header.problems[1].1,
            "column \"Notes\" is a second comments column (after \"Comments\"); its cells are kept in the plan's notes"
        );
    }
}
