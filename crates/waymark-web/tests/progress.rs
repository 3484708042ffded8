//! Progress notes and the progress report over HTTP: the notes' API (create
//! with Location and ETag, newest first, read, change and delete at a
//! version, 428/412, 422 naming each field, audit entries, the package's RAG
//! set), who may add one (a contributor only on their own packages), the
//! report's API (what it compares with, a 422 naming a wrong parameter), and
//! the pages (the package page's notes and form, the report page).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    Browser, Server, api_package, csrf_token, etag, fields, json, package_id, plan_id, plan_of,
    send,
};
use waymark_core::access::Role;

const HOSTILE: &str =
    "<script>alert('x')</script> \"quoted\" & 'single'; DROP TABLE progress_note; --";

/// Give a package an owner (as the administrator).
fn set_owner(server: &Server, wp: i64, owner: &str) {
    let path = format!("/api/v1/work-packages/{wp}");
    let tag = etag(server, &path);
    let body = serde_json::json!({ "owner": owner }).to_string();
    let res = json(server, "PATCH", &path, &[("If-Match", &tag)], &body);
    assert_eq!(res.status, 200, "{}", res.body);
}

#[test]
fn the_api_adds_lists_changes_and_deletes_progress_notes() {
    let server = common::start();
    let plan = plan_of(&server);
    let wp = api_package(&server, plan, "10.1.1");
    let path = format!("/api/v1/work-packages/{wp}/progress-notes");
    let body = serde_json::json!({"date": "2007-03-14", "rag": "red", "text": HOSTILE});
    let res = json(&server, "POST", &path, &[], &body.to_string());
    assert_eq!(res.status, 201, "{}", res.body);
    let made = res.json();
    let id = made["id"].as_i64().unwrap();
    assert_eq!(
        res.header("Location"),
        Some(format!("/api/v1/progress-notes/{id}").as_str())
    );
    let etag = res.header("ETag").unwrap().to_string();
    assert_eq!(made["text"], HOSTILE, "stored and given back verbatim");
    assert_eq!(made["rag"], "red");
    assert_eq!(made["reference"], "10.1.1");
    assert!(!made["author"].as_str().unwrap().is_empty());
    // The note's RAG is the package's now.
    let package = send(
        server.addr,
        "GET",
        &format!("/api/v1/work-packages/{wp}"),
        &[],
        None,
    )
    .json();
    assert_eq!(package["rag"], "red");

    // A later note comes first; one without a RAG leaves the package's.
    let later = r#"{"date": "2007-06-01", "text": "On track again"}"#;
    let res = json(&server, "POST", &path, &[], later);
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.json()["rag"], serde_json::Value::Null);
    let later_id = res.json()["id"].as_i64().unwrap();
    let list = send(server.addr, "GET", &path, &[], None).json();
    let ids = common::ids(&list);
    assert_eq!(ids, vec![later_id, id]);
    let package = send(
        server.addr,
        "GET",
        &format!("/api/v1/work-packages/{wp}"),
        &[],
        None,
    )
    .json();
    assert_eq!(package["rag"], "red");

    // Read with its ETag; change and delete at a version.
    let one_path = format!("/api/v1/progress-notes/{id}");
    let one = send(server.addr, "GET", &one_path, &[], None);
    assert_eq!(one.status, 200);
    assert_eq!(one.header("ETag"), Some(etag.as_str()));
    let patch = r#"{"text": "Changed"}"#;
    assert_eq!(json(&server, "PATCH", &one_path, &[], patch).status, 428);
    let changed = json(&server, "PATCH", &one_path, &[("If-Match", &etag)], patch);
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.json()["text"], "Changed");
    assert_eq!(changed.json()["date"], "2007-03-14", "fields left out stay");
    let stale = json(&server, "PATCH", &one_path, &[("If-Match", &etag)], patch);
    assert_eq!(stale.status, 412, "{}", stale.body);
    assert_eq!(
        send(server.addr, "DELETE", &one_path, &[], None).status,
        428
    );
    assert_eq!(
        send(
            server.addr,
            "DELETE",
            &one_path,
            &[("If-Match", &etag)],
            None
        )
        .status,
        412
    );
    let now = changed.header("ETag").unwrap().to_string();
    assert_eq!(
        send(
            server.addr,
            "DELETE",
            &one_path,
            &[("If-Match", &now)],
            None
        )
        .status,
        204
    );
    assert_eq!(send(server.addr, "GET", &one_path, &[], None).status, 404);

    // Each change is in the audit trail.
    let audit = send(
        server.addr,
        "GET",
        "/api/v1/audit?entity_kind=progress_note",
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
    assert_eq!(actions, ["delete", "update", "create", "create"], "{audit}");
    let audit = send(
        server.addr,
        "GET",
        &format!("/api/v1/audit?entity_kind=work_package&entity_id={wp}"),
        &[],
        None,
    )
    .json();
    let rag_set = audit["items"].as_array().unwrap().iter().any(|e| {
        e["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "rag" && c["after"] == "red")
    });
    assert!(rag_set, "the package's RAG change is audited: {audit}");
}

#[test]
fn a_wrong_note_is_refused_naming_each_field() {
    let server = common::start();
    let plan = plan_of(&server);
    let wp = api_package(&server, plan, "10.1.1");
    let path = format!("/api/v1/work-packages/{wp}/progress-notes");
    let res = json(
        &server,
        "POST",
        &path,
        &[],
        r#"{"date": "2007-02-30", "rag": "purple", "text": "  "}"#,
    );
    assert_eq!(res.status, 422, "{}", res.body);
    let mut named = fields(&res);
    named.sort();
    assert_eq!(named, ["date", "rag", "text"]);
    let res = json(
        &server,
        "POST",
        &path,
        &[],
        r#"{"date": "2007-02-01", "text": "x", "author": "me"}"#,
    );
    assert_eq!(res.status, 422, "{}", res.body);
    assert_eq!(fields(&res), ["author"]);
    let res = json(
        &server,
        "POST",
        "/api/v1/work-packages/99999/progress-notes",
        &[],
        r#"{"date": "2007-02-01", "text": "x"}"#,
    );
    assert_eq!(res.status, 404, "{}", res.body);
}

#[test]
fn a_contributor_adds_notes_only_to_the_packages_they_own() {
    let server = common::start();
    let plan = plan_of(&server);
    let mine = api_package(&server, plan, "10.1.1");
    let theirs = api_package(&server, plan, "10.1.2");
    set_owner(&server, mine, "Head of ICT");
    set_owner(&server, theirs, "Head of Finance");
    let contributor = server.account_owning(
        "c@example.org",
        Role::Contributor,
        "a password for the tests",
        &["Head of ICT"],
    );
    let bearer = format!("Bearer {}", server.token_for(contributor));
    let body = r#"{"date": "2007-03-14", "rag": "amber", "text": "Mine"}"#;
    let res = json(
        &server,
        "POST",
        &format!("/api/v1/work-packages/{mine}/progress-notes"),
        &[("Authorization", &bearer)],
        body,
    );
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.json()["author"], "contributor of the tests");
    let res = json(
        &server,
        "POST",
        &format!("/api/v1/work-packages/{theirs}/progress-notes"),
        &[("Authorization", &bearer)],
        body,
    );
    assert_eq!(res.status, 403, "{}", res.body);
    let viewer = server.account("v@example.org", Role::Viewer, "a password for the tests");
    let viewer = format!("Bearer {}", server.token_for(viewer));
    let res = json(
        &server,
        "POST",
        &format!("/api/v1/work-packages/{mine}/progress-notes"),
        &[("Authorization", &viewer)],
        body,
    );
    assert_eq!(res.status, 403, "{}", res.body);
    let res = send(
        server.addr,
        "GET",
        &format!("/api/v1/work-packages/{mine}/progress-notes"),
        &[("Authorization", &viewer)],
        None,
    );
    assert_eq!(res.status, 200);
    // A manager adds to any.
    let manager = server.account("m@example.org", Role::Manager, "a password for the tests");
    let manager = format!("Bearer {}", server.token_for(manager));
    let res = json(
        &server,
        "POST",
        &format!("/api/v1/work-packages/{theirs}/progress-notes"),
        &[("Authorization", &manager)],
        body,
    );
    assert_eq!(res.status, 201, "{}", res.body);

    // In the browser: the form on their own package, none on the other's,
    // and a post to it refused.
    let mut b = Browser::as_account(&server, "c@example.org");
    let own = b.get(&format!("/work-packages/{mine}"));
    assert!(own.body.contains("Add a progress note"), "{}", own.body);
    let other = b.get(&format!("/work-packages/{theirs}"));
    assert!(
        !other
            .body
            .contains(&format!("/work-packages/{theirs}/progress-notes/new"))
    );
    let token = csrf_token(&own.body);
    let refused = b.post_as_is(
        &format!("/work-packages/{theirs}/progress-notes/new"),
        &[
            ("csrf_token", &token),
            ("date", "2007-03-14"),
            ("rag", "none"),
            ("text", "Not mine"),
        ],
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(
        b.get(&format!("/work-packages/{theirs}/progress-notes/new"))
            .status,
        403
    );
}

#[test]
fn the_report_says_what_it_compares_with_and_names_a_wrong_parameter() {
    let server = common::start();
    let plan = plan_of(&server);
    let wp = api_package(&server, plan, "10.1.1");
    let note = serde_json::json!({"date": "2007-03-14", "rag": "amber", "text": HOSTILE});
    let res = json(
        &server,
        "POST",
        &format!("/api/v1/work-packages/{wp}/progress-notes"),
        &[],
        &note.to_string(),
    );
    assert_eq!(res.status, 201, "{}", res.body);
    let path = format!("/api/v1/plans/{plan}/reports/progress");

    // Since a day with no baseline: the audit trail, slippage unknown.
    let report = send(
        server.addr,
        "GET",
        &format!("{path}?since=2000-01-01"),
        &[],
        None,
    );
    assert_eq!(report.status, 200, "{}", report.body);
    let r = report.json();
    assert_eq!(r["since"], "2000-01-01");
    assert_eq!(r["compared_with"]["kind"], "date");
    assert_eq!(r["slipped"], serde_json::Value::Null);
    let total = r["summary"]["packages"].as_u64().unwrap();
    let by_status: u64 = r["summary"]["by_status"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(by_status, total);
    let row = r["progress"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["package"]["reference"] == "10.1.1")
        .unwrap();
    assert_eq!(row["latest_note"]["text"], HOSTILE);

    // A baseline taken today: the report since it compares with it.
    let taken = json(
        &server,
        "POST",
        &format!("/api/v1/plans/{plan}/baselines"),
        &[],
        r#"{"name": "Approved"}"#,
    );
    assert_eq!(taken.status, 201, "{}", taken.body);
    let baseline = taken.json()["id"].as_i64().unwrap();
    let r = send(
        server.addr,
        "GET",
        &format!("{path}?baseline={baseline}"),
        &[],
        None,
    )
    .json();
    assert_eq!(r["compared_with"]["kind"], "baseline", "{r}");
    assert_eq!(r["compared_with"]["baseline_name"], "Approved");
    assert_eq!(r["slipped"], serde_json::json!([]));
    let r = send(
        server.addr,
        "GET",
        &format!("{path}?since=2099-01-01"),
        &[],
        None,
    )
    .json();
    assert_eq!(
        r["compared_with"]["kind"], "baseline",
        "the latest baseline on or before the day: {r}"
    );
    assert_eq!(r["since"], "2099-01-01");
    // Neither: six months before today, before the baseline just taken.
    let r = send(server.addr, "GET", &path, &[], None).json();
    assert_eq!(r["compared_with"]["kind"], "date", "{r}");

    // A programme's highlight report holds its packages only.
    let programmes = send(
        server.addr,
        "GET",
        &format!("/api/v1/plans/{plan}/programmes"),
        &[],
        None,
    )
    .json();
    if let Some(g) = programmes["items"].as_array().unwrap().first() {
        let r = send(
            server.addr,
            "GET",
            &format!("{path}?programme={}", g["id"]),
            &[],
            None,
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.json()["programme"], g["name"]);
        assert!(r.json()["summary"]["packages"].as_u64().unwrap() <= total);
    }

    for (query, field) in [
        ("since=2007-13-01", "since"),
        ("baseline=99999", "baseline"),
        ("baseline=x", "baseline"),
        ("programme=99999", "programme"),
        ("since=2007-01-01&baseline=1", "baseline"),
    ] {
        let res = send(server.addr, "GET", &format!("{path}?{query}"), &[], None);
        assert_eq!(res.status, 422, "{query}: {}", res.body);
        assert_eq!(fields(&res), [field], "{query}");
    }
    assert_eq!(
        send(
            server.addr,
            "GET",
            &format!("{path}?from=2007-01-01"),
            &[],
            None
        )
        .status,
        400
    );
    assert_eq!(
        send(
            server.addr,
            "GET",
            "/api/v1/plans/99999/reports/progress",
            &[],
            None
        )
        .status,
        404
    );
}

#[test]
fn a_note_is_added_in_the_browser_and_shown_in_the_report() {
    let server = common::start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let wp = package_id(&mut b, &plan, "10.1.1");
    let page = b.get(&format!("/work-packages/{wp}"));
    assert!(page.body.contains("No progress note has been added yet."));
    let token = csrf_token(&page.body);
    let new = format!("/work-packages/{wp}/progress-notes/new");

    // Missing text: the form again with the error, what was typed kept.
    let res = b.post_as_is(
        &new,
        &[
            ("csrf_token", &token),
            ("date", "2007-03-14"),
            ("rag", "green"),
            ("text", ""),
        ],
    );
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("There is a problem"));
    assert!(res.body.contains("Enter the progress note"));
    assert!(res.body.contains("value=\"2007-03-14\""));

    let res = b.post_as_is(
        &new,
        &[
            ("csrf_token", &token),
            ("date", "2007-03-14"),
            ("rag", "green"),
            ("text", HOSTILE),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let page = b.get(&format!("/work-packages/{wp}?noted=1"));
    assert!(page.body.contains("The progress note has been added."));
    assert!(
        page.body.contains("&#60;script&#62;alert("),
        "escaped: {}",
        common::after(&page.body, "progress-notes").unwrap_or("")
    );
    assert!(!page.body.contains("<script>alert("), "never raw");
    assert!(page.body.contains("14 March 2007"));

    // The overview shows each package's latest note.
    let overview = b.get(&format!("/plans/{plan}"));
    assert!(overview.body.contains("latest-note"), "{}", overview.body);

    // Without a token the post changes nothing.
    let res = b.post_as_is(&new, &[("date", "2007-03-15"), ("text", "No token")]);
    assert_ne!(res.status, 303);

    // The report page: the form, the report, the note escaped.
    let report = b.get(&format!("/plans/{plan}/reports/progress?since=2000-01-01"));
    assert_eq!(report.status, 200, "{}", report.body);
    assert!(report.body.contains("Progress report"));
    assert!(
        report
            .body
            .contains("no baseline was taken on or before that day")
    );
    assert!(report.body.contains("&#60;script&#62;alert("));
    assert!(!report.body.contains("<script>alert("));
    let bad = b.get(&format!("/plans/{plan}/reports/progress?since=not-a-date"));
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("There is a problem"));
}
