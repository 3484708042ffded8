//! Every route × every role, against the real server and the written route
//! table (`waymark-core/tests/fixtures/access/routes.table`).
//!
//! Each routed method and path must be in the table (and each table entry
//! routed). Then every route is called as a visitor who has not signed in
//! and as each role (through an API token), and the answer must be what the
//! table's access and `waymark_core::access` say: refused as 401 (the API)
//! or a redirect to the sign-in page (pages) when signing in could help,
//! 403 when the role does not allow it, and anything else when it does.
//! Allowed writes are sent so that they change nothing (a stale `If-Match`,
//! an empty body, no form token): this suite checks who gets past the door,
//! the other suites what happens inside.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Response, Server, get_json, plan_of};
use serde_json::Value;
use waymark_core::access::{Caller, Context, Decision, Method, Role, RouteTable};

fn table() -> RouteTable {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../waymark-core/tests/fixtures/access/routes.table"
    );
    let text = std::fs::read_to_string(path).unwrap();
    RouteTable::parse(&text).unwrap_or_else(|e| panic!("routes.table:\n{e}"))
}

fn method(name: &str) -> Method {
    match name {
        "GET" | "ANY" => Method::Get,
        "POST" => Method::Post,
        "PATCH" => Method::Patch,
        "DELETE" => Method::Delete,
        "PUT" => Method::Put,
        other => panic!("unknown method {other}"),
    }
}

#[test]
fn every_route_is_in_the_table_and_every_entry_is_routed() {
    let table = table();
    let routed = waymark_web::route_list();
    assert!(routed.len() > 50, "the router lists its routes");
    let mut missing = Vec::new();
    for (m, path) in &routed {
        if table.get(method(m), path).is_none() {
            missing.push(format!("{m} {path}"));
        }
    }
    assert!(
        missing.is_empty(),
        "routed but not in routes.table (write each there with what it needs):\n{}",
        missing.join("\n")
    );
    let mut unrouted = Vec::new();
    for entry in table.entries() {
        let found = routed
            .iter()
            .any(|(m, p)| *p == entry.path && method(m) == entry.method);
        if !found {
            unrouted.push(format!("{} {}", entry.method, entry.path));
        }
    }
    assert!(
        unrouted.is_empty(),
        "in routes.table but not routed:\n{}",
        unrouted.join("\n")
    );
}

/// The records the routes' paths name.
struct Ids {
    plan: i64,
    package: i64,
    section: i64,
    related_item: i64,
    programme: i64,
    dependency: i64,
    /// A RAID item (a risk) of the plan.
    raid_item: i64,
    influence: String,
    /// The owner text of `package`.
    owner: String,
}

fn post(server: &Server, path: &str, body: &str) -> Value {
    let r = common::send(
        server.addr,
        "POST",
        path,
        &[("Content-Type", "application/json")],
        Some(body),
    );
    assert_eq!(r.status, 201, "{path}: {}", r.body);
    r.json()
}

