//! One set of limits and formats (`waymark_core::limits`) through the real
//! server: the API and the pages refuse the same values with the same words,
//! and values that contradict each other are refused. Each case here was
//! accepted before the limits were declared in one place.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Browser, Response};
use serde_json::{Value, json};

struct Api {
    server: common::Server,
    plan: i64,
}

fn start() -> Api {
    let server = common::start();
    let plan = common::plan_of(&server);
    Api { server, plan }
}

impl Api {
    /// As a careful client: a PATCH sends the version it read (`If-Match`).
    fn send(&self, method: &str, path: &str, body: &Value) -> Response {
        common::send_careful(
            self.server.addr,
            method,
            path,
            &[("Content-Type", "application/json")],
            Some(&body.to_string()),
        )
    }

    fn get(&self, path: &str) -> Response {
        common::send(self.server.addr, "GET", path, &[], None)
    }

    fn first_package(&self) -> Value {
        let list = self
            .get(&format!(
                "/api/v1/plans/{}/work-packages?per_page=1",
                self.plan
            ))
            .json();
        list["items"][0].clone()
    }

    fn section_id(&self) -> i64 {
        self.first_package()["section_id"].as_i64().unwrap()
    }
}

/// The fields a 422 names, in order, and its messages.
fn refused(r: &Response) -> Vec<(String, String)> {
    assert_eq!(r.status, 422, "expected 422, got {}: {}", r.status, r.body);
    r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn fields(r: &Response) -> Vec<String> {
    refused(r).into_iter().map(|(f, _)| f).collect()
}

#[test]
fn plan_and_section_text_have_limits() {
    let s = start();
    let plan = format!("/api/v1/plans/{}", s.plan);
    let huge = "t".repeat(1_000_000);
    let r = s.send("PATCH", &plan, &json!({ "title": huge }));
    assert_eq!(
        refused(&r),
        [(
            "title".to_string(),
            "The plan title must be 300 characters or fewer".to_string()
        )]
    );
    assert!(r.body.len() < 2_000, "the problem does not echo the input");
    let r = s.send(
        "PATCH",
        &plan,
        &json!({ "introduction": "i".repeat(20_001), "period": "p".repeat(101) }),
    );
    assert_eq!(fields(&r), ["period", "introduction"]);
    let r = s.send("PATCH", &plan, &json!({ "title": "Two\nlines" }));
    assert_eq!(fields(&r), ["title"]);
    // Nothing was stored.
    let stored = s.get(&plan).json();
    assert_eq!(stored["title"], "CYPS ICT strategy action plan");

    let sections = format!("/api/v1/plans/{}/sections", s.plan);
    let r = s.send("POST", &sections, &json!({ "title": "s".repeat(301) }));
    assert_eq!(fields(&r), ["title"]);
    let r = s.send("POST", &sections, &json!({ "number": "1".repeat(21) }));
    assert_eq!(fields(&r), ["number"]);
    let r = s.send(
        "POST",
        &sections,
        &json!({ "number": "10.6", "title": "New" }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
}

#[test]
fn package_numbers_have_one_format() {
    let s = start();
    let path = format!("/api/v1/plans/{}/work-packages", s.plan);
    let section = s.section_id();
    for bad in [
        "-1",
        "0",
        "<b>1",
        "18446744073709551615",
        "1.5",
        "3 a",
        "ABCDEFGHIJK",
    ] {
        let r = s.send(
            "POST",
            &path,
            &json!({ "section_id": section, "number": bad, "title": "T" }),
        );
        assert_eq!(fields(&r), ["number"], "{bad:?}");
    }
    // A number sent as a JSON number is checked the same way.
    let r = s.send(
        "POST",
        &path,
        &json!({ "section_id": section, "number": -1, "title": "T" }),
    );
    assert_eq!(fields(&r), ["number"]);
    let r = s.send(
        "POST",
        &path,
        &json!({ "section_id": section, "number": "3a", "title": "T" }),
    );
    assert_eq!(r.status, 201, "{}", r.body);
}

#[test]
fn delivery_parts_and_owner_have_limits() {
    let s = start();
    let id = s.first_package()["id"].as_i64().unwrap();
    let path = format!("/api/v1/work-packages/{id}");
    let many: Vec<String> = (0..27).map(|_| "Q1 2007".to_string()).collect();
    let r = s.send("PATCH", &path, &json!({ "delivery": many }));
    assert_eq!(
        refused(&r),
        [(
            "delivery".to_string(),
            "A package can have at most 26 delivery parts; this has 27".to_string()
        )]
    );
    let r = s.send("PATCH", &path, &json!({ "owner": "o".repeat(501) }));
    assert_eq!(fields(&r), ["owner"]);
    let r = s.send(
        "PATCH",
        &path,
        &json!({ "delivery": "soon ".repeat(100_000) }),
    );
    let errors = refused(&r);
    assert_eq!(errors.len(), 1);
    assert!(errors[0].1.len() < 300, "the message quotes only the start");
}

#[test]
fn programme_descriptions_have_the_same_limit_in_the_api_as_on_the_page() {
    let s = start();
    let path = format!("/api/v1/plans/{}/programmes", s.plan);
    let r = s.send(
        "POST",
        &path,
        &json!({ "name": "Long", "description": "d".repeat(20_001) }),
    );
    assert_eq!(
        refused(&r),
        [(
            "description".to_string(),
            "The description must be 20,000 characters or fewer".to_string()
        )]
    );
    // The page says the same.
    let mut b = Browser::new(&s.server);
    let plan = s.plan.to_string();
    let long = "d".repeat(20_001);
    let (_, token) = b.get_form(&format!("/plans/{plan}/priorities"));
    let r = b.post(
        &format!("/plans/{plan}/priorities"),
        &[
            ("csrf_token", &token),
            ("name", "Long"),
            ("description", &long),
        ],
    );
    assert_eq!(r.status, 422, "{}", r.status);
    assert!(
        r.body
            .contains("The description must be 20,000 characters or fewer")
    );
}

#[test]
fn contradictions_are_refused_and_null_is_not_zero() {
    let s = start();
    let id = s.first_package()["id"].as_i64().unwrap();
    let path = format!("/api/v1/work-packages/{id}");
    let r = s.send(
        "PATCH",
        &path,
        &json!({ "status": "delivered", "progress": 90 }),
    );
    assert_eq!(
        refused(&r),
        [(
            "progress".to_string(),
            "A delivered package is 100% complete, not 90%: set progress to 100 or choose another status".to_string()
        )]
    );
    for date in ["0001-01-01", "9999-12-31"] {
        let r = s.send("PATCH", &path, &json!({ "actual_delivery": date }));
        assert_eq!(fields(&r), ["actual_delivery"], "{date}");
    }
    for field in ["progress", "status", "title", "number", "section_id"] {
        let r = s.send("PATCH", &path, &json!({ field: null }));
        assert_eq!(fields(&r), [field], "{field}: null");
    }
    // null clears what may be empty.
    let r = s.send("PATCH", &path, &json!({ "rag": null, "comments": null }));
    assert_eq!(r.status, 200, "{}", r.body);
    // Delivered and complete together is fine (once the package has moved
    // along the lifecycle to where it may be delivered).
    for status in ["approved", "in_progress"] {
        let r = s.send("PATCH", &path, &json!({ "status": status }));
        assert_eq!(r.status, 200, "{status}: {}", r.body);
    }
    let r = s.send(
        "PATCH",
        &path,
        &json!({ "status": "delivered", "progress": 100, "actual_delivery": "2007-03-31" }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["progress"], 100);
}

#[test]
fn the_settings_page_has_the_apis_limits() {
    let s = start();
    let mut b = Browser::new(&s.server);
    let plan = s.plan.to_string();
    let (_, token) = b.get_form(&format!("/plans/{plan}/settings"));
    let title = "t".repeat(301);
    let r = b.post(
        &format!("/plans/{plan}/settings"),
        &[
            ("csrf_token", &token),
            ("title", &title),
            ("quarter_convention", "calendar"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("The plan title must be 300 characters or fewer")
    );
    // The typed text is kept in the form.
    assert!(r.body.contains(&title));
}

#[test]
fn the_package_page_names_its_influences() {
    let s = start();
    let mut b = Browser::new(&s.server);
    let plan = s.plan.to_string();
    // Give 3.1.1 a title, then find a package that addresses it.
    let r = s.send(
        "PATCH",
        &format!("/api/v1/plans/{plan}/influences/3.1.1"),
        &json!({ "title": "Every Child Matters outcomes" }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let list = s
        .get(&format!(
            "/api/v1/plans/{plan}/work-packages?influence=3.1.1&per_page=1"
        ))
        .json();
    let id = list["items"][0]["id"].as_i64().unwrap();
    let page = b.get(&format!("/work-packages/{id}"));
    assert_eq!(page.status, 200);
    let influences = common::after(&page.body, "<h2>Key influences</h2>").unwrap();
    assert!(
        influences.contains(">3.1.1</a> <span dir=\"auto\">Every Child Matters outcomes</span>"),
        "{}",
        &influences[..influences.len().min(600)]
    );
}

#[test]
fn the_timeline_draws_the_plans_range_with_outliers_listed() {
    let s = start();
    let mut b = Browser::new(&s.server);
    let plan = s.plan.to_string();
    let id = s.first_package()["id"].as_i64().unwrap();
    let r = s.send(
        "PATCH",
        &format!("/api/v1/work-packages/{id}"),
        &json!({ "delivery": ["Q1 1900", "Q4 2999"] }),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let page = b.get(&format!("/plans/{plan}/timeline"));
    assert_eq!(page.status, 200);
    let width: i64 = common::after(
        &page.body,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"",
    )
    .and_then(|w| w.split('"').next())
    .and_then(|w| w.parse().ok())
    .unwrap();
    assert!(width < 5_000, "the chart is {width} px wide");
    assert!(page.body.contains("Outside the range shown"));
    assert!(page.body.contains("Q1 1900, Q4 2999"));
    // The range control: a chosen range, and a wrong one kept with its error.
    let page = b.get(&format!("/plans/{plan}/timeline?from=Q1+2007&to=Q4+2007"));
    assert_eq!(page.status, 200);
    let axis = |q: &str| format!("text-anchor=\"middle\">{q}</text>");
    assert!(page.body.contains(&axis("Q1 2007")) && page.body.contains(&axis("Q4 2007")));
    assert!(!page.body.contains(&axis("Q4 2006")) && page.body.contains(&axis("Earlier")));
    let page = b.get(&format!("/plans/{plan}/timeline?from=soon&to=Q4+2007"));
    assert_eq!(page.status, 422);
    assert!(
        page.body
            .contains("soon&#34; is not a quarter; write it like Q1 2006")
            || page
                .body
                .contains("soon&quot; is not a quarter; write it like Q1 2006"),
        "{}",
        page.body
    );
    assert!(page.body.contains("value=\"soon\""));
    assert!(page.body.contains("<svg"), "the chart is still drawn");
}

#[test]
fn the_openapi_document_states_the_declared_limits() {
    let s = start();
    let doc = s.get("/api/v1/openapi.json").json();
    let prop =
        |schema: &str, name: &str| doc["components"]["schemas"][schema]["properties"][name].clone();
    assert_eq!(prop("WorkPackageFields", "title")["maxLength"], 500);
    assert_eq!(prop("WorkPackageFields", "scope")["maxLength"], 20_000);
    assert_eq!(prop("WorkPackageFields", "number")["maxLength"], 10);
    assert_eq!(
        prop("WorkPackageFields", "progress_note")["maxLength"],
        waymark_core::limits::PACKAGE_PROGRESS_NOTE.max_chars
    );
    assert_eq!(
        prop("WorkPackageFields", "delivery_as_written")["maxLength"],
        waymark_core::limits::PACKAGE_DELIVERY_AS_WRITTEN.max_chars
    );
    // What a GET answers has them too (its schema is `allOf` the summary and its own).
    let read = doc["components"]["schemas"]["WorkPackageDto"].to_string();
    assert!(read.contains("\"progress_note\""), "{read}");
    assert!(read.contains("\"delivery_as_written\""), "{read}");
    assert!(prop("WorkPackageFields", "number")["pattern"].is_string());
    assert_eq!(prop("PlanPatch", "title")["maxLength"], 300);
    assert_eq!(prop("NewSection", "title")["maxLength"], 300);
    assert_eq!(prop("ProgrammeFields", "description")["maxLength"], 20_000);
    // And the server holds to them: a search over 200 characters is refused.
    let long = "word".repeat(51);
    let r = s.get(&format!("/api/v1/plans/{}/work-packages?q={long}", s.plan));
    assert_eq!(fields(&r), ["q"]);
}
