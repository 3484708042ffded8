//! The HTML pages, through the real server: every page answers with the
//! expected content, forms round-trip, and errors are pages with a status.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Browser, after, option_value, package_id, plan_id, request, start};

#[test]
fn plan_list_links_to_the_plan() {
    let server = start();
    let mut b = Browser::new(&server);
    let res = b.get("/");
    assert_eq!(res.status, 200);
    assert!(res.body.contains("<html lang=\"en-GB\">"));
    assert!(res.body.contains("CYPS ICT strategy action plan"));
    assert!(
        res.body
            .contains("class=\"button\">Open CYPS ICT strategy action plan"),
        "one plan: a prominent link"
    );
    assert!(res.body.contains("href=\"#main\""), "skip link");
}

#[test]
fn overview_lists_every_package_with_layout() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let res = b.get(&format!("/plans/{plan}"));
    assert_eq!(res.status, 200);
    let body = &res.body;
    assert!(body.contains("<title>Overview – CYPS ICT strategy action plan – Waymark</title>"));
    assert!(body.contains("Application review"));
    assert!(body.contains("Showing 1–17 of 17"));
    assert!(body.contains("aria-current=\"page\">Overview"));
    for nav in ["Timeline", "Priorities", "Key influences", "Related items"] {
        assert!(
            body.contains(&format!(">{nav}</a>")),
            "{nav} in the navigation"
        );
    }
    assert!(body.contains("<th scope=\"col\">Status</th>"));
    assert!(body.contains(">Proposed</span>"), "status as text");
    assert!(
        !body.contains(" style=\""),
        "no inline styles under the CSP"
    );
}

/// The overview offers the whole plan in every export format, through the
/// API, which the page's session can read.
#[test]
fn overview_lists_the_export_links() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let body = b.get(&format!("/plans/{plan}?status=done")).body;
    for (format, name) in [
        ("json", "JSON"),
        ("markdown", "Markdown"),
        ("csv", "CSV"),
        ("xlsx", "Excel (.xlsx)"),
    ] {
        assert!(
            body.contains(&format!(
                "href=\"/api/v1/plans/{plan}/export?format={format}\" download>The whole plan as {name}</a>"
            )),
            "{format} link"
        );
    }
    let xlsx = b.get(&format!("/api/v1/plans/{plan}/export?format=xlsx"));
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.body.starts_with("PK"));
    // The plan list offers each plan in every format.
    let home = b.get("/").body;
    for format in ["json", "csv", "xlsx", "markdown"] {
        assert!(
            home.contains(&format!(
                "href=\"/api/v1/plans/{plan}/export?format={format}\" download>"
            )),
            "{format} link on the plan list"
        );
    }
    // A filtered list offers its packages in every format too.
    assert!(!body.contains("Export the work packages matching the filters"));
    let filtered = b
        .get(&format!("/plans/{plan}?status=proposed&q=review"))
        .body;
    assert!(
        filtered.contains(&format!(
            "href=\"/api/v1/plans/{plan}/export?format=xlsx&amp;status=proposed&#38;q=review\" download>Excel (.xlsx)</a>"
        )),
        "{filtered}"
    );
    let csv = b.get(&format!(
        "/api/v1/plans/{plan}/export?format=csv&status=proposed&q=review"
    ));
    assert_eq!(csv.status, 200);
    assert!(csv.body.contains("Application review"), "{}", csv.body);
}

#[test]
fn overview_filters_by_status_section_and_text() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let res = b.get(&format!("/plans/{plan}?status=in_progress"));
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Showing 0 of 0"));
    let res = b.get(&format!("/plans/{plan}?status=proposed"));
    assert!(res.body.contains("Showing 1–17 of 17"));

    let overview = b.get(&format!("/plans/{plan}"));
    let section = option_value(&overview.body, "10.4 Technology innovation");
    let res = b.get(&format!("/plans/{plan}?section={section}"));
    assert_eq!(res.status, 200);
    assert!(
        res.body.contains("Showing 1–5 of 5"),
        "{}",
        after(&res.body, "result-count").unwrap_or("")
    );
    assert!(res.body.contains("Provide anytime, anywhere access"));
    assert!(!res.body.contains("Application review"));
    assert!(
        res.body
            .contains(&format!("<option value=\"{section}\" selected>")),
        "the chosen section stays selected"
    );

    let res = b.get(&format!("/plans/{plan}?q=single+sign"));
    assert!(res.body.contains("Showing 1–1 of 1"));
    assert!(res.body.contains("secure single sign on"));
    assert!(!res.body.contains(">Application review"));

    let res = b.get(&format!(
        "/plans/{plan}?quarter=Q2+2007&sort=title&dir=desc"
    ));
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Workforce"));
    assert!(!res.body.contains("Application review"));
}

#[test]
fn overview_pages_through_packages() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let res = b.get(&format!("/plans/{plan}?per_page=5&status=proposed"));
    assert!(res.body.contains("Showing 1–5 of 17"));
    assert!(res.body.contains("Page 1 of 4"));
    assert!(
        res.body
            .contains("status=proposed&#38;per_page=5&#38;cursor="),
        "next link keeps the filters and goes by cursor"
    );
    assert!(link(&res.body, "prev").is_none());
    // Next, next, next: the last page; then back one.
    let mut res = res;
    for _ in 0..3 {
        let next = link(&res.body, "next").expect("a next link");
        res = b.get(&next);
        assert_eq!(res.status, 200, "{next}");
    }
    assert!(res.body.contains("Showing 16–17 of 17"), "{}", res.body);
    assert!(res.body.contains("Page 4 of 4"));
    assert!(
        link(&res.body, "next").is_none(),
        "the last page has no next"
    );
    let res = b.get(&link(&res.body, "prev").expect("a previous link"));
    assert!(res.body.contains("Showing 11–15 of 17"), "{}", res.body);
    assert!(res.body.contains("Page 3 of 4"));
    // Page numbers still work.
    let res = b.get(&format!("/plans/{plan}?per_page=5&page=4"));
    assert!(res.body.contains("Showing 16–17 of 17"));
}

/// The address of the page's `rel` (next, prev) link, unescaped.
fn link(body: &str, rel: &str) -> Option<String> {
    let end = body.find(&format!("\" rel=\"{rel}\""))?;
    let start = body[..end].rfind("href=\"")? + 6;
    Some(body[start..end].replace("&#38;", "&"))
}

#[test]
fn a_search_without_a_word_is_an_error_beside_the_search_box() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let res = b.get(&format!("/plans/{plan}?q=%F0%9F%99%82&status=in_progress"));
    assert_eq!(res.status, 400);
    assert!(res.body.contains("id=\"q-error\""), "{}", res.body);
    assert!(res.body.contains("has no word or number to search for"));
    assert!(
        res.body.contains("href=\"#q\""),
        "the summary links to the box"
    );
    assert!(res.body.contains("value=\"🙂\""), "what was typed is kept");
    assert!(
        res.body.contains("role=\"search\""),
        "the filter form stays"
    );
    assert!(!res.body.contains("Application review"), "not everything");
}

#[test]
fn a_bad_filter_is_a_400_naming_it() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    for (query, name) in [
        ("status=finished", "status"),
        ("quarter=Q9+2007", "quarter"),
        ("rag=purple", "rag"),
        ("influence=abc", "influence"),
        ("section=abc", "section"),
        ("section=999999", "section"),
        ("sort=colour", "sort"),
        ("per_page=0", "per_page"),
        ("page=x", "page"),
    ] {
        let res = b.get(&format!("/plans/{plan}?{query}"));
        assert_eq!(res.status, 400, "{query}");
        assert!(
            res.body.contains(&format!("The {name}")),
            "{query}: {}",
            res.body
        );
        assert!(
            res.header("content-type")
                .unwrap_or("")
                .starts_with("text/html")
        );
        // The overview with its filter form, the summary at the top linking to
        // the field, and the message beside the field.
        assert!(
            res.body.contains("role=\"search\""),
            "{query}: no filter form"
        );
        assert!(res.body.contains("There is a problem"), "{query}");
        if !matches!(name, "page" | "per_page") {
            assert!(res.body.contains(&format!("href=\"#{name}\"")), "{query}");
            assert!(
                res.body.contains(&format!("id=\"{name}-error\"")),
                "{query}: no message beside the field"
            );
        }
    }
    // What was typed stays in the form.
    let res = b.get(&format!("/plans/{plan}?quarter=Q9+2007&q=secure"));
    assert!(res.body.contains("value=\"Q9 2007\""));
    assert!(res.body.contains("value=\"secure\""));
}