fn ids(server: &Server) -> Ids {
    let plan = plan_of(server);
    let packages = get_json(
        server,
        &format!("/api/v1/plans/{plan}/work-packages?per_page=500"),
    );
    let items = packages["items"].as_array().unwrap();
    // The seed plan names no owners: give the first package one.
    let first_id = items[0]["id"].as_i64().unwrap();
    let owned = common::send_careful(
        server.addr,
        "PATCH",
        &format!("/api/v1/work-packages/{first_id}"),
        &[("Content-Type", "application/json")],
        Some(r#"{"owner":"Head of ICT / Head of Finance"}"#),
    );
    assert_eq!(owned.status, 200, "{}", owned.body);
    let first = &owned.json();
    let second = &items[1];
    let programme = post(
        server,
        &format!("/api/v1/plans/{plan}/programmes"),
        r#"{"name":"Access suite"}"#,
    )["id"]
        .as_i64()
        .unwrap();
    let dependency = post(
        server,
        &format!("/api/v1/plans/{plan}/dependencies"),
        &format!(
            r#"{{"predecessor_id":{},"successor_id":{}}}"#,
            first["id"], second["id"]
        ),
    )["id"]
        .as_i64()
        .unwrap();
    let raid_item = post(
        server,
        &format!("/api/v1/plans/{plan}/raid"),
        r#"{"kind":"risk","title":"Access suite risk","likelihood":2,"impact":3}"#,
    )["id"]
        .as_i64()
        .unwrap();
    Ids {
        plan,
        raid_item,
        package: first["id"].as_i64().unwrap(),
        section: first["section_id"].as_i64().unwrap(),
        related_item: get_json(server, &format!("/api/v1/plans/{plan}/related-items"))["items"][0]
            ["id"]
            .as_i64()
            .unwrap(),
        programme,
        dependency,
        influence:
            get_json(server, &format!("/api/v1/plans/{plan}/influences"))["items"][0]["code"]
                .as_str()
                .unwrap()
                .to_string(),
        owner: first["owner"].as_str().unwrap().to_string(),
    }
}

/// The first name an owner text holds, as written.
fn first_owner_name(owner: &str) -> String {
    owner
        .split(waymark_core::access::OWNER_SEPARATORS)
        .map(str::trim)
        .find(|n| !n.is_empty())
        .unwrap()
        .to_string()
}

/// A route's pattern with real ids in it.
fn concrete(pattern: &str, ids: &Ids) -> String {
    let id = if pattern.contains("/plans/{id}") {
        ids.plan
    } else if pattern.contains("/work-packages/{id}") {
        ids.package
    } else if pattern.contains("/sections/{id}") {
        ids.section
    } else if pattern.contains("/related-items/{id}") {
        ids.related_item
    } else if pattern.contains("/programmes/{id}") {
        ids.programme
    } else if pattern.contains("/dependencies/{id}") {
        ids.dependency
    } else if pattern.contains("/raid/{id}") {
        ids.raid_item
    } else {
        0
    };
    pattern
        .replace("{id}", &id.to_string())
        .replace("{code}", &ids.influence)
        .replace("{dependency}", &ids.dependency.to_string())
        .replace("{baseline_id}", "0")
        .replace("{*rest}", "nothing-here")
}

/// What a caller got, as the suite classes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Got {
    SignInFirst,
    Forbidden,
    Through,
}

fn classify(api: bool, r: &Response) -> Got {
    match r.status {
        401 if api => {
            assert!(
                r.header("content-type")
                    .is_some_and(|c| c.starts_with("application/problem+json")),
                "a 401 is a problem document: {}",
                r.body
            );
            Got::SignInFirst
        }
        303 if !api
            && r.header("location")
                .is_some_and(|l| l.starts_with("/sign-in")) =>
        {
            Got::SignInFirst
        }
        403 if api && r.body.contains("/problems/forbidden") => Got::Forbidden,
        403 if !api && r.body.contains("You cannot do this") => Got::Forbidden,
        401 | 403 => panic!("a refusal of the wrong kind ({}): {}", r.status, r.body),
        _ => Got::Through,
    }
}

/// A request that the route's handler would refuse or ignore once past the
/// access check: a stale version, an empty body, a form without its token.
fn call(server: &Server, m: &str, path: &str, token: Option<&str>) -> Response {
    let api = path.starts_with("/api");
    let bearer = token.map(|t| format!("Bearer {t}"));
    let mut headers: Vec<(&str, &str)> = Vec::new();
    if let Some(b) = &bearer {
        headers.push(("Authorization", b));
    }
    let method = if m == "ANY" { "GET" } else { m };
    let body = match method {
        "GET" | "DELETE" => None,
        _ if api => {
            headers.push(("Content-Type", "application/json"));
            Some("{}")
        }
        _ => {
            headers.push(("Content-Type", "application/x-www-form-urlencoded"));
            Some("nothing=1")
        }
    };
    if api && matches!(method, "PATCH" | "DELETE") {
        headers.push(("If-Match", "\"0\""));
    }
    common::send_anonymous(server.addr, method, path, &headers, body)
}

