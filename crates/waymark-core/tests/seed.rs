//! The customer's plan (the demo data, `waymark_demo::CYPS_PLAN`) read by the plan-text importer,
//! checked fact by fact. `fixtures.rs` compares the whole document with the
//! expected JSON; this file says in code what that document must contain, so a
//! regenerated expected file cannot quietly accept a wrong reading.

use std::path::Path;

use waymark_core::export::{to_json, to_markdown};
use waymark_core::import::{self, Format, ImportOptions, Imported};
use waymark_core::{Plan, RelatedKind, WorkPackage, WorkPackageRef};

fn seed() -> Imported {
    let path = Path::new(waymark_demo::CYPS_PLAN_PATH);
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    import::import(&bytes, Format::PlanText, &ImportOptions::default())
        .unwrap_or_else(|e| panic!("seed import failed: {e}"))
}

fn package<'a>(plan: &'a Plan, reference: &str) -> &'a WorkPackage {
    plan.work_packages()
        .find(|(r, _, _)| r.as_str() == reference)
        .map(|(_, _, wp)| wp)
        .unwrap_or_else(|| panic!("no work package {reference}"))
}

fn codes(wp: &WorkPackage) -> String {
    wp.influences
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn six_sections_with_the_unheaded_one_last_and_separate() {
    let plan = seed().plan;
    let sections: Vec<(Option<&str>, Option<&str>, usize)> = plan
        .sections
        .iter()
        .map(|s| {
            (
                s.number.as_deref(),
                s.title.as_deref(),
                s.work_packages.len(),
            )
        })
        .collect();
    assert_eq!(
        sections,
        [
            (Some("10.1"), Some("Core business systems"), 2),
            (Some("10.2"), Some("Governance"), 4),
            (Some("10.3"), Some("Integration strategy"), 4),
            (Some("10.4"), Some("Technology innovation"), 5),
            (Some("10.5"), Some("Organisation"), 1),
            (None, None, 1),
        ]
    );
    assert_eq!(plan.sections[5].label(5), "Section 6 (no heading)");
    assert_eq!(
        plan.sections[5].work_packages[0].title,
        "Produce financial model"
    );
}

#[test]
fn counts() {
    let plan = seed().plan;
    assert_eq!(plan.work_package_count(), 17);
    assert_eq!(plan.influence_link_count(), 44);
    let mut distinct: Vec<&str> = plan
        .work_packages()
        .flat_map(|(_, _, wp)| wp.influences.iter().map(|c| c.as_str()))
        .collect();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        distinct,
        [
            "3.1.1", "3.1.2", "3.1.3", "3.1.4", "3.2.1", "3.2.2", "3.2.3", "3.2.4", "3.2.5",
            "3.2.6", "3.3.1"
        ]
    );
    let register: Vec<&str> = plan.influences.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(
        register, distinct,
        "the register holds exactly the codes the packages cite"
    );
    assert!(plan.dependencies.is_empty());
}

