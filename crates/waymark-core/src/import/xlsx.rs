//! Reading a plan from an Excel workbook (`.xlsx`) with calamine, from its
//! bytes (no IO: a `Cursor` over them).
//!
//! The sheet is read cell by cell as calamine streams it (empty cells cost
//! nothing and are not kept), so a sheet of a million empty rows takes the
//! time to parse its XML and no memory. The header row is found the way the
//! text readers find theirs (`table::is_work_package_header`), among the first
//! [`HEADER_SEARCH_ROWS`] rows that hold text; the rows below it go through
//! the CSV reader's grouping into sections and the shared builder. Places are
//! cells: `Sheet1!C12`.
//!
//! Before calamine sees the archive, its ZIP directory is checked: every
//! part's declared uncompressed size is at most [`MAX_PART_BYTES`], all of
//! them together at most [`MAX_WORKBOOK_BYTES`], and there are at most
//! [`MAX_PARTS`] parts. The zip crate refuses to inflate a part past the size
//! its directory declares, so these sizes cap what calamine reads however the
//! archive lies. A shared-string table that claims more strings than its size
//! can hold (calamine reserves memory for the claim) is refused too.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use calamine::{DataRef, Reader, Xlsx};

use super::build::{Builder, Cell, MAX_CELLS};
use super::table::{self, Mapping};
use super::{ImportError, ImportOptions, Imported, cell_name};
use crate::limits::{LONG_TEXT_CHARS, Shape, TextField};

/// The largest part (a sheet's XML, the shared strings) a workbook may hold,
/// uncompressed: far more than a plan of 100,000 packages needs.
pub const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;
/// The most all parts together may inflate to.
pub const MAX_WORKBOOK_BYTES: u64 = 512 * 1024 * 1024;
/// The most parts (files inside the ZIP archive) a workbook may have.
pub const MAX_PARTS: usize = 10_000;
/// How many rows holding text are searched for the header row (title and
/// note rows above it are kept in the notes).
pub const HEADER_SEARCH_ROWS: usize = 50;
/// The most cells merged regions may fill in (each region's value is copied
/// to the rows below it that hold other cells).
const MAX_MERGED_FILLS: usize = 10_000_000;

/// The longest text a cell may hold: no field takes more.
const CELL: TextField = TextField {
    name: "cell",
    label: "cell",
    max_chars: LONG_TEXT_CHARS,
    shape: Shape::Text,
};

fn refuse(message: impl Into<String>) -> ImportError {
    ImportError::Workbook(message.into())
}

/// A ZIP archive (`PK\x03\x04`) holding `xl/workbook.xml`: the names of a
/// ZIP's parts are stored as they are, so the name is in the bytes.
pub(crate) fn looks_like_workbook(bytes: &[u8]) -> bool {
    const NAME: &[u8] = b"xl/workbook.xml";
    bytes.starts_with(b"PK\x03\x04") && bytes.windows(NAME.len()).any(|w| w == NAME)
}

/// The cells of a sheet that hold something: row → (column, text), both
/// counted from 0, columns in order.
type Rows = BTreeMap<u32, Vec<(u32, String)>>;

/// The names of a workbook's sheets, in order (after the same archive
/// checks as [`read`]), for a person to choose one.
pub(crate) fn sheet_names(bytes: &[u8]) -> Result<Vec<String>, ImportError> {
    check_archive(bytes)?;
    let book: Xlsx<Cursor<&[u8]>> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| refuse(format!("the workbook could not be read: {e}")))?;
    Ok(book.sheet_names())
}

