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
    super::export(plan, super::ExportFormat::Json)
}

/// The document around the sections, split where the sections go: the text
/// up to and including `"sections": [`, and the text after its `]`.
pub(super) fn around_sections(skeleton: &Plan) -> (String, String) {
    let mut plan = Plan {
        sections: Vec::new(),
        ..skeleton.clone()
    };
    let mut related: Vec<RelatedItem> = std::mem::take(&mut plan.related_items);
    related.sort_by_key(|i| i.name.to_lowercase());
    plan.related_items = related;
    let priorities = plan.priorities().map(|p| p.name.as_str()).collect();
    let doc = Document {
        plan: &plan,
        priorities,
    };
    let text = pretty(&doc);
    // A raw line break never occurs inside a JSON string, so this is the field.
    const MARK: &str = "\n  \"sections\": []";
    match text.find(MARK) {
        Some(at) => {
            let open = at + MARK.len() - 1;
            (text[..open].to_string(), format!("{}\n", &text[open + 1..]))
        }
        // serde_json writes every field of the plan; this is not reached.
        None => (text, String::new()),
    }
}

/// Pretty JSON of one value, indented to sit `indent` spaces deep.
pub(super) fn pretty<T: Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

pub(super) fn indented(text: &str, indent: &str) -> String {
    text.replace('\n', &format!("\n{indent}"))
}
