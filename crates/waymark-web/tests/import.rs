//! "Import a plan" in the browser, over HTTP: upload, preview, a column's
//! field changed and the preview drawn again, import (one transaction, as
//! the signed-in account, audited) or cancel (nothing stored); who may;
//! a workbook; a file over the limit; a title already stored.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use common::{Browser, Response, Server, after, hidden_fields, parse_response, unescape};
use waymark_core::access::Role;
use waymark_core::audit::ActorKind;
use waymark_store::AuditFilter;

const CSV: &str = "\
Section,Work package,Scope,Estimated delivery,Whoever,Budget
10.1 Core systems,1. Replace the finance system,All finance,Q4 2026,Jo Bloggs,100k
10.1 Core systems,2. Move email,Every mailbox,Q1 2027,Sam Smith,5k
10.2 Schools,1. Broadband,Every school,Q2 2027,Ali Khan,20k
";

/// A request with a body of any bytes, over a fresh connection.
fn send_bytes(addr: SocketAddr, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    let mut head = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse_response(&raw)
}

const BOUNDARY: &str = "----waymark-test-boundary-7d3f";

/// The upload form's body: token, title and the file.
fn multipart(token: &str, title: &str, file_name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in [("csrf_token", token), ("title", title)] {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

/// Upload a file through the import page, as the browser `b`.
fn upload(b: &mut Browser, title: &str, file_name: &str, bytes: &[u8]) -> Response {
    let (page, token) = b.get_form("/plans/import");
    assert_eq!(page.status, 200, "{}", page.body);
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let cookie = b.cookie.clone().unwrap();
    send_bytes(
        b.addr,
        "/plans/import",
        &[("Cookie", &cookie), ("Content-Type", &content_type)],
        &multipart(&token, title, file_name, bytes),
    )
}

/// The preview form's fields as the browser would send them: its hidden
/// fields, each select's chosen option, the title; `changes` over them.
fn preview_fields(body: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let form = after(body, "action=\"/plans/import/preview\"").expect("the preview form");
    let mut fields = hidden_fields(form);
    let mut i = 0;
    while fields.iter().any(|(k, _)| *k == format!("header_{i}")) {
        let name = format!("field_{i}");
        fields.push((name.clone(), selected(form, &name)));
        i += 1;
    }
    if form.contains("name=\"sheet\"") {
        fields.push(("sheet".into(), selected(form, "sheet")));
    }
    let title = common::must_find(form, "id=\"title\" name=\"title\" value=\"", "the title");
    let title = unescape(title.split('"').next().unwrap_or_default());
    fields.push(("title".into(), title));
    for (k, v) in changes {
        fields.retain(|(name, _)| name != k);
        fields.push(((*k).to_string(), (*v).to_string()));
    }
    fields
}

/// The chosen option of a select.
fn selected(form: &str, name: &str) -> String {
    let select = after(form, &format!("name=\"{name}\""))
        .and_then(|s| s.split("</select>").next())
        .unwrap_or_else(|| panic!("no select {name}"));
    let at = select
        .find(" selected>")
        .unwrap_or_else(|| panic!("nothing chosen in {name}"));
    let start = select[..at].rfind("value=\"").unwrap() + 7;
    select[start..at].trim_end_matches('"').to_string()
}

/// The index of the column whose header is `header`.
fn column(body: &str, header: &str) -> usize {
    let form = after(body, "action=\"/plans/import/preview\"").unwrap();
    let fields = hidden_fields(form);
    let (name, _) = fields
        .iter()
        .find(|(k, v)| k.starts_with("header_") && v == header)
        .unwrap_or_else(|| panic!("no column {header}"));
    name["header_".len()..].parse().unwrap()
}

fn post(b: &mut Browser, fields: &[(String, String)]) -> Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post_as_is("/plans/import/preview", &pairs)
}

fn plan_count(server: &Server) -> usize {
    server.store.list_plans().unwrap().len()
}

#[test]
fn a_csv_is_previewed_remapped_and_imported_as_the_signed_in_account() {
    let server = common::start();
    let mut b = Browser::new(&server);
    // The plan list offers the page to those who may import.
    assert!(b.get("/").body.contains("href=\"/plans/import\""));

    let res = upload(&mut b, "", "council-plan.csv", CSV.as_bytes());
    assert_eq!(res.status, 200, "{}", res.body);
    let body = &res.body;
    assert!(body.contains("Check the import"));
    assert!(body.contains("<dd>csv"), "format shown");
    assert!(body.contains("<dt>Sections</dt><dd>2</dd>"), "{body}");
    assert!(body.contains("<dt>Work packages</dt><dd>3</dd>"));
    // Each column with its field; the unknown one goes to the notes.
    let whoever = column(body, "Whoever");
    assert_eq!(selected(body, &format!("field_{whoever}")), "notes");
    let delivery = column(body, "Estimated delivery");
    assert_eq!(selected(body, &format!("field_{delivery}")), "delivery");
    assert!(body.contains("Jo Bloggs"), "the notes show the column");
    assert!(
        body.contains("Replace the finance system"),
        "the first rows"
    );
    assert!(body.contains("Q4 2026"));
    assert!(body.contains("Line "), "warnings name their line");
    assert!(
        body.contains("value=\"Council plan\""),
        "title from the file name"
    );

    // "Whoever" is the owner: the preview is drawn again with it.
    let field = format!("field_{whoever}");
    let res = post(
        &mut b,
        &preview_fields(body, &[("action", "preview"), (&field, "owner")]),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(selected(&res.body, &field), "owner");
    let notes = after(&res.body, "id=\"notes\"").unwrap();
    assert!(!notes.contains("Jo Bloggs"), "no longer in the notes");
    assert!(notes.contains("100k"), "the budget still is");

    // Another round keeps the choice.
    let res = post(
        &mut b,
        &preview_fields(
            &res.body,
            &[("action", "preview"), ("title", "Imported in a test")],
        ),
    );
    assert_eq!(selected(&res.body, &field), "owner");
    assert!(res.body.contains("value=\"Imported in a test\""));

    let before = plan_count(&server);
    let res = post(&mut b, &preview_fields(&res.body, &[("action", "import")]));
    assert_eq!(res.status, 303, "{}", res.body);
    let to = res.header("location").unwrap().to_string();
    assert!(to.ends_with("?import=1"), "{to}");
    assert!(b.get(&to).body.contains("The plan has been imported."));
    assert_eq!(plan_count(&server), before + 1);

    let id = server
        .store
        .find_plan_by_title("Imported in a test")
        .unwrap()
        .expect("stored");
    let plan = server.store.load_plan(id).unwrap();
    assert_eq!(plan.work_package_count(), 3);
    let (_, _, first) = plan.work_packages().next().unwrap();
    assert_eq!(first.owner, "Jo Bloggs");

    let entries = server
        .store
        .audit_entries(
            &AuditFilter {
                action: Some("import".into()),
                ..AuditFilter::default()
            },
            10,
        )
        .unwrap();
    let newest = &entries.first().expect("an import entry").entry.event;
    assert_eq!(newest.actor.kind, ActorKind::User);
    assert_eq!(newest.actor.display, "Admin of the tests");
    assert_eq!(newest.entity.id, id.0.to_string());
}

/// A council plan's own words are read by the synonym table the importers
/// use (docs/import-synonyms.md): the preview selects their fields, whole
/// references give the sections, and a column no word matches is offered
/// for mapping with the notes selected.
#[test]
fn a_council_plans_headers_are_read_by_their_synonyms() {
    let server = common::start();
    let mut b = Browser::new(&server);
    let csv = "\
Ref,Action,Lead officer,Timescale,RAG rating,Resources
10.1.1,Replace the finance system,Jo Bloggs,Q4 2026,Amber,£100k
10.2/1,Retire the old ledger,Sam Smith,Q1 2027,Green,
";
    let res = upload(&mut b, "", "council-plan.csv", csv.as_bytes());
    assert_eq!(res.status, 200, "{}", res.body);
    let body = &res.body;
    for (header, field) in [
        ("Ref", "number"),
        ("Action", "title"),
        ("Lead officer", "owner"),
        ("Timescale", "delivery"),
        ("RAG rating", "rag"),
        ("Resources", "notes"),
    ] {
        let i = column(body, header);
        assert_eq!(selected(body, &format!("field_{i}")), field, "{header}");
    }
    assert!(body.contains("<dt>Sections</dt><dd>2</dd>"), "{body}");
    assert!(body.contains(">10.2.1</td>"), "references kept: {body}");
    assert!(
        body.contains("unknown column &quot;Resources&quot;")
            || body.contains("unknown column &#34;Resources&#34;"),
        "{body}"
    );
}

#[test]
fn a_viewer_may_not_import_and_a_draft_is_its_uploaders_only() {
    let server = common::start();
    server.account("viewer@example.org", Role::Viewer, "viewer password 1");
    server.account("manager@example.org", Role::Manager, "manager password 1");
    let mut viewer = Browser::anonymous(&server);
    viewer.sign_in("viewer@example.org", "viewer password 1");
    assert_eq!(viewer.get("/plans/import").status, 403);
    assert!(!viewer.get("/").body.contains("href=\"/plans/import\""));
    let (_, token) = viewer.get_form("/");
    let res = viewer.post_as_is(
        "/plans/import/preview",
        &[("csrf_token", &token), ("draft", "x"), ("action", "import")],
    );
    assert_eq!(res.status, 403);

    // The administrator's draft is not the manager's.
    let mut admin = Browser::new(&server);
    let res = upload(&mut admin, "", "plan.csv", CSV.as_bytes());
    assert_eq!(res.status, 200);
    let mut manager = Browser::anonymous(&server);
    manager.sign_in("manager@example.org", "manager password 1");
    let (_, token) = manager.get_form("/plans/import");
    let mut fields = preview_fields(&res.body, &[("action", "import")]);
    fields.retain(|(k, _)| k != "csrf_token");
    fields.push(("csrf_token".into(), token));
    let before = plan_count(&server);
    let res = post(&mut manager, &fields);
    assert_eq!(res.status, 410, "{}", res.body);
    assert!(res.body.contains("no longer held"));
    assert_eq!(plan_count(&server), before);
}

#[test]
fn a_workbook_is_previewed_with_its_sheet() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Action plan").unwrap();
    for (c, h) in ["Section", "Work package", "Estimated delivery", "Lead"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "3.1 Networks").unwrap();
    sheet.write_string(1, 1, "1. New switches").unwrap();
    sheet.write_string(1, 2, "Q3 2026").unwrap();
    sheet.write_string(1, 3, "Pat").unwrap();
    let older = workbook.add_worksheet();
    older.set_name("Last year").unwrap();
    for (c, h) in ["Section", "Work package"].iter().enumerate() {
        older.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=2u32 {
        older.write_string(r, 0, "2.1 Old").unwrap();
        older
            .write_string(r, 1, format!("{r}. Old task {r}"))
            .unwrap();
    }
    let bytes = workbook.save_to_buffer().unwrap();

    let server = common::start();
    let mut b = Browser::new(&server);
    let res = upload(&mut b, "Workbook plan", "tracker.xlsx", &bytes);
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(
        res.body.contains("<dd>xlsx, sheet “Action plan”"),
        "{}",
        res.body
    );
    assert!(res.body.contains("<dt>Work packages</dt><dd>1</dd>"));
    assert!(res.body.contains("New switches"));
    // The other sheet can be chosen instead, and back.
    assert_eq!(selected(&res.body, "sheet"), "Action plan");
    let res = post(
        &mut b,
        &preview_fields(&res.body, &[("action", "preview"), ("sheet", "Last year")]),
    );
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(
        res.body.contains("<dt>Work packages</dt><dd>2</dd>"),
        "{}",
        res.body
    );
    assert!(res.body.contains("Old task 2"));
    let res = post(
        &mut b,
        &preview_fields(
            &res.body,
            &[("action", "preview"), ("sheet", "Action plan")],
        ),
    );
    assert!(res.body.contains("<dt>Work packages</dt><dd>1</dd>"));
    let res = post(&mut b, &preview_fields(&res.body, &[("action", "import")]));
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(
        server
            .store
            .find_plan_by_title("Workbook plan")
            .unwrap()
            .is_some()
    );
}

#[test]
fn a_file_over_the_limit_gets_a_page_saying_the_limit() {
    let server = common::start();
    let mut b = Browser::new(&server);
    let big = vec![b'a'; waymark_web_limit() + 1024 * 1024];
    let res = upload(&mut b, "", "huge.csv", &big);
    assert_eq!(res.status, 413, "{}", res.body);
    assert!(res.body.contains("smaller than 20 MB"), "{}", res.body);
    assert!(res.body.contains("There is a problem"));
    // A file that is not a plan keeps the page, with the reason.
    let res = upload(&mut b, "", "photo.csv", b"\x00\x01\x02 binary");
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(
        res.body.contains("could not be read as a plan"),
        "{}",
        res.body
    );
    assert!(!res.body.contains("Import the plan</button>"));
    // Nor is a file named .xlsx that is no workbook (the workbook checks of
    // the command line apply).
    let res = upload(&mut b, "", "plan.xlsx", b"just some text, not a workbook");
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(
        res.body.contains("could not be read as a plan"),
        "{}",
        res.body
    );
    assert!(
        res.body.contains("href=\"#file\""),
        "the summary links to the problem"
    );
}

/// The upload limit `docs/limits.md` states (20 MB).
fn waymark_web_limit() -> usize {
    20 * 1024 * 1024
}

#[test]
fn a_title_already_stored_is_refused_unless_replacing_is_ticked() {
    let server = common::start();
    let mut b = Browser::new(&server);
    let res = upload(&mut b, common::PLAN_TITLE, "plan.csv", CSV.as_bytes());
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(
        res.body
            .contains("A plan with this title is already stored")
    );
    let before = plan_count(&server);
    let res = post(&mut b, &preview_fields(&res.body, &[("action", "import")]));
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("There is a problem"));
    assert!(
        res.body
            .contains("is already stored: give this one another title")
    );
    assert_eq!(plan_count(&server), before);
    let res = post(
        &mut b,
        &preview_fields(&res.body, &[("action", "import"), ("replace", "yes")]),
    );
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(plan_count(&server), before);
    let id = server
        .store
        .find_plan_by_title(common::PLAN_TITLE)
        .unwrap()
        .unwrap();
    assert_eq!(server.store.load_plan(id).unwrap().work_package_count(), 3);
}

#[test]
fn cancel_stores_nothing_and_forgets_the_file() {
    let server = common::start();
    let mut b = Browser::new(&server);
    let res = upload(&mut b, "Never stored", "plan.csv", CSV.as_bytes());
    assert_eq!(res.status, 200);
    let fields = preview_fields(&res.body, &[("action", "cancel")]);
    let res = post(&mut b, &fields);
    assert_eq!(res.status, 303);
    let to = res.header("location").unwrap().to_string();
    assert!(b.get(&to).body.contains("nothing has been stored"));
    assert!(
        server
            .store
            .find_plan_by_title("Never stored")
            .unwrap()
            .is_none()
    );
    // The file is gone: importing it now finds nothing.
    let mut fields = fields;
    fields.retain(|(k, _)| k != "action");
    fields.push(("action".into(), "import".into()));
    let res = post(&mut b, &fields);
    assert_eq!(res.status, 410);
    assert!(
        server
            .store
            .find_plan_by_title("Never stored")
            .unwrap()
            .is_none()
    );
}

#[test]
fn an_upload_without_the_form_token_is_not_read() {
    let server = common::start();
    let mut b = Browser::new(&server);
    b.get("/plans/import");
    let cookie = b.cookie.clone().unwrap();
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let body = multipart("not the token", "Forged", "plan.csv", CSV.as_bytes());
    // Another site's form: refused.
    let res = send_bytes(
        b.addr,
        "/plans/import",
        &[
            ("Cookie", &cookie),
            ("Content-Type", &content_type),
            ("Sec-Fetch-Site", "cross-site"),
        ],
        &body,
    );
    assert_eq!(res.status, 403, "{}", res.body);
    // This site's, with a token that has expired: the page asks for the file again.
    let res = send_bytes(
        b.addr,
        "/plans/import",
        &[("Cookie", &cookie), ("Content-Type", &content_type)],
        &body,
    );
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("The form had expired"));
    assert!(!res.body.contains("Check the import"));
    assert!(server.store.find_plan_by_title("Forged").unwrap().is_none());
}

