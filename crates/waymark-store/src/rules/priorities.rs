//! Priorities' rules: a plan's criteria (named once each, within the limits,
//! at most `MAX_CRITERIA`; written by approvers) and scores (one per
//! criterion and item, the item the criterion's plan's; written by managers).
//! A criterion deleted takes its scores with it.

use waymark_core::limits;

use super::audit::{Audited, Subject, record};
use super::{PlanTx, expect_version};
use crate::{
    Actor, CriterionId, CriterionInput, PlanId, Result, ScoreExpect, ScoreId, ScoreInput,
    ScoreItem, ScoreSet, ScoreValue, StoreError, Version,
};

fn limit(e: limits::LimitError) -> StoreError {
    StoreError::Invalid {
        field: e.field,
        message: e.message,
    }
}

/// The input with its text trimmed and checked against its limits.
fn checked(input: &CriterionInput) -> Result<CriterionInput> {
    let name = input.name.trim().to_string();
    if name.is_empty() {
        return Err(StoreError::Invalid {
            field: "name",
            message: "Enter a name for the criterion".into(),
        });
    }
    limits::CRITERION_NAME.check(&name).map_err(limit)?;
    limits::CRITERION_DESCRIPTION
        .check(&input.description)
        .map_err(limit)?;
    if let Some(order) = input.order
        && !limits::CRITERION_ORDERS.contains(&order)
    {
        return Err(StoreError::Invalid {
            field: "order",
            message: format!(
                "The order must be a whole number from {} to {}",
                limits::CRITERION_ORDERS.start(),
                limits::CRITERION_ORDERS.end()
            ),
        });
    }
    Ok(CriterionInput {
        name,
        ..input.clone()
    })
}

fn unique_name(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    name: &str,
    this: Option<CriterionId>,
) -> Result<()> {
    match tx.criterion_named(plan, name)? {
        Some(other) if Some(other) != this => Err(StoreError::Conflict {
            field: "name",
            message: format!("The plan already has a criterion named \"{name}\""),
        }),
        _ => Ok(()),
    }
}

pub(crate) fn create_criterion(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    input: &CriterionInput,
) -> Result<CriterionId> {
    if !tx.plan_exists(plan)? {
        return Err(StoreError::NotFound { what: "plan" });
    }
    let mut input = checked(input)?;
    if tx.criterion_count(plan)? >= limits::MAX_CRITERIA {
        return Err(StoreError::Invalid {
            field: "name",
            message: format!("A plan can have at most {} criteria", limits::MAX_CRITERIA),
        });
    }
    unique_name(tx, plan, &input.name, None)?;
    if input.order.is_none() {
        let next = tx
            .last_criterion_order(plan)?
            .unwrap_or(0)
            .saturating_add(1)
            .min(*limits::CRITERION_ORDERS.end());
        input.order = Some(next);
    }
    tx.insert_criterion(plan, &input)
}

pub(crate) fn update_criterion(
    tx: &mut dyn PlanTx,
    id: CriterionId,
    input: &CriterionInput,
) -> Result<()> {
    let plan = tx
        .criterion_plan(id)?
        .ok_or(StoreError::NotFound { what: "criterion" })?;
    let input = checked(input)?;
    unique_name(tx, plan, &input.name, Some(id))?;
    tx.set_criterion(id, &input)
}

pub(crate) fn delete_criterion(tx: &mut dyn PlanTx, id: CriterionId) -> Result<()> {
    if tx.delete_criterion(id)? {
        Ok(())
    } else {
        Err(StoreError::NotFound { what: "criterion" })
    }
}

/// The item must be of `plan`; its field named as the API names it.
fn item_of(tx: &mut dyn PlanTx, plan: PlanId, item: ScoreItem) -> Result<()> {
    let (found, field, what) = match item {
        ScoreItem::WorkPackage(id) => (
            tx.package_place(id)?.map(|p| p.plan),
            "work_package_id",
            "work package",
        ),
        ScoreItem::Programme(id) => (tx.programme_plan(id)?, "programme_id", "programme"),
    };
    if found == Some(plan) {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            field,
            message: format!("there is no {what} {} in this plan", item.id()),
        })
    }
}