pub(crate) fn read(bytes: &[u8], options: &ImportOptions) -> Result<Imported, ImportError> {
    check_archive(bytes)?;
    let mapping = Mapping::parse(&options.mapping).map_err(ImportError::Mapping)?;
    let mut book: Xlsx<Cursor<&[u8]>> = Xlsx::new(Cursor::new(bytes))
        .map_err(|e| refuse(format!("the workbook could not be read: {e}")))?;
    let names = book.sheet_names();
    if names.is_empty() {
        return Err(refuse("the workbook has no sheets"));
    }
    let candidates: Vec<String> = match &options.sheet {
        Some(wanted) => {
            let found = names
                .iter()
                .find(|n| *n == wanted)
                .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(wanted)));
            match found {
                Some(n) => vec![n.clone()],
                None => {
                    return Err(refuse(format!(
                        "the workbook has no sheet named \"{wanted}\"; its sheets are: {}",
                        quoted(&names)
                    )));
                }
            }
        }
        None => names.clone(),
    };
    let mut looked: Vec<String> = Vec::new();
    for name in &candidates {
        let mut warnings: Vec<(usize, usize, String)> = Vec::new();
        let sheet = match read_sheet(&mut book, name, &mapping, &mut warnings)? {
            Some(sheet) => sheet,
            None => {
                looked.push(format!("\"{name}\" (not a worksheet)"));
                continue;
            }
        };
        let Some(header_row) = sheet.header else {
            looked.push(format!(
                "\"{name}\" ({})",
                match sheet.rows.len() {
                    _ if sheet.stopped =>
                        "no header among its first rows; not read further".to_string(),
                    0 => "empty".to_string(),
                    1 => "1 row with text".to_string(),
                    n => format!("{n} rows with text"),
                }
            ));
            continue;
        };
        // The problems of the sheet read, not of those passed over.
        if let Some(problem) = sheet.problem {
            return Err(problem);
        }
        let mut rows = sheet.rows;
        let merged = book.merge_cells_by_sheet_name(name).map_err(|e| {
            refuse(format!(
                "sheet \"{name}\": its merged cells could not be read: {e}"
            ))
        })?;
        fill_merged(&mut rows, &merged, name)?;
        // The register sheets Waymark's own export writes are read with it.
        let mut registers = Registers::default();
        let mut others: Vec<String> = Vec::new();
        for other in names.iter().filter(|n| *n != name) {
            if options.sheet.is_none() && registers.read(&mut book, other)? {
                continue;
            }
            others.push(other.clone());
        }
        let mut imported = build(name, rows, header_row, &mapping, options, warnings, &others)?;
        registers.apply(&mut imported);
        return Ok(imported);
    }
    let searched = format!(
        "header row naming a work package column (such as \"Work package\" or \"Title\") among its first {HEADER_SEARCH_ROWS} rows with text"
    );
    Err(refuse(match &options.sheet {
        Some(_) => format!("sheet \"{}\" has no {searched}", candidates.join("")),
        None => format!(
            "no sheet of the workbook has a {searched}; the sheets: {} (name one with --sheet, or say which header names the work package with --map)",
            looked.join(", ")
        ),
    }))
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The ZIP directory's promises, checked before anything is inflated.
fn check_archive(bytes: &[u8]) -> Result<(), ImportError> {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(refuse(
            "the file is an older Excel workbook (.xls) or a password-protected one, which cannot be read: save it from Excel as \"Excel Workbook (.xlsx)\" without a password",
        ));
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(refuse(
            "the file is not an .xlsx workbook: an .xlsx file is a ZIP archive (its first bytes are \"PK\"), and this one is not; save it from Excel as \"Excel Workbook (.xlsx)\", or name its format with --format",
        ));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        refuse(format!(
            "the file is not a readable .xlsx workbook: its ZIP archive is damaged ({e})"
        ))
    })?;
    if zip.len() > MAX_PARTS {
        return Err(refuse(format!(
            "the workbook holds {} parts, more than the {MAX_PARTS} a workbook may have",
            zip.len()
        )));
    }
    let mut total: u64 = 0;
    let mut shared_strings = Vec::new();
    for i in 0..zip.len() {
        let part = zip
            .by_index_raw(i)
            .map_err(|e| refuse(format!("the workbook's ZIP archive is damaged ({e})")))?;
        let size = part.size();
        let name = String::from_utf8_lossy(part.name_raw()).into_owned();
        if size > MAX_PART_BYTES {
            return Err(refuse(format!(
                "the workbook's part \"{name}\" would inflate to {} bytes, over the limit of {} bytes a part may have (a ZIP bomb, or a sheet far larger than any plan); nothing was read",
                crate::limits::thousands(size),
                crate::limits::thousands(MAX_PART_BYTES)
            )));
        }
        total = total.saturating_add(size);
        if total > MAX_WORKBOOK_BYTES {
            return Err(refuse(format!(
                "the workbook's parts would inflate to more than {} bytes together, over the limit (a ZIP bomb, or a workbook far larger than any plan); nothing was read",
                crate::limits::thousands(MAX_WORKBOOK_BYTES)
            )));
        }
        if name.to_ascii_lowercase().ends_with("sharedstrings.xml") {
            shared_strings.push((i, name, size));
        }
    }
    for (i, name, size) in shared_strings {
        let mut start = Vec::new();
        let part = zip
            .by_index(i)
            .map_err(|e| refuse(format!("the workbook's part \"{name}\" is damaged ({e})")))?;
        part.take(4096)
            .read_to_end(&mut start)
            .map_err(|e| refuse(format!("the workbook's part \"{name}\" is damaged ({e})")))?;
        let claimed = String::from_utf8_lossy(&start)
            .split("uniqueCount=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .and_then(|n| n.trim().parse::<u64>().ok());
        // Each string takes at least `<si/>`: five bytes.
        if let Some(n) = claimed
            && n > size / 5 + 1
        {
            return Err(refuse(format!(
                "the workbook's shared strings claim {} strings in a part of {} bytes, which cannot hold them; the file is damaged or made to exhaust memory",
                crate::limits::thousands(n),
                crate::limits::thousands(size)
            )));
        }
    }
    Ok(())
}

