//! Turning table rows and register entries into a [`Plan`], shared by the readers.

use std::collections::{HashMap, HashSet};

use super::rating::{self, ProgressCell, ProgressScale, RagCell};
use super::table::Column;
use super::when::{self, FileDays};
use super::{Diagnostic, Imported, Severity, relationships};
use crate::model::{
    DeliveryTarget, Dependency, Influence, InfluenceCode, Plan, Programme, Progress, RelatedItem,
    RelatedKind, Section, Status, WorkPackage, WorkPackageRef, format_delivery,
};
use crate::quarter::Quarter;
use crate::schedule;

/// The most cells a reader makes of one row. No plan has nearly this many
/// columns; the rest of a longer line is kept whole in the last cell, so a
/// hostile line of a million `|` cannot multiply the memory an import takes.
pub(crate) const MAX_CELLS: usize = 1000;

/// One cell of a row with where it started in the file.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub text: String,
    pub line: usize,
    pub column: usize,
}

/// Collects a plan as a reader walks the file.
pub(crate) struct Builder {
    pub plan: Plan,
    diagnostics: Vec<Diagnostic>,
    notes: Vec<String>,
    related_index: HashMap<String, usize>,
    pending_dependencies: Vec<(usize, String, WorkPackageRef)>,
    memberships: Vec<(usize, String, WorkPackageRef)>,
    explicit_memberships: bool,
    /// Per section, the package numbers used so far (kept here, not searched
    /// for in the section, so a big section is not quadratic).
    numbers: Vec<SectionNumbers>,
    influence_index: HashMap<InfluenceCode, usize>,
    /// The worksheet a workbook's rows come from: places are then cells
    /// (`Sheet1!C12`) rather than lines.
    pub sheet: Option<String>,
    /// How the tables' columns were understood, for the report.
    columns: Vec<super::MappedColumn>,
    /// Delivery, actual-delivery and progress cells, read in `finish`, when
    /// the whole file has been seen: its day order (`03/04/2026`), how it
    /// writes progress (`0.5`) and the plan's quarter convention (which a
    /// Markdown file gives after its tables) are known then.
    later: Vec<Later>,
}

/// A cell read when the file is finished, and the package it belongs to.
struct Later {
    section: usize,
    package: usize,
    field: LaterField,
    cell: Cell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LaterField {
    Delivery,
    ActualDelivery,
    Progress,
}

#[derive(Default)]
struct SectionNumbers {
    used: HashSet<String>,
    /// The highest number that is a plain whole number: the next free one is above it.
    highest: u64,
}

impl Builder {
    pub fn new(title: &str) -> Self {
        Builder {
            plan: Plan::new(title),
            diagnostics: Vec::new(),
            notes: Vec::new(),
            related_index: HashMap::new(),
            pending_dependencies: Vec::new(),
            memberships: Vec::new(),
            explicit_memberships: false,
            numbers: Vec::new(),
            influence_index: HashMap::new(),
            sheet: None,
            columns: Vec::new(),
            later: Vec::new(),
        }
    }

    /// Record how a table's columns were understood (each pair once).
    pub fn record_columns(&mut self, headers: &[String], columns: &[Option<Column>]) {
        for c in super::table::mapped_columns(headers, columns) {
            if !self.columns.contains(&c) {
                self.columns.push(c);
            }
        }
    }

    /// Where a note came from: `Line 12`, or in a workbook `Sheet1!C12`
    /// (`Sheet1!12:12` for a whole row, column 0).
    pub fn at(&self, line: usize, column: usize) -> String {
        match &self.sheet {
            Some(sheet) => super::cell_name(sheet, line, column),
            None => format!("Line {line}"),
        }
    }

