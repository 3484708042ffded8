//! `waymark check`: lint rules over a stored plan.

use serde::Serialize;

use crate::model::{Date, Plan, Status};
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
        if wp.status.is_open()
            && wp.status != Status::Delivered
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
    for inf in &plan.influences {
        let used = plan
            .work_packages()
            .any(|(_, _, wp)| wp.influences.contains(&inf.code));
        if !used {
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