#[test]
fn a_repeated_filter_keeps_the_overview_and_its_form() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let res = b.get(&format!(
        "/plans/{plan}?status=in_progress&status=delivered&q=secure"
    ));
    assert_eq!(res.status, 400, "{}", res.body);
    assert!(
        res.body.contains("role=\"search\""),
        "the filter form stays"
    );
    assert!(res.body.contains("There is a problem"));
    assert!(res.body.contains("href=\"#status\""));
    assert!(res.body.contains("id=\"status-error\""), "{}", res.body);
    assert!(res.body.contains("given more than once"));
    assert!(
        res.body.contains("value=\"secure\""),
        "what was typed is kept"
    );
    assert!(res.body.contains("<title>Error: Overview"));
}

#[test]
fn a_wrong_or_repeated_filter_keeps_the_timeline_and_its_form() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    for (query, field) in [
        ("status=soon", "status"),
        ("status=delivered&status=on_hold", "status"),
        ("q=a&q=b", "q"),
        ("from=Q1+2007&from=Q2+2007", "from"),
    ] {
        let res = b.get(&format!("/plans/{plan}/timeline?{query}"));
        assert!(matches!(res.status, 400 | 422), "{query}: {}", res.status);
        assert!(
            res.body.contains("aria-label=\"Filter the timeline\""),
            "{query}: the filter form stays"
        );
        assert!(res.body.contains(&format!("href=\"#{field}\"")), "{query}");
        assert!(
            res.body.contains(&format!("id=\"{field}-error\"")),
            "{query}: {}",
            res.body
        );
        assert!(res.body.contains("<title>Error: Timeline"), "{query}");
    }
}

#[test]
fn a_wrong_kind_keeps_the_related_items_page_and_its_filter() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    for query in ["kind=planets", "kind=plan&kind=system"] {
        let res = b.get(&format!("/plans/{plan}/related-items?{query}"));
        assert_eq!(res.status, 400, "{query}");
        assert!(res.body.contains("aria-label=\"Filter related items\""));
        assert!(res.body.contains("href=\"#kind\""), "{query}");
        assert!(
            res.body.contains("id=\"kind-error\""),
            "{query}: {}",
            res.body
        );
    }
}

