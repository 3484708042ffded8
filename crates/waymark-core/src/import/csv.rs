//! Reading a plan from CSV: one row per work package, columns by header meaning,
//! with a `Section` column (`10.1 Core business systems`) grouping the rows.

use std::collections::HashMap;

use super::build::{Builder, Cell, MAX_CELLS, split_reference};
use super::table::{self, Column};
use super::{ImportError, ImportOptions, Imported};
use crate::export::spreadsheet::unguard_cell;

pub(crate) fn read(text: &str, options: &ImportOptions) -> Result<Imported, ImportError> {
    // Excel ends its lines with CR LF. The csv crate reads each as two line
    // ends, counting the second on the next record (every warning was a
    // line early), and a quoted cell kept the CR in its line breaks.
    let text: std::borrow::Cow<'_, str> = if text.contains("\r\n") {
        std::borrow::Cow::Owned(text.replace("\r\n", "\n"))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let text = text.as_ref();
    let mapping = table::Mapping::parse(&options.mapping).map_err(ImportError::Mapping)?;
    let delimiter = delimiter(text);
    check_shape(text, delimiter)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter as u8)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(csv_error(&e)),
        None => return Err(ImportError::Empty),
    };
    let texts: Vec<&str> = header
        .iter()
        .take(table::MAX_HEADER_CELLS + 1)
        .map(|c| unguard_cell(c.trim()))
        .collect();
    mapping
        .check_used(texts.iter().copied())
        .map_err(ImportError::Mapping)?;
    if !table::is_work_package_header_with(&texts, &mapping) {
        let shown: Vec<String> = texts
            .iter()
            .take(4)
            .map(|t| format!("\"{}\"", t.chars().take(40).collect::<String>()))
            .collect();
        let more = if texts.len() > 4 { ", ..." } else { "" };
        return Err(ImportError::Syntax {
            line: 1,
            column: 1,
            message: format!(
                "the first row is not a header naming a work package column (for example \"Work package\" or \"Title\"); read as {}-separated, it has {} cell{}: {}{more}",
                delimiter_name(delimiter),
                texts.len(),
                if texts.len() == 1 { "" } else { "s" },
                shown.join(", "),
            ),
        });
    }
    let headers: Vec<String> = texts.iter().map(|h| h.to_string()).collect();
    let header = table::read_header_with(&texts, &mapping);
    let columns = header.columns;
    let mut b = Builder::new(options.default_title.as_deref().unwrap_or("Action plan"));
    for (i, message) in header.problems {
        b.warn(1, i + 1, message);
    }
    b.record_columns(&headers, &columns);
    let rows = records.map(|record| {
        let record = record.map_err(|e| csv_error(&e))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let cells: Vec<Cell> = record
            .iter()
            .enumerate()
            .map(|(i, text)| Cell {
                text: unguard_cell(text).to_string(),
                line,
                column: i + 1,
            })
            .collect();
        Ok((line, cells))
    });
    rows_into_sections(&mut b, &columns, &headers, 1, rows)?;
    Ok(b.finish())
}

