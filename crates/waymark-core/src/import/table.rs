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

/// How a rule of [`SYNONYMS`] matches a header. Headers are compared in
/// lower case, trimmed, with `_` read as a space and each run of spaces as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// The whole header: `notes`, `ref`. A whole-header pattern is tried
    /// before any other, whatever its rule's place: "Deliverable" is a
    /// title, though it has `deliver` in it.
    Is(&'static str),
    /// A word of the header (the header split at everything that is not a
    /// letter or digit): `rag` is in "RAG rating", not in "Storage".
    Word(&'static str),
    /// Text anywhere in the header: `deliver` is in "Estimated delivery of
    /// detailed work plan".
    Has(&'static str),
    /// Each of these texts somewhere in the header: `section` and `title`
    /// in "Title of section".
    HasAll(&'static [&'static str]),
}

/// One rule of the synonym table: a field and the headers that mean it.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub column: Column,
    pub patterns: &'static [Pattern],
}

use Pattern::{Has, HasAll, Is, Word};

/// The synonym table: what the headers of council action plans, programme
/// trackers and PRINCE2/MSP registers call each field (`docs/import-synonyms.md`
/// holds it, with where the words come from, and is checked against it).
///
/// Order matters. A whole-header pattern ([`Pattern::Is`]) of any rule wins;
/// otherwise the first rule with a pattern in the header does. So "Actual
/// delivery" is the actual delivery (before delivery), "Estimated delivery of
/// detailed work plan" a delivery (before work package), "RAG status" the RAG
/// (before status), "Section title" the section's title (before section), and
/// "Progress update" a progress note (before progress). A field may have more
/// than one rule, at different places: "Delivery confidence" is a RAG rating
/// and must be found before "deliver" is.
pub const SYNONYMS: &[Rule] = &[
    Rule {
        column: Column::Influences,
        patterns: &[
            Has("influence"),
            Has("cross-ref"),
            Has("cross ref"),
            Has("crossref"),
        ],
    },
    Rule {
        column: Column::ActualDelivery,
        patterns: &[
            Is("actual"),
            Has("actual deliver"),
            Has("actual date"),
            Has("actual end"),
            Has("actual finish"),
            Has("actual complet"),
            Has("actual close"),
            Has("date delivered"),
            Has("delivered on"),
            Has("date completed"),
            Has("completed on"),
            Has("date closed"),
            Has("closure date"),
            Has("close date"),
            Has("date resolved"),
        ],
    },
    Rule {
        column: Column::DependsOn,
        patterns: &[
            Has("depends"),
            Has("dependenc"),
            Has("dependent on"),
            Has("predecessor"),
            Has("prerequisite"),
            Has("blocked by"),
        ],
    },
    Rule {
        column: Column::RelatedItems,
        patterns: &[Has("related item")],
    },
    Rule {
        column: Column::DeliveryAsWritten,
        patterns: &[
            HasAll(&["deliver", "as written"]),
            HasAll(&["deliver", "original"]),
            HasAll(&["deliver", "verbatim"]),
        ],
    },
    Rule {
        column: Column::ProgressNote,
        patterns: &[
            Is("update"),
            Is("updates"),
            Has("progress note"),
            Has("progress update"),
            Has("latest update"),
            Has("commentary"),
            Has("narrative"),
            Has("current position"),
            Has("position statement"),
        ],
    },
    Rule {
        column: Column::Rag,
        patterns: &[Has("delivery confidence"), Word("dca"), Word("confidence")],
    },
    Rule {
        column: Column::Delivery,
        patterns: &[
            Has("deliver"),
            Has("target date"),
            Has("target completion"),
            Has("completion date"),
            Has("due"),
            Has("deadline"),
            Has("quarter"),
            Has("timescale"),
            Has("time scale"),
            Has("timeframe"),
            Has("time frame"),
            Has("timeline"),
            Has("when"),
            Has("end date"),
            Has("finish"),
            Has("milestone date"),
        ],
    },
    Rule {
        column: Column::Relationships,
        patterns: &[
            Has("relationship"),
            Has("related"),
            Has("links to"),
            Has("links with"),
            Has("linked to"),
            Has("link to"),
        ],
    },
    Rule {
        column: Column::Comments,
        patterns: &[
            Has("comment"),
            Has("remark"),
            Is("notes"),
            Is("note"),
            Has("next step"),
            Has("next action"),
        ],
    },
    Rule {
        column: Column::Scope,
        patterns: &[
            Has("scope"),
            Has("definition"),
            Has("description"),
            Has("objective"),
            Has("purpose"),
            Word("aim"),
            Word("aims"),
            Word("outcome"),
            Word("outcomes"),
            Has("success measure"),
            Has("success criteria"),
            Has("measure of success"),
            Has("measures of success"),
            Has("acceptance criteria"),
        ],
    },
    Rule {
        column: Column::Programmes,
        patterns: &[
            Has("programme"),
            Word("program"),
            Word("programs"),
            Word("workstream"),
            Word("workstreams"),
            Has("work stream"),
        ],
    },
    Rule {
        column: Column::Owner,
        patterns: &[
            Has("owner"),
            Has("lead"),
            Has("responsib"),
            Has("accountab"),
            Has("led by"),
            Word("officer"),
            Word("manager"),
            Word("sro"),
            Has("assigned"),
            Has("assignee"),
            Has("whom"),
        ],
    },
    Rule {
        column: Column::Rag,
        patterns: &[
            Word("rag"),
            Has("red/amber/green"),
            Has("red amber green"),
            Word("health"),
        ],
    },
    Rule {
        column: Column::Status,
        patterns: &[Has("status")],
    },
    Rule {
        column: Column::Progress,
        patterns: &[
            Has("progress"),
            Has("% complete"),
            Has("% done"),
            Has("percent"),
        ],
    },
    Rule {
        column: Column::SectionTitle,
        patterns: &[
            HasAll(&["section", "title"]),
            HasAll(&["section", "name"]),
            HasAll(&["section", "heading"]),
        ],
    },
    Rule {
        column: Column::Section,
        patterns: &[Has("section")],
    },
    Rule {
        column: Column::Number,
        patterns: &[
            Is("no"),
            Is("no."),
            Is("#"),
            Word("number"),
            Word("ref"),
            Word("reference"),
            Word("id"),
            Word("identifier"),
        ],
    },
    Rule {
        column: Column::WorkPackage,
        patterns: &[
            Has("work package"),
            Has("workpackage"),
            Has("package"),
            Has("action"),
            Has("task"),
            Has("activit"),
            Has("initiative"),
            Has("work item"),
        ],
    },
    Rule {
        column: Column::Title,
        patterns: &[
            Is("title"),
            Is("name"),
            Is("project"),
            Is("project name"),
            Is("project title"),
            Is("deliverable"),
            Is("deliverables"),
            Is("key deliverable"),
            Is("key deliverables"),
            Is("product"),
            Is("product name"),
            Is("product title"),
            Is("subject"),
        ],
    },
];