    pub fn warn(&mut self, line: usize, column: usize, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            sheet: self.sheet.clone(),
            line,
            column,
            severity: Severity::Warning,
            message: message.into(),
        });
    }

    /// Keep text that fits no field in the plan's notes.
    pub fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }

    pub fn start_section(&mut self, number: Option<String>, title: Option<String>) -> usize {
        self.plan.sections.push(Section {
            number,
            title,
            work_packages: Vec::new(),
        });
        self.plan.sections.len() - 1
    }

    /// Add one table row as a work package of section `section`.
    pub fn add_row(
        &mut self,
        section: usize,
        columns: &[Option<Column>],
        headers: &[String],
        cells: Vec<Cell>,
        row_line: usize,
    ) {
        if cells.iter().all(|c| c.text.trim().is_empty()) {
            self.warn(row_line, 1, "empty row skipped");
            return;
        }
        let m = columns.len();
        let n = cells.len();
        let mut slots: Vec<Option<usize>> = (0..n).map(|i| (i < m).then_some(i)).collect();
        if n < m {
            let mut moved = String::new();
            let last = n - 1;
            if let Some(ic) = columns.iter().position(|c| *c == Some(Column::Influences))
                && ic > last
                && columns[last] != Some(Column::Influences)
                && looks_like_codes(&cells[last].text)
            {
                slots[last] = Some(ic);
                moved = format!(
                    "; \"{}\" read as {} by its content",
                    cells[last].text.trim(),
                    headers[ic]
                );
            }
            let missing: Vec<String> = (0..m)
                .filter(|i| !slots.contains(&Some(*i)))
                .map(|i| format!("\"{}\"", headers[i]))
                .collect();
            self.warn(
                row_line,
                1,
                format!(
                    "row has {n} cells but the header has {m}; no cell for {}{moved}",
                    missing.join(", ")
                ),
            );
        }

        let has_number_column = columns.contains(&Some(Column::Number));
        let mut wp = WorkPackage::new("", "");
        let mut number: Option<String> = None;
        let mut explicit_related: Option<Vec<String>> = None;
        let mut later: Vec<(LaterField, Cell)> = Vec::new();
        // A status cell's value, and a RAG cell that says complete (BRAG).
        let mut status: Option<Status> = None;
        let mut complete: Option<&Cell> = None;
        let mut progress_given = false;
        // A delivery-as-written cell wins over whatever the delivery cell's
        // reading says (in `read_later`), wherever the two columns stand.
        let mut explicit_as_written: Option<String> = None;
        // Cells beyond the header's last column: one warning and one note per
        // row, however many there are.
        let extra: Vec<&Cell> = cells
            .iter()
            .zip(&slots)
            .filter(|(c, slot)| slot.is_none() && !c.text.trim().is_empty())
            .map(|(c, _)| c)
            .collect();
        if let Some(first) = extra.first() {
            let what = match extra.len() {
                1 => "a cell".to_string(),
                n => format!("{n} cells"),
            };
            self.warn(
                first.line,
                first.column,
                format!("{what} beyond the header's last column; kept in the plan's notes"),
            );
            let texts: Vec<&str> = extra.iter().map(|c| c.text.trim()).collect();
            self.note(format!(
                "{}: extra cells: {}",
                self.at(first.line, first.column),
                texts.join(" | ")
            ));
            if cells.iter().take(m).all(|c| c.text.trim().is_empty()) {
                self.warn(
                    row_line,
                    1,
                    "row has nothing under the header's columns; no work package made",
                );
                return;
            }
        }
        for (cell, slot) in cells.iter().zip(&slots) {
            let text = cell.text.trim();
            let Some(slot) = *slot else {
                continue;
            };
            let Some(col) = columns[slot] else {
                if !text.is_empty() {
                    self.note(format!(
                        "{} ({}): {text}",
                        self.at(cell.line, cell.column),
                        headers[slot]
                    ));
                }
                continue;
            };
            match col {
                // `1. Application review.` holds number and title, unless the
                // table has a number column (as the exports write it): then the
                // cell is the title as written, and `2012 Olympics` keeps its year.
                Column::WorkPackage if has_number_column => wp.title = text.to_string(),
                Column::WorkPackage => {
                    let (num, title) = split_number(text);
                    if number.is_none() {
                        number = num;
                    }
                    wp.title = title;
                }
                // `3`, or a whole reference (`10.1.3`) whose section is checked
                // against the row's.
                Column::Number => match split_reference(text) {
                    Some((in_section, n)) => {
                        self.reference_cell(
                            section,
                            cell,
                            (columns, headers),
                            slot,
                            &in_section,
                            &n,
                        );
                        number = Some(n);
                    }
                    None => {
                        number =
                            Some(text.trim_end_matches('.').to_string()).filter(|s| !s.is_empty())
                    }
                },
                // A column of titles alone is taken as written.
                Column::Title => wp.title = text.to_string(),
                Column::Scope => wp.scope = text.to_string(),
                Column::Relationships => wp.relationships = text.to_string(),
                Column::Comments => wp.comments = text.to_string(),
                Column::ProgressNote => wp.progress_note = text.to_string(),
                Column::DeliveryAsWritten => {
                    if !text.is_empty() {
                        explicit_as_written = Some(text.to_string());
                    }
                }
                Column::Owner => wp.owner = text.to_string(),
                Column::Section => self.section_cell(section, cell, &headers[slot]),
                Column::SectionTitle => self.section_title_cell(section, cell, &headers[slot]),
                Column::Delivery if !text.is_empty() => {
                    later.push((LaterField::Delivery, cell.clone()))
                }
                Column::Delivery => {}
                Column::Influences => {
                    let (codes, rest) = parse_influences(text);
                    wp.influences = codes;
                    if !rest.is_empty() {
                        self.warn(cell.line, cell.column, format!("\"{rest}\" in the key-influences cell is not a code such as 3.1.1; kept in the plan's notes"));
                        self.note(format!(
                            "{} (key influences): {rest}",
                            self.at(cell.line, cell.column)
                        ));
                    }
                }
                Column::Status => self.typed(cell, "status", text, |t| {
                    t.parse().map(|s| {
                        wp.status = s;
                        status = Some(s);
                    })
                }),
                Column::Rag => match rating::read_rag(text) {
                    Some(RagCell::Rag(rag, note)) => {
                        wp.rag = Some(rag);
                        if let Some(note) = note {
                            self.warn(cell.line, cell.column, note);
                        }
                    }
                    Some(RagCell::Complete) => complete = Some(cell),
                    None if text.is_empty() => {}
                    None => self.not_valid(
                        cell,
                        "RAG",
                        text,
                        "red, amber or green (R, A, G), a rating such as Amber/Red, or blue for complete",
                    ),
                },
                Column::Progress if !text.is_empty() => {
                    // A number, as whole percent or as a fraction (which
                    // the file's other cells decide in `finish`).
                    progress_given |= [ProgressScale::default(), ProgressScale::fractions()]
                        .iter()
                        .any(|scale| {
                            matches!(
                                rating::read_progress(text, scale),
                                ProgressCell::Progress(_)
                            )
                        });
                    later.push((LaterField::Progress, cell.clone()));
                }
                Column::Progress => {}
                Column::ActualDelivery if !text.is_empty() => {
                    later.push((LaterField::ActualDelivery, cell.clone()))
                }
                Column::ActualDelivery => {}
                Column::RelatedItems => {
                    explicit_related = Some(split_list(text));
                }
                Column::DependsOn | Column::Programmes => {}
            }
        }
        if let Some(cell) = complete {
            self.brag_complete(&mut wp, cell, status, progress_given);
        }
        if let Some(words) = explicit_as_written {
            wp.delivery_as_written = words;
        }
        // A number column and a title that repeats it (`| 3 | 3. Do X. |`).
        if has_number_column
            && let Some(n) = &number
            && let Some(rest) = wp
                .title
                .strip_prefix(n.as_str())
                .and_then(|r| r.strip_prefix(". ").or_else(|| r.strip_prefix(") ")))
        {
            wp.title = strip_final_period(rest);
        }

        if self.numbers.len() < self.plan.sections.len() {
            self.numbers
                .resize_with(self.plan.sections.len(), Default::default);
        }
        let taken = &self.numbers[section];
        let number = match number {
            Some(n) if !taken.used.contains(&n) => n,
            other => {
                let why = match &other {
                    Some(n) => format!("work package number {n} is already used in this section"),
                    None => "work package has no number".to_string(),
                };
                let Some(next) = taken.highest.checked_add(1) else {
                    // No number above the highest: the row is kept, not stored as a package.
                    let highest = taken.highest;
                    self.warn(
                        row_line,
                        1,
                        format!("{why}, and no number is free above {highest}, the highest in this section; the row is kept in the plan's notes, not made a work package"),
                    );
                    let texts: Vec<&str> = cells
                        .iter()
                        .map(|c| c.text.trim())
                        .filter(|t| !t.is_empty())
                        .collect();
                    self.note(format!("{}: {}", self.at(row_line, 0), texts.join(" | ")));
                    return;
                };
                self.warn(row_line, 1, format!("{why}; numbered it {next}"));
                next.to_string()
            }
        };
        let taken = &mut self.numbers[section];
        taken.highest = taken.highest.max(number.parse().unwrap_or(0));
        taken.used.insert(number.clone());
        wp.number = number;
        if wp.title.is_empty() {
            self.warn(
                row_line,
                1,
                format!("work package {} has no title", wp.number),
            );
        }
        let reference = WorkPackageRef::new(&self.plan.sections[section], section, &wp.number);
        for (cell, slot) in cells.iter().zip(&slots) {
            let col = slot.and_then(|s| columns[s]);
            match col {
                Some(Column::DependsOn) => {
                    for pred in split_list(&cell.text) {
                        self.pending_dependencies
                            .push((cell.line, pred, reference.clone()));
                    }
                }
                Some(Column::Programmes) => {
                    self.explicit_memberships = true;
                    for name in split_list(&cell.text) {
                        self.memberships.push((cell.line, name, reference.clone()));
                    }
                }
                _ => {}
            }
        }
        let names = explicit_related.unwrap_or_else(|| relationships::names(&wp.relationships));
        let mut seen = HashSet::new();
        wp.related_items = names
            .iter()
            .map(|n| self.related_name(n, None))
            .filter(|n| seen.insert(n.clone()))
            .collect();
        let package = self.plan.sections[section].work_packages.len();
        self.plan.sections[section].work_packages.push(wp);
        self.later
            .extend(later.into_iter().map(|(field, cell)| Later {
                section,
                package,
                field,
                cell,
            }));
    }

    /// A RAG cell that says complete (BRAG's blue): the package is
    /// delivered, and 100% done unless its row says how far it is.
    fn brag_complete(
        &mut self,
        wp: &mut WorkPackage,
        cell: &Cell,
        status: Option<Status>,
        progress_given: bool,
    ) {
        let text = cell.text.trim();
        match status {
            Some(s) if !s.is_done() => self.warn(
                cell.line,
                cell.column,
                format!(
                    "RAG \"{text}\" means complete (BRAG), but the status cell says {}; the status is kept",
                    s.label().to_lowercase()
                ),
            ),
            _ => {
                wp.status = Status::Delivered;
                let progress = if progress_given {
                    ""
                } else {
                    wp.progress = Progress::new(100).unwrap_or_default();
                    " and progress to 100%"
                };
                self.warn(
                    cell.line,
                    cell.column,
                    format!(
                        "RAG \"{text}\" means complete (BRAG): status set to delivered{progress}"
                    ),
                );
            }
        }
    }

    /// A row's section cell. The reader has put the row in its section (by
    /// this cell, or by the heading above the table); a cell that names
    /// another section is kept in the notes.
    fn section_cell(&mut self, section: usize, cell: &Cell, header: &str) {
        let text = cell.text.trim();
        let s = &self.plan.sections[section];
        let agrees = text.is_empty()
            || text == s.label(section)
            || s.number.as_deref() == Some(text.trim_end_matches('.'))
            || s.title.as_deref() == Some(text)
            || (s.number.is_none() && s.title.is_none() && super::csv::is_unheaded_label(text))
            // `10.1. Core  systems`: the same number and title, written otherwise.
            || super::csv::split_section(text) == (s.number.clone(), s.title.clone());
        if !agrees {
            let label = s.label(section);
            self.warn(
                cell.line,
                cell.column,
                format!("\"{text}\" under \"{header}\" is not this row's section ({label}); kept in the plan's notes"),
            );
            self.note(format!(
                "{} ({header}): {text}",
                self.at(cell.line, cell.column)
            ));
        }
    }

    /// A row's reference cell that gives a section too (`10.1.3`): the row's
    /// section (by its Section column, the heading above the table, or this
    /// cell) must be that one; when it is not, a warning naming both, and the
    /// cell is kept in the notes (the package keeps the number the cell gives).
    fn reference_cell(
        &mut self,
        section: usize,
        cell: &Cell,
        (columns, headers): (&[Option<Column>], &[String]),
        slot: usize,
        in_section: &str,
        number: &str,
    ) {
        let s = &self.plan.sections[section];
        if s.number.as_deref() == Some(in_section) {
            return;
        }
        let text = cell.text.trim();
        let header = &headers[slot];
        let label = s.label(section);
        let by = match columns.iter().position(|c| *c == Some(Column::Section)) {
            Some(i) => format!("by \"{}\"", headers[i]),
            None if s.number.is_none() && s.title.is_none() => "by its place".to_string(),
            None => "by its heading".to_string(),
        };
        let message = format!(
            "reference \"{text}\" under \"{header}\" is in section {in_section}, but this row's section is {label} ({by}); numbered {number} in {label}, the reference kept in the plan's notes"
        );
        self.warn(cell.line, cell.column, message);
        self.note(format!(
            "{} ({header}): {text}",
            self.at(cell.line, cell.column)
        ));
    }

    /// A row's section title cell: the section's title when it has none yet;
    /// a different title for a section that has one is kept in the notes.
    fn section_title_cell(&mut self, section: usize, cell: &Cell, header: &str) {
        let text = cell.text.trim();
        if text.is_empty() {
            return;
        }
        let s = &mut self.plan.sections[section];
        match s.title.as_deref() {
            None => s.title = Some(text.to_string()),
            Some(title) if title == text => {}
            Some(title) => {
                let message = format!(
                    "section title \"{text}\" differs from the title this row's section already has (\"{title}\"); kept in the plan's notes"
                );
                self.warn(cell.line, cell.column, message);
                self.note(format!(
                    "{} ({header}): {text}",
                    self.at(cell.line, cell.column)
                ));
            }
        }
    }

    fn typed<T>(
        &mut self,
        cell: &Cell,
        what: &'static str,
        text: &str,
        apply: impl FnOnce(&str) -> Result<T, crate::model::ParseValueError>,
    ) {
        if text.is_empty() {
            return;
        }
        if let Err(e) = apply(text) {
            self.not_valid(cell, what, text, e.expected);
        }
    }

    /// A cell its field cannot take: a warning, and the text in the notes.
    fn not_valid(&mut self, cell: &Cell, what: &'static str, text: &str, expected: &'static str) {
        // The cell as written (shortened), not the value the parser saw.
        let shown = crate::model::ParseValueError::new(what, text, expected).value;
        self.warn(
            cell.line,
            cell.column,
            format!(
                "{what}: \"{shown}\" is not valid; expected {expected}; kept in the plan's notes"
            ),
        );
        self.note(format!(
            "{} ({what}): {text}",
            self.at(cell.line, cell.column)
        ));
    }

    /// Read the cells kept for the end ([`Builder::later`]).
    fn read_later(&mut self) {
        let later = std::mem::take(&mut self.later);
        let days = FileDays::scan(
            later
                .iter()
                .filter(|l| l.field != LaterField::Progress)
                .map(|l| l.cell.text.as_str()),
        );
        let scale = ProgressScale::scan(
            later
                .iter()
                .filter(|l| l.field == LaterField::Progress)
                .map(|l| l.cell.text.as_str()),
        );
        let convention = self.plan.quarter_convention;
        let mut fractions_said = false;
        for l in later {
            let cell = &l.cell;
            let text = cell.text.trim();
            match l.field {
                LaterField::Delivery => {
                    let d = when::read_delivery(text, convention, &days);
                    for n in d.notes {
                        self.warn(cell.line, cell.column, format!("delivery: {n}"));
                    }
                    if d.undated {
                        self.warn(
                            cell.line,
                            cell.column,
                            format!(
                                "delivery: \"{text}\" is no date; kept as written, with no quarter"
                            ),
                        );
                    } else if !d.rest.is_empty() {
                        self.warn(
                            cell.line,
                            cell.column,
                            format!(
                                "\"{}\" in the delivery cell is not a date; kept as written",
                                d.rest
                            ),
                        );
                    }
                    let differs = format_delivery(&d.parts) != text;
                    let wp = self.package(&l);
                    wp.delivery = d.parts;
                    // Words (from the row's delivery-as-written cell) that
                    // say no more than the parts as Waymark writes them are
                    // not kept.
                    if wp.delivery_as_written == format_delivery(&wp.delivery) {
                        wp.delivery_as_written.clear();
                    }
                    if differs && wp.delivery_as_written.is_empty() {
                        wp.delivery_as_written = text.to_string();
                    } else if differs && wp.delivery_as_written != text {
                        // The row's delivery-as-written cell says otherwise.
                        self.warn(
                            cell.line,
                            cell.column,
                            format!("delivery: \"{text}\" is not as the row's delivery as written says; kept in the plan's notes"),
                        );
                        let at = self.at(cell.line, cell.column);
                        self.note(format!("{at} (delivery): {text}"));
                    }
                }
                LaterField::ActualDelivery => match when::read_day(text, convention, &days) {
                    Some((day, notes)) => {
                        // A reading that took a choice (a month's last day,
                        // a serial, a day order) keeps the cell as written.
                        if !notes.is_empty() {
                            let at = self.at(cell.line, cell.column);
                            self.note(format!("{at} (actual delivery as written): {text}"));
                        }
                        for n in notes {
                            self.warn(
                                cell.line,
                                cell.column,
                                format!(
                                    "actual delivery: {n}; the cell is kept in the plan's notes"
                                ),
                            );
                        }
                        self.package(&l).actual_delivery = Some(day);
                    }
                    None => self.not_valid(
                        cell,
                        "actual delivery",
                        text,
                        "a date such as 31/03/2027, 31 March 2027 or 2027-03-31",
                    ),
                },
                LaterField::Progress => match rating::read_progress(text, &scale) {
                    ProgressCell::Progress(p) => {
                        if let Some(first) = &scale.fractions
                            && !fractions_said
                            && !text.ends_with('%')
                        {
                            fractions_said = true;
                            self.warn(cell.line, cell.column, format!("progress: the file's progress numbers are all between 0 and 1 (such as \"{first}\"): read as fractions of the whole, as Excel's percent cells hold them (0.5 is 50%)"));
                        }
                        self.package(&l).progress = p;
                    }
                    // Words are the package's progress note (unless the
                    // row's note column filled it: then they are kept in
                    // the notes, as any cell that does not fit).
                    ProgressCell::Text if self.package(&l).progress_note.is_empty() => {
                        self.package(&l).progress_note = text.to_string();
                    }
                    ProgressCell::Invalid | ProgressCell::Text => {
                        self.not_valid(cell, "progress", text, "a whole number from 0 to 100")
                    }
                },
            }
        }
    }

    /// The package a kept cell belongs to: packages are only ever pushed
    /// while a file is read, so its place stays its own.
    fn package(&mut self, l: &Later) -> &mut WorkPackage {
        &mut self.plan.sections[l.section].work_packages[l.package]
    }

    /// The canonical spelling of a related item's name, registering it if new.
    pub fn related_name(&mut self, name: &str, kind: Option<RelatedKind>) -> String {
        let key = name.to_lowercase();
        if let Some(&i) = self.related_index.get(&key) {
            if let Some(kind) = kind {
                self.plan.related_items[i].kind = kind;
            }
            return self.plan.related_items[i].name.clone();
        }
        self.related_index
            .insert(key, self.plan.related_items.len());
        self.plan.related_items.push(RelatedItem {
            name: name.to_string(),
            kind: kind.unwrap_or_else(|| infer_kind(name)),
        });
        name.to_string()
    }

    pub fn add_influence(&mut self, line: usize, code: &str, title: &str, description: &str) {
        match code.parse::<InfluenceCode>() {
            Ok(code) => match self.influence_index.get(&code) {
                Some(&i) => {
                    let first = &self.plan.influences[i];
                    if (first.title.as_str(), first.description.as_str()) != (title, description) {
                        self.warn(
                            line,
                            1,
                            format!("key influence {code} is listed again; this entry is kept in the plan's notes"),
                        );
                        self.note(
                            format!("Line {line} (key influence): {code} {title} {description}")
                                .trim_end()
                                .to_string(),
                        );
                    }
                }
                None => {
                    self.influence_index
                        .insert(code.clone(), self.plan.influences.len());
                    self.plan.influences.push(Influence {
                        code,
                        title: title.to_string(),
                        description: description.to_string(),
                    });
                }
            },
            Err(e) => {
                self.warn(line, 1, format!("{e}; kept in the plan's notes"));
                self.note(
                    format!("Line {line} (key influence): {code} {title} {description}")
                        .trim_end()
                        .to_string(),
                );
            }
        }
    }

    pub fn add_programme(
        &mut self,
        line: usize,
        name: &str,
        priority: bool,
        description: &str,
        packages: &str,
    ) {
        let name = name.trim();
        if name.is_empty() {
            let rest = [description, packages]
                .iter()
                .map(|t| t.trim())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>();
            if rest.is_empty() {
                self.warn(line, 1, "programme without a name skipped");
            } else {
                self.warn(
                    line,
                    1,
                    "programme without a name; its row is kept in the plan's notes",
                );
                self.note(format!(
                    "Line {line}: programme without a name: {}",
                    rest.join(" | ")
                ));
            }
            return;
        }
        match self
            .plan
            .programmes
            .iter_mut()
            .find(|p| p.name.eq_ignore_ascii_case(name))
        {
            Some(p) => {
                p.priority |= priority;
                if !description.is_empty() {
                    p.description = description.to_string();
                }
            }
            None => self.plan.programmes.push(Programme {
                name: name.to_string(),
                priority,
                description: description.to_string(),
                work_packages: Vec::new(),
            }),
        }
        let refs = split_list(packages);
        if !refs.is_empty() {
            self.explicit_memberships = true;
        }
        for r in refs {
            self.memberships
                .push((line, name.to_string(), WorkPackageRef(r)));
        }
    }

    /// Programme memberships are given; don't infer them from relationships.
    pub fn memberships_are_explicit(&mut self) {
        self.explicit_memberships = true;
    }

    pub fn add_dependency(&mut self, line: usize, predecessor: &str, successor: &str) {
        self.pending_dependencies.push((
            line,
            predecessor.trim().to_string(),
            WorkPackageRef(successor.trim().to_string()),
        ));
    }

    /// Read the group's initial priorities out of a sentence such as "Initial
    /// priorities should include ISA, e-CAF and the Child Concern Pathway programme."
    pub fn read_priorities(&mut self, line: usize, text: &str) {
        // ASCII lower case keeps byte offsets, so `at` is valid in `text` too.
        let lower = text.to_ascii_lowercase();
        let markers = [
            "priorities should include",
            "priorities include",
            "priorities are",
            "priorities:",
        ];
        for marker in markers {
            let Some(at) = lower.find(marker) else {
                continue;
            };
            let start = at + marker.len();
            let rest = &text[start..];
            let end = rest
                .find(". ")
                .or_else(|| rest.rfind('.'))
                .unwrap_or(rest.len());
            let list = &rest[..end];
            let mut found = Vec::new();
            for name in relationships::names(list) {
                let name = name
                    .strip_suffix(" programme")
                    .unwrap_or(&name)
                    .trim()
                    .to_string();
                if !name.is_empty() {
                    found.push(name.clone());
                    self.add_programme(line, &name, true, "", "");
                }
            }
            if !found.is_empty() {
                self.warn(
                    line,
                    text[..at].chars().count() + 1,
                    format!(
                        "read the initial priorities as priority programmes: {}",
                        found.join(", ")
                    ),
                );
            }
            return;
        }
    }

    pub fn finish(mut self) -> Imported {
        self.read_later();
        // Refs to packages.
        let refs: HashSet<WorkPackageRef> = self.plan.work_packages().map(|(r, _, _)| r).collect();

        // Programme memberships: explicit ones, or inferred from related items.
        if !self.explicit_memberships {
            let by_name: HashMap<String, &str> = self
                .plan
                .programmes
                .iter()
                .map(|p| (p.name.to_ascii_lowercase(), p.name.as_str()))
                .collect();
            let mut inferred = Vec::new();
            for (r, _, wp) in self.plan.work_packages() {
                for item in &wp.related_items {
                    // "Care records programme" names the programme "Care records".
                    let key = item.to_ascii_lowercase();
                    let programme = by_name
                        .get(&key)
                        .or_else(|| key.strip_suffix(" programme").and_then(|k| by_name.get(k)));
                    if let Some(name) = programme {
                        inferred.push((0, name.to_string(), r.clone()));
                    }
                }
            }
            self.memberships = inferred;
        }
        // Each package once in each programme, without a scan per membership.
        let mut members: HashSet<(usize, WorkPackageRef)> = HashSet::new();
        for (line, name, r) in std::mem::take(&mut self.memberships) {
            if !refs.contains(&r) {
                self.warn(
                    line,
                    1,
                    format!("programme {name}: no work package {r}; kept in the plan's notes"),
                );
                self.note(format!(
                    "Line {line}: programme {name} lists unknown work package {r}"
                ));
                continue;
            }
            let idx = match self
                .plan
                .programmes
                .iter()
                .position(|p| p.name.eq_ignore_ascii_case(&name))
            {
                Some(i) => i,
                None => {
                    self.plan.programmes.push(Programme {
                        name: name.clone(),
                        priority: false,
                        description: String::new(),
                        work_packages: Vec::new(),
                    });
                    self.plan.programmes.len() - 1
                }
            };
            if members.insert((idx, r.clone())) {
                self.plan.programmes[idx].work_packages.push(r);
            }
        }
        // A related item named like a programme is that programme.
        for item in &mut self.plan.related_items {
            if self
                .plan
                .programmes
                .iter()
                .any(|p| p.name.eq_ignore_ascii_case(&item.name))
                && item.kind == RelatedKind::Other
            {
                item.kind = RelatedKind::Programme;
            }
        }

        // Dependencies, refusing unknown packages and cycles.
        let mut seen = HashSet::new();
        let mut candidates: Vec<(usize, Dependency)> = Vec::new();
        for (line, pred, succ) in std::mem::take(&mut self.pending_dependencies) {
            let pred = WorkPackageRef(pred);
            if !refs.contains(&pred) || !refs.contains(&succ) {
                let missing = if refs.contains(&pred) { &succ } else { &pred };
                self.warn(
                    line,
                    1,
                    format!(
                        "dependency {pred} → {succ}: no work package {missing}; kept in the plan's notes"
                    ),
                );
                self.note(format!("Line {line}: dependency {pred} → {succ}"));
                continue;
            }
            let dep = Dependency {
                predecessor: pred,
                successor: succ,
            };
            // The same link twice is one fact.
            if seen.insert(dep.clone()) {
                candidates.push((line, dep));
            }
        }
        let deps: Vec<Dependency> = candidates.iter().map(|(_, d)| d.clone()).collect();
        for ((line, dep), result) in candidates
            .into_iter()
            .zip(schedule::accept_dependencies(&deps))
        {
            match result {
                Ok(()) => self.plan.dependencies.push(dep),
                Err(e) => {
                    self.warn(line, 1, format!("{e}; kept in the plan's notes"));
                    self.note(format!(
                        "Line {line}: dependency {} → {} ({e})",
                        dep.predecessor, dep.successor
                    ));
                }
            }
        }

        complete_registers(&mut self.plan);
        if !self.notes.is_empty() {
            let mut notes = std::mem::take(&mut self.plan.notes);
            for n in self.notes {
                if !notes.is_empty() {
                    notes.push('\n');
                }
                notes.push_str(&n);
            }
            self.plan.notes = notes;
        }
        self.diagnostics.sort_by_key(|d| (d.line, d.column));
        Imported {
            plan: self.plan,
            diagnostics: self.diagnostics,
            columns: self.columns,
            sheet: self.sheet,
        }
    }
}

