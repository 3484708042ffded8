//! A plan against one of its baselines: a frozen copy of the plan taken on
//! a day (by an approver), compared with the plan as it is now. Packages are
//! matched by reference as an update from a file matches them
//! ([`update::compare`] with the baseline as the stored plan and the plan
//! now as the incoming one): added since the baseline, removed since,
//! changed field by field; and for each package both hold, how far its last
//! delivery part has moved, in quarters ([`slip_quarters`]).

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::model::{Plan, WorkPackage, WorkPackageRef, format_delivery};
use crate::quarter::Quarter;
use crate::update::{self, ChangedPackage, CompareError, PackageLine, Target};

/// One package the baseline and the plan both hold: its delivery then and
/// now, and how far it slipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageSlip {
    /// Its reference in the plan now.
    pub reference: WorkPackageRef,
    /// Its title now.
    pub title: String,
    /// The delivery parts at the baseline, as Waymark writes them.
    pub delivery_then: String,
    pub delivery_now: String,
    /// The last delivery quarter at the baseline and now.
    pub final_then: Option<Quarter>,
    pub final_now: Option<Quarter>,
    /// Quarters the last delivery part moved: later is positive, brought
    /// forward negative; `None` when either has no delivery quarter.
    pub slip_quarters: Option<i32>,
}

/// The plan now against a baseline.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BaselineComparison {
    /// Packages the plan has that the baseline had not.
    pub added: Vec<PackageLine>,
    /// Packages the baseline had that the plan no longer has.
    pub removed: Vec<PackageLine>,
    /// Packages both hold whose fields differ, field by field (before is
    /// the baseline).
    pub changed: Vec<ChangedPackage>,
    /// Packages both hold alike.
    pub unchanged: usize,
    /// Every package both hold, in the plan's order, with its slip.
    pub packages: Vec<PackageSlip>,
    /// Dependencies (predecessor, successor) the plan has that the baseline had not.
    pub dependencies_added: Vec<(WorkPackageRef, WorkPackageRef)>,
    /// Dependencies the baseline had that the plan no longer has.
    pub dependencies_removed: Vec<(WorkPackageRef, WorkPackageRef)>,
}

impl BaselineComparison {
    /// Packages whose last delivery part is later now than at the baseline.
    pub fn slipped(&self) -> usize {
        self.packages
            .iter()
            .filter(|p| p.slip_quarters.is_some_and(|s| s > 0))
            .count()
    }

    /// Packages whose last delivery part was brought forward.
    pub fn brought_forward(&self) -> usize {
        self.packages
            .iter()
            .filter(|p| p.slip_quarters.is_some_and(|s| s < 0))
            .count()
    }

    /// The comparison written out, one change per line (what `waymark
    /// baseline compare` prints).
    pub fn report(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} added, {} removed, {} changed, {} unchanged; {} later, {} brought forward",
            self.added.len(),
            self.removed.len(),
            self.changed.len(),
            self.unchanged,
            self.slipped(),
            self.brought_forward()
        );
        for p in &self.added {
            let _ = writeln!(out, "added {}: {}", p.reference, p.title);
        }
        for p in &self.removed {
            let _ = writeln!(out, "removed {}: {}", p.reference, p.title);
        }
        for p in &self.changed {
            let _ = writeln!(out, "changed {}: {}", p.reference, p.title);
            for f in &p.fields {
                let _ = writeln!(
                    out,
                    "  {}: {} -> {}",
                    f.field,
                    shown(&f.before),
                    shown(&f.after)
                );
            }
        }
        for p in &self.packages {
            if let Some(slip) = p.slip_quarters.filter(|s| *s != 0) {
                let _ = writeln!(
                    out,
                    "slip {}: {} -> {} ({})",
                    p.reference,
                    shown(&p.delivery_then),
                    shown(&p.delivery_now),
                    slip_words(slip)
                );
            }
        }
        for (p, s) in &self.dependencies_added {
            let _ = writeln!(out, "dependency added: {p} -> {s}");
        }
        for (p, s) in &self.dependencies_removed {
            let _ = writeln!(out, "dependency removed: {p} -> {s}");
        }
        out
    }
}

fn shown(text: &str) -> String {
    if text.is_empty() {
        "(none)".to_string()
    } else {
        text.replace('\n', " / ")
    }
}

/// A plan frozen as a baseline's text (JSON of [`Plan`]: every section,
/// package and field, the registers, programmes and dependencies).
pub fn freeze(plan: &Plan) -> Result<String, serde_json::Error> {
    serde_json::to_string(plan)
}

