//! The pipe-table reader behind both the plan-text format (the customer's web
//! export) and Markdown.
//!
//! Plan-text quirks it survives: rows broken across lines (a line that does not
//! start with `|` continues the open row while that row has fewer cells than the
//! header), a row that starts without `|` after a complete row, rows with fewer
//! cells than the header, and a table with no section heading.

use super::build::{Builder, Cell, MAX_CELLS};
use super::table::{self, Column, Register};
use super::{ImportError, ImportOptions, Imported};
use crate::quarter::QuarterConvention;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    PlanText,
    Markdown,
}

enum TableKind {
    WorkPackages {
        columns: Vec<Option<Column>>,
        headers: Vec<String>,
        section: usize,
    },
    Register {
        register: Register,
        headers: Vec<String>,
    },
}

struct Row {
    cells: Vec<Cell>,
    line: usize,
    /// The last line ended inside a cell (no closing `|`).
    open_cell: bool,
}

/// A line that reads as a header while a table is open.
enum InnerHeader {
    /// A row of the open table.
    Row,
    /// The header of a new table.
    NewTable,
}

struct PendingHeading {
    number: Option<String>,
    title: Option<String>,
    /// A second `# Title` (line, column, text): a section if a table follows,
    /// else kept in the notes.
    second_title: Option<(usize, usize, String)>,
    /// Written `## \Notes`: a section's title as it stands, never a register's
    /// heading.
    literal: bool,
}

pub(crate) const REGISTER_HEADINGS: [&str; 5] = [
    "key influences",
    "related items",
    "programmes",
    "dependencies",
    "notes",
];

struct Reader {
    dialect: Dialect,
    /// `|`, or a tab for a table pasted from a word processor.
    delimiter: char,
    b: Builder,
    intro: Vec<(usize, String)>,
    /// Lines written as literal text (`\# not a heading`): never metadata.
    literal_lines: std::collections::HashSet<usize>,
    title_seen: bool,
    started: bool,
    pending: Option<PendingHeading>,
    current_section: Option<usize>,
    section_has_table: bool,
    table: Option<TableKind>,
    /// Where the open table's header is, and how many rows it has had.
    table_line: usize,
    table_rows: usize,
    row: Option<Row>,
    in_notes: bool,
    notes: Vec<String>,
    programme_register: bool,
    /// Markdown: the lines followed by a `| --- |` row.
    separator_after: std::collections::HashSet<usize>,
    /// Headers whose meaning is given (`--map`), and every header cell seen
    /// (a mapped header the file does not have is an error).
    mapping: table::Mapping,
    headers_seen: Vec<String>,
}

pub(crate) fn read(
    text: &str,
    dialect: Dialect,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    let title = options.default_title.as_deref().unwrap_or("Action plan");
    let mapping = table::Mapping::parse(&options.mapping).map_err(ImportError::Mapping)?;
    let mut r = Reader {
        mapping,
        headers_seen: Vec::new(),
        dialect,
        delimiter: delimiter(text),
        b: Builder::new(title),
        intro: Vec::new(),
        literal_lines: std::collections::HashSet::new(),
        title_seen: false,
        started: false,
        pending: None,
        current_section: None,
        section_has_table: false,
        table: None,
        table_line: 0,
        table_rows: 0,
        row: None,
        in_notes: false,
        notes: Vec::new(),
        programme_register: false,
        separator_after: match dialect {
            Dialect::Markdown => separator_after(text),
            Dialect::PlanText => Default::default(),
        },
    };
    for (i, raw) in text.lines().enumerate() {
        r.line(i + 1, raw);
    }
    r.mapping
        .check_used(r.headers_seen.iter().map(String::as_str))
        .map_err(ImportError::Mapping)?;
    r.finish()
}

/// The lines (numbered from 1) that a `| --- |` row follows.
fn separator_after(text: &str) -> std::collections::HashSet<usize> {
    let mut out = std::collections::HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if i > 0
            && t.starts_with('|')
            && t.contains('-')
            && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
        {
            out.insert(i);
        }
    }
    out
}

