//! The lifecycle over HTTP: status changes along the table (422 naming
//! `status`), approving and rejecting packages and approving and superseding
//! plans (approvers only, `If-Match`: 428/412, audited with the comment), in
//! the API and the pages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    Browser, PASSWORD, api_package, assert_problem, audit_of, changed_to, csrf_token, etag, fields,
    get_json, get_ok, json_as, patch_as, plan_id, plan_of, send, start,
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

/// The fields of a package form, as a person fills them in (the edit form
/// and the new-package form take the same).
fn package_form<'a>(
    token: &'a str,
    section: &'a str,
    title: &'a str,
    status: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", token),
        ("section_id", section),
        ("number", ""),
        ("title", title),
        ("scope", ""),
        ("relationships", ""),
        ("delivery", "Q3 2007"),
        ("comments", ""),
        ("influences", ""),
        ("related_items", ""),
        ("owner", ""),
        ("status", status),
        ("rag", ""),
        ("progress", if status == "delivered" { "100" } else { "0" }),
        ("actual_delivery", ""),
    ]
}

/// Post the edit form of package `reference` (of section 10.1) as `b`, its
/// title and status typed; the statuses the form offered, and the answer.
fn edit_status(
    b: &mut Browser,
    plan: &str,
    reference: &str,
    title: &str,
    status: &str,
) -> (Vec<String>, common::Response) {
    let package = common::package_id(b, plan, reference);
    let edit = format!("/work-packages/{package}/edit");
    let (form, token) = b.get_form(&edit);
    let section = common::option_value(&form.body, "10.1 Core business systems");
    let number = reference.rsplit('.').next().unwrap();
    let mut fields = package_form(&token, &section, title, status);
    fields[2] = ("number", number);
    (offered_statuses(&form.body), b.post(&edit, &fields))
}

/// The message a form page shows beside its Status field; panics when there
/// is none.
fn status_error(body: &str) -> String {
    common::must_find(
        body,
        "<p class=\"error-message\" id=\"status-error\">",
        "the status error",
    )
    .split("</p>")
    .next()
    .unwrap_or_default()
    .to_string()
}

