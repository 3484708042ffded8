//! Register upkeep: sections (rename, reorder, delete), key influences (delete,
//! merge) and related items (merge, delete). Each runs inside the caller's one
//! write transaction and refuses, naming how many, while packages still use
//! what would go.

use rusqlite::{OptionalExtension, Transaction, params};
use waymark_core::{InfluenceCode, Section, WorkPackageRef};

use super::{index_search, map_unique, section_label, sort_key, unindex_search};
use crate::{PlanId, RelatedItemId, Result, SectionId, SectionRow, StoreError};

/// "1 work package", "3 work packages".
fn packages(n: i64) -> String {
    if n == 1 {
        "1 work package".into()
    } else {
        format!("{n} work packages")
    }
}

/// A section row from `SELECT id, plan_id, position, number, title, <count>`.
pub(super) fn section_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SectionRow> {
    let number: Option<String> = r.get(3)?;
    let title: Option<String> = r.get(4)?;
    let position: i64 = r.get(2)?;
    Ok(SectionRow {
        id: SectionId(r.get(0)?),
        plan_id: PlanId(r.get(1)?),
        position,
        label: section_label(&number, &title, position),
        number,
        title,
        work_package_count: r.get::<_, i64>(5)? as u64,
    })
}

pub(super) const SECTION_COLUMNS: &str = "s.id, s.plan_id, s.position, s.number, s.title, (SELECT COUNT(*) FROM work_package w WHERE w.section_id = s.id)";

pub(super) fn section(c: &rusqlite::Connection, id: SectionId) -> Result<SectionRow> {
    c.prepare_cached(&format!(
        "SELECT {SECTION_COLUMNS} FROM section s WHERE s.id = ?"
    ))?
    .query_row([id.0], section_row)
    .optional()?
    .ok_or(StoreError::NotFound { what: "section" })
}

