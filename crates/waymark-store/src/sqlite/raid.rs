//! The RAID log's reads on SQLite: a plan's items filtered and searched with
//! `LIKE` over their own text (as the decision log is), a package's items,
//! and the highlights a progress report shows.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params_from_iter};
use waymark_core::search::SearchText;

use super::decisions::pattern;
use crate::{
    PackageLink, PlanId, ProgrammeId, ProgrammeRef, RaidHighlights, RaidItemId, RaidQuery, RaidRow,
    Result, StoreError, Version, WorkPackageId,
};

const COLUMNS: &str =
    "r.id, r.plan_id, r.kind, r.title, r.description, r.owner, r.status, r.likelihood,
    r.impact, r.mitigation, r.next_review, r.severity, r.resolution, r.provider, r.needed_by,
    r.created_ms, r.version";

/// The log's order: by kind (R, A, I, D), risks by score, then the latest
/// recorded first.
const ORDER: &str = "ORDER BY CASE r.kind WHEN 'risk' THEN 0 WHEN 'assumption' THEN 1
    WHEN 'issue' THEN 2 ELSE 3 END, COALESCE(r.likelihood * r.impact, 0) DESC, r.id DESC";

fn plan_known(c: &Connection, plan: PlanId) -> Result<()> {
    c.prepare_cached("SELECT 1 FROM plan WHERE id = ?")?
        .query_row([plan.0], |_| Ok(()))
        .optional()?
        .ok_or(StoreError::NotFound { what: "plan" })
}

pub(super) fn plan_items(c: &Connection, plan: PlanId, q: &RaidQuery) -> Result<Vec<RaidRow>> {
    plan_known(c, plan)?;
    let mut sql = format!("SELECT {COLUMNS} FROM raid_item r WHERE r.plan_id = ?");
    let mut params = vec![Value::Integer(plan.0)];
    if let Some(kind) = q.kind {
        sql.push_str(" AND r.kind = ?");
        params.push(Value::Text(kind.as_str().into()));
    }
    if let Some(status) = q.status {
        sql.push_str(" AND r.status = ?");
        params.push(Value::Text(status.as_str().into()));
    }
    if let Some(l) = q.likelihood {
        sql.push_str(" AND r.likelihood = ?");
        params.push(Value::Integer(i64::from(l.get())));
    }
    if let Some(i) = q.impact {
        sql.push_str(" AND r.impact = ?");
        params.push(Value::Integer(i64::from(i.get())));
    }
    for term in q.search.as_ref().map_or(&[][..], SearchText::terms) {
        let n = params.len() + 1;
        sql.push_str(&format!(
            " AND (r.title LIKE ?{n} ESCAPE '\\' OR r.description LIKE ?{n} ESCAPE '\\'
               OR r.owner LIKE ?{n} ESCAPE '\\' OR r.mitigation LIKE ?{n} ESCAPE '\\'
               OR r.resolution LIKE ?{n} ESCAPE '\\' OR r.provider LIKE ?{n} ESCAPE '\\')"
        ));
        params.push(Value::Text(pattern(term)));
    }
    sql.push(' ');
    sql.push_str(ORDER);
    rows(c, &sql, params)
}

pub(super) fn package_items(c: &Connection, id: WorkPackageId) -> Result<Vec<RaidRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM raid_item_work_package l JOIN raid_item r ON r.id = l.raid_item_id
         WHERE l.work_package_id = ? {ORDER}"
    );
    rows(c, &sql, vec![Value::Integer(id.0)])
}

pub(super) fn item(c: &Connection, id: RaidItemId) -> Result<RaidRow> {
    let sql = format!("SELECT {COLUMNS} FROM raid_item r WHERE r.id = ?");
    let row = c
        .prepare_cached(&sql)?
        .query_row([id.0], own_fields)
        .optional()?
        .ok_or(StoreError::NotFound { what: "RAID item" })?;
    with_links(c, read(row)?)
}

pub(super) fn highlights(
    c: &Connection,
    plan: PlanId,
    programme: Option<ProgrammeId>,
    top: usize,
) -> Result<RaidHighlights> {
    plan_known(c, plan)?;
    // With a programme: items linked to it, or to one of its packages.
    let (within, mut params) = match programme {
        None => (String::new(), vec![Value::Integer(plan.0)]),
        Some(p) => (
            " AND (r.id IN (SELECT raid_item_id FROM raid_item_programme WHERE programme_id = ?2)
                OR r.id IN (SELECT l.raid_item_id FROM raid_item_work_package l
                    JOIN programme_work_package pw ON pw.work_package_id = l.work_package_id
                    WHERE pw.programme_id = ?2))"
                .to_string(),
            vec![Value::Integer(plan.0), Value::Integer(p.0)],
        ),
    };
    let limit = i64::try_from(top).unwrap_or(i64::MAX);
    let risks_sql = format!(
        "SELECT {COLUMNS} FROM raid_item r WHERE r.plan_id = ?1 AND r.kind = 'risk' AND r.status = 'open'{within}
         ORDER BY r.likelihood * r.impact DESC, r.likelihood DESC, r.id ASC LIMIT {limit}"
    );
    let top_risks = rows(c, &risks_sql, params.clone())?;
    let issues_sql = format!(
        "SELECT {COLUMNS} FROM raid_item r WHERE r.plan_id = ?1 AND r.kind = 'issue' AND r.status = 'open'{within}
         ORDER BY CASE r.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2
           WHEN 'low' THEN 3 ELSE 4 END, r.id ASC"
    );
    let open_issues = rows(c, &issues_sql, std::mem::take(&mut params))?;
    Ok(RaidHighlights {
        top_risks,
        open_issues,
    })
}