/// Make sure every influence code and related item a package names is in the
/// plan's registers, and keep the registers in a canonical order: influences by
/// code (`3.10` after `3.9`), related items by name regardless of case. The
/// exports write them in that order, so a plan reads back equal to itself.
pub(crate) fn complete_registers(plan: &mut Plan) {
    let mut known_codes: HashSet<InfluenceCode> =
        plan.influences.iter().map(|i| i.code.clone()).collect();
    let mut known_names: HashSet<String> = plan
        .related_items
        .iter()
        .map(|r| r.name.to_lowercase())
        .collect();
    let mut new_influences = Vec::new();
    let mut new_items = Vec::new();
    for (_, _, wp) in plan.work_packages() {
        for code in &wp.influences {
            if known_codes.insert(code.clone()) {
                new_influences.push(Influence {
                    code: code.clone(),
                    title: String::new(),
                    description: String::new(),
                });
            }
        }
        for name in &wp.related_items {
            if known_names.insert(name.to_lowercase()) {
                new_items.push(RelatedItem {
                    name: name.clone(),
                    kind: infer_kind(name),
                });
            }
        }
    }
    plan.influences.extend(new_influences);
    plan.influences.sort_by_cached_key(|i| i.code.sort_key());
    plan.related_items.extend(new_items);
    plan.related_items
        .sort_by_cached_key(|i| i.name.to_lowercase());
}