/// The statuses a package form offers, in order (its radios' values).
fn offered_statuses(body: &str) -> Vec<String> {
    body.split("name=\"status\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

/// Adding a package past proposed needs `approve`, as the move from
/// proposed would: a manager's POST is refused as a manager's PATCH to
/// approved is (403, a problem naming `status`), and nothing is stored; an
/// approver may; nobody adds one rejected (422 naming `status`: Reject it,
/// saying why).
#[test]
fn adding_a_package_past_proposed_in_the_api_needs_approve() {
    let server = start();
    let plan = plan_of(&server);
    let manager = server.token_as("m@example.org", Role::Manager);
    let approver = server.token_as("a@example.org", Role::Approver);
    let first = api_package(&server, plan, "10.1.1");
    let path = format!("/api/v1/work-packages/{first}");
    let section = get_json(&server, &path)["section_id"].as_i64().unwrap();
    let create = format!("/api/v1/plans/{plan}/work-packages");
    let body = |status: &str| {
        serde_json::json!({
            "section_id": section,
            "title": format!("Added as {status}"),
            "status": status,
            "progress": if matches!(status, "delivered" | "closed") { 100 } else { 0 },
        })
        .to_string()
    };
    let count = || get_json(&server, &format!("{create}?per_page=1"))["total"].clone();
    let before = count();

    // A manager's PATCH to approved: 403 naming status.
    let patch = patch_as(&server, &path, &manager, r#"{"status":"approved"}"#);
    assert_problem(&patch, 403, "status");
    assert!(
        patch.body.contains("from proposed to approved"),
        "{}",
        patch.body
    );
    // A manager's POST past proposed: the same answer.
    for status in ["approved", "in_progress", "on_hold", "delivered", "closed"] {
        let r = json_as(&server, "POST", &create, &manager, None, &body(status));
        assert_problem(&r, 403, "status");
        assert_eq!(r.json()["type"], patch.json()["type"]);
        assert!(r.body.contains(&format!("as {status}")), "{}", r.body);
    }
    // Nobody adds a rejected package.
    for token in [&manager, &approver] {
        let r = json_as(&server, "POST", &create, token, None, &body("rejected"));
        assert_problem(&r, 422, "status");
        assert!(r.body.contains("Reject"), "{}", r.body);
    }
    assert_eq!(count(), before, "a refusal stores nothing");

    // A manager may add a package proposed (the status left out) or cancelled.
    let r = json_as(
        &server,
        "POST",
        &create,
        &manager,
        None,
        &format!(r#"{{"section_id":{section},"title":"No status given"}}"#),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["status"], "proposed");
    for status in ["proposed", "cancelled"] {
        let r = json_as(&server, "POST", &create, &manager, None, &body(status));
        assert_eq!(r.status, 201, "{status}: {}", r.body);
        assert_eq!(r.json()["status"], status);
    }
    // An approver may add one with any status but rejected.
    for status in ["approved", "in_progress", "on_hold", "delivered", "closed"] {
        let r = json_as(&server, "POST", &create, &approver, None, &body(status));
        assert_eq!(r.status, 201, "{status}: {}", r.body);
        assert_eq!(r.json()["status"], status);
    }
}

/// The new-package form offers a manager the statuses a new package may
/// start with without approval; one posted past them comes back (403) with
/// the error beside Status and what was typed kept, as a manager's edit
/// approving a package does. An approver is offered and may use the rest,
/// but rejected.
#[test]
fn the_new_package_form_offers_and_checks_the_statuses_the_caller_may_start_with() {
    let server = start();
    let mut manager = server.signed_in("m@example.org", Role::Manager);
    let mut approver = server.signed_in("a@example.org", Role::Approver);
    let plan = plan_id(&mut manager);
    let new = format!("/plans/{plan}/work-packages/new");

    let (form, token) = manager.get_form(&new);
    assert_eq!(form.status, 200, "{}", form.body);
    assert_eq!(offered_statuses(&form.body), ["proposed", "cancelled"]);
    let section = common::option_value(&form.body, "10.5 Organisation");
    let r = manager.post(
        &new,
        &package_form(&token, &section, "Typed by a manager", "approved"),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("<title>Error: "), "{}", r.body);
    let beside = status_error(&r.body);
    assert!(
        beside.contains("as approved") && beside.contains("approver role"),
        "{beside}"
    );
    assert!(
        r.body.contains("href=\"#status\""),
        "the summary links to it"
    );
    assert!(
        r.body.contains("value=\"Typed by a manager\""),
        "the title kept"
    );
    assert!(
        r.body
            .contains("name=\"status\" value=\"approved\" checked"),
        "the status chosen kept"
    );

    // A manager's edit approving a package: the same answer, on the edit form.
    let (offered, r) = edit_status(
        &mut manager,
        &plan,
        "10.1.1",
        "Application review",
        "approved",
    );
    assert!(!offered.contains(&"approved".to_string()));
    assert_eq!(r.status, 403, "{}", r.body);
    let beside = status_error(&r.body);
    assert!(beside.contains("from proposed to approved"), "{beside}");

    // An approver: offered every status but rejected, and may add one approved.
    let (form, token) = approver.get_form(&new);
    assert_eq!(
        offered_statuses(&form.body),
        [
            "proposed",
            "approved",
            "in_progress",
            "delivered",
            "closed",
            "on_hold",
            "cancelled"
        ]
    );
    let r = approver.post(
        &new,
        &package_form(&token, &section, "Agreed when added", "approved"),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = approver.get(r.header("location").unwrap());
    assert!(page.body.contains("Agreed when added"));
    assert!(page.body.contains(">Approved</span>"), "added approved");
}

/// Rejecting needs its reason, so neither a PATCH nor the edit form rejects
/// a package (422 naming `status`, pointing at Reject), even an approver's;
/// an approver's PATCH may approve, and the package's history records it
/// as an approval, as the approve endpoint does.
#[test]
fn an_edit_never_rejects_and_an_approving_edit_is_an_approval() {
    let server = start();
    let plan = plan_of(&server);
    let approver = server.token_as("a@example.org", Role::Approver);
    let first = api_package(&server, plan, "10.1.1");
    let path = format!("/api/v1/work-packages/{first}");
    let r = patch_as(&server, &path, &approver, r#"{"status":"rejected"}"#);
    assert_problem(&r, 422, "status");
    assert_eq!(fields(&r), ["status"]);
    assert!(r.body.contains("with Reject, saying why"), "{}", r.body);
    assert_eq!(get_json(&server, &path)["status"], "proposed");

    // The edit form: the same, beside Status, with what was typed kept.
    let mut b = Browser::as_account(&server, "a@example.org");
    let (offered, r) = edit_status(
        &mut b,
        &plan.to_string(),
        "10.1.2",
        "Renamed while rejecting",
        "rejected",
    );
    assert!(!offered.contains(&"rejected".to_string()));
    assert_eq!(r.status, 422, "{}", r.body);
    let beside = status_error(&r.body);
    assert!(beside.contains("with Reject, saying why"), "{beside}");
    assert!(
        r.body.contains("value=\"Renamed while rejecting\""),
        "the title kept"
    );

    // An approver's PATCH approving: an approval in the history.
    let r = patch_as(
        &server,
        &path,
        &approver,
        r#"{"status":"approved","owner":"Head of ICT"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let entries = audit_of(&server, "work_package", first);
    assert_eq!(entries[0]["action"], "approve");
    assert_eq!(
        changed_to(&entries[0], "status").as_deref(),
        Some("approved")
    );
    assert_eq!(
        changed_to(&entries[0], "owner").as_deref(),
        Some("Head of ICT")
    );
    let approvals = get_json(
        &server,
        "/api/v1/audit?entity_kind=work_package&action=approve",
    );
    assert_eq!(common::items(&approvals).len(), 1, "{approvals}");
    let page = b.get(&format!("/work-packages/{first}")).body;
    let history = common::must_find(&page, "id=\"history\"", "the history");
    assert!(
        history.contains("approved it"),
        "{}",
        history.chars().take(600).collect::<String>()
    );
}
