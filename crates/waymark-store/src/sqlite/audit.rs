//! The audit trail on SQLite (`audit_entry`, `audit_change`, append-only by
//! trigger): a record's row read generically as field → text for the write
//! path, the head, appending, and reading entries back (newest first, or all
//! in order for a check).

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};
use waymark_core::audit::{
    ActorKind, ChainError, Entity, Entry, Event, Head, Snapshot, StoredEntry, Verifier,
};

use crate::rules::audit::{Subject, changes_of, snapshot_of};
use crate::{AuditFilter, PlanId, Result, StoreError};

/// Columns a record's snapshot leaves out: its id (the entry names it),
/// its version (which follows from the entry itself), and what the store
/// derives or uses for order only.
const SKIPPED: &[&str] = &[
    "id",
    "version",
    "sort_key",
    "section_position",
    "final_quarter",
    "related_items_manual",
];

/// Columns of one table a snapshot leaves out: a token's digest (a secret's
/// stand-in), and the times of sign-ins and uses, which are noted outside
/// the audited write path. An account's password hash is shown only as
/// `password` = `set` (its `password_set_ms` shows a change).
const UNAUDITED: &[(&str, &str)] = &[
    ("account", "last_sign_in_ms"),
    ("api_token", "digest"),
    ("api_token", "last_used_ms"),
    // A baseline's frozen plan is the plan as its own entries left it.
    ("baseline", "plan_json"),
];

