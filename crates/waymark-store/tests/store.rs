//! The SQLite store against real database files: what goes in comes back out,
//! imports are all or nothing, filters find what they should.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use waymark_core::import::{Format, ImportOptions, import};
use waymark_core::{Dependency, Plan, Rag, Status, WorkPackageRef};
use waymark_store::{
    OnExisting, PlanId, PlanStore, SortKey, StoreError, WorkPackageInput, WorkPackageQuery,
};

const SEED: &[u8] = include_bytes!("../../waymark-core/tests/fixtures/seed.txt");

fn fresh_store() -> Arc<dyn PlanStore> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "waymark-store-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    waymark_store::open(dir.join("test.db").to_str().unwrap()).unwrap()
}

fn seed() -> Plan {
    import(
        SEED,
        Format::PlanText,
        &ImportOptions {
            default_title: Some("CYPS plan".into()),
            ..Default::default()
        },
    )
    .unwrap()
    .plan
}

fn seeded() -> (Arc<dyn PlanStore>, PlanId) {
    let store = fresh_store();
    let id = store.import_plan(&seed(), OnExisting::Refuse).unwrap();
    (store, id)
}

fn query() -> WorkPackageQuery {
    WorkPackageQuery {
        page: 1,
        per_page: 100,
        ..Default::default()
    }
}

#[test]
fn a_stored_plan_loads_back_unchanged() {
    let (store, id) = seeded();
    assert_eq!(store.load_plan(id).unwrap(), seed());
}

#[test]
fn an_edited_plan_loads_back_unchanged() {
    let mut plan = seed();
    let wp = &mut plan.sections[3].work_packages[2];
    wp.owner = "Head of ICT".into();
    wp.status = Status::InProgress;
    wp.rag = Some(Rag::Amber);
    wp.progress = waymark_core::Progress::new(40).unwrap();
    wp.actual_delivery = Some("2007-11-30".parse().unwrap());
    plan.dependencies.push(Dependency {
        predecessor: WorkPackageRef("10.2.1".into()),
        successor: WorkPackageRef("10.2.2".into()),
    });
    plan.programmes[0]
        .work_packages
        .push(WorkPackageRef("#6.1".into()));
    plan.influences[0].title = "Every Child Matters".into();
    let store = fresh_store();
    let id = store.import_plan(&plan, OnExisting::Refuse).unwrap();
    assert_eq!(store.load_plan(id).unwrap(), plan);
}

#[test]
fn importing_the_same_plan_twice_is_refused_or_replaces() {
    let (store, id) = seeded();
    let err = store.import_plan(&seed(), OnExisting::Refuse).unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { field: "title", .. }),
        "{err}"
    );
    assert!(err.to_string().contains("--replace"));
    assert_eq!(store.list_plans().unwrap().len(), 1);
    let again = store.import_plan(&seed(), OnExisting::Replace).unwrap();
    assert_eq!(again, id, "replacing keeps the plan's id");
    assert_eq!(store.plan(id).unwrap().work_package_count, 17);
}

#[test]
fn a_failing_import_stores_nothing() {
    let store = fresh_store();
    let mut plan = seed();
    plan.dependencies.push(Dependency {
        predecessor: WorkPackageRef("99.1".into()),
        successor: WorkPackageRef("10.1.1".into()),
    });
    assert!(store.import_plan(&plan, OnExisting::Refuse).is_err());
    assert!(store.list_plans().unwrap().is_empty());
    // And a failed replace leaves the old plan in place.
    let id = store.import_plan(&seed(), OnExisting::Refuse).unwrap();
    assert!(store.import_plan(&plan, OnExisting::Replace).is_err());
    assert_eq!(store.load_plan(id).unwrap(), seed());
}

