//! SQLite's numbered schema migrations (`migrations/sqlite/NNNN_*.sql`),
//! applied in order at start-up. The database's `user_version` records the
//! last one applied; numbers are never reused, so a database made by any
//! earlier version opens and is brought up to date. A migration is an SQL script
//! and, where SQL cannot say it, a step in Rust run in the same transaction.

use std::collections::HashMap;

use rusqlite::{Connection, Transaction};

type Step = fn(&Transaction<'_>) -> rusqlite::Result<()>;

const MIGRATIONS: &[(i64, &str, Option<Step>)] = &[
    (
        1,
        include_str!("../../migrations/sqlite/0001_plan.sql"),
        None,
    ),
    (
        2,
        include_str!("../../migrations/sqlite/0002_search_phrases.sql"),
        None,
    ),
    (
        3,
        include_str!("../../migrations/sqlite/0003_register_upkeep.sql"),
        Some(mark_hand_set_related_items),
    ),
    (
        4,
        include_str!("../../migrations/sqlite/0004_audit.sql"),
        None,
    ),
    (
        6,
        include_str!("../../migrations/sqlite/0006_versions.sql"),
        None,
    ),
    (
        7,
        include_str!("../../migrations/sqlite/0007_accounts.sql"),
        None,
    ),
    (
        8,
        include_str!("../../migrations/sqlite/0008_as_written.sql"),
        None,
    ),
    (
        9,
        include_str!("../../migrations/sqlite/0009_baselines.sql"),
        None,
    ),
    (
        10,
        include_str!("../../migrations/sqlite/0010_decisions.sql"),
        None,
    ),
    (
        11,
        include_str!("../../migrations/sqlite/0011_lifecycle.sql"),
        None,
    ),
    (
        12,
        include_str!("../../migrations/sqlite/0012_raid.sql"),
        None,
    ),
    (
        13,
        include_str!("../../migrations/sqlite/0013_priorities.sql"),
        None,
    ),
    (
        14,
        include_str!("../../migrations/sqlite/0014_progress_notes.sql"),
        None,
    ),
];

pub(crate) fn apply(conn: &mut Connection) -> rusqlite::Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (version, sql, step) in MIGRATIONS.iter().filter(|(v, _, _)| *v > current) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)?;
        if let Some(step) = step {
            step(&tx)?;
        }
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "applied migration");
    }
    Ok(())
}

/// Packages stored before related items could be kept in step with the
/// relationships text: those whose items differ from what the text names were
/// set by hand, and stay as they are.
fn mark_hand_set_related_items(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let mut linked: HashMap<i64, Vec<String>> = HashMap::new();
    let mut stmt = tx.prepare(
        "SELECT wpr.work_package_id, ri.name FROM work_package_related wpr
         JOIN related_item ri ON ri.id = wpr.related_item_id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        linked.entry(r.get(0)?).or_default().push(r.get(1)?);
    }
    let mut hand_set = Vec::new();
    let mut stmt = tx.prepare("SELECT id, relationships FROM work_package")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let text: String = r.get(1)?;
        let items = linked.get(&id).map_or(&[][..], Vec::as_slice);
        if crate::rules::packages::related_items_hand_set(&text, items) {
            hand_set.push(id);
        }
    }
    let mut mark = tx.prepare("UPDATE work_package SET related_items_manual = 1 WHERE id = ?")?;
    for id in hand_set {
        mark.execute([id])?;
    }
    Ok(())
}
