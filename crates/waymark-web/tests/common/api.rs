//! Helpers for the JSON API: requests with a JSON body (as the server's
//! administrator, or as the holder of a token), reads that must succeed, and
//! what a problem document says. Each panics, saying what it looked for,
//! when the answer is not what it expects: none answers a default that
//! would let a test pass without checking anything.

use serde_json::Value;

use super::{Response, Server, send};

/// A request with a JSON body, as the server's administrator (its token)
/// unless `headers` name an `Authorization` of their own.
pub fn json(
    server: &Server,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Response {
    let mut with = vec![("Content-Type", "application/json")];
    with.extend_from_slice(headers);
    send(server.addr, method, path, &with, Some(body))
}

/// A request with a JSON body as the holder of `token`, with `If-Match`
/// when given.
pub fn json_as(
    server: &Server,
    method: &str,
    path: &str,
    token: &str,
    if_match: Option<&str>,
    body: &str,
) -> Response {
    let bearer = format!("Bearer {token}");
    let mut headers = vec![("Authorization", bearer.as_str())];
    if let Some(tag) = if_match {
        headers.push(("If-Match", tag));
    }
    json(server, method, path, &headers, body)
}

/// A PATCH with a JSON body as the holder of `token`, at the version a GET
/// of the same address gives just before (its `ETag`), as a careful client
/// sends it.
pub fn patch_as(server: &Server, path: &str, token: &str, body: &str) -> Response {
    let tag = etag(server, path);
    json_as(server, "PATCH", path, token, Some(&tag), body)
}

/// A GET (as the administrator) that must answer 200.
pub fn get_ok(server: &Server, path: &str) -> Response {
    let r = send(server.addr, "GET", path, &[], None);
    assert_eq!(r.status, 200, "GET {path}: {}", r.body);
    r
}

/// The JSON of a GET that must answer 200.
pub fn get_json(server: &Server, path: &str) -> Value {
    get_ok(server, path).json()
}

/// The `ETag` of a GET that must answer 200 with one.
pub fn etag(server: &Server, path: &str) -> String {
    let r = get_ok(server, path);
    r.header("etag")
        .unwrap_or_else(|| panic!("GET {path} answered no ETag"))
        .to_string()
}

/// A list answer's `items`; panics when it has none (an error, say).
pub fn items(list: &Value) -> &Vec<Value> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list (no items): {list}"))
}

/// The `id` of each item of a list answer.
pub fn ids(list: &Value) -> Vec<i64> {
    items(list)
        .iter()
        .map(|item| {
            item["id"]
                .as_i64()
                .unwrap_or_else(|| panic!("an item without an id: {item}"))
        })
        .collect()
}

/// The id of the first plan the server holds (the test server's seed plan).
pub fn plan_of(server: &Server) -> i64 {
    let plans = get_json(server, "/api/v1/plans");
    items(&plans)
        .first()
        .and_then(|p| p["id"].as_i64())
        .unwrap_or_else(|| panic!("the server holds no plan: {plans}"))
}

/// The id of the package of `plan` with this reference (`10.1.1`).
pub fn api_package(server: &Server, plan: i64, reference: &str) -> i64 {
    let list = get_json(
        server,
        &format!("/api/v1/plans/{plan}/work-packages?per_page=500"),
    );
    items(&list)
        .iter()
        .find(|w| w["reference"] == reference)
        .and_then(|w| w["id"].as_i64())
        .unwrap_or_else(|| panic!("plan {plan} has no package {reference}"))
}

/// The fields a problem document's `errors` name, in order; panics when the
/// answer has no `errors` list (a success, or a problem about no field).
pub fn fields(r: &Response) -> Vec<String> {
    r.json()["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in the answer ({}): {}", r.status, r.body))
        .iter()
        .map(|e| {
            e["field"]
                .as_str()
                .unwrap_or_else(|| panic!("an error without a field: {e}"))
                .to_string()
        })
        .collect()
}

/// The answer is a problem document with this status, naming `field` among
/// its errors (`""`: whatever it names, if anything).
pub fn assert_problem(r: &Response, status: u16, field: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(
        r.header("content-type"),
        Some("application/problem+json"),
        "{}",
        r.body
    );
    assert_eq!(r.json()["status"], status, "{}", r.body);
    if !field.is_empty() {
        let named = fields(r);
        assert!(
            named.iter().any(|f| f == field),
            "expected an error for {field}, got {named:?}"
        );
    }
}

/// The audit entries of one record (`work_package`, 12), newest first.
pub fn audit_of(server: &Server, kind: &str, id: i64) -> Vec<Value> {
    let list = get_json(
        server,
        &format!("/api/v1/audit?entity_kind={kind}&entity_id={id}"),
    );
    items(&list).clone()
}

/// The value an audit entry gives `field` after the change (`None`: the
/// entry does not change it, or clears it).
pub fn changed_to(entry: &Value, field: &str) -> Option<String> {
    entry["changes"]
        .as_array()
        .unwrap_or_else(|| panic!("an audit entry without changes: {entry}"))
        .iter()
        .find(|c| c["field"] == field)
        .and_then(|c| c["after"].as_str().map(str::to_string))
}