/// A dry run refuses what the import refuses and changes nothing either way.
#[test]
fn a_checked_import_refuses_what_the_import_refuses_and_stores_nothing() {
    let store = fresh_store();
    let mut twice = seed();
    let copy = twice.sections[0].clone();
    twice.sections.push(copy);
    let err = store.check_import(&twice, OnExisting::Refuse).unwrap_err();
    assert!(err.to_string().contains("appears twice"), "{err}");
    assert!(store.import_plan(&twice, OnExisting::Refuse).is_err());
    store.check_import(&seed(), OnExisting::Refuse).unwrap();
    assert!(store.list_plans().unwrap().is_empty());

    let id = store.import_plan(&seed(), OnExisting::Refuse).unwrap();
    let err = store.check_import(&seed(), OnExisting::Refuse).unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { field: "title", .. }),
        "{err}"
    );
    let mut edited = seed();
    edited.sections[0].work_packages[0].title = "Changed".into();
    store.check_import(&edited, OnExisting::Replace).unwrap();
    assert_eq!(store.list_plans().unwrap().len(), 1);
    assert_eq!(store.load_plan(id).unwrap(), seed());
}

#[test]
fn filters_find_the_right_packages() {
    let (store, id) = seeded();
    let refs = |q: WorkPackageQuery| -> Vec<String> {
        store
            .list_work_packages(id, &q)
            .unwrap()
            .items
            .into_iter()
            .map(|w| w.reference)
            .collect()
    };
    let sections = store.sections(id).unwrap();
    assert_eq!(sections.len(), 6);
    assert_eq!(sections[5].label, "Section 6 (no heading)");
    assert_eq!(
        refs(WorkPackageQuery {
            section: Some(sections[1].id),
            ..query()
        }),
        ["10.2.1", "10.2.2", "10.2.3", "10.2.4"]
    );
    assert_eq!(
        refs(WorkPackageQuery {
            quarter: Some("Q4 2007".parse().unwrap()),
            ..query()
        }),
        ["10.4.3", "10.4.5"]
    );
    assert_eq!(
        refs(WorkPackageQuery {
            influence: Some("3.2.1".parse().unwrap()),
            ..query()
        }),
        ["10.4.1"]
    );
    assert_eq!(
        refs(WorkPackageQuery {
            text: Some("single sign".parse().unwrap()),
            ..query()
        }),
        ["10.4.3"]
    );
    assert_eq!(
        refs(WorkPackageQuery {
            text: Some("caldic".parse().unwrap()),
            ..query()
        }),
        ["10.2.3"]
    );
    let wfs = store
        .related_items(id)
        .unwrap()
        .into_iter()
        .find(|r| r.name == "www.wfs")
        .unwrap();
    assert_eq!(
        refs(WorkPackageQuery {
            related_item: Some(wfs.id),
            ..query()
        }),
        ["10.3.2", "10.3.4"]
    );
    let ecaf = store
        .programmes(id)
        .unwrap()
        .into_iter()
        .find(|p| p.name == "e-CAF")
        .unwrap();
    assert_eq!(
        refs(WorkPackageQuery {
            programme: Some(ecaf.id),
            ..query()
        }),
        ["10.3.1"]
    );
    assert!(
        refs(WorkPackageQuery {
            status: Some(Status::Delivered),
            ..query()
        })
        .is_empty()
    );
    let page = store
        .list_work_packages(
            id,
            &WorkPackageQuery {
                per_page: 5,
                page: 4,
                ..query()
            },
        )
        .unwrap();
    assert_eq!(
        (page.total, page.items.len(), page.page_count()),
        (17, 2, 4)
    );
    let by_delivery = refs(WorkPackageQuery {
        sort: SortKey::Delivery,
        per_page: 3,
        ..query()
    });
    assert_eq!(by_delivery, ["10.1.1", "10.2.1", "10.2.2"]);
}

fn input_from(store: &dyn PlanStore, id: waymark_store::WorkPackageId) -> WorkPackageInput {
    let d = store.work_package(id).unwrap();
    WorkPackageInput {
        section_id: d.row.section_id,
        number: Some(d.row.number),
        title: d.row.title,
        scope: d.scope,
        relationships: d.relationships,
        delivery: d.row.delivery,
        comments: d.comments,
        influences: d.influences,
        related_items: Some(d.related_items.into_iter().map(|r| r.name).collect()),
        owner: d.row.owner,
        status: d.row.status,
        rag: d.row.rag,
        progress: d.row.progress,
        actual_delivery: d.actual_delivery,
        programmes: None,
    }
}