/// The cell delimiter of the file's tables: `|` unless no line is a table
/// header with it and some line is one with tabs (a table copied out of a
/// word processor or spreadsheet and pasted as text).
fn delimiter(text: &str) -> char {
    // A header row is short (see `table::is_work_package_header`): longer
    // lines are not looked at, so a hostile one is not split twice.
    const LONGEST_HEADER: usize = 32 * 1024;
    for line in text.lines().filter(|l| l.len() <= LONGEST_HEADER) {
        for delimiter in ['|', '\t'] {
            if !line.as_bytes().contains(&(delimiter as u8)) {
                continue;
            }
            let cells = if delimiter == '|' {
                split_cells(line, 0).0
            } else {
                split_tabs(line, 0)
            };
            let texts: Vec<&str> = cells.iter().map(|c| c.text.as_str()).collect();
            if table::is_work_package_header(&texts) || table::register_of(&texts).is_some() {
                return delimiter;
            }
        }
    }
    '|'
}

/// Split a tab-separated line into cells with their columns. Nothing is
/// escaped: a word processor writes a cell's text as it is.
fn split_tabs(raw: &str, line: usize) -> Vec<Cell> {
    let body = raw.trim_end_matches(['\r', '\n']);
    let mut cells = Vec::new();
    let mut column = 1;
    for (i, text) in body.split('\t').enumerate() {
        if i + 1 == MAX_CELLS {
            // A hostile line of a million tabs: the rest stays whole.
            let start = body.split('\t').take(i).map(|t| t.len() + 1).sum::<usize>();
            cells.push(Cell {
                text: body[start..].trim().to_string(),
                line,
                column,
            });
            break;
        }
        cells.push(Cell {
            text: text.trim().to_string(),
            line,
            column,
        });
        column += text.chars().count() + 1;
    }
    cells
}

/// Split a line into cells with their columns. Returns the cells and whether the
/// line closed its last cell with `|`.
fn split_cells(raw: &str, line: usize) -> (Vec<Cell>, bool) {
    let trimmed_start = raw.len() - raw.trim_start().len();
    let body = raw.trim();
    let (body, offset) = match body.strip_prefix('|') {
        Some(rest) => (rest, trimmed_start + 1),
        None => (body, trimmed_start),
    };
    let closed = body.ends_with('|') && !body.ends_with("\\|");
    let body = if closed {
        &body[..body.len() - 1]
    } else {
        body
    };
    let mut cells = Vec::new();
    // Columns are counted in characters, from where the previous cell started:
    // counting from the line's start for every cell is quadratic in a long line.
    let (mut counted_bytes, mut counted_chars) = (0, 0);
    let mut start = 0;
    let mut search = 0;
    loop {
        // The next unescaped `|`; `find(char)` is a fast scan even in debug builds.
        let mut end = body[search..].find('|').map(|at| search + at);
        if let Some(at) = end
            && at > 0
            && body.as_bytes()[at - 1] == b'\\'
        {
            search = at + 1;
            continue;
        }
        // A hostile line of a million cells: the rest stays whole in the last cell.
        if cells.len() + 1 == MAX_CELLS {
            end = None;
        }
        let stop = end.unwrap_or(body.len());
        let cell_start = (offset + start).min(raw.len());
        counted_chars += raw[counted_bytes..cell_start].chars().count();
        counted_bytes = cell_start;
        cells.push(Cell {
            text: unescape(body[start..stop].trim()),
            line,
            column: counted_chars + 1,
        });
        match end {
            Some(at) => {
                start = at + 1;
                search = start;
            }
            None => break,
        }
    }
    (cells, closed)
}

/// `\|` is a bar inside a cell, `<br>` a line break, and `\<br>` the text
/// `<br>` (as the Markdown export writes them).
fn unescape(text: &str) -> String {
    if text.find('\\').is_none() && text.find('<').is_none() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['\\', '<']) {
        out.push_str(&rest[..at]);
        let here = &rest[at..];
        let (written, read) = if here.starts_with("\\|") {
            ("|", 2)
        } else if here.starts_with("\\<br>") {
            ("<br>", 5)
        } else if here.starts_with("<br>") {
            ("\n", 4)
        } else {
            (&here[..1], 1)
        };
        out.push_str(written);
        rest = &here[read..];
    }
    out.push_str(rest);
    out
}