/// The text a cell's value is read as; `Err` names what is wrong with it.
enum Value {
    Empty,
    Text(String),
    /// A formula's cached value is an error (`#REF!`): kept as its text.
    Failed(String),
}

fn value_text(v: &DataRef<'_>) -> Value {
    match v {
        DataRef::Empty => Value::Empty,
        DataRef::String(s) => Value::Text(s.replace("\r\n", "\n")),
        DataRef::SharedString(s) => Value::Text(s.replace("\r\n", "\n")),
        DataRef::Int(i) => Value::Text(i.to_string()),
        DataRef::Float(f) => Value::Text(number(*f)),
        DataRef::Bool(b) => Value::Text(if *b { "TRUE" } else { "FALSE" }.into()),
        DataRef::DateTime(dt) if dt.is_datetime() && dt.as_f64() < 1.0 => {
            // A time of day alone.
            let (.., h, min, _, _) = dt.to_ymd_hms_milli();
            Value::Text(format!("{h:02}:{min:02}"))
        }
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, h, min, s, _) = dt.to_ymd_hms_milli();
            // A date cell (most plans' dates have no time): ISO text, which
            // the delivery and actual-delivery fields read.
            if (h, min, s) == (0, 0, 0) {
                Value::Text(format!("{y:04}-{m:02}-{d:02}"))
            } else {
                Value::Text(format!("{y:04}-{m:02}-{d:02} {h:02}:{min:02}"))
            }
        }
        DataRef::DateTime(dt) => Value::Text(number(dt.as_f64())),
        DataRef::DateTimeIso(s) => Value::Text(s.strip_suffix("T00:00:00").unwrap_or(s).into()),
        DataRef::DurationIso(s) => Value::Text(s.clone()),
        DataRef::Error(e) => Value::Failed(e.to_string()),
    }
}

