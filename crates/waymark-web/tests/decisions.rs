//! The decision log over HTTP: the API (create, list and search, read with
//! its ETag, change and delete at a version, the fields it refuses, who may
//! write), and the pages (the log, recording, changing and deleting a
//! decision, the package page listing it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Browser, api_package, fields, json, package_id, plan_id, plan_of, send};
use waymark_core::access::Role;

#[test]
fn the_api_records_lists_searches_changes_and_deletes_decisions() {
    let server = common::start();
    let plan = plan_of(&server);
    let wp = api_package(&server, plan, "10.1.1");
    let programme = send(
        server.addr,
        "GET",
        &format!("/api/v1/plans/{plan}/programmes"),
        &[],
        None,
    )
    .json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let body = serde_json::json!({
        "date": "2007-03-14",
        "meeting": "ICT Strategy Group, March 2007",
        "text": "Adopt e-CAF across the directorate <script>alert(1)</script>",
        "rationale": "Safeguarding comes first; 'quotes' and \"doubles\"; DROP TABLE decision;",
        "decided_by": "ICT Strategy Group",
        "work_package_ids": [wp],
        "programme_ids": [programme],
    });
    let path = format!("/api/v1/plans/{plan}/decisions");
    let res = json(&server, "POST", &path, &[], &body.to_string());
    assert_eq!(res.status, 201, "{}", res.body);
    let made = res.json();
    let id = made["id"].as_i64().unwrap();
    assert_eq!(
        res.header("Location"),
        Some(format!("/api/v1/decisions/{id}").as_str())
    );
    let etag = res.header("ETag").unwrap().to_string();
    assert_eq!(made["work_packages"][0]["reference"], "10.1.1");
    assert_eq!(made["programmes"][0]["id"], programme);
    // Stored and given back verbatim.
    assert_eq!(made["text"], body["text"]);
    assert_eq!(made["rationale"], body["rationale"]);

    let one = send(
        server.addr,
        "GET",
        &format!("/api/v1/decisions/{id}"),
        &[],
        None,
    );
    assert_eq!(one.status, 200);
    assert_eq!(one.header("ETag"), Some(etag.as_str()));
    assert_eq!(one.json()["date"], "2007-03-14");

    // A second, later decision comes first; the search finds by any text.
    let later = serde_json::json!({
        "date": "2007-06-01", "meeting": "Programme board", "text": "Close the ISA project",
        "decided_by": "Head of ICT",
    });
    let res = json(&server, "POST", &path, &[], &later.to_string());
    assert_eq!(res.status, 201, "{}", res.body);
    let later_id = res.json()["id"].as_i64().unwrap();
    let list = send(server.addr, "GET", &path, &[], None).json();
    let ids = common::ids(&list);
    assert_eq!(ids, vec![later_id, id]);
    let found = send(
        server.addr,
        "GET",
        &format!("{path}?q=safeguarding"),
        &[],
        None,
    )
    .json();
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
    assert_eq!(found["items"][0]["id"], id);
    let found = send(server.addr, "GET", &format!("{path}?q=head+isa"), &[], None).json();
    assert_eq!(found["items"][0]["id"], later_id);
    let none = send(
        server.addr,
        "GET",
        &format!("{path}?q=%E2%9C%93"),
        &[],
        None,
    );
    assert_eq!(none.status, 422, "{}", none.body);
    assert_eq!(fields(&none), ["q"]);
    let other = send(server.addr, "GET", &format!("{path}?status=x"), &[], None);
    assert_eq!(other.status, 400, "{}", other.body);

    // A change needs the version; a stale one changes nothing.
    let one_path = format!("/api/v1/decisions/{id}");
    let patch = r#"{"text": "Adopt e-CAF in two phases", "work_package_ids": []}"#;
    assert_eq!(json(&server, "PATCH", &one_path, &[], patch).status, 428);
    let res = json(&server, "PATCH", &one_path, &[("If-Match", &etag)], patch);
    assert_eq!(res.status, 200, "{}", res.body);
    let changed = res.json();
    assert_eq!(changed["text"], "Adopt e-CAF in two phases");
    assert_eq!(changed["work_packages"].as_array().unwrap().len(), 0);
    // Left out: kept.
    assert_eq!(changed["programmes"][0]["id"], programme);
    assert_eq!(changed["meeting"], "ICT Strategy Group, March 2007");
    let new_etag = res.header("ETag").unwrap().to_string();
    assert_ne!(new_etag, etag);
    let stale = json(&server, "PATCH", &one_path, &[("If-Match", &etag)], patch);
    assert_eq!(stale.status, 412, "{}", stale.body);
    let stale = send(
        server.addr,
        "DELETE",
        &one_path,
        &[("If-Match", &etag)],
        None,
    );
    assert_eq!(stale.status, 412);

    // Each change is in the audit trail.
    let audit = send(
        server.addr,
        "GET",
        &format!("/api/v1/audit?entity_kind=decision&entity_id={id}"),
        &[],
        None,
    )
    .json();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["update", "create"]);

    assert_eq!(
        send(
            server.addr,
            "DELETE",
            &one_path,
            &[("If-Match", &new_etag)],
            None
        )
        .status,
        204
    );
    assert_eq!(send(server.addr, "GET", &one_path, &[], None).status, 404);
}