/// Change a package as a script would, through the API (sending the
/// version it read, as it must).
fn patch_package(b: &Browser, id: &str, body: &str) {
    let r = common::send_careful(
        b.addr,
        "PATCH",
        &format!("/api/v1/work-packages/{id}"),
        &[("Content-Type", "application/json")],
        Some(body),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

/// The entry numbers an audit page lists, in order.
fn entry_numbers(body: &str) -> Vec<u64> {
    body.split("<span class=\"muted\">Entry ")
        .skip(1)
        .map(|rest| {
            rest.split('<')
                .next()
                .unwrap()
                .replace(',', "")
                .parse()
                .unwrap()
        })
        .collect()
}

#[test]
fn the_audit_page_lists_changes_newest_first_with_filters_and_pages() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let id = package_id(&mut b, &plan, "10.1.1");
    patch_package(&b, &id, r#"{"owner":"Head of ICT"}"#);
    patch_package(&b, &id, r#"{"progress":40}"#);
    let long = format!("{}END", "Long scope text. ".repeat(20));
    patch_package(&b, &id, &format!(r#"{{"scope":"{long}"}}"#));

    let page = b.get("/admin/audit");
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<title>Audit trail – Waymark</title>"));
    assert!(page.body.contains("<h1>Audit trail</h1>"));
    // 1: the import; 2 and 3: the test server's administrator and its
    // token; 4 to 6: the changes above, by that token.
    assert_eq!(entry_numbers(&page.body), [6, 5, 4, 3, 2, 1]);
    // The chain's head, and the way to verify it.
    let head = common::send(b.addr, "GET", "/api/v1/audit", &[], None).json();
    let hash = head["head"]["hash"].as_str().unwrap();
    assert!(
        page.body
            .contains(&format!("<code class=\"hash\">{hash}</code>"))
    );
    assert!(page.body.contains("href=\"/admin/audit/verify\""));
    // When (readable, and machine time), who, what (linked), the action.
    assert!(page.body.contains("<time datetime=\"20"), "{}", page.body);
    assert!(page.body.contains(" GMT</time>") || page.body.contains(" BST</time>"));
    assert!(page.body.contains(&format!(
        "Changed: <a href=\"/work-packages/{id}\">Work package {id}</a>"
    )));
    assert!(page.body.contains(&format!(
        "Imported: <a href=\"/plans/{plan}\">Plan {plan}</a>"
    )));
    assert!(
        page.body
            .contains("by <strong>Admin of the tests (API token 1)</strong>")
    );
    assert!(page.body.contains("by <strong>command line</strong>"));
    // Each field from what to what; a long value cut short, whole on request.
    assert!(page.body.contains("<th scope=\"row\">owner</th>"));
    assert!(page.body.contains("Head of ICT"));
    assert!(page.body.contains("<th scope=\"row\">progress</th>"));
    assert!(page.body.contains("Show the whole value"));
    assert!(page.body.contains("…</span>"));
    assert!(page.body.contains("END</div>"), "the whole value is there");
    assert!(page.body.contains(&format!(
        "href=\"/admin/audit?entity_kind=work_package&#38;entity_id={id}\""
    )));

    // Filters: the form keeps them, the list follows them.
    for (query, expected) in [
        ("action=import", vec![1]),
        ("actor=API%20TOKEN", vec![6, 5, 4]),
        ("actor_kind=cli", vec![3, 2, 1]),
        (
            &*format!("entity_kind=work_package&entity_id={id}"),
            vec![6, 5, 4],
        ),
        ("entity_kind=programme", vec![]),
        ("from=2000-01-01&to=2000-12-31", vec![]),
        ("from=2000-01-01", vec![6, 5, 4, 3, 2, 1]),
    ] {
        let res = b.get(&format!("/admin/audit?{query}"));
        assert_eq!(res.status, 200, "{query}: {}", res.body);
        assert_eq!(entry_numbers(&res.body), expected, "{query}");
        assert!(res.body.contains("matching the filters"), "{query}");
        assert!(res.body.contains("Clear filters"), "{query}");
    }
    let res = b.get("/admin/audit?actor=token&action=update");
    assert!(res.body.contains("value=\"token\""));
    assert!(res.body.contains("<option value=\"update\" selected>"));

    // Pages of two, by entry number, keeping the filters.
    let first = b.get("/admin/audit?per_page=2&before=5");
    assert_eq!(entry_numbers(&first.body), [4, 3]);
    let older = link(&first.body, "next").expect("a link to older entries");
    assert_eq!(older, "/admin/audit?per_page=2&before=3");
    let second = b.get(&older);
    assert_eq!(entry_numbers(&second.body), [2, 1]);
    assert!(link(&second.body, "next").is_none());
    let newer = link(&second.body, "prev").expect("a link to newer entries");
    assert_eq!(newer, "/admin/audit?per_page=2&after=2");
    assert_eq!(entry_numbers(&b.get(&newer).body), [4, 3]);
    let newest = b.get("/admin/audit?per_page=2");
    assert_eq!(entry_numbers(&newest.body), [6, 5]);
    assert!(link(&newest.body, "prev").is_none());
    let filtered = b.get("/admin/audit?actor=token&per_page=2");
    assert_eq!(
        link(&filtered.body, "next").as_deref(),
        Some("/admin/audit?actor=token&per_page=2&before=5")
    );
}

#[test]
fn a_wrong_audit_filter_is_said_beside_its_field_and_the_page_kept() {
    let server = start();
    let mut b = Browser::new(&server);
    let long = "x".repeat(201);
    for (query, field) in [
        ("entity_kind=planet", "entity_kind"),
        ("entity_id=12", "entity_id"),
        ("actor_kind=robot", "actor_kind"),
        ("action=explode", "action"),
        ("action=update&action=delete", "action"),
        ("from=2026-02-30", "from"),
        ("to=yesterday", "to"),
        ("from=2026-11-25&to=2026-11-01", "to"),
        (&*format!("actor={long}"), "actor"),
        ("before=x", "entries"),
        ("before=3&after=1", "entries"),
        ("per_page=0", "entries"),
    ] {
        let res = b.get(&format!("/admin/audit?{query}"));
        assert_eq!(res.status, 400, "{query}");
        assert!(
            res.body.contains("aria-label=\"Filter the audit trail\""),
            "{query}: the filter form stays"
        );
        assert!(res.body.contains("There is a problem"), "{query}");
        assert!(res.body.contains(&format!("href=\"#{field}\"")), "{query}");
        if field != "entries" {
            assert!(
                res.body.contains(&format!("id=\"{field}-error\"")),
                "{query}: no message beside the field: {}",
                res.body
            );
        }
        assert!(res.body.contains("<title>Error: Audit trail"), "{query}");
        assert!(entry_numbers(&res.body).is_empty(), "{query}");
    }
    // What was typed stays in the form.
    let res = b.get("/admin/audit?from=2026-02-30&actor=alice");
    assert!(res.body.contains("value=\"2026-02-30\""));
    assert!(res.body.contains("value=\"alice\""));
}

#[test]
fn the_audit_chain_is_verified_on_request_and_against_a_recorded_head() {
    let server = start();
    let mut b = Browser::new(&server);
    let head = common::send(b.addr, "GET", "/api/v1/audit", &[], None).json();
    let hash = head["head"]["hash"].as_str().unwrap().to_string();
    let res = b.get("/admin/audit/verify");
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains("The chain is intact"), "{}", res.body);
    assert!(res.body.contains(&hash));
    let res = b.get(&format!("/admin/audit/verify?head={}", hash.to_uppercase()));
    assert!(
        res.body.contains("an entry has the recorded hash"),
        "{}",
        res.body
    );
    let res = b.get(&format!("/admin/audit/verify?head={}", "ab".repeat(32)));
    assert_eq!(res.status, 200);
    assert!(
        res.body.contains("The chain does not verify"),
        "{}",
        res.body
    );
    assert!(res.body.contains("No entry has the hash"), "{}", res.body);
    let res = b.get("/admin/audit/verify?head=abc");
    assert_eq!(res.status, 400);
    assert!(res.body.contains("href=\"#head\""));
    assert!(res.body.contains("id=\"head-error\""));
    assert!(res.body.contains("value=\"abc\""));
    assert!(res.body.contains("<title>Error: Verify the audit trail"));
    assert!(!res.body.contains("The chain is intact"));
}

#[test]
fn package_page_shows_every_field() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let id = package_id(&mut b, &plan, "10.4.3");
    let res = b.get(&format!("/work-packages/{id}"));
    assert_eq!(res.status, 200);
    let body = &res.body;
    assert!(body.contains("a) Q4 2007"));
    assert!(body.contains("b) Q4 2007"));
    assert!(body.contains("For customers and staff."));
    assert!(body.contains("Corporate ICT Strategy and Customer Data Strategy."));
    assert!(body.contains(&format!(
        "href=\"/plans/{plan}/influences/3.1.2\">3.1.2</a>"
    )));
    assert!(body.contains("10.4 Technology innovation"));
    assert!(body.contains(">Edit<"));
    assert!(body.contains(">Delete<"));
    assert!(body.contains("Depends on"));
    assert!(body.contains("Needed by"));
}

#[test]
fn names_like_web_addresses_are_not_links_to_them() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let id = package_id(&mut b, &plan, "10.3.1");
    let res = b.get(&format!("/work-packages/{id}"));
    assert!(
        res.body
            .contains("government Connect programme and www.br."),
        "relationships verbatim"
    );
    assert!(!res.body.contains("href=\"http"));
    assert!(!res.body.contains("href=\"www."));
    assert!(!res.body.contains("href=\"//"));
    let res = b.get(&format!("/plans/{plan}/related-items"));
    assert!(res.body.contains("www.wfs"));
    assert!(!res.body.contains("href=\"http") && !res.body.contains("href=\"www."));
}

#[test]
fn edit_form_round_trip() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let id = package_id(&mut b, &plan, "10.1.1");
    let (form, token) = b.get_form(&format!("/work-packages/{id}/edit"));
    assert_eq!(form.status, 200);
    assert!(!token.is_empty());
    assert!(b.cookie_value("waymark_csrf").is_some());
    assert!(b.cookie_value("waymark_session").is_some());
    assert!(
        form.body.contains("value=\"Application review\""),
        "prefilled"
    );
    assert!(form.body.contains("Q2 2007"), "delivery hint");
    let section = option_value(&form.body, "10.1 Core business systems");
    let res = b.post(
        &format!("/work-packages/{id}/edit"),
        &[
            ("csrf_token", &token),
            ("section_id", &section),
            ("number", "1"),
            ("title", "Application review (revised)"),
            ("scope", "Using the checklist."),
            (
                "relationships",
                "Corporate ICT Strategy e.g. GIS and Amethyst.",
            ),
            ("delivery", "a) Q4 2006 b) Q2 2007"),
            ("comments", "Review all the systems, see 6.2."),
            ("influences", "3.1.1 3.1.2"),
            ("related_items", ""),
            ("owner", "Head of ICT"),
            ("status", "approved"),
            ("rag", "amber"),
            ("progress", "40"),
            ("actual_delivery", ""),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let location = res.header("location").unwrap().to_string();
    assert_eq!(location, format!("/work-packages/{id}?saved=1"));
    let page = b.get(&location);
    assert!(page.body.contains("Your changes have been saved"));
    assert!(page.body.contains("Application review (revised)"));
    assert!(page.body.contains("Head of ICT"));
    assert!(page.body.contains(">Approved</span>"));
    assert!(page.body.contains(">Amber</span>"));
    assert!(page.body.contains("40%"));
    assert!(page.body.contains("b) Q2 2007"));
    // The page's history says who changed which fields from what to what
    // (an edit that approves the package reads as the approval it is).
    let history = &page.body[page.body.find("id=\"history\"").unwrap()..];
    assert!(
        history.contains("Admin of the tests approved it"),
        "{history}"
    );
    // When, in UK time, with the machine-readable time beside it.
    assert!(history.contains("<time datetime=\"20"), "{history}");
    assert!(
        history.contains(" GMT</time>") || history.contains(" BST</time>"),
        "{history}"
    );
    assert!(
        history.contains("status: <span class=\"muted\">proposed</span> → approved"),
        "{history}"
    );
    assert!(history.contains("→ Head of ICT"), "{history}");
    let list = b.get(&format!("/plans/{plan}?status=approved"));
    assert!(list.body.contains("Showing 1–1 of 1"));
}

/// The package page shows the latest progress note beside the progress and
/// the delivery's own words beside its quarters; the edit form has the note
/// (labelled, hinted, its error beside it) and shows the words, which stay
/// while the delivery does and go when it changes.
#[test]
fn the_progress_note_and_the_delivery_as_written_on_the_page_and_the_form() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let id = package_id(&mut b, &plan, "10.1.1");
    // As an import of a plan that says more than quarters leaves them.
    let r = common::send_careful(
        server.addr,
        "PATCH",
        &format!("/api/v1/work-packages/{id}"),
        &[("Content-Type", "application/json")],
        Some(
            r#"{"delivery_as_written":"End of March <2007>","progress_note":"Checklist drafted.\n\nSystems next."}"#,
        ),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let page = b.get(&format!("/work-packages/{id}"));
    let progress = after(&page.body, "<h2>Progress</h2>").unwrap();
    let progress = &progress[..progress.find("</dl>").unwrap()];
    assert!(
        progress.contains("<dt>Latest progress note</dt><dd><p class=\"pre-line\">Checklist drafted.</p><p class=\"pre-line\">Systems next.</p></dd>"),
        "{progress}"
    );
    assert!(
        progress.contains(
            "<span class=\"muted\">As written:</span> <span class=\"pre-line\">End of March &#60;2007&#62;</span>"
        ),
        "{progress}"
    );

    let edit = format!("/work-packages/{id}/edit");
    let (form, token) = b.get_form(&edit);
    assert!(
        form.body
            .contains("<label class=\"label\" for=\"progress_note\">Latest progress note</label>")
    );
    assert!(form.body.contains("id=\"progress_note-hint\""));
    assert!(
        form.body.contains(
            "aria-describedby=\"progress_note-hint\">Checklist drafted.\n\nSystems next.</textarea>"
        ),
        "prefilled"
    );
    assert!(
        form.body.contains(
            "Written in the plan as <q class=\"pre-line\">End of March &#60;2007&#62;</q>"
        ),
        "the words beside the delivery"
    );
    let delivery = after(&form.body, "name=\"delivery\" value=\"")
        .and_then(|v| v.split('"').next())
        .unwrap()
        .to_string();
    assert_eq!(delivery, "Q4 2006");
    let section = option_value(&form.body, "10.1 Core business systems");
    let post = |b: &mut Browser, delivery: &str, note: &str| {
        b.post(
            &edit,
            &[
                ("csrf_token", &token),
                ("section_id", &section),
                ("number", "1"),
                ("title", "Application review"),
                ("delivery", delivery),
                ("delivery_as_written", "End of March <2007>"),
                ("status", "approved"),
                ("progress", "30"),
                ("progress_note", note),
            ],
        )
    };

    // Too long: the form again, the error beside the note, what was typed kept.
    let long = "n".repeat(waymark_core::limits::PACKAGE_PROGRESS_NOTE.max_chars + 1);
    let res = post(&mut b, &delivery, &long);
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("href=\"#progress_note\""));
    assert!(res.body.contains("id=\"progress_note-error\""));
    assert!(
        res.body
            .contains("aria-describedby=\"progress_note-hint progress_note-error\"")
    );
    assert!(res.body.contains(&long), "typed value kept");

    // The same delivery keeps its words; the note is saved.
    let res = post(&mut b, &delivery, "Board approved the list.");
    assert_eq!(res.status, 303, "{}", res.body);
    let page = b.get(&format!("/work-packages/{id}"));
    assert!(page.body.contains("Board approved the list."));
    assert!(page.body.contains("End of March &#60;2007&#62;"));
    let history = after(&page.body, "id=\"history\"").unwrap();
    assert!(history.contains("progress note:"), "{history}");

    // A new delivery drops them: they described the old one.
    let res = post(&mut b, "Q3 2007", "Board approved the list.");
    assert_eq!(res.status, 303, "{}", res.body);
    let page = b.get(&format!("/work-packages/{id}"));
    assert!(page.body.contains("Q3 2007"));
    assert!(!page.body.contains("As written:"), "words gone");
    let (form, _) = b.get_form(&edit);
    assert!(!form.body.contains("Written in the plan as"));
}

/// The edit form offers reading related items from the relationships text (the
/// default for imported packages) or listing them; the choice holds on save.
#[test]
fn related_items_follow_the_text_or_the_list_on_the_edit_form() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let id = package_id(&mut b, &plan, "10.3.3");
    let (form, token) = b.get_form(&format!("/work-packages/{id}/edit"));
    assert!(
        form.body
            .contains("name=\"related_items_manual\" value=\"false\" checked")
    );
    let section = option_value(&form.body, "10.3 Integration strategy");
    let post = |b: &mut Browser, token: &str, relationships: &str, manual: &str, list: &str| {
        b.post(
            &format!("/work-packages/{id}/edit"),
            &[
                ("csrf_token", token),
                ("section_id", &section),
                ("number", "3"),
                ("title", "Review of schools ICT strategy"),
                ("relationships", relationships),
                ("related_items_manual", manual),
                ("related_items", list),
            ],
        )
    };
    let res = post(
        &mut b,
        &token,
        "Customer Data Strategy and CareMobile.",
        "false",
        "Corporate ICT Strategy",
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let page = b.get(&format!("/work-packages/{id}"));
    assert!(page.body.contains("CareMobile"), "read from the new text");
    assert!(
        page.body
            .contains("Read from the relationships text; they change with it.")
    );
    assert!(
        !page.body.contains(">Corporate ICT Strategy</a>"),
        "the list is not used"
    );

    let (_, token) = b.get_form(&format!("/work-packages/{id}/edit"));
    let res = post(&mut b, &token, "www.br", "true", "Amethyst\nGIS");
    assert_eq!(res.status, 303, "{}", res.body);
    let (form_after, _) = b.get_form(&format!("/work-packages/{id}/edit"));
    assert!(
        form_after
            .body
            .contains("name=\"related_items_manual\" value=\"true\" checked")
    );
    let page = b.get(&format!("/work-packages/{id}"));
    assert!(
        page.body.contains(">Amethyst</a>") && !page.body.contains(">www.br</a>"),
        "listed by hand"
    );
    assert!(
        page.body
            .contains("Listed by hand; they stay when the relationships text changes.")
    );
}

#[test]
fn validation_errors_are_422_with_a_summary_and_typed_values_kept() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let id = package_id(&mut b, &plan, "10.1.1");
    let (form, token) = b.get_form(&format!("/work-packages/{id}/edit"));
    let section = option_value(&form.body, "10.1 Core business systems");
    let res = b.post(
        &format!("/work-packages/{id}/edit"),
        &[
            ("csrf_token", &token),
            ("section_id", &section),
            ("number", "1"),
            ("title", ""),
            ("delivery", "soon"),
            ("owner", "Kept owner <b>"),
            ("progress", "140"),
            ("status", "approved"),
        ],
    );
    assert_eq!(res.status, 422);
    let body = &res.body;
    assert!(body.contains("There is a problem"));
    assert!(body.contains("href=\"#title\""));
    assert!(body.contains("href=\"#progress\""));
    assert!(body.contains("href=\"#delivery\""));
    assert!(body.contains("id=\"title-error\""));
    assert!(
        body.contains("value=\"Kept owner &#60;b&#62;\""),
        "escaped and kept"
    );
    assert!(body.contains("value=\"140\""));
    assert!(body.contains("<title>Error: "));
    // Nothing was saved.
    let page = b.get(&format!("/work-packages/{id}"));
    assert!(page.body.contains("Application review"));
}

/// A post without a valid token stores nothing and offers the typed values
/// again with a fresh token.
fn assert_offered_again(res: &common::Response) {
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("Your changes have not been saved yet"));
    assert!(res.body.contains("Sneaky"), "the typed value is kept");
    common::csrf_token(&res.body);
}