// ------------------------------------------------- updating a stored plan

const LAST_YEAR: &str = "\
Section,Work package,Scope,Estimated delivery,Owner
10.1 Core systems,1. Replace the finance system,All finance,Q4 2026,Jo Bloggs
10.1 Core systems,2. Move email,Every mailbox,Q1 2027,Sam Smith
10.2 Schools,1. Broadband,Every school,Q2 2027,Ali Khan
";

/// Next year's file: 10.1.1 slips and changes owner, 10.1.3 is new, 10.2.1
/// is gone.
const THIS_YEAR: &str = "\
Section,Work package,Scope,Estimated delivery,Owner
10.1 Core systems,1. Replace the finance system,All finance,Q2 2027,Head of Finance
10.1 Core systems,2. Move email,Every mailbox,Q1 2027,Sam Smith
10.1 Core systems,3. Retire the old intranet,Every page,Q3 2027,Sam Smith
";

/// A plan stored from `LAST_YEAR`, and its id.
fn last_years_plan(server: &Server) -> i64 {
    let plan = waymark_core::import::import(
        LAST_YEAR.as_bytes(),
        waymark_core::import::Format::Csv,
        &waymark_core::import::ImportOptions {
            default_title: Some("Council plan".into()),
            ..Default::default()
        },
    )
    .unwrap()
    .plan;
    let by = waymark_store::Actor::Cli {
        user: String::new(),
    };
    server
        .store
        .import_plan(&plan, waymark_store::OnExisting::Refuse, &by)
        .unwrap()
        .0
}

