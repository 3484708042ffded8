//! The store suite: what goes in comes back out, imports are all or nothing,
//! filters find what they should, every rule refuses what it must. Every
//! method of `PlanStore` is exercised here. The suite is written once
//! (`store_suite!`) and run for each backend over a constructor of fresh
//! stores: a new backend is proved by adding one line at the bottom.
//! Tests of one backend's own machinery (SQLite's migrations, two stores on
//! one file, database URLs) follow the suite in that backend's module.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use waymark_core::RelatedKind;
use waymark_core::access::Role;
use waymark_core::import::{Format, ImportOptions, import};
use waymark_core::{Dependency, Plan, PlanStatus, Rag, Status, WorkPackageRef};
use waymark_store::{
    AccountChange, AccountId, Actor, AuditFilter, NewAccount, OnExisting, PlanId, PlanInput,
    PlanStore, ProgrammeId, ProgrammeInput, SectionChange, SectionMove, SessionPolicy, SortKey,
    SsoPerson, StoreError, TokenId, Verdict, WorkPackageInput, WorkPackageQuery,
};

const SEED: &[u8] = waymark_demo::CYPS_PLAN;

/// Who the tests' writes are by.
const BY: &Actor = &Actor::Cli {
    user: String::new(),
};

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

fn query() -> WorkPackageQuery {
    WorkPackageQuery {
        page: 1,
        per_page: 100,
        ..Default::default()
    }
}

