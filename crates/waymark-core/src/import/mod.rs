//! Readers that turn a file's text into a [`Plan`] plus diagnostics.
//!
//! Readers report rather than give up: anything they infer or cannot place is a
//! [`Diagnostic`] with a line number, and text that fits no field is kept in the
//! plan's notes. Only input that cannot be read at all is an [`ImportError`].

mod build;
mod csv;
mod encoding;
mod json;
mod pipe;
mod rating;
pub mod relationships;
mod table;
mod when;
mod xlsx;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::model::Plan;

pub use build::{infer_kind, parse_delivery, parse_influences};
pub use encoding::{Decoded, Encoding, decode};
pub use table::{FIELD_NAMES, MappedColumn, Pattern, Rule, SYNONYMS, synonyms_markdown};
pub use xlsx::{HEADER_SEARCH_ROWS, MAX_PART_BYTES, MAX_PARTS, MAX_WORKBOOK_BYTES};

/// Input formats `waymark import` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The customer's plan as exported from a web page: pipe tables, section
    /// headings such as `10.1 Core business systems`, rows broken across lines.
    PlanText,
    Markdown,
    Csv,
    Json,
    /// An Excel workbook (`.xlsx`): the sheet whose header row is recognised.
    Xlsx,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::PlanText => "plan-text",
            Format::Markdown => "markdown",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Xlsx => "xlsx",
        }
    }

    /// Whether bytes are an Excel workbook: a ZIP archive (`PK\x03\x04`)
    /// holding `xl/workbook.xml`, or a file named `.xlsx` (whose bytes the
    /// reader then checks, so a text file misnamed `.xlsx` is told so).
    pub fn is_xlsx(file_name: Option<&str>, bytes: &[u8]) -> bool {
        let ext = file_name
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, e)| e.to_ascii_lowercase());
        ext.as_deref() == Some("xlsx") || xlsx::looks_like_workbook(bytes)
    }

    /// Guess the format from a file name and its content.
    pub fn detect(file_name: Option<&str>, text: &str) -> Format {
        let ext = file_name
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, e)| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("md" | "markdown") => return Format::Markdown,
            Some("csv" | "tsv") => return Format::Csv,
            Some("json") => return Format::Json,
            _ => {}
        }
        let start = text.trim_start();
        if start.starts_with('{') {
            return Format::Json;
        }
        let markdown = text.lines().take(2000).any(|l| {
            let l = l.trim();
            l.starts_with('#') || (l.starts_with('|') && l.contains("---"))
        });
        if markdown {
            return Format::Markdown;
        }
        // CSV: a first line that is a work-package header when split at its
        // commas or semicolons (a line of prose with two semicolons is not).
        let first = text.lines().next().unwrap_or("");
        let csv_header = [',', ';'].into_iter().any(|d| {
            let cells: Vec<&str> = first.split(d).map(|c| c.trim().trim_matches('"')).collect();
            cells.len() >= 3 && table::is_work_package_header(&cells)
        });
        if !first.contains('|')
            && csv_header
            && text
                .lines()
                .skip(1)
                .all(|l| !l.trim_start().starts_with('|'))
        {
            return Format::Csv;
        }
        Format::PlanText
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "plan-text" | "text" | "txt" => Ok(Format::PlanText),
            "markdown" | "md" => Ok(Format::Markdown),
            "csv" => Ok(Format::Csv),
            "json" => Ok(Format::Json),
            "xlsx" | "excel" => Ok(Format::Xlsx),
            other => Err(format!(
                "unknown format \"{other}\": expected auto, plan-text, markdown, csv, json or xlsx"
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    Error,
}

/// Something a reader inferred, could not place, or rejected, at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The worksheet, for a workbook: `line` is then the row and `column`
    /// the column (shown `Sheet1!C12`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    pub line: usize,
    pub column: usize,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        match &self.sheet {
            Some(sheet) => write!(
                f,
                "{}: {sev}: {}",
                cell_name(sheet, self.line, self.column),
                self.message
            ),
            None => write!(
                f,
                "line {}, column {}: {sev}: {}",
                self.line, self.column, self.message
            ),
        }
    }
}