/// A number as a spreadsheet shows it unformatted: `40`, not `40.0`.
fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A sheet read: its cells, its header row, and what is wrong with it (an
/// error only if it is the sheet imported).
struct Sheet {
    rows: Rows,
    header: Option<u32>,
    /// No header among the first rows with text: the rest was not read.
    stopped: bool,
    problem: Option<ImportError>,
}

/// Every cell of a sheet that holds something (`None`: not a worksheet,
/// such as a chart sheet), and its header row. A sheet with no header among
/// its first [`HEADER_SEARCH_ROWS`] rows with text is not read further. A
/// formula is read as the value Excel saved with it, never worked out; one
/// without a saved value, a cell over the longest text a field takes, or a
/// cell past the last column a plan may have, is the sheet's problem,
/// naming the cell.
fn read_sheet(
    book: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    mapping: &Mapping,
    warnings: &mut Vec<(usize, usize, String)>,
) -> Result<Option<Sheet>, ImportError> {
    let mut cells = match book.worksheet_cells_reader(name) {
        Ok(cells) => cells,
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(None),
        Err(e) => {
            return Err(refuse(format!("sheet \"{name}\" could not be read: {e}")));
        }
    };
    let mut rows = Rows::new();
    let mut unsaved: Vec<String> = Vec::new();
    let mut over: Vec<String> = Vec::new();
    let mut beyond: Option<String> = None;
    let mut header: Option<u32> = None;
    let mut stopped = false;
    loop {
        let cell = cells.next_cell_with_formula().map_err(|e| {
            refuse(format!(
                "sheet \"{name}\" could not be read after {} rows with text: {e}",
                rows.len()
            ))
        })?;
        let Some(cell) = cell else { break };
        let (row, col) = cell.pos;
        let at = || cell_name(name, row as usize + 1, col as usize + 1);
        let text = match value_text(&cell.value) {
            Value::Empty => {
                if let Some(f) = &cell.formula
                    && !f.trim().is_empty()
                {
                    unsaved.push(format!("{} (={})", at(), shorten(f)));
                }
                continue;
            }
            Value::Text(t) => t,
            Value::Failed(e) => {
                warnings.push((
                    row as usize + 1,
                    col as usize + 1,
                    format!(
                        "the cell's value is the error {e}{}; kept as text",
                        cell.formula
                            .as_deref()
                            .map(|f| format!(" from its formula ={}", shorten(f)))
                            .unwrap_or_default()
                    ),
                ));
                e
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        if let Err(e) = CELL.check(&text) {
            over.push(format!("{}: {e}", at()));
            continue;
        }
        if col as usize >= MAX_CELLS {
            beyond.get_or_insert_with(at);
            continue;
        }
        if header.is_none() && rows.len() >= HEADER_SEARCH_ROWS && !rows.contains_key(&row) {
            header = find_header(&rows, mapping);
            if header.is_none() {
                stopped = true;
                break;
            }
        }
        rows.entry(row).or_default().push((col, text));
    }
    let problem = if let Some(at) = beyond {
        Some(refuse(format!(
            "{at} holds text past column {MAX_CELLS}; no plan has that many columns"
        )))
    } else if !over.is_empty() {
        Some(ImportError::OverLimits(over))
    } else if !unsaved.is_empty() {
        let n = unsaved.len();
        let shown: Vec<String> = unsaved.into_iter().take(10).collect();
        Some(refuse(format!(
            "{n} formula cell{} have no saved value (the file was not saved by a spreadsheet that works them out), and formulas are never worked out on import: {}{}; open the file in Excel or LibreOffice and save it, or paste the values over the formulas",
            if n == 1 { "" } else { "s" },
            shown.join(", "),
            if n > 10 { ", ..." } else { "" }
        )))
    } else {
        None
    };
    for (row, cells) in rows.iter_mut() {
        cells.sort_by_key(|(c, _)| *c);
        // A cell written twice (a damaged or hand-made file): both texts
        // kept, one line each.
        let mut merged: Vec<(u32, String)> = Vec::with_capacity(cells.len());
        for (c, text) in cells.drain(..) {
            match merged.last_mut() {
                Some((last, kept)) if *last == c => {
                    warnings.push((
                        *row as usize + 1,
                        c as usize + 1,
                        "the file gives this cell twice; both values are kept, one line each"
                            .into(),
                    ));
                    kept.push('\n');
                    kept.push_str(&text);
                }
                _ => merged.push((c, text)),
            }
        }
        *cells = merged;
    }
    if header.is_none() && !stopped {
        header = find_header(&rows, mapping);
    }
    Ok(Some(Sheet {
        rows,
        header,
        stopped,
        problem,
    }))
}

fn shorten(text: &str) -> String {
    let mut out: String = text.chars().take(60).collect();
    if text.chars().nth(60).is_some() {
        out.push('…');
    }
    out
}

/// The row's cells from column A to its last cell, empty where it has none.
fn dense(cells: &[(u32, String)]) -> Vec<&str> {
    let width = cells
        .iter()
        .map(|(c, _)| *c as usize + 1)
        .max()
        .unwrap_or(0);
    let mut out = vec![""; width];
    for (c, t) in cells {
        out[*c as usize] = t.trim();
    }
    out
}

/// The first of the first [`HEADER_SEARCH_ROWS`] rows with text that is a
/// work-package header.
fn find_header(rows: &Rows, mapping: &Mapping) -> Option<u32> {
    rows.iter()
        .take(HEADER_SEARCH_ROWS)
        .find(|(_, cells)| {
            cells.len() <= table::MAX_HEADER_CELLS
                && table::is_work_package_header_with(&dense(cells), mapping)
        })
        .map(|(r, _)| *r)
}

/// A merged region's value (in its top-left cell) counts for every row it
/// spans: copied down its first column into the rows below that hold other
/// cells (a theme written once beside its packages). Rows with nothing else
/// stay empty, and nothing is copied across columns.
fn fill_merged(
    rows: &mut Rows,
    merged: &[calamine::Dimensions],
    sheet: &str,
) -> Result<(), ImportError> {
    let mut fills = 0usize;
    for region in merged {
        let ((r0, c0), (r1, _)) = (region.start, region.end);
        if r1 <= r0 {
            continue;
        }
        let Some(value) = rows
            .get(&r0)
            .and_then(|cells| cells.iter().find(|(c, _)| *c == c0))
            .map(|(_, t)| t.clone())
        else {
            continue;
        };
        for (_, cells) in rows.range_mut(r0 + 1..=r1) {
            if let Err(at) = cells.binary_search_by_key(&c0, |(c, _)| *c) {
                cells.insert(at, (c0, value.clone()));
                fills += 1;
                if fills > MAX_MERGED_FILLS {
                    return Err(refuse(format!(
                        "sheet \"{sheet}\" has merged cells that would fill more than {} cells; no plan needs that many",
                        crate::limits::thousands(MAX_MERGED_FILLS as u64)
                    )));
                }
            }
        }
    }
    Ok(())
}

fn build(
    sheet: &str,
    rows: Rows,
    header_row: u32,
    mapping: &Mapping,
    options: &ImportOptions,
    warnings: Vec<(usize, usize, String)>,
    others: &[String],
) -> Result<Imported, ImportError> {
    let header_line = header_row as usize + 1;
    let mut b = Builder::new(options.default_title.as_deref().unwrap_or("Action plan"));
    b.sheet = Some(sheet.to_string());
    for (line, column, message) in warnings {
        b.warn(line, column, message);
    }
    if !others.is_empty() {
        b.warn(
            1,
            1,
            format!(
                "read sheet \"{sheet}\"; the workbook's other sheets were not read ({}): import one with --sheet NAME",
                quoted(others)
            ),
        );
    }
    let mut rows = rows.into_iter();
    // Title and note rows above the header: kept in the notes.
    let mut header_cells = Vec::new();
    for (r, cells) in rows.by_ref() {
        if r == header_row {
            header_cells = cells;
            break;
        }
        let line = r as usize + 1;
        let first = cells.first().map_or(1, |(c, _)| *c as usize + 1);
        b.warn(
            line,
            first,
            "a row above the header row (a title or a note); kept in the plan's notes",
        );
        let texts: Vec<&str> = cells.iter().map(|(_, t)| t.trim()).collect();
        let note = format!(
            "{} (above the header): {}",
            b.at(line, first),
            texts.join(" | ")
        );
        b.note(note);
    }
    let texts = dense(&header_cells);
    mapping
        .check_used(texts.iter().copied())
        .map_err(ImportError::Mapping)?;
    let header = table::read_header_with(&texts, mapping);
    let rows: Vec<(u32, Vec<(u32, String)>)> = rows.collect();
    // A column without a header is named by its letter; it is reported
    // only when a row below has text in it (a spacer column says nothing).
    let used = |i: usize| {
        rows.iter()
            .any(|(_, cells)| cells.iter().any(|(c, _)| *c as usize == i))
    };
    let headers: Vec<String> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if t.is_empty() {
                format!("column {}", super::column_letters(i + 1))
            } else {
                t.to_string()
            }
        })
        .collect();
    for (i, message) in header.problems {
        if !texts[i].is_empty() {
            b.warn(header_line, i + 1, message);
        } else if used(i) {
            b.warn(
                header_line,
                i + 1,
                format!(
                    "{} has no header; its cells are kept in the plan's notes",
                    headers[i]
                ),
            );
        }
    }
    b.record_columns(&headers, &header.columns);
    let data = rows.into_iter().map(|(r, cells)| {
        let line = r as usize + 1;
        // Trailing empty cells are not stored: a row is as wide as the
        // header at least.
        let width = cells
            .last()
            .map_or(0, |(c, _)| *c as usize + 1)
            .max(headers.len());
        let mut out: Vec<Cell> = (0..width)
            .map(|i| Cell {
                text: String::new(),
                line,
                column: i + 1,
            })
            .collect();
        for (c, text) in cells {
            out[c as usize].text = text;
        }
        Ok((line, out))
    });
    super::csv::rows_into_sections(&mut b, &header.columns, &headers, header_line, data)?;
    Ok(b.finish())
}

/// The register sheets of a workbook Waymark wrote
/// ([`crate::export::xlsx`]), each known by its name and header row; their
/// rows replace what the package rows imply, as a JSON document's registers do.
#[derive(Default)]
struct Registers {
    influences: Option<Vec<crate::model::Influence>>,
    related: Option<Vec<crate::model::RelatedItem>>,
    programmes: Option<Vec<crate::model::Programme>>,
    dependencies: Option<Vec<crate::model::Dependency>>,
    plan: Option<Vec<(String, String)>>,
    warnings: Vec<(String, u32, String)>,
}

impl Registers {
    /// Reads sheet `name` if it is one of the register sheets (`false`: it is not).
    fn read(&mut self, book: &mut Xlsx<Cursor<&[u8]>>, name: &str) -> Result<bool, ImportError> {
        use crate::export::xlsx as out;
        let expected: &[&str] = match name {
            out::INFLUENCES_SHEET => &out::INFLUENCE_COLUMNS,
            out::RELATED_SHEET => &out::RELATED_COLUMNS,
            out::PROGRAMMES_SHEET => &out::PROGRAMME_COLUMNS,
            out::DEPENDENCIES_SHEET => &out::DEPENDENCY_COLUMNS,
            out::PLAN_SHEET => &out::PLAN_COLUMNS,
            _ => return Ok(false),
        };
        let Some(rows) = plain_rows(book, name)? else {
            return Ok(false);
        };
        let header: Vec<&str> = rows.get(&0).map(|cells| dense(cells)).unwrap_or_default();
        if header.len() != expected.len()
            || !header
                .iter()
                .zip(expected)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
        {
            return Ok(false);
        }
        let width = expected.len();
        let body = rows.range(1..).map(|(r, cells)| {
            let mut out = vec![String::new(); width];
            for (c, t) in cells {
                if let Some(slot) = out.get_mut(*c as usize) {
                    *slot = t.clone();
                }
            }
            (*r, out)
        });
        match name {
            out::INFLUENCES_SHEET => {
                let mut list = Vec::new();
                for (r, cells) in body {
                    match cells[0].trim().parse() {
                        Ok(code) => list.push(crate::model::Influence {
                            code,
                            title: cells[1].clone(),
                            description: cells[2].clone(),
                        }),
                        Err(e) => self.warnings.push((
                            name.to_string(),
                            r,
                            format!("{e}; the key influence is not read"),
                        )),
                    }
                }
                self.influences = Some(list);
            }
            out::RELATED_SHEET => {
                let mut list = Vec::new();
                for (r, cells) in body {
                    let kind = match cells[1].trim() {
                        "" => super::build::infer_kind(&cells[0]),
                        k => k.parse().unwrap_or_else(|e| {
                            self.warnings.push((
                                name.to_string(),
                                r,
                                format!("{e}; read as other"),
                            ));
                            crate::model::RelatedKind::Other
                        }),
                    };
                    list.push(crate::model::RelatedItem {
                        name: cells[0].trim().to_string(),
                        kind,
                    });
                }
                self.related = Some(list);
            }
            out::PROGRAMMES_SHEET => {
                // Rows of the same name are one programme (a long list of
                // packages goes on over rows).
                let mut list: Vec<crate::model::Programme> = Vec::new();
                for (_, cells) in body {
                    let name = cells[0].trim().to_string();
                    let priority = matches!(
                        cells[2].trim().to_ascii_lowercase().as_str(),
                        "yes" | "true" | "y" | "1"
                    );
                    let packages = super::build::split_list(&cells[3])
                        .into_iter()
                        .map(crate::model::WorkPackageRef);
                    match list.iter_mut().find(|p| p.name == name) {
                        Some(p) => {
                            p.priority |= priority;
                            if p.description.is_empty() {
                                p.description = cells[1].clone();
                            }
                            p.work_packages.extend(packages);
                        }
                        None => list.push(crate::model::Programme {
                            name,
                            description: cells[1].clone(),
                            priority,
                            work_packages: packages.collect(),
                        }),
                    }
                }
                self.programmes = Some(list);
            }
            out::DEPENDENCIES_SHEET => {
                let list = body
                    .map(|(_, cells)| crate::model::Dependency {
                        predecessor: crate::model::WorkPackageRef(cells[0].trim().to_string()),
                        successor: crate::model::WorkPackageRef(cells[1].trim().to_string()),
                    })
                    .collect();
                self.dependencies = Some(list);
            }
            _ => {
                self.plan = Some(
                    body.map(|(_, mut cells)| {
                        (std::mem::take(&mut cells[0]), std::mem::take(&mut cells[1]))
                    })
                    .collect(),
                );
            }
        }
        Ok(true)
    }

    fn apply(self, imported: &mut Imported) {
        let plan = &mut imported.plan;
        if let Some(list) = self.influences {
            plan.influences = list;
        }
        if let Some(list) = self.related {
            plan.related_items = list;
        }
        // As for JSON: a programme lists packages of this plan, and a
        // dependency joins two of them, once, without a cycle. What is not
        // kept is said.
        let refs: std::collections::HashSet<crate::model::WorkPackageRef> =
            plan.work_packages().map(|(r, _, _)| r).collect();
        let mut problems: Vec<(&str, String)> = Vec::new();
        if let Some(mut list) = self.programmes {
            list.retain(|p| {
                let named = !p.name.is_empty();
                if !named {
                    problems.push((
                        crate::export::xlsx::PROGRAMMES_SHEET,
                        "a programme row without a name is not read".into(),
                    ));
                }
                named
            });
            for p in &mut list {
                let name = &p.name;
                p.work_packages.retain(|r| {
                    let known = refs.contains(r);
                    if !known {
                        problems.push((
                            crate::export::xlsx::PROGRAMMES_SHEET,
                            format!("programme {name} lists work package {r}, which does not exist; left out"),
                        ));
                    }
                    known
                });
            }
            plan.programmes = list;
        }
        if let Some(list) = self.dependencies {
            let mut seen = std::collections::HashSet::new();
            let candidates: Vec<crate::model::Dependency> = list
                .into_iter()
                .filter(|d| {
                    if !refs.contains(&d.predecessor) || !refs.contains(&d.successor) {
                        problems.push((
                            crate::export::xlsx::DEPENDENCIES_SHEET,
                            format!(
                                "dependency {} → {} names a work package that does not exist; left out",
                                d.predecessor, d.successor
                            ),
                        ));
                        return false;
                    }
                    seen.insert(d.clone())
                })
                .collect();
            plan.dependencies = Vec::new();
            for (d, result) in candidates
                .iter()
                .zip(crate::schedule::accept_dependencies(&candidates))
            {
                match result {
                    Ok(()) => plan.dependencies.push(d.clone()),
                    Err(e) => problems.push((
                        crate::export::xlsx::DEPENDENCIES_SHEET,
                        format!("{e}; left out"),
                    )),
                }
            }
        }
        for (sheet, message) in problems {
            imported.diagnostics.push(super::Diagnostic {
                sheet: Some(sheet.to_string()),
                line: 1,
                column: 1,
                severity: super::Severity::Warning,
                message,
            });
        }
        let plan = &mut imported.plan;
        if let Some(fields) = self.plan {
            let found_notes = std::mem::take(&mut plan.notes);
            // A field given over several rows (a long text) is joined.
            let mut seen: Vec<String> = Vec::new();
            for (field, value) in fields {
                let key = field.trim().to_ascii_lowercase();
                if seen.contains(&key) {
                    match key.as_str() {
                        "introduction" => plan.introduction.push_str(&value),
                        "notes" => plan.notes.push_str(&value),
                        _ => {}
                    }
                    continue;
                }
                seen.push(key.clone());
                match key.as_str() {
                    "title" if !value.trim().is_empty() => plan.title = value,
                    "organisation" => plan.organisation = value,
                    "period" => plan.period = value,
                    "introduction" => plan.introduction = value,
                    "quarter convention" => {
                        if let Ok(c) = serde_json::from_value(serde_json::Value::String(value)) {
                            plan.quarter_convention = c;
                        }
                    }
                    "notes" => plan.notes = value,
                    _ => {}
                }
            }
            // What the import itself kept in the notes follows the plan's.
            if !found_notes.is_empty() {
                if !plan.notes.is_empty() {
                    plan.notes.push_str("\n\n");
                }
                plan.notes.push_str(&found_notes);
            }
        }
        super::build::complete_registers(plan);
        for (sheet, row, message) in self.warnings {
            imported.diagnostics.push(super::Diagnostic {
                sheet: Some(sheet),
                line: row as usize + 1,
                column: 1,
                severity: super::Severity::Warning,
                message,
            });
        }
    }
}

/// Every cell of a small sheet holding text, with the same limits as a
/// package sheet's cells (`None`: not a worksheet).
fn plain_rows(book: &mut Xlsx<Cursor<&[u8]>>, name: &str) -> Result<Option<Rows>, ImportError> {
    let mut cells = match book.worksheet_cells_reader(name) {
        Ok(cells) => cells,
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(None),
        Err(e) => return Err(refuse(format!("sheet \"{name}\" could not be read: {e}"))),
    };
    let mut rows = Rows::new();
    let mut count = 0usize;
    while let Some(cell) = cells
        .next_cell()
        .map_err(|e| refuse(format!("sheet \"{name}\" could not be read: {e}")))?
    {
        let (row, col) = cell.get_position();
        let text = match value_text(cell.get_value()) {
            Value::Empty => continue,
            Value::Text(t) | Value::Failed(t) => t,
        };
        if text.trim().is_empty() {
            continue;
        }
        if let Err(e) = CELL.check(&text) {
            return Err(ImportError::OverLimits(vec![format!(
                "{}: {e}",
                cell_name(name, row as usize + 1, col as usize + 1)
            )]));
        }
        count += 1;
        if col as usize >= MAX_CELLS || count > MAX_REGISTER_CELLS {
            return Err(refuse(format!(
                "sheet \"{name}\" holds more than a plan's registers can have"
            )));
        }
        rows.entry(row).or_default().push((col, text));
    }
    for cells in rows.values_mut() {
        cells.sort_by_key(|(c, _)| *c);
        cells.dedup_by_key(|(c, _)| *c);
    }
    Ok(Some(rows))
}

/// The most cells a register sheet may hold.
const MAX_REGISTER_CELLS: usize = 4_000_000;