/// `1. Application review.` -> (`1`, `Application review`).
fn split_number(text: &str) -> (Option<String>, String) {
    let t = text.trim();
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    if !digits.is_empty() {
        let rest = &t[digits.len()..];
        if let Some(rest) = rest.strip_prefix(['.', ')']) {
            return (Some(digits), strip_final_period(rest.trim()));
        }
        if rest.starts_with(' ') {
            return (Some(digits), strip_final_period(rest.trim()));
        }
    }
    (None, strip_final_period(t))
}

/// A whole work-package reference in one cell: `10.1.3`, `10.1/3`, `10.1-3`
/// or with a code before it, `CYP-10.1.3`: the section's number (`10.1`) and
/// the package's (`3`). `None` for anything else, a plain number (`3`) among
/// them.
pub(crate) fn split_reference(text: &str) -> Option<(String, String)> {
    let t = text.trim().trim_end_matches('.');
    let digit = t.find(|c: char| c.is_ascii_digit())?;
    let (code, t) = t.split_at(digit);
    // A code of letters, alone or followed by one `-`, space, `_` or `/`.
    let letters = code.strip_suffix(['-', ' ', '_', '/']).unwrap_or(code);
    if !letters.chars().all(|c| c.is_ascii_alphabetic()) || (letters.is_empty() && !code.is_empty())
    {
        return None;
    }
    let cut = t.rfind(['.', '/', '-'])?;
    let (section, number) = (&t[..cut], &t[cut + 1..]);
    let section_ok = section
        .split('.')
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let number_ok = !number.is_empty() && number.chars().all(|c| c.is_ascii_alphanumeric());
    (section_ok && number_ok).then(|| (section.to_string(), number.to_string()))
}

