//! The OpenAPI document: utoipa's, from the handlers' annotations, completed
//! with what every operation shares — the problem responses each kind of
//! operation can answer with, the constraints of the query parameters (taken
//! from the declarations the handlers parse with), and a description on every
//! response (OpenAPI 3.1 requires one).

use serde_json::{Map, Value, json};
use utoipa::OpenApi;
use waymark_core::{Rag, Status, limits};

use super::ApiDoc;
use crate::form::{Field, Fields, Kind};
use crate::input::{
    ApprovalFields, BaselineFields, CriterionFields, DIRECTIONS, DecisionFields, InfluenceFields,
    InfluenceMergeFields, PER_PAGE_MAX, PlanFields, ProgrammeFields, ProgressNoteFields,
    RaidFields, RejectionFields, RelatedItemFields, SORT_KEYS, ScoreFields, SectionFields,
    SupersedeFields, WorkPackageFields,
};

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
        "overdue" | "no_recent_note" => strings(vec!["true", "false"]),
        "sort" => strings(SORT_KEYS.to_vec()),
        "dir" => strings(DIRECTIONS.to_vec()),
        "format" => strings(super::plans::EXPORT_FORMATS.to_vec()),
        "quarter" => json!({"type": "string", "pattern": "^Q[1-4] (19|2[0-9])[0-9]{2}$"}),
        "influence" => json!({"type": "string", "pattern": "^[0-9]{1,4}(\\.[0-9]{1,4})+$"}),
        // Text with no letter or digit is refused (an empty value too). A
        // schema's pattern is ECMA-262, whose `\w` is ASCII: any character
        // past ASCII is let through here (the server decides whether it is a
        // letter or digit; `.ci/schemathesis.toml` says so).
        "q" => json!({"type": "string", "pattern": "[^\\W_]|[^\\x00-\\x7F]",
                      "maxLength": limits::SEARCH_TEXT.max_chars}),
        "entity_kind" => strings(waymark_store::AUDIT_ENTITY_KINDS.to_vec()),
        "action" => strings(waymark_store::AUDIT_ACTIONS.to_vec()),
        "actor_kind" => strings(
            waymark_core::audit::ActorKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect(),
        ),
        // One line with something in it (an empty value is refused).
        "actor" => json!({"type": "string", "pattern": "^[^\\n\\r]*\\S[^\\n\\r]*$",
                          "maxLength": limits::AUDIT_ACTOR.max_chars}),
        "entity_id" => json!({"type": "string", "pattern": "^[^\\n\\r]*\\S[^\\n\\r]*$",
                              "maxLength": limits::AUDIT_ENTITY_ID.max_chars}),
        "from" | "to" => {
            json!({"type": "string", "format": "date", "pattern": "^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\\s*$"})
        }
        "before" | "after" => json!({"type": "integer", "format": "int64", "minimum": 1}),
        // Opaque, but always hex.
        "cursor" => json!({"type": "string", "pattern": "^([0-9a-f]{2})+$"}),
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
        "401" => {
            "Not signed in: send an API token as Authorization: Bearer <token> (reads need none when the server allows anonymous reading); a token that is sent must be valid"
        }
        "403" => "Signed in, and the account's role does not allow this",
        "404" => "Not found: nothing has this id or code",
        "409" => "Conflict with stored data, such as a name or number already in use",
        "413" => "The request body is over the size limit",
        "415" => "The body is not sent as Content-Type: application/json",
        "422" => "Invalid fields or parameters; each is named in `errors`",
        "412" => {
            "The record has changed since the version If-Match names: nothing was changed; `current_version` (and the ETag header) give the version now"
        }
        "428" => "If-Match is missing: send the ETag of the version you last read",
        _ => "See the problem document",
    }
}

