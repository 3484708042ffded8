//! Writing a plan as an Excel workbook (`.xlsx`): the bytes [`rust_xlsxwriter`]
//! saves to a buffer.
//!
//! The one file core touches: the package sheet is a constant-memory sheet
//! ([`Workbook::add_worksheet_with_constant_memory`]), whose rows
//! rust_xlsxwriter writes, as each next row begins, to a temporary file in the
//! scratch directory the caller gives (`None`: the OS's temporary directory),
//! and reads back when the workbook is saved; the file is unnamed (unlinked as
//! it is made) and goes when the workbook does. A plan of any size then costs
//! its package rows one at a time, not every cell until the save. Its texts
//! are inline strings rather than shared ones, and its rows must come in
//! order, which they do. The register sheets are small and stay in memory.
//!
//! Sheets, in order: **Work packages** (the CSV export's columns: `Section`,
//! [`PACKAGE_COLUMNS`](super::PACKAGE_COLUMNS), `Section title`), **Key
//! influences**, **Related items**, **Programmes**, **Dependencies** and
//! **Plan** (the plan's own fields). The `.xlsx` reader takes each back by its
//! sheet name and header row, so a workbook written here imports as the plan
//! it was written from.
//!
//! Every text is written as a string cell ([`Worksheet::write_string`]), which
//! a spreadsheet never runs as a formula whatever it starts with; nothing is
//! written as a formula. Progress is a number and the actual delivery a date.

use std::path::Path;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet};

use super::{Links, PACKAGE_COLUMNS, csv::section_cells, sorted_related};
use crate::limits::LONG_TEXT_CHARS;
use crate::model::{Plan, Section, WorkPackage};

/// The sheet names the writer uses and the reader recognises.
pub const PACKAGES_SHEET: &str = "Work packages";
pub const INFLUENCES_SHEET: &str = "Key influences";
pub const RELATED_SHEET: &str = "Related items";
pub const PROGRAMMES_SHEET: &str = "Programmes";
pub const DEPENDENCIES_SHEET: &str = "Dependencies";
pub const PLAN_SHEET: &str = "Plan";

/// Header rows of the register sheets.
pub const INFLUENCE_COLUMNS: [&str; 3] = ["Code", "Title", "Description"];
pub const RELATED_COLUMNS: [&str; 2] = ["Name", "Kind"];
pub const PROGRAMME_COLUMNS: [&str; 4] = ["Name", "Description", "Priority", "Packages"];
pub const DEPENDENCY_COLUMNS: [&str; 2] = ["Predecessor", "Successor"];
pub const PLAN_COLUMNS: [&str; 2] = ["Field", "Value"];

/// The rows of the Plan sheet, in order.
pub const PLAN_FIELDS: [&str; 6] = [
    "Title",
    "Organisation",
    "Period",
    "Introduction",
    "Quarter convention",
    "Notes",
];

/// The workbook could not be made (a text over Excel's 32,767 characters a
/// cell, or the writer failing).
#[derive(Debug, thiserror::Error)]
#[error("the Excel workbook could not be written: {0}")]
pub struct XlsxExportError(String);

impl From<rust_xlsxwriter::XlsxError> for XlsxExportError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        XlsxExportError(e.to_string())
    }
}

/// The column of `Progress` and of `Actual delivery` in the package sheet
/// (after the `Section` column; a test checks them against the names).
const PROGRESS_AT: usize = 13;
const ACTUAL_AT: usize = 15;

/// The package sheet's column widths, `Section` first.
const PACKAGE_WIDTHS: [f64; 19] = [
    22.0, 40.0, 8.0, 50.0, 40.0, 16.0, 24.0, 40.0, 16.0, 30.0, 20.0, 14.0, 8.0, 10.0, 40.0, 14.0,
    16.0, 24.0, 30.0,
];

/// The whole plan as an `.xlsx` workbook. `scratch`: the directory where the
/// package sheet's rows wait until the save (`None`: the OS's temporary
/// directory); see the module's notes.
pub fn to_xlsx(plan: &Plan, scratch: Option<&Path>) -> Result<Vec<u8>, XlsxExportError> {
    let links = Links::of(plan);
    let mut book = XlsxBook::new(scratch)?;
    for (index, section) in plan.sections.iter().enumerate() {
        for wp in &section.work_packages {
            book.package(&links, section, index, wp)?;
        }
    }
    book.finish(plan)
}

/// The cell formats every sheet uses.
struct Formats {
    header: Format,
    wrap: Format,
    date: Format,
    percent: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            header: Format::new().set_bold().set_text_wrap(),
            wrap: Format::new()
                .set_text_wrap()
                .set_align(rust_xlsxwriter::FormatAlign::Top),
            date: Format::new()
                .set_num_format("yyyy-mm-dd")
                .set_align(rust_xlsxwriter::FormatAlign::Top),
            percent: Format::new()
                .set_num_format("0\"%\"")
                .set_align(rust_xlsxwriter::FormatAlign::Top),
        }
    }
}