#[test]
fn posts_without_a_valid_csrf_token_change_nothing() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let id = package_id(&mut b, &plan, "10.1.1");
    let path = format!("/work-packages/{id}/delete");
    // No cookie, no token: offered again, nothing done.
    let res = request(server.addr, "POST", &path, None, Some("x=1"));
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("Your changes have not been saved yet"));
    // A session but a wrong token.
    let (_, token) = b.get_form(&path);
    let res = b.post(&path, &[("csrf_token", "0123456789abcdef0123456789abcdef")]);
    assert_eq!(res.status, 422);
    // The right token from another session.
    let res = request(
        server.addr,
        "POST",
        &path,
        None,
        Some(&format!("csrf_token={token}")),
    );
    assert_eq!(res.status, 422);
    // Still there.
    assert_eq!(b.get(&format!("/work-packages/{id}")).status, 200);
}

#[test]
fn a_cross_site_post_is_refused_outright() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let id = package_id(&mut b, &plan, "10.1.1");
    let path = format!("/work-packages/{id}/delete");
    for header in [
        ("Sec-Fetch-Site", "cross-site"),
        ("Origin", "https://elsewhere.example"),
    ] {
        let res = common::send_careful(
            server.addr,
            "POST",
            &path,
            &[
                header,
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            Some("csrf_token=0123"),
        );
        assert_eq!(res.status, 403, "{header:?}");
        assert!(res.body.contains("The form could not be accepted"));
        assert!(
            !res.body.contains("name=\"csrf_token\""),
            "no fresh token for another site"
        );
    }
    assert_eq!(b.get(&format!("/work-packages/{id}")).status, 200);
}

#[test]
fn a_form_from_before_a_restart_is_that_page_again_with_what_was_typed() {
    // Two instances: each draws its own key, as a restarted server does.
    let before = start();
    let after_restart = start();
    let mut b = Browser::new(&before);
    let plan = plan_id(&mut b);
    let id = package_id(&mut b, &plan, "10.1.1");
    let path = format!("/work-packages/{id}/edit");
    let (form, old_token) = b.get_form(&path);
    let section = option_value(&form.body, "10.1 Core business systems");
    b.addr = after_restart.addr;
    b.sign_in(common::ADMIN_EMAIL, common::ADMIN_PASSWORD);
    let typed = [
        ("section_id", section.as_str()),
        ("number", "1"),
        ("title", "Typed before the restart"),
        ("comments", "First line\nsecond <line> & more"),
        ("status", "approved"),
        ("progress", "30"),
    ];
    let mut posted = vec![("csrf_token", old_token.as_str())];
    posted.extend(typed);
    let res = b.post(&path, &posted);
    assert_eq!(res.status, 422, "{}", res.body);
    // The edit form itself, not a page of its own: its heading, its fields
    // holding what was typed, a notice, and a fresh token.
    assert!(res.body.contains("Your changes have not been saved yet"));
    assert!(res.body.contains("<h1>Edit 10.1.1 "), "{}", res.body);
    assert!(
        res.body
            .contains("id=\"title\" name=\"title\" value=\"Typed before the restart\"")
    );
    assert!(
        res.body
            .contains(">First line\nsecond &#60;line&#62; &#38; more</textarea>")
    );
    assert!(res.body.contains("value=\"approved\" checked"));
    let fresh = common::csrf_token(&res.body);
    assert_ne!(fresh, old_token);
    assert!(
        res.body.contains(&format!("action=\"{path}\"")),
        "posts back to the same form"
    );
    // Nothing was stored.
    let page = b.get(&format!("/work-packages/{id}"));
    assert!(!page.body.contains("Typed before the restart"));
    // Submitting the form again as shown saves exactly what was typed.
    let mut again = vec![("csrf_token", fresh.as_str())];
    again.extend(typed);
    let saved = b.post(&path, &again);
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = b.get(&format!("/work-packages/{id}"));
    assert!(page.body.contains("Typed before the restart"));
    assert!(page.body.contains("second &#60;line&#62; &#38; more"));
}

