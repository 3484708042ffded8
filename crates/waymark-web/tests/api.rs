//! The JSON API against the real server: every route, filters, validation
//! errors as problem documents, and the OpenAPI document matching the routes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Response, assert_problem};
use serde_json::Value;

/// The real server with the seed plan, spoken to as an API client.
struct TestServer {
    server: common::Server,
    plan_id: i64,
}

fn start() -> TestServer {
    let server = common::start();
    let plan_id = common::plan_of(&server);
    TestServer { server, plan_id }
}

impl TestServer {
    /// A request as a careful client sends it: a PATCH or DELETE without
    /// its own `If-Match` sends the version a GET of the same address gives
    /// just before (or `*` where a GET gives none).
    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Response {
        common::send_careful(self.server.addr, method, path, headers, Some(body))
    }

    fn get(&self, path: &str) -> Response {
        common::send(self.server.addr, "GET", path, &[], None)
    }

    fn send_json(&self, method: &str, path: &str, body: &str) -> Response {
        self.request(method, path, &[("Content-Type", "application/json")], body)
    }
}

fn package_id(s: &TestServer, reference: &str) -> i64 {
    common::api_package(&s.server, s.plan_id, reference)
}

/// Two clients PATCH different fields of one resource at once, again and
/// again: each PATCH lies over the resource as stored when it writes, so the
/// last value of both fields is there at the end (none is put back by a
/// PATCH that read the resource before it).
fn concurrent_patches_keep_both(s: &TestServer, path: &str, fields: [&'static str; 2]) {
    let addr = s.server.addr;
    let client = |field: &'static str| {
        let path = path.to_string();
        std::thread::spawn(move || {
            for i in 0..20 {
                let body = format!(r#"{{"{field}":"{field} {i}"}}"#);
                // `*`: whatever the version, so the two clients never
                // wait for each other (the overlay is what is tested).
                let r = common::send(
                    addr,
                    "PATCH",
                    &path,
                    &[("Content-Type", "application/json"), ("If-Match", "*")],
                    Some(&body),
                );
                assert_eq!(r.status, 200, "{}", r.body);
            }
        })
    };
    let (a, b) = (client(fields[0]), client(fields[1]));
    a.join().unwrap();
    b.join().unwrap();
    let now = s.get(path).json();
    for field in fields {
        assert_eq!(
            now[field].as_str(),
            Some(format!("{field} 19").as_str()),
            "{path}"
        );
    }
}

#[test]
fn concurrent_patches_of_different_fields_keep_both() {
    let s = start();
    let id = package_id(&s, "10.1.1");
    concurrent_patches_keep_both(
        &s,
        &format!("/api/v1/work-packages/{id}"),
        ["owner", "comments"],
    );
    concurrent_patches_keep_both(
        &s,
        &format!("/api/v1/plans/{}", s.plan_id),
        ["organisation", "period"],
    );
    let programmes = s
        .get(&format!("/api/v1/plans/{}/programmes", s.plan_id))
        .json();
    let programme = programmes["items"][0]["id"].as_i64().unwrap();
    concurrent_patches_keep_both(
        &s,
        &format!("/api/v1/programmes/{programme}"),
        ["name", "description"],
    );
}

fn refs(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["reference"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn plans_and_sections() {
    let s = start();
    let plans = s.get("/api/v1/plans").json();
    assert_eq!(plans["items"][0]["work_package_count"], 17);
    let plan = s.get(&format!("/api/v1/plans/{}", s.plan_id)).json();
    assert_eq!(plan["section_count"], 6);
    assert_problem(&s.get("/api/v1/plans/999"), 404, "");
    assert_problem(&s.get("/api/v1/plans/abc"), 404, "");
    assert_problem(&s.get("/api/v1/no-such-route"), 404, "");

    let sections = s
        .get(&format!("/api/v1/plans/{}/sections", s.plan_id))
        .json();
    let labels: Vec<&str> = sections["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels[0], "10.1 Core business systems");
    assert_eq!(labels[5], "Section 6 (no heading)");
    let created = s.send_json(
        "POST",
        &format!("/api/v1/plans/{}/sections", s.plan_id),
        r#"{"number":"10.7","title":"Partnerships"}"#,
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_problem(
        &s.send_json(
            "POST",
            &format!("/api/v1/plans/{}/sections", s.plan_id),
            r#"{"number":"ten"}"#,
        ),
        422,
        "number",
    );
    assert_problem(
        &s.send_json(
            "POST",
            &format!("/api/v1/plans/{}/sections", s.plan_id),
            r#"{"number":"10.7"}"#,
        ),
        409,
        "number",
    );

    let patched = s.send_json(
        "PATCH",
        &format!("/api/v1/plans/{}", s.plan_id),
        r#"{"organisation":"CYPS","quarter_convention":"financial"}"#,
    );
    assert_eq!(patched.json()["quarter_convention"], "financial");
    assert_problem(
        &s.send_json(
            "PATCH",
            &format!("/api/v1/plans/{}", s.plan_id),
            r#"{"quarter_convention":"lunar"}"#,
        ),
        422,
        "quarter_convention",
    );
    assert_problem(
        &s.send_json(
            "PATCH",
            &format!("/api/v1/plans/{}", s.plan_id),
            r#"{"colour":"red"}"#,
        ),
        422,
        "colour",
    );
    assert_problem(
        &s.send_json(
            "PATCH",
            &format!("/api/v1/plans/{}", s.plan_id),
            "{not json",
        ),
        400,
        "",
    );
    // A cross-site form cannot write: a body that is not declared JSON is refused.
    let form = s.request(
        "POST",
        &format!("/api/v1/plans/{}/sections", s.plan_id),
        &[("Content-Type", "text/plain")],
        r#"{"title":"Sneaky"}"#,
    );
    assert_problem(&form, 415, "");
    let plan = s.get(&format!("/api/v1/plans/{}", s.plan_id)).json();
    assert_eq!(plan["section_count"], 7);
}

#[test]
fn listing_filters_sorts_and_pages() {
    let s = start();
    let base = format!("/api/v1/plans/{}/work-packages", s.plan_id);
    let all = s.get(&base).json();
    assert_eq!(
        (all["total"].as_u64(), all["per_page"].as_u64()),
        (Some(17), Some(100))
    );
    assert_eq!(
        refs(&s.get(&format!("{base}?quarter=Q4%202007")).json()),
        ["10.4.3", "10.4.5"]
    );
    assert_eq!(
        refs(&s.get(&format!("{base}?influence=3.2.1")).json()),
        ["10.4.1"]
    );
    assert_eq!(
        refs(&s.get(&format!("{base}?q=single+sign")).json()),
        ["10.4.3"]
    );
    let sections = s
        .get(&format!("/api/v1/plans/{}/sections", s.plan_id))
        .json();
    let last = sections["items"][5]["id"].as_i64().unwrap();
    assert_eq!(
        refs(&s.get(&format!("{base}?section={last}")).json()),
        ["#6.1"]
    );
    let page = s.get(&format!("{base}?per_page=5&page=4")).json();
    assert_eq!(refs(&page), ["10.5.1", "#6.1"]);
    let sorted = s.get(&format!("{base}?sort=title&per_page=1")).json();
    assert_eq!(sorted["items"][0]["title"], "Application review");
    let desc = s
        .get(&format!("{base}?sort=delivery&dir=desc&per_page=1"))
        .json();
    assert_eq!(desc["items"][0]["delivery"][0]["quarter"], "Q4 2007");
    let related = s
        .get(&format!("/api/v1/plans/{}/related-items", s.plan_id))
        .json();
    let br = related["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "www.br")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        refs(&s.get(&format!("{base}?related_item={br}")).json()),
        ["10.3.1", "10.4.5"]
    );
    let progs = s
        .get(&format!("/api/v1/plans/{}/programmes", s.plan_id))
        .json();
    let ecaf = progs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "e-CAF")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        refs(&s.get(&format!("{base}?programme={ecaf}")).json()),
        ["10.3.1"]
    );
    for (param, field) in [
        ("status=done", "status"),
        ("rag=purple", "rag"),
        ("quarter=Q9", "quarter"),
        ("influence=x", "influence"),
        ("per_page=9999", "per_page"),
        ("sort=colour", "sort"),
        ("section=abc", "section"),
    ] {
        assert_problem(&s.get(&format!("{base}?{param}")), 422, field);
    }
    assert_problem(&s.get("/api/v1/plans/99/work-packages"), 404, "");
}

#[test]
fn paging_by_cursor_walks_every_order() {
    let s = start();
    let base = format!("/api/v1/plans/{}/work-packages", s.plan_id);
    for sort in ["plan", "title", "delivery", "status", "progress", "owner"] {
        for dir in ["asc", "desc"] {
            let list = format!("{base}?sort={sort}&dir={dir}");
            let all = refs(&s.get(&list).json());
            let mut walked = Vec::new();
            let mut page = s.get(&format!("{list}&per_page=4")).json();
            assert!(page["previous_cursor"].is_null());
            let mut pages = vec![refs(&page)];
            walked.extend(refs(&page));
            while let Some(next) = page["next_cursor"].as_str() {
                page = s.get(&format!("{list}&per_page=4&cursor={next}")).json();
                assert_eq!(page["page"].as_u64(), Some(pages.len() as u64 + 1));
                pages.push(refs(&page));
                walked.extend(refs(&page));
            }
            assert_eq!(
                walked, all,
                "{sort} {dir}: the cursor walks the whole list once"
            );
            assert_eq!(page["total_is_lower_bound"], false);
            // And back from the last page, one page at a time.
            let mut back = vec![refs(&page)];
            while let Some(previous) = page["previous_cursor"].as_str() {
                page = s
                    .get(&format!("{list}&per_page=4&cursor={previous}"))
                    .json();
                back.push(refs(&page));
            }
            back.reverse();
            assert_eq!(back, pages, "{sort} {dir}: back by cursor");
        }
    }
    // A cursor reads back only into its own list.
    let first = s.get(&format!("{base}?per_page=5")).json();
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    for query in [
        "cursor=abc".to_string(),
        format!("cursor={}00", &cursor),
        format!("status=in_progress&per_page=5&cursor={cursor}"),
        format!("per_page=6&cursor={cursor}"),
        format!("per_page=5&page=2&cursor={cursor}"),
    ] {
        assert_problem(&s.get(&format!("{base}?{query}")), 422, "cursor");
    }
}

#[test]
fn search_takes_references_as_phrases_and_needs_a_word() {
    let s = start();
    let base = format!("/api/v1/plans/{}/work-packages", s.plan_id);
    assert_eq!(refs(&s.get(&format!("{base}?q=10.4.3")).json()), ["10.4.3"]);
    assert_eq!(
        refs(&s.get(&format!("{base}?q=3.1.1")).json()),
        Vec::<String>::new(),
        "no package's text holds 3.1.1"
    );
    // An emoji, punctuation alone: nothing to search for is an error, not everything.
    for q in ["%F0%9F%99%82", "...", "%E2%9C%85+-"] {
        assert_problem(&s.get(&format!("{base}?q={q}")), 422, "q");
    }
}

#[test]
fn work_packages_are_read_created_updated_and_deleted() {
    let s = start();
    let id = package_id(&s, "10.4.3");
    let wp = s.get(&format!("/api/v1/work-packages/{id}")).json();
    assert_eq!(
        wp["delivery"],
        serde_json::json!([{"label": "a", "quarter": "Q4 2007"}, {"label": "b", "quarter": "Q4 2007"}])
    );
    assert_eq!(wp["section_label"], "10.4 Technology innovation");
    assert_eq!(
        wp["influences"],
        serde_json::json!(["3.1.2", "3.2.2", "3.2.5"])
    );

    // Update: only the fields sent change; a bad field changes nothing.
    let r = s.send_json(
        "PATCH",
        &format!("/api/v1/work-packages/{id}"),
        r#"{"status":"approved","rag":"amber","progress":40,"owner":"Head of ICT"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s.send_json(
        "PATCH",
        &format!("/api/v1/work-packages/{id}"),
        r#"{"progress":140,"owner":"Someone else"}"#,
    );
    assert_problem(&r, 422, "progress");
    let wp = s.get(&format!("/api/v1/work-packages/{id}")).json();
    assert_eq!(
        (
            wp["status"].as_str(),
            wp["progress"].as_u64(),
            wp["owner"].as_str()
        ),
        (Some("approved"), Some(40), Some("Head of ICT"))
    );
    assert_eq!(wp["scope"], "For customers and staff.");

    // Create in section 10.4: number defaults to the next free one.
    let section = wp["section_id"].as_i64().unwrap();
    let body = format!(
        r#"{{"section_id":{section},"title":"Pilot tablets","delivery":[{{"label":"a","quarter":"Q3 2027"}}],"influences":["3.1.2"],"relationships":"CareMobile and www.wfs"}}"#
    );
    let created = s.send_json(
        "POST",
        &format!("/api/v1/plans/{}/work-packages", s.plan_id),
        &body,
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let new = created.json();
    assert_eq!(new["reference"], "10.4.6");
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/work-packages/{}", new["id"]).as_str())
    );
    let names: Vec<&str> = new["related_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["CareMobile", "www.wfs"]);

    let dup = format!(r#"{{"section_id":{section},"number":"3","title":"Clash"}}"#);
    assert_problem(
        &s.send_json(
            "POST",
            &format!("/api/v1/plans/{}/work-packages", s.plan_id),
            &dup,
        ),
        409,
        "number",
    );
    let bad = r#"{"section_id":"x","title":"","delivery":"soon","colour":"red"}"#;
    assert_problem(
        &s.send_json(
            "POST",
            &format!("/api/v1/plans/{}/work-packages", s.plan_id),
            bad,
        ),
        422,
        "colour",
    );
    let bad = r#"{"title":"","delivery":"soon","actual_delivery":"31/12/2007"}"#;
    let r = s.send_json(
        "POST",
        &format!("/api/v1/plans/{}/work-packages", s.plan_id),
        bad,
    );
    for field in ["section_id", "title", "delivery", "actual_delivery"] {
        assert_problem(&r, 422, field);
    }
    assert_problem(
        &s.send_json(
            "POST",
            &format!("/api/v1/plans/{}/work-packages", s.plan_id),
            "",
        ),
        400,
        "",
    );
    assert_eq!(
        s.get(&format!("/api/v1/plans/{}", s.plan_id)).json()["work_package_count"],
        18
    );

    let gone = s.request(
        "DELETE",
        &format!("/api/v1/work-packages/{}", new["id"]),
        &[],
        "",
    );
    assert_eq!(gone.status, 204);
    assert_problem(
        &s.get(&format!("/api/v1/work-packages/{}", new["id"])),
        404,
        "",
    );
    assert_problem(
        &s.request(
            "DELETE",
            &format!("/api/v1/work-packages/{}", new["id"]),
            &[],
            "",
        ),
        404,
        "",
    );
}

/// The latest progress note and the delivery as written: read, set by
/// PATCH and POST, held to their limits; a new delivery without its own
/// words clears the old ones, which no longer describe it.
#[test]
fn a_progress_note_and_the_delivery_as_written() {
    let s = start();
    let id = package_id(&s, "10.4.3");
    let path = format!("/api/v1/work-packages/{id}");
    let read = |s: &TestServer| {
        let wp = s.get(&path).json();
        (
            wp["progress_note"].as_str().unwrap().to_string(),
            wp["delivery_as_written"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(read(&s), (String::new(), String::new()));

    let r = s.send_json(
        "PATCH",
        &path,
        r#"{"progress_note":"Supplier chosen.\nContract next.","delivery_as_written":"By the end of 2007"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["progress_note"],
        "Supplier chosen.\nContract next."
    );
    let both = (
        "Supplier chosen.\nContract next.".to_string(),
        "By the end of 2007".to_string(),
    );
    assert_eq!(read(&s), both);

    // Other fields, or the same delivery given again, keep both.
    for body in [
        r#"{"owner":"Head of ICT"}"#,
        r#"{"delivery":"a) Q4 2007 b) Q4 2007"}"#,
        r#"{"delivery":[{"label":"a","quarter":"Q4 2007"},{"label":"b","quarter":"Q4 2007"}]}"#,
    ] {
        let r = s.send_json("PATCH", &path, body);
        assert_eq!(r.status, 200, "{body}: {}", r.body);
        assert_eq!(read(&s), both, "{body}");
    }
    // A new delivery without its words clears them; the note stays.
    let r = s.send_json("PATCH", &path, r#"{"delivery":"Q1 2008"}"#);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(read(&s), (both.0.clone(), String::new()));
    // Given together, both are kept.
    let r = s.send_json(
        "PATCH",
        &path,
        r#"{"delivery":"Q2 2008","delivery_as_written":"Spring 2008"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(read(&s), (both.0.clone(), "Spring 2008".to_string()));
    // Words that are only the delivery as Waymark writes it are not kept.
    let r = s.send_json("PATCH", &path, r#"{"delivery_as_written":"Q2 2008"}"#);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(read(&s), (both.0.clone(), String::new()));
    let r = s.send_json("PATCH", &path, r#"{"delivery_as_written":"Spring 2008"}"#);
    assert_eq!(r.status, 200, "{}", r.body);
    // null clears either.
    let r = s.send_json(
        "PATCH",
        &path,
        r#"{"progress_note":null,"delivery_as_written":null}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(read(&s), (String::new(), String::new()));

    // The limits are limits.rs's, and a refused PATCH changes nothing.
    let long = |field: &str, n: usize| format!(r#"{{"{field}":"{}"}}"#, "x".repeat(n));
    assert_problem(
        &s.send_json("PATCH", &path, &long("progress_note", 20_001)),
        422,
        "progress_note",
    );
    assert_problem(
        &s.send_json("PATCH", &path, &long("delivery_as_written", 1_001)),
        422,
        "delivery_as_written",
    );
    assert_eq!(read(&s), (String::new(), String::new()));
    let r = s.send_json("PATCH", &path, &long("progress_note", 20_000));
    assert_eq!(r.status, 200, "{}", r.body);

    // A new package may have both from the start.
    let section = s.get(&path).json()["section_id"].as_i64().unwrap();
    let body = format!(
        r#"{{"section_id":{section},"title":"Pilot tablets","delivery":"","delivery_as_written":"Ongoing","progress_note":"Six tablets out"}}"#
    );
    let created = s.send_json(
        "POST",
        &format!("/api/v1/plans/{}/work-packages", s.plan_id),
        &body,
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let new = created.json();
    assert_eq!(
        (&new["delivery_as_written"], &new["progress_note"]),
        (&Value::from("Ongoing"), &Value::from("Six tablets out"))
    );
}

#[test]
fn registers() {
    let s = start();
    let infl = s
        .get(&format!("/api/v1/plans/{}/influences", s.plan_id))
        .json();
    assert_eq!(infl["items"].as_array().unwrap().len(), 11);
    let one = s
        .get(&format!("/api/v1/plans/{}/influences/3.2.1", s.plan_id))
        .json();
    assert_eq!(one["work_packages"][0]["reference"], "10.4.1");
    assert_problem(
        &s.get(&format!("/api/v1/plans/{}/influences/9.9.9", s.plan_id)),
        404,
        "",
    );

    let related = s
        .get(&format!("/api/v1/plans/{}/related-items", s.plan_id))
        .json();
    let strategy = related["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Corporate ICT Strategy")
        .unwrap()
        .clone();
    let id = strategy["id"].as_i64().unwrap();
    let detail = s.get(&format!("/api/v1/related-items/{id}")).json();
    assert_eq!(
        detail["work_packages"].as_array().unwrap().len() as u64,
        strategy["work_package_count"].as_u64().unwrap()
    );
    let gis = related["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "GIS")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = s.send_json(
        "PATCH",
        &format!("/api/v1/related-items/{gis}"),
        r#"{"kind":"system"}"#,
    );
    assert_eq!(r.json()["related_item"]["kind"], "system");
    assert_problem(
        &s.send_json(
            "PATCH",
            &format!("/api/v1/related-items/{gis}"),
            r#"{"kind":"gadget"}"#,
        ),
        422,
        "kind",
    );
    assert_problem(
        &s.send_json(
            "PATCH",
            &format!("/api/v1/related-items/{gis}"),
            r#"{"name":"Amethyst"}"#,
        ),
        409,
        "name",
    );

    let progs = s
        .get(&format!("/api/v1/plans/{}/programmes", s.plan_id))
        .json();
    let names: Vec<(&str, bool)> = progs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap(),
                p["priority"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("ISA", true),
            ("e-CAF", true),
            ("Child Concern Pathway", true)
        ]
    );
    let pid = progs["items"][1]["id"].as_i64().unwrap();
    assert_eq!(
        s.get(&format!("/api/v1/programmes/{pid}")).json()["work_packages"][0]["reference"],
        "10.3.1"
    );
    assert_problem(&s.get("/api/v1/programmes/999"), 404, "");

    // The group sets its priorities and names its influences.
    let url = format!("/api/v1/plans/{}/programmes", s.plan_id);
    let created = s.send_json(
        "POST",
        &url,
        r#"{"name":"Post-JAR action plan","priority":true}"#,
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let new = created.json()["id"].as_i64().unwrap();
    assert_problem(&s.send_json("POST", &url, r#"{"name":"ISA"}"#), 409, "name");
    assert_problem(&s.send_json("POST", &url, r#"{"name":" "}"#), 422, "name");
    let r = s.send_json(
        "PATCH",
        &format!("/api/v1/programmes/{pid}"),
        r#"{"priority":false}"#,
    );
    assert_eq!(
        (r.json()["name"].as_str(), r.json()["priority"].as_bool()),
        (Some("e-CAF"), Some(false))
    );
    assert_eq!(
        s.request("DELETE", &format!("/api/v1/programmes/{new}"), &[], "")
            .status,
        204
    );
    let r = s.send_json(
        "PATCH",
        &format!("/api/v1/plans/{}/influences/3.1.1", s.plan_id),
        r#"{"title":"Every Child Matters"}"#,
    );
    assert_eq!(r.json()["influence"]["title"], "Every Child Matters");
    assert_problem(
        &s.send_json(
            "PATCH",
            &format!("/api/v1/plans/{}/influences/3.1.1", s.plan_id),
            r#"{"colour":1}"#,
        ),
        422,
        "colour",
    );
}

#[test]
fn dependencies_export_and_check() {
    let s = start();
    let a = package_id(&s, "10.2.1");
    let b = package_id(&s, "10.2.2");
    let url = format!("/api/v1/plans/{}/dependencies", s.plan_id);
    let r = s.send_json(
        "POST",
        &url,
        &format!(r#"{{"predecessor_id":{a},"successor_id":{b}}}"#),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let dep = r.json()["id"].as_i64().unwrap();
    let cycle = s.send_json(
        "POST",
        &url,
        &format!(r#"{{"predecessor_id":{b},"successor_id":{a}}}"#),
    );
    assert_problem(&cycle, 422, "predecessor_id");
    assert!(cycle.json()["detail"].as_str().unwrap().contains("cycle"));
    assert_problem(
        &s.send_json(
            "POST",
            &url,
            &format!(r#"{{"predecessor_id":{a},"successor_id":99999}}"#),
        ),
        422,
        "successor_id",
    );
    assert_problem(
        &s.send_json("POST", &url, r#"{"predecessor_id":"x"}"#),
        422,
        "",
    );
    let list = s.get(&url).json();
    assert_eq!(list["items"][0]["successor"]["reference"], "10.2.2");
    let wp = s.get(&format!("/api/v1/work-packages/{b}")).json();
    assert_eq!(wp["depends_on"][0]["work_package"]["reference"], "10.2.1");

    let json = s.get(&format!("/api/v1/plans/{}/export", s.plan_id));
    assert_eq!(json.header("content-type"), Some("application/json"));
    let doc = json.json();
    assert_eq!(
        doc["priorities"],
        serde_json::json!(["ISA", "e-CAF", "Child Concern Pathway"])
    );
    assert_eq!(doc["dependencies"][0]["successor"], "10.2.2");
    let md = s.get(&format!(
        "/api/v1/plans/{}/export?format=markdown",
        s.plan_id
    ));
    assert!(md.body.starts_with("# CYPS ICT strategy action plan"));
    let csv = s.get(&format!("/api/v1/plans/{}/export?format=csv", s.plan_id));
    assert!(csv.body.starts_with("Section,Work package,"));
    let xlsx = s.get(&format!("/api/v1/plans/{}/export?format=xlsx", s.plan_id));
    assert_eq!(xlsx.status, 200);
    assert_eq!(
        xlsx.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    assert_eq!(
        xlsx.header("content-disposition"),
        Some(format!("attachment; filename=\"plan-{}.xlsx\"", s.plan_id).as_str())
    );
    assert!(xlsx.body.starts_with("PK"));
    assert_problem(
        &s.get(&format!("/api/v1/plans/{}/export?format=pdf", s.plan_id)),
        422,
        "format",
    );

    // With the list's filters: the packages they find, with the dependencies
    // among them; a wrong filter is a 422 naming it.
    let only = s.get(&format!(
        "/api/v1/plans/{}/export?q=10.2&status=proposed",
        s.plan_id
    ));
    assert_eq!(only.status, 200, "{}", only.body);
    let doc = only.json();
    let refs: Vec<String> = doc["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|sec| {
            let n = sec["number"].as_str().unwrap_or("").to_string();
            sec["work_packages"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |wp| format!("{n}.{}", wp["number"].as_str().unwrap()))
                .collect::<Vec<_>>()
        })
        .collect();
    let listed: Vec<String> = s
        .get(&format!(
            "/api/v1/plans/{}/work-packages?q=10.2&status=proposed&per_page=500",
            s.plan_id
        ))
        .json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["reference"].as_str().unwrap().to_string())
        .collect();
    assert!(!listed.is_empty());
    let mut sorted = refs.clone();
    sorted.sort();
    let mut expected = listed.clone();
    expected.sort();
    assert_eq!(sorted, expected, "the export holds what the list finds");
    assert_eq!(doc["dependencies"][0]["successor"], "10.2.2");
    let csv = s.get(&format!(
        "/api/v1/plans/{}/export?format=csv&q=10.2",
        s.plan_id
    ));
    assert_eq!(
        csv.header("content-disposition"),
        Some(format!("attachment; filename=\"plan-{}-selection.csv\"", s.plan_id).as_str())
    );
    assert!(!csv.body.contains("10.1,"), "{}", csv.body);
    assert_problem(
        &s.get(&format!("/api/v1/plans/{}/export?status=done", s.plan_id)),
        422,
        "status",
    );

    let check = s.get(&format!("/api/v1/plans/{}/check", s.plan_id)).json();
    assert!(
        check["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "overdue")
    );

    assert_eq!(
        s.request("DELETE", &format!("/api/v1/dependencies/{dep}"), &[], "")
            .status,
        204
    );
    assert_eq!(s.get(&url).json()["items"].as_array().unwrap().len(), 0);
}

/// The API paths `api::routes()` declares, read from its source, so that a
/// route added without documentation fails the test below.
fn routed_paths() -> Vec<String> {
    let src = include_str!("../src/api/mod.rs");
    let start = src
        .find("pub(crate) fn routes()")
        .expect("api::routes in api/mod.rs");
    let body = &src[start..];
    let body = &body[..body.find("\n}\n").expect("end of api::routes")];
    let mut paths: Vec<String> = body
        .split('"')
        .filter(|p| p.starts_with("/api/v1/") && *p != "/api/v1/openapi.json")
        .map(str::to_string)
        .collect();
    paths.sort();
    paths.dedup();
    assert!(paths.len() > 10, "found only {paths:?} in api::routes");
    paths
}

/// Every path and method the router serves is in the OpenAPI document and
/// every documented one is served; the document is complete enough for
/// client generators (unique operation ids, a description on every response,
/// the problem responses every operation can give).
#[test]
fn openapi_document_matches_the_routes() {
    let s = start();
    let doc = s.get("/api/v1/openapi.json").json();
    assert_eq!(
        doc["openapi"].as_str().map(|v| v.starts_with("3.1")),
        Some(true)
    );
    let paths = doc["paths"].as_object().unwrap();
    let mut documented = Vec::new();
    let mut served = Vec::new();
    let mut operation_ids = Vec::new();
    for path in routed_paths() {
        assert!(
            paths.contains_key(&path),
            "{path} is routed but not documented"
        );
    }
    for (path, item) in paths {
        // Ids and codes that name nothing: probing changes no data.
        let url = path.replace("{id}", "999999").replace("{code}", "9.9.9");
        for method in ["get", "post", "patch", "put", "delete"] {
            let r = s.request(
                &method.to_uppercase(),
                &url,
                &[("Content-Type", "application/json")],
                "{}",
            );
            if r.status != 405 {
                served.push(format!("{method} {path}"));
            }
            let Some(op) = item.get(method) else { continue };
            documented.push(format!("{method} {path}"));
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            assert!(
                id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && id.chars().all(|c| c.is_ascii_alphanumeric())
                    && id.chars().any(|c| c.is_ascii_uppercase()),
                "{method} {path}: operationId {id} is not a lowerCamelCase verb and noun"
            );
            operation_ids.push(id.to_string());
            let responses = op["responses"].as_object().unwrap();
            for (status, r) in responses {
                assert!(
                    r["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status}: no description"
                );
            }
            let mut must = vec!["400"];
            if path.contains('{') {
                must.push("404");
            }
            if op.get("requestBody").is_some() {
                must.extend(["413", "415", "422"]);
            }
            for status in must {
                let content = &responses
                    .get(status)
                    .unwrap_or_else(|| panic!("{method} {path}: {status} not documented"))["content"];
                assert_eq!(
                    content["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{method} {path} {status}"
                );
            }
        }
    }
    let mut unique = operation_ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        operation_ids.len(),
        "operationIds repeat: {operation_ids:?}"
    );
    for expected in [
        "listWorkPackages",
        "getWorkPackage",
        "createWorkPackage",
        "updateWorkPackage",
        "deleteWorkPackage",
        "listPlans",
    ] {
        assert!(operation_ids.iter().any(|i| i == expected), "no {expected}");
    }
    documented.sort();
    served.sort();
    assert_eq!(
        documented, served,
        "documented methods differ from served ones"
    );
}

#[test]
fn a_package_history_lists_who_changed_which_fields_newest_first() {
    let s = start();
    let id = package_id(&s, "10.4.3");
    let path = format!("/api/v1/work-packages/{id}/history");
    assert_eq!(s.get(&path).json()["items"], serde_json::json!([]));
    for body in [
        r#"{"status":"approved","owner":"Head of ICT"}"#,
        r#"{"progress":40}"#,
    ] {
        let r = s.send_json("PATCH", &format!("/api/v1/work-packages/{id}"), body);
        assert_eq!(r.status, 200, "{}", r.body);
    }
    // A refused change records nothing.
    let r = s.send_json(
        "PATCH",
        &format!("/api/v1/work-packages/{id}"),
        r#"{"progress":400}"#,
    );
    assert_eq!(r.status, 422, "{}", r.body);
    let history = s.get(&path).json();
    let items = history["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{history}");
    assert_eq!(items[0]["action"], "update");
    assert_eq!(items[0]["actor_kind"], "token");
    assert_eq!(
        items[0]["changes"],
        serde_json::json!([{"field": "progress", "before": "0", "after": "40"}])
    );
    let fields: Vec<&str> = items[1]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["owner", "status"]);
    assert_eq!(items[1]["changes"][1]["after"], "approved");
    assert!(items[0]["sequence"].as_u64() > items[1]["sequence"].as_u64());
    assert!(items[0]["at"].as_str().unwrap().ends_with('Z'));

    // A deleted package keeps its history; one that never was is not found.
    let r = s.request("DELETE", &format!("/api/v1/work-packages/{id}"), &[], "");
    assert_eq!(r.status, 204, "{}", r.body);
    let history = s.get(&path).json();
    assert_eq!(history["items"][0]["action"], "delete");
    assert_problem(&s.get("/api/v1/work-packages/999999/history"), 404, "");
}

/// The audit trail's list: every entry newest first, filtered by what, who,
/// action and day, paged by entry number both ways, with the chain's head;
/// wrong filters are 422s naming them.
#[test]
fn the_audit_list_filters_and_pages_by_entry_number() {
    let s = start();
    let id = package_id(&s, "10.4.3");
    for body in [
        r#"{"owner":"Head of ICT"}"#,
        r#"{"progress":40}"#,
        r#"{"status":"approved"}"#,
    ] {
        let r = s.send_json("PATCH", &format!("/api/v1/work-packages/{id}"), body);
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let numbers = |doc: &Value| -> Vec<u64> {
        doc["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["sequence"].as_u64().unwrap())
            .collect()
    };
    // 1: the import; 2 and 3: the test server's administrator and its token
    // (made on the command line); 4 to 6: the changes above, by that token.
    let all = s.get("/api/v1/audit").json();
    assert_eq!(numbers(&all), [6, 5, 4, 3, 2, 1], "{all}");
    assert_eq!(all["head"]["sequence"], 6);
    assert_eq!(all["head"]["hash"], all["items"][0]["hash"]);
    assert_eq!(all["next_before"], Value::Null);
    assert_eq!(all["previous_after"], Value::Null);
    assert_eq!(all["items"][0]["entity_kind"], "work_package");
    assert_eq!(all["items"][0]["entity_id"], id.to_string());
    assert_eq!(all["items"][0]["actor_kind"], "token");
    assert_eq!(all["items"][0]["actor"], "Admin of the tests (API token 1)");
    assert_eq!(
        all["items"][0]["changes"],
        serde_json::json!([{"field": "status", "before": "proposed", "after": "approved"}])
    );
    assert_eq!(all["items"][5]["action"], "import");
    assert_eq!(all["items"][5]["entity_kind"], "plan");
    assert_eq!(all["items"][4]["entity_kind"], "account");
    assert_eq!(all["items"][3]["entity_kind"], "api_token");

    // Pages of two: older by `before`, back by `after`.
    let first = s.get("/api/v1/audit?per_page=2").json();
    assert_eq!(numbers(&first), [6, 5]);
    assert_eq!(first["next_before"], 5);
    assert_eq!(first["previous_after"], Value::Null);
    let second = s.get("/api/v1/audit?per_page=2&before=5").json();
    assert_eq!(numbers(&second), [4, 3]);
    assert_eq!(second["next_before"], 3);
    assert_eq!(second["previous_after"], 4);
    let third = s.get("/api/v1/audit?per_page=2&before=3").json();
    assert_eq!(numbers(&third), [2, 1]);
    assert_eq!(third["next_before"], Value::Null);
    let back = s.get("/api/v1/audit?per_page=2&after=4").json();
    assert_eq!(numbers(&back), [6, 5]);
    assert_eq!(back["next_before"], 5);
    assert_eq!(back["previous_after"], Value::Null);

    // Filters.
    let count = |query: &str| numbers(&s.get(&format!("/api/v1/audit?{query}")).json());
    assert_eq!(count("action=import"), [1]);
    assert_eq!(count("actor_kind=token"), [6, 5, 4]);
    assert_eq!(count("actor_kind=anonymous"), [] as [u64; 0]);
    assert_eq!(count("actor=ADMIN%20OF%20THE"), [6, 5, 4]);
    assert_eq!(count("actor_kind=cli"), [3, 2, 1]);
    assert_eq!(count("entity_kind=account"), [2]);
    assert_eq!(
        count(&format!("entity_kind=work_package&entity_id={id}")),
        [6, 5, 4]
    );
    assert_eq!(
        count("entity_kind=work_package&entity_id=999999"),
        [] as [u64; 0]
    );
    assert_eq!(count("from=2000-01-01"), [6, 5, 4, 3, 2, 1]);
    assert_eq!(count("to=2000-01-01"), [] as [u64; 0]);
    assert_eq!(
        count("action=update&actor_kind=token&per_page=1&before=6"),
        [5]
    );

    for (query, field) in [
        ("entity_kind=planet", "entity_kind"),
        ("entity_id=12", "entity_id"),
        ("actor_kind=robot", "actor_kind"),
        ("action=explode", "action"),
        ("from=2026-02-30", "from"),
        ("to=soon", "to"),
        ("from=2026-11-30&to=2026-11-01", "to"),
        ("before=0", "before"),
        ("before=9223372036854775808", "before"),
        ("after=x", "after"),
        ("before=3&after=1", "after"),
        ("per_page=501", "per_page"),
        ("action=", "action"),
    ] {
        assert_problem(&s.get(&format!("/api/v1/audit?{query}")), 422, field);
    }
    let long = "x".repeat(201);
    assert_problem(&s.get(&format!("/api/v1/audit?actor={long}")), 422, "actor");
    assert_problem(&s.get("/api/v1/audit?entity=plan"), 400, "");
    assert_problem(&s.get("/api/v1/audit?action=update&action=create"), 400, "");

    // The documented parameters are the parsed ones.
    let doc = s.get("/api/v1/openapi.json").json();
    let mut names: Vec<&str> = doc["paths"]["/api/v1/audit"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["in"] == "query")
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort();
    let mut known = waymark_web::input::AUDIT_QUERY.to_vec();
    known.sort();
    assert_eq!(names, known);
}

/// The list's documented query parameters are exactly those it takes, with
/// the bounds its parser applies.
#[test]
fn openapi_query_parameters_are_the_parsed_ones() {
    let s = start();
    let doc = s.get("/api/v1/openapi.json").json();
    let op = &doc["paths"]["/api/v1/plans/{id}/work-packages"]["get"];
    let params: Vec<&Value> = op["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["in"] == "query")
        .collect();
    let mut names: Vec<&str> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
    names.sort();
    let mut known = waymark_web::input::WORK_PACKAGE_QUERY.to_vec();
    known.sort();
    assert_eq!(names, known);
    let schema = |name: &str| &params.iter().find(|p| p["name"] == name).unwrap()["schema"];
    assert_eq!(schema("page")["minimum"], 1);
    assert_eq!(schema("per_page")["minimum"], 1);
    assert_eq!(schema("per_page")["maximum"], 500);
    assert_eq!(
        schema("status")["enum"],
        serde_json::json!([
            "proposed",
            "approved",
            "in_progress",
            "delivered",
            "closed",
            "on_hold",
            "rejected",
            "cancelled"
        ])
    );
    assert_eq!(
        schema("rag")["enum"],
        serde_json::json!(["red", "amber", "green"])
    );
    assert_eq!(schema("dir")["enum"], serde_json::json!(["asc", "desc"]));
    // Every documented value is accepted, and the edges of the bounds hold.
    let list = format!("/api/v1/plans/{}/work-packages", s.plan_id);
    for name in ["status", "rag", "sort", "dir"] {
        for v in schema(name)["enum"].as_array().unwrap() {
            let r = s.get(&format!("{list}?{name}={}", v.as_str().unwrap()));
            assert_eq!(r.status, 200, "{name}={v}: {}", r.body);
        }
    }
    assert_eq!(s.get(&format!("{list}?per_page=500")).status, 200);
    assert_problem(&s.get(&format!("{list}?per_page=501")), 422, "per_page");
    assert_problem(&s.get(&format!("{list}?page=0")), 422, "page");
    let export = &doc["paths"]["/api/v1/plans/{id}/export"]["get"]["parameters"];
    let format = export
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "format")
        .unwrap();
    for f in format["schema"]["enum"].as_array().unwrap() {
        let r = s.get(&format!(
            "/api/v1/plans/{}/export?format={}",
            s.plan_id,
            f.as_str().unwrap()
        ));
        assert_eq!(r.status, 200, "format={f}");
    }
}

#[test]
fn deleting_a_plan() {
    let s = start();
    assert_eq!(
        s.request("DELETE", &format!("/api/v1/plans/{}", s.plan_id), &[], "")
            .status,
        204
    );
    assert_eq!(
        s.get("/api/v1/plans").json()["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

/// Packages created at once without a number each get their own: the number is
/// chosen in the same transaction that stores the package.
#[test]
fn parallel_creates_without_a_number_get_distinct_numbers() {
    let s = start();
    let section = s
        .get(&format!("/api/v1/plans/{}/sections", s.plan_id))
        .json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/plans/{}/work-packages", s.plan_id);
    let body = format!(r#"{{"section_id":{section},"title":"Parallel"}}"#);
    let answers: Vec<Response> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..40)
            .map(|_| scope.spawn(|| s.send_json("POST", &path, &body)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut numbers: Vec<u64> = answers
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{}", r.body);
            r.json()["number"].as_str().unwrap().parse().unwrap()
        })
        .collect();
    numbers.sort_unstable();
    // The section held 1 and 2.
    assert_eq!(numbers, (3..43).collect::<Vec<u64>>());
}

/// The largest number there is cannot be followed: a clear 422, not a 500 or a
/// wrap to 0.
#[test]
fn the_next_number_after_the_largest_is_a_validation_error() {
    let s = start();
    let section = s
        .get(&format!("/api/v1/plans/{}/sections", s.plan_id))
        .json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/plans/{}/work-packages", s.plan_id);
    let r = s.send_json(
        "POST",
        &path,
        &format!(r#"{{"section_id":{section},"number":"18446744073709551615","title":"Last"}}"#),
    );
    assert_problem(&r, 422, "number");
    // The largest number the format allows (waymark_core::limits).
    let r = s.send_json(
        "POST",
        &path,
        &format!(r#"{{"section_id":{section},"number":"999999","title":"Last"}}"#),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let r = s.send_json(
        "POST",
        &path,
        &format!(r#"{{"section_id":{section},"title":"After the last"}}"#),
    );
    assert_problem(&r, 422, "number");
}

/// Send a request whose body the server may refuse before reading it all: a
/// write error after the headers is not a failure, the answer is what counts.
fn send_large(s: &TestServer, method: &str, path: &str, body: &[u8]) -> Response {
    use std::io::{Read, Write};
    let addr = s.server.addr;
    let token = &s.server.token;
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nIf-Match: *\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    assert!(!raw.is_empty(), "no answer to a {} byte body", body.len());
    common::parse_response(&raw)
}

#[test]
fn a_body_over_the_limit_is_a_413_problem() {
    let s = start();
    let wp = package_id(&s, "10.1.1");
    let body = format!("{{\"comments\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let r = send_large(
        &s,
        "PATCH",
        &format!("/api/v1/work-packages/{wp}"),
        body.as_bytes(),
    );
    assert_problem(&r, 413, "");
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap()
            .contains("2097152 bytes")
    );
}

#[test]
fn an_unsupported_method_is_a_405_problem_with_allow() {
    let s = start();
    for (method, path, allowed) in [
        ("PUT", "/api/v1/plans".to_string(), "GET"),
        (
            "DELETE",
            format!("/api/v1/plans/{}/export", s.plan_id),
            "GET",
        ),
        ("POST", format!("/api/v1/plans/{}", s.plan_id), "PATCH"),
    ] {
        let r = s.request(method, &path, &[], "");
        assert_problem(&r, 405, "");
        let allow = r
            .header("allow")
            .unwrap_or_else(|| panic!("{method} {path}: no Allow header"));
        assert!(allow.contains(allowed), "{method} {path}: Allow: {allow}");
        assert!(!allow.contains(method), "{method} {path}: Allow: {allow}");
    }
}

#[test]
fn unknown_api_addresses_are_404_problems() {
    let s = start();
    for path in ["/api", "/api/", "/api/v2/plans", "/api/v1/plans/1/nothing"] {
        assert_problem(&s.get(path), 404, "");
    }
}

#[test]
fn problem_documents_are_bounded_whatever_the_input() {
    let s = start();
    let wp = package_id(&s, "10.1.1");
    let path = format!("/api/v1/work-packages/{wp}");
    // A 200 KB value that the message quotes.
    let huge = "y".repeat(200 * 1024);
    let r = s.send_json("PATCH", &path, &format!("{{\"delivery\": \"{huge}\"}}"));
    assert_problem(&r, 422, "delivery");
    assert!(r.body.len() < 4 * 1024, "{} bytes", r.body.len());
    let message = r.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("is not a quarter"), "{message}");
    // A 200 KB unknown field name, and a thousand unknown fields.
    let r = s.send_json("PATCH", &path, &format!("{{\"{huge}\": 1}}"));
    assert_problem(&r, 422, "");
    assert!(r.body.len() < 4 * 1024, "{} bytes", r.body.len());
    let many = (0..1000)
        .map(|i| format!("\"field{i}\": 1"))
        .collect::<Vec<_>>()
        .join(", ");
    let r = s.send_json("PATCH", &path, &format!("{{{many}}}"));
    assert_problem(&r, 422, "field0");
    let p = r.json();
    assert_eq!(p["errors"].as_array().unwrap().len(), 20);
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .ends_with("and 980 more errors")
    );
    assert!(r.body.len() < 16 * 1024, "{} bytes", r.body.len());
}

#[test]
fn a_repeated_query_parameter_is_named_in_a_400() {
    let s = start();
    let list = format!("/api/v1/plans/{}/work-packages", s.plan_id);
    let r = s.get(&format!("{list}?status=delivered&status=in_progress"));
    assert_problem(&r, 400, "status");
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap()
            .contains("more than once"),
        "{}",
        r.body
    );
    let r = s.get(&format!(
        "/api/v1/plans/{}/export?format=csv&format=json",
        s.plan_id
    ));
    assert_problem(&r, 400, "format");
}

#[test]
fn unknown_query_parameters_are_named_in_a_400() {
    let s = start();
    let list = format!("/api/v1/plans/{}/work-packages", s.plan_id);
    let r = s.get(&format!("{list}?stauts=delivered"));
    assert_problem(&r, 400, "stauts");
    assert!(
        r.json()["detail"].as_str().unwrap().contains("section"),
        "{}",
        r.body
    );
    let r = s.get("/api/v1/plans?page=2");
    assert_problem(&r, 400, "page");
    let r = s.get(&format!(
        "/api/v1/plans/{}/export?format=csv&fmt=x",
        s.plan_id
    ));
    assert_problem(&r, 400, "fmt");
    // Known names still work, and an empty value is named rather than ignored.
    assert_eq!(
        s.get(&format!("{list}?status=delivered&per_page=5")).status,
        200
    );
    assert_problem(&s.get(&format!("{list}?status=")), 422, "status");
}

/// Bidirectional controls (U+202E shows a title reversed) are removed from
/// text sent to the API, as the importers remove them from files.
#[test]
fn bidirectional_controls_are_removed_from_api_input() {
    let s = start();
    let id = package_id(&s, "10.4.3");
    let section = s.get(&format!("/api/v1/work-packages/{id}")).json()["section_id"]
        .as_i64()
        .unwrap();
    // JSON escapes: the server sees the characters themselves.
    let body = format!(
        r#"{{"section_id":{section},"title":"Review \u202egnirps\u202c systems","owner":"\u2067Jane\u2069 \u200fDoe"}}"#
    );
    let created = s.send_json(
        "POST",
        &format!("/api/v1/plans/{}/work-packages", s.plan_id),
        &body,
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();
    let wp = s.get(&format!("/api/v1/work-packages/{id}")).json();
    assert_eq!(wp["title"], "Review gnirps systems");
    // The right-to-left mark is not a control that reorders text: kept.
    assert_eq!(wp["owner"], "Jane \u{200F}Doe");
    let r = s.send_json(
        "PATCH",
        &format!("/api/v1/work-packages/{id}"),
        r#"{"comments":"\u202dforced\u202c"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let wp = s.get(&format!("/api/v1/work-packages/{id}")).json();
    assert_eq!(wp["comments"], "forced");

    // Every body, not only work packages': a plan title, literal or escaped.
    let r = s.send_json(
        "PATCH",
        &format!("/api/v1/plans/{}", s.plan_id),
        "{\"title\":\"CYPS \u{202E}nalp\\u202c\"}",
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["title"], "CYPS nalp");
}

fn related_id(s: &TestServer, name: &str) -> i64 {
    s.get(&format!("/api/v1/plans/{}/related-items", s.plan_id))
        .json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no related item {name}"))["id"]
        .as_i64()
        .unwrap()
}

fn related_names(wp: &Value) -> Vec<String> {
    wp["related_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn sections_are_renamed_moved_and_deleted_when_empty() {
    let s = start();
    let sections = s
        .get(&format!("/api/v1/plans/{}/sections", s.plan_id))
        .json();
    let id_of = |i: usize| sections["items"][i]["id"].as_i64().unwrap();
    let governance = format!("/api/v1/sections/{}", id_of(1));
    let r = s.send_json(
        "PATCH",
        &governance,
        r#"{"number":"11","title":"Governance and standards"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["label"], "11 Governance and standards");
    assert_eq!(s.get(&governance).json()["work_package_count"], 4);
    let wp = package_id(&s, "11.4");
    assert_eq!(
        s.get(&format!("/api/v1/work-packages/{wp}")).json()["section_label"],
        "11 Governance and standards"
    );

    // Move the unnumbered last section to the top: its package becomes #1.1.
    let last = format!("/api/v1/sections/{}", id_of(5));
    let r = s.send_json("PATCH", &last, r#"{"position":1}"#);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["position"], 0);
    let list = s
        .get(&format!(
            "/api/v1/plans/{}/work-packages?per_page=2",
            s.plan_id
        ))
        .json();
    assert_eq!(refs(&list), ["#1.1", "10.1.1"]);

    // A change that cannot be made in full is not made in part.
    assert_problem(
        &s.send_json("PATCH", &governance, r#"{"number":"12","position":7}"#),
        422,
        "position",
    );
    assert_eq!(s.get(&governance).json()["number"], "11");
    assert_problem(
        &s.send_json("PATCH", &last, r#"{"position":0}"#),
        422,
        "position",
    );
    assert_problem(
        &s.send_json("PATCH", &last, r#"{"position":7}"#),
        422,
        "position",
    );
    assert_problem(
        &s.send_json("PATCH", &governance, r#"{"number":"eleven"}"#),
        422,
        "number",
    );
    assert_problem(
        &s.send_json("PATCH", &governance, r#"{"number":"10.1"}"#),
        409,
        "number",
    );
    assert_problem(
        &s.send_json("PATCH", &governance, r#"{"colour":"red"}"#),
        422,
        "colour",
    );
    assert_problem(
        &s.send_json("PATCH", "/api/v1/sections/999", r#"{"title":"x"}"#),
        404,
        "",
    );

    // A section with packages is not deleted; an empty one is.
    let r = s.request("DELETE", &governance, &[], "");
    assert_problem(&r, 409, "section");
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap()
            .contains("still holds 4 work packages"),
        "{}",
        r.body
    );
    let created = s.send_json(
        "POST",
        &format!("/api/v1/plans/{}/sections", s.plan_id),
        r#"{"title":"Spare"}"#,
    );
    let spare = format!("/api/v1/sections/{}", created.json()["id"]);
    assert_eq!(s.request("DELETE", &spare, &[], "").status, 204);
    assert_problem(&s.get(&spare), 404, "");
    assert_eq!(
        s.get(&format!("/api/v1/plans/{}", s.plan_id)).json()["section_count"],
        6
    );
}

#[test]
fn influences_are_merged_and_deleted_when_unused() {
    let s = start();
    let wp = package_id(&s, "10.1.1");
    let r = s.send_json(
        "PATCH",
        &format!("/api/v1/work-packages/{wp}"),
        r#"{"influences":["3.1.1","3.11.1"]}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let typo = format!("/api/v1/plans/{}/influences/3.11.1", s.plan_id);
    let r = s.request("DELETE", &typo, &[], "");
    assert_problem(&r, 409, "code");
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap()
            .contains("1 work package still addresses"),
        "{}",
        r.body
    );

    assert_problem(
        &s.send_json("POST", &format!("{typo}/merge"), r#"{"into":"three"}"#),
        422,
        "into",
    );
    assert_problem(
        &s.send_json("POST", &format!("{typo}/merge"), r#"{"into":"3.11.1"}"#),
        422,
        "into",
    );
    let r = s.send_json("POST", &format!("{typo}/merge"), r#"{"into":"3.1.1"}"#);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["influence"]["code"], "3.1.1");
    assert_problem(&s.get(&typo), 404, "");
    assert_eq!(
        s.get(&format!("/api/v1/work-packages/{wp}")).json()["influences"],
        serde_json::json!(["3.1.1"]),
        "a package that had both keeps one"
    );
    assert_problem(
        &s.send_json("POST", &format!("{typo}/merge"), r#"{"into":"3.1.1"}"#),
        404,
        "",
    );

    // Unused, an influence can be deleted.
    let unused = format!("/api/v1/plans/{}/influences/3.9.9", s.plan_id);
    s.send_json(
        "PATCH",
        &format!("/api/v1/work-packages/{wp}"),
        r#"{"influences":"3.1.1 3.9.9"}"#,
    );
    s.send_json(
        "PATCH",
        &format!("/api/v1/work-packages/{wp}"),
        r#"{"influences":"3.1.1"}"#,
    );
    assert_eq!(s.request("DELETE", &unused, &[], "").status, 204);
    assert_problem(&s.request("DELETE", &unused, &[], ""), 404, "");
}

#[test]
fn related_items_are_merged_and_deleted_when_unused() {
    let s = start();
    let im = related_id(&s, "IM Strategy");
    let full = related_id(&s, "Information Management Strategy");
    let r = s.send_json(
        "PATCH",
        &format!("/api/v1/related-items/{im}"),
        r#"{"name":"Information Management Strategy"}"#,
    );
    assert_problem(&r, 409, "name");
    assert!(
        r.json()["detail"].as_str().unwrap().contains("use merge"),
        "{}",
        r.body
    );

    let r = s.send_json(
        "POST",
        &format!("/api/v1/related-items/{im}/merge"),
        &format!(r#"{{"into":{full}}}"#),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["related_item"]["work_package_count"], 2);
    assert_problem(&s.get(&format!("/api/v1/related-items/{im}")), 404, "");
    assert_problem(
        &s.send_json(
            "POST",
            &format!("/api/v1/related-items/{full}/merge"),
            &format!(r#"{{"into":{full}}}"#),
        ),
        422,
        "into",
    );
    assert_problem(
        &s.send_json(
            "POST",
            &format!("/api/v1/related-items/{full}/merge"),
            r#"{"into":99999}"#,
        ),
        422,
        "into",
    );
    let r = s.request("DELETE", &format!("/api/v1/related-items/{full}"), &[], "");
    assert_problem(&r, 409, "related_item");
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap()
            .contains("2 work packages still relate"),
        "{}",
        r.body
    );

    // Once no package relates to it, it can be deleted.
    let cds = related_id(&s, "Customer Data Strategy");
    let wp = package_id(&s, "10.4.3");
    let r = s.send_json(
        "PATCH",
        &format!("/api/v1/work-packages/{wp}"),
        r#"{"relationships":"Corporate ICT Strategy."}"#,
    );
    assert_eq!(related_names(&r.json()), ["Corporate ICT Strategy"]);
    assert_eq!(
        s.request("DELETE", &format!("/api/v1/related-items/{cds}"), &[], "")
            .status,
        204
    );
    assert_problem(&s.get(&format!("/api/v1/related-items/{cds}")), 404, "");
}

/// Editing the relationships text moves the related items with it, unless they
/// were set by hand; `related_items_manual: false` goes back to the text.
#[test]
fn related_items_follow_the_relationships_text_unless_set_by_hand() {
    let s = start();
    let wp = format!("/api/v1/work-packages/{}", package_id(&s, "10.3.3"));
    let before = s.get(&wp).json();
    assert_eq!(related_names(&before), ["Corporate ICT Strategy"]);
    let r = s.send_json(
        "PATCH",
        &wp,
        r#"{"relationships":"Customer Data Strategy and CareMobile."}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        related_names(&r.json()),
        ["Customer Data Strategy", "CareMobile"]
    );
    assert_eq!(r.json()["related_items_manual"], false);

    let r = s.send_json("PATCH", &wp, r#"{"related_items":["Amethyst"]}"#);
    assert_eq!(
        (
            related_names(&r.json()),
            r.json()["related_items_manual"].clone()
        ),
        (vec!["Amethyst".to_string()], Value::Bool(true))
    );
    let r = s.send_json("PATCH", &wp, r#"{"relationships":"www.br"}"#);
    assert_eq!(
        related_names(&r.json()),
        ["Amethyst"],
        "set by hand, they stay"
    );

    assert_problem(
        &s.send_json("PATCH", &wp, r#"{"related_items_manual":"no"}"#),
        422,
        "related_items_manual",
    );
    assert_problem(
        &s.send_json(
            "PATCH",
            &wp,
            r#"{"related_items_manual":false,"related_items":["GIS"]}"#,
        ),
        422,
        "related_items_manual",
    );
    let r = s.send_json("PATCH", &wp, r#"{"related_items_manual":false}"#);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (
            related_names(&r.json()),
            r.json()["related_items_manual"].clone()
        ),
        (vec!["www.br".to_string()], Value::Bool(false))
    );
    // Freezing the current ones by hand keeps them when the text changes.
    s.send_json("PATCH", &wp, r#"{"related_items_manual":true}"#);
    let r = s.send_json("PATCH", &wp, r#"{"relationships":"GIS"}"#);
    assert_eq!(related_names(&r.json()), ["www.br"]);
}

/// The CSV export a person downloads guards cells a spreadsheet would run as
/// formulas (OWASP CSV injection), however the export is produced.
#[test]
fn csv_export_guards_formula_cells() {
    let s = start();
    let id = package_id(&s, "10.4.3");
    let r = s.send_json(
        "PATCH",
        &format!("/api/v1/work-packages/{id}"),
        r#"{"comments":"=HYPERLINK(\"http://x\",\"y\")","owner":"@SUM(A1)"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let csv = s.get(&format!("/api/v1/plans/{}/export?format=csv", s.plan_id));
    assert_eq!(csv.status, 200);
    assert!(
        csv.body.contains(r#""'=HYPERLINK(""http://x"",""y"")""#),
        "{}",
        csv.body
    );
    assert!(csv.body.contains(",'@SUM(A1),"), "{}", csv.body);
}

/// serde reads a struct from an array; the API takes JSON objects only.
#[test]
fn a_body_that_is_not_an_object_is_refused() {
    let s = start();
    let before = s.get(&format!("/api/v1/plans/{}", s.plan_id)).body;
    for body in ["[null, null]", "[\"New title\"]", "\"text\"", "7"] {
        let r = s.send_json("PATCH", &format!("/api/v1/plans/{}", s.plan_id), body);
        assert_problem(&r, 422, "body");
    }
    assert_eq!(s.get(&format!("/api/v1/plans/{}", s.plan_id)).body, before);
}

/// JSON (and the schema's `integer`) counts 5.0 as a whole number.
#[test]
fn a_whole_number_written_with_a_point_is_a_whole_number() {
    let s = start();
    let (a, b) = (package_id(&s, "10.1.1"), package_id(&s, "10.1.2"));
    let r = s.send_json(
        "POST",
        &format!("/api/v1/plans/{}/dependencies", s.plan_id),
        &format!(r#"{{"predecessor_id": {a}.0, "successor_id": {b}e0}}"#),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let r = s.send_json(
        "POST",
        &format!("/api/v1/plans/{}/dependencies", s.plan_id),
        &format!(r#"{{"predecessor_id": {a}.5, "successor_id": {b}}}"#),
    );
    assert_problem(&r, 422, "");
}

#[test]
fn the_dashboard_counts_the_plan_and_lists_the_overdue() {
    let s = start();
    let plan = s.plan_id;
    let res = s.get(&format!("/api/v1/plans/{plan}/dashboard"));
    assert_eq!(res.status, 200, "{}", res.body);
    let d = res.json();
    assert_eq!(d["total"], 17);
    let sum = |key: &str| -> u64 {
        d[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["count"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(sum("by_status"), 17, "every package has one status");
    assert_eq!(sum("by_rag") + d["not_rated"].as_u64().unwrap(), 17);
    assert!(d["this_quarter"].as_str().unwrap().starts_with('Q'));
    // The customer's plan ends in 2008: every open package is overdue now.
    let overdue = d["overdue"]["total"].as_u64().unwrap();
    assert!(overdue > 0);
    assert!(d["overdue"]["items"].as_array().unwrap().len() as u64 <= overdue.min(5));

    // The same packages through the list's overdue filter.
    let list = s
        .get(&format!("/api/v1/plans/{plan}/work-packages?overdue=true"))
        .json();
    assert_eq!(list["total"].as_u64(), Some(overdue));
    assert_eq!(
        list["items"][0]["reference"], d["overdue"]["items"][0]["reference"],
        "plan order"
    );
    let all = s
        .get(&format!("/api/v1/plans/{plan}/work-packages?overdue=false"))
        .json();
    assert_eq!(all["total"], 17);

    // Cancelling one takes it off the overdue list at once.
    let first = d["overdue"]["items"][0]["id"].as_i64().unwrap();
    let res = s.send_json(
        "PATCH",
        &format!("/api/v1/work-packages/{first}"),
        r#"{"status": "cancelled"}"#,
    );
    assert_eq!(res.status, 200, "{}", res.body);
    let after = s.get(&format!("/api/v1/plans/{plan}/dashboard")).json();
    assert_eq!(after["overdue"]["total"].as_u64(), Some(overdue - 1));

    // No progress note in three months: the seed has none at all.
    let stale = after["no_recent_note"]["total"].as_u64().unwrap();
    assert!(stale > 0, "{after}");
    let list = s
        .get(&format!(
            "/api/v1/plans/{plan}/work-packages?no_recent_note=true"
        ))
        .json();
    assert_eq!(list["total"].as_u64(), Some(stale));
    let bad = s.get(&format!(
        "/api/v1/plans/{plan}/work-packages?no_recent_note=maybe"
    ));
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("no_recent_note"), "{}", bad.body);

    let bad = s.get(&format!("/api/v1/plans/{plan}/work-packages?overdue=soon"));
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("overdue"), "{}", bad.body);
    assert_eq!(s.get("/api/v1/plans/999999/dashboard").status, 404);
    assert_eq!(
        s.get("/api/v1/plans/999999/work-packages?overdue=true")
            .status,
        404
    );
}