/// A cell as Excel names it: `Sheet1!C12`, `'Action plan'!A1` (a sheet name
/// with anything but letters, digits and `_` quoted). `row` and `column`
/// count from 1; column 0 names the row alone (`Sheet1!12:12`).
pub fn cell_name(sheet: &str, row: usize, column: usize) -> String {
    let sheet = if sheet.chars().all(|c| c.is_alphanumeric() || c == '_') && !sheet.is_empty() {
        sheet.to_string()
    } else {
        format!("'{}'", sheet.replace('\'', "''"))
    };
    if column == 0 {
        return format!("{sheet}!{row}:{row}");
    }
    format!("{sheet}!{}{row}", column_letters(column))
}

/// `1` → `A`, `27` → `AA`.
pub fn column_letters(column: usize) -> String {
    let mut n = column;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A file that cannot be read as a plan at all. Nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty (or holds only blank lines)")]
    Empty,
    #[error("line {line}, column {column}: the file is not text ({what})")]
    NotText {
        line: usize,
        column: usize,
        what: String,
    },
    #[error("line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "no work package table was found: expected a header row naming columns such as \"Work package\", \"Scope\" and \"Estimated delivery\""
    )]
    NoTable,
    #[error("no work packages were found ({cause})")]
    NoWorkPackages { cause: String },
    /// A workbook that cannot be read, or that breaks the limits on
    /// workbooks: the message names the sheet and cell where there is one.
    #[error("{0}")]
    Workbook(String),
    /// `--map` names a field or header that does not exist.
    #[error("{0}")]
    Mapping(String),
    /// Values over the limits every field has (`crate::limits`); nothing is stored.
    #[error("{}", over_limits_message(.0))]
    OverLimits(Vec<String>),
}

fn over_limits_message(places: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut out = match places.len() {
        1 => "a value is over its limit: ".to_string(),
        n => format!("{n} values are over their limits: "),
    };
    out.push_str(&places[..places.len().min(SHOWN)].join("; "));
    if places.len() > SHOWN {
        out.push_str(&format!("; and {} more", places.len() - SHOWN));
    }
    out
}

/// What a reader produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub plan: Plan,
    pub diagnostics: Vec<Diagnostic>,
    /// How each column of the tables read was understood (header → field,
    /// or the notes), each header and field once; empty for JSON.
    pub columns: Vec<MappedColumn>,
    /// The worksheet read, for a workbook.
    pub sheet: Option<String>,
}

/// Options that do not come from the file.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Title to use when the file has none.
    pub default_title: Option<String>,
    /// How the file's bytes are text ([`Encoding::Auto`]: found out).
    pub encoding: Encoding,
    /// Accept a plan without work packages (otherwise
    /// [`ImportError::NoWorkPackages`]).
    pub allow_empty: bool,
    /// The worksheet to read from a workbook (otherwise the first whose
    /// header row is recognised).
    pub sheet: Option<String>,
    /// How headers are understood, over their meaning: header → field
    /// name (`table::FIELD_NAMES`; `notes` keeps a column in the notes).
    pub mapping: Vec<(String, String)>,
}

/// Whether a section title alone, written as a Markdown heading, would read
/// back as a number and a title (`2006 budgets`) or as the heading of a
/// register (`Notes`, `Programmes`).
pub(crate) fn reads_as_heading_with_number_or_register(title: &str) -> bool {
    pipe::split_heading(title, false).is_some_and(|(number, _)| number.is_some())
        || pipe::REGISTER_HEADINGS.contains(&title.trim().to_lowercase().as_str())
}

