//! `waymark check`: lint rules over a stored plan.

use serde::Serialize;

use crate::model::{Date, Plan};
use crate::schedule;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule name, such as `no-delivery`.
    pub rule: &'static str,
    /// What the finding is about: a package reference or an influence code.
    pub subject: String,
    pub message: String,
}

/// Run every rule. `today` decides which delivery dates are in the past.
pub fn check(plan: &Plan, today: Date) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |rule, subject: String, message: String| {
        out.push(Finding {
            rule,
            subject,
            message,
        })
    };
    for (r, _, wp) in plan.work_packages() {
        if wp.delivery.is_empty() {
            push(
                "no-delivery",
                r.0.clone(),
                format!("{r} {} has no estimated delivery quarter", wp.title),
            );
        }
        if wp.influences.is_empty() {
            push(
                "no-influence",
                r.0.clone(),
                format!("{r} {} addresses no key influence", wp.title),
            );
        }
        // Contradictions a form refuses but an imported file may hold.
        if let Err(e) = crate::limits::check_status_progress(wp.status, wp.progress.get()) {
            push(
                "delivered-incomplete",
                r.0.clone(),
                format!("{r} {}: {e}", wp.title),
            );
        }
        if wp.status.is_open()
            && let Some(q) = wp.final_delivery()
        {
            let due = q.end_date(plan.quarter_convention);
            if due < today {
                push(
                    "overdue",
                    r.0.clone(),
                    format!(
                        "{r} {} was due by {q} (ends {due}) and is {}",
                        wp.title,
                        wp.status.label().to_lowercase()
                    ),
                );
            }
        }
    }
    let used: std::collections::HashSet<&crate::model::InfluenceCode> = plan
        .work_packages()
        .flat_map(|(_, _, wp)| &wp.influences)
        .collect();
    for inf in &plan.influences {
        if !used.contains(&inf.code) {
            push(
                "unaddressed-influence",
                inf.code.to_string(),
                format!("key influence {} is addressed by no work package", inf.code),
            );
        }
    }
    for path in schedule::find_cycles(&plan.dependencies) {
        let text = path
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(" → ");
        push(
            "dependency-cycle",
            path[0].0.clone(),
            format!("dependency cycle: {text}"),
        );
    }
    let finals: std::collections::HashMap<_, _> = plan
        .work_packages()
        .map(|(r, _, wp)| (r, wp.final_delivery()))
        .collect();
    for d in &plan.dependencies {
        if let (Some(Some(p)), Some(Some(s))) =
            (finals.get(&d.predecessor), finals.get(&d.successor))
            && s < p
        {
            push(
                "dependency-order",
                d.successor.0.clone(),
                format!(
                    "{} is due {s} but depends on {}, due later in {p}",
                    d.successor, d.predecessor
                ),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        DeliveryTarget, Dependency, Influence, InfluenceCode, Section, Status, WorkPackage,
        WorkPackageRef,
    };
    use crate::quarter::{Quarter, QuarterConvention};

    fn quarter(s: &str) -> Quarter {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    /// A package with a delivery quarter (if any) and influences.
    fn wp(number: &str, delivery: Option<&str>, influences: &[&str]) -> WorkPackage {
        let mut wp = WorkPackage::new(number, format!("Package {number}"));
        wp.delivery = delivery
            .map(|q| {
                vec![DeliveryTarget {
                    label: None,
                    quarter: quarter(q),
                }]
            })
            .unwrap_or_default();
        wp.influences = influences
            .iter()
            .map(|c| c.parse().unwrap_or_else(|e| panic!("{e}")))
            .collect();
        wp
    }

    fn plan(packages: Vec<WorkPackage>) -> Plan {
        let mut plan = Plan::new("Test plan");
        plan.sections.push(Section {
            number: Some("1".into()),
            title: Some("Systems".into()),
            work_packages: packages,
        });
        // The register: each code the packages cite, once.
        let mut codes: Vec<InfluenceCode> = plan
            .work_packages()
            .flat_map(|(_, _, wp)| wp.influences.clone())
            .collect();
        codes.sort();
        codes.dedup();
        plan.influences = codes
            .into_iter()
            .map(|code| Influence {
                code,
                title: String::new(),
                description: String::new(),
            })
            .collect();
        plan
    }

    fn dep(a: &str, b: &str) -> Dependency {
        Dependency {
            predecessor: WorkPackageRef(a.into()),
            successor: WorkPackageRef(b.into()),
        }
    }

    /// (rule, subject) of each finding, in order.
    fn found(plan: &Plan, today: &str) -> Vec<(&'static str, String)> {
        check(plan, date(today))
            .into_iter()
            .map(|f| (f.rule, f.subject))
            .collect()
    }

    const LONG_AGO: &str = "2000-01-01";

    #[test]
    fn a_complete_plan_has_no_findings() {
        let mut p = plan(vec![
            wp("1", Some("Q4 2006"), &["3.1.1"]),
            wp("2", Some("Q1 2007"), &["3.1.1"]),
        ]);
        p.dependencies.push(dep("1.1", "1.2"));
        assert_eq!(found(&p, LONG_AGO), []);
    }

    #[test]
    fn no_delivery() {
        let p = plan(vec![wp("1", None, &["3.1.1"])]);
        let findings = check(&p, date(LONG_AGO));
        assert_eq!(findings.len(), 1);
        assert_eq!(
            (
                findings[0].rule,
                findings[0].subject.as_str(),
                findings[0].message.as_str()
            ),
            (
                "no-delivery",
                "1.1",
                "1.1 Package 1 has no estimated delivery quarter"
            )
        );
    }

    /// Delivered at 90 %: a form refuses it; an imported plan is told.
    #[test]
    fn delivered_but_incomplete() {
        let mut p = plan(vec![
            wp("1", Some("Q4 2006"), &["3.1.1"]),
            wp("2", Some("Q4 2006"), &["3.1.1"]),
        ]);
        p.sections[0].work_packages[0].status = Status::Delivered;
        p.sections[0].work_packages[0].progress = "90".parse().unwrap_or_default();
        p.sections[0].work_packages[1].status = Status::Delivered;
        p.sections[0].work_packages[1].progress = "100".parse().unwrap_or_default();
        let findings = check(&p, date(LONG_AGO));
        assert_eq!(
            findings
                .iter()
                .map(|f| (f.rule, f.subject.as_str()))
                .collect::<Vec<_>>(),
            [("delivered-incomplete", "1.1")]
        );
        assert!(
            findings[0].message.contains("not 90%"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn no_influence() {
        let p = plan(vec![wp("1", Some("Q4 2006"), &[])]);
        let findings = check(&p, date(LONG_AGO));
        assert_eq!(
            findings
                .iter()
                .map(|f| (f.rule, f.message.as_str()))
                .collect::<Vec<_>>(),
            [("no-influence", "1.1 Package 1 addresses no key influence")]
        );
    }

    #[test]
    fn unaddressed_influence() {
        let mut p = plan(vec![wp("1", Some("Q4 2006"), &["3.1.1"])]);
        p.influences.push(Influence {
            code: "3.2.1".parse().unwrap_or_else(|e| panic!("{e}")),
            title: "Unused".into(),
            description: String::new(),
        });
        let findings = check(&p, date(LONG_AGO));
        assert_eq!(
            findings
                .iter()
                .map(|f| (f.rule, f.subject.as_str(), f.message.as_str()))
                .collect::<Vec<_>>(),
            [(
                "unaddressed-influence",
                "3.2.1",
                "key influence 3.2.1 is addressed by no work package"
            )]
        );
    }

    #[test]
    fn dependency_cycle() {
        let mut p = plan(vec![
            wp("1", Some("Q1 2007"), &["3.1.1"]),
            wp("2", Some("Q1 2007"), &["3.1.1"]),
            wp("3", Some("Q1 2007"), &["3.1.1"]),
        ]);
        // Stored plans can hold a cycle if it came in past the checks; say so.
        p.dependencies = vec![
            dep("1.1", "1.2"),
            dep("1.2", "1.3"),
            dep("1.3", "1.1"),
            dep("1.2", "1.2"),
        ];
        let findings = check(&p, date(LONG_AGO));
        assert_eq!(
            findings
                .iter()
                .map(|f| (f.rule, f.subject.as_str(), f.message.as_str()))
                .collect::<Vec<_>>(),
            [
                (
                    "dependency-cycle",
                    "1.3",
                    "dependency cycle: 1.3 → 1.1 → 1.2 → 1.3"
                ),
                ("dependency-cycle", "1.2", "dependency cycle: 1.2 → 1.2"),
            ]
        );
    }

    #[test]
    fn overdue_depends_on_today_status_and_convention() {
        let mut p = plan(vec![wp("1", Some("Q4 2006"), &["3.1.1"])]);
        // Calendar Q4 2006 ends on 31 December 2006.
        assert_eq!(found(&p, "2006-12-31"), []);
        assert_eq!(found(&p, "2007-01-01"), [("overdue", "1.1".to_string())]);
        assert_eq!(
            check(&p, date("2007-01-01"))[0].message,
            "1.1 Package 1 was due by Q4 2006 (ends 2006-12-31) and is proposed"
        );
        // Financial-year Q4 2006 is January to March 2007.
        p.quarter_convention = QuarterConvention::Financial;
        assert_eq!(found(&p, "2007-03-31"), []);
        assert_eq!(found(&p, "2007-04-01"), [("overdue", "1.1".to_string())]);
        // Only packages with work to do are overdue.
        let today = "2010-01-01";
        for (status, overdue) in [
            (Status::Proposed, true),
            (Status::Approved, true),
            (Status::InProgress, true),
            (Status::OnHold, true),
            (Status::Delivered, false),
            (Status::Cancelled, false),
            (Status::Closed, false),
            (Status::Rejected, false),
        ] {
            p.sections[0].work_packages[0].status = status;
            p.sections[0].work_packages[0].progress = if status.is_done() { "100" } else { "0" }
                .parse()
                .unwrap_or_default();
            assert_eq!(!found(&p, today).is_empty(), overdue, "{status:?}");
        }
    }

    #[test]
    fn overdue_uses_the_last_delivery_part() {
        let mut package = wp("1", Some("Q1 2007"), &["3.1.1"]);
        package.delivery.push(DeliveryTarget {
            label: Some("b".into()),
            quarter: quarter("Q3 2007"),
        });
        let p = plan(vec![package]);
        assert_eq!(found(&p, "2007-07-01"), []);
        assert_eq!(found(&p, "2007-10-01"), [("overdue", "1.1".to_string())]);
    }

    #[test]
    fn dependency_order() {
        let mut p = plan(vec![
            wp("1", Some("Q3 2007"), &["3.1.1"]),
            wp("2", Some("Q1 2007"), &["3.1.1"]),
            wp("3", None, &["3.1.1"]),
        ]);
        // 1.2 is due before 1.1, on which it depends; 1.3 has no date to compare.
        p.dependencies = vec![dep("1.1", "1.2"), dep("1.1", "1.3")];
        let findings = check(&p, date(LONG_AGO));
        assert_eq!(
            findings
                .iter()
                .map(|f| (f.rule, f.subject.as_str(), f.message.as_str()))
                .collect::<Vec<_>>(),
            [
                (
                    "no-delivery",
                    "1.3",
                    "1.3 Package 3 has no estimated delivery quarter"
                ),
                (
                    "dependency-order",
                    "1.2",
                    "1.2 is due Q1 2007 but depends on 1.1, due later in Q3 2007"
                ),
            ]
        );
        // The same quarter is not out of order.
        p.sections[0].work_packages[1].delivery[0].quarter = quarter("Q3 2007");
        assert_eq!(found(&p, LONG_AGO), [("no-delivery", "1.3".to_string())]);
    }

    #[test]
    fn the_seed_plan() {
        let seed = waymark_demo::CYPS_PLAN;
        let imported =
            crate::import::import(seed, crate::import::Format::PlanText, &Default::default())
                .unwrap_or_else(|e| panic!("{e}"));
        // Every package has a quarter and an influence, and every influence a package.
        assert_eq!(found(&imported.plan, "2006-10-01"), []);
        // By mid 2007 the 2006 and Q1 2007 packages are overdue.
        let overdue: Vec<String> = found(&imported.plan, "2007-05-01")
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(overdue, ["10.1.1", "10.2.1", "10.2.2", "#6.1"]);
    }
}