/// A record's row as field → text (`NULL` is no field), plus, for a package,
/// its links as lists; `None` when the record is not there.
pub(super) fn snapshot(c: &Connection, subject: &Subject) -> Result<Option<Snapshot>> {
    let (table, clause, params) = locate(subject);
    let mut stmt = c.prepare_cached(&format!("SELECT * FROM {table} WHERE {clause}"))?;
    let names: Vec<String> = stmt.column_names().iter().map(|n| n.to_string()).collect();
    let row: Option<Vec<(String, Option<String>)>> = stmt
        .query_row(rusqlite::params_from_iter(params), |r| {
            names
                .iter()
                .enumerate()
                .filter(|(_, n)| !SKIPPED.contains(&n.as_str()))
                // A package's place in its section is its order, not a field.
                .filter(|(_, n)| !(table == "work_package" && n.as_str() == "position"))
                .filter(|(_, n)| !UNAUDITED.contains(&(table, n.as_str())))
                .map(|(i, n)| match (table, n.as_str()) {
                    // Whether there is a password, never its hash.
                    ("account", "password_hash") => Ok((
                        "password".to_string(),
                        text(r.get_ref(i)?).map(|_| "set".to_string()),
                    )),
                    _ => Ok((n.clone(), text(r.get_ref(i)?))),
                })
                .collect()
        })
        .optional()?;
    let Some(row) = row else {
        return Ok(None);
    };
    let mut fields = row;
    if let Subject::WorkPackage(id) = subject {
        for (field, sql) in [
            (
                "influences",
                "SELECT i.code FROM work_package_influence l JOIN influence i ON i.id = l.influence_id
                 WHERE l.work_package_id = ? ORDER BY l.position",
            ),
            (
                "related_items",
                "SELECT r.name FROM work_package_related l JOIN related_item r ON r.id = l.related_item_id
                 WHERE l.work_package_id = ? ORDER BY l.position",
            ),
            (
                "programmes",
                "SELECT p.name FROM programme_work_package l JOIN programme p ON p.id = l.programme_id
                 WHERE l.work_package_id = ? ORDER BY p.position",
            ),
        ] {
            let list: Vec<String> = c
                .prepare_cached(sql)?
                .query_map([id.0], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            fields.push((field.to_string(), Some(list.join("; "))));
        }
    }
    if let Subject::Criterion(id) = subject {
        let scored: i64 = c
            .prepare_cached("SELECT COUNT(*) FROM priority_score WHERE criterion_id = ?")?
            .query_row([id.0], |r| r.get(0))?;
        fields.push(("scores".to_string(), Some(scored.to_string())));
    }
    if let Subject::Score(id) = subject {
        // What the score is of, as people read it, beside the ids.
        let item: Option<String> = c
            .prepare_cached(
                "SELECT COALESCE(wp.ref, 'programme ' || p.name) FROM priority_score s
                 LEFT JOIN work_package wp ON wp.id = s.work_package_id
                 LEFT JOIN programme p ON p.id = s.programme_id WHERE s.id = ?",
            )?
            .query_row([id.0], |r| r.get(0))
            .optional()?
            .flatten();
        fields.push(("item".to_string(), item));
    }
    if let Subject::Decision(id) = subject {
        for (field, sql) in [
            (
                "work_packages",
                "SELECT wp.ref FROM decision_work_package l JOIN work_package wp ON wp.id = l.work_package_id
                 WHERE l.decision_id = ? ORDER BY wp.section_position, wp.position",
            ),
            (
                "programmes",
                "SELECT p.name FROM decision_programme l JOIN programme p ON p.id = l.programme_id
                 WHERE l.decision_id = ? ORDER BY p.position",
            ),
        ] {
            let list: Vec<String> = c
                .prepare_cached(sql)?
                .query_map([id.0], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            fields.push((field.to_string(), Some(list.join("; "))));
        }
    }
    if let Subject::RaidItem(id) = subject {
        for (field, sql) in [
            (
                "work_packages",
                "SELECT wp.ref FROM raid_item_work_package l JOIN work_package wp ON wp.id = l.work_package_id
                 WHERE l.raid_item_id = ? ORDER BY wp.section_position, wp.position",
            ),
            (
                "programmes",
                "SELECT p.name FROM raid_item_programme l JOIN programme p ON p.id = l.programme_id
                 WHERE l.raid_item_id = ? ORDER BY p.position",
            ),
        ] {
            let list: Vec<String> = c
                .prepare_cached(sql)?
                .query_map([id.0], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            fields.push((field.to_string(), Some(list.join("; "))));
        }
    }
    Ok(Some(snapshot_of(fields)))
}

/// A record's table and the clause (with its parameters) that selects its row.
pub(super) fn locate(
    subject: &Subject,
) -> (&'static str, &'static str, Vec<rusqlite::types::Value>) {
    match subject {
        Subject::Plan(id) => ("plan", "id = ?", vec![id.0.into()]),
        Subject::Section(id) => ("section", "id = ?", vec![id.0.into()]),
        Subject::WorkPackage(id) => ("work_package", "id = ?", vec![id.0.into()]),
        Subject::Influence(plan, code) => (
            "influence",
            "plan_id = ? AND code = ?",
            vec![plan.0.into(), code.as_str().to_string().into()],
        ),
        Subject::RelatedItem(id) => ("related_item", "id = ?", vec![id.0.into()]),
        Subject::Programme(id) => ("programme", "id = ?", vec![id.0.into()]),
        Subject::Dependency(id) => ("dependency", "id = ?", vec![id.0.into()]),
        Subject::Account(id) => ("account", "id = ?", vec![id.0.into()]),
        Subject::Token(id) => ("api_token", "id = ?", vec![id.0.into()]),
        Subject::Decision(id) => ("decision", "id = ?", vec![id.0.into()]),
        Subject::Baseline(id) => ("baseline", "id = ?", vec![id.0.into()]),
        Subject::RaidItem(id) => ("raid_item", "id = ?", vec![id.0.into()]),
        Subject::Criterion(id) => ("priority_criterion", "id = ?", vec![id.0.into()]),
        Subject::Score(id) => ("priority_score", "id = ?", vec![id.0.into()]),
        Subject::ProgressNote(id) => ("progress_note", "id = ?", vec![id.0.into()]),
    }
}

/// A stored value as text; `None` for `NULL`.
fn text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Some(b.iter().map(|x| format!("{x:02x}")).collect()),
    }
}

pub(super) fn plan_counts(c: &Connection, id: PlanId) -> Result<Snapshot> {
    let row: Option<(String, i64, i64)> = c
        .prepare_cached(
            "SELECT title, (SELECT COUNT(*) FROM section WHERE plan_id = ?1),
                    (SELECT COUNT(*) FROM work_package WHERE plan_id = ?1)
             FROM plan WHERE id = ?1",
        )?
        .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    Ok(match row {
        Some((title, sections, packages)) => snapshot_of([
            ("title".to_string(), Some(title)),
            ("sections".to_string(), Some(sections.to_string())),
            ("work_packages".to_string(), Some(packages.to_string())),
        ]),
        None => Snapshot::new(),
    })
}

pub(super) fn head(c: &Connection) -> Result<Head> {
    let row: Option<(i64, String)> = c
        .prepare_cached("SELECT sequence, hash FROM audit_entry ORDER BY sequence DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match row {
        None => Ok(Head::EMPTY),
        Some((sequence, hash)) => Ok(Head {
            sequence: u64::try_from(sequence)
                .map_err(|_| StoreError::Corrupt(format!("audit entry {sequence}")))?,
            hash: hash.parse().map_err(|e| {
                StoreError::Corrupt(format!("the audit trail's newest entry's hash: {e}"))
            })?,
        }),
    }
}

pub(super) fn append(c: &Connection, stored: &StoredEntry) -> Result<()> {
    let e = &stored.entry.event;
    let sequence = i64::try_from(stored.entry.sequence)
        .map_err(|_| StoreError::Corrupt("the audit trail is full".into()))?;
    c.prepare_cached(
        "INSERT INTO audit_entry (sequence, at_ms, actor_kind, actor_id, actor_display,
            entity_kind, entity_id, action, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        sequence,
        e.at_ms,
        e.actor.kind.as_str(),
        e.actor.id,
        e.actor.display,
        e.entity.kind.as_str(),
        e.entity.id,
        e.action.as_str(),
        stored.hash,
    ])?;
    let mut ins = c.prepare_cached(
        "INSERT INTO audit_change (sequence, field, before, after) VALUES (?, ?, ?, ?)",
    )?;
    for change in e.changes.as_slice() {
        ins.execute(params![
            sequence,
            change.field.as_str(),
            change.before,
            change.after
        ])?;
    }
    Ok(())
}

