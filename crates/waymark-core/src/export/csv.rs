use super::Links;
use crate::model::{Plan, WorkPackageRef, format_delivery};

const COLUMNS: [&str; 16] = [
    "Section",
    "Work package",
    "No.",
    "Scope",
    "Relationships",
    "Estimated delivery",
    "Comments",
    "Key influences",
    "Related items",
    "Owner",
    "Status",
    "RAG",
    "Progress",
    "Actual delivery",
    "Depends on",
    "Programmes",
];

/// One row per work package, for spreadsheets. The registers' titles and kinds
/// and the plan's introduction are not in CSV; use JSON for everything.
pub fn to_csv(plan: &Plan) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut rows: Vec<Vec<String>> = vec![COLUMNS.iter().map(|s| s.to_string()).collect()];
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
            let r = WorkPackageRef::new(section, index, &wp.number);
            let (preds, progs) = links.joined(&r);
            rows.push(vec![
                name.clone(),
                wp.title.clone(),
                wp.number.clone(),
                wp.scope.clone(),
                wp.relationships.clone(),
                format_delivery(&wp.delivery),
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
                wp.actual_delivery
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                preds,
                progs,
            ]);
        }
    }
    for r in rows {
        if w.write_record(&r).is_err() {
            break;
        }
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}