#[test]
fn every_register_form_from_before_a_restart_is_its_own_page_again() {
    let before = start();
    let after_restart = start();
    let mut b = Browser::new(&before);
    let plan = plan_id(&mut b);
    let priorities = b.get(&format!("/plans/{plan}/priorities"));
    let programme = common::digits(common::must_find(
        &priorities.body,
        "href=\"/programmes/",
        "a programme",
    ));
    // Each form: where it is, the field to type in, and the page's heading.
    let forms = [
        (
            format!("/programmes/{programme}/edit"),
            "name",
            "<h1>Change ",
        ),
        (
            format!("/plans/{plan}/priorities"),
            "name",
            "<h1>Priorities</h1>",
        ),
        (
            format!("/plans/{plan}/sections"),
            "title",
            "<h1>Sections</h1>",
        ),
        (
            format!("/plans/{plan}/settings"),
            "title",
            "<h1>Plan settings</h1>",
        ),
        (
            format!("/plans/{plan}/influences/3.1.1"),
            "title",
            "<h1>3.1.1</h1>",
        ),
    ];
    let mut on_before = Browser::new(&before);
    let mut on_after = Browser::new(&after_restart);
    for (path, field, heading) in forms {
        let (_, old_token) = on_before.get_form(&path);
        let b = &mut on_after;
        let res = b.post(
            &path,
            &[("csrf_token", &old_token), (field, "Typed & kept")],
        );
        assert_eq!(res.status, 422, "{path}: {}", res.body);
        assert!(res.body.contains(heading), "{path}: {}", res.body);
        assert!(
            res.body.contains("Your changes have not been saved yet"),
            "{path}"
        );
        assert!(
            res.body.contains(&format!(
                "id=\"{field}\" name=\"{field}\" value=\"Typed &#38; kept\""
            )),
            "{path}: {}",
            res.body
        );
        assert_ne!(common::csrf_token(&res.body), old_token, "{path}");
    }
}

#[test]
fn session_cookie_is_http_only_and_strict() {
    let server = start();
    let res = request(server.addr, "GET", "/", None, None);
    let cookie = res.header("set-cookie").unwrap();
    assert!(cookie.starts_with("waymark_csrf="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Strict"));
    assert!(cookie.contains("Path=/"));
}

#[test]
fn delete_asks_then_deletes() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let id = package_id(&mut b, &plan, "10.2.4");
    let (page, token) = b.get_form(&format!("/work-packages/{id}/delete"));
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("Are you sure you want to delete work package 10.2.4?")
    );
    let res = b.post(
        &format!("/work-packages/{id}/delete"),
        &[("csrf_token", &token)],
    );
    assert_eq!(res.status, 303);
    let location = res.header("location").unwrap().to_string();
    assert_eq!(location, format!("/plans/{plan}?deleted=10.2.4"));
    let overview = b.get(&location);
    assert!(
        overview
            .body
            .contains("Work package 10.2.4 has been deleted.")
    );
    assert!(overview.body.contains("Showing 1–16 of 16"));
    assert_eq!(b.get(&format!("/work-packages/{id}")).status, 404);
}

#[test]
fn create_a_package() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let (form, token) = b.get_form(&format!("/plans/{plan}/work-packages/new"));
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Add a work package"));
    let section = option_value(&form.body, "10.5 Organisation");
    let res = b.post(
        &format!("/plans/{plan}/work-packages/new"),
        &[
            ("csrf_token", &token),
            ("section_id", &section),
            ("number", "2"),
            ("title", "Review sourcing of ICT support"),
            ("delivery", "Q3 2007"),
            ("influences", "3.1.1"),
            ("status", "proposed"),
            ("rag", ""),
            ("progress", "0"),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let page = b.get(res.header("location").unwrap());
    assert!(page.body.contains("The work package has been created."));
    assert!(page.body.contains("10.5.2"));
    // A clashing number is a field error, not a 500.
    let (_, token) = b.get_form(&format!("/plans/{plan}/work-packages/new"));
    let res = b.post(
        &format!("/plans/{plan}/work-packages/new"),
        &[
            ("csrf_token", &token),
            ("section_id", &section),
            ("number", "2"),
            ("title", "Again"),
        ],
    );
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("There is a problem"));
    // Left blank, the number is the next one in the section.
    let (form, token) = b.get_form(&format!("/plans/{plan}/work-packages/new"));
    assert!(
        form.body
            .contains("Leave blank for the next number in the section")
    );
    let res = b.post(
        &format!("/plans/{plan}/work-packages/new"),
        &[
            ("csrf_token", &token),
            ("section_id", &section),
            ("number", ""),
            ("title", "Numbered for me"),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let page = b.get(res.header("location").unwrap());
    assert!(page.body.contains("10.5.3"), "{}", page.body);
}

#[test]
fn dependencies_can_be_added_seen_both_ways_and_removed() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let first = package_id(&mut b, &plan, "10.1.1");
    let second = package_id(&mut b, &plan, "10.2.1");
    let (page, token) = b.get_form(&format!("/work-packages/{second}"));
    assert!(
        page.body.contains("name=\"predecessor_id\""),
        "a small plan offers a select"
    );
    let res = b.post(
        &format!("/work-packages/{second}/dependencies"),
        &[("csrf_token", &token), ("predecessor_id", &first)],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let page = b.get(&format!("/work-packages/{second}"));
    let depends = after(&page.body, "<h3>Depends on</h3>").unwrap();
    let depends = &depends[..depends.find("<h3>Needed by</h3>").unwrap()];
    assert!(depends.contains("10.1.1 Application review"));
    let page = b.get(&format!("/work-packages/{first}"));
    let needed = after(&page.body, "<h3>Needed by</h3>").unwrap();
    assert!(needed.contains("10.2.1 Finalise CYPS governance arrangements"));

    // A cycle is refused with a message.
    let res = b.post(
        &format!("/work-packages/{first}/dependencies"),
        &[("csrf_token", &token), ("predecessor_id", &second)],
    );
    assert_eq!(res.status, 422);
    assert!(res.body.contains("There is a problem"));
    // By reference text.
    let res = b.post(
        &format!("/work-packages/{first}/dependencies"),
        &[("csrf_token", &token), ("predecessor", "9.9.9")],
    );
    assert_eq!(res.status, 422);
    assert!(res.body.contains("There is no work package 9.9.9"));
    let third = package_id(&mut b, &plan, "10.5.1");
    let res = b.post(
        &format!("/work-packages/{third}/dependencies"),
        &[("csrf_token", &token), ("predecessor", "#6.1")],
    );
    assert_eq!(res.status, 303, "{}", res.body);

    // Remove.
    let page = b.get(&format!("/work-packages/{second}"));
    let action = after(
        &page.body,
        &format!("action=\"/work-packages/{second}/dependencies/"),
    )
    .unwrap();
    let dep = common::digits(action);
    // The remove button's form carries the dependency's version.
    let version = common::version_of(action).unwrap();
    let res = b.post(
        &format!("/work-packages/{second}/dependencies/{dep}/delete"),
        &[("csrf_token", &token), ("version", &version)],
    );
    assert_eq!(res.status, 303);
    let page = b.get(&format!("/work-packages/{second}"));
    assert!(page.body.contains("depends on no other"));
}

#[test]
fn influences_register_and_matrix() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let res = b.get(&format!("/plans/{plan}/influences"));
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Traceability matrix"));
    assert!(res.body.contains("10.1.1 addresses 3.1.1"));
    assert!(res.body.contains("Influences no work package addresses"));
    assert!(
        res.body
            .contains("Every work package addresses at least one key influence.")
    );
    let res = b.get(&format!("/plans/{plan}/influences/3.3.1"));
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Application review"));
    assert!(
        res.body
            .contains("Make sure systems have access to integrated data")
    );
    assert!(!res.body.contains("Workforce."));
    assert_eq!(
        b.get(&format!("/plans/{plan}/influences/9.9.9")).status,
        404
    );
}

#[test]
fn related_items_and_what_depends_on_them() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let res = b.get(&format!("/plans/{plan}/related-items"));
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Corporate ICT Strategy"));
    let item = common::digits(
        after(&res.body, "href=\"/related-items/")
            .and_then(|_| {
                let i = res.body.find(">Corporate ICT Strategy</a>")?;
                let start = res.body[..i].rfind("/related-items/")? + "/related-items/".len();
                Some(&res.body[start..])
            })
            .unwrap(),
    );
    let (page, token) = b.get_form(&format!("/related-items/{item}"));
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("What depends on the Corporate ICT Strategy?")
    );
    assert!(page.body.contains("Application review"));
    let res = b.post(
        &format!("/related-items/{item}"),
        &[("csrf_token", &token), ("name", ""), ("kind", "strategy")],
    );
    assert_eq!(res.status, 422);
    assert!(res.body.contains("href=\"#name\""));
    let res = b.post(
        &format!("/related-items/{item}"),
        &[
            ("csrf_token", &token),
            ("name", "Corporate ICT Strategy 2007"),
            ("kind", "strategy"),
        ],
    );
    assert_eq!(res.status, 303);
    let page = b.get(res.header("location").unwrap());
    assert!(
        page.body
            .contains("What depends on the Corporate ICT Strategy 2007?")
    );
    assert!(page.body.contains("Related item: Strategy"));
    assert_eq!(
        b.get(&format!("/plans/{plan}/related-items?kind=planet"))
            .status,
        400
    );
}