/// Every package: reference, title, delivery and influences as the customer wrote them.
#[test]
fn every_package_field_by_field() {
    let plan = seed().plan;
    let expected = [
        (
            "10.1.1",
            "Application review",
            "Q4 2006",
            "3.1.1 3.1.2 3.1.3 3.1.4 3.2.4 3.2.6 3.3.1",
        ),
        (
            "10.1.2",
            "Review performance management systems",
            "Q2 2007",
            "3.1.1 3.1.4 3.3.1",
        ),
        (
            "10.2.1",
            "Finalise CYPS governance arrangements",
            "Q4 2006",
            "3.1.4 3.2.6",
        ),
        (
            "10.2.2",
            "Approve this strategy and action plan",
            "Q4 2006",
            "3.1.4 3.2.6",
        ),
        ("10.2.3", "Information management (IM)", "Q2 2007", "3.3.1"),
        (
            "10.2.4",
            "Benchmark against appropriate standards",
            "Q2 2007",
            "3.1.4 3.2.6",
        ),
        (
            "10.3.1",
            "Publish the strategy and get approval from partners, suppliers etc.",
            "Q2 2007",
            "3.1.1 3.1.2 3.1.3 3.2.3 3.2.4 3.2.5 3.2.6 3.3.1",
        ),
        ("10.3.2", "Workforce", "Q2 2007", "3.1.2 3.2.2"),
        (
            "10.3.3",
            "Review of schools ICT strategy",
            "Q2 2007",
            "3.1.1",
        ),
        (
            "10.3.4",
            "Make sure systems have access to integrated data and information",
            "Q2 2007",
            "3.3.1",
        ),
        (
            "10.4.1",
            "Evaluate the use of technology to increase children and young people’s participation",
            "Q3 2007",
            "3.2.1",
        ),
        (
            "10.4.2",
            "Use technology to increase participation in children’s education by parents and carers",
            "Q3 2007",
            "3.2.5",
        ),
        (
            "10.4.3",
            "Provide a) safe and secure access, and b) secure single sign on",
            "a) Q4 2007 b) Q4 2007",
            "3.1.2 3.2.2 3.2.5",
        ),
        (
            "10.4.4",
            "Provide anytime, anywhere access",
            "Q2 2007",
            "3.1.2 3.2.2",
        ),
        (
            "10.4.5",
            "Business transformation",
            "Q4 2007",
            "3.1.1 3.1.2",
        ),
        (
            "10.5.1",
            "Review the role of CYPS ICT support",
            "Q2 2007",
            "3.1.1 3.1.2 3.1.4 3.2.6",
        ),
        ("#6.1", "Produce financial model", "Q1 2007", "3.1.4 3.2.6"),
    ];
    let actual: Vec<(String, String, String, String)> = plan
        .work_packages()
        .map(|(r, _, wp)| {
            (
                r.0,
                wp.title.clone(),
                waymark_core::format_delivery(&wp.delivery),
                codes(wp),
            )
        })
        .collect();
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(r, t, d, i)| (r.to_string(), t.to_string(), d.to_string(), i.to_string()))
        .collect();
    assert_eq!(actual, expected);
    for (r, _, wp) in plan.work_packages() {
        // Nothing a person edits is set by the import.
        assert_eq!(wp.owner, "", "{r}");
        assert_eq!(wp.status, waymark_core::Status::Proposed, "{r}");
        assert_eq!(
            (wp.rag, wp.progress.get(), wp.actual_delivery),
            (None, 0, None),
            "{r}"
        );
    }
}

#[test]
fn package_10_1_2_has_no_comments_and_its_influences_in_the_right_field() {
    let plan = seed().plan;
    let wp = package(&plan, "10.1.2");
    assert_eq!(wp.comments, "");
    assert_eq!(codes(wp), "3.1.1 3.1.4 3.3.1");
    assert_eq!(wp.scope, "Identify gaps and new requirements.");
    assert_eq!(wp.relationships, "Post-Jar Action Plan.");
    // Its neighbour keeps its comment, with the pointer to section 6.2.
    assert_eq!(
        package(&plan, "10.1.1").comments,
        "Review all the systems, see 6.2."
    );
    // Only 10.1.1 has a comment at all.
    let commented: Vec<String> = plan
        .work_packages()
        .filter(|(_, _, wp)| !wp.comments.is_empty())
        .map(|(r, _, _)| r.0)
        .collect();
    assert_eq!(commented, ["10.1.1"]);
}

#[test]
fn package_10_4_3_has_two_labelled_delivery_parts() {
    let plan = seed().plan;
    let wp = package(&plan, "10.4.3");
    let parts: Vec<(Option<&str>, String)> = wp
        .delivery
        .iter()
        .map(|d| (d.label.as_deref(), d.quarter.to_string()))
        .collect();
    assert_eq!(
        parts,
        [
            (Some("a"), "Q4 2007".to_string()),
            (Some("b"), "Q4 2007".to_string())
        ]
    );
    // Its row starts without `|`, and its cells run over three lines.
    assert_eq!(wp.scope, "For customers and staff.");
    assert_eq!(
        wp.relationships,
        "Corporate ICT Strategy and Customer Data Strategy."
    );
    assert_eq!(codes(wp), "3.1.2 3.2.2 3.2.5");
    // Every other package has one unlabelled part.
    for (r, _, wp) in plan
        .work_packages()
        .filter(|(r, _, _)| r.as_str() != "10.4.3")
    {
        assert_eq!(wp.delivery.len(), 1, "{r}");
        assert_eq!(wp.delivery[0].label, None, "{r}");
    }
}