fn criterion_of(tx: &mut dyn PlanTx, plan: PlanId, criterion: CriterionId) -> Result<()> {
    if tx.criterion_plan(criterion)? == Some(plan) {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            field: "criterion_id",
            message: format!("there is no criterion {criterion} in this plan"),
        })
    }
}

fn checked_note(note: &str) -> Result<()> {
    limits::SCORE_NOTE.check(note).map_err(limit)
}

pub(crate) fn create_score(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    input: &ScoreInput,
) -> Result<ScoreId> {
    if !tx.plan_exists(plan)? {
        return Err(StoreError::NotFound { what: "plan" });
    }
    criterion_of(tx, plan, input.criterion)?;
    item_of(tx, plan, input.item)?;
    checked_note(&input.note)?;
    if tx.score_of(input.criterion, input.item)?.is_some() {
        return Err(StoreError::Conflict {
            field: "criterion_id",
            message: "This item already has a score on this criterion: change that one".into(),
        });
    }
    tx.insert_score(
        input.criterion,
        input.item,
        &ScoreValue {
            score: input.score,
            note: input.note.clone(),
        },
    )
}

pub(crate) fn update_score(tx: &mut dyn PlanTx, id: ScoreId, value: &ScoreValue) -> Result<()> {
    checked_note(&value.note)?;
    if tx.set_score(id, value)? {
        Ok(())
    } else {
        Err(StoreError::NotFound { what: "score" })
    }
}

pub(crate) fn delete_score(tx: &mut dyn PlanTx, id: ScoreId) -> Result<()> {
    if tx.delete_score(id)? {
        Ok(())
    } else {
        Err(StoreError::NotFound { what: "score" })
    }
}

/// One item's scores set or cleared together, each checked against the
/// version it was expected at, each an audit entry of its own (created,
/// changed or deleted; a score set to what it was records nothing).
pub(crate) fn set_scores(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    item: ScoreItem,
    sets: &[ScoreSet],
    by: &Actor,
    at_ms: i64,
) -> Result<()> {
    if !tx.plan_exists(plan)? {
        return Err(StoreError::NotFound { what: "plan" });
    }
    item_of(tx, plan, item)?;
    for set in sets {
        criterion_of(tx, plan, set.criterion)?;
        if let Some(v) = &set.value {
            checked_note(&v.note)?;
        }
        let existing = tx.score_of(set.criterion, item)?;
        match (set.expected, existing) {
            (ScoreExpect::Absent, Some(id)) => {
                let current = tx.version(&Subject::Score(id))?.unwrap_or(Version(0));
                return Err(StoreError::Stale {
                    what: "score",
                    expected: Version(0),
                    current,
                });
            }
            (ScoreExpect::At(v), None) => {
                return Err(StoreError::Stale {
                    what: "score",
                    expected: v,
                    current: Version(0),
                });
            }
            (ScoreExpect::At(v), Some(id)) => {
                expect_version(tx, &Subject::Score(id), Some(v))?;
            }
            _ => {}
        }
        match (existing, &set.value) {
            (None, None) => {}
            (None, Some(value)) => {
                let id = tx.insert_score(set.criterion, item, value)?;
                let subject = Subject::Score(id);
                record(
                    tx,
                    by,
                    at_ms,
                    &Audited::<()>::Change("create", subject),
                    &Default::default(),
                    &(),
                )?;
            }
            (Some(id), Some(value)) => {
                let subject = Subject::Score(id);
                let before = tx.snapshot(&subject)?.unwrap_or_default();
                tx.set_score(id, value)?;
                record(
                    tx,
                    by,
                    at_ms,
                    &Audited::<()>::Change("update", subject),
                    &before,
                    &(),
                )?;
            }
            (Some(id), None) => {
                let subject = Subject::Score(id);
                let before = tx.snapshot(&subject)?.unwrap_or_default();
                tx.delete_score(id)?;
                record(
                    tx,
                    by,
                    at_ms,
                    &Audited::<()>::Change("delete", subject),
                    &before,
                    &(),
                )?;
            }
        }
    }
    Ok(())
}