#[test]
fn priorities_page_lists_the_priority_programmes() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let res = b.get(&format!("/plans/{plan}/priorities"));
    assert_eq!(res.status, 200);
    assert!(res.body.contains("ISA"));
    assert!(res.body.contains("Child Concern Pathway"));
    assert!(res.body.contains("aria-current=\"page\">Priorities"));
}

#[test]
fn unknown_things_are_404_pages() {
    let server = start();
    let mut b = Browser::new(&server);
    for path in [
        "/work-packages/999999",
        "/plans/999999",
        "/related-items/999999",
        "/no-such-page",
        "/work-packages/999999/edit",
    ] {
        let res = b.get(path);
        assert_eq!(res.status, 404, "{path}");
        assert!(res.body.contains("Page not found"), "{path}");
        assert!(res.body.contains("<html lang=\"en-GB\">"));
    }
    let res = b.get("/work-packages/abc");
    assert_eq!(res.status, 400);
    assert!(res.header("content-type").unwrap().starts_with("text/html"));
    assert!(res.body.contains("There is a problem with the request"));
}

#[test]
fn stylesheet_is_served_with_caching() {
    let server = start();
    let res = request(server.addr, "GET", "/assets/waymark.css", None, None);
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("text/css"));
    assert!(res.header("cache-control").unwrap().contains("max-age"));
    assert!(res.body.contains("@media print"));
    assert!(res.header("set-cookie").is_none());
}

#[test]
fn timeline_draws_quarters_sections_and_dependencies() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let first = package_id(&mut b, &plan, "10.1.1");
    let second = package_id(&mut b, &plan, "10.2.3");
    let (_, token) = b.get_form(&format!("/work-packages/{second}"));
    let res = b.post(
        &format!("/work-packages/{second}/dependencies"),
        &[("csrf_token", &token), ("predecessor_id", &first)],
    );
    assert_eq!(res.status, 303);

    let res = b.get(&format!("/plans/{plan}/timeline"));
    assert_eq!(res.status, 200);
    let body = &res.body;
    assert!(body.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(body.contains("role=\"img\" aria-labelledby=\"timeline-title timeline-desc\""));
    for q in ["Q4 2006", "Q1 2007", "Q4 2007"] {
        assert!(body.contains(&format!(">{q}</text>")), "{q}");
    }
    assert!(body.contains(">10.1 Core business systems</text>"));
    assert!(body.contains("Section 6 (no heading)"));
    assert_eq!(body.matches("marker-end=\"url(#wm-arrow)\"").count(), 1);
    assert!(body.contains("class=\"timeline-scroll\" tabindex=\"0\" role=\"region\" aria-label="));
    assert!(body.contains("The timeline as a table"));
    assert!(body.contains("Showing 17 work packages."));
    assert!(body.contains("aria-current=\"page\">Timeline"));
    assert!(!body.contains(" style=\""));

    let res = b.get(&format!("/plans/{plan}/timeline?status=delivered"));
    assert_eq!(res.status, 200);
    assert!(
        res.body
            .contains("No work package shown has a delivery quarter")
    );
    assert_eq!(
        b.get(&format!("/plans/{plan}/timeline?status=soon")).status,
        400
    );
}

/// The id in the first `href="{prefix}..."` after `marker`.
fn id_after(body: &str, marker: &str, prefix: &str) -> String {
    let rest = after(body, marker).unwrap_or_else(|| panic!("{marker} not in the page"));
    common::digits(after(rest, &format!("href=\"{prefix}")).unwrap())
}

#[test]
fn programmes_can_be_added_changed_and_deleted() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let path = format!("/plans/{plan}/priorities");
    let (page, token) = b.get_form(&path);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<h2>Add a programme</h2>"));
    assert!(page.body.contains("This is one of the group's priorities"));

    // Add one as a priority.
    let res = b.post(
        &path,
        &[
            ("csrf_token", &token),
            ("name", "Integrated Children's System"),
            ("priority", "yes"),
            ("description", "Case records for social care."),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let location = res.header("location").unwrap().to_string();
    assert!(location.starts_with(&format!("{path}?programme=1#programme-")));
    let page = b.get(&location);
    assert!(page.body.contains("The programme has been added."));
    let heading =
        "Integrated Children&#39;s System <strong class=\"tag tag--priority\">Priority</strong>";
    assert!(page.body.contains(heading), "listed as a priority");
    assert!(page.body.contains("Case records for social care."));
    let id = id_after(&page.body, heading, "/programmes/");

    // Change it: no longer a priority, a new name.
    let (form, token) = b.get_form(&format!("/programmes/{id}/edit"));
    assert_eq!(form.status, 200);
    assert!(
        form.body
            .contains("value=\"Integrated Children&#39;s System\"")
    );
    assert!(
        form.body
            .contains("value=\"yes\" aria-describedby=\"priority-hint\" checked")
    );
    assert!(
        form.body
            .contains(&format!("href=\"/programmes/{id}/delete\""))
    );
    let res = b.post(
        &format!("/programmes/{id}/edit"),
        &[
            ("csrf_token", &token),
            ("name", "ICS"),
            ("description", "Case records."),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let page = b.get(res.header("location").unwrap());
    assert!(page.body.contains("Your changes have been saved."));
    assert!(
        page.body
            .contains(&format!("<h3 id=\"programme-{id}-heading\">ICS</h3>"))
    );

    // Delete it, after a confirmation saying the packages stay.
    let (confirm, token) = b.get_form(&format!("/programmes/{id}/delete"));
    assert_eq!(confirm.status, 200);
    assert!(
        confirm
            .body
            .contains("Are you sure you want to delete the programme ICS?")
    );
    assert!(confirm.body.contains("does not delete them"));
    let res = b.post(
        &format!("/programmes/{id}/delete"),
        &[("csrf_token", &token)],
    );
    assert_eq!(res.status, 303);
    let page = b.get(res.header("location").unwrap());
    assert!(page.body.contains("The programme has been deleted."));
    assert!(!page.body.contains(">ICS</h3>"));
    assert_eq!(b.get(&format!("/programmes/{id}/edit")).status, 404);
}

#[test]
fn deleting_a_programme_keeps_its_packages() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let page = b.get(&format!("/plans/{plan}/priorities"));
    let id = id_after(&page.body, ">ISA ", "/programmes/");
    let (_, token) = b.get_form(&format!("/programmes/{id}/delete"));
    let res = b.post(
        &format!("/programmes/{id}/delete"),
        &[("csrf_token", &token)],
    );
    assert_eq!(res.status, 303);
    let overview = b.get(&format!("/plans/{plan}"));
    assert!(overview.body.contains("Showing 1–17 of 17"));
}

#[test]
fn programme_forms_refuse_wrong_values_with_422() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let path = format!("/plans/{plan}/priorities");
    let (page, token) = b.get_form(&path);
    let id = id_after(&page.body, ">ISA ", "/programmes/");
    let res = b.post(
        &path,
        &[
            ("csrf_token", &token),
            ("name", ""),
            ("priority", "yes"),
            ("description", "Kept <text>"),
        ],
    );
    assert_eq!(res.status, 422);
    assert!(res.body.contains("There is a problem"));
    assert!(
        res.body
            .contains("href=\"#name\">Enter the programme&#39;s name")
    );
    assert!(res.body.contains("id=\"name-error\""));
    assert!(
        res.body.contains("Kept &#60;text&#62;</textarea>"),
        "typed text kept"
    );
    assert!(
        res.body
            .contains("aria-describedby=\"priority-hint\" checked")
    );
    assert!(res.body.contains("<title>Error: "));

    let long = "x".repeat(201);
    let res = b.post(
        &format!("/programmes/{id}/edit"),
        &[("csrf_token", &token), ("name", &long)],
    );
    assert_eq!(res.status, 422);
    assert!(
        res.body
            .contains("href=\"#name\">The name must be 200 characters or fewer")
    );
    assert!(res.body.contains(&format!("value=\"{long}\"")));
    // Nothing changed.
    let page = b.get(&path);
    assert!(page.body.contains(">ISA <strong"));
}

#[test]
fn programme_posts_without_a_csrf_token_are_refused() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let path = format!("/plans/{plan}/priorities");
    let page = b.get(&path);
    let id = id_after(&page.body, ">ISA ", "/programmes/");
    for target in [
        path.clone(),
        format!("/programmes/{id}/edit"),
        format!("/programmes/{id}/delete"),
    ] {
        let res = b.post(&target, &[("name", "Sneaky")]);
        assert_offered_again(&res);
    }
    let page = b.get(&path);
    assert!(page.body.contains(">ISA <strong"));
    assert!(!page.body.contains("Sneaky"));
}