/// Read a plan from bytes in the given format.
pub fn import(
    bytes: &[u8],
    format: Format,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    if format == Format::Xlsx {
        return import_workbook(bytes, options);
    }
    import_decoded(&decode(bytes, options.encoding)?, format, options)
}

/// The names of an Excel workbook's sheets, in order (the archive checked
/// as for reading it): what a person may choose from (`ImportOptions::sheet`).
pub fn workbook_sheets(bytes: &[u8]) -> Result<Vec<String>, ImportError> {
    xlsx::sheet_names(bytes)
}

/// Read a plan from an Excel workbook's bytes (see `xlsx`): the same checks
/// as every other format (bidirectional controls, no work packages, limits).
pub fn import_workbook(bytes: &[u8], options: &ImportOptions) -> Result<Imported, ImportError> {
    let mut imported = xlsx::read(bytes, options)?;
    let removed = clean_plan(&mut imported.plan);
    if removed > 0 {
        imported.diagnostics.push(Diagnostic {
            sheet: None,
            line: 1,
            column: 1,
            severity: Severity::Warning,
            message: format!(
                "removed {removed} bidirectional control character{} (U+202A–U+202E, U+2066–U+2069), which would show the text reordered",
                if removed == 1 { "" } else { "s" }
            ),
        });
    }
    if imported.plan.work_package_count() == 0 && !options.allow_empty {
        return Err(ImportError::NoWorkPackages {
            cause: "the sheet's header row has no rows below it".into(),
        });
    }
    within_limits(imported)
}

/// Read a plan from a file's text (see [`decode`]), in the given format: the
/// reader's plan and diagnostics, with the decoder's warnings, bidirectional
/// controls removed from every value ([`crate::text::clean`]), and a plan
/// without work packages refused unless `options.allow_empty`.
pub fn import_decoded(
    decoded: &Decoded<'_>,
    format: Format,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    let (text, mut diagnostics) = strip_bidi_controls(&decoded.text);
    let mut imported = match format {
        Format::PlanText => pipe::read(&text, pipe::Dialect::PlanText, options),
        Format::Markdown => pipe::read(&text, pipe::Dialect::Markdown, options),
        Format::Csv => csv::read(&text, options),
        Format::Json => json::read(&text),
        // A workbook is not text: `import` reads it from its bytes.
        Format::Xlsx => Err(ImportError::Workbook(
            "an .xlsx workbook is read from its bytes, not as text".into(),
        )),
    }
    .map_err(|e| match e {
        // No table at all, but tab-separated lines: say so.
        ImportError::NoTable if !options.allow_empty && tab_separated(&text).is_some() => {
            ImportError::NoWorkPackages {
                cause: why_no_packages(&text, format, &[]),
            }
        }
        e => e,
    })?;
    // JSON can spell them as escapes, which only the parsed values show.
    let escaped = clean_plan(&mut imported.plan);
    if escaped > 0 {
        diagnostics.push(Diagnostic {
            sheet: None,
            line: 1,
            column: 1,
            severity: Severity::Warning,
            message: format!(
                "removed {escaped} bidirectional control character{} written as escapes",
                if escaped == 1 { "" } else { "s" }
            ),
        });
    }
    if imported.plan.work_package_count() == 0 && !options.allow_empty {
        return Err(ImportError::NoWorkPackages {
            cause: why_no_packages(&text, format, &imported.diagnostics),
        });
    }
    diagnostics.extend(decoded.diagnostics.iter().cloned());
    diagnostics.append(&mut imported.diagnostics);
    diagnostics.sort_by_key(|d| (d.line, d.column));
    imported.diagnostics = diagnostics;
    within_limits(imported)
}