/// An item's own columns as stored.
struct Raw {
    id: i64,
    plan: i64,
    kind: String,
    title: String,
    description: String,
    owner: String,
    status: String,
    likelihood: Option<u8>,
    impact: Option<u8>,
    mitigation: String,
    next_review: Option<String>,
    severity: Option<String>,
    resolution: String,
    provider: String,
    needed_by: Option<String>,
    created_ms: i64,
    version: i64,
}

fn rows(c: &Connection, sql: &str, params: Vec<Value>) -> Result<Vec<RaidRow>> {
    let own: Vec<Raw> = c
        .prepare_cached(sql)?
        .query_map(params_from_iter(params), own_fields)?
        .collect::<rusqlite::Result<_>>()?;
    own.into_iter()
        .map(|raw| with_links(c, read(raw)?))
        .collect::<Result<_>>()
}

fn own_fields(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok(Raw {
        id: r.get(0)?,
        plan: r.get(1)?,
        kind: r.get(2)?,
        title: r.get(3)?,
        description: r.get(4)?,
        owner: r.get(5)?,
        status: r.get(6)?,
        likelihood: r.get(7)?,
        impact: r.get(8)?,
        mitigation: r.get(9)?,
        next_review: r.get(10)?,
        severity: r.get(11)?,
        resolution: r.get(12)?,
        provider: r.get(13)?,
        needed_by: r.get(14)?,
        created_ms: r.get(15)?,
        version: r.get(16)?,
    })
}

/// The row with its stored values read; one that does not read is a corrupt
/// database, said as such.
fn read(raw: Raw) -> Result<RaidRow> {
    let id = raw.id;
    let bad = |what: &str, value: &dyn std::fmt::Debug| {
        StoreError::Corrupt(format!("RAID item {id} has the {what} {value:?}"))
    };
    let date = |what: &str, v: Option<String>| -> Result<Option<waymark_core::Date>> {
        v.map(|s| s.parse().map_err(|_| bad(what, &s))).transpose()
    };
    let rating = |what: &str, v: Option<u8>| -> Result<Option<waymark_core::raid::Rating>> {
        v.map(|n| waymark_core::raid::Rating::new(n).ok_or_else(|| bad(what, &n)))
            .transpose()
    };
    Ok(RaidRow {
        id: RaidItemId(raw.id),
        plan_id: PlanId(raw.plan),
        kind: raw.kind.parse().map_err(|_| bad("kind", &raw.kind))?,
        title: raw.title,
        description: raw.description,
        owner: raw.owner,
        status: raw.status.parse().map_err(|_| bad("status", &raw.status))?,
        likelihood: rating("likelihood", raw.likelihood)?,
        impact: rating("impact", raw.impact)?,
        mitigation: raw.mitigation,
        next_review: date("next review", raw.next_review)?,
        severity: raw
            .severity
            .map(|s| s.parse().map_err(|_| bad("severity", &s)))
            .transpose()?,
        resolution: raw.resolution,
        provider: raw.provider,
        needed_by: date("needed-by date", raw.needed_by)?,
        created_ms: raw.created_ms,
        work_packages: Vec::new(),
        programmes: Vec::new(),
        version: Version(raw.version),
    })
}

fn with_links(c: &Connection, mut r: RaidRow) -> Result<RaidRow> {
    r.work_packages = c
        .prepare_cached(
            "SELECT wp.id, wp.ref, wp.title FROM raid_item_work_package l
             JOIN work_package wp ON wp.id = l.work_package_id
             WHERE l.raid_item_id = ? ORDER BY wp.section_position, wp.position",
        )?
        .query_map([r.id.0], |row| {
            Ok(PackageLink {
                id: WorkPackageId(row.get(0)?),
                reference: row.get(1)?,
                title: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    r.programmes = c
        .prepare_cached(
            "SELECT p.id, p.name, p.priority FROM raid_item_programme l
             JOIN programme p ON p.id = l.programme_id
             WHERE l.raid_item_id = ? ORDER BY p.position",
        )?
        .query_map([r.id.0], |row| {
            Ok(ProgrammeRef {
                id: ProgrammeId(row.get(0)?),
                name: row.get(1)?,
                priority: row.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(r)
}
