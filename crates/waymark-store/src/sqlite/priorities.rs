//! Priorities' reads on SQLite: a plan's criteria in order, one criterion or
//! score, and everything the ranking needs in one read.

use rusqlite::{Connection, OptionalExtension, Row};
use waymark_core::priority::{Score, Weight};

use crate::{
    CriterionId, CriterionRow, PlanId, Priorities, PriorityItem, ProgrammeId, Result, ScoreId,
    ScoreItem, ScoreRow, StoreError, Version, WorkPackageId,
};

const CRITERION_COLUMNS: &str =
    "c.id, c.plan_id, c.name, c.description, c.weight, c.position, c.version";
const SCORE_COLUMNS: &str =
    "s.id, s.criterion_id, s.work_package_id, s.programme_id, s.score, s.note, s.version";

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("a stored {what} is out of its range"))
}

type RawCriterion = (i64, i64, String, String, i64, i64, i64);

fn criterion_row(r: &Row<'_>) -> rusqlite::Result<RawCriterion> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn finish_criterion(
    (id, plan, name, description, weight, order, version): RawCriterion,
) -> Result<CriterionRow> {
    Ok(CriterionRow {
        id: CriterionId(id),
        plan_id: PlanId(plan),
        name,
        description,
        weight: Weight::new(weight).map_err(|_| corrupt("weight"))?,
        order: u32::try_from(order).map_err(|_| corrupt("order"))?,
        version: Version(version),
    })
}

type RawScore = (i64, i64, Option<i64>, Option<i64>, i64, String, i64);

fn raw_score(r: &Row<'_>) -> rusqlite::Result<RawScore> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn score_row((id, criterion, wp, programme, score, note, version): RawScore) -> Result<ScoreRow> {
    let item = match (wp, programme) {
        (Some(wp), None) => ScoreItem::WorkPackage(WorkPackageId(wp)),
        (None, Some(p)) => ScoreItem::Programme(ProgrammeId(p)),
        _ => return Err(corrupt("score's item")),
    };
    Ok(ScoreRow {
        id: ScoreId(id),
        criterion: CriterionId(criterion),
        item,
        score: Score::new(score).map_err(|_| corrupt("score"))?,
        note,
        version: Version(version),
    })
}

fn known_plan(c: &Connection, plan: PlanId) -> Result<()> {
    c.prepare_cached("SELECT 1 FROM plan WHERE id = ?")?
        .query_row([plan.0], |_| Ok(()))
        .optional()?
        .ok_or(StoreError::NotFound { what: "plan" })
}

pub(super) fn criteria(c: &Connection, plan: PlanId) -> Result<Vec<CriterionRow>> {
    known_plan(c, plan)?;
    let raw: Vec<_> = c
        .prepare_cached(&format!(
            "SELECT {CRITERION_COLUMNS} FROM priority_criterion c WHERE c.plan_id = ? ORDER BY c.position, c.id"
        ))?
        .query_map([plan.0], criterion_row)?
        .collect::<rusqlite::Result<_>>()?;
    raw.into_iter().map(finish_criterion).collect()
}

pub(super) fn criterion(c: &Connection, id: CriterionId) -> Result<CriterionRow> {
    let raw = c
        .prepare_cached(&format!(
            "SELECT {CRITERION_COLUMNS} FROM priority_criterion c WHERE c.id = ?"
        ))?
        .query_row([id.0], criterion_row)
        .optional()?
        .ok_or(StoreError::NotFound { what: "criterion" })?;
    finish_criterion(raw)
}

pub(super) fn score(c: &Connection, id: ScoreId) -> Result<(ScoreRow, PlanId)> {
    let (raw, plan): (RawScore, i64) = c
        .prepare_cached(&format!(
            "SELECT {SCORE_COLUMNS}, c.plan_id FROM priority_score s
             JOIN priority_criterion c ON c.id = s.criterion_id WHERE s.id = ?"
        ))?
        .query_row([id.0], |r| Ok((raw_score(r)?, r.get(7)?)))
        .optional()?
        .ok_or(StoreError::NotFound { what: "score" })?;
    Ok((score_row(raw)?, PlanId(plan)))
}

pub(super) fn priorities(c: &Connection, plan: PlanId) -> Result<Priorities> {
    let criteria = criteria(c, plan)?;
    let mut items: Vec<PriorityItem> = c
        .prepare_cached(
            "SELECT id, name, priority FROM programme WHERE plan_id = ? ORDER BY position",
        )?
        .query_map([plan.0], |r| {
            Ok(PriorityItem {
                item: ScoreItem::Programme(ProgrammeId(r.get(0)?)),
                reference: String::new(),
                name: r.get(1)?,
                priority_programme: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let packages: Vec<PriorityItem> = c
        .prepare_cached(
            "SELECT id, ref, title FROM work_package WHERE plan_id = ? ORDER BY section_position, position",
        )?
        .query_map([plan.0], |r| {
            Ok(PriorityItem {
                item: ScoreItem::WorkPackage(WorkPackageId(r.get(0)?)),
                reference: r.get(1)?,
                name: r.get(2)?,
                priority_programme: false,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    items.extend(packages);
    let raw: Vec<RawScore> = c
        .prepare_cached(&format!(
            "SELECT {SCORE_COLUMNS} FROM priority_score s
             JOIN priority_criterion c ON c.id = s.criterion_id WHERE c.plan_id = ? ORDER BY s.id"
        ))?
        .query_map([plan.0], raw_score)?
        .collect::<rusqlite::Result<_>>()?;
    let scores = raw.into_iter().map(score_row).collect::<Result<_>>()?;
    Ok(Priorities {
        criteria,
        items,
        scores,
    })
}