#[test]
fn web_like_names_are_related_items_not_links() {
    let imported = seed();
    let plan = &imported.plan;
    for name in ["www.br", "www.wfs"] {
        let item = plan.related_items.iter().find(|i| i.name == name);
        assert_eq!(item.map(|i| i.kind), Some(RelatedKind::Programme), "{name}");
    }
    assert_eq!(
        package(plan, "10.3.1")
            .related_items
            .last()
            .map(String::as_str),
        Some("www.br")
    );
    assert_eq!(package(plan, "10.3.2").related_items, ["www.wfs"]);
    assert_eq!(
        package(plan, "10.3.4").related_items,
        ["RAP", "IM Strategy", "workforce data", "www.wfs"]
    );
    assert_eq!(
        package(plan, "10.4.5").related_items,
        ["Corporate ICT Strategy", "www.br"]
    );
    // The relationships text is kept verbatim beside the names.
    assert_eq!(
        package(plan, "10.3.4").relationships,
        "RAP, IM Strategy (to be developed) and workforce data (www.wfs)."
    );
    // No export turns them into links.
    for text in [to_json(plan), to_markdown(plan)] {
        assert!(!text.contains("http"), "an export made a link");
        assert!(
            !text.contains("](") && !text.contains("<www"),
            "an export made a link"
        );
    }
}

#[test]
fn priorities_are_the_three_initial_ones() {
    let plan = seed().plan;
    let names: Vec<&str> = plan.priorities().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["ISA", "e-CAF", "Child Concern Pathway"]);
    assert_eq!(plan.programmes.len(), 3);
    // e-CAF is named in 10.3.1's relationships, so that package is in the programme.
    let ecaf = plan
        .programmes
        .iter()
        .find(|p| p.name == "e-CAF")
        .map(|p| p.work_packages.clone());
    assert_eq!(ecaf, Some(vec![WorkPackageRef("10.3.1".into())]));
    assert!(
        plan.introduction
            .starts_with("The ICT Strategy Group needs to identify priorities")
    );
}

#[test]
fn cells_broken_across_lines_are_joined() {
    let plan = seed().plan;
    // 10.3.1: the delivery and influences cells are on the next line.
    let wp = package(&plan, "10.3.1");
    assert_eq!(waymark_core::format_delivery(&wp.delivery), "Q2 2007");
    assert_eq!(
        wp.relationships,
        "Corporate ICT Strategy, DfES ISI project, e-CAF, government Connect programme and www.br."
    );
    // 10.4.1: the scope is a line of its own.
    let wp = package(&plan, "10.4.1");
    assert_eq!(
        wp.scope,
        "What is available? What are others doing? Involve children and young people."
    );
    assert_eq!(wp.relationships, "Corporate ICT Strategy.");
    // 10.4.2: relationships, delivery and influences continue on the next line.
    let wp = package(&plan, "10.4.2");
    assert_eq!(
        wp.scope,
        "What’s available? What are others doing? Involve parents and carers."
    );
    assert_eq!(wp.relationships, "Corporate ICT strategy.");
    assert_eq!(
        (waymark_core::format_delivery(&wp.delivery), codes(wp)),
        ("Q3 2007".into(), "3.2.5".into())
    );
    // 10.5.1: the relationships cell starts the next line.
    let wp = package(&plan, "10.5.1");
    assert_eq!(wp.relationships, "Corporate ICT review.");
    assert_eq!(codes(wp), "3.1.1 3.1.2 3.1.4 3.2.6");
    // The finance package: the scope is a line of its own.
    let wp = package(&plan, "#6.1");
    assert_eq!(
        wp.scope,
        "Identify current levels of one-off and ongoing spend. Identify CYPS, corporate and external investment funds. Identify external funding opportunities."
    );
    assert_eq!(
        wp.relationships,
        "2006 – 2007 budgets, existing external funding and Medium Term Financial Plan."
    );
    // No cell kept a line break or a stray bar, and nothing went to the notes.
    for (r, _, wp) in plan.work_packages() {
        for text in [&wp.title, &wp.scope, &wp.relationships, &wp.comments] {
            assert!(
                !text.contains('\n') && !text.contains('|') && text.trim() == text,
                "{r}: {text:?}"
            );
        }
    }
    assert_eq!(plan.notes, "");
}

#[test]
fn the_report_names_each_inference_with_its_line() {
    let report: Vec<String> = seed().diagnostics.iter().map(ToString::to_string).collect();
    assert_eq!(
        report,
        [
            "line 1, column 139: warning: read the initial priorities as priority programmes: ISA, e-CAF, Child Concern Pathway",
            "line 5, column 1: warning: row has 5 cells but the header has 6; no cell for \"Comments\"; \"3.1.1 3.1.4 3.3.1\" read as Cross-reference to key influences by its content",
            "line 26, column 1: warning: row does not start with \"|\"; read as a new row",
            "line 35, column 1: warning: table has no section heading; kept as a section of its own after 10.5 Organisation",
        ]
    );
}