#[test]
fn every_route_answers_each_role_as_the_table_says() {
    let server = common::start();
    let ids = ids(&server);
    let owner_name = first_owner_name(&ids.owner);
    let mut tokens: Vec<(Option<Role>, Option<String>)> = vec![(None, None)];
    for role in Role::ALL {
        if role == Role::Admin {
            tokens.push((Some(role), Some(server.token.clone())));
            continue;
        }
        let email = format!("{role}@example.org");
        let account = if role == Role::Contributor {
            server.account_owning(&email, role, "a password for tests", &[&owner_name])
        } else {
            server.account(&email, role, "a password for tests")
        };
        tokens.push((Some(role), Some(server.token_for(account))));
    }
    let owner_names: Vec<waymark_core::access::OwnerName> = vec![owner_name.parse().unwrap()];
    let table = table();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (m, pattern) in waymark_web::route_list() {
        let entry = table.get(method(m), pattern).unwrap();
        let path = concrete(pattern, &ids);
        let api = path.starts_with("/api");
        for (role, token) in &tokens {
            let caller = match role {
                None => Caller::Anonymous,
                Some(role) => Caller::SignedIn {
                    role: *role,
                    owner_names: if *role == Role::Contributor {
                        &owner_names
                    } else {
                        &[]
                    },
                },
            };
            let ctx = Context {
                anonymous_read: false,
                package_owner: Some(&ids.owner),
            };
            let expected = match entry.access.decide(&caller, &ctx) {
                Decision::Allow => Got::Through,
                Decision::SignInRequired => Got::SignInFirst,
                Decision::Forbidden(_) => Got::Forbidden,
            };
            let r = call(&server, m, &path, token.as_deref());
            let got = classify(api, &r);
            checked += 1;
            if got != expected {
                wrong.push(format!(
                    "{m} {path} as {}: expected {expected:?}, got {got:?} ({}: {})",
                    role.map_or("visitor".to_string(), |r| r.to_string()),
                    r.status,
                    r.body.chars().take(200).collect::<String>()
                ));
            }
        }
    }
    assert!(checked > 300, "{checked} checks");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Allowed writes changed nothing: the programme and dependency are there.
    get_json(&server, &format!("/api/v1/programmes/{}", ids.programme));
    let deps = get_json(&server, &format!("/api/v1/plans/{}/dependencies", ids.plan));
    assert_eq!(deps["items"].as_array().unwrap().len(), 1);
}

#[test]
fn a_contributor_changes_only_the_packages_they_own() {
    let server = common::start();
    let ids = ids(&server);
    let owner_name = first_owner_name(&ids.owner);
    let account = server.account_owning(
        "owner@example.org",
        Role::Contributor,
        "a password for tests",
        &[&owner_name],
    );
    let token = server.token_for(account);
    let bearer = format!("Bearer {token}");
    // A package with another owner.
    let list = get_json(
        &server,
        &format!("/api/v1/plans/{}/work-packages?per_page=500", ids.plan),
    );
    let other = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"].as_i64() != Some(ids.package))
        .expect("a package someone else owns")
        .clone();
    let other = get_json(&server, &format!("/api/v1/work-packages/{}", other["id"]));
    let patch = |id: i64| {
        let path = format!("/api/v1/work-packages/{id}");
        let tag = common::send(server.addr, "GET", &path, &[], None)
            .header("etag")
            .unwrap()
            .to_string();
        common::send_anonymous(
            server.addr,
            "PATCH",
            &path,
            &[
                ("Authorization", &bearer),
                ("Content-Type", "application/json"),
                ("If-Match", &tag),
            ],
            Some(r#"{"comments":"Changed by its owner"}"#),
        )
    };
    let own = patch(ids.package);
    assert_eq!(own.status, 200, "{}", own.body);
    let refused = patch(other["id"].as_i64().unwrap());
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused.body.contains("only the work packages you own"),
        "{}",
        refused.body
    );
    let after = get_json(&server, &format!("/api/v1/work-packages/{}", other["id"]));
    assert_eq!(after["comments"], other["comments"], "nothing was written");
    // The history names who made the change.
    let history = get_json(
        &server,
        &format!("/api/v1/work-packages/{}/history", ids.package),
    );
    assert!(
        history.to_string().contains("contributor of the tests"),
        "{history}"
    );
}

