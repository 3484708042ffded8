use super::spreadsheet::guard_cell;
use super::{Links, PACKAGE_COLUMNS};
use crate::model::Plan;

/// One row per work package, for spreadsheets. The registers' titles and kinds
/// and the plan's introduction are not in CSV; use JSON for everything. Cells a
/// spreadsheet would run as formulas are guarded ([`guard_cell`]).
pub fn to_csv(plan: &Plan) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = std::iter::once("Section").chain(PACKAGE_COLUMNS);
    let mut rows: Vec<Vec<String>> = vec![header.map(str::to_string).collect()];
    let links = Links::of(plan);
    for (index, section) in plan.sections.iter().enumerate() {
        // An unheaded section is named by its label, `Section 6 (no heading)`,
        // which the reader takes back as no heading: an empty cell would join
        // two unheaded sections in a row into one.
        let name = match (&section.number, &section.title) {
            (None, None) => section.label(index),
            _ => [section.number.as_deref(), section.title.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        };
        for wp in &section.work_packages {
            let mut cells = vec![name.clone()];
            cells.extend(links.package_cells(section, index, wp));
            rows.push(cells);
        }
    }
    for r in rows {
        if w.write_record(r.iter().map(|c| guard_cell(c).into_owned()))
            .is_err()
        {
            break;
        }
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}