/// Bring the references (`10.2.1`, `#6.1`) and section positions of the
/// packages of `sections` in step with their section's number and place, and
/// re-index them for search.
fn refresh_refs(tx: &Transaction<'_>, sections: &[i64]) -> Result<()> {
    // Park the references first, so sections trading places never clash
    // with each other half-way.
    for &sid in sections {
        unindex_search(tx, "section_id = ?", sid)?;
        tx.prepare_cached("UPDATE work_package SET ref = char(1) || id WHERE section_id = ?")?
            .execute([sid])?;
    }
    for &sid in sections {
        let (position, number): (i64, Option<String>) = tx.query_row(
            "SELECT position, number FROM section WHERE id = ?",
            [sid],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let section = Section {
            number,
            title: None,
            work_packages: Vec::new(),
        };
        let rows: Vec<(i64, String)> = tx
            .prepare_cached("SELECT id, number FROM work_package WHERE section_id = ?")?
            .query_map([sid], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut update = tx
            .prepare_cached("UPDATE work_package SET ref = ?, section_position = ? WHERE id = ?")?;
        for (wid, number) in rows {
            let r = WorkPackageRef::new(&section, position as usize, &number);
            update.execute(params![r.0, position, wid]).map_err(|e| {
                map_unique(
                    e,
                    "number",
                    format!("two work packages would both be {r}; renumber one of them first"),
                )
            })?;
        }
        index_search(tx, "section_id = ?", sid)?;
    }
    Ok(())
}

/// The plan and label of a section, or not found.
fn section_of(tx: &Transaction<'_>, id: SectionId) -> Result<SectionRow> {
    section(tx, id)
}

/// Renumber or retitle a section and, when `position` is given, move it
/// there, all or nothing.
pub(super) fn update_section(
    tx: &Transaction<'_>,
    id: SectionId,
    number: Option<String>,
    title: Option<String>,
    position: Option<usize>,
) -> Result<()> {
    let current = section_of(tx, id)?;
    if let Some(n) = &number {
        let taken: Option<i64> = tx
            .query_row(
                "SELECT id FROM section WHERE plan_id = ? AND number = ? AND id <> ?",
                params![current.plan_id.0, n, id.0],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_some() {
            return Err(StoreError::Conflict {
                field: "number",
                message: format!("section {n} already exists"),
            });
        }
    }
    tx.execute(
        "UPDATE section SET number = ?, title = ? WHERE id = ?",
        params![number, title, id.0],
    )?;
    if current.number != number {
        refresh_refs(tx, &[id.0])?;
    }
    match position {
        Some(p) => move_section(tx, id, p),
        None => Ok(()),
    }
}

/// Put a section at `position` (0-based) among its plan's sections; those in
/// between shift by one.
pub(super) fn move_section(tx: &Transaction<'_>, id: SectionId, position: usize) -> Result<()> {
    let current = section_of(tx, id)?;
    let placed: Vec<(i64, i64)> = tx
        .prepare_cached("SELECT id, position FROM section WHERE plan_id = ? ORDER BY position, id")?
        .query_map([current.plan_id.0], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    if position >= placed.len() {
        return Err(StoreError::Invalid {
            field: "position",
            message: format!(
                "the position must be a whole number from 1 to {}",
                placed.len()
            ),
        });
    }
    let mut order: Vec<i64> = placed
        .iter()
        .map(|(sid, _)| *sid)
        .filter(|sid| *sid != id.0)
        .collect();
    order.insert(position, id.0);
    let mut changed = Vec::new();
    for (i, sid) in order.iter().enumerate() {
        let was = placed.iter().find(|(s, _)| s == sid).map(|(_, p)| *p);
        if was != Some(i as i64) {
            tx.prepare_cached("UPDATE section SET position = ? WHERE id = ?")?
                .execute(params![i as i64, sid])?;
            changed.push(*sid);
        }
    }
    refresh_refs(tx, &changed)
}

pub(super) fn delete_section(tx: &Transaction<'_>, id: SectionId) -> Result<()> {
    let current = section_of(tx, id)?;
    if current.work_package_count > 0 {
        return Err(StoreError::Conflict {
            field: "section",
            message: format!(
                "section {} still holds {}; move them to another section or delete them first",
                current.label,
                packages(current.work_package_count as i64)
            ),
        });
    }
    tx.execute("DELETE FROM section WHERE id = ?", [id.0])?;
    // Close the gap: the sections after it move up one place.
    let later: Vec<i64> = tx
        .prepare_cached(
            "SELECT id FROM section WHERE plan_id = ? AND position > ? ORDER BY position",
        )?
        .query_map(params![current.plan_id.0, current.position], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    tx.execute(
        "UPDATE section SET position = position - 1 WHERE plan_id = ? AND position > ?",
        params![current.plan_id.0, current.position],
    )?;
    refresh_refs(tx, &later)
}

fn influence_id(tx: &Transaction<'_>, plan: PlanId, code: &InfluenceCode) -> Result<Option<i64>> {
    Ok(tx
        .prepare_cached("SELECT id FROM influence WHERE plan_id = ? AND code = ?")?
        .query_row(params![plan.0, code.as_str()], |r| r.get(0))
        .optional()?)
}

pub(super) fn delete_influence(
    tx: &Transaction<'_>,
    plan: PlanId,
    code: &InfluenceCode,
) -> Result<()> {
    let id = influence_id(tx, plan, code)?.ok_or(StoreError::NotFound {
        what: "key influence",
    })?;
    let n: i64 = tx.query_row(
        "SELECT COUNT(*) FROM work_package_influence WHERE influence_id = ?",
        [id],
        |r| r.get(0),
    )?;
    if n > 0 {
        let verb = if n == 1 { "addresses" } else { "address" };
        return Err(StoreError::Conflict {
            field: "code",
            message: format!(
                "{} still {verb} key influence {code}; remove it from them or merge it into another code",
                packages(n)
            ),
        });
    }
    tx.execute("DELETE FROM influence WHERE id = ?", [id])?;
    Ok(())
}

/// Move every link of `from` to `into` (created, with `from`'s title and
/// description, if the plan does not have it yet), collapsing duplicates, and
/// remove `from`.
pub(super) fn merge_influence(
    tx: &Transaction<'_>,
    plan: PlanId,
    from: &InfluenceCode,
    into: &InfluenceCode,
) -> Result<()> {
    let source = influence_id(tx, plan, from)?.ok_or(StoreError::NotFound {
        what: "key influence",
    })?;
    if from == into {
        return Err(StoreError::Invalid {
            field: "into",
            message: format!("choose a code other than {from} to merge it into"),
        });
    }
    let target = match influence_id(tx, plan, into)? {
        Some(id) => {
            // Keep the target's own words; fill in only what it lacks.
            tx.execute(
                "UPDATE influence SET
                    title = CASE WHEN title = '' THEN (SELECT title FROM influence WHERE id = ?1) ELSE title END,
                    description = CASE WHEN description = '' THEN (SELECT description FROM influence WHERE id = ?1) ELSE description END
                 WHERE id = ?2",
                params![source, id],
            )?;
            id
        }
        None => {
            tx.execute(
                "INSERT INTO influence (plan_id, code, sort_key, title, description)
                 SELECT plan_id, ?, ?, title, description FROM influence WHERE id = ?",
                params![into.as_str(), sort_key(into), source],
            )?;
            tx.last_insert_rowid()
        }
    };
    tx.execute(
        "INSERT OR IGNORE INTO work_package_influence (work_package_id, influence_id, position)
         SELECT work_package_id, ?, position FROM work_package_influence WHERE influence_id = ?",
        params![target, source],
    )?;
    tx.execute("DELETE FROM influence WHERE id = ?", [source])?;
    Ok(())
}

fn related_plan(tx: &Transaction<'_>, id: RelatedItemId) -> Result<Option<(i64, String)>> {
    Ok(tx
        .prepare_cached("SELECT plan_id, name FROM related_item WHERE id = ?")?
        .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Move every link of `from` to `into`, collapsing duplicates, and remove
/// `from`. Its name (and any names it had before) stays known as another
/// name of `into`, so a relationships text that says it still finds `into`.
pub(super) fn merge_related_item(
    tx: &Transaction<'_>,
    from: RelatedItemId,
    into: RelatedItemId,
) -> Result<()> {
    let (plan, name) = related_plan(tx, from)?.ok_or(StoreError::NotFound {
        what: "related item",
    })?;
    if from == into {
        return Err(StoreError::Invalid {
            field: "into",
            message: "choose another related item to merge it into".into(),
        });
    }
    match related_plan(tx, into)? {
        Some((p, _)) if p == plan => {}
        Some(_) => {
            return Err(StoreError::Invalid {
                field: "into",
                message: "both related items must be in the same plan".into(),
            });
        }
        None => {
            return Err(StoreError::Invalid {
                field: "into",
                message: format!("there is no related item {into}"),
            });
        }
    }
    tx.execute(
        "INSERT OR IGNORE INTO work_package_related (work_package_id, related_item_id, position)
         SELECT work_package_id, ?, position FROM work_package_related WHERE related_item_id = ?",
        params![into.0, from.0],
    )?;
    tx.execute(
        "UPDATE related_item_alias SET related_item_id = ? WHERE related_item_id = ?",
        params![into.0, from.0],
    )?;
    tx.execute(
        "INSERT OR REPLACE INTO related_item_alias (plan_id, name, related_item_id) VALUES (?, ?, ?)",
        params![plan, name, into.0],
    )?;
    tx.execute("DELETE FROM related_item WHERE id = ?", [from.0])?;
    Ok(())
}

pub(super) fn delete_related_item(tx: &Transaction<'_>, id: RelatedItemId) -> Result<()> {
    let (_, name) = related_plan(tx, id)?.ok_or(StoreError::NotFound {
        what: "related item",
    })?;
    let n: i64 = tx.query_row(
        "SELECT COUNT(*) FROM work_package_related WHERE related_item_id = ?",
        [id.0],
        |r| r.get(0),
    )?;
    if n > 0 {
        let verb = if n == 1 { "relates" } else { "relate" };
        return Err(StoreError::Conflict {
            field: "related_item",
            message: format!(
                "{} still {verb} to {name}; merge it into another related item instead",
                packages(n)
            ),
        });
    }
    tx.execute("DELETE FROM related_item WHERE id = ?", [id.0])?;
    Ok(())
}
