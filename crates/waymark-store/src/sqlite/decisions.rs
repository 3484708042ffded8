//! The decision log's reads on SQLite: a plan's decisions newest first,
//! searched with `LIKE` over their own text (a plan holds tens or hundreds of
//! decisions, not the thousands of packages the full-text index is for), and
//! a package's decisions.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params_from_iter};
use waymark_core::search::{SearchText, Term};

use crate::{
    DecisionId, DecisionRow, PackageLink, PlanId, ProgrammeId, ProgrammeRef, Result, StoreError,
    Version, WorkPackageId,
};

const COLUMNS: &str = "d.id, d.plan_id, d.date, d.meeting, d.text, d.rationale, d.decided_by, d.created_ms, d.version";

/// Newest first: by the date taken, then the latest recorded.
const ORDER: &str = "ORDER BY d.date DESC, d.id DESC";

/// The `LIKE` pattern of one term: anywhere in the text; a phrase's words in
/// their order. `\` escapes the pattern's own characters.
pub(super) fn pattern(term: &Term) -> String {
    let escape = |w: &str| {
        w.chars().fold(String::new(), |mut out, c| {
            if matches!(c, '%' | '_' | '\\') {
                out.push('\\');
            }
            out.push(c);
            out
        })
    };
    let inner = match term {
        Term::Prefix(w) => escape(w),
        Term::Phrase(ws) => ws.iter().map(|w| escape(w)).collect::<Vec<_>>().join("%"),
    };
    format!("%{inner}%")
}

pub(super) fn plan_decisions(
    c: &Connection,
    plan: PlanId,
    search: Option<&SearchText>,
) -> Result<Vec<DecisionRow>> {
    let known = c
        .prepare_cached("SELECT 1 FROM plan WHERE id = ?")?
        .query_row([plan.0], |_| Ok(()))
        .optional()?;
    if known.is_none() {
        return Err(StoreError::NotFound { what: "plan" });
    }
    let mut sql = format!("SELECT {COLUMNS} FROM decision d WHERE d.plan_id = ?");
    let mut params = vec![Value::Integer(plan.0)];
    for term in search.map_or(&[][..], SearchText::terms) {
        sql.push_str(
            " AND (d.meeting LIKE ?1 ESCAPE '\\' OR d.text LIKE ?1 ESCAPE '\\'
               OR d.rationale LIKE ?1 ESCAPE '\\' OR d.decided_by LIKE ?1 ESCAPE '\\')"
                .replace("?1", &format!("?{}", params.len() + 1))
                .as_str(),
        );
        params.push(Value::Text(pattern(term)));
    }
    sql.push(' ');
    sql.push_str(ORDER);
    rows(c, &sql, params)
}

pub(super) fn package_decisions(c: &Connection, id: WorkPackageId) -> Result<Vec<DecisionRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM decision_work_package l JOIN decision d ON d.id = l.decision_id
         WHERE l.work_package_id = ? {ORDER}"
    );
    rows(c, &sql, vec![Value::Integer(id.0)])
}

pub(super) fn decision(c: &Connection, id: DecisionId) -> Result<DecisionRow> {
    let sql = format!("SELECT {COLUMNS} FROM decision d WHERE d.id = ?");
    let row = c
        .prepare_cached(&sql)?
        .query_row([id.0], own_fields)
        .optional()?
        .ok_or(StoreError::NotFound { what: "decision" })?;
    with_links(c, dated(row)?)
}

/// A decision's own columns as stored.
struct Raw {
    id: i64,
    plan: i64,
    date: String,
    meeting: String,
    text: String,
    rationale: String,
    decided_by: String,
    created_ms: i64,
    version: i64,
}

fn rows(c: &Connection, sql: &str, params: Vec<Value>) -> Result<Vec<DecisionRow>> {
    let own: Vec<Raw> = c
        .prepare_cached(sql)?
        .query_map(params_from_iter(params), own_fields)?
        .collect::<rusqlite::Result<_>>()?;
    own.into_iter()
        .map(|raw| with_links(c, dated(raw)?))
        .collect::<Result<_>>()
}

fn own_fields(r: &rusqlite::Row<'_>) -> rusqlite::Result<Raw> {
    Ok(Raw {
        id: r.get(0)?,
        plan: r.get(1)?,
        date: r.get(2)?,
        meeting: r.get(3)?,
        text: r.get(4)?,
        rationale: r.get(5)?,
        decided_by: r.get(6)?,
        created_ms: r.get(7)?,
        version: r.get(8)?,
    })
}

/// The row with its stored date read; one that does not read is a corrupt
/// database, said as such.
fn dated(raw: Raw) -> Result<DecisionRow> {
    let date = raw.date.parse().map_err(|_| {
        StoreError::Corrupt(format!("decision {} has the date {:?}", raw.id, raw.date))
    })?;
    Ok(DecisionRow {
        id: DecisionId(raw.id),
        plan_id: PlanId(raw.plan),
        date,
        meeting: raw.meeting,
        text: raw.text,
        rationale: raw.rationale,
        decided_by: raw.decided_by,
        created_ms: raw.created_ms,
        work_packages: Vec::new(),
        programmes: Vec::new(),
        version: Version(raw.version),
    })
}

fn with_links(c: &Connection, mut d: DecisionRow) -> Result<DecisionRow> {
    d.work_packages = c
        .prepare_cached(
            "SELECT wp.id, wp.ref, wp.title FROM decision_work_package l
             JOIN work_package wp ON wp.id = l.work_package_id
             WHERE l.decision_id = ? ORDER BY wp.section_position, wp.position",
        )?
        .query_map([d.id.0], |r| {
            Ok(PackageLink {
                id: WorkPackageId(r.get(0)?),
                reference: r.get(1)?,
                title: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    d.programmes = c
        .prepare_cached(
            "SELECT p.id, p.name, p.priority FROM decision_programme l
             JOIN programme p ON p.id = l.programme_id
             WHERE l.decision_id = ? ORDER BY p.position",
        )?
        .query_map([d.id.0], |r| {
            Ok(ProgrammeRef {
                id: ProgrammeId(r.get(0)?),
                name: r.get(1)?,
                priority: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(d)
}