/// A header as the synonym table compares it: lower case, trimmed, `_` read
/// as a space (`actual_delivery`), each run of spaces one space.
fn normalise(header: &str) -> String {
    header
        .to_lowercase()
        .replace('_', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

impl Pattern {
    /// Whether a header (normalised, and split into its words) has this
    /// pattern somewhere in it; [`Pattern::Is`] is not tried here.
    fn is_in(self, header: &str, words: &[&str]) -> bool {
        match self {
            Pattern::Is(_) => false,
            Pattern::Word(w) => words.contains(&w),
            Pattern::Has(t) => header.contains(t),
            Pattern::HasAll(ts) => ts.iter().all(|t| header.contains(t)),
        }
    }
}

/// The synonym table as Markdown, a row per rule in order
/// (`docs/import-synonyms.md` holds it).
pub fn synonyms_markdown() -> String {
    let mut out = String::from(
        "| Order | Field | Whole header | Word of the header | Anywhere in the header |\n| --- | --- | --- | --- | --- |\n",
    );
    for (i, rule) in SYNONYMS.iter().enumerate() {
        let list = |pick: &dyn Fn(&Pattern) -> Option<String>| {
            rule.patterns
                .iter()
                .filter_map(pick)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let is = list(&|p| match p {
            Pattern::Is(t) => Some(format!("`{t}`")),
            _ => None,
        });
        let word = list(&|p| match p {
            Pattern::Word(t) => Some(format!("`{t}`")),
            _ => None,
        });
        let has = list(&|p| match p {
            Pattern::Has(t) => Some(format!("`{t}`")),
            Pattern::HasAll(ts) => Some(
                ts.iter()
                    .map(|t| format!("`{t}`"))
                    .collect::<Vec<_>>()
                    .join(" and "),
            ),
            _ => None,
        });
        out.push_str(&format!(
            "| {} | {} | {is} | {word} | {has} |\n",
            i + 1,
            rule.column.map_name()
        ));
    }
    out
}

/// The meaning of a header cell, by the synonym table ([`SYNONYMS`]): the
/// rule with the header as one of its whole-header patterns, else the first
/// rule with a pattern in the header; `None` when no rule has.
pub fn classify(header: &str) -> Option<Column> {
    let h = normalise(header);
    if h.is_empty() {
        return None;
    }
    let whole = SYNONYMS.iter().find(|r| {
        r.patterns
            .iter()
            .any(|p| matches!(p, Pattern::Is(w) if *w == h))
    });
    if let Some(rule) = whole {
        return Some(rule.column);
    }
    let words: Vec<&str> = h
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    SYNONYMS
        .iter()
        .find(|r| r.patterns.iter().any(|p| p.is_in(&h, &words)))
        .map(|r| r.column)
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

    /// The field's name in `--map` and the preview's choices ([`FIELD_NAMES`]).
    pub fn map_name(self) -> &'static str {
        FIELD_NAMES
            .iter()
            .find(|(_, c)| *c == Some(self))
            .map_or("notes", |(n, _)| n)
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

    /// docs/import-synonyms.md shows the synonym table as it is declared.
    #[test]
    fn the_documented_table_is_the_declared_one() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/import-synonyms.md");
        let doc = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            doc.contains(&synonyms_markdown()),
            "docs/import-synonyms.md does not hold the synonym table; put this in it:\n{}",
            synonyms_markdown()
        );
    }

    /// Headers of council action plans, trackers and PRINCE2/MSP/GMPP
    /// registers (docs/import-synonyms.md says where each comes from).
    #[test]
    fn headers_from_the_sources_are_read_by_meaning() {
        use Column as C;
        let cases: &[(&str, Option<Column>)] = &[
            // Council action plans.
            ("Ref", Some(C::Number)),
            ("Action", Some(C::WorkPackage)),
            ("Action title", Some(C::WorkPackage)),
            ("Objective", Some(C::Scope)),
            ("Outcome", Some(C::Scope)),
            ("Success measure", Some(C::Scope)),
            ("Success criteria", Some(C::Scope)),
            ("Lead officer", Some(C::Owner)),
            ("Responsible officer", Some(C::Owner)),
            ("Accountable", Some(C::Owner)),
            ("Led by", Some(C::Owner)),
            ("By whom", Some(C::Owner)),
            ("Timescale", Some(C::Delivery)),
            ("By when", Some(C::Delivery)),
            ("Target date", Some(C::Delivery)),
            ("Deadline", Some(C::Delivery)),
            ("Finish by", Some(C::Delivery)),
            ("Milestone date", Some(C::Delivery)),
            ("RAG", Some(C::Rag)),
            ("RAG rating", Some(C::Rag)),
            ("RAG status", Some(C::Rag)),
            ("Status", Some(C::Status)),
            ("Status / Corrective Action", Some(C::Status)),
            ("Comments", Some(C::Comments)),
            ("Next steps", Some(C::Comments)),
            ("Commentary", Some(C::ProgressNote)),
            ("Progress update", Some(C::ProgressNote)),
            ("Milestone", None),
            ("Resources", None),
            ("Budget", None),
            ("Cost", None),
            ("Theme", None),
            ("Priority", None),
            ("Item", None),
            ("Start by", None),
            ("Assisted by", None),
            // Programme and project trackers, Excel templates.
            ("Task ID", Some(C::Number)),
            ("Task Name", Some(C::WorkPackage)),
            ("Work item", Some(C::WorkPackage)),
            ("Project", Some(C::Title)),
            ("Deliverable", Some(C::Title)),
            ("Deliverables", Some(C::Title)),
            ("Workstream", Some(C::Programmes)),
            ("Owner", Some(C::Owner)),
            ("Assigned To", Some(C::Owner)),
            ("Start Date", None),
            ("End Date", Some(C::Delivery)),
            ("Due date", Some(C::Delivery)),
            ("% complete", Some(C::Progress)),
            ("Progress (%)", Some(C::Progress)),
            ("Health", Some(C::Rag)),
            ("Dependencies", Some(C::DependsOn)),
            ("Next action", Some(C::Comments)),
            ("Notes", Some(C::Comments)),
            ("Estimated Hours", None),
            ("Actual Hours", None),
            ("Actual cost", None),
            ("Blocker", None),
            // PRINCE2 registers and reports.
            ("Issue ID", Some(C::Number)),
            ("Risk identifier", Some(C::Number)),
            ("Description", Some(C::Scope)),
            ("Product description", Some(C::Scope)),
            ("Product title", Some(C::Title)),
            ("Work package ref", Some(C::Number)),
            ("Work package name", Some(C::WorkPackage)),
            ("Risk owner", Some(C::Owner)),
            ("Current status", Some(C::Status)),
            ("Close date", Some(C::ActualDelivery)),
            ("Date raised", None),
            ("Raised by", None),
            ("Author", None),
            ("Issue type", None),
            ("Proximity", None),
            // MSP and GOV.UK GMPP data.
            ("Benefit owner", Some(C::Owner)),
            ("SRO", Some(C::Owner)),
            ("Description / Aims", Some(C::Scope)),
            ("IPA Delivery Confidence Assessment", Some(C::Rag)),
            ("SRO Delivery Confidence Assessment", Some(C::Rag)),
            (
                "Project - End Date (Latest Approved End Date)",
                Some(C::Delivery),
            ),
            ("Project - Start Date (Latest Approved Start Date)", None),
            ("Financial Year Baseline (£m)", None),
            ("Department", None),
            (
                "Departmental commentary on actions planned or taken on the IPA RAG rating.",
                Some(C::ProgressNote),
            ),
            ("Date of last update", None),
        ];
        let wrong: Vec<String> = cases
            .iter()
            .filter(|(h, c)| classify(h) != *c)
            .map(|(h, c)| format!("{h:?}: {:?}, expected {c:?}", classify(h)))
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    /// Every header the fixtures, the exports and the property tests use is
    /// read as it was before the synonym table (`RAG status` aside: it was
    /// the status, where its Red/Amber/Green did not parse).
    #[test]
    fn headers_read_before_the_table_are_read_the_same() {
        use Column as C;
        let cases: &[(&str, Option<Column>)] = &[
            ("Section", Some(C::Section)),
            ("SECTION", Some(C::Section)),
            ("Section title", Some(C::SectionTitle)),
            ("Section name", Some(C::SectionTitle)),
            ("Work package", Some(C::WorkPackage)),
            ("WORK PACKAGE", Some(C::WorkPackage)),
            ("Action", Some(C::WorkPackage)),
            ("Task", Some(C::WorkPackage)),
            ("Title", Some(C::Title)),
            ("Name", Some(C::Title)),
            ("No.", Some(C::Number)),
            ("Ref", Some(C::Number)),
            ("Scope", Some(C::Scope)),
            ("High level scope/definition", Some(C::Scope)),
            ("Definition", Some(C::Scope)),
            ("Description", Some(C::Scope)),
            ("Objective", Some(C::Scope)),
            ("Relationships", Some(C::Relationships)),
            ("Links to", Some(C::Relationships)),
            ("Estimated delivery", Some(C::Delivery)),
            (
                "Estimated delivery of detailed work plan",
                Some(C::Delivery),
            ),
            ("Target date", Some(C::Delivery)),
            ("Due", Some(C::Delivery)),
            ("Timescale", Some(C::Delivery)),
            ("Comments", Some(C::Comments)),
            ("Notes", Some(C::Comments)),
            ("Remarks", Some(C::Comments)),
            ("Key influences", Some(C::Influences)),
            ("Cross-reference", Some(C::Influences)),
            ("Cross-reference to key influences", Some(C::Influences)),
            ("Related items", Some(C::RelatedItems)),
            ("Owner", Some(C::Owner)),
            ("owner", Some(C::Owner)),
            ("Lead", Some(C::Owner)),
            ("Responsible", Some(C::Owner)),
            ("Lead officer", Some(C::Owner)),
            ("Status", Some(C::Status)),
            ("RAG", Some(C::Rag)),
            ("Progress", Some(C::Progress)),
            ("% complete", Some(C::Progress)),
            ("Actual delivery", Some(C::ActualDelivery)),
            ("actual_delivery", Some(C::ActualDelivery)),
            ("Depends on", Some(C::DependsOn)),
            ("Predecessors", Some(C::DependsOn)),
            ("Dependencies", Some(C::DependsOn)),
            ("Programmes", Some(C::Programmes)),
            ("Budget", None),
            ("Budget code", None),
            ("Cost centre", None),
            ("Risk", None),
            ("Theme", None),
            ("Ward", None),
            ("Champion", None),
            ("Item", None),
            ("Details", None),
            ("Date", None),
            ("Code", None),
            ("Kind", None),
            ("Priority", None),
            ("In progress", Some(C::Progress)),
        ];
        let wrong: Vec<String> = cases
            .iter()
            .filter(|(h, c)| classify(h) != *c)
            .map(|(h, c)| format!("{h:?}: {:?}, expected {c:?}", classify(h)))
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn headers_are_compared_as_words_and_in_lower_case() {
        assert_eq!(classify("  WORK   PACKAGE "), Some(Column::WorkPackage));
        assert_eq!(
            classify("Storage"),
            None,
            "rag is a word, not a part of one"
        );
        assert_eq!(classify("Paid"), None);
        assert_eq!(classify(""), None);
        assert_eq!(classify("   "), None);
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