/// Rows of a spreadsheet-shaped table (CSV, a workbook's sheet) into the
/// builder, grouped into sections by their `Section` cell, or by their
/// `Section title` cell when that is empty (a section with a title and no
/// number). `header_line` is where the header row is, for its warnings.
pub(crate) fn rows_into_sections(
    b: &mut Builder,
    columns: &[Option<Column>],
    headers: &[String],
    header_line: usize,
    rows: impl Iterator<Item = Result<(usize, Vec<Cell>), ImportError>>,
) -> Result<(), ImportError> {
    let section_col = columns.iter().position(|c| *c == Some(Column::Section));
    let title_col = columns
        .iter()
        .position(|c| *c == Some(Column::SectionTitle));
    // Without a Section column, a reference such as `10.1.3` in the number
    // column names the row's section.
    let reference_col = columns
        .iter()
        .position(|c| *c == Some(Column::Number))
        .filter(|_| section_col.is_none());
    let mut by_reference = false;
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    let mut last_section: Option<((String, String), usize)> = None;
    let cell_of = |cells: &[Cell], col: Option<usize>| {
        col.and_then(|i| cells.get(i))
            .map_or("", |c| c.text.trim())
            .to_string()
    };
    for row in rows {
        let (line, cells) = row?;
        let mut section_text = cell_of(&cells, section_col);
        if let Some((in_section, _)) =
            reference_col.and_then(|i| split_reference(&cell_of(&cells, Some(i))))
        {
            section_text = in_section;
            by_reference = true;
        }
        let title_text = cell_of(&cells, title_col);
        let key = if section_text.is_empty() {
            (String::new(), title_text.clone())
        } else {
            (section_text.clone(), String::new())
        };
        let unheaded = key.0.is_empty() && key.1.is_empty();
        let section = match (&last_section, seen.get(&key)) {
            (Some((prev, idx)), _) if *prev == key => *idx,
            (_, Some(idx)) if !unheaded => *idx,
            _ => {
                let (number, split_title) =
                    section_parts(&section_text, &title_text, title_col.is_some());
                // The title column's cell names the section; the section
                // cell's words after its number do when it is empty (a cell
                // that disagrees is kept in the notes by the builder).
                let title = Some(title_text).filter(|t| !t.is_empty()).or(split_title);
                let idx = b.start_section(number, title);
                if !unheaded {
                    seen.insert(key.clone(), idx);
                }
                idx
            }
        };
        last_section = Some((key, section));
        b.add_row(section, columns, headers, cells, line);
    }
    match (section_col, title_col, reference_col) {
        (None, _, Some(r)) if by_reference => b.warn(
            header_line,
            r + 1,
            format!(
                "no Section column; rows are grouped into sections by their references under \"{}\" (10.1 of 10.1.3)",
                headers[r]
            ),
        ),
        (None, None, _) => b.warn(
            header_line,
            1,
            "no Section column; all rows kept in one section without a heading",
        ),
        (None, Some(t), _) => b.warn(
            header_line,
            t + 1,
            format!(
                "no Section column; rows are grouped into sections by \"{}\" (sections without numbers)",
                headers[t]
            ),
        ),
        _ => {}
    }
    Ok(())
}

/// The label the CSV export gives a section without a heading,
/// `Section 6 (no heading)`.
pub(crate) fn is_unheaded_label(text: &str) -> bool {
    text.trim()
        .strip_prefix("Section ")
        .and_then(|rest| rest.strip_suffix(" (no heading)"))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The number and title a section cell gives, beside the row's section title
/// cell when the file has that column. With it, the section cell is the
/// number followed by the title (`IV Annex` beside `Annex`), the title alone,
/// or a number as written (`10.1`, `IV`); without it, or when the cells
/// disagree, a leading dotted number is the number and the rest the title.
fn section_parts(
    section: &str,
    title: &str,
    has_title_column: bool,
) -> (Option<String>, Option<String>) {
    if has_title_column {
        if !title.is_empty() {
            if section == title {
                return (None, None);
            }
            if let Some(number) = section
                .strip_suffix(title)
                .filter(|p| p.ends_with(char::is_whitespace))
                .map(|p| p.trim().trim_end_matches('.'))
                .filter(|n| !n.is_empty())
            {
                return (Some(number.to_string()), None);
            }
        }
        let word = section.trim_end_matches('.');
        if !word.is_empty() && !word.contains(char::is_whitespace) {
            return (Some(word.to_string()), None);
        }
    }
    split_section(section)
}

pub(crate) fn split_section(text: &str) -> (Option<String>, Option<String>) {
    let t = text.trim();
    if t.is_empty() || is_unheaded_label(t) {
        return (None, None);
    }
    let first = t.split_whitespace().next().unwrap_or("");
    let num = first.trim_end_matches('.');
    if !num.is_empty()
        && num
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        let title = t[first.len()..].trim();
        (
            Some(num.to_string()),
            (!title.is_empty()).then(|| title.to_string()),
        )
    } else {
        (None, Some(t.to_string()))
    }
}

