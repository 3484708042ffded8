//! The lifecycle over HTTP: status changes along the table (422 naming
//! `status`), approving and rejecting packages and approving and superseding
//! plans (approvers only, `If-Match`: 428/412, audited with the comment), in
//! the API and the pages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Browser, Response, Server, csrf_token, plan_id, send, start};
use serde_json::Value;
use waymark_core::access::Role;

const PASSWORD: &str = "a password for the tests";
const HOSTILE: &str = "<script>alert('x')</script> \"quoted\" O'Brien; DROP TABLE work_package; --";

fn post(server: &Server, path: &str, token: &str, if_match: Option<&str>, body: &str) -> Response {
    let bearer = format!("Bearer {token}");
    let mut headers = vec![
        ("Content-Type", "application/json"),
        ("Authorization", bearer.as_str()),
    ];
    if let Some(tag) = if_match {
        headers.push(("If-Match", tag));
    }
    send(server.addr, "POST", path, &headers, Some(body))
}

fn get(server: &Server, path: &str) -> Response {
    let r = send(server.addr, "GET", path, &[], None);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r
}

fn fields_of(r: &Response) -> Vec<String> {
    r.json()["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The audit entries of one record, newest first.
fn history(server: &Server, kind: &str, id: i64) -> Vec<Value> {
    let r = get(
        server,
        &format!("/api/v1/audit?entity_kind={kind}&entity_id={id}"),
    );
    r.json()["items"].as_array().unwrap().clone()
}

fn change(entry: &Value, field: &str) -> Option<String> {
    entry["changes"]
        .as_array()?
        .iter()
        .find(|c| c["field"] == field)
        .and_then(|c| c["after"].as_str().map(str::to_string))
}

#[test]
fn packages_move_along_the_table_and_approvers_decide() {
    let server = start();
    let plan = get(&server, "/api/v1/plans").json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let items = get(
        &server,
        &format!("/api/v1/plans/{plan}/work-packages?per_page=3"),
    )
    .json();
    let ids: Vec<i64> = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_i64().unwrap())
        .collect();
    assert_eq!(items["items"][0]["status"], "proposed");
    let manager = server.token_for(server.account("m@example.org", Role::Manager, PASSWORD));
    let approver = server.token_for(server.account("a@example.org", Role::Approver, PASSWORD));
    let package = |id: i64| format!("/api/v1/work-packages/{id}");
    let tag = |id: i64| {
        get(&server, &package(id))
            .header("etag")
            .unwrap()
            .to_string()
    };

    // A PATCH off the table: 422 naming status, saying what is allowed.
    let t = tag(ids[0]);
    let r = send(
        server.addr,
        "PATCH",
        &package(ids[0]),
        &[("Content-Type", "application/json"), ("If-Match", &t)],
        Some(r#"{"status": "in_progress"}"#),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(fields_of(&r), ["status"]);
    assert!(
        r.body
            .contains("from proposed it may move to approved, rejected, cancelled"),
        "{}",
        r.body
    );
    // The old wire name is no status.
    let r = send(
        server.addr,
        "PATCH",
        &package(ids[0]),
        &[("Content-Type", "application/json"), ("If-Match", &t)],
        Some(r#"{"status": "not_started"}"#),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(fields_of(&r), ["status"]);

    // Approving: If-Match required and checked; a manager is refused.
    let approve = format!("{}/approve", package(ids[0]));
    let r = post(&server, &approve, &approver, None, "{}");
    assert_eq!(r.status, 428, "{}", r.body);
    let r = post(&server, &approve, &approver, Some("\"999999\""), "{}");
    assert_eq!(r.status, 412, "{}", r.body);
    let r = post(&server, &approve, &manager, Some(&t), "{}");
    assert_eq!(r.status, 403, "{}", r.body);
    let body = serde_json::json!({ "comment": HOSTILE }).to_string();
    let r = post(&server, &approve, &approver, Some(&t), &body);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "approved");
    let new_tag = r.header("etag").unwrap().to_string();
    assert_ne!(new_tag, t);
    assert_eq!(
        new_tag,
        tag(ids[0]),
        "the answer's ETag is the package's now"
    );
    let entries = history(&server, "work_package", ids[0]);
    assert_eq!(entries[0]["action"], "approve");
    assert_eq!(change(&entries[0], "comment").as_deref(), Some(HOSTILE));
    assert_eq!(change(&entries[0], "status").as_deref(), Some("approved"));
    // Not proposed any more: a 422 naming status.
    let r = post(&server, &approve, &approver, Some(&new_tag), "{}");
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(fields_of(&r), ["status"]);

    // Rejecting needs the reason.
    let reject = format!("{}/reject", package(ids[1]));
    let t = tag(ids[1]);
    let r = post(&server, &reject, &approver, Some(&t), "{}");
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(fields_of(&r), ["comment"]);
    let r = post(&server, &reject, &approver, Some(&t), r#"{"comment": 3}"#);
    assert_eq!(r.status, 422, "{}", r.body);
    let r = post(
        &server,
        &reject,
        &approver,
        Some(&t),
        r#"{"comment": "Duplicates 10.1.3", "extra": 1}"#,
    );
    assert_eq!(r.status, 422, "unknown fields refused: {}", r.body);
    let r = post(&server, &reject, &manager, Some(&t), r#"{"comment": "No"}"#);
    assert_eq!(r.status, 403, "{}", r.body);
    let r = post(
        &server,
        &reject,
        &approver,
        Some(&t),
        r#"{"comment": "Duplicates 10.1.3"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "rejected");
    assert_eq!(
        history(&server, "work_package", ids[1])[0]["action"],
        "reject"
    );

    // An unknown package is a 404.
    let r = post(
        &server,
        "/api/v1/work-packages/999999/approve",
        &approver,
        Some("*"),
        "{}",
    );
    assert_eq!(r.status, 404, "{}", r.body);
}

#[test]
fn approvers_approve_and_supersede_plans() {
    let server = start();
    let plans = get(&server, "/api/v1/plans").json();
    let plan = plans["items"][0]["id"].as_i64().unwrap();
    assert_eq!(plans["items"][0]["status"], "draft");
    let manager = server.token_for(server.account("m@example.org", Role::Manager, PASSWORD));
    let approver = server.token_for(server.account("a@example.org", Role::Approver, PASSWORD));
    let path = format!("/api/v1/plans/{plan}");
    let t = get(&server, &path).header("etag").unwrap().to_string();

    let approve = format!("{path}/approve");
    assert_eq!(post(&server, &approve, &approver, None, "{}").status, 428);
    assert_eq!(
        post(&server, &approve, &approver, Some("\"999999\""), "{}").status,
        412
    );
    assert_eq!(
        post(&server, &approve, &manager, Some(&t), "{}").status,
        403
    );
    let r = post(
        &server,
        &approve,
        &approver,
        Some(&t),
        r#"{"comment": "Agreed in March"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let answer = r.json();
    assert_eq!(answer["plan"]["status"], "approved");
    assert!(answer["approved_packages"].as_u64().unwrap() > 0);
    assert!(
        answer["baseline_name"]
            .as_str()
            .unwrap()
            .starts_with("Plan approved ")
    );
    assert_eq!(
        r.header("etag").unwrap(),
        get(&server, &path).header("etag").unwrap()
    );
    let baselines = get(&server, &format!("{path}/baselines")).json();
    assert_eq!(baselines["items"][0]["id"], answer["baseline_id"]);
    let none_proposed = get(
        &server,
        &format!("/api/v1/plans/{plan}/work-packages?status=proposed"),
    )
    .json();
    assert_eq!(none_proposed["total"], 0);
    let entries = history(&server, "plan", plan);
    assert_eq!(entries[0]["action"], "approve");
    assert_eq!(
        change(&entries[0], "comment").as_deref(),
        Some("Agreed in March")
    );
    // A second approval: not a draft.
    let t = get(&server, &path).header("etag").unwrap().to_string();
    let r = post(&server, &approve, &approver, Some(&t), "{}");
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(fields_of(&r), ["status"]);

    // Superseding.
    let supersede = format!("{path}/supersede");
    assert_eq!(post(&server, &supersede, &approver, None, "{}").status, 428);
    assert_eq!(
        post(&server, &supersede, &manager, Some(&t), "{}").status,
        403
    );
    let r = post(
        &server,
        &supersede,
        &approver,
        Some(&t),
        r#"{"superseded_by": "999999"}"#,
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(fields_of(&r), ["superseded_by"]);
    let r = post(
        &server,
        &supersede,
        &approver,
        Some(&t),
        r#"{"superseded_by": "x"}"#,
    );
    assert_eq!(r.status, 422, "{}", r.body);
    let r = post(
        &server,
        &supersede,
        &approver,
        Some(&t),
        r#"{"comment": "The 2008 plan replaces it"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "superseded");
    assert_eq!(history(&server, "plan", plan)[0]["action"], "supersede");
}

#[test]
fn the_pages_approve_and_reject_with_a_comment() {
    let server = start();
    server.account("a@example.org", Role::Approver, PASSWORD);
    server.account("m@example.org", Role::Manager, PASSWORD);
    let mut approver = Browser::anonymous(&server);
    approver.sign_in("a@example.org", PASSWORD);
    let plan = plan_id(&mut approver);
    let package = common::package_id(&mut approver, &plan, "10.1.1");
    let page = format!("/work-packages/{package}");

    let shown = approver.get(&page).body;
    assert!(
        shown.contains(&format!("href=\"{page}/approve\"")),
        "Approve for approvers"
    );
    assert!(shown.contains(&format!("href=\"{page}/reject\"")));

    // Rejecting without a reason: the form again, with the error.
    let (form, token) = approver.get_form(&format!("{page}/reject"));
    assert_eq!(form.status, 200, "{}", form.body);
    let version = common::must_find(&form.body, "name=\"version\" value=\"", "version")
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = approver.post(
        &format!("{page}/reject"),
        &[
            ("csrf_token", &token),
            ("version", &version),
            ("comment", " "),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("<title>Error: "));
    assert!(r.body.contains("Say why the package is rejected"));
    assert!(r.body.contains("href=\"#comment\""));

    // A stale version: 409, the comment kept.
    let token = csrf_token(&r.body);
    let r = approver.post(
        &format!("{page}/approve"),
        &[
            ("csrf_token", &token),
            ("version", "999999"),
            ("comment", "Kept"),
        ],
    );
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains(">Kept</textarea>"), "{}", r.body);

    // Approving with hostile text: stored and shown back verbatim, inert.
    let token = csrf_token(&r.body);
    let version = common::must_find(&r.body, "name=\"version\" value=\"", "version")
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = approver.post(
        &format!("{page}/approve"),
        &[
            ("csrf_token", &token),
            ("version", &version),
            ("comment", HOSTILE),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let to = r.header("location").unwrap().to_string();
    let shown = approver.get(&to).body;
    assert!(shown.contains("The work package has been approved."));
    assert!(shown.contains("approved it"));
    assert!(!shown.contains("<script>alert"), "escaped");
    assert!(
        shown.contains("&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62; &#34;quoted&#34; O&#39;Brien; DROP TABLE work_package; --"),
        "verbatim, escaped: {}",
        common::must_find(&shown, "history-comment", "the comment")
            .chars()
            .take(200)
            .collect::<String>()
    );
    assert!(
        !shown.contains(&format!("href=\"{page}/approve\"")),
        "no longer proposed"
    );

    // A manager sees no buttons and is refused.
    let mut manager = Browser::anonymous(&server);
    manager.sign_in("m@example.org", PASSWORD);
    let other = common::package_id(&mut manager, &plan, "10.1.2");
    let body = manager.get(&format!("/work-packages/{other}")).body;
    assert!(!body.contains("/approve\""));
    assert_eq!(
        manager
            .get(&format!("/work-packages/{other}/approve"))
            .status,
        403
    );

    // The plan: approve from the overview.
    let overview = approver.get(&format!("/plans/{plan}")).body;
    assert!(overview.contains("Plan status: <span class=\"tag tag--draft\">Draft</span>"));
    assert!(overview.contains(&format!("href=\"/plans/{plan}/approve\"")));
    let (form, token) = approver.get_form(&format!("/plans/{plan}/approve"));
    assert_eq!(form.status, 200);
    let version = common::must_find(&form.body, "name=\"version\" value=\"", "version")
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = approver.post(
        &format!("/plans/{plan}/approve"),
        &[
            ("csrf_token", &token),
            ("version", &version),
            ("comment", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let to = r.header("location").unwrap().to_string();
    assert!(to.ends_with("?baseline=approved"), "{to}");
    let baseline = approver.get(&to).body;
    assert!(baseline.contains("The plan has been approved"));
    let list = approver.get("/").body;
    assert!(list.contains("tag--approved\">Approved</span>"));
    let overview = approver.get(&format!("/plans/{plan}")).body;
    assert!(overview.contains(&format!("href=\"/plans/{plan}/supersede\"")));
}
