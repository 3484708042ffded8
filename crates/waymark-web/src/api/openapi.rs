//! The OpenAPI document: utoipa's, from the handlers' annotations, completed
//! with what every operation shares — the problem responses each kind of
//! operation can answer with, the constraints of the query parameters (taken
//! from the declarations the handlers parse with), and a description on every
//! response (OpenAPI 3.1 requires one).

use serde_json::{Map, Value, json};
use utoipa::OpenApi;
use waymark_core::{Rag, Status, limits};

use super::ApiDoc;
use crate::input::{DIRECTIONS, PER_PAGE_MAX, SORT_KEYS};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The complete document, as `/api/v1/openapi.json` serves it.
pub fn document() -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or(Value::Null);
    complete(&mut doc);
    doc
}

/// The schema of a query parameter, by name: the same bounds and choices the
/// parsers in `input.rs` and the handlers accept.
fn query_schema(name: &str) -> Option<Value> {
    let strings = |values: Vec<&str>| json!({"type": "string", "enum": values});
    Some(match name {
        "page" => json!({"type": "integer", "format": "int32", "minimum": 1, "maximum": u32::MAX}),
        "per_page" => {
            json!({"type": "integer", "format": "int32", "minimum": 1, "maximum": PER_PAGE_MAX})
        }
        "section" | "related_item" | "programme" => json!({"type": "integer", "format": "int64"}),
        "status" => strings(Status::ALL.iter().map(|s| s.as_str()).collect()),
        "rag" => strings(Rag::ALL.iter().map(|r| r.as_str()).collect()),
        "sort" => strings(SORT_KEYS.to_vec()),
        "dir" => strings(DIRECTIONS.to_vec()),
        "format" => strings(super::plans::EXPORT_FORMATS.to_vec()),
        "quarter" => json!({"type": "string", "pattern": "^Q[1-4] (19|2[0-9])[0-9]{2}$"}),
        "influence" => json!({"type": "string", "pattern": "^[0-9]{1,4}(\\.[0-9]{1,4})+$"}),
        "q" => json!({"type": "string", "maxLength": limits::SEARCH_TEXT.max_chars}),
        _ => return None,
    })
}

/// The description of a response that the annotation left without one.
fn default_description(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created",
        "204" => "Done; no content",
        "400" => {
            "Bad request: the body is not JSON, or the query string cannot be read or names a parameter this operation does not take"
        }
        "404" => "Not found: nothing has this id or code",
        "409" => "Conflict with stored data, such as a name or number already in use",
        "413" => "The request body is over the size limit",
        "415" => "The body is not sent as Content-Type: application/json",
        "422" => "Invalid fields or parameters; each is named in `errors`",
        _ => "See the problem document",
    }
}

fn problem_content() -> Value {
    json!({"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}})
}

/// Request bodies and the record whose declared limits
/// (`waymark_core::limits::TEXT_FIELDS`) their properties follow.
const BODY_RECORDS: [(&str, &str); 7] = [
    ("WorkPackageFields", "work package"),
    ("PlanPatch", "plan"),
    ("NewSection", "section"),
    ("SectionPatch", "section"),
    ("ProgrammeFields", "programme"),
    ("InfluencePatch", "key influence"),
    ("RelatedItemPatch", "related item"),
];

/// Put the declared limits on the request bodies' properties: `maxLength` on
/// text, the package number's pattern. The handlers check the same
/// declarations, so what the document allows is what the server accepts.
fn body_limits(doc: &mut Value) {
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for (schema, record) in BODY_RECORDS {
        let Some(props) = schemas
            .get_mut(schema)
            .and_then(|s| s.get_mut("properties"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (name, prop) in props.iter_mut() {
            let declared = limits::TEXT_FIELDS
                .iter()
                .find(|(r, f)| *r == record && f.name == name);
            if let Some((_, field)) = declared {
                prop["maxLength"] = json!(field.max_chars);
            }
            if record == "work package" && name == "number" {
                prop["maxLength"] = json!(limits::PACKAGE_NUMBER_CHARS);
                prop["pattern"] = json!(limits::PACKAGE_NUMBER_PATTERN);
            }
        }
    }
}

/// Add the shared responses and constraints to every operation.
pub fn complete(doc: &mut Value) {
    body_limits(doc);
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if !METHODS.contains(&method.as_str()) {
                continue;
            }
            let Some(op) = op.as_object_mut() else {
                continue;
            };
            complete_operation(path, method, op);
        }
    }
}

fn complete_operation(path: &str, method: &str, op: &mut Map<String, Value>) {
    let mut has_query = false;
    if let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) {
        for p in params.iter_mut() {
            let name = p["name"].as_str().unwrap_or("").to_string();
            match p["in"].as_str() {
                Some("query") => {
                    has_query = true;
                    if let Some(schema) = query_schema(&name) {
                        p["schema"] = schema;
                    }
                }
                Some("path") if name == "id" => {
                    p["schema"] = json!({"type": "integer", "format": "int64"});
                }
                _ => {}
            }
        }
    }
    let has_body = op.contains_key("requestBody");
    let mut errors = vec!["400"];
    if path.contains('{') {
        errors.push("404");
    }
    if has_body {
        errors.extend(["413", "415", "422"]);
    }
    if has_query {
        errors.push("422");
    }
    if matches!(method, "post" | "patch") {
        errors.push("409");
    }
    let responses = op
        .entry("responses")
        .or_insert_with(|| json!({}))
        .as_object_mut();
    let Some(responses) = responses else {
        return;
    };
    for status in errors {
        let r = responses.entry(status).or_insert_with(|| json!({}));
        if r.get("content").is_none() {
            r["content"] = problem_content();
        }
    }
    for (status, r) in responses.iter_mut() {
        let missing = r
            .get("description")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
        if missing {
            r["description"] = json!(default_description(status));
        }
    }
}
