//! The lifecycle's rules (`waymark_core::lifecycle`), inside the write's
//! transaction: a package's status changes only along the table, a move that
//! needs `approve` is checked against the actor as stored now, rejecting
//! needs a comment; approving a plan approves its proposed packages and
//! takes a baseline; only an approved plan is superseded.

use waymark_core::access::Action;
use waymark_core::audit::Snapshot;
use waymark_core::lifecycle::{self, plan as plan_rules};
use waymark_core::{PlanStatus, Status, limits};

use super::access::{self, Need};
use super::audit::{Audited, Subject, record};
use super::{PlanTx, baselines};
use crate::{Actor, BaselineId, PlanApproval, PlanId, Result, StoreError, Verdict, WorkPackageId};

/// A status change an edit asks for (a PATCH, the edit form): along the
/// table, `approve` checked when the move needs it, and never to rejected
/// (rejecting needs a comment: [`decide`]).
pub(crate) fn check_edit(tx: &mut dyn PlanTx, by: &Actor, from: Status, to: Status) -> Result<()> {
    let needs = lifecycle::check(from, to).map_err(|e| StoreError::Invalid {
        field: "status",
        message: e.to_string(),
    })?;
    if to == Status::Rejected && from != to {
        return Err(StoreError::Invalid {
            field: "status",
            message: "Reject a proposed package with Reject, saying why (the comment goes to its history)".into(),
        });
    }
    match needs {
        Some(action) => decision(tx, by, action, || {
            format!(
                "Moving a package from {} to {} is the strategy group's decision",
                from.as_str(),
                to.as_str()
            )
        }),
        None => Ok(()),
    }
}

/// The status a new package asks for (the API, the new-package form): as a
/// move from proposed ([`lifecycle::on_create`]: past proposed and cancelled
/// needs `approve`), and never rejected (rejecting needs its reason).
pub(crate) fn check_create(tx: &mut dyn PlanTx, by: &Actor, status: Status) -> Result<()> {
    if status == Status::Rejected {
        return Err(StoreError::Invalid {
            field: "status",
            message: "A new work package cannot start rejected: add it as proposed, then reject it with Reject, saying why (the comment goes to its history)".into(),
        });
    }
    match lifecycle::on_create(status) {
        Some(action) => decision(tx, by, action, || {
            format!(
                "Adding a package as {} is the strategy group's decision (a new package starts from proposed)",
                status.as_str()
            )
        }),
        None => Ok(()),
    }
}

/// `by` may take the decision a status asks for (`action`), else a refusal
/// naming the field `status`: what the status means (`what`), then what the
/// role would need.
fn decision(
    tx: &mut dyn PlanTx,
    by: &Actor,
    action: Action,
    what: impl FnOnce() -> String,
) -> Result<()> {
    access::check(tx, by, &Need::Action(action)).map_err(|e| match e {
        StoreError::Forbidden { message, .. } => StoreError::Forbidden {
            field: Some("status"),
            message: format!("{}. {message}", what()),
        },
        other => other,
    })
}

/// An edit of a package that approves it (its status from proposed to
/// approved, by an approver's PATCH or edit form) is recorded as an
/// approval (`approve`), as the approve endpoint's is, so the package's
/// history and the audit's `approve` filter show every approval.
pub(crate) fn edit_action(before: &Snapshot, after: &Snapshot) -> &'static str {
    fn status(s: &Snapshot) -> Option<&str> {
        s.iter()
            .find(|(k, _)| k.as_str() == "status")
            .map(|(_, v)| v.as_str())
    }
    if status(before) == Some(Status::Proposed.as_str())
        && status(after) == Some(Status::Approved.as_str())
    {
        "approve"
    } else {
        "update"
    }
}

/// The comment of an approver's decision: trimmed, within its limit.
fn comment(text: &str) -> Result<String> {
    let text = text.trim();
    limits::APPROVAL_COMMENT
        .check(text)
        .map_err(|e| StoreError::Invalid {
            field: e.field,
            message: e.message,
        })?;
    Ok(text.to_string())
}