fn is_separator(cells: &[Cell]) -> bool {
    !cells.is_empty()
        && cells
            .iter()
            .all(|c| !c.text.is_empty() && c.text.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
}

/// `10.1 Core business systems` -> (`10.1`, `Core business systems`).
pub(crate) fn split_heading(
    text: &str,
    require_dotted: bool,
) -> Option<(Option<String>, Option<String>)> {
    let t = text.trim();
    let first = t.split_whitespace().next()?;
    let num = first.trim_end_matches('.');
    let numeric = !num.is_empty()
        && num
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && (!require_dotted || num.contains('.'));
    if numeric {
        let title = t[first.len()..].trim();
        if require_dotted && !title.chars().next().is_some_and(char::is_uppercase) {
            return None;
        }
        let title = (!title.is_empty()).then(|| title.to_string());
        Some((Some(num.to_string()), title))
    } else if require_dotted {
        None
    } else {
        Some((None, (!t.is_empty()).then(|| t.to_string())))
    }
}

impl Reader {
    fn line(&mut self, n: usize, raw: &str) {
        let t = raw.trim();
        if t.is_empty() {
            if self.dialect == Dialect::Markdown {
                self.end_table();
            }
            if !self.started {
                self.intro.push((n, String::new()));
            } else if self.in_notes {
                self.notes.push(String::new());
            }
            return;
        }
        // Outside a table, a line that starts with `\` is text as it stands,
        // less the backslash: the export writes introduction and notes lines
        // that would read as a heading, a row or metadata that way.
        if self.dialect == Dialect::Markdown
            && self.table.is_none()
            && self.row.is_none()
            && let Some(literal) = t.strip_prefix('\\')
        {
            self.literal_lines.insert(n);
            self.text_line(n, literal);
            return;
        }
        if self.dialect == Dialect::Markdown
            && t.starts_with('#')
            && !self.row.as_ref().is_some_and(|r| r.open_cell)
        {
            let column = raw[..raw.len() - raw.trim_start().len()].chars().count() + 1;
            self.markdown_heading(n, column, t);
            return;
        }
        if self.delimiter == '\t' && raw.contains('\t') {
            self.tab_row(n, t, split_tabs(raw, n));
            return;
        }
        if self.delimiter == '\t'
            && self.dialect == Dialect::PlanText
            && t.chars().count() <= 150
            && let Some((number, title)) = split_heading(t, true)
        {
            self.heading(number, title);
            return;
        }
        if self.delimiter == '|' && t.contains('|') {
            let (cells, closed) = split_cells(raw, n);
            if self.dialect == Dialect::Markdown && is_separator(&cells) {
                return;
            }
            if t.starts_with('|') {
                self.pipe_row(n, cells, closed);
            } else {
                self.continuation_or_row(n, cells, closed);
            }
            return;
        }
        // A line without any `|`.
        if let Some(row) = self.row.as_mut()
            && row.open_cell
        {
            if let Some(last) = row.cells.last_mut() {
                last.text.push(' ');
                last.text.push_str(t);
            }
            return;
        }
        if self.dialect == Dialect::PlanText
            && t.chars().count() <= 150
            && let Some((number, title)) = split_heading(t, true)
        {
            self.heading(number, title);
            return;
        }
        let incomplete = self
            .row
            .as_ref()
            .is_some_and(|r| self.row_incomplete_len(r.cells.len()));
        if let Some(row) = self.row.as_mut().filter(|_| incomplete) {
            {
                let column = raw.len() - raw.trim_start().len() + 1;
                row.cells.push(Cell {
                    text: t.to_string(),
                    line: n,
                    column,
                });
                row.open_cell = true;
                return;
            }
        }
        self.text_line(n, t);
    }

    fn row_incomplete_len(&self, len: usize) -> bool {
        match &self.table {
            Some(TableKind::WorkPackages { columns, .. }) => len < columns.len(),
            Some(TableKind::Register { headers, .. }) => len < headers.len(),
            None => false,
        }
    }

    fn markdown_heading(&mut self, n: usize, column: usize, t: &str) {
        self.close_table();
        let level = t.chars().take_while(|c| *c == '#').count();
        let text = t[level..].trim();
        if level == 1 && !self.started && !self.title_seen {
            self.title_seen = true;
            self.b.plan.title = text.to_string();
            return;
        }
        self.started = true;
        self.materialise_pending(false);
        // `## \2006 budgets`: a title without a number, as written (the
        // export writes a title that would read as a number or a register's
        // heading so).
        let literal = text.strip_prefix('\\');
        self.in_notes = literal.is_none() && text.eq_ignore_ascii_case("notes");
        if self.in_notes {
            return;
        }
        let second_title = (level == 1 && self.title_seen).then(|| (n, column, text.to_string()));
        let heading = match literal {
            Some(title) => Some((
                None,
                Some(title.trim().to_string()).filter(|t| !t.is_empty()),
            )),
            None => split_heading(text, false),
        };
        if let Some((number, title)) = heading {
            self.pending = Some(PendingHeading {
                number,
                title,
                second_title,
                literal: literal.is_some(),
            });
        }
    }

    fn heading(&mut self, number: Option<String>, title: Option<String>) {
        self.close_table();
        self.started = true;
        self.in_notes = false;
        self.materialise_pending(false);
        self.pending = Some(PendingHeading {
            number,
            title,
            second_title: None,
            literal: false,
        });
    }

    /// A heading followed by no table is an empty section, unless it only
    /// headed one of the registers or was a second `# Title` (kept in the
    /// notes). `table`: a work-package table follows the heading.
    fn materialise_pending(&mut self, table: bool) {
        if let Some(p) = self.pending.take() {
            if let Some((line, column, text)) = &p.second_title {
                let title = &self.b.plan.title;
                let message = if table {
                    format!(
                        "a second title \"{text}\" (the plan's title is \"{title}\"); read as the heading of the section below it"
                    )
                } else {
                    format!(
                        "a second title \"{text}\" (the plan's title is \"{title}\") heads no table; kept in the plan's notes"
                    )
                };
                self.b.warn(*line, *column, message);
                if !table {
                    self.b.note(format!("Line {line}: {text}"));
                    return;
                }
            }
            let register_heading = !p.literal
                && p.number.is_none()
                && p.title
                    .as_deref()
                    .is_some_and(|t| REGISTER_HEADINGS.contains(&t.to_lowercase().as_str()));
            if !register_heading {
                self.current_section = Some(self.b.start_section(p.number, p.title));
                self.section_has_table = false;
            }
        }
    }

    fn pipe_row(&mut self, n: usize, cells: Vec<Cell>, closed: bool) {
        let texts: Vec<&str> = cells.iter().map(|c| c.text.as_str()).collect();
        // Registers first: `Code | Title | Description` would otherwise pass as a
        // work-package header (a title and a scope column).
        let register = table::register_of(&texts);
        let header =
            register.is_some() || table::is_work_package_header_with(&texts, &self.mapping);
        if header && self.table.is_some() {
            match self.header_inside_table(n, &cells) {
                InnerHeader::Row => {
                    self.flush_row();
                    self.row = Some(Row {
                        cells,
                        line: n,
                        open_cell: !closed,
                    });
                    return;
                }
                InnerHeader::NewTable => {}
            }
        }
        if let Some(register) = register {
            self.close_table();
            self.table_line = n;
            if let Some((line, column, text)) = self.pending.take().and_then(|p| p.second_title) {
                self.b.warn(
                    line,
                    column,
                    format!("a second title \"{text}\" heads a register; kept in the plan's notes"),
                );
                self.b.note(format!("Line {line}: {text}"));
            }
            self.started = true;
            if register == Register::Programmes {
                self.programme_register = true;
                self.b.memberships_are_explicit();
            }
            let headers = cells.iter().map(|c| c.text.clone()).collect();
            self.table = Some(TableKind::Register { register, headers });
            return;
        }
        if table::is_work_package_header_with(&texts, &self.mapping) {
            self.flush_row();
            self.start_work_package_table(n, &cells);
            return;
        }
        if self.table.is_none() {
            self.text_line(n, &texts.join(" | "));
            return;
        }
        self.flush_row();
        self.row = Some(Row {
            cells,
            line: n,
            open_cell: !closed,
        });
    }

    /// What line `n`, which reads as a header while a table is open, is. In
    /// Markdown a header is followed by its `| --- |` row, so without one the
    /// line is a row of the open table. In plan-text it is the header of a new
    /// table (the customer's file starts its unheaded last table so); one that
    /// is not the open table's header again may be a row whose cells happen
    /// to be column names (`In progress | Work package`), so it is reported
    /// and its cells are kept in the notes.
    fn header_inside_table(&mut self, n: usize, cells: &[Cell]) -> InnerHeader {
        if self.dialect == Dialect::Markdown {
            return if self.separator_after.contains(&n) {
                InnerHeader::NewTable
            } else {
                InnerHeader::Row
            };
        }
        let repeated = match &self.table {
            Some(TableKind::WorkPackages { headers, .. } | TableKind::Register { headers, .. }) => {
                headers.len() == cells.len() && headers.iter().zip(cells).all(|(h, c)| *h == c.text)
            }
            None => false,
        };
        if repeated {
            return InnerHeader::NewTable;
        }
        let texts: Vec<&str> = cells.iter().map(|c| c.text.trim()).collect();
        self.b.warn(
            n,
            1,
            format!(
                "a row inside the table at line {} reads as a header; taken as the header of a new table, and kept in the plan's notes",
                self.table_line
            ),
        );
        self.b.note(format!("Line {n}: {}", texts.join(" | ")));
        InnerHeader::NewTable
    }

    /// A tab-separated line: a header, a row, or the rest of a row whose last
    /// cell held a line break (the line's first cell continues that cell), when
    /// the two together have no more cells than the header.
    fn tab_row(&mut self, n: usize, t: &str, cells: Vec<Cell>) {
        if self.table.is_none() {
            let texts: Vec<&str> = cells.iter().map(|c| c.text.as_str()).collect();
            if !table::is_work_package_header_with(&texts, &self.mapping)
                && table::register_of(&texts).is_none()
            {
                self.text_line(n, t);
                return;
            }
        }
        let header_len = match &self.table {
            Some(TableKind::WorkPackages { columns, .. }) => columns.len(),
            Some(TableKind::Register { headers, .. }) => headers.len(),
            None => 0,
        };
        let continues = self.row.as_ref().is_some_and(|r| {
            r.open_cell && cells.len() < header_len && r.cells.len() + cells.len() - 1 <= header_len
        });
        if continues && let Some(row) = self.row.as_mut() {
            let mut cells = cells.into_iter();
            if let (Some(last), Some(first)) = (row.cells.last_mut(), cells.next())
                && !first.text.is_empty()
            {
                last.text.push(' ');
                last.text.push_str(&first.text);
            }
            row.cells.extend(cells);
            row.open_cell = row.cells.len() < header_len;
            return;
        }
        let closed = self.table.is_none() || cells.len() >= header_len;
        self.pipe_row(n, cells, closed);
    }

    fn continuation_or_row(&mut self, n: usize, cells: Vec<Cell>, closed: bool) {
        if self.table.is_none() {
            let texts: Vec<&str> = cells.iter().map(|c| c.text.as_str()).collect();
            if table::is_work_package_header_with(&texts, &self.mapping) {
                self.start_work_package_table(n, &cells);
            } else {
                self.text_line(n, &texts.join(" | "));
            }
            return;
        }
        let continues = self
            .row
            .as_ref()
            .is_some_and(|r| r.open_cell || self.row_incomplete_len(r.cells.len()));
        if continues {
            if let Some(row) = self.row.as_mut() {
                let mut cells = cells.into_iter();
                if row.open_cell
                    && let (Some(last), Some(first)) = (row.cells.last_mut(), cells.next())
                    && !first.text.is_empty()
                {
                    last.text.push(' ');
                    last.text.push_str(&first.text);
                }
                row.cells.extend(cells);
                row.open_cell = !closed;
            }
            return;
        }
        self.flush_row();
        self.b
            .warn(n, 1, "row does not start with \"|\"; read as a new row");
        self.row = Some(Row {
            cells,
            line: n,
            open_cell: !closed,
        });
    }

    fn start_work_package_table(&mut self, n: usize, cells: &[Cell]) {
        self.close_table();
        self.table_line = n;
        self.table_rows = 0;
        self.started = true;
        self.in_notes = false;
        let section = if self.pending.is_some() {
            self.materialise_pending(true);
            self.current_section
        } else {
            None
        };
        let section = match section {
            Some(s) => s,
            None => {
                let after = match self.current_section {
                    Some(s) => format!(" after {}", self.b.plan.sections[s].label(s)),
                    None => String::new(),
                };
                self.b.warn(
                    n,
                    1,
                    format!("table has no section heading; kept as a section of its own{after}"),
                );
                let s = self.b.start_section(None, None);
                self.current_section = Some(s);
                s
            }
        };
        if self.section_has_table && self.current_section == Some(section) {
            // Unreachable in practice: a second table always opens a new section above.
        }
        self.section_has_table = true;
        let texts: Vec<&str> = cells.iter().map(|c| c.text.as_str()).collect();
        let header = table::read_header_with(&texts, &self.mapping);
        for (i, message) in header.problems {
            if let Some(cell) = cells.get(i) {
                self.b.warn(cell.line, cell.column, message);
            }
        }
        let columns = header.columns;
        let headers: Vec<String> = cells.iter().map(|c| c.text.clone()).collect();
        self.b.record_columns(&headers, &columns);
        self.headers_seen.extend(headers.iter().cloned());
        self.table = Some(TableKind::WorkPackages {
            columns,
            headers,
            section,
        });
    }

    fn text_line(&mut self, n: usize, t: &str) {
        // A row still open here is complete (an incomplete one would have
        // taken this line); reading it first keeps the notes in file order.
        self.flush_row();
        if !self.started {
            self.intro.push((n, t.to_string()));
            return;
        }
        if self.in_notes {
            self.notes.push(t.to_string());
            return;
        }
        self.b
            .warn(n, 1, "text outside any table; kept in the plan's notes");
        self.b.note(format!("Line {n}: {t}"));
    }

    fn end_table(&mut self) {
        self.close_table();
    }

    /// Read the open row, and say so when a work-package table had no rows.
    fn close_table(&mut self) {
        self.flush_row();
        if matches!(self.table, Some(TableKind::WorkPackages { .. })) && self.table_rows == 0 {
            self.b
                .warn(self.table_line, 1, "table has a header but no rows");
        }
        self.table = None;
    }

    fn flush_row(&mut self) {
        let Some(row) = self.row.take() else { return };
        if row.open_cell && self.delimiter == '|' {
            self.b.warn(
                row.line,
                1,
                "row is not closed with \"|\"; read up to the end of its last line",
            );
        }
        match &self.table {
            Some(TableKind::WorkPackages {
                columns,
                headers,
                section,
            }) => {
                let (columns, headers, section) = (columns.clone(), headers.clone(), *section);
                self.table_rows += 1;
                self.b
                    .add_row(section, &columns, &headers, row.cells, row.line);
            }
            Some(TableKind::Register { register, headers }) => {
                let register = *register;
                // The columns each register reads, in this order.
                let read = match register {
                    Register::Influences => 3,
                    Register::RelatedItems | Register::Dependencies => 2,
                    Register::Programmes => 4,
                };
                let extra: Vec<&str> = row
                    .cells
                    .iter()
                    .skip(headers.len().min(read))
                    .map(|c| c.text.trim())
                    .filter(|t| !t.is_empty())
                    .collect();
                if !extra.is_empty() {
                    let message = if headers.len() > read {
                        format!(
                            "cells after the \"{}\" column, which the register does not read; kept in the plan's notes",
                            headers[read - 1]
                        )
                    } else {
                        "cells beyond the header's last column; kept in the plan's notes".into()
                    };
                    self.b.warn(row.line, 1, message);
                    self.b.note(format!(
                        "Line {}: extra cells: {}",
                        row.line,
                        extra.join(" | ")
                    ));
                }
                let cell = |i: usize| row.cells.get(i).map(|c| c.text.as_str()).unwrap_or("");
                match register {
                    Register::Influences => {
                        self.b.add_influence(row.line, cell(0), cell(1), cell(2))
                    }
                    Register::RelatedItems => match cell(1).parse() {
                        Ok(kind) => {
                            self.b.related_name(cell(0), Some(kind));
                        }
                        Err(e) => {
                            self.b.warn(
                                row.line,
                                1,
                                format!("{e}; taken as other, and kept in the plan's notes"),
                            );
                            self.b.note(format!(
                                "Line {} (kind of {}): {}",
                                row.line,
                                cell(0).trim(),
                                cell(1).trim()
                            ));
                            self.b
                                .related_name(cell(0), Some(crate::model::RelatedKind::Other));
                        }
                    },
                    Register::Programmes => {
                        let written = cell(1).trim().to_lowercase();
                        let priority =
                            matches!(written.as_str(), "yes" | "y" | "true" | "priority");
                        if !priority && !matches!(written.as_str(), "" | "no" | "n" | "false") {
                            self.b.warn(
                                row.line,
                                1,
                                format!(
                                    "programme {}: priority \"{}\" is not yes or no; taken as no, and kept in the plan's notes",
                                    cell(0).trim(),
                                    cell(1).trim()
                                ),
                            );
                            self.b.note(format!(
                                "Line {} (priority of {}): {}",
                                row.line,
                                cell(0).trim(),
                                cell(1).trim()
                            ));
                        }
                        self.b
                            .add_programme(row.line, cell(0), priority, cell(2), cell(3));
                    }
                    Register::Dependencies => self.b.add_dependency(row.line, cell(0), cell(1)),
                }
            }
            None => {}
        }
    }

    fn finish(mut self) -> Result<Imported, ImportError> {
        self.close_table();
        self.materialise_pending(false);
        if self.b.plan.sections.is_empty() && self.dialect == Dialect::PlanText {
            return Err(ImportError::NoTable);
        }
        // The introduction; in Markdown, `- Organisation: ...` lines are metadata.
        let mut intro_lines = Vec::new();
        for (n, line) in std::mem::take(&mut self.intro) {
            if self.dialect == Dialect::Markdown && !self.literal_lines.contains(&n) {
                if let Some(value) = line.strip_prefix("- Organisation:") {
                    self.b.plan.organisation = value.trim().to_string();
                    continue;
                }
                if let Some(value) = line.strip_prefix("- Period:") {
                    self.b.plan.period = value.trim().to_string();
                    continue;
                }
                if let Some(value) = line.strip_prefix("- Quarter convention:") {
                    match value.parse::<QuarterConvention>() {
                        Ok(c) => self.b.plan.quarter_convention = c,
                        Err(e) => self.b.warn(n, 1, format!("{e}; calendar quarters assumed")),
                    }
                    continue;
                }
            }
            intro_lines.push((n, line));
        }
        if !self.programme_register {
            for (n, line) in &intro_lines {
                self.b.read_priorities(*n, line);
            }
        }
        let intro: Vec<&str> = intro_lines.iter().map(|(_, l)| l.as_str()).collect();
        self.b.plan.introduction = intro.join("\n").trim().to_string();
        let notes = self.notes.join("\n").trim().to_string();
        self.b.plan.notes = notes;
        if self.b.plan.sections.is_empty() && self.b.plan.introduction.is_empty() {
            return Err(ImportError::NoTable);
        }
        Ok(self.b.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::split_cells;

    #[test]
    fn cells_know_their_column_in_characters() {
        let (cells, closed) = split_cells("  | é | ü \\| x | last", 3);
        let got: Vec<(&str, usize, usize)> = cells
            .iter()
            .map(|c| (c.text.as_str(), c.line, c.column))
            .collect();
        assert_eq!(got, [("é", 3, 4), ("ü | x", 3, 8), ("last", 3, 17)]);
        assert!(!closed);
        let (cells, closed) = split_cells("| a<br>b | \\<br> x\\|y | é<b |", 1);
        assert_eq!(
            cells.iter().map(|c| c.text.as_str()).collect::<Vec<_>>(),
            ["a\nb", "<br> x|y", "é<b"]
        );
        assert!(closed);
    }
}
