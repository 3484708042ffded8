use serde::Serialize;

use crate::model::{Plan, RelatedItem};

#[derive(Serialize)]
struct Document<'a> {
    #[serde(flatten)]
    plan: &'a Plan,
    /// Names of the priority programmes, in the group's order.
    priorities: Vec<&'a str>,
}

/// The full-fidelity export: every field of every record.
pub fn to_json(plan: &Plan) -> String {
    let mut plan = plan.clone();
    let mut related: Vec<RelatedItem> = std::mem::take(&mut plan.related_items);
    related.sort_by_key(|i| i.name.to_lowercase());
    plan.related_items = related;
    let priorities = plan.priorities().map(|p| p.name.as_str()).collect();
    let doc = Document {
        plan: &plan,
        priorities,
    };
    let mut out =
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}