/// Approve or reject proposed package `id` (the write needs `approve`,
/// checked by the write path from its `Audited::Decide`).
pub(crate) fn decide(
    tx: &mut dyn PlanTx,
    id: WorkPackageId,
    verdict: Verdict,
    text: &str,
) -> Result<()> {
    let text = comment(text)?;
    if verdict == Verdict::Reject && text.is_empty() {
        return Err(StoreError::Invalid {
            field: "comment",
            message: "Say why the package is rejected".into(),
        });
    }
    let (_, from) = tx.package_status(id)?.ok_or(StoreError::NotFound {
        what: "work package",
    })?;
    let to = match verdict {
        Verdict::Approve => Status::Approved,
        Verdict::Reject => Status::Rejected,
    };
    if from != Status::Proposed {
        return Err(StoreError::Invalid {
            field: "status",
            message: format!(
                "Only a proposed package can be {}; this one is {}",
                match verdict {
                    Verdict::Approve => "approved",
                    Verdict::Reject => "rejected",
                },
                from.as_str()
            ),
        });
    }
    lifecycle::check(from, to).map_err(|e| StoreError::Invalid {
        field: "status",
        message: e.to_string(),
    })?;
    tx.set_package_status(id, to)
}

/// Approve draft plan `id`: each proposed package approved with an audit
/// entry of its own (the plan's comment, or "Approved with the plan"), the
/// plan approved, and a baseline taken of it as approved. The plan's own
/// entry is the write's (`Audited::Decide`).
pub(crate) fn approve_plan(
    tx: &mut dyn PlanTx,
    id: PlanId,
    text: &str,
    by: &Actor,
    at_ms: i64,
) -> Result<PlanApproval> {
    let text = comment(text)?;
    let from = tx
        .plan_status(id)?
        .ok_or(StoreError::NotFound { what: "plan" })?;
    if !plan_rules::may_approve(from) {
        return Err(StoreError::Invalid {
            field: "status",
            message: format!(
                "Only a draft plan can be approved; this one is {}",
                from.as_str()
            ),
        });
    }
    let package_comment = if text.is_empty() {
        "Approved with the plan".to_string()
    } else {
        format!("Approved with the plan: {text}")
    };
    let proposed = tx.packages_with_status(id, Status::Proposed)?;
    for package in &proposed {
        let audited = Audited::<()>::Decide {
            action: "approve",
            subject: Subject::WorkPackage(*package),
            comment: package_comment.clone(),
        };
        let before = tx
            .snapshot(&Subject::WorkPackage(*package))?
            .unwrap_or_default();
        tx.set_package_status(*package, Status::Approved)?;
        record(tx, by, at_ms, &audited, &before, &())?;
    }
    tx.set_plan_status(id, PlanStatus::Approved, None)?;
    let mut attempt = 1;
    let name = loop {
        let name = plan_rules::approval_baseline_name(at_ms, attempt);
        if tx.baseline_named(id, &name)?.is_none() {
            break name;
        }
        attempt += 1;
    };
    let baseline = baselines::take(tx, id, &name, at_ms, by)?;
    record(
        tx,
        by,
        at_ms,
        &Audited::<BaselineId>::Create(|b| Subject::Baseline(*b)),
        &Snapshot::new(),
        &baseline,
    )?;
    Ok(PlanApproval {
        baseline,
        baseline_name: name,
        approved_packages: proposed.len() as u64,
    })
}

/// Mark approved plan `id` superseded, by `by_plan` when named (another
/// stored plan).
pub(crate) fn supersede_plan(
    tx: &mut dyn PlanTx,
    id: PlanId,
    by_plan: Option<PlanId>,
    text: &str,
) -> Result<()> {
    comment(text)?;
    let from = tx
        .plan_status(id)?
        .ok_or(StoreError::NotFound { what: "plan" })?;
    if !plan_rules::may_supersede(from) {
        return Err(StoreError::Invalid {
            field: "status",
            message: format!(
                "Only an approved plan can be superseded; this one is {}",
                from.as_str()
            ),
        });
    }
    if let Some(other) = by_plan {
        if other == id {
            return Err(StoreError::Invalid {
                field: "superseded_by",
                message: "A plan cannot supersede itself".into(),
            });
        }
        if !tx.plan_exists(other)? {
            return Err(StoreError::Invalid {
                field: "superseded_by",
                message: format!("There is no plan {other}"),
            });
        }
    }
    tx.set_plan_status(id, PlanStatus::Superseded, by_plan)
}