/// A workbook being written: the package sheet a row at a time, as the
/// packages come in plan order ([`XlsxBook::package`]), and the other sheets
/// at the end ([`XlsxBook::finish`]). Nothing of a package is kept: its row
/// goes to the scratch file as the next one begins, so a writer fed from a
/// store holds one row, not the plan or its cells.
pub(crate) struct XlsxBook {
    book: Workbook,
    formats: Formats,
    /// The last row written in the package sheet (0: the header).
    row: u32,
    /// The section of the last package, with its `Section` and `Section
    /// title` cells.
    section: Option<(usize, [String; 2])>,
}

impl XlsxBook {
    /// A workbook with the package sheet's header row, its rows spilled to a
    /// temporary file in `scratch` (`None`: the OS's temporary directory).
    pub(crate) fn new(scratch: Option<&Path>) -> Result<Self, XlsxExportError> {
        let mut book = Workbook::new();
        if let Some(dir) = scratch {
            book.set_tempdir(dir)?;
        }
        let formats = Formats::new();
        let sheet = book
            .add_worksheet_with_constant_memory()?
            .set_name(PACKAGES_SHEET)?;
        header_row(sheet, &package_columns(), &PACKAGE_WIDTHS, &formats.header)?;
        Ok(XlsxBook {
            book,
            formats,
            row: 0,
            section: None,
        })
    }

    /// The next package's row: `wp` of `section`, the plan's section number
    /// `index`.
    pub(crate) fn package(
        &mut self,
        links: &Links,
        section: &Section,
        index: usize,
        wp: &WorkPackage,
    ) -> Result<(), XlsxExportError> {
        let XlsxBook {
            book,
            formats,
            row,
            section: open,
        } = self;
        if open.as_ref().map(|(i, _)| *i) != Some(index) {
            *open = Some((index, section_cells(section, index)));
        }
        let Some((_, [name, title])) = open.as_ref() else {
            return Ok(());
        };
        *row += 1;
        let row = *row;
        let sheet = book.worksheet_from_index(0)?;
        let mut cells = Vec::with_capacity(PACKAGE_WIDTHS.len());
        cells.push(name.clone());
        cells.extend(links.package_cells(section, index, wp));
        cells.push(title.clone());
        for (col, text) in cells.iter().enumerate() {
            let c = col as u16;
            if col == PROGRESS_AT {
                sheet.write_number_with_format(
                    row,
                    c,
                    f64::from(wp.progress.get()),
                    &formats.percent,
                )?;
            } else if col == ACTUAL_AT {
                if let Some(d) = wp.actual_delivery {
                    let d = d.get();
                    let cell = ExcelDateTime::from_ymd(
                        u16::try_from(d.year()).unwrap_or(1900),
                        u8::from(d.month()),
                        d.day(),
                    );
                    match cell {
                        Ok(cell) => {
                            sheet.write_datetime_with_format(row, c, &cell, &formats.date)?;
                        }
                        // A year Excel cannot hold as a date: written as text.
                        Err(_) => {
                            sheet.write_string_with_format(row, c, text, &formats.wrap)?;
                        }
                    }
                }
            } else if !text.is_empty() {
                sheet.write_string_with_format(row, c, text, &formats.wrap)?;
            }
        }
        Ok(())
    }