#[test]
fn the_api_names_each_wrong_field() {
    let server = common::start();
    let plan = plan_of(&server);
    let path = format!("/api/v1/plans/{plan}/decisions");
    let post = |body: serde_json::Value| json(&server, "POST", &path, &[], &body.to_string());
    let good = serde_json::json!({
        "date": "2007-03-14", "meeting": "Group", "text": "Decided", "decided_by": "Group",
    });
    let with = |key: &str, value: serde_json::Value| {
        let mut b = good.clone();
        b[key] = value;
        b
    };
    for (body, field) in [
        (with("date", "14/03/2007".into()), "date"),
        (with("date", "2007-02-30".into()), "date"),
        (with("date", "0207-03-14".into()), "date"),
        (with("text", "  ".into()), "text"),
        (with("meeting", "two\nlines".into()), "meeting"),
        (with("decided_by", "".into()), "decided_by"),
        (
            with("work_package_ids", serde_json::json!([999_999])),
            "work_package_ids",
        ),
        (
            with("work_package_ids", serde_json::json!(["10.1.1"])),
            "work_package_ids",
        ),
        (with("programme_ids", serde_json::json!(7)), "programme_ids"),
        (with("colour", "red".into()), "colour"),
    ] {
        let res = post(body.clone());
        assert_eq!(res.status, 422, "{body}: {}", res.body);
        assert_eq!(fields(&res), [field], "{body}");
    }
    // A package of another plan is refused too.
    let imported = waymark_core::import::import(
        common::SEED,
        waymark_core::import::Format::PlanText,
        &waymark_core::import::ImportOptions {
            default_title: Some("Another plan".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let other_plan = server
        .store
        .import_plan(
            &imported.plan,
            waymark_store::OnExisting::Refuse,
            &waymark_store::Actor::Cli {
                user: String::new(),
            },
        )
        .unwrap();
    let foreign = api_package(&server, other_plan.0, "10.1.1");
    let res = post(with("work_package_ids", serde_json::json!([foreign])));
    assert_eq!(res.status, 422, "{}", res.body);
    assert_eq!(fields(&res), ["work_package_ids"]);
    // Nothing was recorded.
    let list = send(server.addr, "GET", &path, &[], None).json();
    assert!(list["items"].as_array().unwrap().is_empty());
    // A plan that is not there.
    assert_eq!(
        json(
            &server,
            "POST",
            "/api/v1/plans/999999/decisions",
            &[],
            &good.to_string()
        )
        .status,
        404
    );
    assert_eq!(
        send(
            server.addr,
            "GET",
            "/api/v1/plans/999999/decisions",
            &[],
            None
        )
        .status,
        404
    );
}

#[test]
fn managers_record_decisions_and_viewers_and_contributors_read_them() {
    let server = common::start();
    let plan = plan_of(&server);
    let path = format!("/api/v1/plans/{plan}/decisions");
    let body =
        r#"{"date": "2007-03-14", "meeting": "Group", "text": "Decided", "decided_by": "Group"}"#;
    for (email, role) in [
        ("v@example.org", Role::Viewer),
        ("c@example.org", Role::Contributor),
    ] {
        let token = server.token_as(email, role);
        let bearer = format!("Bearer {token}");
        let res = json(&server, "POST", &path, &[("Authorization", &bearer)], body);
        assert_eq!(res.status, 403, "{role}: {}", res.body);
        let res = send(
            server.addr,
            "GET",
            &path,
            &[("Authorization", &bearer)],
            None,
        );
        assert_eq!(res.status, 200, "{role}");
    }
    let manager = server.token_as("m@example.org", Role::Manager);
    let bearer = format!("Bearer {manager}");
    let res = json(&server, "POST", &path, &[("Authorization", &bearer)], body);
    assert_eq!(res.status, 201, "{}", res.body);
    let audit = send(
        server.addr,
        "GET",
        "/api/v1/audit?entity_kind=decision",
        &[],
        None,
    )
    .json();
    assert_eq!(audit["items"][0]["actor_kind"], "token", "{audit}");
}

// ---------------------------------------------------------------- pages

#[test]
fn a_decision_is_recorded_shown_on_its_package_changed_and_deleted_in_the_browser() {
    let server = common::start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let wp = package_id(&mut b, &plan, "10.1.1");

    // The overview links to the log; the log offers to record one.
    assert!(
        b.get(&format!("/plans/{plan}"))
            .body
            .contains(&format!("href=\"/plans/{plan}/decisions\""))
    );
    let log = b.get(&format!("/plans/{plan}/decisions"));
    assert_eq!(log.status, 200);
    assert!(log.body.contains("No decision has been recorded yet."));
    assert!(
        log.body
            .contains(&format!("href=\"/plans/{plan}/decisions/new\""))
    );

    let new = format!("/plans/{plan}/decisions/new");
    let (form, token) = b.get_form(&new);
    assert!(
        form.body.contains("value=\"ICT Strategy Group\""),
        "the group is offered"
    );
    assert!(
        form.body
            .contains(&format!("name=\"work_package_ids\" value=\"{wp}\""))
    );

    // A wrong date comes back beside its field, with what was typed.
    let res = b.post(
        &new,
        &[
            ("csrf_token", &token),
            ("date", "14 March"),
            ("meeting", "ICT Strategy Group, March 2007"),
            ("text", "Adopt e-CAF"),
            ("decided_by", "ICT Strategy Group"),
            ("work_package_ids", &wp),
        ],
    );
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("<title>Error: "));
    assert!(res.body.contains("href=\"#date\""));
    assert!(res.body.contains("Adopt e-CAF"));
    assert!(res.body.contains(&format!("value=\"{wp}\" checked")));

    let res = b.post(
        &new,
        &[
            ("csrf_token", &token),
            ("date", "2007-03-14"),
            ("meeting", "ICT Strategy Group, March 2007"),
            ("text", "Adopt e-CAF <script>alert(1)</script>"),
            ("rationale", "Safeguarding comes first."),
            ("decided_by", "ICT Strategy Group"),
            ("work_package_ids", &wp),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let to = res.header("Location").unwrap().to_string();
    assert!(
        to.starts_with(&format!(
            "/plans/{plan}/decisions?decision=recorded#decision-"
        )),
        "{to}"
    );
    let id = common::digits(to.rsplit("#decision-").next().unwrap());

    let log = b.get(&to);
    assert!(log.body.contains("The decision has been recorded."));
    assert!(
        log.body
            .contains("<time datetime=\"2007-03-14\">14 March 2007</time>")
    );
    assert!(
        log.body.contains("Adopt e-CAF &#60;script&#62;")
            || log.body.contains("Adopt e-CAF &lt;script&gt;")
    );
    assert!(!log.body.contains("<script>alert(1)"));
    assert!(log.body.contains(&format!("href=\"/work-packages/{wp}\"")));
    assert!(log.body.contains(&format!("href=\"/decisions/{id}/edit\"")));

    // Searched by a word of the rationale; a search that finds nothing says so.
    let found = b.get(&format!("/plans/{plan}/decisions?q=safeguarding"));
    assert!(
        found.body.contains("1 decision match the search."),
        "{}",
        found.body
    );
    let none = b.get(&format!("/plans/{plan}/decisions?q=finance"));
    assert!(none.body.contains("No decision matches the search."));
    assert!(!none.body.contains(&format!("id=\"decision-{id}\"")));

    // The package lists it, linking to the log.
    let page = b.get(&format!("/work-packages/{wp}"));
    assert!(
        page.body
            .contains(&format!("href=\"/plans/{plan}/decisions#decision-{id}\"")),
        "{}",
        page.body
    );

    // Changed at the version the form was opened on: the package unticked.
    let edit = format!("/decisions/{id}/edit");
    let (form, token) = b.get_form(&edit);
    assert!(form.body.contains(&format!("value=\"{wp}\" checked")));
    let res = b.post(
        &edit,
        &[
            ("csrf_token", &token),
            ("date", "2007-03-15"),
            ("meeting", "ICT Strategy Group, March 2007"),
            ("text", "Adopt e-CAF in two phases"),
            ("decided_by", "Head of ICT"),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let log = b.get(res.header("Location").unwrap());
    assert!(log.body.contains("The decision has been changed."));
    assert!(log.body.contains("Head of ICT"));
    let page = b.get(&format!("/work-packages/{wp}"));
    assert!(
        page.body
            .contains("No decision in the log concerns this package.")
    );

    // Deleted after the confirmation.
    let delete = format!("/decisions/{id}/delete");
    let (confirm, token) = b.get_form(&delete);
    assert!(
        confirm
            .body
            .contains("Are you sure you want to delete the decision of 15 March 2007?")
    );
    let res = b.post(&delete, &[("csrf_token", &token)]);
    assert_eq!(res.status, 303, "{}", res.body);
    let log = b.get(res.header("Location").unwrap());
    assert!(log.body.contains("The decision has been deleted."));
    assert_eq!(b.get(&edit).status, 404);
}

#[test]
fn a_form_opened_before_someone_else_changed_the_decision_comes_back() {
    let server = common::start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let api = format!("/api/v1/plans/{plan}/decisions");
    let res = json(
        &server,
        "POST",
        &api,
        &[],
        r#"{"date": "2007-03-14", "meeting": "Group", "text": "First words", "decided_by": "Group"}"#,
    );
    let id = res.json()["id"].as_i64().unwrap();
    let etag = res.header("ETag").unwrap().to_string();
    let edit = format!("/decisions/{id}/edit");
    let (form, token) = b.get_form(&edit);
    let version = common::version_of(&form.body).unwrap();
    // Meanwhile, through the API.
    let res = json(
        &server,
        "PATCH",
        &format!("/api/v1/decisions/{id}"),
        &[("If-Match", &etag)],
        r#"{"meeting": "Programme board"}"#,
    );
    assert_eq!(res.status, 200, "{}", res.body);
    let res = b.post_as_is(
        &edit,
        &[
            ("csrf_token", &token),
            ("version", &version),
            ("date", "2007-03-14"),
            ("meeting", "Group"),
            ("text", "Second words"),
            ("decided_by", "Group"),
        ],
    );
    assert_eq!(res.status, 409, "{}", res.body);
    assert!(res.body.contains("What someone else changed"));
    // Nothing of the form was stored.
    let now = send(
        server.addr,
        "GET",
        &format!("/api/v1/decisions/{id}"),
        &[],
        None,
    )
    .json();
    assert_eq!(now["text"], "First words");
}

#[test]
fn viewers_read_the_log_without_the_forms() {
    let server = common::start();
    server.account(
        "viewer@example.org",
        Role::Viewer,
        "a password for the tests",
    );
    let plan = plan_of(&server);
    let res = json(
        &server,
        "POST",
        &format!("/api/v1/plans/{plan}/decisions"),
        &[],
        r#"{"date": "2007-03-14", "meeting": "Group", "text": "Decided", "decided_by": "Group"}"#,
    );
    let id = res.json()["id"].as_i64().unwrap();
    let mut b = Browser::as_account(&server, "viewer@example.org");
    let log = b.get(&format!("/plans/{plan}/decisions"));
    assert_eq!(log.status, 200);
    assert!(log.body.contains("Decided"));
    assert!(!log.body.contains("/decisions/new"));
    assert!(!log.body.contains(&format!("/decisions/{id}/edit")));
    assert_eq!(b.get(&format!("/plans/{plan}/decisions/new")).status, 403);
    assert_eq!(b.get(&format!("/decisions/{id}/delete")).status, 403);
}