#[test]
fn visitors_read_when_anonymous_reading_is_on_and_never_write() {
    let server = common::start_with(waymark_web::AccessSettings {
        anonymous_read: true,
        ..Default::default()
    });
    let plans = common::send_anonymous(server.addr, "GET", "/api/v1/plans", &[], None);
    assert_eq!(plans.status, 200, "{}", plans.body);
    let page = common::send_anonymous(server.addr, "GET", "/", &[], None);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Sign in"),
        "the header offers signing in"
    );
    let plan = plans.json()["items"][0]["id"].as_i64().unwrap();
    let write = common::send_anonymous(
        server.addr,
        "POST",
        &format!("/api/v1/plans/{plan}/programmes"),
        &[("Content-Type", "application/json")],
        Some(r#"{"name":"Not allowed"}"#),
    );
    assert_eq!(write.status, 401, "{}", write.body);
    let audit = common::send_anonymous(server.addr, "GET", "/api/v1/audit", &[], None);
    assert_eq!(audit.status, 401, "the audit trail is not for visitors");
}

#[test]
fn a_token_that_is_not_valid_is_refused_not_ignored() {
    let server = common::start_with(waymark_web::AccessSettings {
        anonymous_read: true,
        ..Default::default()
    });
    for auth in [
        "Bearer wmk_0000",
        "Bearer ",
        "Basic YWRtaW46YWRtaW4=",
        "wmk_abc",
    ] {
        let r = common::send_anonymous(
            server.addr,
            "GET",
            "/api/v1/plans",
            &[("Authorization", auth)],
            None,
        );
        assert_eq!(r.status, 401, "{auth}: {}", r.body);
        assert!(
            r.header("www-authenticate")
                .is_some_and(|h| h.starts_with("Bearer"))
        );
    }
}

#[test]
fn pages_offer_only_the_changes_the_caller_may_make() {
    let server = common::start();
    let ids = ids(&server);
    let owner_name = first_owner_name(&ids.owner);
    server.account("viewer@example.org", Role::Viewer, "a password for tests");
    server.account_owning(
        "owner@example.org",
        Role::Contributor,
        "a password for tests",
        &[&owner_name],
    );
    let page = format!("/work-packages/{}", ids.package);
    let overview = format!("/plans/{}", ids.plan);
    let mut viewer = common::Browser::anonymous(&server);
    viewer.sign_in("viewer@example.org", "a password for tests");
    let body = viewer.get(&page).body;
    assert!(
        !body.contains("/edit\" class=\"button\""),
        "no Edit for a viewer"
    );
    assert!(!body.contains("/dependencies\" class=\"panel"));
    assert!(!viewer.get(&overview).body.contains("Add a work package"));
    let mut owner = common::Browser::anonymous(&server);
    owner.sign_in("owner@example.org", "a password for tests");
    let body = owner.get(&page).body;
    assert!(
        body.contains("/edit\" class=\"button\""),
        "Edit for its owner"
    );
    assert!(
        !body.contains("button--warning\">Delete"),
        "no Delete for a contributor"
    );
    assert_eq!(owner.get(&format!("{page}/edit")).status, 200);
    let mut admin = common::Browser::new(&server);
    let body = admin.get(&page).body;
    assert!(body.contains("/edit\" class=\"button\""));
    assert!(body.contains("button--warning\">Delete"));
    assert!(admin.get(&overview).body.contains("Add a work package"));
}
