//! No lost updates, against the real server: every record the API changes
//! or deletes sends its version as the ETag; PATCH and DELETE require
//! If-Match (428 without it), refuse a stale one (412, with the version now
//! in the problem and the ETag), and take the right one. The edit forms carry
//! the version too: a form opened before someone else saved comes back (409)
//! with what was typed and what the other person changed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Browser, Response};
use serde_json::Value;

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
    fn get(&self, path: &str) -> Response {
        common::send(self.server.addr, "GET", path, &[], None)
    }

    fn send(&self, method: &str, path: &str, if_match: Option<&str>, body: &str) -> Response {
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(tag) = if_match {
            headers.push(("If-Match", tag));
        }
        common::send(self.server.addr, method, path, &headers, Some(body))
    }

    fn package(&self, reference: &str) -> i64 {
        common::api_package(&self.server, self.plan, reference)
    }
}

/// The ETag of a read, checked against the version in its body (found by
/// `version`, a JSON pointer).
fn etag(r: &Response, version: &str) -> String {
    assert_eq!(r.status, 200, "{}", r.body);
    let tag = r.header("etag").expect("an ETag").to_string();
    let body = r.json();
    let v = body
        .pointer(version)
        .and_then(Value::as_i64)
        .expect("a version");
    assert_eq!(tag, format!("\"{v}\""));
    tag
}

fn problem(r: &Response, status: u16) -> Value {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    r.json()
}

/// The whole exchange for one record: 428 without If-Match, 412 when stale
/// (with the version now), 200 with the right one (and a new ETag), then 412
/// for the version that was right before.
fn patch_is_guarded(api: &Api, path: &str, version: &str, body: &str) {
    let before = etag(&api.get(path), version);

    let p = problem(&api.send("PATCH", path, None, body), 428);
    assert!(p["detail"].as_str().unwrap().contains("If-Match"), "{p}");
    assert_eq!(etag(&api.get(path), version), before, "428 changed nothing");

    let r = api.send("PATCH", path, Some("\"1234567\""), body);
    let p = problem(&r, 412);
    assert_eq!(r.header("etag"), Some(before.as_str()));
    assert_eq!(format!("\"{}\"", p["current_version"]), before);
    assert_eq!(etag(&api.get(path), version), before, "412 changed nothing");

    let r = api.send("PATCH", path, Some(&before), body);
    let after = etag(&r, version);
    assert_ne!(after, before, "{path}: a change gives a new version");
    assert_eq!(etag(&api.get(path), version), after);

    let r = api.send("PATCH", path, Some(&before), body);
    let p = problem(&r, 412);
    assert_eq!(format!("\"{}\"", p["current_version"]), after);
    assert!(p["detail"].as_str().unwrap().contains("changed"), "{p}");
}

#[test]
fn every_patch_needs_the_version_it_read() {
    let api = start();
    let wp = api.package("10.1.1");
    patch_is_guarded(
        &api,
        &format!("/api/v1/work-packages/{wp}"),
        "/version",
        r#"{"owner":"Someone else"}"#,
    );
    patch_is_guarded(
        &api,
        &format!("/api/v1/plans/{}", api.plan),
        "/version",
        r#"{"period":"2007 to 2010"}"#,
    );
    let sections = api
        .get(&format!("/api/v1/plans/{}/sections", api.plan))
        .json();
    let section = sections["items"][0]["id"].as_i64().unwrap();
    patch_is_guarded(
        &api,
        &format!("/api/v1/sections/{section}"),
        "/version",
        r#"{"title":"Core systems"}"#,
    );
    patch_is_guarded(
        &api,
        &format!("/api/v1/plans/{}/influences/3.1.1", api.plan),
        "/influence/version",
        r#"{"title":"Every child matters"}"#,
    );
    let items = api
        .get(&format!("/api/v1/plans/{}/related-items", api.plan))
        .json();
    let item = items["items"][0]["id"].as_i64().unwrap();
    patch_is_guarded(
        &api,
        &format!("/api/v1/related-items/{item}"),
        "/related_item/version",
        r#"{"kind":"system"}"#,
    );
    let programmes = api
        .get(&format!("/api/v1/plans/{}/programmes", api.plan))
        .json();
    let programme = programmes["items"][0]["id"].as_i64().unwrap();
    patch_is_guarded(
        &api,
        &format!("/api/v1/programmes/{programme}"),
        "/version",
        r#"{"description":"Joined up"}"#,
    );
}

