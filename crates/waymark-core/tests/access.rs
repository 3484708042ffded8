//! The route table's reader and the rules, by fixture: `fixtures/access/
//! routes.table` (the routes as they stand) gives the allow/deny matrix in
//! `routes.expected.txt`; `bad.table` gives the report in `bad.report.txt`.
//! Regenerate with `UPDATE_EXPECT=1 cargo test -p waymark-core --test access`
//! and review the diff.

mod common;

use common::{expect, fixtures, read};
use waymark_core::access::{Caller, Context, Decision, OwnerName, Role, RouteTable};

/// Who the matrix asks for, in its column order.
const LEGEND: &str = "\
# What each caller gets on each route:
#   + allowed   ? sign in first (401, or the sign-in page)   - forbidden (403)
# Columns: not signed in with anonymous reading off, and on; viewer;
# contributor on a package they own, and on someone else's; manager;
# approver; admin.
";

fn cell(decision: Decision) -> char {
    match decision {
        Decision::Allow => '+',
        Decision::SignInRequired => '?',
        Decision::Forbidden(_) => '-',
    }
}

fn matrix(table: &RouteTable) -> String {
    let owner_names: Vec<OwnerName> = ["Head of ICT"]
        .iter()
        .filter_map(|n| n.parse().ok())
        .collect();
    let owned = Some("Head of Finance / Head of ICT");
    let others = Some("Head of Finance");
    let member = |role| Caller::SignedIn {
        role,
        owner_names: &owner_names,
    };
    let callers = [
        (Caller::Anonymous, false, owned),
        (Caller::Anonymous, true, owned),
        (member(Role::Viewer), false, owned),
        (member(Role::Contributor), false, owned),
        (member(Role::Contributor), false, others),
        (member(Role::Manager), false, others),
        (member(Role::Approver), false, others),
        (member(Role::Admin), false, others),
    ];
    let width = table
        .entries()
        .iter()
        .map(|e| e.method.as_str().len() + 1 + e.path.len())
        .max()
        .unwrap_or(0);
    let mut out = String::from(LEGEND);
    for entry in table.entries() {
        let route = format!("{} {}", entry.method, entry.path);
        let cells: Vec<String> = callers
            .iter()
            .map(|(caller, anonymous_read, package_owner)| {
                let ctx = Context {
                    anonymous_read: *anonymous_read,
                    package_owner: *package_owner,
                };
                cell(entry.access.decide(caller, &ctx)).to_string()
            })
            .collect();
        out.push_str(&format!(
            "{route:width$}  {:17}  {}\n",
            entry.access.to_string(),
            cells.join(" ")
        ));
    }
    out
}

#[test]
fn the_routes_as_they_stand() {
    let dir = fixtures().join("access");
    let table = RouteTable::parse(&read(&dir.join("routes.table")))
        .unwrap_or_else(|e| panic!("routes.table:\n{e}"));
    expect(&dir.join("routes.expected.txt"), &matrix(&table));
}

#[test]
fn every_bad_line_is_reported_with_line_and_column() {
    let dir = fixtures().join("access");
    let report = match RouteTable::parse(&read(&dir.join("bad.table"))) {
        Ok(table) => panic!("bad.table was read: {table:?}"),
        Err(errors) => format!("{errors}\n"),
    };
    expect(&dir.join("bad.report.txt"), &report);
}

#[test]
fn a_route_is_found_by_method_and_pattern() {
    use waymark_core::access::{Access, Action, Method};
    let table = RouteTable::parse(
        "GET /work-packages/{id} read\nPATCH /work-packages/{id} edit-work-package\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let patch = table.get(Method::Patch, "/work-packages/{id}");
    assert_eq!(
        patch.map(|e| (e.access, e.line)),
        Some((Access::Action(Action::EditWorkPackage), 2))
    );
    assert!(table.get(Method::Delete, "/work-packages/{id}").is_none());
    assert!(table.get(Method::Get, "/work-packages/1").is_none());
}