#[test]
fn an_influence_can_be_named_and_described() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let path = format!("/plans/{plan}/influences/3.1.1");
    let (page, token) = b.get_form(&path);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Name and describe this influence"));
    assert!(page.body.contains("<h1>3.1.1</h1>"), "unnamed in the seed");
    let res = b.post(
        &path,
        &[
            ("csrf_token", &token),
            ("title", "Every Child Matters"),
            ("description", "Outcomes for children and young people."),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.header("location"), Some(&*format!("{path}?saved=1")));
    let page = b.get(&format!("{path}?saved=1"));
    assert!(page.body.contains("Your changes have been saved."));
    assert!(page.body.contains("<h1>3.1.1 Every Child Matters</h1>"));
    assert!(
        page.body
            .contains("Outcomes for children and young people.")
    );
    let register = b.get(&format!("/plans/{plan}/influences"));
    assert!(register.body.contains("Every Child Matters"));
}

#[test]
fn influence_form_refuses_a_long_title_with_422_and_needs_a_token() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let path = format!("/plans/{plan}/influences/3.1.1");
    let (_, token) = b.get_form(&path);
    let long = "t".repeat(301);
    let res = b.post(
        &path,
        &[
            ("csrf_token", &token),
            ("title", &long),
            ("description", "Kept <text>"),
        ],
    );
    assert_eq!(res.status, 422);
    assert!(res.body.contains("There is a problem"));
    assert!(
        res.body
            .contains("href=\"#title\">The title must be 300 characters or fewer")
    );
    assert!(res.body.contains("id=\"title-error\""));
    assert!(res.body.contains(&format!("value=\"{long}\"")));
    assert!(res.body.contains("Kept &#60;text&#62;</textarea>"));
    assert!(res.body.contains("<title>Error: "));

    let res = b.post(&path, &[("title", "Sneaky")]);
    assert_offered_again(&res);
    let page = b.get(&path);
    assert!(page.body.contains("<h1>3.1.1</h1>"), "nothing saved");
}

#[test]
fn plan_settings_round_trip_from_the_overview() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let overview = b.get(&format!("/plans/{plan}"));
    assert!(overview.body.contains(&format!(
        "<a href=\"/plans/{plan}/settings\">Plan settings</a>"
    )));
    let path = format!("/plans/{plan}/settings");
    let (form, token) = b.get_form(&path);
    assert_eq!(form.status, 200);
    assert!(
        form.body
            .contains("value=\"CYPS ICT strategy action plan\"")
    );
    assert!(
        form.body
            .contains("name=\"quarter_convention\" value=\"calendar\" checked")
    );
    let res = b.post(
        &path,
        &[
            ("csrf_token", &token),
            ("title", "CYPS ICT action plan 2007"),
            ("organisation", "Children and Young People's Services"),
            ("period", "2007 to 2010"),
            ("introduction", "First paragraph.\n\nSecond paragraph."),
            ("quarter_convention", "financial"),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        res.header("location"),
        Some(&*format!("/plans/{plan}?saved=1"))
    );
    let page = b.get(&format!("/plans/{plan}?saved=1"));
    assert!(page.body.contains("Your changes have been saved."));
    assert!(page.body.contains("<h1>CYPS ICT action plan 2007</h1>"));
    assert!(
        page.body
            .contains("Children and Young People&#39;s Services, 2007 to 2010")
    );
    assert!(
        page.body
            .contains("<p class=\"lead\">Second paragraph.</p>")
    );
    let form = b.get(&path);
    assert!(
        form.body
            .contains("name=\"quarter_convention\" value=\"financial\" checked")
    );
}

#[test]
fn plan_settings_refuse_a_missing_or_taken_title_with_422_and_need_a_token() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let path = format!("/plans/{plan}/settings");
    let (_, token) = b.get_form(&path);
    let res = b.post(
        &path,
        &[
            ("csrf_token", &token),
            ("title", ""),
            ("organisation", "Kept <org>"),
            ("quarter_convention", "lunar"),
        ],
    );
    assert_eq!(res.status, 422);
    assert!(res.body.contains("There is a problem"));
    assert!(
        res.body
            .contains("href=\"#title\">Enter the plan&#39;s title")
    );
    assert!(
        res.body
            .contains("href=\"#quarter_convention\">Choose calendar quarters")
    );
    assert!(res.body.contains("value=\"Kept &#60;org&#62;\""));
    assert!(res.body.contains("<title>Error: "));

    // A second plan's title is taken.
    let store = waymark_store::open(server.dir.join("waymark.db").to_str().unwrap()).unwrap();
    let other = waymark_core::import::import(
        b"10 Other\n10.1 Something\n",
        waymark_core::import::Format::PlanText,
        &waymark_core::import::ImportOptions {
            default_title: Some("Another plan".into()),
            allow_empty: true,
            ..Default::default()
        },
    )
    .unwrap();
    store
        .import_plan(
            &other.plan,
            waymark_store::OnExisting::Refuse,
            &waymark_store::Actor::Cli {
                user: String::new(),
            },
        )
        .unwrap();
    let res = b.post(
        &path,
        &[
            ("csrf_token", &token),
            ("title", "Another plan"),
            ("quarter_convention", "calendar"),
        ],
    );
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(
        res.body
            .contains("href=\"#title\">Another plan has this title")
    );
    assert!(res.body.contains("value=\"Another plan\""));

    let res = b.post(
        &path,
        &[("title", "Sneaky"), ("quarter_convention", "calendar")],
    );
    assert_offered_again(&res);
    let page = b.get(&format!("/plans/{plan}"));
    assert!(
        page.body.contains("<h1>CYPS ICT strategy action plan</h1>"),
        "nothing saved"
    );
}