/// Every test of the suite, for the backend whose fresh, empty stores
/// `$new` makes.
macro_rules! store_suite {
    ($new:expr) => {
        fn fresh_store() -> Arc<dyn PlanStore> {
            $new
        }

        fn seeded() -> (Arc<dyn PlanStore>, PlanId) {
            let store = fresh_store();
            let id = store.import_plan(&seed(), OnExisting::Refuse, BY).unwrap();
            (store, id)
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
            wp.progress_note = "Supplier chosen;\nthe contract is with legal.".into();
            wp.delivery_as_written = "End of March 2008".into();
            plan.dependencies.push(Dependency {
                predecessor: WorkPackageRef("10.2.1".into()),
                successor: WorkPackageRef("10.2.2".into()),
            });
            plan.programmes[0]
                .work_packages
                .push(WorkPackageRef("#6.1".into()));
            plan.influences[0].title = "Every Child Matters".into();
            let store = fresh_store();
            let id = store.import_plan(&plan, OnExisting::Refuse, BY).unwrap();
            assert_eq!(store.load_plan(id).unwrap(), plan);
        }

        #[test]
        fn importing_the_same_plan_twice_is_refused_or_replaces() {
            let (store, id) = seeded();
            let err = store
                .import_plan(&seed(), OnExisting::Refuse, BY)
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Conflict { field: "title", .. }),
                "{err}"
            );
            assert!(err.to_string().contains("--replace"));
            assert_eq!(store.list_plans().unwrap().len(), 1);
            let again = store.import_plan(&seed(), OnExisting::Replace, BY).unwrap();
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
            assert!(store.import_plan(&plan, OnExisting::Refuse, BY).is_err());
            assert!(store.list_plans().unwrap().is_empty());
            // And a failed replace leaves the old plan in place.
            let id = store.import_plan(&seed(), OnExisting::Refuse, BY).unwrap();
            assert!(store.import_plan(&plan, OnExisting::Replace, BY).is_err());
            assert_eq!(store.load_plan(id).unwrap(), seed());
        }

        /// The packages of a plan by reference.
        fn by_reference(
            store: &dyn PlanStore,
            plan: PlanId,
        ) -> std::collections::HashMap<String, waymark_store::WorkPackageRow> {
            store
                .list_work_packages(plan, &query())
                .unwrap()
                .items
                .into_iter()
                .map(|row| (row.reference.clone(), row))
                .collect()
        }

        /// Next year's version of the seed: one package retitled and
        /// delivered, one new in a section the plan has, one in a new
        /// section, one gone.
        fn next_year() -> Plan {
            let mut plan = seed();
            let wp = &mut plan.sections[0].work_packages[0];
            wp.title = "Review of applications (second year)".into();
            wp.status = Status::Delivered;
            wp.progress = waymark_core::Progress::new(100).unwrap();
            plan.sections[0]
                .work_packages
                .push(waymark_core::WorkPackage::new("99", "A new package"));
            plan.sections.push(waymark_core::Section {
                number: Some("10.9".into()),
                title: Some("New section".into()),
                work_packages: vec![waymark_core::WorkPackage::new("1", "First of its kind")],
            });
            let gone = plan
                .sections
                .iter_mut()
                .find(|s| s.number.as_deref() == Some("10.3"))
                .unwrap();
            gone.work_packages.remove(0);
            plan
        }

        #[test]
        fn a_plan_updated_from_a_newer_file_keeps_ids_and_links() {
            let (store, id) = seeded();
            let before = by_reference(store.as_ref(), id);
            let first = before["10.1.1"].id;
            let dep = store
                .add_dependency(first, before["10.1.2"].id, BY)
                .unwrap();
            let dry = waymark_store::UpdateOptions {
                dry_run: true,
                ..Default::default()
            };
            let cmp = store.update_from_file(id, &next_year(), &dry, BY).unwrap();
            let added: Vec<&str> = cmp.added.iter().map(|p| p.reference.as_str()).collect();
            assert_eq!(added, vec!["10.1.99", "10.9.1"]);
            let changed: Vec<&str> = cmp.changed.iter().map(|p| p.reference.as_str()).collect();
            assert_eq!(changed, vec!["10.1.1"]);
            let fields: Vec<&str> = cmp.changed[0].fields.iter().map(|f| f.field).collect();
            assert_eq!(fields, vec!["title", "status", "progress"]);
            assert_eq!(cmp.missing.len(), 1);
            assert_eq!(cmp.missing[0].reference.as_str(), "10.3.1");
            assert_eq!(cmp.unchanged, 15);
            assert_eq!(
                by_reference(store.as_ref(), id).len(),
                17,
                "a dry run stores nothing"
            );

            let applied = store
                .update_from_file(id, &next_year(), &Default::default(), BY)
                .unwrap();
            assert_eq!(applied, cmp);
            let after = by_reference(store.as_ref(), id);
            assert_eq!(after.len(), 19, "the missing package stays unless asked");
            assert_eq!(after["10.1.1"].id, first, "a matched package keeps its id");
            assert_eq!(after["10.1.1"].title, "Review of applications (second year)");
            assert_eq!(after["10.1.1"].status, Status::Delivered);
            assert!(after.contains_key("10.9.1") && after.contains_key("10.3.1"));
            let deps = store.dependencies(id).unwrap();
            assert!(deps.iter().any(|d| d.id == dep), "its dependency survives");
            let entries = store
                .audit_entries(
                    &AuditFilter {
                        entity_kind: Some("work_package".into()),
                        entity_id: Some(first.to_string()),
                        ..Default::default()
                    },
                    10,
                )
                .unwrap();
            assert_eq!(entries[0].entry.event.action.as_str(), "update");

            // The same file again changes nothing; ticking removal removes.
            let again = store
                .update_from_file(id, &next_year(), &dry, BY)
                .unwrap();
            assert!(again.is_empty(), "{}", again.report());
            let remove = waymark_store::UpdateOptions {
                remove_missing: true,
                ..Default::default()
            };
            store.update_from_file(id, &next_year(), &remove, BY).unwrap();
            let after = by_reference(store.as_ref(), id);
            assert_eq!(after.len(), 18);
            assert!(!after.contains_key("10.3.1"));
        }

        #[test]
        fn an_update_of_a_plan_changed_since_its_preview_is_refused_whole() {
            let (store, id) = seeded();
            let dry = waymark_store::UpdateOptions {
                dry_run: true,
                ..Default::default()
            };
            let seen = store
                .update_from_file(id, &next_year(), &dry, BY)
                .unwrap()
                .fingerprint();
            // Someone retitles a package the file also changes.
            let mut edited = seed();
            edited.sections[0].work_packages[0].title = "Retitled meanwhile".into();
            let meanwhile = waymark_store::UpdateOptions::default();
            store.update_from_file(id, &edited, &meanwhile, BY).unwrap();
            let stale = waymark_store::UpdateOptions {
                expected: Some(seen),
                ..Default::default()
            };
            let err = store
                .update_from_file(id, &next_year(), &stale, BY)
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Conflict { field: "plan", .. }),
                "{err}"
            );
            let now = by_reference(store.as_ref(), id);
            assert_eq!(now.len(), 17, "nothing of the refused update is stored");
            assert_eq!(now["10.1.1"].title, "Retitled meanwhile");
            // A file naming a package twice is refused, and so is a plan
            // that is not there.
            let mut twice = seed();
            let copy = twice.sections[0].work_packages[0].clone();
            twice.sections[0].work_packages.push(copy);
            let err = store
                .update_from_file(id, &twice, &Default::default(), BY)
                .unwrap_err();
            assert!(err.to_string().contains("appears twice"), "{err}");
            let err = store
                .update_from_file(PlanId(id.0 + 100), &seed(), &Default::default(), BY)
                .unwrap_err();
            assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
        }

        /// A dry run refuses what the import refuses and changes nothing either way.
        #[test]
        fn a_checked_import_refuses_what_the_import_refuses_and_stores_nothing() {
            let store = fresh_store();
            let mut twice = seed();
            let copy = twice.sections[0].clone();
            twice.sections.push(copy);
            let err = store
                .check_import(&twice, OnExisting::Refuse, BY)
                .unwrap_err();
            assert!(err.to_string().contains("appears twice"), "{err}");
            assert!(store.import_plan(&twice, OnExisting::Refuse, BY).is_err());
            store.check_import(&seed(), OnExisting::Refuse, BY).unwrap();
            assert!(store.list_plans().unwrap().is_empty());

            let id = store.import_plan(&seed(), OnExisting::Refuse, BY).unwrap();
            let err = store
                .check_import(&seed(), OnExisting::Refuse, BY)
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Conflict { field: "title", .. }),
                "{err}"
            );
            let mut edited = seed();
            edited.sections[0].work_packages[0].title = "Changed".into();
            store
                .check_import(&edited, OnExisting::Replace, BY)
                .unwrap();
            assert_eq!(store.list_plans().unwrap().len(), 1);
            assert_eq!(store.load_plan(id).unwrap(), seed());
        }

        #[test]
        fn the_dashboard_counts_the_plan_and_follows_its_writes() {
            let (store, id) = seeded();
            let today: waymark_core::Date = "2007-11-15".parse().unwrap();
            let this: waymark_core::Quarter = "Q4 2007".parse().unwrap();
            let next: waymark_core::Quarter = "Q1 2008".parse().unwrap();
            let packages = store.list_work_packages(id, &query()).unwrap().items;
            let overdue: Vec<String> = packages
                .iter()
                .filter(|w| w.status.is_open())
                .filter(|w| w.delivery.iter().map(|d| d.quarter).max().is_some_and(|q| q < this))
                .map(|w| w.reference.clone())
                .collect();
            let due_next = packages
                .iter()
                .filter(|w| w.delivery.iter().any(|d| d.quarter == next))
                .count() as u64;
            assert!(overdue.len() > 1, "the seed has overdue packages on {today}");

            let d = store.dashboard(id, today).unwrap();
            assert_eq!((d.this_quarter, d.next_quarter), (this, next));
            assert_eq!(d.total, packages.len() as u64);
            assert_eq!(d.by_status.len(), Status::ALL.len());
            assert_eq!(d.by_status.iter().map(|(_, n)| n).sum::<u64>(), d.total);
            for (status, n) in &d.by_status {
                let want = packages.iter().filter(|w| w.status == *status).count() as u64;
                assert_eq!(*n, want, "{status:?}");
            }
            assert_eq!(d.by_rag.iter().map(|(_, n)| n).sum::<u64>() + d.not_rated, d.total);
            assert_eq!(d.overdue.total, overdue.len() as u64);
            let listed: Vec<String> = d.overdue.items.iter().map(|w| w.reference.clone()).collect();
            let first: Vec<String> = overdue.iter().take(listed.len()).cloned().collect();
            assert_eq!(listed, first, "the first overdue packages, in plan order");
            assert!(listed.len() as u32 <= waymark_store::DASHBOARD_LIST);
            assert_eq!(d.due_next.total, due_next);

            // The overdue filter is a list filter too.
            let q = WorkPackageQuery { overdue_on: Some(today), ..query() };
            let all: Vec<String> = store
                .list_work_packages(id, &q)
                .unwrap()
                .items
                .into_iter()
                .map(|w| w.reference)
                .collect();
            assert_eq!(all, overdue);

            // Cancelling an overdue package moves the counts at once.
            let first_overdue = d.overdue.items[0].id;
            let changed = store
                .change_work_package(
                    first_overdue,
                    None,
                    &mut |current| {
                        let mut input = input_of(current.clone());
                        input.status = Status::Cancelled;
                        input.rag = Some(Rag::Green);
                        Some(input)
                    },
                    BY,
                )
                .unwrap();
            assert!(changed);
            let after = store.dashboard(id, today).unwrap();
            assert_eq!(after.overdue.total, d.overdue.total - 1);
            let cancelled = |d: &waymark_store::Dashboard| {
                d.by_status.iter().find(|(s, _)| *s == Status::Cancelled).map(|(_, n)| *n)
            };
            assert_eq!(cancelled(&after), cancelled(&d).map(|n| n + 1));
            let green = |d: &waymark_store::Dashboard| d.by_rag.iter().find(|(r, _)| *r == Rag::Green).map(|(_, n)| *n);
            assert_eq!(green(&after), green(&d).map(|n| n + 1));

            // Open packages with no note since three months before: every
            // open one, until one gets a note.
            let open = packages.iter().filter(|w| w.status.is_open()).count() as u64 - 1;
            assert_eq!(after.notes_since, "2007-08-15".parse().unwrap());
            assert_eq!(after.no_recent_note.total, open);
            let noted = after.no_recent_note.items[0].id;
            let note = waymark_store::ProgressNoteInput {
                date: "2007-10-01".parse().unwrap(),
                rag: None,
                text: "On track".into(),
            };
            store.add_progress_note(noted, &note, BY).unwrap();
            let old = waymark_store::ProgressNoteInput { date: "2007-01-01".parse().unwrap(), ..note };
            store.add_progress_note(after.no_recent_note.items[1].id, &old, BY).unwrap();
            let later = store.dashboard(id, today).unwrap();
            assert_eq!(later.no_recent_note.total, open - 1, "an old note is not a recent one");
            assert!(later.no_recent_note.items.iter().all(|w| w.id != noted));

            assert!(matches!(
                store.dashboard(PlanId(i64::MAX), today),
                Err(StoreError::NotFound { .. })
            ));
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
            input_of(store.work_package(id).unwrap())
        }

        fn input_of(d: waymark_store::WorkPackageDetail) -> WorkPackageInput {
            WorkPackageInput {
                section_id: d.row.section_id,
                number: Some(d.row.number),
                title: d.row.title,
                scope: d.scope,
                relationships: d.relationships,
                delivery: d.row.delivery,
                delivery_as_written: d.delivery_as_written,
                comments: d.comments,
                influences: d.influences,
                related_items: Some(d.related_items.into_iter().map(|r| r.name).collect()),
                owner: d.row.owner,
                status: d.row.status,
                rag: d.row.rag,
                progress: d.row.progress,
                progress_note: d.progress_note,
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
            input.status = Status::Approved;
            input.influences = vec!["3.9.9".parse().unwrap()];
            store.update_work_package(first, &input, BY).unwrap();
            let d = store.work_package(first).unwrap();
            assert_eq!(
                (d.row.owner.as_str(), d.row.status),
                ("Head of ICT", Status::Approved)
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
            let err = store.create_work_package(plan, &clash, BY).unwrap_err();
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
            let created = store.create_work_package(plan, &new, BY).unwrap();
            assert_eq!(store.work_package(created).unwrap().row.reference, "10.1.3");
            store.delete_work_package(created, None, BY).unwrap();
            assert!(matches!(
                store.work_package(created),
                Err(StoreError::NotFound { .. })
            ));
        }

        #[test]
        fn a_progress_note_and_delivery_as_written_are_stored_found_and_audited() {
            let (store, plan) = seeded();
            let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            let before = store.work_package(first).unwrap();
            assert_eq!(
                (before.progress_note.as_str(), before.delivery_as_written.as_str()),
                ("", "")
            );
            let mut input = input_of(before);
            input.progress_note = "Tenders back;\nthe board meets in May.".into();
            input.delivery_as_written = "Ongoing, until the heathland survey ends".into();
            store.update_work_package(first, &input, BY).unwrap();
            let d = store.work_package(first).unwrap();
            assert_eq!(
                (d.progress_note.as_str(), d.delivery_as_written.as_str()),
                (
                    "Tenders back;\nthe board meets in May.",
                    "Ongoing, until the heathland survey ends"
                )
            );
            let (_, changes) = newest(store.as_ref());
            assert!(
                changes.contains(&(
                    "progress_note".into(),
                    Some(String::new()),
                    Some("Tenders back;\nthe board meets in May.".into())
                )),
                "{changes:?}"
            );
            assert!(
                changes.contains(&(
                    "delivery_as_written".into(),
                    Some(String::new()),
                    Some("Ongoing, until the heathland survey ends".into())
                )),
                "{changes:?}"
            );
            let search = |text: &str| refs_of(store.as_ref(), plan, Some(text));
            assert_eq!(search("tenders"), ["10.1.1"]);
            assert_eq!(search("heathland"), ["10.1.1"]);
            // A new package keeps them too, and the whole plan carries them.
            input.number = Some("9".into());
            input.progress_note = "Just begun".into();
            input.delivery_as_written = String::new();
            let created = store.create_work_package(plan, &input, BY).unwrap();
            let d = store.work_package(created).unwrap();
            assert_eq!(
                (d.progress_note.as_str(), d.delivery_as_written.as_str()),
                ("Just begun", "")
            );
            let loaded = store.load_plan(plan).unwrap();
            let packages = &loaded.sections[0].work_packages;
            assert_eq!(
                (
                    packages[0].progress_note.as_str(),
                    packages[0].delivery_as_written.as_str()
                ),
                (
                    "Tenders back;\nthe board meets in May.",
                    "Ongoing, until the heathland survey ends"
                )
            );
            assert!(packages.iter().any(|p| p.progress_note == "Just begun"));
        }

        #[test]
        fn a_change_sees_every_change_made_before_it() {
            let (store, plan) = seeded();
            let id = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            let title = store.work_package(id).unwrap().row.title;
            // Each change reads the title and adds a mark: read and write in one
            // transaction, no two can read the same title.
            let writers: Vec<_> = (0..4)
                .map(|_| {
                    let store = store.clone();
                    std::thread::spawn(move || {
                        for _ in 0..10 {
                            let changed = store
                                .change_work_package(
                                    id, None,
                                    &mut |current| {
                                        let mut input = input_of(current.clone());
                                        input.title.push('!');
                                        Some(input)
                                    },
                                    BY,
                                )
                                .unwrap();
                            assert!(changed);
                        }
                    })
                })
                .collect();
            for w in writers {
                w.join().unwrap();
            }
            assert_eq!(
                store.work_package(id).unwrap().row.title,
                format!("{title}{}", "!".repeat(40))
            );

            // A change that answers nothing stores nothing.
            let before = store.work_package(id).unwrap();
            assert!(!store.change_work_package(id, None, &mut |_| None, BY).unwrap());
            assert_eq!(store.work_package(id).unwrap(), before);
            let gone = waymark_store::WorkPackageId(i64::MAX);
            assert!(matches!(
                store.change_work_package(gone, None, &mut |d| Some(input_of(d.clone())), BY),
                Err(StoreError::NotFound { .. })
            ));
        }

        #[test]
        fn a_stale_version_is_refused_inside_the_write() {
            let (store, plan) = seeded();
            let id = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            let v1 = store.work_package(id).unwrap().row.version;
            let retitle = |title: &'static str| {
                move |d: &waymark_store::WorkPackageDetail| {
                    let mut input = input_of(d.clone());
                    input.title = title.into();
                    Some(input)
                }
            };
            assert!(store.change_work_package(id, Some(v1), &mut retitle("First"), BY).unwrap());
            let v2 = store.work_package(id).unwrap().row.version;
            assert!(v2 > v1, "{v2} after {v1}");

            // The version read before is stale now: refused before the change
            // is even asked for, and nothing is written.
            let mut asked = false;
            let stale = store.change_work_package(
                id,
                Some(v1),
                &mut |d| {
                    asked = true;
                    retitle("Lost")(d)
                },
                BY,
            );
            assert!(
                matches!(stale, Err(StoreError::Stale { expected, current, .. }) if expected == v1 && current == v2),
                "{stale:?}"
            );
            assert!(!asked);
            assert_eq!(store.work_package(id).unwrap().row.title, "First");
            assert!(matches!(
                store.delete_work_package(id, Some(v1), BY),
                Err(StoreError::Stale { .. })
            ));
            assert!(store.work_package(id).is_ok());

            // A change of nothing keeps the version.
            assert!(store.change_work_package(id, Some(v2), &mut retitle("First"), BY).unwrap());
            assert_eq!(store.work_package(id).unwrap().row.version, v2);

            // Two writers that read the same version: one wins, one is refused.
            let racers: Vec<_> = ["Left", "Right"]
                .into_iter()
                .map(|title| {
                    let store = store.clone();
                    std::thread::spawn(move || {
                        store.change_work_package(id, Some(v2), &mut retitle(title), BY)
                    })
                })
                .collect();
            let results: Vec<_> = racers.into_iter().map(|r| r.join().unwrap()).collect();
            assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
            assert!(results.iter().any(|r| matches!(r, Err(StoreError::Stale { .. }))));

            // Every record people edit or delete is checked the same way.
            let v = store.plan(plan).unwrap().version;
            let stale = waymark_store::Version(v.0 - 1);
            assert!(matches!(
                store.change_plan(plan, Some(stale), &mut |p: &PlanInput| Some(p.clone()), BY),
                Err(StoreError::Stale { .. })
            ));
            assert!(matches!(
                store.delete_plan(plan, Some(stale), BY),
                Err(StoreError::Stale { .. })
            ));
            let section = store.sections(plan).unwrap()[0].clone();
            let moved = SectionChange {
                number: Some("77".into()),
                title: section.title.clone(),
                position: None,
            };
            let mut change = Some(moved);
            assert!(matches!(
                store.change_section(section.id, Some(waymark_store::Version(section.version.0 + 1)), &mut |_| change.take(), BY),
                Err(StoreError::Stale { .. })
            ));
            // Renumbered, a section's packages take new references, and so new versions.
            let in_section = store
                .list_work_packages(plan, &WorkPackageQuery { section: Some(section.id), ..query() })
                .unwrap()
                .items;
            let elsewhere = store
                .list_work_packages(plan, &WorkPackageQuery { section: Some(store.sections(plan).unwrap()[1].id), ..query() })
                .unwrap()
                .items;
            assert!(store.change_section(section.id, Some(section.version), &mut |_| change.take(), BY).unwrap());
            assert!(store.section(section.id).unwrap().version > section.version);
            for wp in &in_section {
                let now = store.work_package(wp.id).unwrap().row;
                assert!(now.reference.starts_with("77."), "{}", now.reference);
                assert!(now.version > wp.version, "{}", now.reference);
            }
            for wp in &elsewhere {
                assert_eq!(store.work_package(wp.id).unwrap().row.version, wp.version);
            }
            let influence = store.influences(plan).unwrap()[0].clone();
            assert!(matches!(
                store.delete_influence(plan, &influence.code, Some(waymark_store::Version(0)), BY),
                Err(StoreError::Stale { .. })
            ));
            let item = store.related_items(plan).unwrap()[0].clone();
            assert!(matches!(
                store.change_related_item(item.id, Some(waymark_store::Version(0)), &mut |r| Some((r.name.clone(), r.kind)), BY),
                Err(StoreError::Stale { .. })
            ));
            assert!(matches!(
                store.delete_related_item(item.id, Some(waymark_store::Version(0)), BY),
                Err(StoreError::Stale { .. })
            ));
            let programme = store.programmes(plan).unwrap()[0].clone();
            assert!(matches!(
                store.delete_programme(programme.id, Some(waymark_store::Version(0)), BY),
                Err(StoreError::Stale { .. })
            ));
            store.delete_programme(programme.id, Some(programme.version), BY).unwrap();
            assert!(matches!(
                store.delete_programme(programme.id, Some(programme.version), BY),
                Err(StoreError::NotFound { .. })
            ));
        }

        #[test]
        fn a_record_made_again_under_an_old_id_has_a_new_version() {
            let (store, plan) = seeded();
            let rows = store.list_work_packages(plan, &WorkPackageQuery { per_page: 500, ..query() }).unwrap().items;
            let last = rows.iter().max_by_key(|r| r.id).unwrap().clone();
            let input = input_of(store.work_package(last.id).unwrap());
            store.delete_work_package(last.id, Some(last.version), BY).unwrap();
            let again = store.create_work_package(plan, &input, BY).unwrap();
            let now = store.work_package(again).unwrap().row.version;
            assert_ne!(now, last.version);
            if again == last.id {
                assert!(matches!(
                    store.delete_work_package(again, Some(last.version), BY),
                    Err(StoreError::Stale { .. })
                ));
            }
        }

        #[test]
        fn registers_change_from_what_is_stored() {
            let (store, plan) = seeded();
            let missing =
                |r: waymark_store::Result<bool>| matches!(r, Err(StoreError::NotFound { .. }));

            // The plan: a change sees the fields as stored; nothing answered, nothing changed.
            assert!(
                store
                    .change_plan(
                        plan, None,
                        &mut |p| Some(PlanInput {
                            period: format!("{}, extended", p.period),
                            ..p.clone()
                        }),
                        BY
                    )
                    .unwrap()
            );
            let period = store.plan(plan).unwrap().period;
            assert!(period.ends_with(", extended"), "{period}");
            assert!(!store.change_plan(plan, None, &mut |_| None, BY).unwrap());
            assert_eq!(store.plan(plan).unwrap().period, period);
            assert!(missing(store.change_plan(
                PlanId(i64::MAX), None,
                &mut |p| Some(p.clone()),
                BY
            )));

            // A section: retitled and moved in one change; a rule still refuses.
            let sections = store.sections(plan).unwrap();
            let first = sections[0].clone();
            assert!(
                store
                    .change_section(
                        first.id, None,
                        &mut |s| Some(SectionChange {
                            number: s.number.clone(),
                            title: Some(format!(
                                "{} (renamed)",
                                s.title.clone().unwrap_or_default()
                            )),
                            position: Some(1),
                        }),
                        BY,
                    )
                    .unwrap()
            );
            let moved = store.section(first.id).unwrap();
            assert_eq!(moved.position, 1);
            assert!(moved.title.unwrap().ends_with("(renamed)"));
            let err = store
                .change_section(
                    first.id, None,
                    &mut |_| {
                        Some(SectionChange {
                            number: sections[1].number.clone(),
                            title: None,
                            position: None,
                        })
                    },
                    BY,
                )
                .unwrap_err();
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

            // A related item: renamed from its own name.
            let item = store.related_items(plan).unwrap()[0].clone();
            assert!(
                store
                    .change_related_item(
                        item.id, None,
                        &mut |r| Some((format!("{} (renamed)", r.name), RelatedKind::System)),
                        BY
                    )
                    .unwrap()
            );
            let (row, _, _) = store.related_item(item.id).unwrap();
            assert_eq!(
                (row.name, row.kind),
                (format!("{} (renamed)", item.name), RelatedKind::System)
            );

            // A key influence: described from its own words.
            let influence = store.influences(plan).unwrap()[0].clone();
            assert!(
                store
                    .change_influence(
                        plan, &influence.code, None,
                        &mut |i| Some((format!("{}!", i.title), i.description.clone())),
                        BY
                    )
                    .unwrap()
            );
            let (row, _) = store.influence(plan, &influence.code).unwrap();
            assert_eq!(row.title, format!("{}!", influence.title));
            let unknown: waymark_core::InfluenceCode = "9.9.9".parse().unwrap();
            assert!(missing(store.change_influence(
                plan, &unknown, None,
                &mut |i| Some((i.title.clone(), String::new())),
                BY
            )));

            // A programme, changed by four writers at once: each sees the others' marks.
            let programme = store.programmes(plan).unwrap()[0].id;
            let writers: Vec<_> = (0..4)
                .map(|_| {
                    let store = store.clone();
                    std::thread::spawn(move || {
                        for _ in 0..5 {
                            store
                                .change_programme(
                                    programme, None,
                                    &mut |p| {
                                        Some(ProgrammeInput {
                                            description: format!("{}+", p.description),
                                            ..p.clone()
                                        })
                                    },
                                    BY,
                                )
                                .unwrap();
                        }
                    })
                })
                .collect();
            for w in writers {
                w.join().unwrap();
            }
            let (row, _) = store.programme(programme).unwrap();
            assert!(
                row.description.ends_with(&"+".repeat(20)),
                "{}",
                row.description
            );
            assert!(
                !row.description.ends_with(&"+".repeat(21)),
                "{}",
                row.description
            );
            assert!(missing(store.change_programme(
                ProgrammeId(i64::MAX), None,
                &mut |p| Some(p.clone()),
                BY
            )));
        }

        #[test]
        fn dependencies_refuse_cycles() {
            let (store, plan) = seeded();
            let items = store.list_work_packages(plan, &query()).unwrap().items;
            let (a, b, c) = (items[0].id, items[1].id, items[2].id);
            store.add_dependency(a, b, BY).unwrap();
            store.add_dependency(b, c, BY).unwrap();
            let err = store.add_dependency(c, a, BY).unwrap_err();
            assert!(err.to_string().contains("cycle"), "{err}");
            assert!(matches!(
                store.add_dependency(a, b, BY),
                Err(StoreError::Conflict { .. })
            ));
            assert!(matches!(
                store.add_dependency(a, a, BY),
                Err(StoreError::Invalid { .. })
            ));
            let d = store.work_package(b).unwrap();
            assert_eq!((d.depends_on.len(), d.dependents.len()), (1, 1));
            assert_eq!(store.dependencies(plan).unwrap().len(), 2);
            store
                .delete_dependency(d.depends_on[0].dependency_id, None, BY)
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
            let search = |text: &str| refs_of(store.as_ref(), plan, Some(text));
            assert_eq!(store.plan(plan).unwrap().work_package_count, 17);
            let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            let mut input = input_from(store.as_ref(), first);
            input.owner = "Harriet Quigley".into();
            store.update_work_package(first, &input, BY).unwrap();
            assert_eq!(search("quigley"), ["10.1.1"]);
            assert!(
                search("checklist").contains(&"10.1.1".to_string()),
                "unchanged text still found"
            );
            input.number = Some("9".into());
            input.title = "Licence audit".into();
            let created = store.create_work_package(plan, &input, BY).unwrap();
            assert_eq!(search("licence"), ["10.1.9"]);
            assert_eq!(
                store.plan(plan).unwrap().work_package_count,
                18,
                "cached counts follow writes"
            );
            assert_eq!(store.list_work_packages(plan, &query()).unwrap().total, 18);
            store.delete_work_package(created, None, BY).unwrap();
            assert!(search("licence").is_empty());
            assert_eq!(store.list_work_packages(plan, &query()).unwrap().total, 17);
            // Replacing the plan leaves no stale search entries behind.
            store.import_plan(&seed(), OnExisting::Replace, BY).unwrap();
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
            store.delete_plan(plan, None, BY).unwrap();
            assert!(matches!(store.plan(plan), Err(StoreError::NotFound { .. })));
        }

        #[test]
        fn an_edit_of_rag_alone_keeps_programme_places_and_search() {
            let (store, plan) = seeded();
            // A programme of the plan's first two packages, in that order.
            let all = store.list_work_packages(plan, &query()).unwrap().items;
            let programme = store.programmes(plan).unwrap()[0].id;
            for w in &all[..2] {
                let mut input = input_from(store.as_ref(), w.id);
                input.programmes = Some(vec![programme]);
                store.update_work_package(w.id, &input, BY).unwrap();
            }
            let order = |store: &dyn PlanStore| -> Vec<String> {
                store
                    .programme(programme)
                    .unwrap()
                    .0
                    .work_packages
                    .into_iter()
                    .map(|w| w.reference)
                    .collect()
            };
            let before = order(store.as_ref());
            let row = &all[0];
            let first = row.reference.clone();
            assert_eq!(before.first(), Some(&first));
            let title_word = row.title.split_whitespace().next().unwrap().to_lowercase();
            let mut input = input_from(store.as_ref(), row.id);
            input.programmes = Some(vec![programme]);
            input.rag = Some(if input.rag == Some(Rag::Red) {
                Rag::Green
            } else {
                Rag::Red
            });
            store.update_work_package(row.id, &input, BY).unwrap();
            assert_eq!(
                order(store.as_ref()),
                before,
                "the package keeps its place in its programme"
            );
            let found = |text: &str| refs_of(store.as_ref(), plan, Some(text));
            assert!(found(&title_word).contains(&first), "still found by its title");
            // Then a change of text alone: found by the new words, not the old.
            input.title = "Zebra crossing review".into();
            store.update_work_package(row.id, &input, BY).unwrap();
            assert_eq!(found("zebra"), std::slice::from_ref(&first));
            assert!(!found(&title_word).contains(&first) || {
                // The old word may be elsewhere in the package (its scope).
                let d = store.work_package(row.id).unwrap();
                d.scope.to_lowercase().contains(&title_word)
                    || d.relationships.to_lowercase().contains(&title_word)
                    || d.comments.to_lowercase().contains(&title_word)
            });
        }

        #[test]
        fn a_package_without_a_number_gets_the_next_free_one_in_its_section() {
            let (store, plan) = seeded();
            let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            let mut input = input_from(store.as_ref(), first);
            input.title = "Rationalise licences".into();
            input.number = None;
            let created = store.create_work_package(plan, &input, BY).unwrap();
            let row = store.work_package(created).unwrap().row;
            assert_eq!(
                (row.number.as_str(), row.reference.as_str()),
                ("3", "10.1.3")
            );

            // Numbers that are not whole numbers do not count; the largest that is does.
            input.number = Some("7a".into());
            store.create_work_package(plan, &input, BY).unwrap();
            input.number = Some("40".into());
            store.create_work_package(plan, &input, BY).unwrap();
            input.number = None;
            let next = store.create_work_package(plan, &input, BY).unwrap();
            assert_eq!(store.work_package(next).unwrap().row.number, "41");

            // An update without a number keeps the package's number.
            store.update_work_package(next, &input, BY).unwrap();
            assert_eq!(store.work_package(next).unwrap().row.reference, "10.1.41");
        }

        #[test]
        fn the_next_number_never_overflows() {
            let (store, plan) = seeded();
            let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            let mut input = input_from(store.as_ref(), first);
            input.number = Some(u64::MAX.to_string());
            store.create_work_package(plan, &input, BY).unwrap();
            input.number = None;
            let err = store.create_work_package(plan, &input, BY).unwrap_err();
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
            store.create_work_package(plan, &input, BY).unwrap();
            input.number = None;
            assert!(matches!(
                store.create_work_package(plan, &input, BY),
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
            let search = |text: &str| refs_of(store.as_ref(), plan, Some(text));
            // The seed's texts never mention 3.1.1 (it is only an influence code).
            assert_eq!(search("3.1.1"), Vec::<String>::new());
            let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            let mut input = input_from(store.as_ref(), first);
            input.comments = "Waits for 3.1.1 and 13.1.10.".into();
            store.update_work_package(first, &input, BY).unwrap();
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

        #[test]
        fn plans_are_found_by_title_and_updated() {
            let (store, plan) = seeded();
            assert_eq!(store.find_plan_by_title("CYPS plan").unwrap(), Some(plan));
            assert_eq!(store.find_plan_by_title("Another plan").unwrap(), None);
            let input = waymark_store::PlanInput {
                title: "CYPS ICT plan".into(),
                organisation: "CYPS".into(),
                period: "2007–2010".into(),
                introduction: "What we will do.".into(),
                quarter_convention: waymark_core::QuarterConvention::Financial,
            };
            store.update_plan(plan, &input, BY).unwrap();
            let summary = store.plan(plan).unwrap();
            assert_eq!(
                (
                    summary.title.as_str(),
                    summary.organisation.as_str(),
                    summary.period.as_str(),
                    summary.introduction.as_str(),
                    summary.quarter_convention
                ),
                (
                    "CYPS ICT plan",
                    "CYPS",
                    "2007–2010",
                    "What we will do.",
                    waymark_core::QuarterConvention::Financial
                )
            );
            assert_eq!(
                store.find_plan_by_title("cyps ict PLAN").unwrap(),
                Some(plan)
            );
            // Another plan cannot take the title; a missing plan is not found.
            let mut other = seed();
            other.title = "Other plan".into();
            let other = store.import_plan(&other, OnExisting::Refuse, BY).unwrap();
            let err = store.update_plan(other, &input, BY).unwrap_err();
            assert!(
                matches!(err, StoreError::Conflict { field: "title", .. }),
                "{err}"
            );
            assert!(matches!(
                store.update_plan(PlanId(999), &input, BY),
                Err(StoreError::NotFound { .. })
            ));
        }

        #[test]
        fn sections_are_created_with_the_next_position() {
            let (store, plan) = seeded();
            let id = store
                .create_section(plan, Some("10.7".into()), Some("Partnerships".into()), BY)
                .unwrap();
            let unnumbered = store
                .create_section(plan, None, Some("Later".into()), BY)
                .unwrap();
            let sections = store.sections(plan).unwrap();
            let labels: Vec<(&str, i64)> = sections[6..]
                .iter()
                .map(|s| (s.label.as_str(), s.position))
                .collect();
            assert_eq!(labels, [("10.7 Partnerships", 6), ("Later", 7)]);
            assert_eq!((sections[6].id, sections[7].id), (id, unnumbered));
            let err = store
                .create_section(plan, Some("10.7".into()), None, BY)
                .unwrap_err();
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
            assert!(matches!(
                store.create_section(PlanId(999), None, Some("x".into()), BY),
                Err(StoreError::NotFound { .. })
            ));
        }

        #[test]
        fn an_influence_is_read_and_described() {
            let (store, plan) = seeded();
            let code: waymark_core::InfluenceCode = "3.1.1".parse().unwrap();
            let (row, packages) = store.influence(plan, &code).unwrap();
            assert_eq!(row.work_package_count, packages.len() as u64);
            assert!(!packages.is_empty());
            store
                .update_influence(plan, &code, "Every Child Matters", "The green paper.", BY)
                .unwrap();
            let (row, _) = store.influence(plan, &code).unwrap();
            assert_eq!(
                (row.title.as_str(), row.description.as_str()),
                ("Every Child Matters", "The green paper.")
            );
            let unknown: waymark_core::InfluenceCode = "9.9.9".parse().unwrap();
            assert!(matches!(
                store.influence(plan, &unknown),
                Err(StoreError::NotFound { .. })
            ));
            assert!(matches!(
                store.update_influence(plan, &unknown, "t", "", BY),
                Err(StoreError::NotFound { .. })
            ));
        }

        #[test]
        fn a_related_item_is_renamed_and_its_kind_changed() {
            let (store, plan) = seeded();
            let items = store.related_items(plan).unwrap();
            let wfs = items.iter().find(|r| r.name == "www.wfs").unwrap();
            store
                .update_related_item(
                    wfs.id,
                    "Web form service",
                    waymark_core::RelatedKind::System,
                    BY,
                )
                .unwrap();
            let (row, in_plan, packages) = store.related_item(wfs.id).unwrap();
            assert_eq!(
                (row.name.as_str(), row.kind, in_plan, packages.len()),
                (
                    "Web form service",
                    waymark_core::RelatedKind::System,
                    plan,
                    2
                )
            );
            let taken = items
                .iter()
                .find(|r| r.name == "Corporate ICT Strategy")
                .unwrap();
            let err = store
                .update_related_item(wfs.id, &taken.name, waymark_core::RelatedKind::Other, BY)
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Conflict { field: "name", .. }),
                "{err}"
            );
            assert!(matches!(
                store.update_related_item(
                    waymark_store::RelatedItemId(9999),
                    "x",
                    waymark_core::RelatedKind::Other,
                    BY
                ),
                Err(StoreError::NotFound { .. })
            ));
        }

        #[test]
        fn programmes_are_created_changed_and_deleted() {
            let (store, plan) = seeded();
            let before = store.programmes(plan).unwrap().len();
            let input = waymark_store::ProgrammeInput {
                name: "Digital inclusion".into(),
                priority: true,
                description: "Access for every family.".into(),
            };
            let id = store.create_programme(plan, &input, BY).unwrap();
            let (row, in_plan) = store.programme(id).unwrap();
            assert_eq!(
                (
                    row.name.as_str(),
                    row.priority,
                    row.description.as_str(),
                    in_plan
                ),
                ("Digital inclusion", true, "Access for every family.", plan)
            );
            assert!(row.work_packages.is_empty());
            assert_eq!(store.programmes(plan).unwrap().len(), before + 1);
            let err = store.create_programme(plan, &input, BY).unwrap_err();
            assert!(
                matches!(err, StoreError::Conflict { field: "name", .. }),
                "{err}"
            );
            assert!(matches!(
                store.create_programme(PlanId(999), &input, BY),
                Err(StoreError::NotFound { .. })
            ));

            // A package joins it through its input; the programme lists it.
            let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            let mut wp = input_from(store.as_ref(), first);
            wp.programmes = Some(vec![id]);
            store.update_work_package(first, &wp, BY).unwrap();
            assert_eq!(store.programme(id).unwrap().0.work_packages[0].id, first);

            let changed = waymark_store::ProgrammeInput {
                name: "Inclusion".into(),
                priority: false,
                description: String::new(),
            };
            store.update_programme(id, &changed, BY).unwrap();
            let (row, _) = store.programme(id).unwrap();
            assert_eq!((row.name.as_str(), row.priority), ("Inclusion", false));
            let existing = store.programmes(plan).unwrap()[0].name.clone();
            let clash = waymark_store::ProgrammeInput {
                name: existing,
                ..changed.clone()
            };
            assert!(matches!(
                store.update_programme(id, &clash, BY),
                Err(StoreError::Conflict { field: "name", .. })
            ));

            store.delete_programme(id, None, BY).unwrap();
            assert!(matches!(
                store.programme(id),
                Err(StoreError::NotFound { .. })
            ));
            assert!(matches!(
                store.delete_programme(id, None, BY),
                Err(StoreError::NotFound { .. })
            ));
            assert!(matches!(
                store.update_programme(id, &changed, BY),
                Err(StoreError::NotFound { .. })
            ));
            // Its package stays.
            assert!(store.work_package(first).unwrap().programmes.is_empty());
            assert_eq!(store.programmes(plan).unwrap().len(), before);
        }

        fn refs_of(store: &dyn PlanStore, plan: PlanId, text: Option<&str>) -> Vec<String> {
            let q = WorkPackageQuery {
                text: text.map(|t| t.parse().unwrap()),
                ..query()
            };
            store
                .list_work_packages(plan, &q)
                .unwrap()
                .items
                .into_iter()
                .map(|w| w.reference)
                .collect()
        }

        #[test]
        fn sections_are_renamed_and_their_references_follow() {
            let (store, plan) = seeded();
            let sections = store.sections(plan).unwrap();
            let governance = sections[1].id;
            store
                .update_section(
                    governance,
                    Some("11".into()),
                    Some("Governance and standards".into()),
                    None,
                    BY,
                )
                .unwrap();
            let row = store.section(governance).unwrap();
            assert_eq!(row.label, "11 Governance and standards");
            let refs = refs_of(store.as_ref(), plan, None);
            assert_eq!(&refs[2..6], ["11.1", "11.2", "11.3", "11.4"]);
            // Search and reading back see the new references.
            assert_eq!(
                refs_of(store.as_ref(), plan, Some("benchmarking")),
                ["11.4"]
            );
            let plan_value = store.load_plan(plan).unwrap();
            assert_eq!(plan_value.sections[1].number.as_deref(), Some("11"));
            // A number another section has is refused; so is a missing section.
            let err = store
                .update_section(governance, Some("10.1".into()), None, None, BY)
                .unwrap_err();
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
            assert!(matches!(
                store.section(waymark_store::SectionId(999)),
                Err(StoreError::NotFound { .. })
            ));
            // A change that cannot be made in full is not made in part.
            let err = store
                .update_section(governance, Some("12".into()), None, Some(6), BY)
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    StoreError::Invalid {
                        field: "position",
                        ..
                    }
                ),
                "{err}"
            );
            assert_eq!(
                store.section(governance).unwrap().label,
                "11 Governance and standards"
            );
            // Renamed and moved at once.
            store
                .update_section(governance, Some("12".into()), None, Some(5), BY)
                .unwrap();
            let row = store.section(governance).unwrap();
            assert_eq!((row.label.as_str(), row.position), ("12", 5));
            // Without a number, the packages are referred to by place.
            store
                .update_section(governance, None, Some("Governance".into()), None, BY)
                .unwrap();
            let refs = refs_of(store.as_ref(), plan, None);
            assert_eq!(&refs[refs.len() - 4..], ["#6.1", "#6.2", "#6.3", "#6.4"]);
        }

        #[test]
        fn sections_are_reordered_and_references_by_place_follow() {
            let (store, plan) = seeded();
            let sections = store.sections(plan).unwrap();
            let last = sections[5].id; // unnumbered: its package is #6.1
            assert_eq!(refs_of(store.as_ref(), plan, Some("financial")), ["#6.1"]);
            store.move_section(last, SectionMove::To(0), BY).unwrap();
            let labels: Vec<String> = store
                .sections(plan)
                .unwrap()
                .into_iter()
                .map(|s| s.label)
                .collect();
            assert_eq!(labels[0], "Section 1 (no heading)");
            assert_eq!(labels[1], "10.1 Core business systems");
            let refs = refs_of(store.as_ref(), plan, None);
            assert_eq!(
                &refs[..3],
                ["#1.1", "10.1.1", "10.1.2"],
                "plan order follows"
            );
            assert_eq!(refs_of(store.as_ref(), plan, Some("financial")), ["#1.1"]);
            // Back down one place, and out of range is refused.
            store.move_section(last, SectionMove::To(1), BY).unwrap();
            assert_eq!(store.section(last).unwrap().position, 1);
            let err = store
                .move_section(last, SectionMove::To(6), BY)
                .unwrap_err();
            assert!(
                matches!(
                    err,
                    StoreError::Invalid {
                        field: "position",
                        ..
                    }
                ),
                "{err}"
            );
            assert!(err.to_string().contains("from 1 to 6"), "{err}");
            let positions: Vec<i64> = store
                .sections(plan)
                .unwrap()
                .iter()
                .map(|s| s.position)
                .collect();
            assert_eq!(positions, [0, 1, 2, 3, 4, 5]);
        }

        #[test]
        fn a_section_steps_one_place_up_or_down_and_stays_at_either_end() {
            let (store, plan) = seeded();
            let ids = |store: &dyn PlanStore| -> Vec<_> {
                store.sections(plan).unwrap().iter().map(|s| s.id).collect()
            };
            let before = ids(store.as_ref());
            let (first, second, last) = (before[0], before[1], before[5]);
            store.move_section(second, SectionMove::Down, BY).unwrap();
            let after = ids(store.as_ref());
            assert_eq!(after[2], second, "one place down, not two: {after:?}");
            assert_eq!(after[1], before[2]);
            store.move_section(second, SectionMove::Up, BY).unwrap();
            assert_eq!(ids(store.as_ref()), before, "one place up undoes it");
            // At either end a step changes nothing, and is not an error.
            store.move_section(first, SectionMove::Up, BY).unwrap();
            store.move_section(last, SectionMove::Down, BY).unwrap();
            assert_eq!(ids(store.as_ref()), before);
            let err = store
                .move_section(waymark_store::SectionId(i64::MAX), SectionMove::Up, BY)
                .unwrap_err();
            assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
        }

        #[test]
        fn a_section_is_deleted_only_when_empty() {
            let (store, plan) = seeded();
            let sections = store.sections(plan).unwrap();
            let err = store.delete_section(sections[4].id, None, BY).unwrap_err();
            assert!(
                matches!(
                    err,
                    StoreError::Conflict {
                        field: "section",
                        ..
                    }
                ),
                "{err}"
            );
            assert!(
                err.to_string().contains("still holds 1 work package;"),
                "{err}"
            );
            let err = store.delete_section(sections[1].id, None, BY).unwrap_err();
            assert!(
                err.to_string().contains("still holds 4 work packages"),
                "{err}"
            );
            // Empty it, then it goes and the sections after it close up.
            let only = store
                .list_work_packages(
                    plan,
                    &WorkPackageQuery {
                        section: Some(sections[4].id),
                        ..query()
                    },
                )
                .unwrap()
                .items[0]
                .id;
            store.delete_work_package(only, None, BY).unwrap();
            store.delete_section(sections[4].id, None, BY).unwrap();
            let after = store.sections(plan).unwrap();
            assert_eq!(after.len(), 5);
            assert_eq!(after[4].label, "Section 5 (no heading)");
            assert_eq!(refs_of(store.as_ref(), plan, Some("financial")), ["#5.1"]);
            assert!(matches!(
                store.delete_section(sections[4].id, None, BY),
                Err(StoreError::NotFound { .. })
            ));
        }

        #[test]
        fn influences_are_deleted_when_unused_and_merged() {
            let (store, plan) = seeded();
            let code = |c: &str| -> waymark_core::InfluenceCode { c.parse().unwrap() };
            // A typo joins the register through a package.
            let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            let mut input = input_from(store.as_ref(), first);
            input.influences = vec![code("3.1.1"), code("3.11.1")];
            store.update_work_package(first, &input, BY).unwrap();
            let err = store
                .delete_influence(plan, &code("3.11.1"), None, BY)
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Conflict { field: "code", .. }),
                "{err}"
            );
            assert!(
                err.to_string().contains("1 work package still addresses"),
                "{err}"
            );

            // Merging moves its links; the package that had both keeps one.
            let before = store
                .influence(plan, &code("3.1.1"))
                .unwrap()
                .0
                .work_package_count;
            store
                .merge_influence(plan, &code("3.11.1"), &code("3.1.1"), BY)
                .unwrap();
            assert!(matches!(
                store.influence(plan, &code("3.11.1")),
                Err(StoreError::NotFound { .. })
            ));
            assert_eq!(
                store
                    .influence(plan, &code("3.1.1"))
                    .unwrap()
                    .0
                    .work_package_count,
                before
            );
            assert_eq!(
                store.work_package(first).unwrap().influences,
                [code("3.1.1")]
            );

            // Merging into a code the plan lacks creates it, keeping the words.
            store
                .update_influence(plan, &code("3.2.1"), "Participation", "", BY)
                .unwrap();
            let moved = store.influence(plan, &code("3.2.1")).unwrap().1;
            store
                .merge_influence(plan, &code("3.2.1"), &code("3.2.9"), BY)
                .unwrap();
            let (row, packages) = store.influence(plan, &code("3.2.9")).unwrap();
            let ids = |rows: &[waymark_store::WorkPackageRow]| rows.iter().map(|r| r.id).collect::<Vec<_>>();
            assert_eq!((row.title.as_str(), ids(&packages)), ("Participation", ids(&moved)));
            // Their links moved: the packages have new versions.
            for (now, was) in packages.iter().zip(&moved) {
                assert!(now.version > was.version, "{}", now.reference);
            }
            assert!(matches!(
                store.merge_influence(plan, &code("3.2.9"), &code("3.2.9"), BY),
                Err(StoreError::Invalid { field: "into", .. })
            ));
            assert!(matches!(
                store.merge_influence(plan, &code("9.9.9"), &code("3.2.9"), BY),
                Err(StoreError::NotFound { .. })
            ));

            // An influence no package addresses can go.
            input.influences = vec![code("3.1.1"), code("3.9.9")];
            store.update_work_package(first, &input, BY).unwrap();
            input.influences = vec![code("3.1.1")];
            store.update_work_package(first, &input, BY).unwrap();
            store.delete_influence(plan, &code("3.9.9"), None, BY).unwrap();
            assert!(
                store
                    .influences(plan)
                    .unwrap()
                    .iter()
                    .all(|i| i.code != code("3.9.9"))
            );
            assert!(matches!(
                store.delete_influence(plan, &code("3.9.9"), None, BY),
                Err(StoreError::NotFound { .. })
            ));
        }

        fn related_id(
            store: &dyn PlanStore,
            plan: PlanId,
            name: &str,
        ) -> waymark_store::RelatedItemId {
            store
                .related_items(plan)
                .unwrap()
                .into_iter()
                .find(|r| r.name == name)
                .unwrap_or_else(|| panic!("no related item {name}"))
                .id
        }

        fn related_names(store: &dyn PlanStore, id: waymark_store::WorkPackageId) -> Vec<String> {
            store
                .work_package(id)
                .unwrap()
                .related_items
                .into_iter()
                .map(|r| r.name)
                .collect()
        }

        #[test]
        fn related_items_are_merged_and_deleted_when_unused() {
            let (store, plan) = seeded();
            let im = related_id(store.as_ref(), plan, "IM Strategy");
            let full = related_id(store.as_ref(), plan, "Information Management Strategy");
            // Renaming one to the other's name is refused, pointing to merge.
            let err = store
                .update_related_item(
                    im,
                    "Information Management Strategy",
                    waymark_core::RelatedKind::Strategy,
                    BY,
                )
                .unwrap_err();
            assert!(
                matches!(err, StoreError::Conflict { field: "name", .. }),
                "{err}"
            );
            assert!(err.to_string().contains("use merge"), "{err}");

            let (_, _, im_packages) = store.related_item(im).unwrap();
            let (_, _, full_packages) = store.related_item(full).unwrap();
            store.merge_related_item(im, full, BY).unwrap();
            assert!(matches!(
                store.related_item(im),
                Err(StoreError::NotFound { .. })
            ));
            let (row, _, packages) = store.related_item(full).unwrap();
            assert_eq!(
                packages.len(),
                im_packages.len() + full_packages.len(),
                "the seed has no package naming both"
            );
            assert_eq!(row.work_package_count, packages.len() as u64);
            // Saving the package whose text says "IM Strategy" keeps it on the merged item.
            let wp = im_packages[0].id;
            let input = WorkPackageInput {
                related_items: None,
                ..input_from(store.as_ref(), wp)
            };
            store.update_work_package(wp, &input, BY).unwrap();
            assert!(
                related_names(store.as_ref(), wp)
                    .contains(&"Information Management Strategy".to_string())
            );
            assert!(!related_names(store.as_ref(), wp).contains(&"IM Strategy".to_string()));
            assert!(
                store
                    .related_items(plan)
                    .unwrap()
                    .iter()
                    .all(|r| r.name != "IM Strategy")
            );

            assert!(matches!(
                store.merge_related_item(full, full, BY),
                Err(StoreError::Invalid { field: "into", .. })
            ));
            let err = store.delete_related_item(full, None, BY).unwrap_err();
            assert!(
                matches!(
                    err,
                    StoreError::Conflict {
                        field: "related_item",
                        ..
                    }
                ),
                "{err}"
            );
            assert!(
                err.to_string().contains("2 work packages still relate"),
                "{err}"
            );

            // Unused, it can go.
            let wfs = related_id(store.as_ref(), plan, "www.wfs");
            for p in store.related_item(wfs).unwrap().2 {
                let mut input = input_from(store.as_ref(), p.id);
                input.related_items = Some(vec![]);
                store.update_work_package(p.id, &input, BY).unwrap();
            }
            store.delete_related_item(wfs, None, BY).unwrap();
            assert!(matches!(
                store.related_item(wfs),
                Err(StoreError::NotFound { .. })
            ));
        }

        #[test]
        fn related_items_follow_the_relationships_text_unless_set_by_hand() {
            let (store, plan) = seeded();
            let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            let detail = store.work_package(first).unwrap();
            assert!(!detail.related_items_manual, "imported from its text");
            let mut input = input_from(store.as_ref(), first);
            input.related_items = None;
            input.relationships = "Customer Data Strategy and CareMobile.".into();
            store.update_work_package(first, &input, BY).unwrap();
            assert_eq!(
                related_names(store.as_ref(), first),
                ["Customer Data Strategy", "CareMobile"]
            );
            assert!(!store.work_package(first).unwrap().related_items_manual);

            // Set by hand, they stay when the text changes.
            input.related_items = Some(vec!["Corporate ICT Strategy".into()]);
            store.update_work_package(first, &input, BY).unwrap();
            assert!(store.work_package(first).unwrap().related_items_manual);
            let mut by_hand = input_from(store.as_ref(), first);
            by_hand.relationships = "www.br".into();
            store.update_work_package(first, &by_hand, BY).unwrap();
            assert_eq!(
                related_names(store.as_ref(), first),
                ["Corporate ICT Strategy"]
            );

            // Back to automatic: read from the text again.
            by_hand.related_items = None;
            store.update_work_package(first, &by_hand, BY).unwrap();
            assert_eq!(related_names(store.as_ref(), first), ["www.br"]);
            assert!(!store.work_package(first).unwrap().related_items_manual);

            // A renamed item keeps its packages when their text uses the old name.
            let wfs = related_id(store.as_ref(), plan, "www.wfs");
            store
                .update_related_item(
                    wfs,
                    "Workforce strategy",
                    waymark_core::RelatedKind::Strategy,
                    BY,
                )
                .unwrap();
            let workforce = store.related_item(wfs).unwrap().2[0].id;
            let input = WorkPackageInput {
                related_items: None,
                ..input_from(store.as_ref(), workforce)
            };
            store.update_work_package(workforce, &input, BY).unwrap();
            assert_eq!(
                related_names(store.as_ref(), workforce),
                ["Workforce strategy"]
            );
        }

        #[test]
        fn imported_packages_whose_items_differ_from_their_text_are_hand_set() {
            let mut plan = seed();
            plan.sections[0].work_packages[0].related_items = vec!["Amethyst".into()];
            let store = fresh_store();
            let id = store.import_plan(&plan, OnExisting::Refuse, BY).unwrap();
            let items = store.list_work_packages(id, &query()).unwrap().items;
            assert!(
                store
                    .work_package(items[0].id)
                    .unwrap()
                    .related_items_manual
            );
            assert!(
                !store
                    .work_package(items[1].id)
                    .unwrap()
                    .related_items_manual
            );
            assert_eq!(store.load_plan(id).unwrap(), plan);
        }

        /// A plan of `n` packages whose titles all hold the word "review".
        fn reviews(n: usize) -> Plan {
            let mut plan = Plan::new("Reviews");
            let mut section = waymark_core::Section {
                number: Some("1".into()),
                title: Some("Reviews".into()),
                work_packages: Vec::new(),
            };
            let model = seed().sections[0].work_packages[0].clone();
            for i in 1..=n {
                section.work_packages.push(waymark_core::WorkPackage {
                    title: format!("Review number {i}"),
                    ..model.clone()
                });
                section.work_packages.last_mut().unwrap().number = i.to_string();
            }
            plan.sections.push(section);
            plan
        }

        #[test]
        fn a_search_matching_most_of_a_large_plan_counts_to_a_limit() {
            let store = fresh_store();
            let plan = store
                .import_plan(&reviews(2500), OnExisting::Refuse, BY)
                .unwrap();
            let q = WorkPackageQuery {
                text: Some("review".parse().unwrap()),
                ..query()
            };
            let page = store.list_work_packages(plan, &q).unwrap();
            assert_eq!(
                (page.total, page.total_is_lower_bound, page.items.len()),
                (waymark_store::COUNT_LIMIT, true, 100)
            );
            assert_eq!(page.items[0].reference, "1.1");
            // Walk to the end by cursor: every match once, in plan order.
            let mut seen = page.items.len();
            let mut next = page.next_cursor;
            while let Some(cursor) = next {
                let page = store
                    .list_work_packages(
                        plan,
                        &WorkPackageQuery {
                            cursor: Some(cursor),
                            ..q.clone()
                        },
                    )
                    .unwrap();
                assert_eq!(page.items[0].reference, format!("1.{}", seen + 1));
                seen += page.items.len();
                next = page.next_cursor;
            }
            assert_eq!(seen, 2500);
            // Few matches: counted exactly.
            let q = WorkPackageQuery {
                text: Some("number 2499".parse().unwrap()),
                ..query()
            };
            let page = store.list_work_packages(plan, &q).unwrap();
            assert_eq!((page.total, page.total_is_lower_bound), (1, false));
        }

        /// The newest audit entry, with its changes as (field, before, after).
        fn newest(
            store: &dyn PlanStore,
        ) -> (
            waymark_core::audit::Event,
            Vec<(String, Option<String>, Option<String>)>,
        ) {
            let mut entries = store.audit_entries(&AuditFilter::default(), 1).unwrap();
            let event = entries.pop().expect("an entry").entry.event;
            let changes = event
                .changes
                .as_slice()
                .iter()
                .map(|c| (c.field.to_string(), c.before.clone(), c.after.clone()))
                .collect();
            (event, changes)
        }

        /// A new account (made by the command line) and the actor it signs in as.
        fn account(
            store: &dyn PlanStore,
            email: &str,
            name: &str,
            role: Role,
            owner_names: &[&str],
        ) -> (AccountId, Actor) {
            let id = store
                .create_account(
                    &NewAccount {
                        email: email.parse().unwrap(),
                        name: name.into(),
                        role,
                        owner_names: owner_names.iter().map(|n| n.parse().unwrap()).collect(),
                        password_hash: None,
                        must_change_password: false,
                    },
                    BY,
                )
                .unwrap();
            (
                id,
                Actor::Account {
                    id,
                    name: name.into(),
                },
            )
        }

        fn audit_count(store: &dyn PlanStore) -> usize {
            store
                .audit_entries(&AuditFilter::default(), 10_000)
                .unwrap()
                .len()
        }

        const POLICY: SessionPolicy = SessionPolicy {
            idle_ms: 30 * 60_000,
            max_ms: 8 * 3_600_000,
        };

        #[test]
        fn accounts_are_made_listed_and_refused_twice_by_email() {
            let store = fresh_store();
            let (id, _) = account(store.as_ref(), "Jane.Smith@Council.gov.uk", "Jane Smith", Role::Contributor, &["Head of ICT"]);
            let row = store.account(id).unwrap();
            assert_eq!(row.email.as_str(), "jane.smith@council.gov.uk");
            assert_eq!(row.role, Role::Contributor);
            assert_eq!(row.owner_names.len(), 1);
            assert_eq!(row.owner_names[0].as_str(), "Head of ICT");
            assert!(!row.disabled && !row.has_password && row.sso_subject.is_none());
            let again = store.create_account(
                &NewAccount {
                    email: "jane.smith@council.gov.uk".parse().unwrap(),
                    name: "Another Jane".into(),
                    role: Role::Viewer,
                    owner_names: Vec::new(),
                    password_hash: None,
                    must_change_password: false,
                },
                BY,
            );
            assert!(matches!(again, Err(StoreError::Conflict { field: "email", .. })), "{again:?}");
            account(store.as_ref(), "adam@council.gov.uk", "Adam", Role::Viewer, &[]);
            let emails: Vec<String> = store.accounts().unwrap().iter().map(|a| a.email.to_string()).collect();
            assert_eq!(emails, ["adam@council.gov.uk", "jane.smith@council.gov.uk"]);
            let email = "JANE.SMITH@council.gov.uk".parse().unwrap();
            assert_eq!(store.account_by_email(&email).unwrap().unwrap().id, id);
            assert!(store.account_by_email(&"nobody@council.gov.uk".parse().unwrap()).unwrap().is_none());
            assert!(matches!(store.account(AccountId(999)), Err(StoreError::NotFound { .. })));
        }

        #[test]
        fn an_account_changes_at_its_version_and_one_enabled_admin_is_always_left() {
            let store = fresh_store();
            let (admin, admin_actor) = account(store.as_ref(), "admin@localhost", "Administrator", Role::Admin, &[]);
            let (jane, jane_actor) = account(store.as_ref(), "jane@council.gov.uk", "Jane", Role::Viewer, &[]);
            let v = store.account(jane).unwrap().version;
            let to_manager = AccountChange { role: Some(Role::Manager), ..Default::default() };
            store.change_account(jane, &to_manager, Some(v), &admin_actor).unwrap();
            let row = store.account(jane).unwrap();
            assert_eq!(row.role, Role::Manager);
            assert!(row.version > v);
            let stale = store.change_account(jane, &to_manager, Some(v), &admin_actor);
            assert!(matches!(stale, Err(StoreError::Stale { .. })), "{stale:?}");
            // Only an admin manages accounts.
            let refused = store.change_account(admin, &AccountChange { role: Some(Role::Viewer), ..Default::default() }, None, &jane_actor);
            assert!(matches!(refused, Err(StoreError::Forbidden { .. })), "{refused:?}");
            // The last enabled admin can be neither demoted nor disabled.
            let demote = store.change_account(admin, &AccountChange { role: Some(Role::Manager), ..Default::default() }, None, BY);
            assert!(matches!(demote, Err(StoreError::Invalid { field: "role", .. })), "{demote:?}");
            let disable = store.change_account(admin, &AccountChange { disabled: Some(true), ..Default::default() }, None, BY);
            assert!(matches!(disable, Err(StoreError::Invalid { field: "disabled", .. })), "{disabled:?}", disabled = disable);
            assert_eq!(store.account(admin).unwrap().role, Role::Admin);
            // With a second admin, the first may go.
            store.change_account(jane, &AccountChange { role: Some(Role::Admin), ..Default::default() }, None, BY).unwrap();
            store.change_account(admin, &AccountChange { disabled: Some(true), ..Default::default() }, None, BY).unwrap();
            assert!(store.account(admin).unwrap().disabled);
        }

        #[test]
        fn disabling_an_account_or_setting_its_password_ends_its_sessions_and_tokens_stop() {
            let store = fresh_store();
            let (jane, jane_actor) = account(store.as_ref(), "jane@council.gov.uk", "Jane", Role::Manager, &[]);
            store.create_session("s1", jane, 1_000, POLICY).unwrap();
            assert!(store.account(jane).unwrap().last_sign_in_ms == Some(1_000));
            let token = waymark_store::secret::digest("wmk_t");
            store.create_token(jane, "script", &token, &jane_actor).unwrap();
            assert_eq!(store.session_caller("s1", 2_000, POLICY).unwrap().unwrap().account.id, jane);
            // Her own password she may set herself: every session ends.
            let password = AccountChange { password: Some(("$argon2id$fake".into(), false)), ..Default::default() };
            store.change_account(jane, &password, None, &jane_actor).unwrap();
            assert!(store.session_caller("s1", 2_000, POLICY).unwrap().is_none());
            assert!(store.account(jane).unwrap().has_password);
            store.create_session("s2", jane, 3_000, POLICY).unwrap();
            store.change_account(jane, &AccountChange { disabled: Some(true), ..Default::default() }, None, BY).unwrap();
            assert!(store.session_caller("s2", 3_000, POLICY).unwrap().is_none());
            assert!(store.token_caller(&token, 3_000).unwrap().is_none());
            store.change_account(jane, &AccountChange { disabled: Some(false), ..Default::default() }, None, BY).unwrap();
            assert!(store.session_caller("s2", 3_000, POLICY).unwrap().is_none(), "ended, not paused");
            assert!(store.token_caller(&token, 3_000).unwrap().is_some(), "a token works again");
        }

        #[test]
        fn sessions_end_when_idle_or_too_old_and_at_sign_out() {
            let store = fresh_store();
            let (jane, _) = account(store.as_ref(), "jane@council.gov.uk", "Jane", Role::Viewer, &[]);
            let minute = 60_000;
            store.create_session("idle", jane, 0, POLICY).unwrap();
            assert!(store.session_caller("idle", 29 * minute, POLICY).unwrap().is_some());
            // Used at 29 minutes: idle from then on.
            assert!(store.session_caller("idle", 58 * minute, POLICY).unwrap().is_some());
            assert!(store.session_caller("idle", 88 * minute + 1, POLICY).unwrap().is_none());
            assert!(store.session_caller("idle", 60 * minute, POLICY).unwrap().is_none(), "removed");
            // However busy, a session ends at its maximum age.
            store.create_session("busy", jane, 0, POLICY).unwrap();
            let mut t = 0;
            while t < 8 * 60 * minute - 10 * minute {
                t += 10 * minute;
                assert!(store.session_caller("busy", t, POLICY).unwrap().is_some(), "at {t}");
            }
            assert!(store.session_caller("busy", 8 * 60 * minute, POLICY).unwrap().is_none());
            store.create_session("out", jane, 0, POLICY).unwrap();
            store.end_session("out").unwrap();
            store.end_session("out").unwrap();
            assert!(store.session_caller("out", 1, POLICY).unwrap().is_none());
            assert!(store.session_caller("never", 1, POLICY).unwrap().is_none());
            let gone = store.create_session("x", AccountId(999), 0, POLICY);
            assert!(matches!(gone, Err(StoreError::NotFound { .. })), "{gone:?}");
        }

        #[test]
        fn tokens_are_made_listed_used_and_revoked_by_their_owner_or_an_admin() {
            let store = fresh_store();
            let (_, admin) = account(store.as_ref(), "admin@localhost", "Administrator", Role::Admin, &[]);
            let (jane, jane_actor) = account(store.as_ref(), "jane@council.gov.uk", "Jane", Role::Viewer, &[]);
            let (_, bob) = account(store.as_ref(), "bob@council.gov.uk", "Bob", Role::Manager, &[]);
            let d1 = waymark_store::secret::digest("wmk_1");
            let d2 = waymark_store::secret::digest("wmk_2");
            let t1 = store.create_token(jane, "mine", &d1, &jane_actor).unwrap();
            let refused = store.create_token(jane, "for jane", &d2, &bob);
            assert!(matches!(refused, Err(StoreError::Forbidden { .. })), "{refused:?}");
            let t2 = store.create_token(jane, "for jane", &d2, &admin).unwrap();
            let listed = store.tokens(Some(jane)).unwrap();
            assert_eq!(listed.iter().map(|t| t.id).collect::<Vec<_>>(), [t2, t1]);
            assert_eq!(listed[1].account_email.as_str(), "jane@council.gov.uk");
            assert_eq!(store.tokens(None).unwrap().len(), 2);
            let caller = store.token_caller(&d1, 5_000).unwrap().unwrap();
            assert_eq!((caller.account.id, caller.token), (jane, Some(t1)));
            assert_eq!(store.tokens(Some(jane)).unwrap()[1].last_used_ms, Some(5_000));
            // Noted at most once a minute.
            store.token_caller(&d1, 6_000).unwrap().unwrap();
            assert_eq!(store.tokens(Some(jane)).unwrap()[1].last_used_ms, Some(5_000));
            assert!(store.token_caller("unknown", 0).unwrap().is_none());
            let refused = store.revoke_token(t1, &bob);
            assert!(matches!(refused, Err(StoreError::Forbidden { .. })), "{refused:?}");
            store.revoke_token(t1, &jane_actor).unwrap();
            store.revoke_token(t2, &admin).unwrap();
            assert!(store.token_caller(&d1, 0).unwrap().is_none());
            assert!(store.token_caller(&d2, 0).unwrap().is_none());
            assert!(store.tokens(None).unwrap().iter().all(|t| t.revoked_ms.is_some()));
            assert!(matches!(store.revoke_token(TokenId(999), BY), Err(StoreError::NotFound { .. })));
            // A revoked token acts no more, even with its actor in hand.
            let late = Actor::Token { id: t1, account: jane, name: "Jane".into() };
            let refused = store.create_token(jane, "again", &waymark_store::secret::digest("wmk_3"), &late);
            assert!(matches!(refused, Err(StoreError::SignInRequired)), "{refused:?}");
        }

        #[test]
        fn every_write_checks_the_actors_role_in_its_transaction_and_refused_writes_nothing() {
            let (store, plan) = seeded();
            let (_, viewer) = account(store.as_ref(), "v@council.gov.uk", "Viewer", Role::Viewer, &[]);
            let (contributor_id, contributor) = account(store.as_ref(), "c@council.gov.uk", "Contributor", Role::Contributor, &["Head of ICT"]);
            let (_, manager) = account(store.as_ref(), "m@council.gov.uk", "Manager", Role::Manager, &[]);
            let packages = store.list_work_packages(plan, &query()).unwrap().items;
            let (mine, theirs) = (packages[0].id, packages[1].id);
            let mut input = input_from(store.as_ref(), mine);
            input.owner = "Head of Finance / head of  ICT".into();
            store.update_work_package(mine, &input, &manager).unwrap();
            let mut input = input_from(store.as_ref(), theirs);
            input.owner = "Deputy Head of ICT".into();
            store.update_work_package(theirs, &input, &manager).unwrap();
            let entries = audit_count(store.as_ref());

            let edit = |id, by: &Actor, title: &str| {
                let mut input = input_from(store.as_ref(), id);
                input.title = title.into();
                store.update_work_package(id, &input, by)
            };
            assert!(matches!(edit(mine, &Actor::Anonymous, "x"), Err(StoreError::SignInRequired)));
            assert!(matches!(edit(mine, &viewer, "x"), Err(StoreError::Forbidden { .. })));
            let refused = edit(theirs, &contributor, "x");
            match refused {
                Err(StoreError::Forbidden { message, .. }) => assert!(message.contains("own"), "{message}"),
                other => panic!("{other:?}"),
            }
            assert_eq!(audit_count(store.as_ref()), entries, "nothing written");
            assert_ne!(store.work_package(theirs).unwrap().row.title, "x");
            edit(mine, &contributor, "Mine, edited").unwrap();
            assert_eq!(store.work_package(mine).unwrap().row.title, "Mine, edited");
            // Anything else in the plan is edit-plan: a manager's.
            let section = store.create_section(plan, None, Some("New".into()), &contributor);
            assert!(matches!(section, Err(StoreError::Forbidden { .. })), "{section:?}");
            let dep = store.add_dependency(mine, theirs, &contributor);
            assert!(matches!(dep, Err(StoreError::Forbidden { .. })), "{dep:?}");
            let delete = store.delete_work_package(mine, None, &contributor);
            assert!(matches!(delete, Err(StoreError::Forbidden { .. })), "{delete:?}");
            let import = store.import_plan(&seed(), OnExisting::Replace, &contributor);
            assert!(matches!(import, Err(StoreError::Forbidden { .. })), "{import:?}");
            store.add_dependency(mine, theirs, &manager).unwrap();
            // A role changed a moment ago counts at once.
            store.change_account(contributor_id, &AccountChange { role: Some(Role::Viewer), ..Default::default() }, None, BY).unwrap();
            assert!(matches!(edit(mine, &contributor, "again"), Err(StoreError::Forbidden { .. })));
            store.change_account(contributor_id, &AccountChange { role: Some(Role::Contributor), disabled: Some(true), ..Default::default() }, None, BY).unwrap();
            assert!(matches!(edit(mine, &contributor, "again"), Err(StoreError::SignInRequired)));
            let ghost = Actor::Account { id: AccountId(999), name: "Ghost".into() };
            assert!(matches!(edit(mine, &ghost, "again"), Err(StoreError::SignInRequired)));
            // The account's own settings: manage-users, even its own role.
            let (viewer_id, _) = (store.account_by_email(&"v@council.gov.uk".parse().unwrap()).unwrap().unwrap().id, ());
            let promote = store.change_account(viewer_id, &AccountChange { role: Some(Role::Admin), ..Default::default() }, None, &viewer);
            assert!(matches!(promote, Err(StoreError::Forbidden { .. })), "{promote:?}");
            let create = store.create_account(&NewAccount { email: "x@council.gov.uk".parse().unwrap(), name: "X".into(), role: Role::Admin, owner_names: Vec::new(), password_hash: None, must_change_password: false }, &manager);
            assert!(matches!(create, Err(StoreError::Forbidden { .. })), "{create:?}");
        }

        #[test]
        fn account_and_token_entries_name_a_password_change_but_never_a_hash_or_digest() {
            let store = fresh_store();
            let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";
            let id = store
                .create_account(
                    &NewAccount {
                        email: "jane@council.gov.uk".parse().unwrap(),
                        name: "Jane".into(),
                        role: Role::Viewer,
                        owner_names: vec!["Head of ICT".parse().unwrap(), "ICT Manager".parse().unwrap()],
                        password_hash: Some(hash.into()),
                        must_change_password: true,
                    },
                    BY,
                )
                .unwrap();
            let (e, changes) = newest(store.as_ref());
            assert_eq!((e.entity.kind.as_str(), e.entity.id.clone(), e.action.as_str()), ("account", id.to_string(), "create"));
            assert!(changes.contains(&("password".into(), None, Some("set".into()))), "{changes:?}");
            assert!(changes.contains(&("owner_names".into(), None, Some("Head of ICT\nICT Manager".into()))), "{changes:?}");
            // Set again at once (within the same millisecond, often): the
            // entry still shows a password was set, never what it is.
            let second = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$b3RoZXJoYXNo";
            let again = AccountChange { password: Some((second.into(), true)), ..Default::default() };
            store.change_account(id, &again, None, BY).unwrap();
            let (_, changes) = newest(store.as_ref());
            let fields: Vec<&str> = changes.iter().map(|c| c.0.as_str()).collect();
            assert_eq!(fields, ["password_set_ms"], "{changes:?}");
            let change = AccountChange { password: Some((second.into(), false)), ..Default::default() };
            store.change_account(id, &change, None, BY).unwrap();
            let (e, changes) = newest(store.as_ref());
            assert_eq!(e.action.as_str(), "update");
            let fields: Vec<&str> = changes.iter().map(|c| c.0.as_str()).collect();
            assert!(fields.contains(&"password_set_ms") && fields.contains(&"must_change_password"), "{fields:?}");
            let digest = waymark_store::secret::digest("wmk_secret");
            let token = store.create_token(id, "script", &digest, BY).unwrap();
            store.revoke_token(token, BY).unwrap();
            let (e, changes) = newest(store.as_ref());
            assert_eq!((e.entity.kind.as_str(), e.entity.id.clone(), e.action.as_str()), ("api_token", token.to_string(), "update"));
            assert_eq!(changes.len(), 1, "{changes:?}");
            assert_eq!(changes[0].0, "revoked_ms");
            for entry in store.audit_entries(&AuditFilter::default(), 100).unwrap() {
                for c in entry.entry.event.changes.as_slice() {
                    for v in [&c.before, &c.after].into_iter().flatten() {
                        assert!(!v.contains("argon2") && !v.contains(&digest), "{c:?}");
                    }
                }
            }
            assert!(store.audit_verify(None).unwrap().is_ok());
        }

        #[test]
        fn single_sign_on_links_by_subject_then_by_verified_email_else_makes_an_account() {
            let store = fresh_store();
            let person = |subject: &str, email: &str, verified: bool, role| SsoPerson {
                subject: subject.into(),
                email: email.parse().unwrap(),
                email_verified: verified,
                name: format!("Person {subject}"),
                role,
            };
            // New: made, linked, named and given the mapped role, by Waymark.
            let a = store.sso_account(&person("iss s1", "one@council.gov.uk", true, Role::Viewer), 10).unwrap();
            assert_eq!((a.sso_subject.as_deref(), a.role, a.name.as_str(), a.created_ms), (Some("iss s1"), Role::Viewer, "Person iss s1", 10));
            let (e, _) = newest(store.as_ref());
            assert_eq!((e.actor.kind, e.action.as_str()), (waymark_core::audit::ActorKind::System, "create"));
            // Again: found by subject whatever the email; role set from the map each time.
            let again = store.sso_account(&person("iss s1", "changed@council.gov.uk", false, Role::Manager), 20).unwrap();
            assert_eq!((again.id, again.role), (a.id, Role::Manager));
            // An account made by an admin links by email only when the provider verified it.
            let (local, _) = account(store.as_ref(), "two@council.gov.uk", "Two", Role::Viewer, &[]);
            let unverified = store.sso_account(&person("iss s2", "two@council.gov.uk", false, Role::Approver), 30);
            assert!(matches!(unverified, Err(StoreError::Forbidden { .. })), "{unverified:?}");
            assert!(store.account(local).unwrap().sso_subject.is_none());
            let linked = store.sso_account(&person("iss s2", "two@council.gov.uk", true, Role::Approver), 40).unwrap();
            assert_eq!((linked.id, linked.sso_subject.as_deref(), linked.role), (local, Some("iss s2"), Role::Approver));
            // An account linked to one subject is not taken over by another with its email.
            let other = store.sso_account(&person("evil s2", "two@council.gov.uk", true, Role::Admin), 50);
            assert!(matches!(other, Err(StoreError::Forbidden { .. })), "{other:?}");
            // A disabled account cannot sign in.
            store.change_account(local, &AccountChange { disabled: Some(true), ..Default::default() }, None, BY).unwrap();
            let disabled = store.sso_account(&person("iss s2", "two@council.gov.uk", true, Role::Approver), 60);
            assert!(matches!(disabled, Err(StoreError::Forbidden { .. })), "{disabled:?}");
        }

        #[test]
        fn the_server_secret_is_made_once_and_kept() {
            let store = fresh_store();
            let first = store.server_secret("csrf", &|| vec![1, 2, 3]).unwrap();
            let second = store.server_secret("csrf", &|| vec![9]).unwrap();
            assert_eq!((first.as_slice(), second.as_slice()), (&[1u8, 2, 3][..], &[1u8, 2, 3][..]));
            assert_eq!(store.server_secret("other", &|| vec![7]).unwrap(), [7]);
        }

        #[test]
        fn every_write_appends_one_audit_entry_with_who_what_and_which_fields() {
            let store = fresh_store();
            assert_eq!(
                store.audit_head().unwrap(),
                waymark_core::audit::Head::EMPTY
            );
            let plan = store.import_plan(&seed(), OnExisting::Refuse, BY).unwrap();
            let (e, changes) = newest(store.as_ref());
            assert_eq!(
                (
                    e.entity.kind.as_str(),
                    e.entity.id.clone(),
                    e.action.as_str()
                ),
                ("plan", plan.to_string(), "import")
            );
            assert_eq!(e.actor.kind, waymark_core::audit::ActorKind::Cli);
            assert!(
                changes.contains(&("work_packages".into(), None, Some("17".into()))),
                "{changes:?}"
            );
            assert_eq!(audit_count(store.as_ref()), 1);

            // An update by an account: its fields from what to what.
            let (alice_id, alice) = account(
                store.as_ref(),
                "alice@example.org",
                "Alice Smith",
                Role::Manager,
                &[],
            );
            assert_eq!(audit_count(store.as_ref()), 2);
            let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            let mut input = input_from(store.as_ref(), first);
            let old_owner = input.owner.clone();
            input.owner = "Head of ICT".into();
            input.status = Status::Cancelled;
            store.update_work_package(first, &input, &alice).unwrap();
            let (e, changes) = newest(store.as_ref());
            assert_eq!(
                (
                    e.actor.kind,
                    e.actor.id.as_str(),
                    e.actor.display.as_str(),
                    e.entity.kind.as_str(),
                    e.entity.id.clone(),
                    e.action.as_str()
                ),
                (
                    waymark_core::audit::ActorKind::User,
                    alice_id.to_string().as_str(),
                    "Alice Smith",
                    "work_package",
                    first.to_string(),
                    "update"
                )
            );
            assert_eq!(
                changes,
                [
                    ("owner".into(), Some(old_owner), Some("Head of ICT".into())),
                    (
                        "status".into(),
                        Some("proposed".into()),
                        Some("cancelled".into())
                    ),
                ]
            );
            // Saving what is already there records nothing.
            store.update_work_package(first, &input, &alice).unwrap();
            assert_eq!(audit_count(store.as_ref()), 3);

            // A create: every field from nothing; a delete: every field to nothing.
            let input = waymark_store::ProgrammeInput {
                name: "Digital inclusion".into(),
                priority: true,
                description: String::new(),
            };
            let digest = waymark_store::secret::digest("wmk_alice");
            let token = store
                .create_token(alice_id, "script", &digest, &alice)
                .unwrap();
            let by_token = store.token_caller(&digest, 0).unwrap().unwrap().actor();
            let programme = store.create_programme(plan, &input, &by_token).unwrap();
            let (e, changes) = newest(store.as_ref());
            assert_eq!(
                (
                    e.actor.kind,
                    e.actor.id.clone(),
                    e.actor.display.as_str(),
                    e.entity.kind.as_str(),
                    e.action.as_str()
                ),
                (
                    waymark_core::audit::ActorKind::Token,
                    token.to_string(),
                    format!("Alice Smith (API token {token})").as_str(),
                    "programme",
                    "create"
                )
            );
            assert!(changes.contains(&("name".into(), None, Some("Digital inclusion".into()))));
            assert!(changes.contains(&("priority".into(), None, Some("1".into()))));
            store.delete_programme(programme, None, BY).unwrap();
            let (e, changes) = newest(store.as_ref());
            assert_eq!(
                (e.entity.id.clone(), e.action.as_str()),
                (programme.to_string(), "delete")
            );
            assert!(changes.contains(&("name".into(), Some("Digital inclusion".into()), None)));
            assert!(changes.iter().all(|(_, _, after)| after.is_none()));

            // A package's links are fields too.
            let mut input = input_from(store.as_ref(), first);
            input.influences = vec!["3.9.9".parse().unwrap()];
            store.update_work_package(first, &input, BY).unwrap();
            let (_, changes) = newest(store.as_ref());
            assert_eq!(changes.len(), 1, "{changes:?}");
            assert_eq!(changes[0].0, "influences");
            assert_eq!(changes[0].2.as_deref(), Some("3.9.9"));

            // Entries of one record, newest first.
            let history = store
                .audit_entries(
                    &AuditFilter {
                        entity_kind: Some("work_package".into()),
                        entity_id: Some(first.to_string()),
                        ..Default::default()
                    },
                    10,
                )
                .unwrap();
            assert_eq!(history.len(), 2);
            assert!(history[0].entry.sequence > history[1].entry.sequence);
            let head = store.audit_verify(None).unwrap().unwrap();
            assert_eq!(head, store.audit_head().unwrap());
            assert_eq!(head.sequence, 7);
        }

        #[test]
        fn audit_entries_filter_by_what_who_action_and_time_and_page_by_number() {
            use waymark_core::audit::ActorKind;
            // Alice's account is entry 1, made by the command line.
            let store = fresh_store();
            let (_, alice) = account(
                store.as_ref(),
                "alice@example.org",
                "Alice Smith",
                Role::Manager,
                &[],
            );
            let plan = store.import_plan(&seed(), OnExisting::Refuse, BY).unwrap();
            let packages = store.list_work_packages(plan, &query()).unwrap().items;
            for (i, wp) in packages.iter().take(5).enumerate() {
                let mut input = input_from(store.as_ref(), wp.id);
                input.owner = format!("Owner {i}");
                let by = if i % 2 == 0 { &alice } else { &Actor::System };
                store.update_work_package(wp.id, &input, by).unwrap();
            }
            let programme = store
                .create_programme(
                    plan,
                    &ProgrammeInput {
                        name: "Digital inclusion".into(),
                        priority: false,
                        description: String::new(),
                    },
                    &alice,
                )
                .unwrap();
            store.delete_programme(programme, None, BY).unwrap();
            // An account, 1 import, 5 updates, a create and a delete.
            let all = store.audit_entries(&AuditFilter::default(), 1_000).unwrap();
            let numbers = |entries: &[waymark_core::audit::StoredEntry]| -> Vec<u64> {
                entries.iter().map(|e| e.entry.sequence).collect()
            };
            assert_eq!(numbers(&all), (1..=9).rev().collect::<Vec<u64>>());
            for e in &all {
                let event = &e.entry.event;
                assert!(
                    waymark_store::AUDIT_ENTITY_KINDS.contains(&event.entity.kind.as_str()),
                    "{event:?}"
                );
                assert!(
                    waymark_store::AUDIT_ACTIONS.contains(&event.action.as_str()),
                    "{event:?}"
                );
            }
            let listed =
                |filter: AuditFilter| numbers(&store.audit_entries(&filter, 1_000).unwrap());

            // Who: a kind of actor, or a name (or id) that contains the text.
            let by_account = listed(AuditFilter {
                actor_kind: Some(ActorKind::User),
                ..Default::default()
            });
            assert_eq!(by_account, [8, 7, 5, 3]);
            assert_eq!(
                listed(AuditFilter {
                    actor: Some("aLICE".into()),
                    ..Default::default()
                }),
                by_account
            );
            assert_eq!(
                listed(AuditFilter {
                    actor: Some("wAYMARK".into()),
                    ..Default::default()
                }),
                [6, 4]
            );
            assert!(
                listed(AuditFilter {
                    actor: Some("Bob".into()),
                    ..Default::default()
                })
                .is_empty()
            );
            // What was done, to what.
            assert_eq!(
                listed(AuditFilter {
                    action: Some("update".into()),
                    actor_kind: Some(ActorKind::User),
                    ..Default::default()
                }),
                [7, 5, 3]
            );
            assert_eq!(
                listed(AuditFilter {
                    entity_kind: Some("programme".into()),
                    ..Default::default()
                }),
                [9, 8]
            );
            assert_eq!(
                listed(AuditFilter {
                    entity_kind: Some("work_package".into()),
                    entity_id: Some(packages[1].id.to_string()),
                    ..Default::default()
                }),
                [4]
            );
            // When: from a time (inclusive) until a time (exclusive).
            let (oldest, newest) = (all[8].entry.event.at_ms, all[0].entry.event.at_ms);
            assert_eq!(
                listed(AuditFilter {
                    from_ms: Some(oldest),
                    until_ms: Some(newest + 1),
                    ..Default::default()
                }),
                numbers(&all)
            );
            assert!(
                listed(AuditFilter {
                    from_ms: Some(newest + 1),
                    ..Default::default()
                })
                .is_empty()
            );
            assert!(
                listed(AuditFilter {
                    until_ms: Some(oldest),
                    ..Default::default()
                })
                .is_empty()
            );

            // Pages of 3 by entry number: older from a cursor, and back.
            let page = |before: Option<u64>, after: Option<u64>| {
                numbers(
                    &store
                        .audit_entries(
                            &AuditFilter {
                                before,
                                after,
                                ..Default::default()
                            },
                            3,
                        )
                        .unwrap(),
                )
            };
            assert_eq!(page(None, None), [9, 8, 7]);
            assert_eq!(page(Some(7), None), [6, 5, 4]);
            assert_eq!(page(Some(4), None), [3, 2, 1]);
            assert_eq!(page(Some(3), None), [2, 1]);
            assert!(page(Some(1), None).is_empty());
            // The page before one that starts at 2: the three just newer, newest first.
            assert_eq!(page(None, Some(2)), [5, 4, 3]);
            assert_eq!(page(None, Some(6)), [9, 8, 7]);
            assert!(page(None, Some(9)).is_empty());
            assert_eq!(page(Some(u64::MAX), None), [9, 8, 7]);
            assert!(page(None, Some(u64::MAX)).is_empty());
            // A cursor within a filter keeps the filter.
            assert_eq!(
                numbers(
                    &store
                        .audit_entries(
                            &AuditFilter {
                                actor_kind: Some(ActorKind::User),
                                before: Some(7),
                                ..Default::default()
                            },
                            1,
                        )
                        .unwrap()
                ),
                [5]
            );
        }

        #[test]
        fn a_failed_write_appends_no_audit_entry() {
            let (store, plan) = seeded();
            let head = store.audit_head().unwrap();
            let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            let mut clash = input_from(store.as_ref(), first);
            clash.number = Some("2".into());
            assert!(store.create_work_package(plan, &clash, BY).is_err());
            assert!(store.import_plan(&seed(), OnExisting::Refuse, BY).is_err());
            assert!(
                store
                    .delete_section(store.sections(plan).unwrap()[0].id, None, BY)
                    .is_err()
            );
            store
                .check_import(&seed(), OnExisting::Replace, BY)
                .unwrap();
            assert_eq!(store.audit_head().unwrap(), head);
            assert_eq!(audit_count(store.as_ref()), 1);
        }

        #[test]
        fn the_audit_chain_verifies_and_a_recorded_head_must_be_in_it() {
            let (store, plan) = seeded();
            let recorded = store.audit_head().unwrap();
            let sections = store.sections(plan).unwrap();
            store
                .update_section(sections[0].id, Some("9".into()), None, None, BY)
                .unwrap();
            store
                .add_dependency(
                    store.list_work_packages(plan, &query()).unwrap().items[0].id,
                    store.list_work_packages(plan, &query()).unwrap().items[1].id,
                    BY,
                )
                .unwrap();
            let head = store.audit_verify(None).unwrap().unwrap();
            assert_eq!(head.sequence, 3);
            assert_eq!(
                store
                    .audit_verify(Some(&recorded.hash.to_hex()))
                    .unwrap()
                    .unwrap(),
                head
            );
            let unknown = "ab".repeat(32);
            assert!(matches!(
                store.audit_verify(Some(&unknown)).unwrap(),
                Err(waymark_core::audit::ChainError::HeadMissing { last: 3, .. })
            ));
            assert!(matches!(
                store.audit_verify(Some("nonsense")),
                Err(StoreError::Invalid { field: "head", .. })
            ));
        }

        #[test]
        fn a_plan_visited_in_parts_is_the_plan_loaded_whole() {
            let (store, plan) = seeded();
            let mut rebuilt: Option<Plan> = None;
            store
                .visit_plan(plan, &mut |part| {
                    match part {
                        waymark_store::PlanPart::Skeleton(p) => {
                            assert!(p.sections.iter().all(|s| s.work_packages.is_empty()));
                            rebuilt = Some(p);
                        }
                        waymark_store::PlanPart::Package { section, package } => {
                            rebuilt.as_mut().unwrap().sections[section]
                                .work_packages
                                .push(package);
                        }
                    }
                    true
                })
                .unwrap();
            assert_eq!(rebuilt.unwrap(), store.load_plan(plan).unwrap());
            // The visitor stops it.
            let mut parts = 0;
            store
                .visit_plan(plan, &mut |_| {
                    parts += 1;
                    parts < 3
                })
                .unwrap();
            assert_eq!(parts, 3);
            assert!(matches!(
                store.visit_plan(PlanId(999), &mut |_| true),
                Err(StoreError::NotFound { .. })
            ));
        }

        fn decision_input(
            date: &str,
            text: &str,
            work_packages: Vec<waymark_store::WorkPackageId>,
            programmes: Vec<ProgrammeId>,
        ) -> waymark_store::DecisionInput {
            waymark_store::DecisionInput {
                date: date.parse().unwrap(),
                meeting: "ICT Strategy Group, March 2007".into(),
                text: text.into(),
                rationale: "Safeguarding comes first.".into(),
                decided_by: "ICT Strategy Group".into(),
                work_packages,
                programmes,
            }
        }

        #[test]
        fn decisions_are_recorded_linked_changed_and_deleted_with_their_audit_entries() {
            let (store, plan) = seeded();
            assert!(store.decisions(plan, None).unwrap().is_empty());
            let packages = store.list_work_packages(plan, &query()).unwrap().items;
            let (first, second) = (packages[0].id, packages[1].id);
            let programme = store.programmes(plan).unwrap()[0].id;
            // A package given twice is linked once.
            let input = decision_input(
                "2007-03-14",
                "Adopt e-CAF across the directorate",
                vec![second, first, second],
                vec![programme],
            );
            let id = store.create_decision(plan, &input, BY).unwrap();
            let row = store.decision(id).unwrap();
            assert_eq!(row.plan_id, plan);
            assert_eq!(row.date.to_string(), "2007-03-14");
            assert_eq!(row.text, "Adopt e-CAF across the directorate");
            assert_eq!(row.decided_by, "ICT Strategy Group");
            // In plan order.
            let linked: Vec<_> = row.work_packages.iter().map(|w| w.id).collect();
            assert_eq!(linked, vec![first, second]);
            assert_eq!(row.work_packages[0].reference, packages[0].reference);
            assert_eq!(row.programmes.len(), 1);
            assert_eq!(store.package_decisions(first).unwrap()[0].id, id);
            assert!(store.package_decisions(packages[2].id).unwrap().is_empty());

            let (event, changes) = newest(store.as_ref());
            assert_eq!(
                (event.entity.kind.as_str(), event.entity.id.as_str(), event.action.as_str()),
                ("decision", id.to_string().as_str(), "create")
            );
            let field = |name: &str| {
                changes
                    .iter()
                    .find(|(f, _, _)| f == name)
                    .map(|(_, _, after)| after.clone())
            };
            assert_eq!(
                field("work_packages"),
                Some(Some(format!("{}; {}", packages[0].reference, packages[1].reference)))
            );
            assert_eq!(field("meeting"), Some(Some("ICT Strategy Group, March 2007".into())));

            // Changed at the version seen; a stale version changes nothing.
            let seen = row.version;
            let changed = decision_input("2007-03-15", "Adopt e-CAF in two phases", vec![first], vec![]);
            let mut once = Some(changed.clone());
            assert!(store
                .change_decision(id, Some(seen), &mut |_| once.take(), BY)
                .unwrap());
            let row = store.decision(id).unwrap();
            assert!(row.version > seen);
            assert_eq!(row.text, "Adopt e-CAF in two phases");
            assert_eq!(row.work_packages.len(), 1);
            assert!(row.programmes.is_empty());
            let (event, changes) = newest(store.as_ref());
            assert_eq!(event.action.as_str(), "update");
            assert!(changes.iter().any(|(f, before, after)| f == "date"
                && before.as_deref() == Some("2007-03-14")
                && after.as_deref() == Some("2007-03-15")));
            let stale = store.change_decision(id, Some(seen), &mut |_| Some(changed.clone()), BY);
            assert!(matches!(stale, Err(StoreError::Stale { .. })), "{stale:?}");
            assert!(matches!(
                store.delete_decision(id, Some(seen), BY),
                Err(StoreError::Stale { .. })
            ));

            // Deleting a linked package unlinks it; the decision stays.
            store.delete_work_package(first, None, BY).unwrap();
            assert!(store.decision(id).unwrap().work_packages.is_empty());

            store.delete_decision(id, Some(store.decision(id).unwrap().version), BY).unwrap();
            assert!(matches!(store.decision(id), Err(StoreError::NotFound { .. })));
            assert_eq!(newest(store.as_ref()).0.action.as_str(), "delete");
            assert!(matches!(
                store.delete_decision(id, None, BY),
                Err(StoreError::NotFound { .. })
            ));
        }

        #[test]
        fn a_decision_links_only_to_its_own_plans_packages_and_programmes() {
            let (store, plan) = seeded();
            let mut other = seed();
            other.title = "Another plan".into();
            let other = store.import_plan(&other, OnExisting::Refuse, BY).unwrap();
            let foreign = store.list_work_packages(other, &query()).unwrap().items[0].id;
            let foreign_programme = store.programmes(other).unwrap()[0].id;
            let before = audit_count(store.as_ref());
            let refused = store.create_decision(
                plan,
                &decision_input("2007-03-14", "Link abroad", vec![foreign], vec![]),
                BY,
            );
            assert!(
                matches!(refused, Err(StoreError::Invalid { field: "work_package_ids", .. })),
                "{refused:?}"
            );
            let refused = store.create_decision(
                plan,
                &decision_input("2007-03-14", "Link abroad", vec![], vec![foreign_programme]),
                BY,
            );
            assert!(
                matches!(refused, Err(StoreError::Invalid { field: "programme_ids", .. })),
                "{refused:?}"
            );
            let refused = store.create_decision(
                plan,
                &decision_input(
                    "2007-03-14",
                    "Link nowhere",
                    vec![waymark_store::WorkPackageId(999_999)],
                    vec![],
                ),
                BY,
            );
            assert!(matches!(refused, Err(StoreError::Invalid { .. })), "{refused:?}");
            assert!(matches!(
                store.create_decision(PlanId(999), &decision_input("2007-03-14", "x", vec![], vec![]), BY),
                Err(StoreError::NotFound { .. })
            ));
            // Nothing stored, nothing audited.
            assert!(store.decisions(plan, None).unwrap().is_empty());
            assert_eq!(audit_count(store.as_ref()), before);
            // A change is held to the same rule.
            let id = store
                .create_decision(plan, &decision_input("2007-03-14", "Mine", vec![], vec![]), BY)
                .unwrap();
            let moved = store.change_decision(
                id,
                None,
                &mut |d| {
                    let mut input = waymark_store::DecisionInput::from(d);
                    input.work_packages = vec![foreign];
                    Some(input)
                },
                BY,
            );
            assert!(matches!(moved, Err(StoreError::Invalid { field: "work_package_ids", .. })));
            assert!(store.decision(id).unwrap().work_packages.is_empty());
        }

        #[test]
        fn the_decision_log_is_newest_first_and_searchable() {
            let (store, plan) = seeded();
            let older = store
                .create_decision(plan, &decision_input("2006-11-01", "Fund the 100% e-CAF pilot", vec![], vec![]), BY)
                .unwrap();
            let newer = store
                .create_decision(plan, &decision_input("2007-05-20", "Close the ISA project", vec![], vec![]), BY)
                .unwrap();
            let same_day = store
                .create_decision(plan, &decision_input("2007-05-20", "Review the Child Concern Pathway", vec![], vec![]), BY)
                .unwrap();
            let ids = |q: Option<&str>| -> Vec<_> {
                let q = q.map(|q| q.parse::<waymark_core::search::SearchText>().unwrap());
                store.decisions(plan, q.as_ref()).unwrap().into_iter().map(|d| d.id).collect()
            };
            assert_eq!(ids(None), vec![same_day, newer, older]);
            assert_eq!(ids(Some("isa")), vec![newer]);
            // Every word must be there, in any of the texts (rationale, who decided).
            assert_eq!(ids(Some("pilot safeguarding")), vec![older]);
            assert_eq!(ids(Some("strategy group")).len(), 3);
            assert_eq!(ids(Some("pilot isa")), Vec::<waymark_store::DecisionId>::new());
            // LIKE's own characters are matched as themselves.
            assert_eq!(ids(Some("100%")), vec![older]);
            assert_eq!(ids(Some("e-CAF")), vec![older]);
            assert_eq!(ids(Some("a_b")), Vec::<waymark_store::DecisionId>::new());
            // Updated from its file, the plan keeps its log; imported in its
            // place, the plan is new and the old log goes with the old plan.
            let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            let linked = store
                .create_decision(plan, &decision_input("2007-06-01", "Keep it", vec![first], vec![]), BY)
                .unwrap();
            let mut newer = seed();
            newer.sections[0].work_packages[0].title = "Renamed".into();
            store
                .update_from_file(plan, &newer, &waymark_store::UpdateOptions::default(), BY)
                .unwrap();
            assert_eq!(ids(None).len(), 4);
            assert_eq!(store.decision(linked).unwrap().work_packages[0].id, first);
            assert_eq!(store.decision(linked).unwrap().work_packages[0].title, "Renamed");
            let replaced = store.import_plan(&seed(), OnExisting::Replace, BY).unwrap();
            assert!(store.decisions(replaced, None).unwrap().is_empty());
            assert!(matches!(
                store.decisions(PlanId(999), None),
                Err(StoreError::NotFound { .. })
            ));
        }

        #[test]
        fn only_managers_and_above_record_decisions() {
            let (store, plan) = seeded();
            let input = decision_input("2007-03-14", "Adopt e-CAF", vec![], vec![]);
            for role in [Role::Viewer, Role::Contributor] {
                let (_, who) = account(
                    store.as_ref(),
                    &format!("{role}@council.gov.uk"),
                    "Someone",
                    role,
                    &[],
                );
                let before = audit_count(store.as_ref());
                let refused = store.create_decision(plan, &input, &who);
                assert!(matches!(refused, Err(StoreError::Forbidden { .. })), "{role}: {refused:?}");
                assert_eq!(audit_count(store.as_ref()), before);
            }
            assert!(matches!(
                store.create_decision(plan, &input, &Actor::Anonymous),
                Err(StoreError::SignInRequired)
            ));
            let (_, manager) = account(store.as_ref(), "m@council.gov.uk", "Manager", Role::Manager, &[]);
            let id = store.create_decision(plan, &input, &manager).unwrap();
            assert_eq!(newest(store.as_ref()).0.actor.display, "Manager");
            let (_, viewer) = account(store.as_ref(), "v2@council.gov.uk", "Viewer", Role::Viewer, &[]);
            assert!(matches!(
                store.delete_decision(id, None, &viewer),
                Err(StoreError::Forbidden { .. })
            ));
            assert!(matches!(
                store.change_decision(id, None, &mut |d| Some(d.into()), &viewer),
                Err(StoreError::Forbidden { .. })
            ));
            store.delete_decision(id, None, &manager).unwrap();
        }

        #[test]
        fn a_baseline_freezes_the_plan_as_it_was_and_lists_newest_first() {
            let (store, plan) = seeded();
            let before = store.load_plan(plan).unwrap();
            let first = store.take_baseline(plan, "  Approved April  ", BY).unwrap();
            // The plan changes after: a package's delivery moves two quarters.
            let packages = store.list_work_packages(plan, &query()).unwrap().items;
            let mut input = input_from(store.as_ref(), packages[0].id);
            input.delivery = vec![waymark_core::DeliveryTarget { label: None, quarter: "Q2 2009".parse().unwrap() }];
            input.delivery_as_written = String::new();
            store.update_work_package(packages[0].id, &input, BY).unwrap();
            let second = store.take_baseline(plan, "After the move", BY).unwrap();

            let frozen = store.baseline(first).unwrap();
            assert_eq!(frozen.plan, before, "the baseline holds the plan as it was");
            assert_ne!(frozen.plan, store.load_plan(plan).unwrap());
            assert_eq!(frozen.row.name, "Approved April", "the name is trimmed");
            assert_eq!(frozen.row.plan_id, plan);
            assert_eq!(frozen.row.taken_by, "command line");
            assert_eq!(frozen.row.package_count, before.work_package_count() as u64);
            assert_eq!(store.baseline(second).unwrap().plan, store.load_plan(plan).unwrap());

            let list = store.baselines(plan).unwrap();
            let names: Vec<&str> = list.iter().map(|b| b.name.as_str()).collect();
            assert_eq!(names, vec!["After the move", "Approved April"]);
            assert_eq!(list[1], frozen.row);

            // Its audit entry names it, without the frozen plan.
            let entries = store
                .audit_entries(&AuditFilter { entity_kind: Some("baseline".into()), ..Default::default() }, 10)
                .unwrap();
            assert_eq!(entries.len(), 2);
            let event = &entries[1].entry.event;
            assert_eq!((event.action.as_str(), event.entity.id.as_str()), ("create", first.to_string().as_str()));
            let fields: Vec<&str> = event.changes.as_slice().iter().map(|c| c.field.as_str()).collect();
            assert!(fields.contains(&"name") && !fields.contains(&"plan_json"), "{fields:?}");

            // A baseline goes with its plan.
            store.delete_plan(plan, None, BY).unwrap();
            assert!(matches!(store.baseline(first), Err(StoreError::NotFound { what: "baseline" })));
            assert!(matches!(store.baselines(plan), Err(StoreError::NotFound { .. })));
        }

        #[test]
        fn taking_a_baseline_needs_approve_and_a_good_name() {
            let (store, plan) = seeded();
            let (_, manager) = account(store.as_ref(), "m@council.gov.uk", "Manager", Role::Manager, &[]);
            let (_, approver) = account(store.as_ref(), "a@council.gov.uk", "Approver", Role::Approver, &[]);
            let entries = audit_count(store.as_ref());
            assert!(matches!(store.take_baseline(plan, "Q1", &manager), Err(StoreError::Forbidden { .. })));
            assert!(matches!(store.take_baseline(plan, "Q1", &Actor::Anonymous), Err(StoreError::SignInRequired)));
            assert_eq!(audit_count(store.as_ref()), entries, "a refusal writes nothing");
            assert!(store.baselines(plan).unwrap().is_empty());

            let taken = store.take_baseline(plan, "Q1", &approver).unwrap();
            assert_eq!(store.baseline(taken).unwrap().row.taken_by, "Approver");
            for (name, field) in [("", "name"), ("   ", "name"), ("two\nlines", "name")] {
                match store.take_baseline(plan, name, &approver) {
                    Err(StoreError::Invalid { field: f, .. }) => assert_eq!(f, field, "{name:?}"),
                    other => panic!("{name:?}: {other:?}"),
                }
            }
            let long = "x".repeat(waymark_core::limits::BASELINE_NAME.max_chars + 1);
            assert!(matches!(store.take_baseline(plan, &long, &approver), Err(StoreError::Invalid { field: "name", .. })));
            assert!(matches!(store.take_baseline(plan, "q1", &approver), Err(StoreError::Conflict { field: "name", .. })));
            assert!(matches!(store.take_baseline(PlanId(999), "Q2", &approver), Err(StoreError::NotFound { what: "plan" })));
            assert!(matches!(store.baseline(waymark_store::BaselineId(999)), Err(StoreError::NotFound { .. })));
            assert_eq!(store.baselines(plan).unwrap().len(), 1);
        }


        fn note(date: &str, rag: Option<Rag>, text: &str) -> waymark_store::ProgressNoteInput {
            waymark_store::ProgressNoteInput { date: date.parse().unwrap(), rag, text: text.into() }
        }

        #[test]
        fn progress_notes_are_dated_by_their_author_and_set_the_rag() {
            let (store, plan) = seeded();
            let items = store.list_work_packages(plan, &query()).unwrap().items;
            let (mine, other) = (items[0].id, items[1].id);
            let mut input = input_from(store.as_ref(), mine);
            input.owner = "Head of ICT".into();
            input.rag = None;
            store.update_work_package(mine, &input, BY).unwrap();
            let (_, contributor) = account(store.as_ref(), "c@council.gov.uk", "Casey Contributor", Role::Contributor, &["Head of ICT"]);
            let (_, viewer) = account(store.as_ref(), "v@council.gov.uk", "Viewer", Role::Viewer, &["Head of ICT"]);
            let (_, manager) = account(store.as_ref(), "m@council.gov.uk", "Manager", Role::Manager, &[]);

            let version = store.work_package(mine).unwrap().row.version;
            let entries = audit_count(store.as_ref());
            let hostile = "<script>alert('x')</script> \"quotes\"; DROP TABLE progress_note; --";
            let first = store.add_progress_note(mine, &note("2007-01-15", Some(Rag::Amber), hostile), &contributor).unwrap();
            let stored = store.progress_note(first).unwrap();
            assert_eq!((stored.text.as_str(), stored.author.as_str(), stored.rag), (hostile, "Casey Contributor", Some(Rag::Amber)));
            let after = store.work_package(mine).unwrap();
            assert_eq!(after.row.rag, Some(Rag::Amber), "a note's RAG is the package's");
            assert!(after.row.version > version, "the package's version moves with its RAG");
            assert_eq!(audit_count(store.as_ref()), entries + 2, "the note and the package's RAG");
            let latest = store.audit_entries(&AuditFilter::default(), 2).unwrap();
            let kinds: Vec<&str> = latest.iter().map(|e| e.entry.event.entity.kind.as_str()).collect();
            assert_eq!(kinds, ["progress_note", "work_package"]);

            // No RAG: the package keeps its own.
            let second = store.add_progress_note(mine, &note("2007-03-01", None, "On track"), &manager).unwrap();
            assert_eq!(store.work_package(mine).unwrap().row.rag, Some(Rag::Amber));
            let third = store.add_progress_note(other, &note("2007-02-01", Some(Rag::Green), "Other"), &manager).unwrap();
            let list: Vec<_> = store.progress_notes(mine).unwrap().iter().map(|n| n.id).collect();
            assert_eq!(list, [second, first], "newest first");
            let latest: Vec<_> = store.latest_progress_notes(plan).unwrap().iter().map(|n| n.id).collect();
            assert_eq!(latest, [second, third]);
            assert_eq!(store.plan_progress_notes(plan).unwrap().len(), 3);

            // Who may: a contributor on their own packages only.
            let entries = audit_count(store.as_ref());
            assert!(matches!(store.add_progress_note(other, &note("2007-03-01", None, "x"), &contributor), Err(StoreError::Forbidden { .. })));
            assert!(matches!(store.add_progress_note(mine, &note("2007-03-01", None, "x"), &viewer), Err(StoreError::Forbidden { .. })));
            assert!(matches!(store.add_progress_note(mine, &note("2007-03-01", None, "x"), &Actor::Anonymous), Err(StoreError::SignInRequired)));
            assert!(matches!(store.delete_progress_note(third, None, &contributor), Err(StoreError::Forbidden { .. })));
            assert_eq!(audit_count(store.as_ref()), entries, "a refusal writes nothing");

            // The fields' rules.
            assert!(matches!(store.add_progress_note(mine, &note("2007-03-01", None, "  "), &manager), Err(StoreError::Invalid { field: "text", .. })));
            assert!(matches!(store.add_progress_note(mine, &note("0207-03-01", None, "x"), &manager), Err(StoreError::Invalid { field: "date", .. })));
            assert!(matches!(store.add_progress_note(waymark_store::WorkPackageId(9999), &note("2007-03-01", None, "x"), &manager), Err(StoreError::NotFound { .. })));

            // Changed and deleted at a version.
            let v = store.progress_note(first).unwrap().version;
            let mut change = Some(note("2007-01-16", Some(Rag::Red), "Changed"));
            assert!(store.change_progress_note(first, Some(v), &mut |_| change.take(), &contributor).unwrap());
            let changed = store.progress_note(first).unwrap();
            assert_eq!((changed.text.as_str(), changed.rag), ("Changed", Some(Rag::Red)));
            assert!(changed.version > v);
            assert_eq!(store.work_package(mine).unwrap().row.rag, Some(Rag::Amber), "a changed note leaves the package's RAG");
            let stale = store.delete_progress_note(first, Some(v), &contributor);
            assert!(matches!(stale, Err(StoreError::Stale { .. })), "{stale:?}");
            store.delete_progress_note(first, Some(changed.version), &contributor).unwrap();
            assert!(matches!(store.progress_note(first), Err(StoreError::NotFound { .. })));
            let deleted = store.audit_entries(&AuditFilter { entity_kind: Some("progress_note".into()), ..Default::default() }, 1).unwrap();
            assert_eq!(deleted[0].entry.event.action.as_str(), "delete");

            let of: Vec<_> = store.latest_progress_notes_of(&[other, mine]).unwrap().iter().map(|n| n.id).collect();
            assert_eq!(of, [third, second]);

            // Notes go with their package.
            store.delete_work_package(other, None, BY).unwrap();
            assert!(matches!(store.progress_note(third), Err(StoreError::NotFound { .. })));
        }

        #[test]
        fn the_package_history_reads_adds_removals_and_deliveries_from_the_audit() {
            use waymark_core::report::HistoryKind;
            let (store, plan) = seeded();
            let items = store.list_work_packages(plan, &query()).unwrap().items;
            let from = store.audit_entries(&AuditFilter::default(), 1).unwrap()[0].entry.event.at_ms + 1;
            std::thread::sleep(std::time::Duration::from_millis(5));
            let mut input = input_from(store.as_ref(), items[0].id);
            for status in [Status::Approved, Status::InProgress] {
                input.status = status;
                store.update_work_package(items[0].id, &input, BY).unwrap();
            }
            input.status = Status::Delivered;
            input.progress = waymark_core::Progress::new(100).unwrap();
            store.update_work_package(items[0].id, &input, BY).unwrap();
            store.delete_work_package(items[1].id, None, BY).unwrap();
            let mut added = input_from(store.as_ref(), items[2].id);
            added.number = None;
            added.title = "Added since".into();
            added.status = Status::Proposed;
            added.progress = waymark_core::Progress::default();
            store.create_work_package(plan, &added, BY).unwrap();
            let history = store.package_history(plan, from).unwrap();
            let seen: Vec<(HistoryKind, &str)> = history.iter().map(|e| (e.kind, e.title.as_str())).collect();
            assert_eq!(
                seen,
                [
                    (HistoryKind::Delivered, items[0].title.as_str()),
                    (HistoryKind::Removed, items[1].title.as_str()),
                    (HistoryKind::Added, "Added since"),
                ]
            );
            assert_eq!(history[1].reference, items[1].reference);
            assert!(store.package_history(plan, i64::MAX).unwrap().is_empty());
        }

        /// The entries of one record, newest first, as (action, field → after).
        fn entries_of(store: &dyn PlanStore, kind: &str, id: String) -> Vec<(String, Vec<(String, Option<String>)>)> {
            store
                .audit_entries(&AuditFilter { entity_kind: Some(kind.into()), entity_id: Some(id), ..Default::default() }, 100)
                .unwrap()
                .into_iter()
                .map(|e| {
                    let event = e.entry.event;
                    let changes = event.changes.as_slice().iter().map(|c| (c.field.as_str().to_string(), c.after.clone())).collect();
                    (event.action.as_str().to_string(), changes)
                })
                .collect()
        }

        #[test]
        fn a_status_changes_only_along_the_lifecycle_table() {
            let (store, plan) = seeded();
            let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            assert_eq!(store.work_package(first).unwrap().row.status, Status::Proposed, "the seed has no status column");
            let entries = audit_count(store.as_ref());
            let mut input = input_from(store.as_ref(), first);
            input.status = Status::Delivered;
            input.progress = waymark_core::Progress::new(100).unwrap();
            match store.update_work_package(first, &input, BY) {
                Err(StoreError::Invalid { field: "status", message }) => {
                    assert!(message.contains("from proposed it may move to approved, rejected, cancelled"), "{message}")
                }
                other => panic!("{other:?}"),
            }
            // The same through a check-and-change.
            let mut given = Some(input.clone());
            assert!(matches!(
                store.change_work_package(first, None, &mut |_| given.take(), BY),
                Err(StoreError::Invalid { field: "status", .. })
            ));
            assert_eq!(audit_count(store.as_ref()), entries, "a refusal writes nothing");
            // Rejecting needs its own write, with a reason.
            input.status = Status::Rejected;
            input.progress = waymark_core::Progress::new(0).unwrap();
            assert!(matches!(store.update_work_package(first, &input, BY), Err(StoreError::Invalid { field: "status", .. })));
            // Approving needs approve: a manager may not, an approver may.
            let (_, manager) = account(store.as_ref(), "m@council.gov.uk", "Manager", Role::Manager, &[]);
            let (_, approver) = account(store.as_ref(), "a@council.gov.uk", "Approver", Role::Approver, &[]);
            input.status = Status::Approved;
            assert!(matches!(store.update_work_package(first, &input, &manager), Err(StoreError::Forbidden { .. })));
            store.update_work_package(first, &input, &approver).unwrap();
            // Then a manager may start it, but not send it back to proposed.
            input.status = Status::InProgress;
            store.update_work_package(first, &input, &manager).unwrap();
            input.status = Status::Proposed;
            assert!(matches!(store.update_work_package(first, &input, &manager), Err(StoreError::Invalid { field: "status", .. })));
            assert_eq!(store.work_package(first).unwrap().row.status, Status::InProgress);
        }

        #[test]
        fn a_manager_refused_a_move_that_needs_approve_is_told_on_status() {
            let (store, plan) = seeded();
            let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            let (_, manager) = account(store.as_ref(), "m@council.gov.uk", "Manager", Role::Manager, &[]);
            let mut input = input_from(store.as_ref(), first);
            input.status = Status::Approved;
            match store.update_work_package(first, &input, &manager) {
                Err(StoreError::Forbidden { field: Some("status"), message }) => {
                    assert!(message.contains("from proposed to approved"), "{message}");
                    assert!(message.contains("approver role"), "{message}");
                }
                other => panic!("{other:?}"),
            }
        }

        /// A new package counts as moving from proposed: it may start
        /// proposed or cancelled with the right to add packages; any other
        /// status needs `approve`, checked in the write's transaction; none
        /// starts rejected (rejecting needs its reason).
        #[test]
        fn a_new_package_starts_past_proposed_only_with_approve() {
            let (store, plan) = seeded();
            let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            let (_, manager) = account(store.as_ref(), "m@council.gov.uk", "Manager", Role::Manager, &[]);
            let (_, approver) = account(store.as_ref(), "a@council.gov.uk", "Approver", Role::Approver, &[]);
            let mut n = 90;
            let mut new = |status: Status| {
                let mut input = input_from(store.as_ref(), first);
                n += 1;
                input.number = Some(n.to_string());
                input.title = format!("New, {}", status.as_str());
                input.status = status;
                input.progress = waymark_core::Progress::new(if status.is_done() { 100 } else { 0 }).unwrap();
                input
            };
            let entries = audit_count(store.as_ref());
            let count = store.list_work_packages(plan, &query()).unwrap().total;
            for status in [Status::Approved, Status::InProgress, Status::OnHold, Status::Delivered, Status::Closed] {
                match store.create_work_package(plan, &new(status), &manager) {
                    Err(StoreError::Forbidden { field: Some("status"), message }) => {
                        assert!(message.contains(&format!("as {}", status.as_str())), "{message}");
                        assert!(message.contains("approver role"), "{message}");
                    }
                    other => panic!("{status:?}: {other:?}"),
                }
            }
            for by in [&manager, &approver, BY] {
                match store.create_work_package(plan, &new(Status::Rejected), by) {
                    Err(StoreError::Invalid { field: "status", message }) => assert!(message.contains("Reject"), "{message}"),
                    other => panic!("{other:?}"),
                }
            }
            assert_eq!(audit_count(store.as_ref()), entries, "a refusal writes nothing");
            assert_eq!(store.list_work_packages(plan, &query()).unwrap().total, count);
            for status in [Status::Proposed, Status::Cancelled] {
                let id = store.create_work_package(plan, &new(status), &manager).unwrap();
                assert_eq!(store.work_package(id).unwrap().row.status, status);
            }
            for status in [Status::Approved, Status::InProgress, Status::OnHold, Status::Delivered, Status::Closed] {
                let id = store.create_work_package(plan, &new(status), &approver).unwrap();
                assert_eq!(store.work_package(id).unwrap().row.status, status);
            }
        }

        /// Approving by an edit (an approver's PATCH or edit form) is
        /// recorded as the approve endpoint records it: an `approve` entry
        /// with the status change (and any other field changed with it).
        #[test]
        fn an_edit_that_approves_is_recorded_as_an_approval() {
            let (store, plan) = seeded();
            let items = store.list_work_packages(plan, &query()).unwrap().items;
            let (_, approver) = account(store.as_ref(), "a@council.gov.uk", "Approver", Role::Approver, &[]);
            let mut input = input_from(store.as_ref(), items[0].id);
            input.status = Status::Approved;
            input.owner = "Head of ICT".into();
            store.update_work_package(items[0].id, &input, &approver).unwrap();
            let history = entries_of(store.as_ref(), "work_package", items[0].id.to_string());
            assert_eq!(history[0].0, "approve");
            assert!(history[0].1.contains(&("status".into(), Some("approved".into()))), "{:?}", history[0]);
            assert!(history[0].1.contains(&("owner".into(), Some("Head of ICT".into()))), "{:?}", history[0]);
            // The same through a check-and-change; then a later edit is an update.
            let mut given = Some(Status::Approved);
            let detail = store.work_package(items[1].id).unwrap();
            let changed = store
                .change_work_package(
                    items[1].id,
                    Some(detail.row.version),
                    &mut |stored| {
                        let mut input = input_of(stored.clone());
                        input.status = given.take()?;
                        Some(input)
                    },
                    &approver,
                )
                .unwrap();
            assert!(changed);
            assert_eq!(entries_of(store.as_ref(), "work_package", items[1].id.to_string())[0].0, "approve");
            let mut input = input_from(store.as_ref(), items[1].id);
            input.status = Status::InProgress;
            store.update_work_package(items[1].id, &input, &approver).unwrap();
            assert_eq!(entries_of(store.as_ref(), "work_package", items[1].id.to_string())[0].0, "update");
        }

        #[test]
        fn approving_and_rejecting_need_approve_and_keep_the_comment() {
            let (store, plan) = seeded();
            let items = store.list_work_packages(plan, &query()).unwrap().items;
            let (a, b) = (items[0].id, items[1].id);
            let (_, manager) = account(store.as_ref(), "m@council.gov.uk", "Manager", Role::Manager, &[]);
            let (_, approver) = account(store.as_ref(), "a@council.gov.uk", "Approver", Role::Approver, &[]);
            let entries = audit_count(store.as_ref());
            assert!(matches!(
                store.decide_work_package(a, None, Verdict::Approve, "", &manager),
                Err(StoreError::Forbidden { .. })
            ));
            assert_eq!(audit_count(store.as_ref()), entries, "checked in the write: nothing written");
            let v = store.work_package(a).unwrap().row.version;
            assert!(matches!(
                store.decide_work_package(a, Some(waymark_store::Version(v.0 + 1000)), Verdict::Approve, "", &approver),
                Err(StoreError::Stale { .. })
            ));
            let hostile = "<script>alert('x')</script> \"quoted\"; DROP TABLE work_package; --";
            store.decide_work_package(a, Some(v), Verdict::Approve, hostile, &approver).unwrap();
            let after = store.work_package(a).unwrap().row;
            assert_eq!(after.status, Status::Approved);
            assert!(after.version > v, "a decision gives the package a new version");
            let history = entries_of(store.as_ref(), "work_package", a.to_string());
            assert_eq!(history[0].0, "approve");
            assert!(history[0].1.contains(&("status".into(), Some("approved".into()))), "{:?}", history[0]);
            assert!(history[0].1.contains(&("comment".into(), Some(hostile.into()))), "verbatim: {:?}", history[0]);
            // Only a proposed package is decided on.
            assert!(matches!(
                store.decide_work_package(a, None, Verdict::Reject, "Too late", &approver),
                Err(StoreError::Invalid { field: "status", .. })
            ));
            // Rejecting needs a comment.
            assert!(matches!(
                store.decide_work_package(b, None, Verdict::Reject, "  ", &approver),
                Err(StoreError::Invalid { field: "comment", .. })
            ));
            let long = "x".repeat(waymark_core::limits::APPROVAL_COMMENT.max_chars + 1);
            assert!(matches!(
                store.decide_work_package(b, None, Verdict::Reject, &long, &approver),
                Err(StoreError::Invalid { field: "comment", .. })
            ));
            store.decide_work_package(b, None, Verdict::Reject, "Duplicates 10.1.3", &approver).unwrap();
            assert_eq!(store.work_package(b).unwrap().row.status, Status::Rejected);
            let history = entries_of(store.as_ref(), "work_package", b.to_string());
            assert_eq!(history[0].0, "reject");
            assert!(history[0].1.contains(&("comment".into(), Some("Duplicates 10.1.3".into()))));
            // Reopening a rejected package needs approve too.
            let mut input = input_from(store.as_ref(), b);
            input.status = Status::Proposed;
            assert!(matches!(store.update_work_package(b, &input, &manager), Err(StoreError::Forbidden { .. })));
            store.update_work_package(b, &input, &approver).unwrap();
        }

        #[test]
        fn approving_the_plan_approves_its_proposed_packages_and_takes_a_baseline() {
            let (store, plan) = seeded();
            let items = store.list_work_packages(plan, &query()).unwrap().items;
            let (_, manager) = account(store.as_ref(), "m@council.gov.uk", "Manager", Role::Manager, &[]);
            let (_, approver) = account(store.as_ref(), "a@council.gov.uk", "Approver", Role::Approver, &[]);
            // One package rejected first: it stays rejected.
            store.decide_work_package(items[0].id, None, Verdict::Reject, "Not now", &approver).unwrap();
            let summary = store.plan(plan).unwrap();
            assert_eq!((summary.status, summary.superseded_by), (PlanStatus::Draft, None));
            assert!(matches!(store.approve_plan(plan, None, "", &manager), Err(StoreError::Forbidden { .. })));
            assert!(matches!(
                store.approve_plan(plan, Some(waymark_store::Version(summary.version.0 + 1000)), "", &approver),
                Err(StoreError::Stale { .. })
            ));
            assert!(store.baselines(plan).unwrap().is_empty(), "a refusal takes no baseline");

            let approval = store.approve_plan(plan, Some(summary.version), "Agreed in March", &approver).unwrap();
            assert_eq!(approval.approved_packages as usize, items.len() - 1);
            assert!(approval.baseline_name.starts_with("Plan approved "), "{}", approval.baseline_name);
            let now = store.plan(plan).unwrap();
            assert_eq!(now.status, PlanStatus::Approved);
            assert!(now.version > summary.version);
            let after = store.list_work_packages(plan, &query()).unwrap().items;
            assert_eq!(after[0].status, Status::Rejected);
            assert!(after[1..].iter().all(|w| w.status == Status::Approved));
            // The baseline is of the plan as approved.
            let baseline = store.baseline(approval.baseline).unwrap();
            assert_eq!(baseline.row.name, approval.baseline_name);
            assert_eq!(baseline.plan, store.load_plan(plan).unwrap());
            // Audited: the plan with its comment, each package, the baseline.
            let plan_history = entries_of(store.as_ref(), "plan", plan.to_string());
            assert_eq!(plan_history[0].0, "approve");
            assert!(plan_history[0].1.contains(&("status".into(), Some("approved".into()))));
            assert!(plan_history[0].1.contains(&("comment".into(), Some("Agreed in March".into()))));
            let package_history = entries_of(store.as_ref(), "work_package", after[1].id.to_string());
            assert_eq!(package_history[0].0, "approve");
            assert!(package_history[0].1.contains(&("comment".into(), Some("Approved with the plan: Agreed in March".into()))));
            assert_eq!(entries_of(store.as_ref(), "baseline", approval.baseline.to_string())[0].0, "create");
            // Only a draft is approved.
            assert!(matches!(store.approve_plan(plan, None, "", &approver), Err(StoreError::Invalid { field: "status", .. })));
        }

        #[test]
        fn only_an_approved_plan_is_superseded() {
            let (store, plan) = seeded();
            let other = store.import_plan(&Plan { title: "The next plan".into(), ..seed() }, OnExisting::Refuse, BY).unwrap();
            assert!(matches!(store.supersede_plan(plan, None, None, "", BY), Err(StoreError::Invalid { field: "status", .. })));
            let approval = store.approve_plan(plan, None, "", BY).unwrap();
            // A second approval on the same day would need another name.
            assert!(approval.baseline_name.starts_with("Plan approved "));
            let (_, manager) = account(store.as_ref(), "m@council.gov.uk", "Manager", Role::Manager, &[]);
            assert!(matches!(store.supersede_plan(plan, None, Some(other), "", &manager), Err(StoreError::Forbidden { .. })));
            assert!(matches!(store.supersede_plan(plan, None, Some(plan), "", BY), Err(StoreError::Invalid { field: "superseded_by", .. })));
            assert!(matches!(store.supersede_plan(plan, None, Some(PlanId(999)), "", BY), Err(StoreError::Invalid { field: "superseded_by", .. })));
            store.supersede_plan(plan, None, Some(other), "The 2008 plan", BY).unwrap();
            let now = store.plan(plan).unwrap();
            assert_eq!((now.status, now.superseded_by), (PlanStatus::Superseded, Some(other)));
            assert_eq!(entries_of(store.as_ref(), "plan", plan.to_string())[0].0, "supersede");
            // Deleting the newer plan leaves the old one superseded, naming none.
            store.delete_plan(other, None, BY).unwrap();
            assert_eq!(store.plan(plan).unwrap().superseded_by, None);
        }

        #[test]
        fn the_approval_baseline_name_is_made_unique() {
            let (store, plan) = seeded();
            let name = waymark_core::lifecycle::plan::approval_baseline_name(
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64,
                1,
            );
            store.take_baseline(plan, &name, BY).unwrap();
            let approval = store.approve_plan(plan, None, "", BY).unwrap();
            assert_eq!(approval.baseline_name, format!("{name} (2)"));
        }

        fn raid_risk(title: &str, likelihood: u8, impact: u8) -> waymark_store::RaidInput {
            use waymark_core::raid::{RaidKind, RaidStatus, Rating};
            waymark_store::RaidInput {
                kind: RaidKind::Risk,
                title: title.into(),
                description: "Staff may not be trained in time.".into(),
                owner: "Head of ICT".into(),
                status: RaidStatus::Open,
                likelihood: Rating::new(likelihood),
                impact: Rating::new(impact),
                mitigation: "Train the trainers first".into(),
                next_review: Some("2007-04-01".parse().unwrap()),
                severity: None,
                resolution: String::new(),
                provider: String::new(),
                needed_by: None,
                work_packages: vec![],
                programmes: vec![],
            }
        }

        fn raid_issue(title: &str, severity: waymark_core::raid::Severity) -> waymark_store::RaidInput {
            use waymark_core::raid::{RaidKind, RaidStatus};
            waymark_store::RaidInput {
                kind: RaidKind::Issue,
                title: title.into(),
                description: String::new(),
                owner: "Service manager".into(),
                status: RaidStatus::Open,
                likelihood: None,
                impact: None,
                mitigation: String::new(),
                next_review: None,
                severity: Some(severity),
                resolution: String::new(),
                provider: String::new(),
                needed_by: None,
                work_packages: vec![],
                programmes: vec![],
            }
        }

        #[test]
        fn raid_items_are_recorded_linked_changed_and_deleted_with_their_audit_entries() {
            use waymark_core::raid::{RaidKind, RaidStatus, Rating};
            let (store, plan) = seeded();
            let none = waymark_store::RaidQuery::default();
            assert!(store.raid_items(plan, &none).unwrap().is_empty());
            let packages = store.list_work_packages(plan, &query()).unwrap().items;
            let (first, second) = (packages[0].id, packages[1].id);
            let programme = store.programmes(plan).unwrap()[0].id;
            let mut input = raid_risk("Robert'); DROP TABLE raid_item;-- <script>", 4, 5);
            input.work_packages = vec![second, first, second];
            input.programmes = vec![programme];
            let id = store.create_raid_item(plan, &input, BY).unwrap();
            let row = store.raid_item(id).unwrap();
            assert_eq!(row.plan_id, plan);
            assert_eq!(row.kind, RaidKind::Risk);
            assert_eq!(row.title, "Robert'); DROP TABLE raid_item;-- <script>");
            assert_eq!(row.score(), Some(20));
            let linked: Vec<_> = row.work_packages.iter().map(|w| w.id).collect();
            assert_eq!(linked, vec![first, second], "once each, in plan order");
            assert_eq!(row.programmes.len(), 1);
            assert_eq!(store.package_raid_items(first).unwrap()[0].id, id);
            assert!(store.package_raid_items(packages[2].id).unwrap().is_empty());

            let (event, changes) = newest(store.as_ref());
            assert_eq!(
                (event.entity.kind.as_str(), event.entity.id.as_str(), event.action.as_str()),
                ("raid_item", id.to_string().as_str(), "create")
            );
            let field = |changes: &[(String, Option<String>, Option<String>)], name: &str| {
                changes.iter().find(|(f, _, _)| f == name).map(|(_, _, after)| after.clone())
            };
            assert_eq!(field(&changes, "likelihood"), Some(Some("4".into())));
            assert_eq!(
                field(&changes, "work_packages"),
                Some(Some(format!("{}; {}", packages[0].reference, packages[1].reference)))
            );

            // Changed at the version seen; a stale version changes nothing.
            let seen = row.version;
            let mut changed = raid_risk("Training late", 2, 5);
            changed.status = RaidStatus::Closed;
            let mut once = Some(changed.clone());
            assert!(store.change_raid_item(id, Some(seen), &mut |_| once.take(), BY).unwrap());
            let row = store.raid_item(id).unwrap();
            assert!(row.version > seen);
            assert_eq!((row.title.as_str(), row.status, row.likelihood), ("Training late", RaidStatus::Closed, Rating::new(2)));
            assert!(row.work_packages.is_empty());
            let (event, changes) = newest(store.as_ref());
            assert_eq!(event.action.as_str(), "update");
            assert!(changes.iter().any(|(f, before, after)| f == "status"
                && before.as_deref() == Some("open")
                && after.as_deref() == Some("closed")));
            let stale = store.change_raid_item(id, Some(seen), &mut |_| Some(changed.clone()), BY);
            assert!(matches!(stale, Err(StoreError::Stale { .. })), "{stale:?}");
            assert!(matches!(store.delete_raid_item(id, Some(seen), BY), Err(StoreError::Stale { .. })));

            // Its kind never changes.
            let recast = store.change_raid_item(
                id,
                None,
                &mut |r| {
                    let mut input = waymark_store::RaidInput::from(r);
                    input.kind = RaidKind::Assumption;
                    input.likelihood = None;
                    input.impact = None;
                    input.mitigation.clear();
                    input.next_review = None;
                    input.status = RaidStatus::Open;
                    Some(input)
                },
                BY,
            );
            assert!(matches!(recast, Err(StoreError::Invalid { field: "kind", .. })), "{recast:?}");

            store.delete_raid_item(id, Some(store.raid_item(id).unwrap().version), BY).unwrap();
            assert!(matches!(store.raid_item(id), Err(StoreError::NotFound { .. })));
            assert_eq!(newest(store.as_ref()).0.action.as_str(), "delete");
            assert!(matches!(store.delete_raid_item(id, None, BY), Err(StoreError::NotFound { .. })));
        }

        #[test]
        fn a_raid_item_links_only_to_its_own_plan_and_holds_only_its_kinds_fields() {
            use waymark_core::raid::{RaidKind, RaidStatus, Severity};
            let (store, plan) = seeded();
            let mut other = seed();
            other.title = "Another plan".into();
            let other = store.import_plan(&other, OnExisting::Refuse, BY).unwrap();
            let foreign = store.list_work_packages(other, &query()).unwrap().items[0].id;
            let foreign_programme = store.programmes(other).unwrap()[0].id;
            let before = audit_count(store.as_ref());
            let refused = |input: waymark_store::RaidInput| match store.create_raid_item(plan, &input, BY) {
                Err(StoreError::Invalid { field, .. }) => field,
                other => panic!("{other:?}"),
            };
            let mut abroad = raid_risk("Abroad", 3, 3);
            abroad.work_packages = vec![foreign];
            assert_eq!(refused(abroad), "work_package_ids");
            let mut abroad = raid_risk("Abroad", 3, 3);
            abroad.programmes = vec![foreign_programme];
            assert_eq!(refused(abroad), "programme_ids");
            let mut nowhere = raid_risk("Nowhere", 3, 3);
            nowhere.work_packages = vec![waymark_store::WorkPackageId(999_999)];
            assert_eq!(refused(nowhere), "work_package_ids");
            let mut unrated = raid_risk("Unrated", 3, 3);
            unrated.impact = None;
            assert_eq!(refused(unrated), "impact");
            let mut resolved_risk = raid_risk("Resolved?", 3, 3);
            resolved_risk.status = RaidStatus::Resolved;
            assert_eq!(refused(resolved_risk), "status");
            let mut rated_issue = raid_issue("Rated", Severity::High);
            rated_issue.likelihood = waymark_core::raid::Rating::new(2);
            assert_eq!(refused(rated_issue), "likelihood");
            let mut assumption = raid_issue("Severe assumption", Severity::Low);
            assumption.kind = RaidKind::Assumption;
            assert_eq!(refused(assumption), "severity");
            assert!(matches!(
                store.create_raid_item(PlanId(999), &raid_risk("x", 1, 1), BY),
                Err(StoreError::NotFound { .. })
            ));
            assert!(store.raid_items(plan, &waymark_store::RaidQuery::default()).unwrap().is_empty());
            assert_eq!(audit_count(store.as_ref()), before, "nothing stored, nothing audited");

            // A change is held to the same rule.
            let id = store.create_raid_item(plan, &raid_risk("Mine", 1, 1), BY).unwrap();
            let moved = store.change_raid_item(
                id,
                None,
                &mut |r| {
                    let mut input = waymark_store::RaidInput::from(r);
                    input.work_packages = vec![foreign];
                    Some(input)
                },
                BY,
            );
            assert!(matches!(moved, Err(StoreError::Invalid { field: "work_package_ids", .. })));
            // Deleting a linked package unlinks it; a plan's deletion takes its log.
            let mine = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            store
                .change_raid_item(id, None, &mut |r| {
                    let mut input = waymark_store::RaidInput::from(r);
                    input.work_packages = vec![mine];
                    Some(input)
                }, BY)
                .unwrap();
            store.delete_work_package(mine, None, BY).unwrap();
            assert!(store.raid_item(id).unwrap().work_packages.is_empty());
            store.delete_plan(plan, None, BY).unwrap();
            assert!(matches!(store.raid_item(id), Err(StoreError::NotFound { .. })));
        }

        #[test]
        fn the_raid_log_filters_searches_and_gives_a_reports_highlights() {
            use waymark_core::raid::{RaidKind, RaidStatus, Rating, Severity};
            let (store, plan) = seeded();
            let programmes = store.programmes(plan).unwrap();
            let (isa, other_programme) = (programmes[0].id, programmes[1].id);
            // A package of the programme (the RAID item links to the package, not the programme).
            let in_isa = store.list_work_packages(plan, &query()).unwrap().items;
            let mut package = input_from(store.as_ref(), in_isa[0].id);
            package.programmes = Some(vec![isa]);
            store.update_work_package(in_isa[0].id, &package, BY).unwrap();
            let low = store.create_raid_item(plan, &raid_risk("Low 100% risk", 1, 2), BY).unwrap();
            let mut high = raid_risk("High risk", 5, 4);
            high.work_packages = vec![in_isa[0].id];
            let high = store.create_raid_item(plan, &high, BY).unwrap();
            let mut closed = raid_risk("Closed risk", 5, 5);
            closed.status = RaidStatus::Closed;
            let closed = store.create_raid_item(plan, &closed, BY).unwrap();
            let mut middle = raid_risk("Middle risk", 3, 3);
            middle.programmes = vec![other_programme];
            let middle = store.create_raid_item(plan, &middle, BY).unwrap();
            let minor = store.create_raid_item(plan, &raid_issue("Minor issue", Severity::Low), BY).unwrap();
            let mut critical = raid_issue("Critical issue", Severity::Critical);
            critical.programmes = vec![isa];
            let critical = store.create_raid_item(plan, &critical, BY).unwrap();
            let mut resolved = raid_issue("Resolved issue", Severity::Critical);
            resolved.status = RaidStatus::Resolved;
            resolved.resolution = "Fixed".into();
            store.create_raid_item(plan, &resolved, BY).unwrap();

            let ids = |q: waymark_store::RaidQuery| -> Vec<_> {
                store.raid_items(plan, &q).unwrap().into_iter().map(|r| r.id).collect()
            };
            let risks = waymark_store::RaidQuery { kind: Some(RaidKind::Risk), ..Default::default() };
            assert_eq!(ids(risks.clone()), vec![closed, high, middle, low], "highest score first");
            assert_eq!(
                ids(waymark_store::RaidQuery { status: Some(RaidStatus::Open), ..risks.clone() }),
                vec![high, middle, low]
            );
            assert_eq!(
                ids(waymark_store::RaidQuery { likelihood: Rating::new(5), impact: Rating::new(4), ..risks }),
                vec![high]
            );
            let search = |q: &str| ids(waymark_store::RaidQuery { search: Some(q.parse().unwrap()), ..Default::default() });
            assert_eq!(search("100%"), vec![low]);
            assert_eq!(search("fixed").len(), 1, "the resolution is searched");
            assert_eq!(search("trainers").len(), 4, "the mitigation is searched");

            let all = store.raid_highlights(plan, None, 2).unwrap();
            let top: Vec<_> = all.top_risks.iter().map(|r| r.id).collect();
            assert_eq!(top, vec![high, middle], "open risks only, highest first, as many as asked");
            let issues: Vec<_> = all.open_issues.iter().map(|r| r.id).collect();
            assert_eq!(issues, vec![critical, minor], "most severe first");
            let isa_only = store.raid_highlights(plan, Some(isa), 5).unwrap();
            assert_eq!(isa_only.top_risks.iter().map(|r| r.id).collect::<Vec<_>>(), vec![high]);
            assert_eq!(isa_only.open_issues.iter().map(|r| r.id).collect::<Vec<_>>(), vec![critical]);
            assert!(matches!(store.raid_highlights(PlanId(999), None, 5), Err(StoreError::NotFound { .. })));
        }

        #[test]
        fn only_managers_and_above_keep_the_raid_log() {
            let (store, plan) = seeded();
            let input = raid_risk("Budget cut", 2, 4);
            for role in [Role::Viewer, Role::Contributor] {
                let (_, who) = account(store.as_ref(), &format!("{role}@council.gov.uk"), "Someone", role, &[]);
                let before = audit_count(store.as_ref());
                let refused = store.create_raid_item(plan, &input, &who);
                assert!(matches!(refused, Err(StoreError::Forbidden { .. })), "{role}: {refused:?}");
                assert_eq!(audit_count(store.as_ref()), before);
            }
            assert!(matches!(
                store.create_raid_item(plan, &input, &Actor::Anonymous),
                Err(StoreError::SignInRequired)
            ));
            let (_, manager) = account(store.as_ref(), "m@council.gov.uk", "Manager", Role::Manager, &[]);
            let id = store.create_raid_item(plan, &input, &manager).unwrap();
            assert_eq!(newest(store.as_ref()).0.actor.display, "Manager");
            let (_, viewer) = account(store.as_ref(), "v2@council.gov.uk", "Viewer", Role::Viewer, &[]);
            assert!(matches!(store.delete_raid_item(id, None, &viewer), Err(StoreError::Forbidden { .. })));
            assert!(matches!(
                store.change_raid_item(id, None, &mut |r| Some(r.into()), &viewer),
                Err(StoreError::Forbidden { .. })
            ));
            store.delete_raid_item(id, None, &manager).unwrap();
        }

        #[test]
        fn criteria_need_approve_and_are_versioned_and_audited() {
            use waymark_core::priority::Weight;
            use waymark_store::CriterionInput;
            let (store, plan) = seeded();
            let (_, manager) = account(store.as_ref(), "m@council.gov.uk", "Manager", Role::Manager, &[]);
            let (_, approver) = account(store.as_ref(), "a@council.gov.uk", "Approver", Role::Approver, &[]);
            let input = |name: &str, weight: i64| CriterionInput {
                name: name.into(),
                description: "<script>alert(1)</script> '; DROP TABLE priority_score; --".into(),
                weight: Weight::new(weight).unwrap(),
                order: None,
            };
            let entries = audit_count(store.as_ref());
            assert!(matches!(store.create_criterion(plan, &input("Need", 30), &manager), Err(StoreError::Forbidden { .. })));
            assert_eq!(audit_count(store.as_ref()), entries, "a refusal writes nothing");
            let need = store.create_criterion(plan, &input("  Need ", 30), &approver).unwrap();
            let cost = store.create_criterion(plan, &input("Cost", 10), &approver).unwrap();
            let list = store.criteria(plan).unwrap();
            let names: Vec<(&str, u32)> = list.iter().map(|c| (c.name.as_str(), c.order)).collect();
            assert_eq!(names, vec![("Need", 1), ("Cost", 2)], "trimmed, in order");
            assert_eq!(list[0].description, "<script>alert(1)</script> '; DROP TABLE priority_score; --");
            assert!(matches!(store.create_criterion(plan, &input("need", 5), &approver), Err(StoreError::Conflict { field: "name", .. })));
            assert!(matches!(store.create_criterion(plan, &input(" ", 5), &approver), Err(StoreError::Invalid { field: "name", .. })));

            // A change at a stale version is refused; at the right one it is
            // audited and moves the version.
            let v = store.criterion(need).unwrap().version;
            assert!(matches!(
                store.change_criterion(need, Some(waymark_store::Version(v.0 + 100)), &mut |c| Some(c.into()), &approver),
                Err(StoreError::Stale { .. })
            ));
            assert!(matches!(
                store.change_criterion(need, Some(v), &mut |c| Some(c.into()), &manager),
                Err(StoreError::Forbidden { .. })
            ));
            let mut changed = Some(CriterionInput { order: Some(5), ..input("Need", 40) });
            assert!(store.change_criterion(need, Some(v), &mut |_| changed.take(), &approver).unwrap());
            let after = store.criterion(need).unwrap();
            assert!(after.version > v);
            assert_eq!((after.weight.get(), after.order), (40, 5));
            let entry = newest(store.as_ref()).0;
            assert_eq!((entry.entity.kind.as_str(), entry.action.as_str()), ("priority_criterion", "update"));
            assert_eq!(entry.actor.display, "Approver");
            let names: Vec<String> = store.criteria(plan).unwrap().into_iter().map(|c| c.name).collect();
            assert_eq!(names, vec!["Cost", "Need"], "listed by order");

            // Deleting takes the scores with it.
            let wp = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            store
                .create_score(plan, &waymark_store::ScoreInput { criterion: cost, item: waymark_store::ScoreItem::WorkPackage(wp), score: waymark_core::priority::Score::new(3).unwrap(), note: String::new() }, &manager)
                .unwrap();
            assert!(matches!(store.delete_criterion(cost, None, &manager), Err(StoreError::Forbidden { .. })));
            store.delete_criterion(cost, None, &approver).unwrap();
            assert!(store.priorities(plan).unwrap().scores.is_empty());
            let entry = newest(store.as_ref()).0;
            assert_eq!((entry.entity.kind.as_str(), entry.action.as_str()), ("priority_criterion", "delete"));
        }

        #[test]
        fn scores_are_one_per_item_and_criterion_versioned_and_audited() {
            use waymark_core::priority::{Score, Weight};
            use waymark_store::{CriterionInput, ScoreExpect, ScoreInput, ScoreItem, ScoreSet, ScoreValue};
            let (store, plan) = seeded();
            let (_, manager) = account(store.as_ref(), "m@council.gov.uk", "Manager", Role::Manager, &[]);
            let (_, contributor) = account(store.as_ref(), "c@council.gov.uk", "Contributor", Role::Contributor, &[]);
            let criterion = |name: &str| CriterionInput { name: name.into(), description: String::new(), weight: Weight::new(10).unwrap(), order: None };
            let need = store.create_criterion(plan, &criterion("Need"), BY).unwrap();
            let cost = store.create_criterion(plan, &criterion("Cost"), BY).unwrap();
            let wp = store.list_work_packages(plan, &query()).unwrap().items[0].id;
            let programme = store.programmes(plan).unwrap()[0].id;
            let item = ScoreItem::WorkPackage(wp);
            let new = |c, item, s: i64| ScoreInput { criterion: c, item, score: Score::new(s).unwrap(), note: "<b>why</b> \"quoted\"".into() };

            assert!(matches!(store.create_score(plan, &new(need, item, 4), &contributor), Err(StoreError::Forbidden { .. })));
            let id = store.create_score(plan, &new(need, item, 4), &manager).unwrap();
            let entry = newest(store.as_ref()).0;
            assert_eq!((entry.entity.kind.as_str(), entry.action.as_str()), ("priority_score", "create"));
            assert!(matches!(store.create_score(plan, &new(need, item, 2), &manager), Err(StoreError::Conflict { field: "criterion_id", .. })));
            let other_plan = store.import_plan(&{ let mut p = seed(); p.title = "Other".into(); p }, OnExisting::Refuse, BY).unwrap();
            assert!(matches!(store.create_score(other_plan, &new(need, item, 2), &manager), Err(StoreError::Invalid { field: "criterion_id", .. })));
            assert!(matches!(
                store.create_score(plan, &new(need, ScoreItem::WorkPackage(waymark_store::WorkPackageId(999_999)), 2), &manager),
                Err(StoreError::Invalid { field: "work_package_id", .. })
            ));
            let (row, of) = store.score(id).unwrap();
            assert_eq!((row.score.get(), of, row.note.as_str()), (4, plan, "<b>why</b> \"quoted\""));

            // Changed at its version; stale refused.
            let v = row.version;
            let mut value = Some(ScoreValue { score: Score::new(5).unwrap(), note: "better".into() });
            assert!(store.change_score(id, Some(v), &mut |_| value.take(), &manager).unwrap());
            assert!(matches!(store.delete_score(id, Some(v), &manager), Err(StoreError::Stale { .. })));
            let v2 = store.score(id).unwrap().0.version;
            assert!(v2 > v);

            // set_scores: one transaction, an entry per change, versions checked.
            let before = audit_count(store.as_ref());
            store
                .set_scores(
                    plan,
                    item,
                    &[
                        ScoreSet { criterion: need, expected: ScoreExpect::At(v2), value: None },
                        ScoreSet { criterion: cost, expected: ScoreExpect::Absent, value: Some(ScoreValue { score: Score::new(2).unwrap(), note: String::new() }) },
                    ],
                    &manager,
                )
                .unwrap();
            assert_eq!(audit_count(store.as_ref()), before + 2);
            let p = store.priorities(plan).unwrap();
            assert!(p.score(item, need).is_none(), "cleared");
            assert_eq!(p.score(item, cost).map(|s| s.score.get()), Some(2));
            // A stale row refuses the whole write.
            let refused = store.set_scores(
                plan,
                item,
                &[
                    ScoreSet { criterion: need, expected: ScoreExpect::Absent, value: Some(ScoreValue { score: Score::new(1).unwrap(), note: String::new() }) },
                    ScoreSet { criterion: cost, expected: ScoreExpect::Absent, value: None },
                ],
                &manager,
            );
            assert!(matches!(refused, Err(StoreError::Stale { .. })), "{refused:?}");
            assert!(store.priorities(plan).unwrap().score(item, need).is_none(), "nothing written");
            // Programmes are scored too; the ranking reads them.
            store
                .set_scores(plan, ScoreItem::Programme(programme), &[ScoreSet { criterion: need, expected: ScoreExpect::Any, value: Some(ScoreValue { score: Score::new(3).unwrap(), note: String::new() }) }], &manager)
                .unwrap();
            let p = store.priorities(plan).unwrap();
            let scoring = p.scoring();
            assert_eq!(scoring.items.len(), p.items.len());
            assert_eq!(scoring.criteria.len(), 2);
            // A score goes with its package.
            store.delete_work_package(wp, None, BY).unwrap();
            assert!(store.priorities(plan).unwrap().scores.iter().all(|s| s.item != item));
        }
    };
}

