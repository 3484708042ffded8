//! The RAID log over HTTP: the API (create per kind, list and filter, read
//! with its ETag, change and delete at a version, the heat map, the fields it
//! refuses, who may write, the audit), and the pages (the log with its heat
//! map and overdue list, recording, changing and deleting an item, the
//! package page listing it, hostile text shown inert).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Browser, api_package, fields, ids, json, package_id, plan_id, plan_of, send};
use waymark_core::access::Role;

const HOSTILE: &str =
    "<script>alert(1)</script> 'quotes' \"doubles\" Robert'); DROP TABLE raid_item;--";

#[test]
fn the_api_records_lists_changes_and_deletes_raid_items() {
    let server = common::start();
    let plan = plan_of(&server);
    let wp = api_package(&server, plan, "10.1.1");
    let path = format!("/api/v1/plans/{plan}/raid");
    let risk = serde_json::json!({
        "kind": "risk",
        "title": HOSTILE,
        "owner": "Head of ICT",
        "likelihood": 4,
        "impact": "5",
        "mitigation": "Train the trainers",
        "next_review": "2007-04-01",
        "work_package_ids": [wp],
    });
    let res = json(&server, "POST", &path, &[], &risk.to_string());
    assert_eq!(res.status, 201, "{}", res.body);
    let made = res.json();
    let id = made["id"].as_i64().unwrap();
    assert_eq!(
        res.header("Location"),
        Some(format!("/api/v1/raid/{id}").as_str())
    );
    let etag = res.header("ETag").unwrap().to_string();
    assert_eq!(made["title"], HOSTILE, "stored and given back verbatim");
    assert_eq!(
        (
            made["likelihood"].as_i64(),
            made["impact"].as_i64(),
            made["score"].as_i64()
        ),
        (Some(4), Some(5), Some(20))
    );
    assert_eq!(made["status"], "open");
    assert_eq!(made["severity"], serde_json::Value::Null);
    assert_eq!(made["work_packages"][0]["reference"], "10.1.1");

    let one = send(server.addr, "GET", &format!("/api/v1/raid/{id}"), &[], None);
    assert_eq!(one.status, 200);
    assert_eq!(one.header("ETag"), Some(etag.as_str()));

    // The other kinds.
    let mut made_ids = vec![id];
    for body in [
        serde_json::json!({"kind": "assumption", "title": "Schools keep their broadband funding", "status": "validated"}),
        serde_json::json!({"kind": "issue", "title": "The e-CAF supplier is late", "severity": "high"}),
        serde_json::json!({"kind": "dependency", "title": "The national ISA index", "provider": "DfES", "needed_by": "2007-09-30"}),
        serde_json::json!({"kind": "risk", "title": "A small risk", "likelihood": 1, "impact": 2, "status": "closed"}),
    ] {
        let res = json(&server, "POST", &path, &[], &body.to_string());
        assert_eq!(res.status, 201, "{body}: {}", res.body);
        made_ids.push(res.json()["id"].as_i64().unwrap());
    }
    let all = send(server.addr, "GET", &path, &[], None).json();
    let kinds: Vec<&str> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["risk", "risk", "assumption", "issue", "dependency"]);
    let risks = send(
        server.addr,
        "GET",
        &format!("{path}?kind=risk&status=open"),
        &[],
        None,
    )
    .json();
    assert_eq!(ids(&risks), [id]);
    let found = send(server.addr, "GET", &format!("{path}?q=dfes"), &[], None).json();
    assert_eq!(ids(&found), [made_ids[3]]);
    let cell = send(
        server.addr,
        "GET",
        &format!("{path}?likelihood=4&impact=5"),
        &[],
        None,
    )
    .json();
    assert_eq!(ids(&cell), [id]);
    for (query, field) in [
        ("kind=risky", "kind"),
        ("status=done", "status"),
        ("likelihood=6", "likelihood"),
        ("q=%E2%9C%93", "q"),
    ] {
        let res = send(server.addr, "GET", &format!("{path}?{query}"), &[], None);
        assert_eq!(res.status, 422, "{query}: {}", res.body);
        assert_eq!(fields(&res), [field], "{query}");
    }
    assert_eq!(
        send(server.addr, "GET", &format!("{path}?colour=red"), &[], None).status,
        400
    );

    // The heat map counts open risks; the review date has passed.
    let map = send(server.addr, "GET", &format!("{path}/heat-map"), &[], None).json();
    assert_eq!(map["open_risks"], 1);
    let cells = map["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 25);
    let hot = cells
        .iter()
        .find(|c| c["likelihood"] == 4 && c["impact"] == 5)
        .unwrap();
    assert_eq!(
        (hot["count"].as_i64(), hot["band"].as_str()),
        (Some(1), Some("severe"))
    );
    assert_eq!(map["overdue"][0]["id"], id);
    assert_eq!(map["overdue"][0]["title"], HOSTILE);

    // A change needs the version; a stale one changes nothing.
    let one_path = format!("/api/v1/raid/{id}");
    let patch = r#"{"likelihood": 2, "status": "closed", "work_package_ids": []}"#;
    assert_eq!(json(&server, "PATCH", &one_path, &[], patch).status, 428);
    let res = json(&server, "PATCH", &one_path, &[("If-Match", &etag)], patch);
    assert_eq!(res.status, 200, "{}", res.body);
    let changed = res.json();
    assert_eq!(
        (changed["score"].as_i64(), changed["status"].as_str()),
        (Some(10), Some("closed"))
    );
    assert_eq!(
        changed["mitigation"], "Train the trainers",
        "left out: kept"
    );
    assert!(changed["work_packages"].as_array().unwrap().is_empty());
    let new_etag = res.header("ETag").unwrap().to_string();
    assert_ne!(new_etag, etag);
    assert_eq!(
        json(&server, "PATCH", &one_path, &[("If-Match", &etag)], patch).status,
        412
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
    assert_eq!(
        send(server.addr, "DELETE", &one_path, &[], None).status,
        428
    );
    // Another kind's field, or a status the kind does not have, is named.
    for (body, field) in [
        (r#"{"severity": "high"}"#, "severity"),
        (r#"{"status": "resolved"}"#, "status"),
        (r#"{"kind": "issue"}"#, "kind"),
        (r#"{"impact": 0}"#, "impact"),
    ] {
        let res = json(
            &server,
            "PATCH",
            &one_path,
            &[("If-Match", &new_etag)],
            body,
        );
        assert_eq!(res.status, 422, "{body}: {}", res.body);
        assert!(
            fields(&res).contains(&field.to_string()),
            "{body}: {}",
            res.body
        );
    }

    // Each change is in the audit trail, as a raid_item.
    let audit = send(
        server.addr,
        "GET",
        &format!("/api/v1/audit?entity_kind=raid_item&entity_id={id}"),
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
    let audit = send(
        server.addr,
        "GET",
        &format!("/api/v1/audit?entity_kind=raid_item&entity_id={id}"),
        &[],
        None,
    )
    .json();
    assert_eq!(audit["items"][0]["action"], "delete");
}

#[test]
fn the_api_names_each_wrong_field() {
    let server = common::start();
    let plan = plan_of(&server);
    let path = format!("/api/v1/plans/{plan}/raid");
    let post = |body: serde_json::Value| json(&server, "POST", &path, &[], &body.to_string());
    let good = serde_json::json!({"kind": "risk", "title": "A risk", "likelihood": 3, "impact": 3});
    let with = |key: &str, value: serde_json::Value| {
        let mut b = good.clone();
        b[key] = value;
        b
    };
    let issue = serde_json::json!({"kind": "issue", "title": "An issue"});
    let issue_with = |key: &str, value: serde_json::Value| {
        let mut b = issue.clone();
        b[key] = value;
        b
    };
    for (body, expected) in [
        (with("likelihood", 6.into()), vec!["likelihood"]),
        (with("likelihood", 0.into()), vec!["likelihood"]),
        (with("impact", "2.5".into()), vec!["impact"]),
        (with("impact", serde_json::Value::Null), vec!["impact"]),
        (with("kind", "opportunity".into()), vec!["kind"]),
        (with("title", "  ".into()), vec!["title"]),
        (with("title", "two\nlines".into()), vec!["title"]),
        (with("status", "resolved".into()), vec!["status"]),
        (
            with("next_review", "01/04/2007".into()),
            vec!["next_review"],
        ),
        (
            with("next_review", "0207-04-01".into()),
            vec!["next_review"],
        ),
        (with("severity", "high".into()), vec!["severity"]),
        (with("provider", "DfES".into()), vec!["provider"]),
        (issue_with("severity", "urgent".into()), vec!["severity"]),
        (issue_with("likelihood", 2.into()), vec!["likelihood"]),
        (issue_with("mitigation", "x".into()), vec!["mitigation"]),
        (
            with("work_package_ids", serde_json::json!([999_999])),
            vec!["work_package_ids"],
        ),
        (
            with("programme_ids", serde_json::json!("7")),
            vec!["programme_ids"],
        ),
        (with("colour", "red".into()), vec!["colour"]),
        // Several wrong at once: each named, in form order.
        (
            serde_json::json!({"kind": "risk", "title": "", "likelihood": 6, "impact": 9}),
            vec!["title", "likelihood", "impact"],
        ),
    ] {
        let res = post(body.clone());
        assert_eq!(res.status, 422, "{body}: {}", res.body);
        assert_eq!(fields(&res), expected, "{body}");
    }
    // A package of another plan is refused.
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
    // Nothing was recorded, nothing audited.
    assert!(
        send(server.addr, "GET", &path, &[], None).json()["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let audit = send(
        server.addr,
        "GET",
        "/api/v1/audit?entity_kind=raid_item",
        &[],
        None,
    )
    .json();
    assert!(audit["items"].as_array().unwrap().is_empty());
    assert_eq!(
        json(
            &server,
            "POST",
            "/api/v1/plans/999999/raid",
            &[],
            &good.to_string()
        )
        .status,
        404
    );
    assert_eq!(
        send(server.addr, "GET", "/api/v1/plans/999999/raid", &[], None).status,
        404
    );
    assert_eq!(
        send(
            server.addr,
            "GET",
            "/api/v1/plans/999999/raid/heat-map",
            &[],
            None
        )
        .status,
        404
    );
}

#[test]
fn managers_keep_the_raid_log_and_viewers_and_contributors_read_it() {
    let server = common::start();
    let plan = plan_of(&server);
    let path = format!("/api/v1/plans/{plan}/raid");
    let body = r#"{"kind": "issue", "title": "Late", "severity": "low"}"#;
    for (email, role) in [
        ("v@example.org", Role::Viewer),
        ("c@example.org", Role::Contributor),
    ] {
        let token = server.token_as(email, role);
        let bearer = format!("Bearer {token}");
        let res = json(&server, "POST", &path, &[("Authorization", &bearer)], body);
        assert_eq!(res.status, 403, "{role}: {}", res.body);
        assert_eq!(
            send(
                server.addr,
                "GET",
                &path,
                &[("Authorization", &bearer)],
                None
            )
            .status,
            200,
            "{role}"
        );
        assert_eq!(
            send(
                server.addr,
                "GET",
                &format!("{path}/heat-map"),
                &[("Authorization", &bearer)],
                None
            )
            .status,
            200,
            "{role}"
        );
    }
    let manager = server.token_as("m@example.org", Role::Manager);
    let bearer = format!("Bearer {manager}");
    let res = json(&server, "POST", &path, &[("Authorization", &bearer)], body);
    assert_eq!(res.status, 201, "{}", res.body);
    let audit = send(
        server.addr,
        "GET",
        "/api/v1/audit?entity_kind=raid_item",
        &[],
        None,
    )
    .json();
    assert_eq!(audit["items"][0]["actor_kind"], "token", "{audit}");
}

// ---------------------------------------------------------------- pages

#[test]
fn a_risk_is_recorded_drawn_on_the_heat_map_listed_on_its_package_changed_and_deleted() {
    let server = common::start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let wp = package_id(&mut b, &plan, "10.1.1");

    // The overview links to the log; the log offers each kind.
    assert!(
        b.get(&format!("/plans/{plan}"))
            .body
            .contains(&format!("href=\"/plans/{plan}/raid\""))
    );
    let log = b.get(&format!("/plans/{plan}/raid"));
    assert_eq!(log.status, 200);
    assert!(
        log.body
            .contains("Nothing has been recorded in the RAID log yet.")
    );
    assert!(log.body.contains("No open risk is overdue for review."));
    for kind in ["risk", "assumption", "issue", "dependency"] {
        assert!(
            log.body
                .contains(&format!("href=\"/plans/{plan}/raid/new?kind={kind}\"")),
            "{kind}"
        );
    }
    assert!(log.body.contains("role=\"img\""));

    let new = format!("/plans/{plan}/raid/new?kind=risk");
    let (form, token) = b.get_form(&new);
    assert!(form.body.contains("name=\"likelihood\""));
    assert!(
        !form.body.contains("name=\"severity\""),
        "a risk's form has no issue fields"
    );
    assert!(
        form.body
            .contains(&format!("name=\"work_package_ids\" value=\"{wp}\""))
    );

    // A likelihood of 6 comes back beside its field, with what was typed.
    let post = format!("/plans/{plan}/raid/new");
    let res = b.post(
        &post,
        &[
            ("csrf_token", &token),
            ("kind", "risk"),
            ("title", "Trainers not ready"),
            ("likelihood", "6"),
            ("impact", ""),
            ("work_package_ids", &wp),
        ],
    );
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("<title>Error: "));
    assert!(res.body.contains("href=\"#likelihood\""));
    assert!(res.body.contains("href=\"#impact\""));
    assert!(res.body.contains("Trainers not ready"));
    assert!(res.body.contains(&format!("value=\"{wp}\" checked")));

    let res = b.post(
        &post,
        &[
            ("csrf_token", &token),
            ("kind", "risk"),
            ("title", HOSTILE),
            ("likelihood", "5"),
            ("impact", "4"),
            ("mitigation", "Train the trainers"),
            ("next_review", "2007-04-01"),
            ("owner", "Head of ICT"),
            ("status", "open"),
            ("work_package_ids", &wp),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let to = res.header("Location").unwrap().to_string();
    assert!(
        to.starts_with(&format!("/plans/{plan}/raid?raid=recorded#raid-")),
        "{to}"
    );
    let id = common::digits(to.rsplit("#raid-").next().unwrap());

    let log = b.get(&to);
    assert!(
        log.body
            .contains("The item has been recorded in the RAID log.")
    );
    assert!(
        !log.body.contains("<script>alert(1)"),
        "hostile text is escaped, in the SVG too"
    );
    assert!(
        log.body.contains("&lt;script&gt;alert(1)")
            || log.body.contains("&#60;script&#62;alert(1)")
    );
    assert!(log.body.contains("Score 20: Severe"));
    // The heat map's cell and the table's count, and the overdue list.
    assert!(
        log.body
            .contains("Likelihood 5, impact 4: score 20, severe; 1 open risk</title>"),
        "{}",
        log.body
    );
    let hrefs = log.body.replace("&#38;", "&amp;");
    assert!(
        hrefs.contains(&format!("href=\"/plans/{plan}/raid?kind=risk&amp;status=open&amp;likelihood=5&amp;impact=4#items\"")),
        "the table's count links to the risks in its cell"
    );
    assert!(
        log.body
            .contains("review was due <time datetime=\"2007-04-01\">1 April 2007</time>")
    );
    assert!(log.body.contains(&format!("href=\"/raid/{id}/edit\"")));

    // The package lists it.
    let page = b.get(&format!("/work-packages/{wp}"));
    assert!(
        page.body
            .contains(&format!("href=\"/plans/{plan}/raid#raid-{id}\"")),
        "{}",
        page.body
    );
    assert!(page.body.contains("score 20 (severe)"));

    // Filtered by the heat map's cell.
    let cell = b.get(&format!(
        "/plans/{plan}/raid?kind=risk&status=open&likelihood=5&impact=4"
    ));
    assert!(
        cell.body.contains("1 item match the filters."),
        "{}",
        cell.body
    );
    let none = b.get(&format!("/plans/{plan}/raid?kind=issue"));
    assert!(none.body.contains("No item matches the filters."));
    let wrong = b.get(&format!("/plans/{plan}/raid?likelihood=9"));
    assert_eq!(wrong.status, 200);
    assert!(wrong.body.contains("href=\"#likelihood\""));

    // Changed at the version the form was opened on: closed, the package unticked.
    let edit = format!("/raid/{id}/edit");
    let (form, token) = b.get_form(&edit);
    assert!(form.body.contains(&format!("value=\"{wp}\" checked")));
    let res = b.post(
        &edit,
        &[
            ("csrf_token", &token),
            ("title", "Trainers not ready"),
            ("likelihood", "2"),
            ("impact", "4"),
            ("status", "closed"),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let log = b.get(res.header("Location").unwrap());
    assert!(log.body.contains("The item has been changed."));
    assert!(log.body.contains("No open risk is overdue for review."));
    let page = b.get(&format!("/work-packages/{wp}"));
    assert!(
        page.body
            .contains("Nothing in the RAID log concerns this package.")
    );

    // Deleted after the confirmation.
    let delete = format!("/raid/{id}/delete");
    let (confirm, token) = b.get_form(&delete);
    assert!(
        confirm
            .body
            .contains("Are you sure you want to delete this risk?")
    );
    let res = b.post(&delete, &[("csrf_token", &token)]);
    assert_eq!(res.status, 303, "{}", res.body);
    let log = b.get(res.header("Location").unwrap());
    assert!(log.body.contains("The item has been deleted."));
    assert_eq!(b.get(&edit).status, 404);
}

#[test]
fn a_form_opened_before_someone_else_changed_the_item_comes_back() {
    let server = common::start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let res = json(
        &server,
        "POST",
        &format!("/api/v1/plans/{plan}/raid"),
        &[],
        r#"{"kind": "assumption", "title": "First words"}"#,
    );
    let id = res.json()["id"].as_i64().unwrap();
    let etag = res.header("ETag").unwrap().to_string();
    let edit = format!("/raid/{id}/edit");
    let (form, token) = b.get_form(&edit);
    let version = common::version_of(&form.body).unwrap();
    let res = json(
        &server,
        "PATCH",
        &format!("/api/v1/raid/{id}"),
        &[("If-Match", &etag)],
        r#"{"owner": "Head of Finance"}"#,
    );
    assert_eq!(res.status, 200, "{}", res.body);
    let res = b.post_as_is(
        &edit,
        &[
            ("csrf_token", &token),
            ("version", &version),
            ("title", "Second words"),
            ("status", "validated"),
        ],
    );
    assert_eq!(res.status, 409, "{}", res.body);
    assert!(res.body.contains("What someone else changed"));
    let now = send(server.addr, "GET", &format!("/api/v1/raid/{id}"), &[], None).json();
    assert_eq!(now["title"], "First words");
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
        &format!("/api/v1/plans/{plan}/raid"),
        &[],
        r#"{"kind": "dependency", "title": "The ISA index", "provider": "DfES"}"#,
    );
    let id = res.json()["id"].as_i64().unwrap();
    let mut b = Browser::as_account(&server, "viewer@example.org");
    let log = b.get(&format!("/plans/{plan}/raid"));
    assert_eq!(log.status, 200);
    assert!(log.body.contains("The ISA index"));
    assert!(!log.body.contains("/raid/new"));
    assert!(!log.body.contains(&format!("/raid/{id}/edit")));
    assert_eq!(
        b.get(&format!("/plans/{plan}/raid/new?kind=risk")).status,
        403
    );
    assert_eq!(b.get(&format!("/raid/{id}/delete")).status, 403);
}

/// The committee's progress report lists the top open risks by score and
/// the open issues, as the API and the page give it; a programme's
/// highlight report only those that concern the programme.
#[test]
fn the_progress_report_lists_top_risks_and_open_issues() {
    let server = common::start();
    let plan = plan_of(&server);
    let path = format!("/api/v1/plans/{plan}/raid");
    let hostile = "Supplier <script>alert(1)</script> \"fails\"; DROP TABLE raid_item; --";
    for (title, likelihood, impact) in [("Low risk", 1, 2), (hostile, 5, 4), ("Middling", 3, 3)] {
        let body = serde_json::json!({"kind": "risk", "title": title, "likelihood": likelihood, "impact": impact, "owner": "Head of ICT"});
        let res = json(&server, "POST", &path, &[], &body.to_string());
        assert_eq!(res.status, 201, "{}", res.body);
    }
    let closed = serde_json::json!({"kind": "risk", "title": "Closed risk", "likelihood": 5, "impact": 5, "status": "closed"});
    assert_eq!(
        json(&server, "POST", &path, &[], &closed.to_string()).status,
        201
    );
    let issue =
        serde_json::json!({"kind": "issue", "title": "Server room floods", "severity": "critical"});
    assert_eq!(
        json(&server, "POST", &path, &[], &issue.to_string()).status,
        201
    );

    let report = send(
        server.addr,
        "GET",
        &format!("/api/v1/plans/{plan}/reports/progress"),
        &[],
        None,
    );
    assert_eq!(report.status, 200, "{}", report.body);
    let r = report.json();
    let risks: Vec<(String, u64)> = r["top_risks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["title"].as_str().unwrap().to_string(),
                k["score"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        risks,
        [
            (hostile.to_string(), 20),
            ("Middling".to_string(), 9),
            ("Low risk".to_string(), 2)
        ],
        "open risks only, highest score first"
    );
    assert_eq!(r["open_issues"][0]["title"], "Server room floods");
    assert_eq!(r["open_issues"][0]["severity"], "critical");

    let mut b = Browser::new(&server);
    let page = b.get(&format!("/plans/{plan}/reports/progress"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<h2>Top risks</h2>"));
    assert!(
        common::unescape(&page.body).contains(hostile),
        "the risk's title shown as written"
    );
    assert!(!page.body.contains("<script>alert(1)"));
    assert!(page.body.contains("Server room floods"));
    assert!(!page.body.contains("Closed risk"));
}