/// Upload a file through a plan's update page, as the browser `b`.
fn upload_update(b: &mut Browser, plan: i64, bytes: &[u8]) -> Response {
    let path = format!("/plans/{plan}/update");
    let (page, token) = b.get_form(&path);
    assert_eq!(page.status, 200, "{}", page.body);
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    let cookie = b.cookie.clone().unwrap();
    send_bytes(
        b.addr,
        &path,
        &[("Cookie", &cookie), ("Content-Type", &content_type)],
        &multipart(&token, "", "council-plan-2027.csv", bytes),
    )
}

/// The update form's fields as a browser sends them, `changes` over them.
fn update_fields(body: &str, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let form = after(body, "/update/preview\"").expect("the update form");
    let mut fields = hidden_fields(form);
    let mut i = 0;
    while fields.iter().any(|(k, _)| *k == format!("header_{i}")) {
        let name = format!("field_{i}");
        fields.push((name.clone(), selected(form, &name)));
        i += 1;
    }
    for (k, v) in changes {
        fields.retain(|(name, _)| name != k);
        fields.push(((*k).to_string(), (*v).to_string()));
    }
    fields
}

fn post_update(b: &mut Browser, plan: i64, fields: &[(String, String)]) -> Response {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    b.post_as_is(&format!("/plans/{plan}/update/preview"), &pairs)
}

