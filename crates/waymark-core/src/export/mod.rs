//! Writing a [`Plan`] out as JSON, Markdown or CSV. Each format reads back with
//! the matching importer into the same document (`tests/round_trip.rs`).

mod csv;
mod json;
mod markdown;

use std::str::FromStr;

use crate::model::{Plan, WorkPackageRef};

pub use self::csv::to_csv;
pub use json::to_json;
pub use markdown::to_markdown;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Markdown,
    Csv,
}

impl ExportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Markdown => "md",
            ExportFormat::Csv => "csv",
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            ExportFormat::Json => "application/json",
            ExportFormat::Markdown => "text/markdown; charset=utf-8",
            ExportFormat::Csv => "text/csv; charset=utf-8",
        }
    }
}

impl FromStr for ExportFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(ExportFormat::Json),
            "markdown" | "md" => Ok(ExportFormat::Markdown),
            "csv" => Ok(ExportFormat::Csv),
            other => Err(format!(
                "unknown export format \"{other}\": expected json, markdown or csv"
            )),
        }
    }
}

pub fn export(plan: &Plan, format: ExportFormat) -> String {
    match format {
        ExportFormat::Json => to_json(plan),
        ExportFormat::Markdown => to_markdown(plan),
        ExportFormat::Csv => to_csv(plan),
    }
}

/// Per package: the packages it depends on, and the programmes it belongs to.
pub(crate) fn links_of(plan: &Plan, r: &WorkPackageRef) -> (Vec<String>, Vec<String>) {
    let preds = plan
        .dependencies
        .iter()
        .filter(|d| &d.successor == r)
        .map(|d| d.predecessor.0.clone())
        .collect();
    let progs = plan
        .programmes
        .iter()
        .filter(|p| p.work_packages.contains(r))
        .map(|p| p.name.clone())
        .collect();
    (preds, progs)
}

/// Related items in a stable order for exports.
pub(crate) fn sorted_related(plan: &Plan) -> Vec<&crate::model::RelatedItem> {
    let mut items: Vec<_> = plan.related_items.iter().collect();
    items.sort_by_key(|i| i.name.to_lowercase());
    items
}
