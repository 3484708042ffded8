//! Writing a plan in pieces: the plan without its packages first, then each
//! package in order, then the end. A server sends each piece on as it is made,
//! so exporting a plan of any size holds one package at a time, not the plan
//! and its text. Joined, the pieces are exactly [`super::export`]'s text (which
//! is made this way).
//!
//! An `.xlsx` workbook cannot be sent in pieces: for it the pieces are empty,
//! each package is written into the workbook's package sheet as it comes (the
//! package itself is not kept), and [`PlanWriter::finish_bytes`] adds the
//! other sheets and gives the workbook's bytes.

use std::path::Path;

use super::xlsx::XlsxBook;
use super::{ExportFormat, Links, PACKAGE_COLUMNS, XlsxExportError, csv, json, markdown};
use crate::model::{Plan, Section, WorkPackage};

/// Writes one plan in one format, piece by piece.
pub struct PlanWriter {
    format: ExportFormat,
    /// The plan with its sections' headings and no packages.
    skeleton: Plan,
    links: Links,
    /// Sections opened so far.
    opened: usize,
    /// Packages written in the open section.
    in_section: usize,
    /// JSON: what closes the open section.
    close_section: String,
    /// JSON: the document after its sections.
    json_tail: String,
    /// CSV: the open section's number and title cells.
    section_cells: [String; 2],
    /// xlsx: the workbook being written, or why it could not be.
    xlsx: Option<Result<XlsxBook, XlsxExportError>>,
}

impl Plan {
    /// The plan without its packages (section headings kept): what
    /// [`PlanWriter::new`] takes.
    pub fn skeleton_of(plan: &Plan) -> Plan {
        Plan {
            title: plan.title.clone(),
            organisation: plan.organisation.clone(),
            period: plan.period.clone(),
            introduction: plan.introduction.clone(),
            quarter_convention: plan.quarter_convention,
            notes: plan.notes.clone(),
            sections: plan
                .sections
                .iter()
                .map(|s| Section {
                    number: s.number.clone(),
                    title: s.title.clone(),
                    work_packages: Vec::new(),
                })
                .collect(),
            influences: plan.influences.clone(),
            related_items: plan.related_items.clone(),
            programmes: plan.programmes.clone(),
            dependencies: plan.dependencies.clone(),
        }
    }
}

impl PlanWriter {
    /// `skeleton`: the plan with every section (headings only; packages come
    /// through [`PlanWriter::package`]), registers, programmes and dependencies.
    /// `scratch`: for `.xlsx`, the directory where the package sheet's rows
    /// wait until the workbook is saved (`None`: the OS's temporary
    /// directory); the text formats use no file and ignore it.
    pub fn new(skeleton: Plan, format: ExportFormat, scratch: Option<&Path>) -> Self {
        let links = Links::of(&skeleton);
        PlanWriter {
            format,
            skeleton,
            links,
            opened: 0,
            in_section: 0,
            close_section: String::new(),
            json_tail: String::new(),
            section_cells: Default::default(),
            xlsx: (format == ExportFormat::Xlsx).then(|| XlsxBook::new(scratch)),
        }
    }

    /// The text before the first section.
    pub fn begin(&mut self) -> String {
        match self.format {
            ExportFormat::Json => {
                let (head, tail) = json::around_sections(&self.skeleton);
                self.json_tail = tail;
                head
            }
            ExportFormat::Markdown => markdown::head(&self.skeleton),
            ExportFormat::Csv => {
                let header: Vec<&str> = std::iter::once("Section")
                    .chain(PACKAGE_COLUMNS)
                    .chain(["Section title"])
                    .collect();
                csv::record(&header)
            }
            ExportFormat::Xlsx => String::new(),
        }
    }