/// Every form field loses its bidirectional controls, as API bodies and
/// imported files do: a plan title with U+202E is stored without it.
#[test]
fn bidirectional_controls_are_removed_from_every_form() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let path = format!("/plans/{plan}/settings");
    let (_, token) = b.get_form(&path);
    let res = b.post(
        &path,
        &[
            ("csrf_token", &token),
            ("title", "CYPS \u{202E}nalp\u{202C} 2007"),
            ("organisation", "\u{2067}CYPS\u{2069}"),
            ("period", "2007 to 2010"),
            ("introduction", "Intro."),
            ("quarter_convention", "calendar"),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let page = b.get(&format!("/plans/{plan}"));
    assert!(
        page.body.contains("<h1>CYPS nalp 2007</h1>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains('\u{202E}') && !page.body.contains('\u{2067}'));
}

/// The id in `/prefix/{id}` of the link whose text is `label`.
fn link_id(body: &str, prefix: &str, label: &str) -> String {
    let i = body
        .find(&format!(">{label}</a>"))
        .unwrap_or_else(|| panic!("no link {label}"));
    let start = body[..i].rfind(prefix).unwrap() + prefix.len();
    common::digits(&body[start..])
}

#[test]
fn sections_are_added_renamed_moved_and_deleted_only_when_empty() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    assert!(
        b.get(&format!("/plans/{plan}"))
            .body
            .contains(&format!("href=\"/plans/{plan}/sections\""))
    );
    let (page, token) = b.get_form(&format!("/plans/{plan}/sections"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("10.2 Governance"));
    // Add: a wrong number is a 422 with the typed values kept.
    let res = b.post(
        &format!("/plans/{plan}/sections"),
        &[
            ("csrf_token", &token),
            ("number", "ten"),
            ("title", "Partnerships"),
        ],
    );
    assert_eq!(res.status, 422);
    assert!(res.body.contains("There is a problem") && res.body.contains("href=\"#number\""));
    assert!(res.body.contains("value=\"Partnerships\""));
    let res = b.post(
        &format!("/plans/{plan}/sections"),
        &[
            ("csrf_token", &token),
            ("number", "10.7"),
            ("title", "Partnerships"),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let list = b.get(res.header("location").unwrap());
    assert!(list.body.contains("The section has been added."));
    assert!(list.body.contains("10.7 Partnerships"));

    // Rename 10.2 to 11: its packages' references follow.
    let governance = {
        let i = list.body.find(">10.2 Governance</th>").unwrap();
        common::digits(after(&list.body[i..], "href=\"/sections/").unwrap())
    };
    let (form, token) = b.get_form(&format!("/sections/{governance}/edit"));
    assert!(form.body.contains("value=\"10.2\""));
    let res = b.post(
        &format!("/sections/{governance}/edit"),
        &[
            ("csrf_token", &token),
            ("number", "10.1"),
            ("title", "Governance"),
        ],
    );
    assert_eq!(res.status, 422, "a taken number");
    assert!(res.body.contains("section 10.1 already exists"));
    let res = b.post(
        &format!("/sections/{governance}/edit"),
        &[
            ("csrf_token", &token),
            ("number", "11"),
            ("title", "Governance"),
        ],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(b.get(&format!("/plans/{plan}")).body.contains(">11.4</td>"));

    // Move it down one place.
    let res = b.post(
        &format!("/sections/{governance}/move"),
        &[("csrf_token", &token), ("direction", "down")],
    );
    assert_eq!(res.status, 303);
    let list = b.get(res.header("location").unwrap());
    assert!(list.body.contains("The section has been moved."));
    let order: Vec<usize> = ["10.3 Integration strategy", "11 Governance"]
        .iter()
        .map(|l| list.body.find(&format!(">{l}</th>")).unwrap())
        .collect();
    assert!(order[0] < order[1]);

    // A section with packages cannot be deleted: the page says how many.
    let refused = b.get(&format!("/sections/{governance}/delete"));
    assert!(refused.body.contains("holds 4 work packages"));
    assert!(!refused.body.contains("Yes, delete"));
    // (Posted anyway, with the section's version: the store refuses.)
    let version = common::version_of(&b.get(&format!("/sections/{governance}/edit")).body).unwrap();
    let res = b.post(
        &format!("/sections/{governance}/delete"),
        &[("csrf_token", &token), ("version", &version)],
    );
    assert_eq!(res.status, 409);
    assert!(res.body.contains("still holds 4 work packages"));
    // The new, empty one can.
    let partnerships = {
        let i = list.body.find(">10.7 Partnerships</th>").unwrap();
        common::digits(after(&list.body[i..], "href=\"/sections/").unwrap())
    };
    let (confirm, token) = b.get_form(&format!("/sections/{partnerships}/delete"));
    assert!(
        confirm
            .body
            .contains("Are you sure you want to delete section 10.7 Partnerships?")
    );
    let res = b.post(
        &format!("/sections/{partnerships}/delete"),
        &[("csrf_token", &token)],
    );
    assert_eq!(res.status, 303);
    let list = b.get(res.header("location").unwrap());
    assert!(list.body.contains("The section has been deleted."));
    assert!(!list.body.contains("10.7 Partnerships"));
}

#[test]
fn influences_are_merged_and_deleted_only_when_unused() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let page = b.get(&format!("/plans/{plan}/influences/3.2.1"));
    assert!(
        page.body
            .contains(&format!("href=\"/plans/{plan}/influences/3.2.1/merge\""))
    );
    let refused = b.get(&format!("/plans/{plan}/influences/3.2.1/delete"));
    assert!(
        refused.body.contains("1 work package addresses it"),
        "{}",
        refused.body
    );
    let (merge, token) = b.get_form(&format!("/plans/{plan}/influences/3.2.1/merge"));
    assert!(merge.body.contains("This cannot be undone."));
    let res = b.post(
        &format!("/plans/{plan}/influences/3.2.1/merge"),
        &[("csrf_token", &token), ("into", "three")],
    );
    assert_eq!(res.status, 422);
    assert!(res.body.contains("href=\"#into\"") && res.body.contains("value=\"three\""));
    let res = b.post(
        &format!("/plans/{plan}/influences/3.2.1/merge"),
        &[("csrf_token", &token), ("into", "3.2.9")],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let target = b.get(res.header("location").unwrap());
    assert!(
        target
            .body
            .contains("Merged: every work package now links here.")
    );
    assert!(target.body.contains("1 work package addresses"));
    assert_eq!(
        b.get(&format!("/plans/{plan}/influences/3.2.1")).status,
        404
    );

    // Unused once its package moves on: then it can be deleted.
    let wp = package_id(&mut b, &plan, "10.4.1");
    let wp_page = b.get(&format!("/work-packages/{wp}"));
    assert!(wp_page.body.contains("3.2.9"));
    common::send_careful(
        server.addr,
        "PATCH",
        &format!("/api/v1/work-packages/{wp}"),
        &[("Content-Type", "application/json")],
        Some(r#"{"influences":"3.1.1"}"#),
    );
    let (confirm, token) = b.get_form(&format!("/plans/{plan}/influences/3.2.9/delete"));
    assert!(
        confirm
            .body
            .contains("Are you sure you want to delete key influence 3.2.9?")
    );
    let res = b.post(
        &format!("/plans/{plan}/influences/3.2.9/delete"),
        &[("csrf_token", &token)],
    );
    assert_eq!(res.status, 303);
    let register = b.get(res.header("location").unwrap());
    assert!(
        register
            .body
            .contains("The key influence has been deleted.")
    );
}

#[test]
fn related_items_are_merged_and_deleted_only_when_unused() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let register = b.get(&format!("/plans/{plan}/related-items"));
    let im = link_id(&register.body, "/related-items/", "IM Strategy");
    let full = link_id(
        &register.body,
        "/related-items/",
        "Information Management Strategy",
    );
    // Renaming to the other's name says to merge.
    let (_, token) = b.get_form(&format!("/related-items/{im}"));
    let res = b.post(
        &format!("/related-items/{im}"),
        &[
            ("csrf_token", &token),
            ("name", "Information Management Strategy"),
            ("kind", "strategy"),
        ],
    );
    assert_eq!(res.status, 422);
    assert!(res.body.contains("use merge"));

    let refused = b.get(&format!("/related-items/{im}/delete"));
    assert!(refused.body.contains("1 work package relates to it"));
    let (merge, token) = b.get_form(&format!("/related-items/{im}/merge"));
    assert!(merge.body.contains(&format!("<option value=\"{full}\"")));
    assert!(
        !merge.body.contains(&format!("<option value=\"{im}\"")),
        "not into itself"
    );
    let res = b.post(
        &format!("/related-items/{im}/merge"),
        &[("csrf_token", &token), ("into", "")],
    );
    assert_eq!(res.status, 422);
    let res = b.post(
        &format!("/related-items/{im}/merge"),
        &[("csrf_token", &token), ("into", &full)],
    );
    assert_eq!(res.status, 303, "{}", res.body);
    let target = b.get(res.header("location").unwrap());
    assert!(
        target
            .body
            .contains("Merged: every work package now links here.")
    );
    assert!(target.body.contains("2 work packages relate"));
    assert_eq!(b.get(&format!("/related-items/{im}")).status, 404);

    // An item no package relates to can be deleted.
    let wp = package_id(&mut b, &plan, "10.4.3");
    common::send_careful(
        server.addr,
        "PATCH",
        &format!("/api/v1/work-packages/{wp}"),
        &[("Content-Type", "application/json")],
        Some(r#"{"relationships":"Corporate ICT Strategy."}"#),
    );
    let cds = link_id(
        &b.get(&format!("/plans/{plan}/related-items")).body,
        "/related-items/",
        "Customer Data Strategy",
    );
    let (confirm, token) = b.get_form(&format!("/related-items/{cds}/delete"));
    assert!(
        confirm
            .body
            .contains("Are you sure you want to delete Customer Data Strategy?")
    );
    let res = b.post(
        &format!("/related-items/{cds}/delete"),
        &[("csrf_token", &token)],
    );
    assert_eq!(res.status, 303);
    let register = b.get(res.header("location").unwrap());
    assert!(register.body.contains("The related item has been deleted."));
    assert!(!register.body.contains(">Customer Data Strategy</a>"));
}

#[test]
fn the_overview_opens_with_the_plan_at_a_glance() {
    let server = start();
    let mut b = Browser::new(&server);
    let plan = plan_id(&mut b);
    let body = b.get(&format!("/plans/{plan}")).body;
    let glance =
        after(&body, "<h2 id=\"dashboard-heading\">At a glance</h2>").expect("the dashboard");
    assert!(glance.contains("<span class=\"figure__number\">17</span> <span class=\"figure__label\">work packages</span>"));
    assert!(glance.contains("Work packages by status"));
    assert!(glance.contains("Work packages by RAG"));
    assert!(glance.contains(&format!("href=\"/plans/{plan}?overdue=true\"")));
    assert!(glance.contains("<h3 id=\"overdue-heading\">Overdue</h3>"));
    assert!(glance.contains("Due next quarter ("));
    assert!(glance.contains("with no progress note for 3 months"));
    assert!(glance.contains(&format!("href=\"/plans/{plan}?no_recent_note=true\"")));
    // Each status links to the list of its packages.
    assert!(glance.contains(&format!("href=\"/plans/{plan}?status=approved\"")));

    // The overdue filter: the list and the form say so.
    let res = b.get(&format!("/plans/{plan}?overdue=true"));
    assert_eq!(res.status, 200);
    assert!(
        !res.body.contains("At a glance"),
        "a filtered list is about its packages"
    );
    assert!(
        res.body
            .contains("<option value=\"true\" selected>Overdue only</option>"),
        "the filter keeps its choice"
    );
    let bad = b.get(&format!("/plans/{plan}?overdue=soon"));
    assert_eq!(bad.status, 400);
    assert!(
        bad.body.contains("id=\"overdue-error\""),
        "the error beside the field"
    );
    assert!(bad.body.contains("The overdue filter is not valid"));
}