#[test]
fn every_delete_needs_the_version_it_read() {
    let api = start();
    let path = format!("/api/v1/work-packages/{}", api.package("10.1.2"));
    let tag = etag(&api.get(&path), "/version");
    problem(&api.send("DELETE", &path, None, ""), 428);
    let r = api.send("DELETE", &path, Some("\"1234567\""), "");
    assert_eq!(format!("\"{}\"", problem(&r, 412)["current_version"]), tag);
    assert_eq!(
        api.get(&path).status,
        200,
        "a refused delete deletes nothing"
    );
    // Someone changes it between the read and the delete: refused.
    let changed = api.send("PATCH", &path, Some(&tag), r#"{"comments":"Still needed"}"#);
    let now = etag(&changed, "/version");
    problem(&api.send("DELETE", &path, Some(&tag), ""), 412);
    assert_eq!(api.send("DELETE", &path, Some(&now), "").status, 204);
    assert_eq!(api.get(&path).status, 404);

    // A programme, and a dependency (whose version is in the lists).
    let programmes = api
        .get(&format!("/api/v1/plans/{}/programmes", api.plan))
        .json();
    let programme = format!(
        "/api/v1/programmes/{}",
        programmes["items"][0]["id"].as_i64().unwrap()
    );
    let tag = etag(&api.get(&programme), "/version");
    problem(&api.send("DELETE", &programme, None, ""), 428);
    assert_eq!(api.send("DELETE", &programme, Some(&tag), "").status, 204);

    let (a, b) = (api.package("10.1.1"), api.package("10.2.1"));
    let r = api.send(
        "POST",
        &format!("/api/v1/plans/{}/dependencies", api.plan),
        None,
        &format!(r#"{{"predecessor_id":{a},"successor_id":{b}}}"#),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let dep = r.json()["id"].as_i64().unwrap();
    let list = api
        .get(&format!("/api/v1/plans/{}/dependencies", api.plan))
        .json();
    let version = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == dep)
        .unwrap()["version"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/dependencies/{dep}");
    problem(&api.send("DELETE", &path, None, ""), 428);
    problem(&api.send("DELETE", &path, Some("\"1\""), ""), 412);
    let tag = format!("\"{version}\"");
    assert_eq!(api.send("DELETE", &path, Some(&tag), "").status, 204);
}

#[test]
fn if_match_is_a_tag_or_a_star() {
    let api = start();
    let path = format!("/api/v1/work-packages/{}", api.package("10.1.1"));
    for bad in ["12", "W/\"12\"", "\"a\"", "\"1\", \"2\""] {
        let p = problem(
            &api.send("PATCH", &path, Some(bad), r#"{"owner":"X"}"#),
            400,
        );
        assert!(p["detail"].as_str().unwrap().contains("If-Match"), "{p}");
    }
    // `*`: whatever the version (the client chooses to overwrite).
    let r = api.send("PATCH", &path, Some("*"), r#"{"owner":"Anyone"}"#);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.header("etag").is_some());
    // A missing record is a 404 whatever the tag.
    let r = api.send("PATCH", "/api/v1/work-packages/999999", Some("\"1\""), "{}");
    problem(&r, 404);
}

#[test]
fn a_version_changes_only_when_the_record_does() {
    let api = start();
    let wp = format!("/api/v1/work-packages/{}", api.package("10.1.1"));
    let tag = etag(&api.get(&wp), "/version");
    // Saving what is there already changes nothing, not even the version.
    let owner = api.get(&wp).json()["owner"].as_str().unwrap().to_string();
    let same = api.send(
        "PATCH",
        &wp,
        Some(&tag),
        &format!(r#"{{"owner":"{owner}"}}"#),
    );
    assert_eq!(etag(&same, "/version"), tag);
    // Another package's change leaves this one's version alone.
    let other = format!("/api/v1/work-packages/{}", api.package("10.2.1"));
    let other_tag = etag(&api.get(&other), "/version");
    api.send("PATCH", &other, Some(&other_tag), r#"{"owner":"B"}"#);
    assert_eq!(etag(&api.get(&wp), "/version"), tag);
    // Renumbering its section changes its reference, and so its version.
    let section = api.get(&wp).json()["section_id"].as_i64().unwrap();
    let spath = format!("/api/v1/sections/{section}");
    let stag = etag(&api.get(&spath), "/version");
    let r = api.send("PATCH", &spath, Some(&stag), r#"{"number":"19"}"#);
    assert_eq!(r.status, 200, "{}", r.body);
    let now = api.get(&wp);
    assert_eq!(now.json()["reference"], "19.1");
    assert_ne!(etag(&now, "/version"), tag);
}

#[test]
fn the_openapi_document_says_so() {
    let api = start();
    let doc = api.get("/api/v1/openapi.json").json();
    let mut guarded = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if !matches!(method.as_str(), "patch" | "delete") {
                continue;
            }
            guarded += 1;
            let header = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["name"] == "If-Match")
                .unwrap_or_else(|| panic!("{method} {path}: no If-Match"));
            assert_eq!(header["in"], "header");
            assert_eq!(header["required"], true);
            for status in ["412", "428"] {
                assert!(
                    op["responses"][status].is_object(),
                    "{method} {path}: no {status}"
                );
            }
        }
    }
    assert_eq!(guarded, 23);
    let get = &doc["paths"]["/api/v1/work-packages/{id}"]["get"]["responses"]["200"];
    assert!(get["headers"]["ETag"].is_object(), "{get}");
    let problem = &doc["components"]["schemas"]["Problem"]["properties"];
    assert!(problem["current_version"].is_object(), "{problem}");
}

// ---------------------------------------------------------------- pages

/// The value of a form field as the page shows it (an input's value).
fn input_value(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let rest = common::must_find(body, &marker, name);
    common::unescape(rest.split('"').next().unwrap_or_default())
}

/// An edit form posted as it was opened, but for `typed`: its hidden fields
/// (the version, and each field's value when the form was opened) and each
/// field at that value, as a person who changed only `typed` would send it.
fn form_as_opened(body: &str, typed: &[(&str, &str)]) -> Vec<(String, String)> {
    let hidden = common::hidden_fields(body);
    let mut posted: Vec<(String, String)> = hidden.clone();
    for (k, v) in &hidden {
        if let Some(field) = k.strip_prefix("was_")
            && !typed.iter().any(|(t, _)| *t == field)
        {
            posted.push((field.to_string(), v.clone()));
        }
    }
    for (k, v) in typed {
        posted.push((k.to_string(), v.to_string()));
    }
    // As a browser sends a form: every line break as CR LF.
    posted
        .into_iter()
        .map(|(k, v)| (k, v.replace("\r\n", "\n").replace('\n', "\r\n")))
        .collect()
}

fn post(b: &mut Browser, path: &str, fields: &[(String, String)]) -> Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post_as_is(path, &pairs)
}

#[test]
fn a_form_opened_before_someone_else_saved_comes_back_with_both() {
    let server = common::start();
    let mut b = Browser::new(&server);
    let plan = common::plan_id(&mut b);
    let wp = common::package_id(&mut b, &plan, "10.1.1");
    let path = format!("/work-packages/{wp}/edit");

    // Two people open the form.
    let mine = b.get(&path);
    let mut other = Browser::new(&server);
    let theirs = other.get(&path);
    let opened_owner = input_value(&mine.body, "owner");
    assert_ne!(opened_owner, "Their new owner");

    // The other person saves first: a new owner.
    let saved = post(
        &mut other,
        &path,
        &form_as_opened(&theirs.body, &[("owner", "Their new owner")]),
    );
    assert_eq!(saved.status, 303, "{}", saved.body);

    // Then I save my form, opened before theirs was saved: a new title.
    let res = post(
        &mut b,
        &path,
        &form_as_opened(&mine.body, &[("title", "My retitled package")]),
    );
    assert_eq!(res.status, 409, "{}", res.body);
    let page = &res.body;
    // Nothing of mine was saved, and the page says so, as an error.
    assert!(page.contains("<title>Error: "), "{page}");
    assert!(
        page.contains("Your changes have not been saved yet"),
        "{page}"
    );
    assert!(page.contains("There is a problem"), "{page}");
    assert!(
        !b.get(&format!("/work-packages/{wp}"))
            .body
            .contains("My retitled package")
    );
    // What I typed is kept.
    assert_eq!(input_value(page, "title"), "My retitled package");
    // What they changed is shown, field by field: when opened, and now.
    assert!(page.contains("What someone else changed"), "{page}");
    let row = common::must_find(page, "<a href=\"#owner\">Owner</a>", "owner row");
    let row = &row[..row.find("</li>").unwrap()];
    assert!(
        row.contains(&common::unescape(&opened_owner)) || row.contains(&opened_owner),
        "{row}"
    );
    assert!(row.contains("Their new owner"), "{row}");
    assert!(
        !page.contains("<a href=\"#title\">Title</a>"),
        "title was not theirs"
    );
    // Nothing else is listed: line breaks sent as CR LF are no change.
    assert_eq!(page.matches("class=\"changes__item\"").count(), 1, "{page}");
    // Only they changed the owner: the form now shows theirs, not as an error.
    assert_eq!(input_value(page, "owner"), "Their new owner");
    assert!(
        !page.contains("Owner was changed by someone else"),
        "{page}"
    );
    assert!(page.contains("href=\"#changes\""), "{page}");

    // The form now goes on from their version: saving it again keeps mine
    // and theirs.
    let again = post(
        &mut b,
        &path,
        &form_as_opened(page, &[("title", "My retitled package")]),
    );
    assert_eq!(again.status, 303, "{}", again.body);
    let shown = b.get(&format!("/work-packages/{wp}")).body;
    assert!(shown.contains("My retitled package"));
    assert!(shown.contains("Their new owner"));
}

#[test]
fn a_field_both_people_changed_keeps_mine_and_asks() {
    let server = common::start();
    let mut b = Browser::new(&server);
    let plan = common::plan_id(&mut b);
    // A register's form: a programme, renamed by both.
    let list = b.get(&format!("/plans/{plan}/priorities"));
    let id = common::digits(common::must_find(
        &list.body,
        "href=\"/programmes/",
        "a programme",
    ));
    let path = format!("/programmes/{id}/edit");
    let mine = b.get(&path);
    let mut other = Browser::new(&server);
    let theirs = other.get(&path);
    let saved = post(
        &mut other,
        &path,
        &form_as_opened(&theirs.body, &[("name", "Their name")]),
    );
    assert_eq!(saved.status, 303, "{}", saved.body);

    let res = post(
        &mut b,
        &path,
        &form_as_opened(&mine.body, &[("name", "My name")]),
    );
    assert_eq!(res.status, 409, "{}", res.body);
    let page = &res.body;
    // Mine is kept, and the field says the other person changed it too.
    assert_eq!(input_value(page, "name"), "My name");
    assert!(
        page.contains("Name was changed by someone else after you opened the form"),
        "{page}"
    );
    let field = common::must_find(page, "id=\"name-error\"", "the name's error");
    assert!(field.contains("choose what it should be"), "{field}");
    let row = common::must_find(page, "<a href=\"#name\">Name</a>", "name row");
    let row = &row[..row.find("</li>").unwrap()];
    assert!(row.contains("Their name"), "{row}");

    // Saved again as it stands, mine wins, knowingly.
    let again = post(&mut b, &path, &form_as_opened(page, &[("name", "My name")]));
    assert_eq!(again.status, 303, "{}", again.body);
    assert!(b.get(&path).body.contains("value=\"My name\""));
}

#[test]
fn a_delete_confirmed_after_someone_else_changed_it_asks_again() {
    let server = common::start();
    let mut b = Browser::new(&server);
    let plan = common::plan_id(&mut b);
    let wp = common::package_id(&mut b, &plan, "10.1.2");
    let (confirm, token) = b.get_form(&format!("/work-packages/{wp}/delete"));
    let opened = common::version_of(&confirm.body).expect("a version");

    // Someone else changes it through the API meanwhile.
    let api = format!("/api/v1/work-packages/{wp}");
    let tag = common::send(server.addr, "GET", &api, &[], None)
        .header("etag")
        .unwrap()
        .to_string();
    let r = common::send(
        server.addr,
        "PATCH",
        &api,
        &[("Content-Type", "application/json"), ("If-Match", &tag)],
        Some(r#"{"comments":"Do not delete: still needed"}"#),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    let res = b.post_as_is(
        &format!("/work-packages/{wp}/delete"),
        &[("csrf_token", &token), ("version", &opened)],
    );
    assert_eq!(res.status, 409, "{}", res.body);
    assert!(res.body.contains("Someone else changed this work package"));
    let now = common::version_of(&res.body).expect("a version");
    assert_ne!(now, opened);
    assert_eq!(
        common::send(server.addr, "GET", &api, &[], None).status,
        200
    );

    // Confirmed again, on the version shown now, it goes.
    let res = b.post_as_is(
        &format!("/work-packages/{wp}/delete"),
        &[("csrf_token", &token), ("version", &now)],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        common::send(server.addr, "GET", &api, &[], None).status,
        404
    );
}