    /// A package of section `section` (an index into the skeleton's sections),
    /// in plan order: sections before it that have not been written yet are
    /// written first.
    pub fn package(&mut self, section: usize, wp: &WorkPackage) -> String {
        let mut out = String::new();
        if self.format == ExportFormat::Xlsx {
            // The first error is kept for `finish_bytes`; nothing more is written.
            if let (Some(Ok(book)), Some(heading)) =
                (self.xlsx.as_mut(), self.skeleton.sections.get(section))
                && let Err(e) = book.package(&self.links, heading, section, wp)
            {
                self.xlsx = Some(Err(e));
            }
            return out;
        }
        while self.opened <= section && self.opened < self.skeleton.sections.len() {
            self.open_next(&mut out);
        }
        let index = self.opened.saturating_sub(1);
        let Some(heading) = self.skeleton.sections.get(index) else {
            return out;
        };
        match self.format {
            ExportFormat::Json => {
                out.push_str(if self.in_section == 0 {
                    "\n        "
                } else {
                    ",\n        "
                });
                out.push_str(&json::indented(&json::pretty(wp), "        "));
            }
            ExportFormat::Markdown => {
                out.push_str(&markdown::package_row(
                    &self.links.package_cells(heading, index, wp),
                ));
            }
            ExportFormat::Csv => {
                let [name, title] = &self.section_cells;
                let mut cells = vec![name.clone()];
                cells.extend(self.links.package_cells(heading, index, wp));
                cells.push(title.clone());
                out.push_str(&csv::record(&cells));
            }
            ExportFormat::Xlsx => {}
        }
        self.in_section += 1;
        out
    }

    /// The rest: sections not written yet, and what follows the sections.
    pub fn finish(mut self) -> String {
        let mut out = String::new();
        while self.opened < self.skeleton.sections.len() {
            self.open_next(&mut out);
        }
        match self.format {
            ExportFormat::Json => {
                self.close_open_section(&mut out);
                out.push_str(if self.opened == 0 { "]" } else { "\n  ]" });
                out.push_str(&self.json_tail);
            }
            ExportFormat::Markdown => out.push_str(&markdown::tail(&self.skeleton)),
            ExportFormat::Csv | ExportFormat::Xlsx => {}
        }
        out
    }

    /// The rest as bytes: [`PlanWriter::finish`]'s text, or for `.xlsx` the
    /// whole workbook.
    pub fn finish_bytes(mut self) -> Result<Vec<u8>, XlsxExportError> {
        match self.xlsx.take() {
            Some(book) => book?.finish(&self.skeleton),
            None => Ok(self.finish().into_bytes()),
        }
    }

    fn close_open_section(&mut self, out: &mut String) {
        if self.opened == 0 {
            return;
        }
        out.push_str(if self.in_section == 0 {
            "]"
        } else {
            "\n      ]"
        });
        out.push_str(&self.close_section);
    }

    fn open_next(&mut self, out: &mut String) {
        let index = self.opened;
        // A skeleton section has no packages: cheap to copy.
        let Some(section) = self.skeleton.sections.get(index).cloned() else {
            return;
        };
        let section = &section;
        match self.format {
            ExportFormat::Json => {
                self.close_open_section(out);
                out.push_str(if index == 0 { "\n    " } else { ",\n    " });
                let text = json::indented(&json::pretty(section), "    ");
                const MARK: &str = "\"work_packages\": []";
                match text.rfind(MARK) {
                    Some(at) => {
                        let open = at + MARK.len() - 1;
                        out.push_str(&text[..open]);
                        self.close_section = text[open + 1..].to_string();
                    }
                    // serde_json writes every field of a section; not reached.
                    None => out.push_str(&text),
                }
            }
            ExportFormat::Markdown => out.push_str(&markdown::section_head(section)),
            ExportFormat::Csv => self.section_cells = csv::section_cells(section, index),
            ExportFormat::Xlsx => {}
        }
        self.opened += 1;
        self.in_section = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Plan, Section};

    fn plan_with_empty_sections() -> Plan {
        let mut plan = Plan::new("Empty \"sections\": [] here");
        for number in ["1", "2"] {
            plan.sections.push(Section {
                number: Some(number.into()),
                title: None,
                work_packages: Vec::new(),
            });
        }
        plan
    }

    /// The pieces are the document serde_json writes of the whole plan.
    #[test]
    fn json_pieces_are_the_whole_document() {
        for plan in [Plan::new("Nothing yet"), plan_with_empty_sections()] {
            let whole = {
                #[derive(serde::Serialize)]
                struct Doc<'a> {
                    #[serde(flatten)]
                    plan: &'a Plan,
                    priorities: Vec<&'a str>,
                }
                let mut text = serde_json::to_string_pretty(&Doc {
                    plan: &plan,
                    priorities: Vec::new(),
                })
                .unwrap_or_default();
                text.push('\n');
                text
            };
            assert_eq!(super::super::export(&plan, ExportFormat::Json), whole);
        }
    }
}