#[test]
fn packages_are_created_updated_and_deleted() {
    let (store, plan) = seeded();
    let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
    let mut input = input_from(store.as_ref(), first);
    input.owner = "Head of ICT".into();
    input.status = Status::InProgress;
    input.influences = vec!["3.9.9".parse().unwrap()];
    store.update_work_package(first, &input).unwrap();
    let d = store.work_package(first).unwrap();
    assert_eq!(
        (d.row.owner.as_str(), d.row.status),
        ("Head of ICT", Status::InProgress)
    );
    assert!(
        store
            .influences(plan)
            .unwrap()
            .iter()
            .any(|i| i.code.as_str() == "3.9.9"),
        "new codes join the register"
    );

    // A clashing number names the field and changes nothing.
    let mut clash = input.clone();
    clash.number = Some("2".into());
    let err = store.create_work_package(plan, &clash).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                field: "number",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(store.plan(plan).unwrap().work_package_count, 17);

    let mut new = input.clone();
    new.number = Some("3".into());
    new.title = "Rationalise licences".into();
    let created = store.create_work_package(plan, &new).unwrap();
    assert_eq!(store.work_package(created).unwrap().row.reference, "10.1.3");
    store.delete_work_package(created).unwrap();
    assert!(matches!(
        store.work_package(created),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn dependencies_refuse_cycles() {
    let (store, plan) = seeded();
    let items = store.list_work_packages(plan, &query()).unwrap().items;
    let (a, b, c) = (items[0].id, items[1].id, items[2].id);
    store.add_dependency(a, b).unwrap();
    store.add_dependency(b, c).unwrap();
    let err = store.add_dependency(c, a).unwrap_err();
    assert!(err.to_string().contains("cycle"), "{err}");
    assert!(matches!(
        store.add_dependency(a, b),
        Err(StoreError::Conflict { .. })
    ));
    assert!(matches!(
        store.add_dependency(a, a),
        Err(StoreError::Invalid { .. })
    ));
    let d = store.work_package(b).unwrap();
    assert_eq!((d.depends_on.len(), d.dependents.len()), (1, 1));
    assert_eq!(store.dependencies(plan).unwrap().len(), 2);
    store
        .delete_dependency(d.depends_on[0].dependency_id)
        .unwrap();
    assert_eq!(store.dependencies(plan).unwrap().len(), 1);
}

#[test]
fn registers_count_their_packages() {
    let (store, plan) = seeded();
    let influences = store.influences(plan).unwrap();
    assert_eq!(influences.len(), 11);
    assert_eq!(
        influences.iter().map(|i| i.work_package_count).sum::<u64>(),
        44
    );
    let t = store.traceability(plan, 1, 100).unwrap();
    assert_eq!(t.packages.items.len(), 17);
    assert!(t.packages_without_influence.is_empty());
    let strategy = store
        .related_items(plan)
        .unwrap()
        .into_iter()
        .find(|r| r.name == "Corporate ICT Strategy")
        .unwrap();
    let (_, _, packages) = store.related_item(strategy.id).unwrap();
    assert_eq!(packages.len() as u64, strategy.work_package_count);
    assert!(packages.len() >= 10);
}

#[test]
fn search_and_counts_follow_every_change() {
    let (store, plan) = seeded();
    let search = |text: &str| -> Vec<String> {
        let q = WorkPackageQuery {
            text: Some(text.parse().unwrap()),
            ..query()
        };
        store
            .list_work_packages(plan, &q)
            .unwrap()
            .items
            .into_iter()
            .map(|w| w.reference)
            .collect()
    };
    assert_eq!(store.plan(plan).unwrap().work_package_count, 17);
    let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
    let mut input = input_from(store.as_ref(), first);
    input.owner = "Harriet Quigley".into();
    store.update_work_package(first, &input).unwrap();
    assert_eq!(search("quigley"), ["10.1.1"]);
    assert!(
        search("checklist").contains(&"10.1.1".to_string()),
        "unchanged text still found"
    );
    input.number = Some("9".into());
    input.title = "Licence audit".into();
    let created = store.create_work_package(plan, &input).unwrap();
    assert_eq!(search("licence"), ["10.1.9"]);
    assert_eq!(
        store.plan(plan).unwrap().work_package_count,
        18,
        "cached counts follow writes"
    );
    assert_eq!(store.list_work_packages(plan, &query()).unwrap().total, 18);
    store.delete_work_package(created).unwrap();
    assert!(search("licence").is_empty());
    assert_eq!(store.list_work_packages(plan, &query()).unwrap().total, 17);
    // Replacing the plan leaves no stale search entries behind.
    store.import_plan(&seed(), OnExisting::Replace).unwrap();
    assert!(search("quigley").is_empty());
    assert_eq!(search("checklist"), ["10.1.1", "10.3.1"]);
    let options = store.filter_options(plan).unwrap();
    assert_eq!(
        (
            options.sections.len(),
            options.influences.len(),
            options.programmes.len()
        ),
        (6, 11, 3)
    );
    store.delete_plan(plan).unwrap();
    assert!(matches!(store.plan(plan), Err(StoreError::NotFound { .. })));
}

#[test]
fn a_package_without_a_number_gets_the_next_free_one_in_its_section() {
    let (store, plan) = seeded();
    let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
    let mut input = input_from(store.as_ref(), first);
    input.title = "Rationalise licences".into();
    input.number = None;
    let created = store.create_work_package(plan, &input).unwrap();
    let row = store.work_package(created).unwrap().row;
    assert_eq!(
        (row.number.as_str(), row.reference.as_str()),
        ("3", "10.1.3")
    );

    // Numbers that are not whole numbers do not count; the largest that is does.
    input.number = Some("7a".into());
    store.create_work_package(plan, &input).unwrap();
    input.number = Some("40".into());
    store.create_work_package(plan, &input).unwrap();
    input.number = None;
    let next = store.create_work_package(plan, &input).unwrap();
    assert_eq!(store.work_package(next).unwrap().row.number, "41");

    // An update without a number keeps the package's number.
    store.update_work_package(next, &input).unwrap();
    assert_eq!(store.work_package(next).unwrap().row.reference, "10.1.41");
}

#[test]
fn the_next_number_never_overflows() {
    let (store, plan) = seeded();
    let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
    let mut input = input_from(store.as_ref(), first);
    input.number = Some(u64::MAX.to_string());
    store.create_work_package(plan, &input).unwrap();
    input.number = None;
    let err = store.create_work_package(plan, &input).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Invalid {
                field: "number",
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("give the work package a number"),
        "{err}"
    );
    // A whole number too large for any counter is refused the same way.
    input.number = Some("99999999999999999999999".into());
    store.create_work_package(plan, &input).unwrap();
    input.number = None;
    assert!(matches!(
        store.create_work_package(plan, &input),
        Err(StoreError::Invalid {
            field: "number",
            ..
        })
    ));
    assert_eq!(store.plan(plan).unwrap().work_package_count, 19);
}

#[test]
fn references_and_codes_are_searched_as_phrases() {
    let (store, plan) = seeded();
    let search = |text: &str| -> Vec<String> {
        let q = WorkPackageQuery {
            text: Some(text.parse().unwrap()),
            ..query()
        };
        store
            .list_work_packages(plan, &q)
            .unwrap()
            .items
            .into_iter()
            .map(|w| w.reference)
            .collect()
    };
    // The seed's texts never mention 3.1.1 (it is only an influence code).
    assert_eq!(search("3.1.1"), Vec::<String>::new());
    let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
    let mut input = input_from(store.as_ref(), first);
    input.comments = "Waits for 3.1.1 and 13.1.10.".into();
    store.update_work_package(first, &input).unwrap();
    assert_eq!(search("3.1.1"), ["10.1.1"]);
    assert_eq!(search("13.1"), ["10.1.1"]);
    assert_eq!(
        search("3.1.10"),
        Vec::<String>::new(),
        "whole words: 13.1.10 is not 3.1.10"
    );
    // A reference finds its package, not one with the same digits reordered.
    assert_eq!(search("10.4.3"), ["10.4.3"]);
    assert_eq!(search("10.3.4"), ["10.3.4"]);
    assert_eq!(search("#6.1"), ["#6.1"]);
    // Words stay word prefixes, and codes mix with words.
    assert_eq!(search("waits 3.1.1"), ["10.1.1"]);
    assert_eq!(search("single sign"), ["10.4.3"]);
}