/// An entry row: `sequence, at_ms, actor_kind, actor_id, actor_display,
/// entity_kind, entity_id, action, hash`.
const ENTRY_COLUMNS: &str =
    "sequence, at_ms, actor_kind, actor_id, actor_display, entity_kind, entity_id, action, hash";

type RawEntry = (
    i64,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn raw(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawEntry> {
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
}

type RawChange = (String, Option<String>, Option<String>);

fn raw_changes(c: &Connection, sequence: i64) -> Result<Vec<RawChange>> {
    Ok(c.prepare_cached(
        "SELECT field, before, after FROM audit_change WHERE sequence = ? ORDER BY field",
    )?
    .query_map([sequence], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
    .collect::<rusqlite::Result<_>>()?)
}

/// An entry from its rows; `None` when a stored value is not one an entry
/// can hold (a changed row).
fn entry(raw: RawEntry, changes: Vec<RawChange>) -> Option<StoredEntry> {
    let (sequence, at_ms, actor_kind, actor_id, actor_display, kind, id, action, hash) = raw;
    Some(StoredEntry {
        entry: Entry {
            sequence: u64::try_from(sequence).ok()?,
            event: Event {
                at_ms,
                actor: waymark_core::audit::Actor {
                    kind: actor_kind.parse::<ActorKind>().ok()?,
                    id: actor_id,
                    display: actor_display,
                },
                entity: Entity {
                    kind: kind.parse().ok()?,
                    id,
                },
                action: action.parse().ok()?,
                changes: changes_of(changes).ok()?,
            },
        },
        hash,
    })
}

/// Entries the filter lets through, newest first, at most `limit`. A row no
/// entry can hold is left out (`audit verify` names it).
///
/// A page walks the entry numbers from its cursor (`before`: down; `after`:
/// up, then turned round), so it costs the same however deep it is.
pub(super) fn entries(
    c: &Connection,
    filter: &AuditFilter,
    limit: u32,
) -> Result<Vec<StoredEntry>> {
    let mut clause = String::from("1");
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut condition = |sql: &str, values: &[rusqlite::types::Value]| {
        clause.push_str(" AND ");
        clause.push_str(sql);
        args.extend_from_slice(values);
    };
    if let Some(kind) = &filter.entity_kind {
        condition("entity_kind = ?", &[kind.clone().into()]);
    }
    if let Some(id) = &filter.entity_id {
        condition("entity_id = ?", &[id.clone().into()]);
    }
    if let Some(kind) = filter.actor_kind {
        condition("actor_kind = ?", &[kind.as_str().to_string().into()]);
    }
    if let Some(actor) = &filter.actor {
        // SQLite's lower() folds ASCII letters only; so does the needle.
        let needle = actor.to_ascii_lowercase();
        condition(
            "(instr(lower(actor_display), ?) > 0 OR instr(lower(actor_id), ?) > 0)",
            &[needle.clone().into(), needle.into()],
        );
    }
    if let Some(action) = &filter.action {
        condition("action = ?", &[action.clone().into()]);
    }
    if let Some(from) = filter.from_ms {
        condition("at_ms >= ?", &[from.into()]);
    }
    if let Some(until) = filter.until_ms {
        condition("at_ms < ?", &[until.into()]);
    }
    // A number past SQLite's integers is past every entry.
    let number = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    if let Some(before) = filter.before {
        condition("sequence < ?", &[number(before).into()]);
    }
    if let Some(after) = filter.after {
        condition("sequence > ?", &[number(after).into()]);
    }
    let upward = filter.after.is_some();
    args.push(i64::from(limit).into());
    let mut rows: Vec<RawEntry> = c
        .prepare_cached(&format!(
            "SELECT {ENTRY_COLUMNS} FROM audit_entry WHERE {clause} ORDER BY sequence {} LIMIT ?",
            if upward { "ASC" } else { "DESC" }
        ))?
        .query_map(rusqlite::params_from_iter(args), raw)?
        .collect::<rusqlite::Result<_>>()?;
    if upward {
        rows.reverse();
    }
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let changes = raw_changes(c, row.0)?;
        out.extend(entry(row, changes));
    }
    Ok(out)
}

/// Every entry in order through `verifier`: the head of a good chain, or the
/// first bad entry.
pub(super) fn verify(
    c: &Connection,
    mut verifier: Verifier,
) -> Result<std::result::Result<Head, ChainError>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {ENTRY_COLUMNS} FROM audit_entry ORDER BY sequence"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let row = raw(r)?;
        let sequence = row.0;
        let changes = raw_changes(c, sequence)?;
        let checked = match entry(row, changes) {
            Some(stored) => verifier.push(&stored),
            // A value no entry can hold was written there: it was changed.
            None => Err(ChainError::Altered {
                sequence: u64::try_from(sequence).unwrap_or(0),
            }),
        };
        if let Err(e) = checked {
            return Ok(Err(e));
        }
    }
    Ok(verifier.finish())
}
