//! Writing a [`Plan`] out as JSON, Markdown or CSV. Each format reads back with
//! the matching importer into the same document (`tests/round_trip.rs`).

mod csv;
mod json;
mod markdown;
pub mod spreadsheet;
mod stream;
pub mod xlsx;

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use crate::model::{Plan, Section, WorkPackage, WorkPackageRef, format_delivery};

pub use self::csv::to_csv;
pub use json::to_json;
pub use markdown::to_markdown;
pub use stream::PlanWriter;
pub use xlsx::{XlsxExportError, to_xlsx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Markdown,
    Csv,
    /// An Excel workbook: bytes, not text ([`to_xlsx`], [`PlanWriter::finish_bytes`]).
    Xlsx,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Markdown => "md",
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Json => "application/json",
            ExportFormat::Markdown => "text/markdown; charset=utf-8",
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }

    /// Whether the export is text (JSON, Markdown, CSV) rather than bytes (xlsx).
    pub fn is_text(self) -> bool {
        !matches!(self, ExportFormat::Xlsx)
    }
}

impl FromStr for ExportFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(ExportFormat::Json),
            "markdown" | "md" => Ok(ExportFormat::Markdown),
            "csv" => Ok(ExportFormat::Csv),
            "xlsx" | "excel" => Ok(ExportFormat::Xlsx),
            other => Err(format!(
                "unknown export format \"{other}\": expected json, markdown, csv or xlsx"
            )),
        }
    }
}

/// The plan as one text. The same as [`PlanWriter`]'s pieces joined: a plan
/// too large to hold twice is written piece by piece instead. For the text
/// formats only: an `.xlsx` workbook is bytes ([`export_bytes`], [`to_xlsx`]),
/// and this gives an empty text for it.
pub fn export(plan: &Plan, format: ExportFormat) -> String {
    // A text format: no workbook, so no scratch directory.
    let mut writer = PlanWriter::new(Plan::skeleton_of(plan), format, None);
    let mut out = writer.begin();
    for (index, section) in plan.sections.iter().enumerate() {
        for wp in &section.work_packages {
            out.push_str(&writer.package(index, wp));
        }
    }
    out.push_str(&writer.finish());
    out
}

/// The plan as bytes in any format: the text formats' text, or the workbook
/// (`scratch`: where its package rows wait, as for [`to_xlsx`]; the text
/// formats use no file).
pub fn export_bytes(
    plan: &Plan,
    format: ExportFormat,
    scratch: Option<&Path>,
) -> Result<Vec<u8>, XlsxExportError> {
    match format {
        ExportFormat::Xlsx => to_xlsx(plan, scratch),
        _ => Ok(export(plan, format).into_bytes()),
    }
}

/// The columns of a package row in the Markdown and CSV exports (CSV puts a
/// `Section` column first and a `Section title` column last). The readers recognise each by its meaning.
pub(crate) const PACKAGE_COLUMNS: [&str; 17] = [
    "Work package",
    "No.",
    "Scope",
    "Relationships",
    "Estimated delivery",
    "Delivery as written",
    "Comments",
    "Key influences",
    "Related items",
    "Owner",
    "Status",
    "RAG",
    "Progress",
    "Progress note",
    "Actual delivery",
    "Depends on",
    "Programmes",
];

/// Per package: the packages it depends on, and the programmes it belongs to,
/// gathered in one pass over the plan's links (looking them up for each
/// package in turn would be quadratic in a large plan).
pub(crate) struct Links {
    predecessors: HashMap<WorkPackageRef, Vec<String>>,
    programmes: HashMap<WorkPackageRef, Vec<String>>,
}

impl Links {
    pub(crate) fn of(plan: &Plan) -> Self {
        let mut predecessors: HashMap<WorkPackageRef, Vec<String>> = HashMap::new();
        for d in &plan.dependencies {
            predecessors
                .entry(d.successor.clone())
                .or_default()
                .push(d.predecessor.as_str().to_string());
        }
        let mut programmes: HashMap<WorkPackageRef, Vec<String>> = HashMap::new();
        for p in &plan.programmes {
            for r in &p.work_packages {
                let names = programmes.entry(r.clone()).or_default();
                // A programme listing a package twice names it once.
                if names.last() != Some(&p.name) {
                    names.push(p.name.clone());
                }
            }
        }
        Links {
            predecessors,
            programmes,
        }
    }

    /// A package's cells in the order of [`PACKAGE_COLUMNS`].
    pub(crate) fn package_cells(
        &self,
        section: &Section,
        index: usize,
        wp: &WorkPackage,
    ) -> Vec<String> {
        let r = WorkPackageRef::new(section, index, &wp.number);
        let (preds, progs) = self.joined(&r);
        vec![
            wp.title.clone(),
            wp.number.clone(),
            wp.scope.clone(),
            wp.relationships.clone(),
            format_delivery(&wp.delivery),
            wp.delivery_as_written.clone(),
            wp.comments.clone(),
            wp.influences
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            wp.related_items.join("; "),
            wp.owner.clone(),
            wp.status.label().to_string(),
            wp.rag.map(|r| r.label().to_string()).unwrap_or_default(),
            format!("{}%", wp.progress.get()),
            wp.progress_note.clone(),
            wp.actual_delivery
                .map(|d| d.to_string())
                .unwrap_or_default(),
            preds,
            progs,
        ]
    }

    /// The packages `r` depends on and the programmes it is in, each joined with `; `.
    pub(crate) fn joined(&self, r: &WorkPackageRef) -> (String, String) {
        let join = |map: &HashMap<WorkPackageRef, Vec<String>>| {
            map.get(r).map(|v| v.join("; ")).unwrap_or_default()
        };
        (join(&self.predecessors), join(&self.programmes))
    }
}

/// Related items in a stable order for exports.
pub(crate) fn sorted_related(plan: &Plan) -> Vec<&crate::model::RelatedItem> {
    let mut items: Vec<_> = plan.related_items.iter().collect();
    items.sort_by_key(|i| i.name.to_lowercase());
    items
}