/// The text without bidirectional embedding, override and isolate controls,
/// with a warning per line that had any (at the first one's column).
fn strip_bidi_controls(text: &str) -> (Cow<'_, str>, Vec<Diagnostic>) {
    if !crate::text::has_bidi_control(text) {
        return (Cow::Borrowed(text), Vec::new());
    }
    let mut diagnostics = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some(at) = line.find(crate::text::is_bidi_control) else {
            continue;
        };
        let count = line
            .chars()
            .filter(|c| crate::text::is_bidi_control(*c))
            .count();
        diagnostics.push(Diagnostic {
            sheet: None,
            line: i + 1,
            column: line[..at].chars().count() + 1,
            severity: Severity::Warning,
            message: format!(
                "removed {count} bidirectional control character{} (U+202A–U+202E, U+2066–U+2069), which would show the text reordered",
                if count == 1 { "" } else { "s" }
            ),
        });
    }
    (crate::text::clean(text), diagnostics)
}

/// [`crate::text::clean`] on every text value of a plan; how many characters
/// it removed.
fn clean_plan(plan: &mut Plan) -> usize {
    use crate::text::clean_in_place as c;
    let mut n = c(&mut plan.title)
        + c(&mut plan.organisation)
        + c(&mut plan.period)
        + c(&mut plan.introduction)
        + c(&mut plan.notes);
    for s in &mut plan.sections {
        n += s.number.as_mut().map_or(0, c) + s.title.as_mut().map_or(0, c);
        for wp in &mut s.work_packages {
            n += c(&mut wp.number)
                + c(&mut wp.title)
                + c(&mut wp.scope)
                + c(&mut wp.relationships)
                + c(&mut wp.comments)
                + c(&mut wp.owner);
            n += wp.related_items.iter_mut().map(c).sum::<usize>();
            n += wp
                .delivery
                .iter_mut()
                .map(|d| d.label.as_mut().map_or(0, c))
                .sum::<usize>();
        }
    }
    for i in &mut plan.influences {
        n += c(&mut i.title) + c(&mut i.description);
    }
    for r in &mut plan.related_items {
        n += c(&mut r.name);
    }
    for p in &mut plan.programmes {
        n += c(&mut p.name) + c(&mut p.description);
    }
    n
}

/// Refuses a plan with values over the declared limits (`crate::limits`), naming
/// each place: the same limits the forms and the API apply.
fn within_limits(imported: Imported) -> Result<Imported, ImportError> {
    let violations = crate::limits::check_plan(&imported.plan);
    if violations.is_empty() {
        Ok(imported)
    } else {
        Err(ImportError::OverLimits(
            violations.iter().map(ToString::to_string).collect(),
        ))
    }
}

/// How many lines hold a tab between two cells, when that is at least two
/// and at least half the lines that are not blank.
fn tab_separated(text: &str) -> Option<usize> {
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    let tabbed = text.lines().filter(|l| l.trim().contains('\t')).count();
    (tabbed >= 2 && tabbed * 2 >= lines).then_some(tabbed)
}

/// What an import that found no work package saw, for its error.
fn why_no_packages(text: &str, format: Format, diagnostics: &[Diagnostic]) -> String {
    if let Some(d) = diagnostics
        .iter()
        .find(|d| d.message == "table has a header but no rows")
    {
        return format!(
            "the table at line {} has a header but no rows below it",
            d.line
        );
    }
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    let piped = text.lines().filter(|l| l.contains('|')).count();
    if format != Format::Json
        && let Some(tabbed) = tab_separated(text)
    {
        return format!(
            "no table rows found; {tabbed} of {lines} lines look tab-separated, but none is a header row naming a work package column (such as \"Work package\" or \"Title\")"
        );
    }
    match format {
        Format::Json => "the document's sections hold no work packages".into(),
        Format::Csv => "the file has a header row but no rows below it".into(),
        _ if piped == 0 => format!(
            "no table rows found: none of the {lines} lines holds \"|\" or tab-separated cells; expected a header row naming columns such as \"Work package\", \"Scope\" and \"Estimated delivery\", then one row per work package"
        ),
        _ => "no table rows found: no line is a header row naming a work package column (such as \"Work package\" or \"Title\") with rows below it".into(),
    }
}