fn problem_content() -> Value {
    json!({"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}})
}

/// Request bodies (by schema name) and the declarations their handlers read
/// them with ([`crate::form`]).
fn bodies() -> [(&'static str, &'static [Field]); 17] {
    [
        ("WorkPackageFields", WorkPackageFields::FIELDS),
        ("PlanPatch", PlanFields::FIELDS),
        ("NewSection", SectionFields::FIELDS),
        ("SectionPatch", SectionFields::FIELDS),
        ("ProgrammeFields", ProgrammeFields::FIELDS),
        ("InfluencePatch", InfluenceFields::FIELDS),
        ("RelatedItemPatch", RelatedItemFields::FIELDS),
        ("InfluenceMerge", InfluenceMergeFields::FIELDS),
        ("DecisionFields", DecisionFields::FIELDS),
        ("CriterionFields", CriterionFields::FIELDS),
        ("ScoreFields", ScoreFields::FIELDS),
        ("BaselineFields", BaselineFields::FIELDS),
        ("ApprovalFields", ApprovalFields::FIELDS),
        ("RejectionFields", RejectionFields::FIELDS),
        ("SupersedeFields", SupersedeFields::FIELDS),
        ("RaidFields", RaidFields::FIELDS),
        ("ProgressNoteFields", ProgressNoteFields::FIELDS),
    ]
}

/// Put each declared field's rules on the request bodies' properties: text
/// within its limit (one line or many; a required one must hold a visible
/// character), a choice one of its values or null (left as it is). The
/// handlers check the same declarations, so what the document allows is
/// what the server accepts.
fn body_limits(doc: &mut Value) {
    use waymark_core::limits::Shape;
    for (schema, fields) in bodies() {
        for field in fields {
            let rule = match field.kind {
                Kind::Text(limit) => {
                    let visible = field.required.is_some();
                    let pattern = match (limit.shape, visible) {
                        (Shape::Line, true) => Some("^[^\\n\\r]*\\S[^\\n\\r]*$"),
                        (Shape::Line, false) => Some("^[^\\n\\r]*$"),
                        (Shape::Text, true) => Some("\\S"),
                        (Shape::Text, false) => None,
                    };
                    let mut v = json!({"maxLength": limit.max_chars});
                    if let Some(p) = pattern {
                        v["pattern"] = json!(p);
                    }
                    v
                }
                // One of the values, or null (left as it is); said so that
                // client generators make an enum and an optional of it.
                Kind::Choice(values) if !values().is_empty() => {
                    json!({"anyOf": [{"type": "string", "enum": values()}, {"type": "null"}]})
                }
                _ => continue,
            };
            let is_boolean = doc["components"]["schemas"][schema]["properties"][field.name]["type"]
                .to_string()
                .contains("boolean");
            if !is_boolean {
                constrain(doc, schema, field.name, rule);
            }
        }
    }
}

/// Merge `extra` into the property `name` of the component schema `schema`.
fn constrain(doc: &mut Value, schema: &str, name: &str, extra: Value) {
    let prop = &mut doc["components"]["schemas"][schema]["properties"][name];
    if let (Some(prop), Value::Object(extra)) = (prop.as_object_mut(), extra) {
        if extra.contains_key("anyOf") {
            prop.remove("type");
        }
        prop.extend(extra);
        // utoipa's `default: null` says nothing and contradicts a non-null type.
        if prop.get("default") == Some(&Value::Null) {
            prop.remove("default");
        }
    }
}

/// A request schema for creating: a copy of `from` that requires `required`
/// (non-null), for the create operation whose body it describes.
fn create_schema(
    doc: &mut Value,
    from: &str,
    name: &str,
    required: &[&str],
    operation: (&str, &str),
) {
    let mut schema = doc["components"]["schemas"][from].clone();
    for field in required {
        let prop = &mut schema["properties"][*field];
        if let Some(types) = prop["type"].as_array() {
            let kept: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
            prop["type"] = kept.first().cloned().unwrap_or(Value::Null);
        }
        if let Some(p) = prop.as_object_mut() {
            p.remove("default");
        }
    }
    schema["required"] = json!(required);
    doc["components"]["schemas"][name] = schema;
    let (path, method) = operation;
    doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"] =
        json!({"$ref": format!("#/components/schemas/{name}")});
}

/// What the request bodies' parsers require, said in their schemas: names
/// that must hold a visible character, the length limits of `input.rs`,
/// the choices of the core's enums; fields a create needs.
fn request_constraints(doc: &mut Value) {
    // Whole numbers separated by dots, at most 20 characters in all (a
    // shorter form that stays within it).
    let section_number = json!({"pattern": "^\\s*([0-9]{1,3}(\\.[0-9]{1,3}){0,4})?\\s*$"});
    constrain(doc, "NewSection", "number", section_number.clone());
    constrain(doc, "SectionPatch", "number", section_number);
    constrain(
        doc,
        "InfluenceMerge",
        "into",
        json!({"pattern": "^\\s*[0-9]{1,4}(\\.[0-9]{1,4})+\\s*$"}),
    );
    // A number or a title, one of them with something in it.
    doc["components"]["schemas"]["NewSection"]["anyOf"] = json!([
        {"required": ["number"], "properties": {"number": {"type": "string", "pattern": "[0-9]"}}},
        {"required": ["title"], "properties": {"title": {"type": "string", "pattern": "\\S"}}}
    ]);
    let wp = "WorkPackageFields";
    doc["components"]["schemas"][wp]["additionalProperties"] = json!(false);
    doc["components"]["schemas"][wp]["properties"]["programme_ids"] = json!({
        "type": "array", "items": {"type": "integer", "format": "int64"},
        "description": "Programme ids the package belongs to; left out: unchanged."
    });
    constrain(
        doc,
        wp,
        "section_id",
        json!({"type": "integer", "format": "int64"}),
    );
    // A title cannot be cleared with null.
    constrain(doc, wp, "title", json!({"type": "string"}));
    constrain(
        doc,
        wp,
        "progress",
        json!({"type": ["integer", "string", "null"], "minimum": 0, "maximum": 100,
               "pattern": "^\\s*(100|[1-9]?[0-9])?\\s*$"}),
    );
    constrain(
        doc,
        wp,
        "actual_delivery",
        json!({"pattern": "^\\s*([0-9]{4}-[0-9]{2}-[0-9]{2})?\\s*$"}),
    );
    create_schema(
        doc,
        "ProgrammeFields",
        "NewProgramme",
        &["name"],
        ("/api/v1/plans/{id}/programmes", "post"),
    );
    // A change must keep a number; a create may leave it out (or null, or
    // empty) for the next free one.
    constrain(
        doc,
        wp,
        "number",
        json!({"type": "string", "pattern": limits::PACKAGE_NUMBER_PATTERN,
               "maxLength": limits::PACKAGE_NUMBER_CHARS}),
    );
    create_schema(
        doc,
        wp,
        "NewWorkPackage",
        &["section_id", "title"],
        ("/api/v1/plans/{id}/work-packages", "post"),
    );
    doc["components"]["schemas"]["NewWorkPackage"]["properties"]["number"] = json!({
        "type": ["string", "null"],
        "pattern": format!("^({})?$", limits::PACKAGE_NUMBER_PATTERN.trim_start_matches('^').trim_end_matches('$')),
        "description": "Number within the section; left out, null or empty: the next free number."
    });
    // A decision's date; a create needs every field that has no default.
    constrain(
        doc,
        "DecisionFields",
        "date",
        json!({"type": "string", "format": "date", "pattern": "^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\\s*$"}),
    );
    doc["components"]["schemas"]["DecisionFields"]["additionalProperties"] = json!(false);
    create_schema(
        doc,
        "DecisionFields",
        "NewDecision",
        &["date", "meeting", "text", "decided_by"],
        ("/api/v1/plans/{id}/decisions", "post"),
    );
    // A plan's status, and the reasons approvers give.
    constrain(
        doc,
        "PlanDto",
        "status",
        json!({"type": "string", "enum": waymark_core::PlanStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()}),
    );
    for schema in ["ApprovalFields", "RejectionFields", "SupersedeFields"] {
        doc["components"]["schemas"][schema]["additionalProperties"] = json!(false);
    }
    create_schema(
        doc,
        "RejectionFields",
        "Rejection",
        &["comment"],
        ("/api/v1/work-packages/{id}/reject", "post"),
    );
    // A RAID item: ratings 1 to 5 (numbers, or their digits), dates; a
    // create needs its kind and title.
    for rating in ["likelihood", "impact"] {
        constrain(
            doc,
            "RaidFields",
            rating,
            json!({"type": ["integer", "string", "null"], "minimum": 1, "maximum": 5,
                   "pattern": "^\\s*[1-5]?\\s*$"}),
        );
    }
    for date in ["next_review", "needed_by"] {
        constrain(
            doc,
            "RaidFields",
            date,
            json!({"pattern": "^\\s*([0-9]{4}-[0-9]{2}-[0-9]{2})?\\s*$"}),
        );
    }
    doc["components"]["schemas"]["RaidFields"]["additionalProperties"] = json!(false);
    create_schema(
        doc,
        "RaidFields",
        "NewRaidItem",
        &["kind", "title"],
        ("/api/v1/plans/{id}/raid", "post"),
    );
    // A progress note's date; a create needs its date and text.
    constrain(
        doc,
        "ProgressNoteFields",
        "date",
        json!({"type": "string", "format": "date", "pattern": "^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\\s*$"}),
    );
    doc["components"]["schemas"]["ProgressNoteFields"]["additionalProperties"] = json!(false);
    create_schema(
        doc,
        "ProgressNoteFields",
        "NewProgressNote",
        &["date", "text"],
        ("/api/v1/work-packages/{id}/progress-notes", "post"),
    );
    // A baseline needs its name.
    create_schema(
        doc,
        "BaselineFields",
        "NewBaseline",
        &["name"],
        ("/api/v1/plans/{id}/baselines", "post"),
    );
    priority_constraints(doc);
    // The export answers in the format asked for.
    doc["paths"]["/api/v1/plans/{id}/export"]["get"]["responses"]["200"]["content"] = json!({
        "application/json": {"schema": {}},
        "text/markdown": {"schema": {"type": "string"}},
        "text/csv": {"schema": {"type": "string"}},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}
    });
}

/// The priorities' bodies: weights, orders and scores whole numbers in
/// their ranges (or strings of them, as forms send), the ids of a new score,
/// and what a create needs.
fn priority_constraints(doc: &mut Value) {
    let number = |range: (u64, u64)| {
        json!({"type": ["integer", "string", "null"], "minimum": range.0, "maximum": range.1,
               "pattern": "^\\s*[0-9]{1,5}\\s*$"})
    };
    let weights = &limits::CRITERION_WEIGHTS;
    let orders = &limits::CRITERION_ORDERS;
    let scores = &limits::PRIORITY_SCORES;
    constrain(
        doc,
        "CriterionFields",
        "weight",
        number((u64::from(*weights.start()), u64::from(*weights.end()))),
    );
    constrain(
        doc,
        "CriterionFields",
        "order",
        number((u64::from(*orders.start()), u64::from(*orders.end()))),
    );
    constrain(
        doc,
        "ScoreFields",
        "score",
        number((u64::from(*scores.start()), u64::from(*scores.end()))),
    );
    doc["components"]["schemas"]["CriterionFields"]["additionalProperties"] = json!(false);
    doc["components"]["schemas"]["ScoreFields"]["additionalProperties"] = json!(false);
    create_schema(
        doc,
        "CriterionFields",
        "NewCriterion",
        &["name", "weight"],
        ("/api/v1/plans/{id}/criteria", "post"),
    );
    create_schema(
        doc,
        "ScoreFields",
        "NewScore",
        &["score", "criterion_id"],
        ("/api/v1/plans/{id}/scores", "post"),
    );
}

/// OpenAPI links from what a create returns (and from lists) to the
/// operations on that resource, so clients and schemathesis' stateful phase
/// can follow them.
fn links(doc: &mut Value) {
    let table: [(&str, &str, &str, &str, &[&str]); 6] = [
        (
            "/api/v1/plans/{id}/work-packages",
            "post",
            "201",
            "$response.body#/id",
            &["getWorkPackage", "updateWorkPackage", "deleteWorkPackage"],
        ),
        (
            "/api/v1/plans/{id}/programmes",
            "post",
            "201",
            "$response.body#/id",
            &["getProgramme", "updateProgramme", "deleteProgramme"],
        ),
        (
            "/api/v1/plans/{id}/decisions",
            "post",
            "201",
            "$response.body#/id",
            &["getDecision", "updateDecision", "deleteDecision"],
        ),
        (
            "/api/v1/plans/{id}/dependencies",
            "post",
            "201",
            "$response.body#/id",
            &["deleteDependency"],
        ),
        (
            "/api/v1/plans/{id}/related-items",
            "get",
            "200",
            "$response.body#/items/0/id",
            &["getRelatedItem", "updateRelatedItem"],
        ),
        (
            "/api/v1/plans",
            "get",
            "200",
            "$response.body#/items/0/id",
            &[
                "getPlan",
                "listWorkPackages",
                "listProgrammes",
                "listRelatedItems",
                "listDependencies",
                "listDecisions",
            ],
        ),
    ];
    for (path, method, status, id, targets) in table {
        let response = &mut doc["paths"][path][method]["responses"][status];
        if response.is_null() {
            continue;
        }
        let mut links = Map::new();
        for target in targets {
            let mut name = target.to_string();
            if let Some(first) = name.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            links.insert(
                name,
                json!({"operationId": target, "parameters": {"id": id}}),
            );
        }
        response["links"] = Value::Object(links);
    }
}

/// What Rust's `trim` and `char::is_whitespace` count as white space, as the
/// inside of a regular-expression class. ECMA's `\s` differs (it has U+FEFF,
/// not U+0085), so the patterns here say `\s` and `\S` and [`exact_space`]
/// spells them out.
const WHITE_SPACE: &str =
    "\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/// `pattern` with `\s` and `\S` meaning exactly what the server trims.
fn exact_space(pattern: &str) -> String {
    pattern
        .replace("[^\\s", &format!("[^{WHITE_SPACE}"))
        .replace("\\S", &format!("[^{WHITE_SPACE}]"))
        .replace("\\s", &format!("[{WHITE_SPACE}]"))
}

fn exact_space_everywhere(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                match child {
                    Value::String(p) if k == "pattern" => *p = exact_space(p),
                    _ => exact_space_everywhere(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(exact_space_everywhere),
        _ => {}
    }
}

/// Add the shared responses and constraints to every operation.
pub fn complete(doc: &mut Value) {
    body_limits(doc);
    request_constraints(doc);
    links(doc);
    exact_space_everywhere(doc);
    security(doc);
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

/// How a client says who it is: an API token (`waymark token create`, or
/// the account page) as `Authorization: Bearer …`.
fn security(doc: &mut Value) {
    doc["components"]["securitySchemes"] = json!({
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (`wmk_…`) from `waymark token create` or your account page. It acts with its account's role."
        }
    });
    doc["security"] = json!([{"bearerAuth": []}]);
}

/// Whether an operation reads the plan, which visitors who are not signed
/// in may do when the server lets them (`WAYMARK_ANONYMOUS_READ`): its token
/// is optional. Everything else needs one.
pub fn reads_without_token(path: &str, method: &str) -> bool {
    method == "get" && path != "/api/v1/audit" && path != "/api/v1/me"
}

/// A change or delete requires `If-Match` (`api::etag`): the header, as a
/// required parameter whose pattern is what the server reads.
fn if_match(op: &mut Map<String, Value>) {
    let param = json!({
        "name": "If-Match",
        "in": "header",
        "required": true,
        "description": "The ETag of the version you last read (`\"12\"`, with the quotes), so that a change made by someone else since is not overwritten: a 412 then, with the version now. `*` changes whatever the version. Without it: 428.",
        "schema": {"type": "string", "pattern": super::etag::IF_MATCH_PATTERN}
    });
    match op.get_mut("parameters").and_then(Value::as_array_mut) {
        Some(params) => params.push(param),
        None => {
            op.insert("parameters".into(), json!([param]));
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
    let guarded = matches!(method, "patch" | "delete")
        || (method == "post" && super::lifecycle::VERSIONED_POSTS.contains(&path));
    if guarded {
        if_match(op);
    }
    let public = path == "/api/v1/openapi.json";
    if reads_without_token(path, method) && !public {
        op.insert("security".into(), json!([{"bearerAuth": []}, {}]));
    }
    let mut errors = vec!["400"];
    if !public {
        errors.push("401");
        if !reads_without_token(path, method) {
            errors.push("403");
        }
    }
    if guarded {
        errors.extend(["412", "428"]);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_space_in_patterns_is_what_rust_trims() {
        assert_eq!(
            exact_space("^\\s*[^\\s.]\\S$"),
            format!("^[{WHITE_SPACE}]*[^{WHITE_SPACE}.][^{WHITE_SPACE}]$")
        );
        // Every character Rust counts as white space is in the class, and
        // U+FEFF (white space to ECMA, not to Rust) is not.
        for c in (0u32..0x3001).filter_map(char::from_u32) {
            let listed = matches!(
                c,
                '\t' | '\n'
                    | '\u{b}'
                    | '\u{c}'
                    | '\r'
                    | ' '
                    | '\u{85}'
                    | '\u{a0}'
                    | '\u{1680}'
                    | '\u{2000}'
                    ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
            );
            assert_eq!(c.is_whitespace(), listed, "U+{:04X}", c as u32);
        }
        assert!(!'\u{feff}'.is_whitespace());
    }
}
