//! The lifecycle over HTTP: status changes along the table (422 naming
//! `status`), approving and rejecting packages and approving and superseding
//! plans (approvers only, `If-Match`: 428/412, audited with the comment), in
//! the API and the pages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    Browser, PASSWORD, audit_of, changed_to, csrf_token, etag, fields, get_ok, json_as, plan_id,
    plan_of, send, start,
};
use waymark_core::access::Role;

const HOSTILE: &str = "<script>alert('x')</script> \"quoted\" O'Brien; DROP TABLE work_package; --";

#[test]
fn packages_move_along_the_table_and_approvers_decide() {
    let server = start();
    let plan = plan_of(&server);
    let items = get_ok(
        &server,
        &format!("/api/v1/plans/{plan}/work-packages?per_page=3"),
    )
    .json();
    let ids = common::ids(&items);
    assert_eq!(items["items"][0]["status"], "proposed");
    let manager = server.token_as("m@example.org", Role::Manager);
    let approver = server.token_as("a@example.org", Role::Approver);
    let package = |id: i64| format!("/api/v1/work-packages/{id}");
    let tag = |id: i64| etag(&server, &package(id));

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
    assert_eq!(fields(&r), ["status"]);
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
    assert_eq!(fields(&r), ["status"]);

    // Approving: If-Match required and checked; a manager is refused.
    let approve = format!("{}/approve", package(ids[0]));
    let r = json_as(&server, "POST", &approve, &approver, None, "{}");
    assert_eq!(r.status, 428, "{}", r.body);
    let r = json_as(
        &server,
        "POST",
        &approve,
        &approver,
        Some("\"999999\""),
        "{}",
    );
    assert_eq!(r.status, 412, "{}", r.body);
    let r = json_as(&server, "POST", &approve, &manager, Some(&t), "{}");
    assert_eq!(r.status, 403, "{}", r.body);
    let body = serde_json::json!({ "comment": HOSTILE }).to_string();
    let r = json_as(&server, "POST", &approve, &approver, Some(&t), &body);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "approved");
    let new_tag = r.header("etag").unwrap().to_string();
    assert_ne!(new_tag, t);
    assert_eq!(
        new_tag,
        tag(ids[0]),
        "the answer's ETag is the package's now"
    );
    let entries = audit_of(&server, "work_package", ids[0]);
    assert_eq!(entries[0]["action"], "approve");
    assert_eq!(changed_to(&entries[0], "comment").as_deref(), Some(HOSTILE));
    assert_eq!(
        changed_to(&entries[0], "status").as_deref(),
        Some("approved")
    );
    // Not proposed any more: a 422 naming status.
    let r = json_as(&server, "POST", &approve, &approver, Some(&new_tag), "{}");
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(fields(&r), ["status"]);

    // Rejecting needs the reason.
    let reject = format!("{}/reject", package(ids[1]));
    let t = tag(ids[1]);
    let r = json_as(&server, "POST", &reject, &approver, Some(&t), "{}");
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(fields(&r), ["comment"]);
    let r = json_as(
        &server,
        "POST",
        &reject,
        &approver,
        Some(&t),
        r#"{"comment": 3}"#,
    );
    assert_eq!(r.status, 422, "{}", r.body);
    let r = json_as(
        &server,
        "POST",
        &reject,
        &approver,
        Some(&t),
        r#"{"comment": "Duplicates 10.1.3", "extra": 1}"#,
    );
    assert_eq!(r.status, 422, "unknown fields refused: {}", r.body);
    let r = json_as(
        &server,
        "POST",
        &reject,
        &manager,
        Some(&t),
        r#"{"comment": "No"}"#,
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = json_as(
        &server,
        "POST",
        &reject,
        &approver,
        Some(&t),
        r#"{"comment": "Duplicates 10.1.3"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "rejected");
    assert_eq!(
        audit_of(&server, "work_package", ids[1])[0]["action"],
        "reject"
    );

    // An unknown package is a 404.
    let r = json_as(
        &server,
        "POST",
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
    let plans = get_ok(&server, "/api/v1/plans").json();
    let plan = plans["items"][0]["id"].as_i64().unwrap();
    assert_eq!(plans["items"][0]["status"], "draft");
    let manager = server.token_as("m@example.org", Role::Manager);
    let approver = server.token_as("a@example.org", Role::Approver);
    let path = format!("/api/v1/plans/{plan}");
    let t = etag(&server, &path);

    let approve = format!("{path}/approve");
    assert_eq!(
        json_as(&server, "POST", &approve, &approver, None, "{}").status,
        428
    );
    assert_eq!(
        json_as(
            &server,
            "POST",
            &approve,
            &approver,
            Some("\"999999\""),
            "{}"
        )
        .status,
        412
    );
    assert_eq!(
        json_as(&server, "POST", &approve, &manager, Some(&t), "{}").status,
        403
    );
    let r = json_as(
        &server,
        "POST",
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
        get_ok(&server, &path).header("etag").unwrap()
    );
    let baselines = get_ok(&server, &format!("{path}/baselines")).json();
    assert_eq!(baselines["items"][0]["id"], answer["baseline_id"]);
    let none_proposed = get_ok(
        &server,
        &format!("/api/v1/plans/{plan}/work-packages?status=proposed"),
    )
    .json();
    assert_eq!(none_proposed["total"], 0);
    let entries = audit_of(&server, "plan", plan);
    assert_eq!(entries[0]["action"], "approve");
    assert_eq!(
        changed_to(&entries[0], "comment").as_deref(),
        Some("Agreed in March")
    );
    // A second approval: not a draft.
    let t = etag(&server, &path);
    let r = json_as(&server, "POST", &approve, &approver, Some(&t), "{}");
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(fields(&r), ["status"]);

    // Superseding.
    let supersede = format!("{path}/supersede");
    assert_eq!(
        json_as(&server, "POST", &supersede, &approver, None, "{}").status,
        428
    );
    assert_eq!(
        json_as(&server, "POST", &supersede, &manager, Some(&t), "{}").status,
        403
    );
    let r = json_as(
        &server,
        "POST",
        &supersede,
        &approver,
        Some(&t),
        r#"{"superseded_by": "999999"}"#,
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(fields(&r), ["superseded_by"]);
    let r = json_as(
        &server,
        "POST",
        &supersede,
        &approver,
        Some(&t),
        r#"{"superseded_by": "x"}"#,
    );
    assert_eq!(r.status, 422, "{}", r.body);
    let r = json_as(
        &server,
        "POST",
        &supersede,
        &approver,
        Some(&t),
        r#"{"comment": "The 2008 plan replaces it"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["status"], "superseded");
    assert_eq!(audit_of(&server, "plan", plan)[0]["action"], "supersede");
}

#[test]
fn the_pages_approve_and_reject_with_a_comment() {
    let server = start();
    server.account("m@example.org", Role::Manager, PASSWORD);
    let mut approver = server.signed_in("a@example.org", Role::Approver);
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
    let mut manager = Browser::as_account(&server, "m@example.org");
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
