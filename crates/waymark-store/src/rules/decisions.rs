//! The decision log's rules: a decision belongs to a plan and links only to
//! that plan's packages and programmes, each at most once and no more than
//! the declared limit.

use waymark_core::limits::MAX_DECISION_LINKS;

use super::PlanTx;
use crate::{DecisionId, DecisionInput, PlanId, Result, StoreError};

/// A new decision of `plan`, with its links.
pub(crate) fn create_decision(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    input: &DecisionInput,
) -> Result<DecisionId> {
    if !tx.plan_exists(plan)? {
        return Err(StoreError::NotFound { what: "plan" });
    }
    let input = checked_links(tx, plan, input)?;
    let id = tx.insert_decision(plan, &input)?;
    tx.set_decision_links(id, &input)?;
    Ok(id)
}

/// A decision's fields and links, replaced.
pub(crate) fn update_decision(
    tx: &mut dyn PlanTx,
    id: DecisionId,
    input: &DecisionInput,
) -> Result<()> {
    let plan = tx
        .decision_plan(id)?
        .ok_or(StoreError::NotFound { what: "decision" })?;
    let input = checked_links(tx, plan, input)?;
    tx.set_decision(id, &input)?;
    tx.set_decision_links(id, &input)
}

pub(crate) fn delete_decision(tx: &mut dyn PlanTx, id: DecisionId) -> Result<()> {
    if tx.delete_decision(id)? {
        Ok(())
    } else {
        Err(StoreError::NotFound { what: "decision" })
    }
}

/// The input with each link once (in the order first given), every one the
/// plan's; a package or programme of another plan, or none, is refused
/// naming its field.
fn checked_links(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    input: &DecisionInput,
) -> Result<DecisionInput> {
    let mut input = input.clone();
    dedup(&mut input.work_packages);
    dedup(&mut input.programmes);
    for (field, count) in [
        ("work_package_ids", input.work_packages.len()),
        ("programme_ids", input.programmes.len()),
    ] {
        if count > MAX_DECISION_LINKS {
            return Err(StoreError::Invalid {
                field,
                message: format!("A decision can link to at most {MAX_DECISION_LINKS} of these"),
            });
        }
    }
    for wp in &input.work_packages {
        if tx.package_place(*wp)?.map(|p| p.plan) != Some(plan) {
            return Err(StoreError::Invalid {
                field: "work_package_ids",
                message: format!("there is no work package {wp} in this plan"),
            });
        }
    }
    for p in &input.programmes {
        if tx.programme_plan(*p)? != Some(plan) {
            return Err(StoreError::Invalid {
                field: "programme_ids",
                message: format!("there is no programme {p} in this plan"),
            });
        }
    }
    Ok(input)
}

pub(super) fn dedup<T: PartialEq + Copy>(ids: &mut Vec<T>) {
    let mut seen = Vec::with_capacity(ids.len());
    ids.retain(|id| {
        if seen.contains(id) {
            false
        } else {
            seen.push(*id);
            true
        }
    });
}