fn csv_error(e: &csv::Error) -> ImportError {
    let line = e.position().map_or(1, |p| p.line() as usize);
    ImportError::Syntax {
        line,
        column: 1,
        message: format!("CSV could not be read: {e}"),
    }
}

/// The delimiter the header row uses: whichever of `,`, `;` and tab it holds
/// most of outside quotes (Excel writes `;` where the decimal separator is a
/// comma). A header with none of them is one column, read with `,`.
fn delimiter(text: &str) -> char {
    let (mut quoted, mut counts) = (false, [0usize; 3]);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).fold(0, |best, i| if counts[i] > counts[best] { i } else { best });
    [',', ';', '\t'][best]
}

fn delimiter_name(delimiter: char) -> &'static str {
    match delimiter {
        ';' => "semicolon",
        '\t' => "tab",
        _ => "comma",
    }
}

/// Check what the csv crate would accept but read badly: a quoted field that
/// the file never closes (the crate folds every later row into it) and a row of
/// more than [`MAX_CELLS`] fields (a hostile line whose records would take many
/// times the file's size in memory). RFC 4180 quoting: a field that starts with
/// `"` runs to the next `"` not followed by another.
fn check_shape(text: &str, delimiter: char) -> Result<(), ImportError> {
    let (mut line, mut column) = (1, 0);
    let mut opened: Option<(usize, usize)> = None;
    let mut field_start = true;
    let mut fields = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        column += 1;
        match (opened.is_some(), c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                column += 1;
            }
            (true, '"') => opened = None,
            (false, '"') if field_start => opened = Some((line, column)),
            (false, d) if d == delimiter => {
                fields += 1;
                if fields > MAX_CELLS {
                    return Err(ImportError::Syntax {
                        line,
                        column,
                        message: format!(
                            "this row has more than {MAX_CELLS} cells; no plan has that many columns"
                        ),
                    });
                }
                field_start = true;
                continue;
            }
            _ => {}
        }
        if c == '\n' {
            line += 1;
            column = 0;
            field_start = opened.is_none();
            if opened.is_none() {
                fields = 1;
            }
            continue;
        }
        field_start = false;
    }
    match opened {
        Some((line, column)) => Err(ImportError::Syntax {
            line,
            column,
            message:
                "this quoted cell is never closed: the file ends inside it (add the closing \")"
                    .into(),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::{ImportError, MAX_CELLS, check_shape, delimiter};

    fn place(text: &str) -> Option<(usize, usize)> {
        match check_shape(text, ',') {
            Ok(()) => None,
            Err(ImportError::Syntax { line, column, .. }) => Some((line, column)),
            Err(e) => panic!("unexpected {e}"),
        }
    }

    #[test]
    fn finds_the_quote_that_is_never_closed() {
        assert_eq!(place("a,b\n1,\"x, \"\"y\"\"\nz\",2\n"), None);
        assert_eq!(place("a,b\n1,\"open\n2,3\n"), Some((2, 3)));
        // A quote inside an unquoted cell is a character, not a quote.
        assert_eq!(place("a,b\n5\" screen,2\n"), None);
        assert_eq!(place("\"a\"\"\n"), Some((1, 1)));
    }

    #[test]
    fn the_delimiter_is_the_header_rows() {
        assert_eq!(delimiter("Section;Work package;Scope\n1,2;3\n"), ';');
        assert_eq!(delimiter("Section,Work package,Scope\n1;2;3;4\n"), ',');
        assert_eq!(delimiter("Section\tWork package\n"), '\t');
        // Inside quotes a separator is text.
        assert_eq!(delimiter("\"a;b;c\",Work package\n"), ',');
        assert_eq!(delimiter("Work package\n"), ',');
    }

    #[test]
    fn refuses_rows_of_too_many_cells() {
        let row = ",".repeat(MAX_CELLS - 1);
        assert_eq!(place(&format!("a,b\n{row}\n{row}\n")), None);
        assert_eq!(place(&format!("a,b\n{row},\n")), Some((2, MAX_CELLS)));
        // Commas inside quotes are not cells.
        assert_eq!(place(&format!("a,b\n\"{row},\"\n")), None);
    }
}
