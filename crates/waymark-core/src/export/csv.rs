use super::spreadsheet::guard_cell;
use crate::model::{Plan, Section};

/// One row per work package, for spreadsheets, with the section in the first
/// column and its title alone in the last. The registers' titles and kinds
/// and the plan's introduction are not in CSV; use JSON for everything. Cells a
/// spreadsheet would run as formulas are guarded ([`guard_cell`]).
pub fn to_csv(plan: &Plan) -> String {
    super::export(plan, super::ExportFormat::Csv)
}

/// One CSV record, line end included.
pub(super) fn record<S: AsRef<str>>(cells: &[S]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    if w.write_record(cells.iter().map(|c| guard_cell(c.as_ref()).into_owned()))
        .is_err()
    {
        return String::new();
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// The section cells of a package row: its `Section` (first) and `Section
/// title` (last). `Section` names the section as a person reads it, `10.1 Core
/// business systems`; `Section title` holds the title alone, so the reader
/// can tell number from title whatever they are (`2006 budgets` is a title,
/// `IV Annex` is section IV). An unheaded section is named by its label,
/// `Section 6 (no heading)`, which the reader takes back as no heading: empty
/// cells would join two unheaded sections in a row into one.
pub(super) fn section_cells(section: &Section, index: usize) -> [String; 2] {
    let name = match (&section.number, &section.title) {
        (None, None) => section.label(index),
        _ => [section.number.as_deref(), section.title.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
    };
    [name, section.title.clone().unwrap_or_default()]
}
