//! Priorities over HTTP: criteria (approvers only; 403 for a manager),
//! scores (managers; one per item and criterion), the ranking with its
//! sensitivity, versions (412/428), 422 naming the field, audit entries, and
//! the pages: criteria, the scoring form, the ranking with ties and missing
//! scores in words and hostile text shown inert.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Server, assert_problem, csrf_token, get_json, items, json_as, plan_of, send, start};
use serde_json::Value;
use waymark_core::access::Role;

const HOSTILE: &str =
    "<script>alert(\"x\")</script> 'quoted' \"double\" '; DROP TABLE priority_score; --";

/// The newest audit entry about a kind of record; panics when there is none.
fn newest_audit(server: &Server, kind: &str) -> Value {
    let list = get_json(
        server,
        &format!("/api/v1/audit?entity_kind={kind}&per_page=1"),
    );
    items(&list)
        .first()
        .unwrap_or_else(|| panic!("no audit entry about a {kind}"))
        .clone()
}

#[test]
fn criteria_scores_and_the_ranking_in_the_api() {
    let server = start();
    let plan = plan_of(&server);
    let manager = server.token_as("m@example.org", Role::Manager);
    let approver = server.token_as("a@example.org", Role::Approver);
    let criteria = format!("/api/v1/plans/{plan}/criteria");

    // A manager may not define criteria; an approver may, with a weight.
    let refused = json_as(
        &server,
        "POST",
        &criteria,
        &manager,
        None,
        r#"{"name":"Need","weight":30}"#,
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_problem(
        &json_as(
            &server,
            "POST",
            &criteria,
            &approver,
            None,
            r#"{"name":"Need"}"#,
        ),
        422,
        "weight",
    );
    assert_problem(
        &json_as(
            &server,
            "POST",
            &criteria,
            &approver,
            None,
            r#"{"name":"Need","weight":0}"#,
        ),
        422,
        "weight",
    );
    assert_problem(
        &json_as(
            &server,
            "POST",
            &criteria,
            &approver,
            None,
            r#"{"name":"Need","weight":2.5}"#,
        ),
        422,
        "weight",
    );
    assert_problem(
        &json_as(
            &server,
            "POST",
            &criteria,
            &approver,
            None,
            r#"{"name":"","weight":3}"#,
        ),
        422,
        "name",
    );
    let body =
        serde_json::json!({"name": HOSTILE, "weight": 30, "description": HOSTILE}).to_string();
    let made = json_as(&server, "POST", &criteria, &approver, None, &body);
    assert_eq!(made.status, 201, "{}", made.body);
    let need = made.json();
    assert_eq!(need["name"], HOSTILE);
    assert_eq!(need["weight"], 30);
    let need_id = need["id"].as_i64().unwrap();
    assert_eq!(
        made.header("location"),
        Some(format!("/api/v1/criteria/{need_id}").as_str())
    );
    assert_problem(
        &json_as(&server, "POST", &criteria, &approver, None, &body),
        409,
        "",
    );
    let cost = json_as(
        &server,
        "POST",
        &criteria,
        &approver,
        None,
        r#"{"name":"Cost","weight":"10"}"#,
    );
    assert_eq!(cost.status, 201, "{}", cost.body);
    let cost_id = cost.json()["id"].as_i64().unwrap();
    assert_eq!(
        get_json(&server, &criteria)["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let entry = newest_audit(&server, "priority_criterion");
    assert_eq!(entry["action"], "create");

    // PATCH: 428 without If-Match, 412 when stale, 403 for a manager.
    let one = format!("/api/v1/criteria/{cost_id}");
    let tag = send(server.addr, "GET", &one, &[], None)
        .header("etag")
        .unwrap()
        .to_string();
    assert_problem(
        &json_as(&server, "PATCH", &one, &approver, None, r#"{"weight":20}"#),
        428,
        "",
    );
    assert_eq!(
        json_as(
            &server,
            "PATCH",
            &one,
            &manager,
            Some(&tag),
            r#"{"weight":20}"#
        )
        .status,
        403
    );
    let patched = json_as(
        &server,
        "PATCH",
        &one,
        &approver,
        Some(&tag),
        r#"{"weight":20}"#,
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.json()["weight"], 20);
    assert_problem(
        &json_as(
            &server,
            "PATCH",
            &one,
            &approver,
            Some(&tag),
            r#"{"weight":25}"#,
        ),
        412,
        "",
    );
    assert_problem(
        &json_as(
            &server,
            "PATCH",
            &one,
            &approver,
            Some("*"),
            r#"{"weight":101}"#,
        ),
        422,
        "weight",
    );

    // Scores: managers; 1 to 5; one per item and criterion.
    let packages = get_json(
        &server,
        &format!("/api/v1/plans/{plan}/work-packages?per_page=3"),
    );
    let wp: Vec<i64> = common::ids(&packages);
    let scores = format!("/api/v1/plans/{plan}/scores");
    let score = |c: i64, w: i64, s: &str| {
        format!(r#"{{"criterion_id":{c},"work_package_id":{w},"score":{s},"note":"n"}}"#)
    };
    assert_problem(
        &json_as(
            &server,
            "POST",
            &scores,
            &manager,
            None,
            &score(need_id, wp[0], "6"),
        ),
        422,
        "score",
    );
    assert_problem(
        &json_as(&server, "POST", &scores, &manager, None, r#"{"score":3}"#),
        422,
        "criterion_id",
    );
    assert_problem(
        &json_as(
            &server,
            "POST",
            &scores,
            &manager,
            None,
            &score(999_999, wp[0], "3"),
        ),
        422,
        "criterion_id",
    );
    let viewer = server.token_as("v@example.org", Role::Viewer);
    assert_eq!(
        json_as(
            &server,
            "POST",
            &scores,
            &viewer,
            None,
            &score(need_id, wp[0], "3")
        )
        .status,
        403
    );
    let mut ids = Vec::new();
    for (c, w, s) in [
        (need_id, wp[0], "5"),
        (cost_id, wp[0], "1"),
        (need_id, wp[1], "4"),
        (cost_id, wp[1], "3"),
        (need_id, wp[2], "2"),
    ] {
        let r = json_as(&server, "POST", &scores, &manager, None, &score(c, w, s));
        assert_eq!(r.status, 201, "{}", r.body);
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    assert_problem(
        &json_as(
            &server,
            "POST",
            &scores,
            &manager,
            None,
            &score(need_id, wp[0], "3"),
        ),
        409,
        "criterion_id",
    );
    let entry = newest_audit(&server, "priority_score");
    assert_eq!(entry["action"], "create");

    // The ranking: 30·5 + 20·1 = 170 and 30·4 + 20·3 = 180 of 50: the
    // second package first; the third is missing Cost, listed apart.
    let ranking = get_json(&server, &format!("/api/v1/plans/{plan}/ranking?top=1"));
    let ranked = ranking["ranked"].as_array().unwrap();
    assert_eq!(ranked.len(), 2);
    assert_eq!(ranked[0]["id"], wp[1]);
    assert_eq!(ranked[0]["weighted_score_text"], "3.60");
    assert_eq!(ranked[1]["weighted_score_text"], "3.40");
    let apart = ranking["unranked"].as_array().unwrap();
    let third = apart
        .iter()
        .find(|u| u["id"] == wp[2] && u["kind"] == "work_package")
        .unwrap();
    assert_eq!(third["missing_criterion_ids"], serde_json::json!([cost_id]));
    assert_eq!(third["partial_score"], 2.0);
    assert!(apart.len() > 10, "every other item is listed, never hidden");
    let sens = ranking["sensitivity"].as_array().unwrap();
    assert_eq!(sens.len(), 2);
    // On Cost: 150 + 5x = 120 + 3x... the first package never catches up
    // upward; 120 + 3x vs 150 + x: level at x = 15.
    let on_cost = sens.iter().find(|s| s["criterion_id"] == cost_id).unwrap();
    assert_eq!(on_cost["swap"]["kind"], "at");
    assert_eq!(on_cost["swap"]["weight"], "15");
    assert_problem(
        &send(
            server.addr,
            "GET",
            &format!("/api/v1/plans/{plan}/ranking?top=0"),
            &[],
            None,
        ),
        422,
        "top",
    );
    assert_eq!(
        send(
            server.addr,
            "GET",
            &format!("/api/v1/plans/{plan}/ranking?n=2"),
            &[],
            None
        )
        .status,
        400
    );

    // A score changed and cleared at its version, audited.
    let path = format!("/api/v1/scores/{}", ids[0]);
    let tag = send(server.addr, "GET", &path, &[], None)
        .header("etag")
        .unwrap()
        .to_string();
    assert_problem(
        &json_as(&server, "PATCH", &path, &manager, None, r#"{"score":3}"#),
        428,
        "",
    );
    assert_problem(
        &json_as(
            &server,
            "PATCH",
            &path,
            &manager,
            Some(&tag),
            r#"{"criterion_id":3}"#,
        ),
        422,
        "criterion_id",
    );
    let changed = json_as(
        &server,
        "PATCH",
        &path,
        &manager,
        Some(&tag),
        r#"{"score":3,"note":"after the meeting"}"#,
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(newest_audit(&server, "priority_score")["action"], "update");
    assert_problem(
        &json_as(&server, "DELETE", &path, &manager, Some(&tag), ""),
        412,
        "",
    );
    let tag = changed.header("etag").unwrap().to_string();
    let bearer = format!("Bearer {manager}");
    let gone = send(
        server.addr,
        "DELETE",
        &path,
        &[("Authorization", &bearer), ("If-Match", &tag)],
        None,
    );
    assert_eq!(gone.status, 204, "{}", gone.body);
    assert_eq!(newest_audit(&server, "priority_score")["action"], "delete");
    assert_eq!(send(server.addr, "GET", &path, &[], None).status, 404);

    // Deleting a criterion (approvers) takes its scores.
    let one = format!("/api/v1/criteria/{cost_id}");
    let bearer = format!("Bearer {approver}");
    let r = send(
        server.addr,
        "DELETE",
        &one,
        &[("Authorization", &bearer), ("If-Match", "*")],
        None,
    );
    assert_eq!(r.status, 204, "{}", r.body);
    let left = get_json(&server, &scores);
    assert!(
        left["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["criterion_id"] != cost_id)
    );

    // The OpenAPI document has the operations.
    let doc = get_json(&server, "/api/v1/openapi.json");
    for op in [
        "listCriteria",
        "createCriterion",
        "updateCriterion",
        "createScore",
        "getRanking",
    ] {
        assert!(doc.to_string().contains(op), "{op}");
    }
}

#[test]
fn the_pages_define_score_and_rank_with_hostile_text_inert() {
    let server = start();
    let plan = plan_of(&server);
    let mut approver = server.signed_in("a@example.org", Role::Approver);
    let mut manager = server.signed_in("m@example.org", Role::Manager);

    // A manager cannot define criteria.
    let new = format!("/plans/{plan}/criteria/new");
    assert_eq!(manager.get(&new).status, 403);
    let (form, token) = approver.get_form(&new);
    assert_eq!(form.status, 200, "{}", form.body);
    let res = approver.post(
        &new,
        &[("csrf_token", &token), ("name", HOSTILE), ("weight", "abc")],
    );
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("<title>Error: "));
    assert!(res.body.contains("href=\"#weight\""));
    assert!(!res.body.contains("<script>alert"));
    let res = approver.post(
        &new,
        &[
            ("csrf_token", &token),
            ("name", HOSTILE),
            ("weight", "30"),
            ("description", HOSTILE),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let res = approver.post(
        &new,
        &[("csrf_token", &token), ("name", "Cost"), ("weight", "20")],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let list = approver.get(&format!("/plans/{plan}/criteria"));
    assert!(list.body.contains("The criterion has been added.") || list.status == 200);
    assert!(!list.body.contains("<script>alert"), "inert");
    assert!(list.body.contains("&#60;script&#62;") || list.body.contains("&lt;script&gt;"));

    // Score a package through the form: 6 is refused beside its field.
    let packages = get_json(
        &server,
        &format!("/api/v1/plans/{plan}/work-packages?per_page=2"),
    );
    let wp = packages["items"][0]["id"].as_i64().unwrap();
    let criteria = get_json(&server, &format!("/api/v1/plans/{plan}/criteria"));
    let cids: Vec<i64> = common::ids(&criteria);
    let scoring = format!("/work-packages/{wp}/scores");
    let (form, token) = manager.get_form(&scoring);
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(!form.body.contains("<script>alert"));
    let (s0, s1, n0, v0, v1) = (
        format!("score-{}", cids[0]),
        format!("score-{}", cids[1]),
        format!("note-{}", cids[0]),
        format!("version-{}", cids[0]),
        format!("version-{}", cids[1]),
    );
    let res = manager.post_as_is(
        &scoring,
        &[
            ("csrf_token", &token),
            (&s0, "6"),
            (&n0, HOSTILE),
            (&v0, ""),
            (&s1, "2"),
            (&v1, ""),
        ],
    );
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(
        res.body.contains(&format!("href=\"#{s0}\"")),
        "{}",
        res.body
    );
    let res = manager.post_as_is(
        &scoring,
        &[
            ("csrf_token", &token),
            (&s0, "4"),
            (&n0, HOSTILE),
            (&v0, ""),
            (&s1, "2"),
            (&v1, ""),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    // The same form again, opened before: someone changed the scores (409).
    let res = manager.post_as_is(
        &scoring,
        &[
            ("csrf_token", &token),
            (&s0, "3"),
            (&v0, ""),
            (&s1, "2"),
            (&v1, ""),
        ],
    );
    assert_eq!(res.status, 409, "{}", res.body);
    let entry = newest_audit(&server, "priority_score");
    assert_eq!(entry["action"], "create");
    // A viewer or contributor may not open the form.
    let mut contributor = server.signed_in("c@example.org", Role::Contributor);
    assert_eq!(contributor.get(&scoring).status, 403);

    // The ranking page: the package ranked, everything else listed apart
    // with what it misses, the chart's text escaped.
    let page = manager.get(&format!("/plans/{plan}/ranking"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Ranked (1)"), "{}", page.body);
    assert!(page.body.contains("Not ranked: scores missing"));
    assert!(page.body.contains("every criterion (not scored)"));
    assert!(page.body.contains("<svg class=\"ranking-chart\""));
    assert!(
        !page.body.contains("<script>alert"),
        "inert everywhere, the SVG too"
    );
    assert!(page.body.contains("3.20"), "(30·4 + 20·2) / 50");
    let bad = manager.get(&format!("/plans/{plan}/ranking?top=99"));
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("href=\"#top\""));
    let _ = csrf_token;
}