/// A baseline's text back as the plan it froze.
pub fn thaw(text: &str) -> Result<Plan, serde_json::Error> {
    serde_json::from_str(text)
}

/// How many quarters a package's last delivery part moved from `then` to
/// `now` (positive: later; negative: brought forward); `None` when either
/// has no delivery quarter.
pub fn slip_quarters(then: &WorkPackage, now: &WorkPackage) -> Option<i32> {
    let (then, now) = (then.final_delivery()?, now.final_delivery()?);
    Some(now.index() - then.index())
}

/// A slip said in words: "2 quarters later", "1 quarter earlier", "no change".
pub fn slip_words(slip: i32) -> String {
    let n = slip.unsigned_abs();
    let unit = if n == 1 { "quarter" } else { "quarters" };
    match slip {
        0 => "no change".to_string(),
        s if s > 0 => format!("{n} {unit} later"),
        _ => format!("{n} {unit} earlier"),
    }
}

/// The plan `now` against its `baseline`. Both are stored plans, so a
/// reference appears once in each; a plan that names one twice is the
/// error [`update::compare`] gives.
pub fn compare(baseline: &Plan, now: &Plan) -> Result<BaselineComparison, CompareError> {
    let cmp = update::compare(baseline, now)?;
    let mut packages = Vec::new();
    for (reference, _, wp) in now.work_packages() {
        let Some(Target::Update { section, package }) = cmp.targets.get(&reference) else {
            continue;
        };
        let Some(then) = baseline
            .sections
            .get(*section)
            .and_then(|s| s.work_packages.get(*package))
        else {
            continue;
        };
        packages.push(PackageSlip {
            reference,
            title: wp.title.clone(),
            delivery_then: format_delivery(&then.delivery),
            delivery_now: format_delivery(&wp.delivery),
            final_then: then.final_delivery(),
            final_now: wp.final_delivery(),
            slip_quarters: slip_quarters(then, wp),
        });
    }
    let pairs = |plan: &Plan| -> Vec<(WorkPackageRef, WorkPackageRef)> {
        plan.dependencies
            .iter()
            .map(|d| (d.predecessor.clone(), d.successor.clone()))
            .collect()
    };
    let (deps_then, deps_now) = (pairs(baseline), pairs(now));
    let then_set: HashSet<&(WorkPackageRef, WorkPackageRef)> = deps_then.iter().collect();
    let now_set: HashSet<&(WorkPackageRef, WorkPackageRef)> = deps_now.iter().collect();
    Ok(BaselineComparison {
        added: cmp.added,
        removed: cmp.missing,
        changed: cmp.changed,
        unchanged: cmp.unchanged,
        packages,
        dependencies_added: deps_now
            .iter()
            .filter(|d| !then_set.contains(d))
            .cloned()
            .collect(),
        dependencies_removed: deps_then
            .iter()
            .filter(|d| !now_set.contains(d))
            .cloned()
            .collect(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::model::{DeliveryTarget, Dependency, Section, Status};

    fn quarter(text: &str) -> Quarter {
        text.parse().unwrap()
    }

    fn package(number: &str, title: &str, delivery: &[&str]) -> WorkPackage {
        let mut wp = WorkPackage::new(number, title);
        wp.delivery = delivery
            .iter()
            .map(|q| DeliveryTarget {
                label: None,
                quarter: quarter(q),
            })
            .collect();
        wp
    }

    fn plan(packages: Vec<WorkPackage>) -> Plan {
        let mut p = Plan::new("Plan");
        p.sections.push(Section {
            number: Some("10.1".into()),
            title: Some("Core".into()),
            work_packages: packages,
        });
        p
    }

    #[test]
    fn slip_is_the_last_part_moved_in_quarters() {
        let then = package("1", "A", &["Q1 2027", "Q3 2027"]);
        // Across a year end: Q3 2027 -> Q1 2028 is two quarters later.
        let later = package("1", "A", &["Q1 2027", "Q1 2028"]);
        assert_eq!(slip_quarters(&then, &later), Some(2));
        let earlier = package("1", "A", &["Q2 2027"]);
        assert_eq!(slip_quarters(&then, &earlier), Some(-1));
        // Only the last part counts: an earlier part moving is no slip.
        let first_moved = package("1", "A", &["Q2 2027", "Q3 2027"]);
        assert_eq!(slip_quarters(&then, &first_moved), Some(0));
    }

    #[test]
    fn no_slip_without_a_delivery_quarter_on_either_side() {
        let dated = package("1", "A", &["Q4 2026"]);
        let undated = package("1", "A", &[]);
        assert_eq!(slip_quarters(&dated, &undated), None);
        assert_eq!(slip_quarters(&undated, &dated), None);
        assert_eq!(slip_quarters(&undated, &undated), None);
    }

    #[test]
    fn a_frozen_plan_thaws_as_it_was() {
        let mut p = plan(vec![package("1", "A", &["Q1 2027", "Q2 2027"])]);
        p.sections[0].work_packages[0].owner = "Head of ICT".into();
        p.sections[0].work_packages[0].influences = vec!["3.1.1".parse().unwrap()];
        p.dependencies.push(Dependency {
            predecessor: WorkPackageRef("10.1.1".into()),
            successor: WorkPackageRef("10.1.1".into()),
        });
        assert_eq!(thaw(&freeze(&p).unwrap()).unwrap(), p);
        assert!(thaw("{not json").is_err());
    }

    #[test]
    fn slip_in_words() {
        assert_eq!(slip_words(2), "2 quarters later");
        assert_eq!(slip_words(1), "1 quarter later");
        assert_eq!(slip_words(-1), "1 quarter earlier");
        assert_eq!(slip_words(-4), "4 quarters earlier");
        assert_eq!(slip_words(0), "no change");
    }

    #[test]
    fn the_plan_against_its_baseline() {
        let mut baseline = plan(vec![
            package("1", "Review", &["Q1 2027"]),
            package("2", "Upgrade", &["Q2 2027"]),
            package("3", "Retire", &["Q3 2027"]),
            package("4", "Undated", &[]),
        ]);
        baseline.dependencies.push(Dependency {
            predecessor: WorkPackageRef("10.1.1".into()),
            successor: WorkPackageRef("10.1.3".into()),
        });
        let mut now = plan(vec![
            package("1", "Review", &["Q3 2027"]),
            package("2", "Upgrade", &["Q1 2027"]),
            package("4", "Undated", &[]),
            package("5", "New", &["Q4 2027"]),
        ]);
        now.sections[0].work_packages[2].status = Status::InProgress;
        now.dependencies.push(Dependency {
            predecessor: WorkPackageRef("10.1.1".into()),
            successor: WorkPackageRef("10.1.5".into()),
        });
        let cmp = compare(&baseline, &now).unwrap();
        let refs = |lines: &[PackageLine]| -> Vec<String> {
            lines.iter().map(|p| p.reference.to_string()).collect()
        };
        assert_eq!(refs(&cmp.added), vec!["10.1.5"]);
        assert_eq!(refs(&cmp.removed), vec!["10.1.3"]);
        assert_eq!(cmp.changed.len(), 3);
        assert_eq!(cmp.changed[0].fields[0].field, "delivery");
        assert_eq!(cmp.changed[0].fields[0].before, "Q1 2027");
        assert_eq!(cmp.changed[0].fields[0].after, "Q3 2027");
        assert_eq!(cmp.changed[2].fields[0].field, "status");
        let slips: Vec<(String, Option<i32>)> = cmp
            .packages
            .iter()
            .map(|p| (p.reference.to_string(), p.slip_quarters))
            .collect();
        assert_eq!(
            slips,
            vec![
                ("10.1.1".to_string(), Some(2)),
                ("10.1.2".to_string(), Some(-1)),
                ("10.1.4".to_string(), None),
            ]
        );
        assert_eq!(cmp.packages[0].final_then, Some(quarter("Q1 2027")));
        assert_eq!(cmp.slipped(), 1);
        assert_eq!(cmp.brought_forward(), 1);
        assert_eq!(
            cmp.dependencies_added,
            vec![(
                WorkPackageRef("10.1.1".into()),
                WorkPackageRef("10.1.5".into())
            )]
        );
        assert_eq!(cmp.dependencies_removed.len(), 1);
        let report = cmp.report();
        assert!(
            report.starts_with(
                "1 added, 1 removed, 3 changed, 0 unchanged; 1 later, 1 brought forward"
            )
        );
        assert!(report.contains("slip 10.1.1: Q1 2027 -> Q3 2027 (2 quarters later)"));
        assert!(report.contains("dependency removed: 10.1.1 -> 10.1.3"));
    }

    #[test]
    fn a_plan_against_a_baseline_of_itself_changed_nothing() {
        let p = plan(vec![package("1", "A", &["Q1 2027"])]);
        let cmp = compare(&p, &p.clone()).unwrap();
        assert!(cmp.added.is_empty() && cmp.removed.is_empty() && cmp.changed.is_empty());
        assert_eq!(cmp.unchanged, 1);
        assert_eq!(cmp.packages[0].slip_quarters, Some(0));
        assert!(!cmp.report().contains("slip "));
    }
}