fn packages(server: &Server, plan: i64) -> Vec<(String, i64, String, String)> {
    let plan = waymark_store::PlanId(plan);
    let rows = server
        .store
        .list_work_packages(
            plan,
            &waymark_store::WorkPackageQuery {
                page: 1,
                per_page: 100,
                ..Default::default()
            },
        )
        .unwrap()
        .items;
    rows.into_iter()
        .map(|r| {
            let delivery = waymark_core::model::format_delivery(&r.delivery);
            (r.reference, r.id.0, r.owner, delivery)
        })
        .collect()
}

#[test]
fn a_plan_is_updated_from_a_newer_file_once_its_changes_are_seen() {
    let server = common::start();
    let plan = last_years_plan(&server);
    let before = packages(&server, plan);
    let mut b = Browser::new(&server);
    assert!(
        b.get(&format!("/plans/{plan}"))
            .body
            .contains(&format!("href=\"/plans/{plan}/update\"")),
        "the plan offers the update to those who may import"
    );

    let res = upload_update(&mut b, plan, THIS_YEAR.as_bytes());
    assert_eq!(res.status, 200, "{}", res.body);
    let body = &res.body;
    assert!(body.contains("Check the update"));
    assert!(
        body.contains("<dt>Work packages added</dt><dd>1</dd>"),
        "{body}"
    );
    assert!(body.contains("<dt>Work packages changed</dt><dd>1</dd>"));
    assert!(body.contains("<dt>Work packages not in the file</dt><dd>1</dd>"));
    let changed = after(body, "id=\"changed\"").unwrap();
    assert!(changed.contains("10.1.1 Replace the finance system"));
    assert!(changed.contains("Q4 2026") && changed.contains("Q2 2027"));
    assert!(changed.contains("Head of Finance") && changed.contains("Jo Bloggs"));
    assert!(
        after(body, "id=\"added\"")
            .unwrap()
            .contains("Retire the old intranet")
    );
    let missing = after(body, "id=\"missing\"").unwrap();
    assert!(missing.contains("10.2.1") && missing.contains("name=\"remove_missing\""));
    assert_eq!(
        packages(&server, plan),
        before,
        "nothing is stored by a preview"
    );

    // Applied without ticking removal: 10.2.1 stays, 10.1.1 keeps its id.
    let res = post_update(&mut b, plan, &update_fields(body, &[("action", "apply")]));
    assert_eq!(res.status, 303, "{}", res.body);
    let to = res.header("location").unwrap().to_string();
    assert!(to.ends_with("?import=updated"), "{to}");
    assert!(
        b.get(&to)
            .body
            .contains("The plan has been updated from the file.")
    );
    let after_update = packages(&server, plan);
    assert_eq!(after_update.len(), 4);
    let first = after_update.iter().find(|p| p.0 == "10.1.1").unwrap();
    assert_eq!(first.1, before[0].1, "matched by reference, same package");
    assert_eq!(
        (first.2.as_str(), first.3.as_str()),
        ("Head of Finance", "Q2 2027")
    );
    assert!(after_update.iter().any(|p| p.0 == "10.2.1"));

    // The same file again, with removal ticked: only 10.2.1 goes.
    let res = upload_update(&mut b, plan, THIS_YEAR.as_bytes());
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(
        res.body
            .contains("<dt>Work packages changed</dt><dd>0</dd>")
    );
    let res = post_update(
        &mut b,
        plan,
        &update_fields(&res.body, &[("action", "apply"), ("remove_missing", "yes")]),
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let refs: Vec<String> = packages(&server, plan).into_iter().map(|p| p.0).collect();
    assert_eq!(refs, vec!["10.1.1", "10.1.2", "10.1.3"]);
}

#[test]
fn an_update_is_shown_again_when_the_plan_changed_since_and_cancel_changes_nothing() {
    let server = common::start();
    let plan = last_years_plan(&server);
    let mut b = Browser::new(&server);
    let res = upload_update(&mut b, plan, THIS_YEAR.as_bytes());
    assert_eq!(res.status, 200, "{}", res.body);
    let seen = res.body.clone();

    // Meanwhile, someone else updates the plan from another file.
    let mut meanwhile = LAST_YEAR.replace("Jo Bloggs", "Someone else");
    meanwhile.push_str("10.2 Schools,2. Wifi,Every school,Q3 2027,Ali Khan\n");
    let res = upload_update(&mut b, plan, meanwhile.as_bytes());
    let res = post_update(
        &mut b,
        plan,
        &update_fields(&res.body, &[("action", "apply")]),
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let now = packages(&server, plan);

    // The first preview's changes are stale: shown again, nothing stored.
    let res = post_update(&mut b, plan, &update_fields(&seen, &[("action", "apply")]));
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains("has been changed since"), "{}", res.body);
    assert!(
        res.body.contains("Someone else"),
        "the changes as they stand now"
    );
    assert_eq!(packages(&server, plan), now);

    // Cancel forgets the file and changes nothing.
    let res = post_update(
        &mut b,
        plan,
        &update_fields(&res.body, &[("action", "cancel")]),
    );
    assert_eq!(res.status, 303);
    let to = res.header("location").unwrap().to_string();
    assert!(b.get(&to).body.contains("nothing has been changed"));
    assert_eq!(packages(&server, plan), now);

    // A viewer may not update.
    server.account("viewer@example.org", Role::Viewer, "viewer password 1");
    let mut v = Browser::anonymous(&server);
    v.sign_in("viewer@example.org", "viewer password 1");
    assert_eq!(v.get(&format!("/plans/{plan}/update")).status, 403);
    assert!(
        !v.get(&format!("/plans/{plan}"))
            .body
            .contains(&format!("href=\"/plans/{plan}/update\""))
    );
}