fn strip_final_period(s: &str) -> String {
    let s = s.trim();
    match s.strip_suffix('.') {
        Some(rest) if !rest.ends_with('.') && !rest.ends_with("etc") => rest.trim_end().to_string(),
        _ => s.to_string(),
    }
}

/// Items separated by `;` (or by `,` when there is no `;`).
pub(crate) fn split_list(text: &str) -> Vec<String> {
    let sep = if text.contains(';') { ';' } else { ',' };
    text.split(sep)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn looks_like_codes(text: &str) -> bool {
    let (codes, rest) = parse_influences(text);
    !codes.is_empty() && rest.is_empty()
}

/// Influence codes in a cell, and whatever else the cell held.
pub fn parse_influences(text: &str) -> (Vec<InfluenceCode>, String) {
    let mut codes = Vec::new();
    let mut rest = Vec::new();
    for token in text
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|t| !t.is_empty())
    {
        match token.parse::<InfluenceCode>() {
            Ok(code) => {
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
            Err(_) => rest.push(token),
        }
    }
    (codes, rest.join(" "))
}

/// Delivery parts in a cell (`a) Q4 2007 b) Q4 2007`, `Q2 2007`), and the rest.
pub fn parse_delivery(text: &str) -> (Vec<DeliveryTarget>, String) {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut parts = Vec::new();
    let mut rest = Vec::new();
    let mut label: Option<String> = None;
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i].trim_end_matches([',', ';']);
        if let Some(l) = as_label(t) {
            label = Some(l);
            i += 1;
            continue;
        }
        let pair = tokens
            .get(i + 1)
            .and_then(|n| Quarter::from_parts(t, n.trim_end_matches([',', ';', '.'])));
        let single = t.trim_end_matches('.');
        if let Some(q) = pair {
            parts.push(DeliveryTarget {
                label: label.take(),
                quarter: q,
            });
            i += 2;
        } else if let Ok(q) = single.parse::<Quarter>() {
            parts.push(DeliveryTarget {
                label: label.take(),
                quarter: q,
            });
            i += 1;
        } else {
            if let Some(l) = label.take() {
                rest.push(format!("{l})"));
            }
            rest.push(t.to_string());
            i += 1;
        }
    }
    if let Some(l) = label {
        rest.push(format!("{l})"));
    }
    (parts, rest.join(" "))
}

