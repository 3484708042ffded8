//! Progress notes' reads on SQLite: a package's notes newest first, a
//! plan's, and each package's latest.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params_from_iter};
use waymark_core::Rag;

use waymark_core::report::HistoryKind;

use crate::{
    PackageEvent, PlanId, ProgressNoteId, ProgressNoteRow, Result, StoreError, Version,
    WorkPackageId,
};

const COLUMNS: &str = "n.id, n.work_package_id, wp.ref, wp.title, n.date, n.rag, n.text, n.author, n.created_ms, n.version";

/// Newest first: by the day reported on, then the latest recorded.
const ORDER: &str = "ORDER BY n.date DESC, n.id DESC";

pub(super) fn package_notes(c: &Connection, id: WorkPackageId) -> Result<Vec<ProgressNoteRow>> {
    let known = c
        .prepare_cached("SELECT 1 FROM work_package WHERE id = ?")?
        .query_row([id.0], |_| Ok(()))
        .optional()?;
    if known.is_none() {
        return Err(StoreError::NotFound {
            what: "work package",
        });
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM progress_note n JOIN work_package wp ON wp.id = n.work_package_id
         WHERE n.work_package_id = ? {ORDER}"
    );
    rows(c, &sql, vec![Value::Integer(id.0)])
}

pub(super) fn plan_notes(
    c: &Connection,
    plan: PlanId,
    latest_only: bool,
) -> Result<Vec<ProgressNoteRow>> {
    let known = c
        .prepare_cached("SELECT 1 FROM plan WHERE id = ?")?
        .query_row([plan.0], |_| Ok(()))
        .optional()?;
    if known.is_none() {
        return Err(StoreError::NotFound { what: "plan" });
    }
    let latest = if latest_only {
        // The latest of each package: no note of the same package is later
        // (by date, then id).
        " AND NOT EXISTS (SELECT 1 FROM progress_note m WHERE m.work_package_id = n.work_package_id
            AND (m.date > n.date OR (m.date = n.date AND m.id > n.id)))"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM progress_note n JOIN work_package wp ON wp.id = n.work_package_id
         WHERE wp.plan_id = ?{latest} {ORDER}"
    );
    rows(c, &sql, vec![Value::Integer(plan.0)])
}

pub(super) fn latest_of(
    c: &Connection,
    packages: &[WorkPackageId],
) -> Result<Vec<ProgressNoteRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM progress_note n JOIN work_package wp ON wp.id = n.work_package_id
         WHERE n.work_package_id = ? {ORDER} LIMIT 1"
    );
    let mut out = Vec::new();
    for id in packages {
        out.extend(rows(c, &sql, vec![Value::Integer(id.0)])?);
    }
    Ok(out)
}

pub(super) fn note(c: &Connection, id: ProgressNoteId) -> Result<ProgressNoteRow> {
    let sql = format!(
        "SELECT {COLUMNS} FROM progress_note n JOIN work_package wp ON wp.id = n.work_package_id
         WHERE n.id = ?"
    );
    rows(c, &sql, vec![Value::Integer(id.0)])?
        .into_iter()
        .next()
        .ok_or(StoreError::NotFound {
            what: "progress note",
        })
}

/// A note's columns as stored.
struct Raw {
    id: i64,
    package: i64,
    reference: String,
    title: String,
    date: String,
    rag: Option<String>,
    text: String,
    author: String,
    created_ms: i64,
    version: i64,
}

fn rows(c: &Connection, sql: &str, params: Vec<Value>) -> Result<Vec<ProgressNoteRow>> {
    let raw: Vec<Raw> = c
        .prepare_cached(sql)?
        .query_map(params_from_iter(params), |r| {
            Ok(Raw {
                id: r.get(0)?,
                package: r.get(1)?,
                reference: r.get(2)?,
                title: r.get(3)?,
                date: r.get(4)?,
                rag: r.get(5)?,
                text: r.get(6)?,
                author: r.get(7)?,
                created_ms: r.get(8)?,
                version: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    raw.into_iter().map(read).collect()
}

/// The row with its stored date and RAG read; one that does not read is a
/// corrupt database, said as such.
fn read(raw: Raw) -> Result<ProgressNoteRow> {
    let date = raw.date.parse().map_err(|_| {
        StoreError::Corrupt(format!(
            "progress note {} has the date {:?}",
            raw.id, raw.date
        ))
    })?;
    let rag = match raw.rag.as_deref() {
        None => None,
        Some(text) => Some(text.parse::<Rag>().map_err(|_| {
            StoreError::Corrupt(format!("progress note {} has the RAG {text:?}", raw.id))
        })?),
    };
    Ok(ProgressNoteRow {
        id: ProgressNoteId(raw.id),
        work_package_id: WorkPackageId(raw.package),
        reference: raw.reference,
        title: raw.title,
        date,
        rag,
        text: raw.text,
        author: raw.author,
        created_ms: raw.created_ms,
        version: Version(raw.version),
    })
}

/// The plan's package events from the audit trail (see
/// `PlanStore::package_history`): creates and deletes by the plan id their
/// fields held, finishing updates of packages the plan still has.
pub(super) fn package_history(
    c: &Connection,
    plan: PlanId,
    from_ms: i64,
) -> Result<Vec<PackageEvent>> {
    let field = |name: &str| {
        format!(
            "(SELECT COALESCE(c.after, c.before) FROM audit_change c WHERE c.sequence = e.sequence AND c.field = '{name}')"
        )
    };
    let sql = format!(
        "SELECT e.at_ms, e.action, {plan_id}, {reference}, {title}, wp.ref, wp.title, wp.plan_id,
                (SELECT c.after FROM audit_change c WHERE c.sequence = e.sequence AND c.field = 'status')
         FROM audit_entry e
         LEFT JOIN work_package wp ON e.action = 'update' AND wp.id = CAST(e.entity_id AS INTEGER)
         WHERE e.entity_kind = 'work_package' AND e.at_ms >= ?
           AND e.action IN ('create', 'delete', 'update')
         ORDER BY e.sequence",
        plan_id = field("plan_id"),
        reference = field("ref"),
        title = field("title"),
    );
    type Row = (
        i64,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i64>,
        Option<String>,
    );
    let rows: Vec<Row> = c
        .prepare_cached(&sql)?
        .query_map([from_ms], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let plan_text = plan.0.to_string();
    let mut out = Vec::new();
    for (at_ms, action, plan_id, reference, title, now_ref, now_title, now_plan, status) in rows {
        let event = match action.as_str() {
            "create" | "delete" if plan_id.as_deref() == Some(plan_text.as_str()) => {
                let kind = if action == "create" {
                    HistoryKind::Added
                } else {
                    HistoryKind::Removed
                };
                reference.map(|reference| PackageEvent {
                    at_ms,
                    kind,
                    reference,
                    title: title.unwrap_or_default(),
                })
            }
            "update"
                if now_plan == Some(plan.0)
                    && matches!(status.as_deref(), Some("delivered" | "closed")) =>
            {
                now_ref.map(|reference| PackageEvent {
                    at_ms,
                    kind: HistoryKind::Delivered,
                    reference,
                    title: now_title.unwrap_or_default(),
                })
            }
            _ => None,
        };
        out.extend(event);
    }
    Ok(out)
}