    /// The package sheet closed, the register sheets and the plan's own
    /// fields from `plan` (its packages are not read: a skeleton will do),
    /// and the workbook's bytes.
    pub(crate) fn finish(mut self, plan: &Plan) -> Result<Vec<u8>, XlsxExportError> {
        let sheet = self.book.worksheet_from_index(0)?;
        finish_table(sheet, self.row, PACKAGE_WIDTHS.len())?;
        let XlsxBook {
            mut book, formats, ..
        } = self;
        let Formats { header, wrap, .. } = formats;

        // Key influences.
        let sheet = book.add_worksheet().set_name(INFLUENCES_SHEET)?;
        header_row(sheet, &INFLUENCE_COLUMNS, &[10.0, 40.0, 80.0], &header)?;
        let mut row = 0;
        for i in &plan.influences {
            row += 1;
            text_row(
                sheet,
                row,
                &[i.code.as_str(), &i.title, &i.description],
                &wrap,
            )?;
        }
        finish_table(sheet, row, INFLUENCE_COLUMNS.len())?;

        // Related items, in the exports' stable order.
        let sheet = book.add_worksheet().set_name(RELATED_SHEET)?;
        header_row(sheet, &RELATED_COLUMNS, &[50.0, 16.0], &header)?;
        let mut row = 0;
        for item in sorted_related(plan) {
            row += 1;
            text_row(sheet, row, &[&item.name, item.kind.label()], &wrap)?;
        }
        finish_table(sheet, row, RELATED_COLUMNS.len())?;

        // Programmes.
        let sheet = book.add_worksheet().set_name(PROGRAMMES_SHEET)?;
        header_row(
            sheet,
            &PROGRAMME_COLUMNS,
            &[30.0, 60.0, 10.0, 40.0],
            &header,
        )?;
        let mut row = 0;
        for p in &plan.programmes {
            row += 1;
            let priority = if p.priority { "Yes" } else { "No" };
            // A long list of packages goes on over rows of the same name.
            let lists = package_lists(p.work_packages.iter().map(|r| r.as_str()));
            for (i, packages) in lists.iter().enumerate() {
                if i > 0 {
                    row += 1;
                }
                let description = if i == 0 { p.description.as_str() } else { "" };
                text_row(
                    sheet,
                    row,
                    &[&p.name, description, priority, packages],
                    &wrap,
                )?;
            }
        }
        finish_table(sheet, row, PROGRAMME_COLUMNS.len())?;

        // Dependencies.
        let sheet = book.add_worksheet().set_name(DEPENDENCIES_SHEET)?;
        header_row(sheet, &DEPENDENCY_COLUMNS, &[16.0, 16.0], &header)?;
        let mut row = 0;
        for d in &plan.dependencies {
            row += 1;
            text_row(
                sheet,
                row,
                &[d.predecessor.as_str(), d.successor.as_str()],
                &wrap,
            )?;
        }
        finish_table(sheet, row, DEPENDENCY_COLUMNS.len())?;

        // The plan's own fields.
        let sheet = book.add_worksheet().set_name(PLAN_SHEET)?;
        header_row(sheet, &PLAN_COLUMNS, &[20.0, 100.0], &header)?;
        let convention = serde_json::to_value(plan.quarter_convention)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let values = [
            plan.title.as_str(),
            &plan.organisation,
            &plan.period,
            &plan.introduction,
            &convention,
            &plan.notes,
        ];
        let mut row = 0;
        for (field, value) in PLAN_FIELDS.iter().zip(values) {
            // A text longer than a cell holds (the notes) goes on in rows of the
            // same field, read back joined.
            for piece in pieces(value) {
                row += 1;
                text_row(sheet, row, &[field, piece], &wrap)?;
            }
        }
        sheet.set_freeze_panes(1, 0)?;

        Ok(book.save_to_buffer()?)
    }
}

/// The package sheet's header row.
fn package_columns() -> Vec<&'static str> {
    std::iter::once("Section")
        .chain(PACKAGE_COLUMNS)
        .chain(["Section title"])
        .collect()
}

/// The most characters a cell is written with: what the reader takes
/// ([`LONG_TEXT_CHARS`]), under Excel's own 32,767.
const CELL_CHARS: usize = LONG_TEXT_CHARS;

/// `text` in pieces of at most [`CELL_CHARS`] characters (one empty piece
/// for an empty text).
fn pieces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while rest.chars().count() > CELL_CHARS {
        let at = rest
            .char_indices()
            .nth(CELL_CHARS)
            .map_or(rest.len(), |(i, _)| i);
        out.push(&rest[..at]);
        rest = &rest[at..];
    }
    out.push(rest);
    out
}

/// References joined with `; `, in as many cells as it takes (at least one).
fn package_lists<'a>(refs: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out = vec![String::new()];
    for r in refs {
        let Some(last) = out.last_mut() else { break };
        if !last.is_empty() && last.chars().count() + 2 + r.chars().count() > CELL_CHARS {
            out.push(r.to_string());
        } else {
            if !last.is_empty() {
                last.push_str("; ");
            }
            last.push_str(r);
        }
    }
    out
}

fn header_row(
    sheet: &mut Worksheet,
    columns: &[&str],
    widths: &[f64],
    format: &Format,
) -> Result<(), XlsxExportError> {
    for (col, (name, width)) in columns.iter().zip(widths).enumerate() {
        sheet.write_string_with_format(0, col as u16, *name, format)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    Ok(())
}

/// Text cells from column A; empty texts leave the cell empty.
fn text_row(
    sheet: &mut Worksheet,
    row: u32,
    cells: &[&str],
    format: &Format,
) -> Result<(), XlsxExportError> {
    for (col, text) in cells.iter().enumerate() {
        if !text.is_empty() {
            sheet.write_string_with_format(row, col as u16, *text, format)?;
        }
    }
    Ok(())
}

/// A frozen header row with a filter over the table.
fn finish_table(
    sheet: &mut Worksheet,
    last_row: u32,
    columns: usize,
) -> Result<(), XlsxExportError> {
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last_row, columns.saturating_sub(1) as u16)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The typed columns are where their names are.
    #[test]
    fn progress_and_actual_delivery_columns_are_found_by_name() {
        let columns: Vec<&str> = std::iter::once("Section").chain(PACKAGE_COLUMNS).collect();
        assert_eq!(columns[PROGRESS_AT], "Progress");
        assert_eq!(columns[ACTUAL_AT], "Actual delivery");
    }
}
