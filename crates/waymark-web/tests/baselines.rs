//! Baselines over HTTP: taking one (approvers only; the name checked),
//! listing them, and the plan compared with one — in the API and the pages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    Browser, PASSWORD, Server, assert_problem, csrf_token, get_json, json_as, plan_id, plan_of,
    send, send_careful, start,
};
use waymark_core::access::Role;

/// Set a package's delivery through the API (as the administrator).
fn deliver(server: &Server, package: i64, quarter: &str) {
    let r = send_careful(
        server.addr,
        "PATCH",
        &format!("/api/v1/work-packages/{package}"),
        &[("Content-Type", "application/json")],
        Some(&format!(r#"{{"delivery":[{{"quarter":"{quarter}"}}]}}"#)),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

#[test]
fn approvers_take_baselines_and_the_plan_compares_with_them() {
    let server = start();
    let plan = plan_of(&server);
    let base = format!("/api/v1/plans/{plan}/baselines");
    let manager = server.token_as("m@example.org", Role::Manager);
    let approver = server.token_as("a@example.org", Role::Approver);

    let items = get_json(
        &server,
        &format!("/api/v1/plans/{plan}/work-packages?per_page=3"),
    );
    let ids = common::ids(&items);
    let refs: Vec<String> = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["reference"].as_str().unwrap().to_string())
        .collect();
    deliver(&server, ids[0], "Q1 2030");
    deliver(&server, ids[1], "Q4 2029");

    // A manager may not; an approver may, with a name.
    let refused = json_as(
        &server,
        "POST",
        &base,
        &manager,
        None,
        r#"{"name":"April"}"#,
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused.body.contains("/problems/forbidden"),
        "{}",
        refused.body
    );
    assert_problem(
        &json_as(&server, "POST", &base, &approver, None, r#"{"name":""}"#),
        422,
        "name",
    );
    assert_problem(
        &json_as(&server, "POST", &base, &approver, None, r#"{}"#),
        422,
        "name",
    );
    let long = format!(r#"{{"name":"{}"}}"#, "x".repeat(201));
    assert_problem(
        &json_as(&server, "POST", &base, &approver, None, &long),
        422,
        "name",
    );
    assert_eq!(
        get_json(&server, &base)["items"].as_array().unwrap().len(),
        0
    );

    let taken = json_as(
        &server,
        "POST",
        &base,
        &approver,
        None,
        r#"{"name":"April"}"#,
    );
    assert_eq!(taken.status, 201, "{}", taken.body);
    let id = taken.json()["id"].as_i64().unwrap();
    assert_eq!(
        taken.header("location"),
        Some(format!("{base}/{id}").as_str())
    );
    assert_problem(
        &json_as(
            &server,
            "POST",
            &base,
            &approver,
            None,
            r#"{"name":"april"}"#,
        ),
        409,
        "",
    );

    let list = get_json(&server, &base);
    let first = &list["items"][0];
    assert_eq!(first["id"], id);
    assert_eq!(first["name"], "April");
    let by = first["taken_by"].as_str().unwrap();
    assert!(by.starts_with("approver of the tests (API token "), "{by}");
    assert_eq!(first["package_count"], 17);
    assert!(first["taken_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(get_json(&server, &format!("{base}/{id}"))["name"], "April");

    // The plan moves on: one package later, one earlier, a third changed.
    deliver(&server, ids[0], "Q3 2030");
    deliver(&server, ids[1], "Q3 2029");
    let r = send_careful(
        server.addr,
        "PATCH",
        &format!("/api/v1/work-packages/{}", ids[2]),
        &[("Content-Type", "application/json")],
        Some(r#"{"status":"approved"}"#),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    let c = get_json(&server, &format!("{base}/{id}/comparison"));
    assert_eq!(c["baseline"]["name"], "April");
    assert_eq!(c["added"].as_array().unwrap().len(), 0);
    assert_eq!(c["removed"].as_array().unwrap().len(), 0);
    assert_eq!(c["unchanged"], 14);
    let changed: Vec<&str> = c["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["reference"].as_str().unwrap())
        .collect();
    assert_eq!(
        changed,
        vec![refs[0].as_str(), refs[1].as_str(), refs[2].as_str()]
    );
    assert_eq!(c["changed"][2]["fields"][0]["field"], "status");
    assert_eq!(c["changed"][2]["fields"][0]["before"], "Proposed");
    let slip = |reference: &str| {
        c["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["reference"] == reference)
            .cloned()
            .unwrap()
    };
    let later = slip(&refs[0]);
    assert_eq!(later["slip_quarters"], 2);
    assert_eq!(later["slip"], "2 quarters later");
    assert_eq!(later["delivery_then"], "Q1 2030");
    assert_eq!(later["delivery_now"], "Q3 2030");
    assert_eq!(slip(&refs[1])["slip_quarters"], -1);
    assert_eq!(slip(&refs[1])["slip"], "1 quarter earlier");
    assert_eq!(slip(&refs[2])["slip_quarters"], 0);

    // Removed since: a package deleted after the baseline.
    let r = send_careful(
        server.addr,
        "DELETE",
        &format!("/api/v1/work-packages/{}", ids[2]),
        &[],
        None,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let c = get_json(&server, &format!("{base}/{id}/comparison"));
    assert_eq!(c["removed"][0]["reference"], refs[2].as_str());

    // Not found: no such baseline, or one of another plan.
    let other = server
        .store
        .import_plan(
            &waymark_core::Plan::new("Another plan"),
            waymark_store::OnExisting::Refuse,
            &waymark_store::Actor::Cli {
                user: String::new(),
            },
        )
        .unwrap();
    let elsewhere = json_as(
        &server,
        "POST",
        &format!("/api/v1/plans/{other}/baselines"),
        &approver,
        None,
        r#"{"name":"Other"}"#,
    )
    .json()["id"]
        .as_i64()
        .unwrap();
    for path in [
        format!("{base}/{elsewhere}/comparison"),
        format!("{base}/{elsewhere}"),
        format!("{base}/999999/comparison"),
        format!("{base}/x/comparison"),
        "/api/v1/plans/999999/baselines".to_string(),
    ] {
        assert_problem(&send(server.addr, "GET", &path, &[], None), 404, "");
    }
}

#[test]
fn the_baseline_pages_take_list_and_compare() {
    let server = start();
    server.account("m@example.org", Role::Manager, PASSWORD);
    let mut approver = server.signed_in("a@example.org", Role::Approver);
    let plan = plan_id(&mut approver);
    let page = format!("/plans/{plan}/baselines");

    let overview = approver.get(&format!("/plans/{plan}"));
    assert!(
        overview
            .body
            .contains(&format!("href=\"{page}\">Baselines</a>"))
    );

    let (list, token) = approver.get_form(&page);
    assert_eq!(list.status, 200);
    assert!(
        list.body
            .contains("No baseline has been taken of this plan yet.")
    );
    assert!(list.body.contains("<h2>Take a baseline</h2>"));

    // A name is needed: the form comes back with the error.
    let empty = approver.post(&page, &[("csrf_token", &token), ("name", " ")]);
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert!(empty.body.contains("<title>Error: Baselines"));
    assert!(empty.body.contains("Enter a name for the baseline"));
    assert!(
        empty.body.contains("href=\"#name\""),
        "the summary links to the field"
    );

    // Without the form's token nothing is taken.
    let forged = approver.post_as_is(&page, &[("name", "Forged")]);
    assert_ne!(forged.status, 303, "{}", forged.body);

    let token = csrf_token(&empty.body);
    let taken = approver.post(&page, &[("csrf_token", &token), ("name", "Agreed <April>")]);
    assert_eq!(taken.status, 303, "{}", taken.body);
    let to = taken.header("location").unwrap().to_string();
    assert!(
        to.starts_with(&format!("{page}/")) && to.ends_with("?baseline=taken"),
        "{to}"
    );
    let baselines = server
        .store
        .baselines(waymark_store::PlanId(plan.parse().unwrap()))
        .unwrap();
    assert_eq!(baselines.len(), 1, "the forged post took nothing");

    let compared = approver.get(&to);
    assert_eq!(compared.status, 200, "{}", compared.body);
    let body = &compared.body;
    assert!(body.contains("The baseline has been taken."));
    let heading = common::must_find(body, "<h1>", "the heading");
    assert!(
        heading.starts_with("The plan against baseline “Agreed &#60;April&#62;”"),
        "escaped: {}",
        heading.chars().take(80).collect::<String>()
    );
    assert!(body.contains("<h2 id=\"delivery\">Delivery then and now</h2>"));
    assert!(body.contains("<dt>Unchanged</dt><dd>17 work packages</dd>"));
    assert!(
        body.contains("<td class=\"nowrap\">no change</td>"),
        "nothing has moved yet"
    );
    assert!(
        !body.contains(" style=\""),
        "no inline styles under the CSP"
    );

    // The plan moves on: its slip is said in words.
    let package = common::package_id(&mut approver, &plan, "10.1.1");
    deliver(&server, package.parse().unwrap(), "Q2 2031");
    let body = approver.get(&to).body;
    assert!(body.contains("quarters later</strong>"), "{body}");
    assert!(
        body.contains("<caption>10.1.1 "),
        "the change field by field"
    );

    let list = approver.get(&page).body;
    assert!(list.contains("Agreed &#60;April&#62;"));
    assert!(list.contains("<caption>Baselines of this plan, newest first</caption>"));

    // A manager reads the list and the comparison, and takes nothing.
    let mut manager = Browser::as_account(&server, "m@example.org");
    let (list, token) = manager.get_form(&page);
    assert_eq!(list.status, 200);
    assert!(!list.body.contains("Take a baseline"));
    assert_eq!(manager.get(&to).status, 200);
    let refused = manager.post(&page, &[("csrf_token", &token), ("name", "Mine")]);
    assert_eq!(refused.status, 403);
    assert!(refused.body.contains("You cannot do this"));

    // A baseline of another plan is not found under this one.
    let missing = approver.get(&format!("{page}/999999"));
    assert_eq!(missing.status, 404);
}

#[test]
fn the_timeline_draws_a_baseline_beside_the_bars() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let timeline = format!("/plans/{plan}/timeline");
    // No baseline yet: no control.
    assert!(!b.get(&timeline).body.contains("Compare with a baseline"));

    let plan_id_typed = waymark_store::PlanId(plan.parse().unwrap());
    let cli = waymark_store::Actor::Cli {
        user: String::new(),
    };
    let taken = server
        .store
        .take_baseline(plan_id_typed, "Agreed", &cli)
        .unwrap();
    let package = common::package_id(&mut b, &plan, "10.1.1");
    deliver(&server, package.parse().unwrap(), "Q2 2007");

    let plain = b.get(&timeline).body;
    assert!(
        plain.contains("<label class=\"label\" for=\"baseline\">Compare with a baseline</label>")
    );
    assert!(!plain.contains("baseline-bar"));

    let drawn = b.get(&format!("{timeline}?baseline={taken}"));
    assert_eq!(drawn.status, 200, "{}", drawn.body);
    let body = &drawn.body;
    assert!(
        body.contains("class=\"baseline-bar\""),
        "the bars then are drawn"
    );
    assert!(
        body.contains("Delivery at baseline “Agreed”"),
        "the key says so"
    );
    assert!(
        body.contains("<th scope=\"col\">Delivery at “Agreed”</th>"),
        "and the table"
    );
    let row = common::must_find(body, "<td class=\"nowrap\">10.1.1</td>", "10.1.1's row");
    let row = &row[..row.find("</tr>").unwrap()];
    let now = row
        .find("<td class=\"nowrap\">Q2 2007</td>")
        .expect("its delivery now");
    let then = row
        .find("<td class=\"nowrap\">Q4 2006</td>")
        .expect("its delivery then");
    assert!(now < then, "now, then the baseline's: {row}");
    assert!(body.contains(&format!(
        "<option value=\"{taken}\" selected>Agreed</option>"
    )));

    // Not a baseline of this plan: said beside the control, nothing drawn of it.
    for wrong in ["999999", "soon"] {
        let refused = b.get(&format!("{timeline}?baseline={wrong}"));
        assert_eq!(refused.status, 400, "{wrong}");
        assert!(
            refused
                .body
                .contains("Choose a baseline of this plan from the list")
        );
        assert!(!refused.body.contains("class=\"baseline-bar\""));
    }
}