/// SQLite, on a fresh database file per store.
mod sqlite {
    use super::*;

    fn new_file_store() -> Arc<dyn PlanStore> {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "waymark-store-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        waymark_store::open(dir.join("test.db").to_str().unwrap()).unwrap()
    }

    store_suite!(new_file_store());

    /// An index: its name, table and SQL (none for a constraint's own).
    type IndexRow = (String, String, Option<String>);

    /// The schema's indexes and the search index's settings.
    fn schema_of(path: &str) -> (Vec<IndexRow>, Vec<(String, i64)>) {
        let conn = rusqlite::Connection::open(path).unwrap();
        let indexes = conn
            .prepare(
                "SELECT name, tbl_name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let search = conn
            .prepare("SELECT k, v FROM work_package_search_config WHERE k <> 'version' ORDER BY k")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        (indexes, search)
    }

    /// An import into tables that hold no package drops their indexes while
    /// it writes and makes them again; whatever way it ends, the schema is the
    /// migrations' and the search index's settings are FTS5's defaults.
    #[test]
    fn an_import_leaves_the_schema_as_it_found_it() {
        let dir = std::env::temp_dir().join(format!("waymark-store-bulk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("bulk.db");
        let path = path.to_str().unwrap();
        let store = waymark_store::open(path).unwrap();
        let (indexes, search) = schema_of(path);
        assert!(
            indexes
                .iter()
                .any(|(n, _, _)| n == "work_package_influence_by_influence")
        );
        let as_made = |store: &dyn PlanStore, what: &str| {
            let (now, settings) = schema_of(path);
            assert_eq!(now, indexes, "{what}");
            assert!(
                settings
                    .iter()
                    .all(|(k, v)| k == "hashsize" && *v == 1 << 20),
                "{what}: {settings:?} (before: {search:?})"
            );
            store
                .list_work_packages(store.list_plans().unwrap()[0].id, &query())
                .map(|p| p.total)
        };
        // A dry run, and an import refused after its packages were written.
        store.check_import(&seed(), OnExisting::Refuse, BY).unwrap();
        assert_eq!(schema_of(path).0, indexes, "after a dry run");
        let mut bad = seed();
        bad.dependencies.push(Dependency {
            predecessor: WorkPackageRef("99.1".into()),
            successor: WorkPackageRef("10.1.1".into()),
        });
        assert!(store.import_plan(&bad, OnExisting::Refuse, BY).is_err());
        assert_eq!(schema_of(path).0, indexes, "after a refused import");
        assert!(store.list_plans().unwrap().is_empty());
        // A first import, and one replacing the only plan.
        let id = store.import_plan(&seed(), OnExisting::Refuse, BY).unwrap();
        assert_eq!(as_made(store.as_ref(), "after an import").unwrap(), 17);
        assert_eq!(store.load_plan(id).unwrap(), seed());
        store.import_plan(&seed(), OnExisting::Replace, BY).unwrap();
        assert_eq!(as_made(store.as_ref(), "after a replace").unwrap(), 17);
        assert_eq!(store.load_plan(id).unwrap(), seed());
        // Search finds what the import wrote.
        let word = seed().sections[0].work_packages[0]
            .title
            .split_whitespace()
            .find(|w| w.len() > 3 && w.chars().all(char::is_alphanumeric))
            .unwrap()
            .to_string();
        let q = WorkPackageQuery {
            text: Some(word.parse().unwrap()),
            ..query()
        };
        assert!(
            store.list_work_packages(id, &q).unwrap().total >= 1,
            "{word}"
        );
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn database_urls_of_other_backends_are_errors_not_file_names() {
        let dir = std::env::temp_dir().join(format!("waymark-store-urls-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for url in [
            "postgres://waymark@db.example/plans",
            "postgresql://localhost/plans",
        ] {
            let err = waymark_store::open(url).err().expect("refused");
            assert!(matches!(err, StoreError::UnsupportedUrl { .. }), "{err}");
            assert!(
                err.to_string().contains("PostgreSQL is not supported yet"),
                "{err}"
            );
        }
        for url in [
            "mysql://localhost/plans",
            "file:plans.db",
            "https://example.org/plans.db",
        ] {
            let err = waymark_store::open(url).err().expect("refused");
            assert!(
                matches!(err, StoreError::UnsupportedUrl { .. }),
                "{url}: {err}"
            );
            let scheme = url.split(':').next().unwrap();
            assert!(err.to_string().contains(&format!("\"{scheme}:\"")), "{err}");
            assert!(
                !std::path::Path::new(&format!("{scheme}:")).exists(),
                "{url} must not become a file path"
            );
        }
        assert!(waymark_store::open("sqlite:").is_err());
        // The SQLite spellings open.
        let file = dir.join("plans.db");
        for url in [
            format!("sqlite:{}", file.display()),
            format!("sqlite://{}", file.display()),
            file.display().to_string(),
            "sqlite::memory:".to_string(),
        ] {
            let store = waymark_store::open(&url).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(store.list_plans().unwrap().is_empty());
        }
        assert!(file.exists());
    }

    /// A database made before register upkeep (at migration 2): the upgrade marks the packages
    /// whose related items a person had set by hand.
    #[test]
    fn the_upgrade_marks_hand_set_related_items() {
        let dir =
            std::env::temp_dir().join(format!("waymark-store-upgrade-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("old.db");
        let path = path.to_str().unwrap();
        let (hand_set, from_text) = {
            let store = waymark_store::open(path).unwrap();
            let plan = store.import_plan(&seed(), OnExisting::Refuse, BY).unwrap();
            let items = store.list_work_packages(plan, &query()).unwrap().items;
            let mut input = input_from(store.as_ref(), items[0].id);
            input.related_items = Some(vec!["Amethyst".into()]);
            store.update_work_package(items[0].id, &input, BY).unwrap();
            (items[0].id, items[1].id)
        };
        {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.execute_batch(
                "DROP TABLE audit_change; DROP TABLE audit_entry;
                 DROP TABLE related_item_alias;
                 ALTER TABLE work_package DROP COLUMN related_items_manual;
                 ALTER TABLE plan DROP COLUMN version; ALTER TABLE section DROP COLUMN version;
                 ALTER TABLE work_package DROP COLUMN version; ALTER TABLE influence DROP COLUMN version;
                 ALTER TABLE related_item DROP COLUMN version; ALTER TABLE programme DROP COLUMN version;
                 ALTER TABLE dependency DROP COLUMN version;
                 DROP TABLE session; DROP TABLE api_token; DROP TABLE account;
                 DROP TABLE server_secret;
                 ALTER TABLE work_package DROP COLUMN progress_note;
                 ALTER TABLE work_package DROP COLUMN delivery_as_written;
                 DROP TABLE decision_programme; DROP TABLE decision_work_package; DROP TABLE decision;
                 DROP TABLE baseline;
                 DROP TABLE priority_score; DROP TABLE priority_criterion;
                 DROP TABLE raid_item_programme; DROP TABLE raid_item_work_package; DROP TABLE raid_item;
                 ALTER TABLE plan DROP COLUMN status; ALTER TABLE plan DROP COLUMN superseded_by;
                 DROP TABLE progress_note;
                 PRAGMA user_version = 2;",
            )
            .unwrap();
        }
        let store = waymark_store::open(path).unwrap();
        assert!(store.work_package(hand_set).unwrap().related_items_manual);
        assert!(!store.work_package(from_text).unwrap().related_items_manual);
    }

    /// A database made before versions (at migration 4): every record starts
    /// at version 1, and the next change gives it a later one.
    #[test]
    fn the_upgrade_gives_every_record_a_version() {
        let dir =
            std::env::temp_dir().join(format!("waymark-store-versions-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("old.db");
        let path = path.to_str().unwrap();
        let (plan, wp) = {
            let store = waymark_store::open(path).unwrap();
            let plan = store.import_plan(&seed(), OnExisting::Refuse, BY).unwrap();
            (
                plan,
                store.list_work_packages(plan, &query()).unwrap().items[0].id,
            )
        };
        {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.execute_batch(
                "ALTER TABLE plan DROP COLUMN version; ALTER TABLE section DROP COLUMN version;
                 ALTER TABLE work_package DROP COLUMN version; ALTER TABLE influence DROP COLUMN version;
                 ALTER TABLE related_item DROP COLUMN version; ALTER TABLE programme DROP COLUMN version;
                 ALTER TABLE dependency DROP COLUMN version;
                 DROP TABLE session; DROP TABLE api_token; DROP TABLE account;
                 DROP TABLE server_secret;
                 ALTER TABLE work_package DROP COLUMN progress_note;
                 ALTER TABLE work_package DROP COLUMN delivery_as_written;
                 DROP TABLE priority_score; DROP TABLE priority_criterion;
                 DROP TABLE decision_programme; DROP TABLE decision_work_package; DROP TABLE decision;
                 DROP TABLE raid_item_programme; DROP TABLE raid_item_work_package; DROP TABLE raid_item;
                 DROP TABLE baseline;
                 ALTER TABLE plan DROP COLUMN status; ALTER TABLE plan DROP COLUMN superseded_by;
                 DROP TABLE progress_note;
                 PRAGMA user_version = 4;",
            )
            .unwrap();
        }
        let store = waymark_store::open(path).unwrap();
        let v = store.work_package(wp).unwrap().row.version;
        assert_eq!(v, waymark_store::Version(1));
        assert_eq!(store.plan(plan).unwrap().version, waymark_store::Version(1));
        let mut input = input_from(store.as_ref(), wp);
        input.owner = "After the upgrade".into();
        let mut input = Some(input);
        assert!(
            store
                .change_work_package(wp, Some(v), &mut |_| input.take(), BY)
                .unwrap()
        );
        assert!(store.work_package(wp).unwrap().row.version > v);
    }

    /// A database made before progress notes (at migration 7): its packages
    /// have neither field, the search index is built again with both, and a
    /// change stores and finds them.
    #[test]
    fn the_upgrade_adds_progress_notes_and_delivery_as_written() {
        let dir =
            std::env::temp_dir().join(format!("waymark-store-as-written-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("old.db");
        let path = path.to_str().unwrap();
        let (plan, wp) = {
            let store = waymark_store::open(path).unwrap();
            let plan = store.import_plan(&seed(), OnExisting::Refuse, BY).unwrap();
            (
                plan,
                store.list_work_packages(plan, &query()).unwrap().items[0].id,
            )
        };
        {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.execute_batch(
                "DROP TABLE work_package_search;
                 CREATE VIRTUAL TABLE work_package_search USING fts5(
                     ref, title, scope, relationships, delivery, comments, owner,
                     content='work_package', content_rowid='id', columnsize=0);
                 ALTER TABLE work_package DROP COLUMN progress_note;
                 DROP TABLE priority_score; DROP TABLE priority_criterion;
                 ALTER TABLE work_package DROP COLUMN delivery_as_written;
                 INSERT INTO work_package_search (work_package_search) VALUES ('rebuild');
                 DROP TABLE raid_item_programme; DROP TABLE raid_item_work_package; DROP TABLE raid_item;
                 DROP TABLE decision_programme; DROP TABLE decision_work_package; DROP TABLE decision;
                 DROP TABLE baseline;
                 ALTER TABLE plan DROP COLUMN status; ALTER TABLE plan DROP COLUMN superseded_by;
                 DROP TABLE progress_note;
                 PRAGMA user_version = 7;",
            )
            .unwrap();
        }
        let store = waymark_store::open(path).unwrap();
        let d = store.work_package(wp).unwrap();
        assert_eq!(
            (d.progress_note.as_str(), d.delivery_as_written.as_str()),
            ("", "")
        );
        let search = |text: &str| {
            let q = WorkPackageQuery {
                text: Some(text.parse().unwrap()),
                ..query()
            };
            store.list_work_packages(plan, &q).unwrap().items.len()
        };
        assert!(
            search("checklist") > 0,
            "the rebuilt index holds the old text"
        );
        let mut input = input_from(store.as_ref(), wp);
        input.progress_note = "Waiting for the zeppelin".into();
        input.delivery_as_written = "When the airship lands".into();
        store.update_work_package(wp, &input, BY).unwrap();
        let d = store.work_package(wp).unwrap();
        assert_eq!(
            (d.progress_note.as_str(), d.delivery_as_written.as_str()),
            ("Waiting for the zeppelin", "When the airship lands")
        );
        assert_eq!((search("zeppelin"), search("airship")), (1, 1));
    }

    /// A database made before progress notes (at migration 10): the table
    /// comes, and a note is stored.
    #[test]
    fn the_upgrade_adds_progress_notes() {
        let dir = std::env::temp_dir().join(format!("waymark-store-notes-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("old.db");
        let path = path.to_str().unwrap();
        let (plan, wp) = {
            let store = waymark_store::open(path).unwrap();
            let plan = store.import_plan(&seed(), OnExisting::Refuse, BY).unwrap();
            (
                plan,
                store.list_work_packages(plan, &query()).unwrap().items[0].id,
            )
        };
        {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.execute_batch(
                "DROP TABLE progress_note;
                 DROP TABLE raid_item_programme; DROP TABLE raid_item_work_package; DROP TABLE raid_item;
                 DROP TABLE priority_score; DROP TABLE priority_criterion;
                 ALTER TABLE plan DROP COLUMN status; ALTER TABLE plan DROP COLUMN superseded_by;
                 PRAGMA user_version = 10;",
            )
                .unwrap();
        }
        let store = waymark_store::open(path).unwrap();
        assert!(store.plan_progress_notes(plan).unwrap().is_empty());
        let input = waymark_store::ProgressNoteInput {
            date: "2007-03-14".parse().unwrap(),
            rag: None,
            text: "After the upgrade".into(),
        };
        let id = store.add_progress_note(wp, &input, BY).unwrap();
        assert_eq!(store.progress_note(id).unwrap().text, "After the upgrade");
    }

    #[test]
    fn the_upgrade_adds_baselines() {
        let dir =
            std::env::temp_dir().join(format!("waymark-store-baselines-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("old.db");
        let path = path.to_str().unwrap();
        let plan = {
            let store = waymark_store::open(path).unwrap();
            store.import_plan(&seed(), OnExisting::Refuse, BY).unwrap()
        };
        {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.execute_batch(
                "DROP TABLE baseline;
                 ALTER TABLE plan DROP COLUMN status; ALTER TABLE plan DROP COLUMN superseded_by; DROP TABLE decision_programme;
                 DROP TABLE decision_work_package; DROP TABLE decision;
                 DROP TABLE raid_item_programme; DROP TABLE raid_item_work_package; DROP TABLE raid_item;
                 DROP TABLE priority_score; DROP TABLE priority_criterion;
                 DROP TABLE progress_note;
                 PRAGMA user_version = 8;",
            )
            .unwrap();
        }
        let store = waymark_store::open(path).unwrap();
        assert!(store.baselines(plan).unwrap().is_empty());
        let id = store.take_baseline(plan, "After the upgrade", BY).unwrap();
        assert_eq!(
            store.baseline(id).unwrap().plan,
            store.load_plan(plan).unwrap()
        );
    }

    /// A database made before the lifecycle (at migration 10): packages not
    /// started become approved, in the plan and in its baselines' frozen
    /// copies, and the plan is a draft.
    #[test]
    fn the_upgrade_makes_not_started_packages_approved() {
        let dir =
            std::env::temp_dir().join(format!("waymark-store-lifecycle-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("old.db");
        let path = path.to_str().unwrap();
        let (plan, baseline) = {
            let store = waymark_store::open(path).unwrap();
            let plan = store.import_plan(&seed(), OnExisting::Refuse, BY).unwrap();
            (plan, store.take_baseline(plan, "Before", BY).unwrap())
        };
        {
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.execute_batch(
                "UPDATE work_package SET status = 'not_started';
                 UPDATE baseline SET plan_json = replace(plan_json, '\"status\":\"proposed\"', '\"status\":\"not_started\"');
                 ALTER TABLE plan DROP COLUMN status; ALTER TABLE plan DROP COLUMN superseded_by;
                 DROP TABLE raid_item_programme; DROP TABLE raid_item_work_package; DROP TABLE raid_item;
                 DROP TABLE priority_score; DROP TABLE priority_criterion;
                 DROP TABLE progress_note;
                 PRAGMA user_version = 10;",
            )
            .unwrap();
            let frozen: String = conn
                .query_row("SELECT plan_json FROM baseline", [], |r| r.get(0))
                .unwrap();
            assert!(frozen.contains("\"status\":\"not_started\""));
        }
        let store = waymark_store::open(path).unwrap();
        let items = store.list_work_packages(plan, &query()).unwrap().items;
        assert!(!items.is_empty());
        assert!(items.iter().all(|w| w.status == Status::Approved));
        assert_eq!(store.plan(plan).unwrap().status, PlanStatus::Draft);
        let frozen = store.baseline(baseline).unwrap().plan;
        assert!(
            frozen
                .work_packages()
                .all(|(_, _, w)| w.status == Status::Approved)
        );
        // The status counts follow.
        let q = WorkPackageQuery {
            status: Some(Status::Approved),
            ..query()
        };
        let all = store.list_work_packages(plan, &query()).unwrap().total;
        assert_eq!(store.list_work_packages(plan, &q).unwrap().total, all);
    }

    #[test]
    fn the_audit_tables_refuse_changes_and_removals() {
        let dir = std::env::temp_dir().join(format!("waymark-store-audit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("audit.db");
        let path = path.to_str().unwrap();
        let plan = {
            let store = waymark_store::open(path).unwrap();
            let plan = store.import_plan(&seed(), OnExisting::Refuse, BY).unwrap();
            store
                .update_plan(
                    plan,
                    &waymark_store::PlanInput {
                        title: "Renamed".into(),
                        organisation: String::new(),
                        period: String::new(),
                        introduction: String::new(),
                        quarter_convention: Default::default(),
                    },
                    BY,
                )
                .unwrap();
            plan
        };
        let conn = rusqlite::Connection::open(path).unwrap();
        for sql in [
            "UPDATE audit_entry SET actor_display = 'someone else'",
            "DELETE FROM audit_entry WHERE sequence = 2",
            "UPDATE audit_change SET after = 'x'",
            "DELETE FROM audit_change",
        ] {
            let err = conn.execute_batch(sql).unwrap_err();
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
        }
        drop(conn);
        let store = waymark_store::open(path).unwrap();
        assert_eq!(store.audit_verify(None).unwrap().unwrap().sequence, 2);
        assert_eq!(store.plan(plan).unwrap().title, "Renamed");
    }

    /// Two stores on one file: `a` writes and keeps its cached counts up to date
    /// by what each write changed; `b` counts afresh for every question.
    fn two_stores_on_one_file() -> (Arc<dyn PlanStore>, String) {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "waymark-store-twins-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("test.db").to_str().unwrap().to_string();
        (waymark_store::open(&path).unwrap(), path)
    }

    #[test]
    fn cached_counts_follow_package_writes_exactly() {
        let (store, path) = two_stores_on_one_file();
        let plan = store.import_plan(&seed(), OnExisting::Refuse, BY).unwrap();
        let sections = store.sections(plan).unwrap();
        let wfs = store
            .related_items(plan)
            .unwrap()
            .into_iter()
            .find(|r| r.name == "www.wfs")
            .unwrap();
        let programme = store.programmes(plan).unwrap()[0].id;
        let queries: Vec<WorkPackageQuery> = vec![
            query(),
            WorkPackageQuery {
                status: Some(Status::InProgress),
                ..query()
            },
            WorkPackageQuery {
                section: Some(sections[0].id),
                ..query()
            },
            WorkPackageQuery {
                text: Some("review".parse().unwrap()),
                ..query()
            },
            WorkPackageQuery {
                influence: Some("3.1.1".parse().unwrap()),
                ..query()
            },
            WorkPackageQuery {
                related_item: Some(wfs.id),
                ..query()
            },
            WorkPackageQuery {
                programme: Some(programme),
                ..query()
            },
            WorkPackageQuery {
                quarter: Some("Q2 2007".parse().unwrap()),
                status: Some(Status::InProgress),
                ..query()
            },
        ];
        let check = |when: &str| {
            // A second store on the same file has an empty cache: its counts are fresh.
            let fresh = waymark_store::open(&path).unwrap();
            for q in &queries {
                let cached = store.list_work_packages(plan, q).unwrap();
                let counted = fresh.list_work_packages(plan, q).unwrap();
                assert_eq!(cached.total, counted.total, "{when}: {q:?}");
                assert_eq!(cached.items, counted.items, "{when}: {q:?}");
            }
            assert_eq!(
                store.plan(plan).unwrap().work_package_count,
                fresh.plan(plan).unwrap().work_package_count,
                "{when}"
            );
            assert_eq!(
                store.filter_options(plan).unwrap(),
                fresh.filter_options(plan).unwrap(),
                "{when}"
            );
        };
        check("at first");
        let first = store.list_work_packages(plan, &query()).unwrap().items[0].id;
        let mut input = input_from(store.as_ref(), first);
        input.status = Status::Approved;
        input.title = "Review of reviews".into();
        input.influences = vec!["3.2.1".parse().unwrap(), "9.9.9".parse().unwrap()];
        input.related_items = Some(vec!["www.wfs".into(), "A new register".into()]);
        input.programmes = Some(vec![programme]);
        input.delivery = vec![waymark_core::DeliveryTarget {
            label: None,
            quarter: "Q2 2007".parse().unwrap(),
        }];
        store.update_work_package(first, &input, BY).unwrap();
        check("after an update");
        input.section_id = sections[1].id;
        input.number = Some("7".into());
        let created = store.create_work_package(plan, &input, BY).unwrap();
        check("after a create");
        input.status = Status::InProgress;
        input.title = "Licence audit".into();
        input.influences.clear();
        input.related_items = Some(Vec::new());
        input.programmes = Some(Vec::new());
        store.update_work_package(created, &input, BY).unwrap();
        check("after a second update");
        store.delete_work_package(first, None, BY).unwrap();
        check("after a delete");
        // A write by another process (here: another store) empties the cache.
        let other = waymark_store::open(&path).unwrap();
        other.delete_work_package(created, None, BY).unwrap();
        check("after another process wrote");
    }

    /// Who a token is, as another process's change reaches this one: a
    /// token revoked by this store stops at once; one revoked by another
    /// process (the command line) stops within two seconds for reads, and at
    /// once for writes (each checks its actor in its own transaction).
    #[test]
    fn a_token_revoked_elsewhere_stops_reading_within_two_seconds_and_writing_at_once() {
        let (here, path) = two_stores_on_one_file();
        let plan = here.import_plan(&seed(), OnExisting::Refuse, BY).unwrap();
        let account = here
            .create_account(
                &waymark_store::NewAccount {
                    email: "script@example.org".parse().unwrap(),
                    name: "Script".into(),
                    role: waymark_core::access::Role::Manager,
                    owner_names: Vec::new(),
                    password_hash: None,
                    must_change_password: false,
                },
                BY,
            )
            .unwrap();
        let token = here.create_token(account, "nightly", "d1", BY).unwrap();
        let now = 1_000_000;
        let caller = here.token_caller("d1", now).unwrap().expect("a live token");
        let elsewhere = waymark_store::open(&path).unwrap();
        elsewhere.revoke_token(token, BY).unwrap();
        // Writes: refused at once, whatever this process remembers.
        let refused = here.update_plan(
            plan,
            &waymark_store::PlanInput {
                title: "Changed by a revoked token".into(),
                organisation: String::new(),
                period: String::new(),
                introduction: String::new(),
                quarter_convention: Default::default(),
            },
            &caller.actor(),
        );
        assert!(
            matches!(refused, Err(waymark_store::StoreError::SignInRequired)),
            "{refused:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(2_100));
        assert_eq!(here.token_caller("d1", now).unwrap(), None);
        // Revoked here: at once.
        let second = here.create_token(account, "weekly", "d2", BY).unwrap();
        assert!(here.token_caller("d2", now).unwrap().is_some());
        here.revoke_token(second, BY).unwrap();
        assert_eq!(here.token_caller("d2", now).unwrap(), None);
    }
}