fn as_label(token: &str) -> Option<String> {
    let inner = token.strip_prefix('(').unwrap_or(token).strip_suffix(')')?;
    (inner.len() <= 2
        && !inner.is_empty()
        && inner.chars().all(|c| c.is_ascii_alphanumeric())
        && !inner.starts_with(['Q', 'q']))
    .then(|| inner.to_string())
}

/// A first guess at what kind of thing a related item is, from its name.
pub fn infer_kind(name: &str) -> RelatedKind {
    let l = name.to_lowercase();
    let word = |w: &str| l.split(|c: char| !c.is_alphanumeric()).any(|x| x == w);
    if l.contains("strategy") || l.contains("strategies") {
        RelatedKind::Strategy
    } else if l.starts_with("www.") || l.contains("programme") {
        RelatedKind::Programme
    } else if word("plan") || word("plans") || l.contains("budget") || word("cypp") {
        RelatedKind::Plan
    } else if l.contains("framework")
        || l.contains("standard")
        || word("nesds")
        || l.contains("e-gif")
    {
        RelatedKind::Standard
    } else if l.contains("project") || word("review") {
        RelatedKind::Project
    } else if word("system") || word("systems") || word("gis") {
        RelatedKind::System
    } else {
        RelatedKind::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_parts_with_labels() {
        let (parts, rest) = parse_delivery("a) Q4 2007 b) Q4 2007");
        assert_eq!(
            crate::model::format_delivery(&parts),
            "a) Q4 2007 b) Q4 2007"
        );
        assert_eq!(rest, "");
        let (parts, rest) = parse_delivery("Q2 2007");
        assert_eq!(parts.len(), 1);
        assert_eq!(rest, "");
        let (parts, rest) = parse_delivery("TBC after review");
        assert!(parts.is_empty());
        assert_eq!(rest, "TBC after review");
    }

    #[test]
    fn influence_cells_split_codes_from_other_text() {
        let (codes, rest) = parse_influences("3.1.1 3.1.2, 3.3.1 see note");
        assert_eq!(codes.len(), 3);
        assert_eq!(rest, "see note");
    }

    #[test]
    fn priorities_are_found_after_text_whose_lower_case_is_longer() {
        // `İ` lower-cases to two chars (three bytes): offsets into a
        // `to_lowercase()` copy would not fit the original text.
        let mut b = Builder::new("t");
        b.read_priorities(1, "İİİİ İİİİ the priorities are ISA and e-CAF.");
        let names: Vec<&str> = b.plan.programmes.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["ISA", "e-CAF"]);
        assert_eq!(b.diagnostics[0].column, 15);
    }

    #[test]
    fn a_number_column_keeps_titles_as_written_unless_they_repeat_the_number() {
        let columns = [Some(Column::Number), Some(Column::WorkPackage)];
        let headers = ["No.".to_string(), "Work package".to_string()];
        let mut b = Builder::new("t");
        let s = b.start_section(Some("1".into()), None);
        for (line, (number, title)) in [
            ("3", "3. Do X."),
            ("4", "2012 Olympics"),
            ("5", "Ends with a stop."),
        ]
        .into_iter()
        .enumerate()
        {
            let cells = [number, title]
                .iter()
                .enumerate()
                .map(|(i, t)| Cell {
                    text: t.to_string(),
                    line,
                    column: i + 1,
                })
                .collect();
            b.add_row(s, &columns, &headers, cells, line);
        }
        let titles: Vec<&str> = b.plan.sections[0]
            .work_packages
            .iter()
            .map(|w| w.title.as_str())
            .collect();
        assert_eq!(titles, ["Do X", "2012 Olympics", "Ends with a stop."]);
    }

    #[test]
    fn no_number_after_the_highest_is_a_diagnostic_not_a_wrap() {
        let columns = [Some(Column::Number), Some(Column::WorkPackage)];
        let headers = ["No.".to_string(), "Work package".to_string()];
        let mut b = Builder::new("t");
        let s = b.start_section(Some("1".into()), None);
        for (line, number) in [(1, "18446744073709551614"), (2, ""), (3, "")] {
            let cells = [number, "Do X"]
                .iter()
                .enumerate()
                .map(|(i, t)| Cell {
                    text: t.to_string(),
                    line,
                    column: i + 1,
                })
                .collect();
            b.add_row(s, &columns, &headers, cells, line);
        }
        let numbers: Vec<&str> = b.plan.sections[0]
            .work_packages
            .iter()
            .map(|w| w.number.as_str())
            .collect();
        assert_eq!(numbers, ["18446744073709551614", "18446744073709551615"]);
        let last = b.diagnostics.last().map(|d| (d.line, d.message.clone()));
        assert!(
            last.as_ref().is_some_and(
                |(l, m)| *l == 3 && m.contains("no number is free above 18446744073709551615")
            ),
            "{last:?}"
        );
        assert_eq!(b.notes, ["Line 3: Do X"]);
    }

    /// Rows of `(title, delivery, delivery as written)` through the builder.
    fn delivery_rows(rows: &[[&str; 3]]) -> Imported {
        let columns = [
            Some(Column::Title),
            Some(Column::Delivery),
            Some(Column::DeliveryAsWritten),
        ];
        let headers = ["Title", "Delivery", "Delivery as written"].map(String::from);
        let mut b = Builder::new("t");
        let s = b.start_section(Some("1".into()), None);
        for (i, row) in rows.iter().enumerate() {
            let line = i + 2;
            let cells = row
                .iter()
                .enumerate()
                .map(|(c, t)| Cell {
                    text: t.to_string(),
                    line,
                    column: c + 1,
                })
                .collect();
            b.add_row(s, &columns, &headers, cells, line);
        }
        b.finish()
    }

    #[test]
    fn a_delivery_as_written_column_wins_over_the_delivery_cells_words() {
        let imported = delivery_rows(&[
            // As the exports write it: quarters, and the words beside them.
            ["Exported", "Q1 2027", "end of March 2027"],
            // Words in the delivery cell: kept as written.
            ["Words", "March 2027", ""],
            // Both say words, and not the same: the column wins, the cell is
            // kept in the notes.
            ["Both", "31/03/2027", "end of March 2027"],
        ]);
        let wps = &imported.plan.sections[0].work_packages;
        let got: Vec<(String, &str)> = wps
            .iter()
            .map(|w| {
                (
                    crate::model::format_delivery(&w.delivery),
                    w.delivery_as_written.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("Q1 2027".to_string(), "end of March 2027"),
                ("Q1 2027".to_string(), "March 2027"),
                ("Q1 2027".to_string(), "end of March 2027"),
            ]
        );
        assert_eq!(imported.plan.notes, "Line 4 (delivery): 31/03/2027");
        let warnings: Vec<&str> = imported
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .filter(|m| m.starts_with("delivery"))
            .collect();
        assert_eq!(
            warnings,
            [
                "delivery: \"31/03/2027\" is not as the row's delivery as written says; kept in the plan's notes"
            ]
        );
    }

    #[test]
    fn whole_references_give_section_and_number() {
        let split = |t: &str| split_reference(t);
        let r = |s: &str, n: &str| Some((s.to_string(), n.to_string()));
        assert_eq!(split("10.1.3"), r("10.1", "3"));
        assert_eq!(split("10.1/3"), r("10.1", "3"));
        assert_eq!(split("10.1-3"), r("10.1", "3"));
        assert_eq!(split("CYP-10.1.3"), r("10.1", "3"));
        assert_eq!(split("CYP 10.1.3a."), r("10.1", "3a"));
        assert_eq!(split("10.3"), r("10", "3"));
        for plain in [
            "3",
            "3.",
            "3a",
            "",
            "2025-06-30",
            "A-B-3",
            "-10.1.3",
            "10..3",
            "Q2 2025",
        ] {
            assert_eq!(split(plain), None, "{plain}");
        }
    }

    #[test]
    fn numbers_are_split_from_titles() {
        assert_eq!(
            split_number("1. Application review."),
            (Some("1".into()), "Application review".into())
        );
        assert_eq!(split_number("Workforce"), (None, "Workforce".into()));
    }
}
