//! The SQLite backend: a pool of connections to one database file in WAL mode.

mod accounts;
mod audit;
mod cache;
mod callers;
mod checkpoint;
mod decisions;
mod list;
mod migrate;
mod notes;
mod priorities;
mod raid;
mod tx;

use cache::Cache;
use checkpoint::Checkpointer;
use tx::SqliteTx;

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use r2d2::{Pool, PooledConnection};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::types::Value;
use rusqlite::{
    Connection, OptionalExtension, Transaction, TransactionBehavior, params, params_from_iter,
};
use waymark_core::import::parse_delivery;
use waymark_core::{
    Date, Dependency, Influence, InfluenceCode, Plan, Programme, Progress, Quarter,
    QuarterConvention, Rag, RelatedItem, RelatedKind, Section, Status, WorkPackage, WorkPackageRef,
};

use waymark_core::audit::{ChainError, Head, StoredEntry, Verifier};

use crate::rules;
use crate::rules::PlanTx;
use crate::rules::access::Need;
use crate::rules::audit::{Audited, Subject};
use crate::{
    Actor, AuditFilter, BackendError, Baseline, BaselineId, BaselineRow, DASHBOARD_LIST, Dashboard,
    DecisionId, DecisionInput, DecisionRow, DependencyId, DependencyLink, DependencyRow,
    FilterOptions, InfluenceOption, InfluenceRow, OnExisting, Page, PlanApproval, PlanId,
    PlanInput, PlanPart, PlanStore, PlanSummary, ProgrammeId, ProgrammeInput, ProgrammeOption,
    ProgrammeRef, ProgrammeRow, ProgressNoteId, ProgressNoteInput, ProgressNoteRow, RelatedItemId,
    RelatedItemRow, RelatedRef, Result, SectionChange, SectionId, SectionMove, SectionOption,
    SectionRow, StoreError, Traceability, UpdateOptions, Verdict, Version, WorkPackageDetail,
    WorkPackageId, WorkPackageInput, WorkPackageQuery, WorkPackageRow,
};

/// Most rows a register page lists for one influence or related item.
const LIST_CAP: u32 = 1000;

pub struct SqliteStore {
    pool: Pool<SqliteConnectionManager>,
    cache: Cache,
    /// Who tokens and sessions are, for a moment (`callers.rs`).
    callers: callers::Callers,
    /// The database file (`None` in memory), for connections of their own.
    path: Option<String>,
    /// WAL checkpoints, off the request path (a file only).
    checkpointer: Option<Checkpointer>,
    /// This process's writers take turns here and are woken as soon as the
    /// writer before them ends. Left to SQLite (the busy timeout), a waiting
    /// writer polls with sleeps of up to 100 ms, and one that keeps losing to
    /// the others was measured waiting half a second.
    writer: Arc<Mutex<()>>,
}

/// A writer's turn and its connection, taken together ([`SqliteStore::writer`]);
/// the connection goes back to the pool before the turn passes on.
struct Writing<'a> {
    conn: PooledConnection<SqliteConnectionManager>,
    _turn: MutexGuard<'a, ()>,
}

/// Every connection's settings.
fn init_connection(c: &Connection) -> rusqlite::Result<()> {
    // Room for every statement a write transaction prepares (the rules'
    // primitives, an import's inserts) and those of the reads between writes
    // (each list's query and count, the counts' probes), so none is parsed
    // twice in a row: re-preparing was 9 % of the server's time under the
    // mixed load with room for 16.
    c.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    c.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;
         PRAGMA cache_size = -8000; PRAGMA temp_store = MEMORY;
         PRAGMA wal_autocheckpoint = 0;",
    )?;
    // Reads through a memory map of the database file instead of copying
    // each page into the connection's cache. In WAL mode every write makes
    // each reader connection drop its whole page cache at its next read, so
    // under a steady flow of writes most reads start cold; from the map a
    // cold page costs a pointer, not a read and a copy (waymark-bench, mixed
    // load: reads p99 17 to 13 ms, lists a third more requests a second).
    // The mapped pages are the OS's page cache, shared and reclaimable, but
    // they count in the server's RSS: hence a bound, not the whole file.
    c.pragma_update(None, "mmap_size", MMAP_BYTES)
}

/// How much of the database file each connection maps: all of a
/// 250,000-package plan.
const MMAP_BYTES: i64 = 256 * 1024 * 1024;

/// Prepared statements kept per connection.
const STATEMENT_CACHE: usize = 256;

const SEARCH_COLUMNS: &str = "ref, title, scope, relationships, delivery, delivery_as_written, comments, owner, progress_note";

/// A package's values of [`SEARCH_COLUMNS`], in their order (`delivery`: the
/// package's delivery as stored, `format_delivery`).
fn search_values<'a>(p: &'a rules::PackageRecord<'a>, delivery: &'a str) -> [&'a str; 9] {
    [
        p.reference,
        p.title,
        p.scope,
        p.relationships,
        delivery,
        p.delivery_as_written,
        p.comments,
        p.owner,
        p.progress_note,
    ]
}

/// Add the packages `clause` selects to the search index.
fn index_search(tx: &Connection, clause: &str, param: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(&format!(
        "INSERT INTO work_package_search (rowid, {SEARCH_COLUMNS}) SELECT id, {SEARCH_COLUMNS} FROM work_package WHERE {clause}"
    ))?
    .execute([param])?;
    Ok(())
}

/// Remove the packages `clause` selects from the search index; call before the
/// rows change or go.
fn unindex_search(tx: &Connection, clause: &str, param: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(&format!(
        "INSERT INTO work_package_search (work_package_search, rowid, {SEARCH_COLUMNS})
         SELECT 'delete', id, {SEARCH_COLUMNS} FROM work_package WHERE {clause}"
    ))?
    .execute([param])?;
    Ok(())
}

const WP_COLUMNS: &str = "wp.id, wp.plan_id, wp.section_id, wp.ref, wp.number, wp.title, wp.delivery, wp.owner, wp.status, wp.rag, wp.progress, wp.version";

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Backend(BackendError::new(e))
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        StoreError::Backend(BackendError::new(format!("connection pool: {e}")))
    }
}

fn corrupt(what: impl std::fmt::Display) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        what.to_string().into(),
    )
}

fn parse_col<T: FromStr>(s: &str) -> rusqlite::Result<T>
where
    T::Err: std::fmt::Display,
{
    s.parse().map_err(corrupt)
}

/// A package row from [`WP_COLUMNS`].
fn wp_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<WorkPackageRow> {
    wp_row_at(r, 0)
}

/// A package row from [`WP_COLUMNS`] starting at column `at` (a query that
/// selects two packages reads the second after the first).
fn wp_row_at(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<WorkPackageRow> {
    let delivery: String = r.get(at + 6)?;
    let status: String = r.get(at + 8)?;
    let rag: Option<String> = r.get(at + 9)?;
    let progress: i64 = r.get(at + 10)?;
    Ok(WorkPackageRow {
        id: WorkPackageId(r.get(at)?),
        plan_id: PlanId(r.get(at + 1)?),
        section_id: SectionId(r.get(at + 2)?),
        reference: r.get(at + 3)?,
        number: r.get(at + 4)?,
        title: r.get(at + 5)?,
        delivery: parse_delivery(&delivery).0,
        owner: r.get(at + 7)?,
        status: parse_col(&status)?,
        rag: rag.as_deref().map(parse_col).transpose()?,
        progress: Progress::new(progress).map_err(corrupt)?,
        version: Version(r.get(at + 11)?),
    })
}

/// How many columns [`WP_COLUMNS`] selects.
const WP_COLUMN_COUNT: usize = 12;

/// A related item from `id, name, kind`.
fn related_ref(r: &rusqlite::Row<'_>) -> rusqlite::Result<RelatedRef> {
    Ok(RelatedRef {
        id: RelatedItemId(r.get(0)?),
        name: r.get(1)?,
        kind: parse_col(&r.get::<_, String>(2)?)?,
    })
}

/// A related item's row from `id, name, kind, <count of packages>`.
fn related_item_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RelatedItemRow> {
    let item = related_ref(r)?;
    Ok(RelatedItemRow {
        id: item.id,
        name: item.name,
        kind: item.kind,
        work_package_count: r.get::<_, i64>(3)? as u64,
        version: Version(r.get(4)?),
    })
}

/// The columns [`related_item_row`] reads, for `related_item ri`.
const RELATED_ITEM_COLUMNS: &str = "ri.id, ri.name, ri.kind, (SELECT COUNT(*) FROM work_package_related w WHERE w.related_item_id = ri.id), ri.version";

fn section_label(number: &Option<String>, title: &Option<String>, position: i64) -> String {
    rules::section_label(number.as_deref(), title.as_deref(), position as usize)
}

fn sort_key(code: &InfluenceCode) -> String {
    code.sort_key()
        .iter()
        .map(|n| format!("{n:010}"))
        .collect::<Vec<_>>()
        .join(".")
}

/// A section row from `SELECT id, plan_id, position, number, title, <count>`.
fn section_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SectionRow> {
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
        version: Version(r.get(6)?),
    })
}

const SECTION_COLUMNS: &str = "s.id, s.plan_id, s.position, s.number, s.title, (SELECT COUNT(*) FROM work_package w WHERE w.section_id = s.id), s.version";

fn section(c: &rusqlite::Connection, id: SectionId) -> Result<SectionRow> {
    c.prepare_cached(&format!(
        "SELECT {SECTION_COLUMNS} FROM section s WHERE s.id = ?"
    ))?
    .query_row([id.0], section_row)
    .optional()?
    .ok_or(StoreError::NotFound { what: "section" })
}

/// What a package's filter choices depend on: its plan's newest influence and
/// related item, and the programmes it belongs to. A package write that
/// changes none of these leaves the plan's filter choices as they were.
#[derive(Debug, PartialEq, Eq)]
struct RegistersState {
    plan: Option<i64>,
    newest_influence: Option<i64>,
    newest_related: Option<i64>,
    programmes: Vec<i64>,
}

fn registers_state(tx: &Connection, package: Option<i64>) -> Result<RegistersState> {
    let Some(id) = package else {
        return Ok(RegistersState {
            plan: None,
            newest_influence: None,
            newest_related: None,
            programmes: Vec::new(),
        });
    };
    let plan: Option<i64> = tx
        .prepare_cached("SELECT plan_id FROM work_package WHERE id = ?")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    let newest = |sql: &str| -> Result<Option<i64>> {
        Ok(tx.prepare_cached(sql)?.query_row([plan], |r| r.get(0))?)
    };
    Ok(RegistersState {
        plan,
        newest_influence: newest("SELECT MAX(id) FROM influence WHERE plan_id = ?")?,
        newest_related: newest("SELECT MAX(id) FROM related_item WHERE plan_id = ?")?,
        programmes: tx
            .prepare_cached(
                "SELECT programme_id FROM programme_work_package WHERE work_package_id = ? ORDER BY programme_id",
            )?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?,
    })
}

impl SqliteStore {
    pub fn open(path: &str) -> Result<Self> {
        let init = |c: &mut Connection| init_connection(c);
        let (manager, size) = if path == ":memory:" {
            (SqliteConnectionManager::memory().with_init(init), 1)
        } else {
            if let Some(dir) = Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Corrupt(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
            (
                SqliteConnectionManager::file(path).with_init(init),
                crate::pool_size(),
            )
        };
        let pool = Pool::builder().max_size(size).build(manager)?;
        {
            let mut conn = pool.get()?;
            conn.pragma_update(None, "journal_mode", "WAL")?;
            migrate::apply(&mut conn)?;
        }
        let writer = Arc::new(Mutex::new(()));
        let checkpointer = match path {
            ":memory:" => None,
            file => Some(Checkpointer::start(file, writer.clone()).map_err(|e| {
                StoreError::Backend(BackendError::new(format!(
                    "cannot start the checkpoint thread: {e}"
                )))
            })?),
        };
        Ok(SqliteStore {
            pool,
            cache: Cache::default(),
            callers: callers::Callers::default(),
            path: (path != ":memory:").then(|| path.to_string()),
            checkpointer,
            writer,
        })
    }

    /// Run reads in one snapshot, so a count and the rows it counts agree.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.pool.get()?;
        // Cached statements: a read is a hot path and BEGIN/COMMIT would
        // otherwise be parsed on every request.
        conn.prepare_cached("BEGIN")?.execute([])?;
        let value = f(&conn);
        let end = if value.is_ok() { "COMMIT" } else { "ROLLBACK" };
        conn.prepare_cached(end)?.execute([])?;
        value
    }

    /// A write transaction by `by`, audited as `audited`; every cached count
    /// and choice starts afresh after it.
    fn write<T>(
        &self,
        by: &Actor,
        audited: Audited<T>,
        f: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let need = Need::of(&audited);
        self.write_as(by, &need, audited, f)
    }

    /// [`Self::write`] for a write whose permission is not read off what it
    /// records (an account's own password, a token of one's own).
    fn write_as<T>(
        &self,
        by: &Actor,
        need: &Need,
        audited: Audited<T>,
        f: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut w = self.writer()?;
        self.write_then(
            &mut w,
            by,
            need,
            audited,
            |tx, _| Ok((f(tx)?, None)),
            Finish::Commit,
        )
    }

    /// The one write path: `f` in a `BEGIN IMMEDIATE` transaction that
    /// appends its audit entry and bumps `store_generation`, then committed,
    /// or rolled back for a dry run (which so makes every write and meets
    /// every constraint a real one does). First of all, inside the
    /// transaction, `by` must be allowed what the write `need`s
    /// (`rules::access::check`: a refusal writes nothing). `f` gets the
    /// generation the transaction started from and may answer how the
    /// cached counts moved (a package write); without that, the cache starts
    /// afresh.
    fn write_then<T>(
        &self,
        w: &mut Writing<'_>,
        by: &Actor,
        need: &Need,
        audited: Audited<T>,
        f: impl FnOnce(&Transaction<'_>, i64) -> Result<(T, Option<cache::Deltas>)>,
        finish: Finish,
    ) -> Result<T> {
        let tx = w
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        rules::access::check(&mut SqliteTx::new(&tx), by, need)?;
        let before = rules::audit::before(&mut SqliteTx::new(&tx), &audited)?;
        let from = cache::generation(&tx)?;
        let (value, deltas) = f(&tx, from)?;
        Self::record(&tx, by, &audited, &before, &value)?;
        Self::bump(&tx)?;
        match finish {
            Finish::Commit => {
                let committing = self.cache.committing(from);
                tx.commit()?;
                match deltas {
                    Some(deltas) => committing.apply(deltas),
                    None => committing.reset(),
                }
                if let Audited::Change(_, Subject::Account(_) | Subject::Token(_)) = &audited {
                    self.callers.clear();
                }
                self.wrote();
            }
            Finish::RollBack => tx.rollback()?,
        }
        Ok(value)
    }

    /// Where a write records who made it: every write transaction calls this
    /// after its change and before it commits, so the audit entry and the
    /// change stand or fall together.
    fn record<T>(
        tx: &Transaction<'_>,
        by: &Actor,
        audited: &Audited<T>,
        before: &waymark_core::audit::Snapshot,
        value: &T,
    ) -> Result<()> {
        rules::audit::record(&mut SqliteTx::new(tx), by, now_ms(), audited, before, value)
    }

    /// This process's turn to write (see `writer`).
    fn writer_turn(&self) -> MutexGuard<'_, ()> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The turn to write, then a connection to write on: in that order, so
    /// a writer waiting for its turn holds no connection a reader could use.
    fn writer(&self) -> Result<Writing<'_>> {
        let turn = self.writer_turn();
        Ok(Writing {
            conn: self.pool.get()?,
            _turn: turn,
        })
    }

    /// A write committed: its log is checkpointed shortly, off the request path.
    fn wrote(&self) {
        if let Some(c) = &self.checkpointer {
            c.wrote();
        }
    }

    fn bump(tx: &Transaction<'_>) -> Result<()> {
        tx.prepare_cached("UPDATE store_generation SET generation = generation + 1 WHERE id = 1")?
            .execute([])?;
        Ok(())
    }

    /// A check-and-change in one write transaction: check the record is at
    /// the version the caller expects, `read` what is stored, let `change`
    /// decide what to store (or nothing), and `apply` it. Answers whether it
    /// stored a change.
    fn change<C, I>(
        &self,
        by: &Actor,
        subject: Subject,
        expected: Option<Version>,
        read: impl FnOnce(&Connection) -> Result<C>,
        change: &mut dyn FnMut(&C) -> Option<I>,
        apply: impl FnOnce(&mut SqliteTx<'_>, I) -> Result<()>,
    ) -> Result<bool> {
        self.write(by, Audited::Change("update", subject.clone()), |tx| {
            rules::expect_version(&mut SqliteTx::new(tx), &subject, expected)?;
            let current = read(tx)?;
            match change(&current) {
                Some(input) => {
                    apply(&mut SqliteTx::new(tx), input)?;
                    Ok(true)
                }
                None => Ok(false),
            }
        })
    }

    /// A delete in one write transaction, once the record is found at the
    /// version the caller expects.
    fn delete(
        &self,
        by: &Actor,
        subject: Subject,
        expected: Option<Version>,
        delete: impl FnOnce(&mut SqliteTx<'_>) -> Result<()>,
    ) -> Result<()> {
        self.write(by, Audited::Change("delete", subject.clone()), |tx| {
            let mut tx = SqliteTx::new(tx);
            rules::expect_version(&mut tx, &subject, expected)?;
            delete(&mut tx)
        })
    }

    /// A write that changes one package and its links (or creates or deletes
    /// it): `before` is the package as it was (`None` for a new one); `f`
    /// answers with its value and the package as it is after (`None` once
    /// deleted). Cached counts move by what changed instead of starting afresh.
    fn write_package<T>(
        &self,
        by: &Actor,
        before: Option<WorkPackageId>,
        audited: Audited<T>,
        f: impl FnOnce(&Transaction<'_>) -> Result<(T, Option<WorkPackageId>)>,
    ) -> Result<T> {
        let mut w = self.writer()?;
        let counting = |tx: &Transaction<'_>, from: i64| {
            let probes = self.cache.probes(from);
            let before_id = before.map(|w| w.0);
            let counted_before = probes
                .iter()
                .map(|(_, p)| cache::counted(tx, p, before_id))
                .collect::<Result<Vec<bool>>>()?;
            let registers_before = registers_state(tx, before_id)?;
            let (value, after) = f(tx)?;
            let after_id = after.map(|w| w.0);
            let mut changes = Vec::with_capacity(probes.len());
            for ((key, probe), was) in probes.into_iter().zip(counted_before) {
                let is = cache::counted(tx, &probe, after_id)?;
                changes.push((key, i64::from(is) - i64::from(was)));
            }
            let registers_after = registers_state(tx, after_id)?;
            let mut options_changed = Vec::new();
            if registers_before != registers_after {
                options_changed.extend(registers_before.plan);
                options_changed.extend(registers_after.plan);
            }
            let deltas = cache::Deltas {
                from,
                changes,
                options_changed,
            };
            Ok((value, Some(deltas)))
        };
        let need = Need::of(&audited);
        self.write_then(&mut w, by, &need, audited, counting, Finish::Commit)
    }

    fn rows_where(
        conn: &Connection,
        clause: &str,
        params: &[Value],
        limit: u32,
    ) -> Result<Vec<WorkPackageRow>> {
        let sql = format!(
            "SELECT {WP_COLUMNS} FROM work_package wp WHERE {clause} ORDER BY wp.section_position, wp.position LIMIT {limit}"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params_from_iter(params), wp_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

/// A baseline's row as `baseline_row` reads it.
const BASELINE_COLUMNS: &str = "id, plan_id, name, taken_at_ms, taken_by, package_count";

fn baseline_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BaselineRow> {
    Ok(BaselineRow {
        id: BaselineId(r.get(0)?),
        plan_id: PlanId(r.get(1)?),
        name: r.get(2)?,
        taken_at_ms: r.get(3)?,
        taken_by: r.get(4)?,
        package_count: r.get::<_, i64>(5)?.max(0) as u64,
    })
}

/// Now, in milliseconds since 1970 (an audit entry's time).
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// FTS5's in-memory room for new terms during an import (bytes).
const BULK_SEARCH_HASH: i64 = 64 << 20;
/// FTS5's own default for it (`FTS5_DEFAULT_HASHSIZE`).
const FTS5_DEFAULT_HASH: i64 = 1 << 20;

/// Set the search index's room for new terms (FTS5's `hashsize`, bytes).
fn search_hash(tx: &Connection, bytes: i64) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO work_package_search (work_package_search, rank) VALUES ('hashsize', ?)",
    )?
    .execute([bytes])?;
    Ok(())
}

/// How a write transaction ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Finish {
    Commit,
    RollBack,
}

impl SqliteStore {
    /// [`PlanStore::import_plan`], or its dry run.
    fn import_then(
        &self,
        plan: &Plan,
        on_existing: OnExisting,
        by: &Actor,
        finish: Finish,
    ) -> Result<PlanId> {
        // A big import would spill dirty pages to the WAL mid-transaction with the
        // everyday page cache; give this connection room for the whole import
        // (a cap, not an allocation: SQLite only uses what the plan needs).
        let mut w = self.writer()?;
        w.conn.execute_batch("PRAGMA cache_size = -262144;")?;
        let audited = Audited::Import {
            title: plan.title.clone(),
            plan: |id: &PlanId| *id,
        };
        let result = self.write_then(
            &mut w,
            by,
            &Need::Action(waymark_core::access::Action::Import),
            audited,
            |tx, _| {
                let mut bulk = SqliteTx::bulk(tx);
                let pid = rules::import::import(&mut bulk, plan, on_existing)?;
                bulk.finish_bulk()?;
                // The search index holds up to FTS5's `hashsize` of new terms
                // in memory before it writes them out as a segment, and merges
                // segments as they pile up (with the 1 MiB default, merging was
                // almost half of indexing 100,000 packages). Room for far more
                // for this statement, the default again after it (both in this
                // transaction: no other writer sees the large one).
                search_hash(tx, BULK_SEARCH_HASH)?;
                index_search(tx, "plan_id = ?", pid.0)?;
                search_hash(tx, FTS5_DEFAULT_HASH)?;
                // Fresh statistics, so the planner picks the right index for each
                // filter (sampled: a few hundred rows per index are enough).
                tx.execute_batch("PRAGMA analysis_limit = 400; ANALYZE;")?;
                Ok((pid, None))
            },
            finish,
        );
        if result.is_ok() && finish == Finish::Commit {
            // The import's log goes into the database file now, as part of the
            // import, rather than slowing the next requests.
            checkpoint::checkpoint(&w.conn)?;
        }
        w.conn
            .execute_batch("PRAGMA cache_size = -8000; PRAGMA shrink_memory;")?;
        result
    }
}

/// A plan's influences with their package counts; only `code` when given (one
/// influence's page should not count every other influence's links).
fn influence_rows(
    c: &Connection,
    plan: PlanId,
    code: Option<&InfluenceCode>,
) -> Result<Vec<InfluenceRow>> {
    let rows = c
        .prepare_cached(
            "SELECT i.code, i.title, i.description, (SELECT COUNT(*) FROM work_package_influence w WHERE w.influence_id = i.id), i.version
             FROM influence i WHERE i.plan_id = ?1 AND (?2 IS NULL OR i.code = ?2) ORDER BY i.sort_key",
        )?
        .query_map(params![plan.0, code.map(InfluenceCode::as_str)], |r| {
            Ok(InfluenceRow {
                code: parse_col(&r.get::<_, String>(0)?)?,
                title: r.get(1)?,
                description: r.get(2)?,
                work_package_count: r.get::<_, i64>(3)? as u64,
                version: Version(r.get(4)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

fn final_quarter(delivery: &[waymark_core::DeliveryTarget]) -> Option<i32> {
    delivery.iter().map(|d| d.quarter.index()).max()
}

fn deps_of(conn: &Connection, plan: i64) -> Result<Vec<Dependency>> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.ref, s.ref FROM dependency d JOIN work_package p ON p.id = d.predecessor_id
         JOIN work_package s ON s.id = d.successor_id WHERE d.plan_id = ? ORDER BY d.id",
    )?;
    let deps = stmt
        .query_map([plan], |r| {
            Ok(Dependency {
                predecessor: WorkPackageRef(r.get(0)?),
                successor: WorkPackageRef(r.get(1)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(deps)
}

fn map_unique(e: rusqlite::Error, field: &'static str, message: String) -> StoreError {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::Conflict { field, message }
        }
        _ => StoreError::from(e),
    }
}

/// A plan without its packages (every section, registers, programmes,
/// dependencies), read in the caller's snapshot.
/// A plan's own row, without its counts (zero).
fn plan_row(c: &Connection, id: PlanId) -> Result<PlanSummary> {
    c.prepare_cached(
        "SELECT id, title, organisation, period, introduction, quarter_convention, notes, version, status, superseded_by FROM plan WHERE id = ?",
    )?
    .query_row([id.0], |r| {
        let conv: String = r.get(5)?;
        let status: String = r.get(8)?;
        Ok(PlanSummary {
            id: PlanId(r.get(0)?),
            title: r.get(1)?,
            organisation: r.get(2)?,
            period: r.get(3)?,
            introduction: r.get(4)?,
            quarter_convention: parse_col(&conv)?,
            notes: r.get(6)?,
            section_count: 0,
            work_package_count: 0,
            version: Version(r.get(7)?),
            status: parse_col(&status)?,
            superseded_by: r.get::<_, Option<i64>>(9)?.map(PlanId),
        })
    })
    .optional()?
    .ok_or(StoreError::NotFound { what: "plan" })
}

/// A plan's quarter convention (the plan must exist).
pub(crate) fn plan_convention(c: &Connection, id: PlanId) -> Result<QuarterConvention> {
    let conv: Option<String> = c
        .prepare_cached("SELECT quarter_convention FROM plan WHERE id = ?")?
        .query_row([id.0], |r| r.get(0))
        .optional()?;
    let conv = conv.ok_or(StoreError::NotFound { what: "plan" })?;
    Ok(parse_col(&conv)?)
}

/// A whole plan read on `c` (inside a write's transaction, or a read's).
pub(crate) fn plan_in(c: &Connection, id: PlanId) -> Result<Plan> {
    let mut plan = skeleton(c, id, plan_row(c, id)?)?;
    each_package(c, id, &mut |section, package| {
        if let Some(s) = plan.sections.get_mut(section) {
            s.work_packages.push(package);
        }
        true
    })?;
    Ok(plan)
}

fn skeleton(c: &Connection, id: PlanId, summary: PlanSummary) -> Result<Plan> {
    let mut plan = Plan::new(summary.title);
    plan.organisation = summary.organisation;
    plan.period = summary.period;
    plan.introduction = summary.introduction;
    plan.quarter_convention = summary.quarter_convention;
    plan.notes = summary.notes;
    let mut stmt =
        c.prepare_cached("SELECT number, title FROM section WHERE plan_id = ? ORDER BY position")?;
    plan.sections = stmt
        .query_map([id.0], |r| {
            Ok(Section {
                number: r.get(0)?,
                title: r.get(1)?,
                work_packages: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = c.prepare_cached(
        "SELECT code, title, description FROM influence WHERE plan_id = ? ORDER BY sort_key",
    )?;
    plan.influences = stmt
        .query_map([id.0], |r| {
            let code: String = r.get(0)?;
            Ok(Influence {
                code: parse_col(&code)?,
                title: r.get(1)?,
                description: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt =
        c.prepare_cached("SELECT name, kind FROM related_item WHERE plan_id = ? ORDER BY id")?;
    plan.related_items = stmt
        .query_map([id.0], |r| {
            let kind: String = r.get(1)?;
            Ok(RelatedItem {
                name: r.get(0)?,
                kind: parse_col(&kind)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = c.prepare_cached(
        "SELECT id, name, priority, description FROM programme WHERE plan_id = ? ORDER BY position",
    )?;
    let progs: Vec<(i64, Programme)> = stmt
        .query_map([id.0], |r| {
            Ok((
                r.get(0)?,
                Programme {
                    name: r.get(1)?,
                    priority: r.get(2)?,
                    description: r.get(3)?,
                    work_packages: Vec::new(),
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut members = c.prepare_cached(
        "SELECT wp.ref FROM programme_work_package m JOIN work_package wp ON wp.id = m.work_package_id
         WHERE m.programme_id = ? ORDER BY m.position",
    )?;
    for (pid, mut prog) in progs {
        prog.work_packages = members
            .query_map([pid], |r| Ok(WorkPackageRef(r.get(0)?)))?
            .collect::<rusqlite::Result<_>>()?;
        plan.programmes.push(prog);
    }
    plan.dependencies = deps_of(c, id.0)?;
    Ok(plan)
}

/// Packages read and handed on at a time (with their links).
const PACKAGE_BATCH: usize = 500;

/// Every package of a plan in plan order, with its section's index, a batch
/// at a time; `visit` answers `false` to stop.
fn each_package(
    c: &Connection,
    id: PlanId,
    visit: &mut dyn FnMut(usize, WorkPackage) -> bool,
) -> Result<()> {
    let section_index: HashMap<i64, usize> = c
        .prepare_cached("SELECT id FROM section WHERE plan_id = ? ORDER BY position")?
        .query_map([id.0], |r| r.get::<_, i64>(0))?
        .enumerate()
        .map(|(i, sid)| sid.map(|sid| (sid, i)))
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = c.prepare_cached(
        "SELECT id, section_id, number, title, scope, relationships, delivery, comments, owner, status, rag, progress, actual_delivery,
            progress_note, delivery_as_written
         FROM work_package WHERE plan_id = ? ORDER BY section_position, position",
    )?;
    let mut rows = stmt.query([id.0])?;
    let mut batch: Vec<(i64, usize, WorkPackage)> = Vec::with_capacity(PACKAGE_BATCH);
    loop {
        let row = rows.next()?;
        let done = row.is_none();
        if let Some(r) = row {
            let wid: i64 = r.get(0)?;
            let delivery: String = r.get(6)?;
            let status: String = r.get(9)?;
            let rag: Option<String> = r.get(10)?;
            let actual: Option<String> = r.get(12)?;
            let wp = WorkPackage {
                number: r.get(2)?,
                title: r.get(3)?,
                scope: r.get(4)?,
                relationships: r.get(5)?,
                delivery: parse_delivery(&delivery).0,
                delivery_as_written: r.get(14)?,
                comments: r.get(7)?,
                influences: Vec::new(),
                related_items: Vec::new(),
                owner: r.get(8)?,
                status: parse_col(&status)?,
                rag: rag.as_deref().map(parse_col).transpose()?,
                progress: Progress::new(r.get(11)?).map_err(corrupt)?,
                progress_note: r.get(13)?,
                actual_delivery: actual.as_deref().map(parse_col::<Date>).transpose()?,
            };
            let si = section_index
                .get(&r.get(1)?)
                .copied()
                .ok_or_else(|| StoreError::Corrupt("package in unknown section".into()))?;
            batch.push((wid, si, wp));
        }
        if batch.len() == PACKAGE_BATCH || (done && !batch.is_empty()) {
            fill_links(c, &mut batch)?;
            for (_, section, wp) in batch.drain(..) {
                if !visit(section, wp) {
                    return Ok(());
                }
            }
        }
        if done {
            return Ok(());
        }
    }
}

/// The influences and related items of a batch of packages.
fn fill_links(c: &Connection, batch: &mut [(i64, usize, WorkPackage)]) -> Result<()> {
    let at: HashMap<i64, usize> = batch
        .iter()
        .enumerate()
        .map(|(i, (id, _, _))| (*id, i))
        .collect();
    let ids = format!(
        "[{}]",
        batch
            .iter()
            .map(|(id, _, _)| id.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut stmt = c.prepare_cached(
        "SELECT wpi.work_package_id, i.code FROM work_package_influence wpi JOIN influence i ON i.id = wpi.influence_id
         WHERE wpi.work_package_id IN (SELECT value FROM json_each(?)) ORDER BY wpi.work_package_id, wpi.position",
    )?;
    let mut rows = stmt.query([&ids])?;
    while let Some(r) = rows.next()? {
        if let Some(i) = at.get(&r.get::<_, i64>(0)?) {
            let code: String = r.get(1)?;
            batch[*i].2.influences.push(parse_col(&code)?);
        }
    }
    let mut stmt = c.prepare_cached(
        "SELECT wpr.work_package_id, ri.name FROM work_package_related wpr JOIN related_item ri ON ri.id = wpr.related_item_id
         WHERE wpr.work_package_id IN (SELECT value FROM json_each(?)) ORDER BY wpr.work_package_id, wpr.position",
    )?;
    let mut rows = stmt.query([&ids])?;
    while let Some(r) = rows.next()? {
        if let Some(i) = at.get(&r.get::<_, i64>(0)?) {
            batch[*i].2.related_items.push(r.get(1)?);
        }
    }
    Ok(())
}

/// Everything about one package, read in the caller's transaction.
fn package_detail(c: &Connection, id: WorkPackageId) -> Result<WorkPackageDetail> {
    let (row, scope, relationships, comments, actual, sec_number, sec_title, sec_pos, related_items_manual, progress_note, delivery_as_written) = c
        .prepare_cached(&format!(
            "SELECT {WP_COLUMNS}, wp.scope, wp.relationships, wp.comments, wp.actual_delivery, s.number, s.title, s.position,
                wp.related_items_manual, wp.progress_note, wp.delivery_as_written
             FROM work_package wp JOIN section s ON s.id = wp.section_id WHERE wp.id = ?"
        ))?
        .query_row([id.0], |r| {
            Ok((
                wp_row(r)?,
                r.get::<_, String>(WP_COLUMN_COUNT)?,
                r.get::<_, String>(WP_COLUMN_COUNT + 1)?,
                r.get::<_, String>(WP_COLUMN_COUNT + 2)?,
                r.get::<_, Option<String>>(WP_COLUMN_COUNT + 3)?,
                r.get::<_, Option<String>>(WP_COLUMN_COUNT + 4)?,
                r.get::<_, Option<String>>(WP_COLUMN_COUNT + 5)?,
                r.get::<_, i64>(WP_COLUMN_COUNT + 6)?,
                r.get::<_, bool>(WP_COLUMN_COUNT + 7)?,
                r.get::<_, String>(WP_COLUMN_COUNT + 8)?,
                r.get::<_, String>(WP_COLUMN_COUNT + 9)?,
            ))
        })
        .optional()?
        .ok_or(StoreError::NotFound { what: "work package" })?;
    let influences = c
        .prepare_cached("SELECT i.code FROM work_package_influence wpi JOIN influence i ON i.id = wpi.influence_id WHERE wpi.work_package_id = ? ORDER BY wpi.position")?
        .query_map([id.0], |r| parse_col::<InfluenceCode>(&r.get::<_, String>(0)?))?
        .collect::<rusqlite::Result<_>>()?;
    let related_items = c
        .prepare_cached("SELECT ri.id, ri.name, ri.kind FROM work_package_related wpr JOIN related_item ri ON ri.id = wpr.related_item_id WHERE wpr.work_package_id = ? ORDER BY wpr.position")?
        .query_map([id.0], related_ref)?
        .collect::<rusqlite::Result<_>>()?;
    let programmes = c
        .prepare_cached("SELECT p.id, p.name, p.priority FROM programme_work_package m JOIN programme p ON p.id = m.programme_id WHERE m.work_package_id = ? ORDER BY p.position")?
        .query_map([id.0], |r| Ok(ProgrammeRef { id: ProgrammeId(r.get(0)?), name: r.get(1)?, priority: r.get(2)? }))?
        .collect::<rusqlite::Result<_>>()?;
    let link = |sql: &str| -> Result<Vec<DependencyLink>> {
        Ok(c.prepare_cached(sql)?
            .query_map([id.0], |r| {
                Ok(DependencyLink {
                    dependency_id: DependencyId(r.get(WP_COLUMN_COUNT)?),
                    dependency_version: Version(r.get(WP_COLUMN_COUNT + 1)?),
                    work_package: wp_row(r)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?)
    };
    let depends_on = link(&format!(
        "SELECT {WP_COLUMNS}, d.id, d.version FROM dependency d JOIN work_package wp ON wp.id = d.predecessor_id WHERE d.successor_id = ? ORDER BY wp.section_position, wp.position"
    ))?;
    let dependents = link(&format!(
        "SELECT {WP_COLUMNS}, d.id, d.version FROM dependency d JOIN work_package wp ON wp.id = d.successor_id WHERE d.predecessor_id = ? ORDER BY wp.section_position, wp.position"
    ))?;
    Ok(WorkPackageDetail {
        row,
        section_label: section_label(&sec_number, &sec_title, sec_pos),
        scope,
        relationships,
        comments,
        progress_note,
        delivery_as_written,
        actual_delivery: actual.as_deref().map(parse_col::<Date>).transpose()?,
        influences,
        related_items,
        related_items_manual,
        programmes,
        depends_on,
        dependents,
    })
}

/// A plan's editable fields.
fn plan_input(c: &Connection, id: PlanId) -> Result<PlanInput> {
    c.prepare_cached(
        "SELECT title, organisation, period, introduction, quarter_convention FROM plan WHERE id = ?",
    )?
    .query_row([id.0], |r| {
        Ok(PlanInput {
            title: r.get(0)?,
            organisation: r.get(1)?,
            period: r.get(2)?,
            introduction: r.get(3)?,
            quarter_convention: parse_col(&r.get::<_, String>(4)?)?,
        })
    })
    .optional()?
    .ok_or(StoreError::NotFound { what: "plan" })
}

/// A programme's editable fields.
fn programme_input(c: &Connection, id: ProgrammeId) -> Result<ProgrammeInput> {
    c.prepare_cached("SELECT name, priority, description FROM programme WHERE id = ?")?
        .query_row([id.0], |r| {
            Ok(ProgrammeInput {
                name: r.get(0)?,
                priority: r.get(1)?,
                description: r.get(2)?,
            })
        })
        .optional()?
        .ok_or(StoreError::NotFound { what: "programme" })
}

/// A related item's row and its plan.
fn related_item_of(c: &Connection, id: RelatedItemId) -> Result<(RelatedItemRow, PlanId)> {
    c.prepare_cached(&format!(
        "SELECT {RELATED_ITEM_COLUMNS}, ri.plan_id FROM related_item ri WHERE ri.id = ?"
    ))?
    .query_row([id.0], |r| Ok((related_item_row(r)?, PlanId(r.get(5)?))))
    .optional()?
    .ok_or(StoreError::NotFound {
        what: "related item",
    })
}

impl PlanStore for SqliteStore {
    fn list_plans(&self) -> Result<Vec<PlanSummary>> {
        self.read(|c| {
            let ids: Vec<i64> = c
                .prepare("SELECT id FROM plan ORDER BY title")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            Ok(ids)
        })?
        .into_iter()
        .map(|id| self.plan(PlanId(id)))
        .collect()
    }

    fn plan(&self, id: PlanId) -> Result<PlanSummary> {
        self.read(|c| {
            let mut plan = plan_row(c, id)?;
            let arg = [Value::Integer(id.0)];
            plan.section_count =
                self.cache
                    .other_count(c, "SELECT COUNT(*) FROM section WHERE plan_id = ?", &arg)?
                    as u64;
            plan.work_package_count = self.package_total(c, id)?;
            Ok(plan)
        })
    }

    fn find_plan_by_title(&self, title: &str) -> Result<Option<PlanId>> {
        self.read(|c| {
            Ok(
                c.query_row("SELECT id FROM plan WHERE title = ?", [title], |r| r.get(0))
                    .optional()?
                    .map(PlanId),
            )
        })
    }

    fn import_plan(&self, plan: &Plan, on_existing: OnExisting, by: &Actor) -> Result<PlanId> {
        self.import_then(plan, on_existing, by, Finish::Commit)
    }

    fn check_import(&self, plan: &Plan, on_existing: OnExisting, by: &Actor) -> Result<()> {
        self.import_then(plan, on_existing, by, Finish::RollBack)
            .map(|_| ())
    }

    fn update_from_file(
        &self,
        id: PlanId,
        incoming: &Plan,
        options: &UpdateOptions,
        by: &Actor,
    ) -> Result<waymark_core::update::Comparison> {
        let mut w = self.writer()?;
        let finish = if options.dry_run {
            Finish::RollBack
        } else {
            Finish::Commit
        };
        let at_ms = now_ms();
        self.write_then(
            &mut w,
            by,
            &Need::Action(waymark_core::access::Action::Import),
            Audited::Update(id),
            |tx, _| {
                let cmp = rules::update::update(
                    &mut SqliteTx::new(tx),
                    id,
                    incoming,
                    options,
                    by,
                    at_ms,
                )?;
                Ok((cmp, None))
            },
            finish,
        )
    }

    fn load_plan(&self, id: PlanId) -> Result<Plan> {
        self.read(|c| plan_in(c, id))
    }

    fn visit_plan(&self, id: PlanId, visit: &mut dyn FnMut(PlanPart) -> bool) -> Result<()> {
        let summary = self.plan(id)?;
        let run = |c: &Connection| -> Result<()> {
            c.execute_batch("BEGIN")?;
            let result = (|| {
                if !visit(PlanPart::Skeleton(skeleton(c, id, summary)?)) {
                    return Ok(());
                }
                each_package(c, id, &mut |section, package| {
                    visit(PlanPart::Package { section, package })
                })
            })();
            c.execute_batch(if result.is_ok() { "COMMIT" } else { "ROLLBACK" })?;
            result
        };
        match &self.path {
            // Its own connection: the export may take as long as the reader does.
            Some(path) => {
                let c = Connection::open(path)?;
                init_connection(&c)?;
                run(&c)
            }
            None => {
                let c = self.pool.get()?;
                run(&c)
            }
        }
    }

    fn update_plan(&self, id: PlanId, input: &PlanInput, by: &Actor) -> Result<()> {
        self.write(by, Audited::Change("update", Subject::Plan(id)), |tx| {
            rules::registers::update_plan(&mut SqliteTx::new(tx), id, input)
        })
    }

    fn change_plan(
        &self,
        id: PlanId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&PlanInput) -> Option<PlanInput>,
        by: &Actor,
    ) -> Result<bool> {
        self.change(
            by,
            Subject::Plan(id),
            expected,
            |c| plan_input(c, id),
            change,
            |tx, input| rules::registers::update_plan(tx, id, &input),
        )
    }

    fn delete_plan(&self, id: PlanId, expected: Option<Version>, by: &Actor) -> Result<()> {
        self.delete(by, Subject::Plan(id), expected, |tx| {
            rules::registers::delete_plan(tx, id)
        })
    }

    fn sections(&self, plan: PlanId) -> Result<Vec<SectionRow>> {
        self.read(|c| {
            let rows = c
                .prepare_cached(&format!(
                    "SELECT {} FROM section s WHERE s.plan_id = ? ORDER BY s.position",
                    SECTION_COLUMNS
                ))?
                .query_map([plan.0], section_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
    }

    fn section(&self, id: SectionId) -> Result<SectionRow> {
        self.read(|c| section(c, id))
    }

    fn update_section(
        &self,
        id: SectionId,
        number: Option<String>,
        title: Option<String>,
        position: Option<usize>,
        by: &Actor,
    ) -> Result<()> {
        self.write(by, Audited::Change("update", Subject::Section(id)), |tx| {
            rules::registers::update_section(
                &mut SqliteTx::new(tx),
                id,
                number.as_deref(),
                title.as_deref(),
                position,
            )
        })
    }

    fn change_section(
        &self,
        id: SectionId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&SectionRow) -> Option<SectionChange>,
        by: &Actor,
    ) -> Result<bool> {
        self.change(
            by,
            Subject::Section(id),
            expected,
            |c| section(c, id),
            change,
            |tx, to| {
                rules::registers::update_section(
                    tx,
                    id,
                    to.number.as_deref(),
                    to.title.as_deref(),
                    to.position,
                )
            },
        )
    }

    fn move_section(&self, id: SectionId, to: SectionMove, by: &Actor) -> Result<()> {
        self.write(by, Audited::Change("update", Subject::Section(id)), |tx| {
            rules::registers::step_section(&mut SqliteTx::new(tx), id, to)
        })
    }

    fn delete_section(&self, id: SectionId, expected: Option<Version>, by: &Actor) -> Result<()> {
        self.delete(by, Subject::Section(id), expected, |tx| {
            rules::registers::delete_section(tx, id)
        })
    }

    fn filter_options(&self, plan: PlanId) -> Result<Arc<FilterOptions>> {
        self.read(|c| {
            let generation = cache::generation(c)?;
            if let Some(options) = self.cache.options(generation, plan.0) {
                return Ok(options);
            }
            let sections = c
                .prepare_cached("SELECT id, position, number, title FROM section WHERE plan_id = ? ORDER BY position")?
                .query_map([plan.0], |r| {
                    let position: i64 = r.get(1)?;
                    Ok(SectionOption { id: SectionId(r.get(0)?), label: section_label(&r.get(2)?, &r.get(3)?, position) })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let influences = c
                .prepare_cached("SELECT code, title FROM influence WHERE plan_id = ? ORDER BY sort_key")?
                .query_map([plan.0], |r| Ok(InfluenceOption { code: parse_col(&r.get::<_, String>(0)?)?, title: r.get(1)? }))?
                .collect::<rusqlite::Result<_>>()?;
            let programmes = c
                .prepare_cached(
                    "SELECT p.id, p.name, p.priority, (SELECT COUNT(*) FROM programme_work_package m WHERE m.programme_id = p.id)
                     FROM programme p WHERE p.plan_id = ? ORDER BY p.position",
                )?
                .query_map([plan.0], |r| {
                    Ok(ProgrammeOption {
                        id: ProgrammeId(r.get(0)?),
                        name: r.get(1)?,
                        priority: r.get(2)?,
                        work_package_count: r.get::<_, i64>(3)? as u64,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            let related_items = c
                .prepare_cached("SELECT id, name, kind FROM related_item WHERE plan_id = ? ORDER BY name COLLATE NOCASE")?
                .query_map([plan.0], related_ref)?
                .collect::<rusqlite::Result<_>>()?;
            let options = Arc::new(FilterOptions { sections, influences, programmes, related_items });
            self.cache.keep_options(generation, plan.0, options.clone());
            Ok(options)
        })
    }

    fn create_section(
        &self,
        plan: PlanId,
        number: Option<String>,
        title: Option<String>,
        by: &Actor,
    ) -> Result<SectionId> {
        self.write(
            by,
            Audited::Create(|id: &SectionId| Subject::Section(*id)),
            |tx| {
                rules::registers::create_section(
                    &mut SqliteTx::new(tx),
                    plan,
                    number.as_deref(),
                    title.as_deref(),
                )
            },
        )
    }

    fn list_work_packages(
        &self,
        plan: PlanId,
        q: &WorkPackageQuery,
    ) -> Result<Page<WorkPackageRow>> {
        self.list_packages(plan, q)
    }

    fn dashboard(&self, plan: PlanId, today: waymark_core::Date) -> Result<Dashboard> {
        let this_quarter = Quarter::containing(today, self.read(|c| plan_convention(c, plan))?);
        let next_quarter = this_quarter.next();
        let (total, by_status, by_rag) = self.read(|c| {
            let count = |q: WorkPackageQuery| self.list_total(c, plan, &q, None);
            let total = count(WorkPackageQuery::default())?;
            let by_status = Status::ALL
                .into_iter()
                .map(|s| {
                    let q = WorkPackageQuery {
                        status: Some(s),
                        ..Default::default()
                    };
                    Ok((s, count(q)?))
                })
                .collect::<Result<Vec<_>>>()?;
            let by_rag = Rag::ALL
                .into_iter()
                .map(|r| {
                    let q = WorkPackageQuery {
                        rag: Some(r),
                        ..Default::default()
                    };
                    Ok((r, count(q)?))
                })
                .collect::<Result<Vec<_>>>()?;
            Ok((total, by_status, by_rag))
        })?;
        let rated: u64 = by_rag.iter().map(|(_, n)| n).sum();
        let first = WorkPackageQuery {
            page: 1,
            per_page: DASHBOARD_LIST,
            ..Default::default()
        };
        let overdue = self.list_packages(
            plan,
            &WorkPackageQuery {
                overdue_on: Some(today),
                ..first.clone()
            },
        )?;
        let due_next = self.list_packages(
            plan,
            &WorkPackageQuery {
                quarter: Some(next_quarter),
                ..first.clone()
            },
        )?;
        let notes_since =
            waymark_core::report::months_before(today, waymark_core::report::STALE_MONTHS);
        let no_recent_note = self.list_packages(
            plan,
            &WorkPackageQuery {
                no_note_since: Some(notes_since),
                ..first
            },
        )?;
        Ok(Dashboard {
            this_quarter,
            next_quarter,
            total,
            by_status,
            by_rag,
            not_rated: total.saturating_sub(rated),
            overdue,
            due_next,
            notes_since,
            no_recent_note,
        })
    }

    fn work_package(&self, id: WorkPackageId) -> Result<WorkPackageDetail> {
        self.read(|c| package_detail(c, id))
    }

    fn create_work_package(
        &self,
        plan: PlanId,
        input: &WorkPackageInput,
        by: &Actor,
    ) -> Result<WorkPackageId> {
        self.write_package(
            by,
            None,
            Audited::Create(|id: &WorkPackageId| Subject::WorkPackage(*id)),
            |tx| {
                let mut t = SqliteTx::new(tx);
                rules::lifecycle::check_create(&mut t, by, input.status)?;
                let id = rules::packages::create(&mut t, plan, input)?;
                Ok((id, Some(id)))
            },
        )
    }

    fn update_work_package(
        &self,
        id: WorkPackageId,
        input: &WorkPackageInput,
        by: &Actor,
    ) -> Result<()> {
        self.write_package(by, Some(id), Audited::Edit(id), |tx| {
            let mut t = SqliteTx::new(tx);
            let (_, from) = t.package_status(id)?.ok_or(StoreError::NotFound {
                what: "work package",
            })?;
            rules::lifecycle::check_edit(&mut t, by, from, input.status)?;
            rules::packages::update(&mut t, id, input)?;
            Ok(((), Some(id)))
        })
    }

    fn change_work_package(
        &self,
        id: WorkPackageId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&WorkPackageDetail) -> Option<WorkPackageInput>,
        by: &Actor,
    ) -> Result<bool> {
        self.write_package(by, Some(id), Audited::Edit(id), |tx| {
            rules::expect_version(&mut SqliteTx::new(tx), &Subject::WorkPackage(id), expected)?;
            let current = package_detail(tx, id)?;
            match change(&current) {
                Some(input) => {
                    let mut t = SqliteTx::new(tx);
                    rules::lifecycle::check_edit(&mut t, by, current.row.status, input.status)?;
                    rules::packages::update(&mut t, id, &input)?;
                    Ok((true, Some(id)))
                }
                None => Ok((false, Some(id))),
            }
        })
    }

    fn delete_work_package(
        &self,
        id: WorkPackageId,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()> {
        self.write_package(
            by,
            Some(id),
            Audited::Change("delete", Subject::WorkPackage(id)),
            |tx| {
                let mut tx = SqliteTx::new(tx);
                rules::expect_version(&mut tx, &Subject::WorkPackage(id), expected)?;
                rules::packages::delete(&mut tx, id)?;
                Ok(((), None))
            },
        )
    }

    fn influences(&self, plan: PlanId) -> Result<Vec<InfluenceRow>> {
        self.read(|c| influence_rows(c, plan, None))
    }

    fn influence(
        &self,
        plan: PlanId,
        code: &InfluenceCode,
    ) -> Result<(InfluenceRow, Vec<WorkPackageRow>)> {
        let row = self
            .read(|c| influence_rows(c, plan, Some(code)))?
            .pop()
            .ok_or(StoreError::NotFound {
                what: "key influence",
            })?;
        let packages = self.read(|c| {
            Self::rows_where(
                c,
                "wp.id IN (SELECT wpi.work_package_id FROM work_package_influence wpi JOIN influence i ON i.id = wpi.influence_id WHERE i.plan_id = ? AND i.code = ?)",
                &[Value::Integer(plan.0), Value::Text(code.as_str().into())],
                LIST_CAP,
            )
        })?;
        Ok((row, packages))
    }

    fn traceability(&self, plan: PlanId, page: u32, per_page: u32) -> Result<Traceability> {
        let influences = self.influences(plan)?;
        let packages = self.list_work_packages(
            plan,
            &WorkPackageQuery {
                page,
                per_page,
                ..Default::default()
            },
        )?;
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT i.code FROM work_package_influence wpi JOIN influence i ON i.id = wpi.influence_id WHERE wpi.work_package_id = ? ORDER BY i.sort_key",
            )?;
            let mut links = Vec::with_capacity(packages.items.len());
            for wp in &packages.items {
                links.push(
                    stmt.query_map([wp.id.0], |r| parse_col::<InfluenceCode>(&r.get::<_, String>(0)?))?
                        .collect::<rusqlite::Result<Vec<_>>>()?,
                );
            }
            let packages_without_influence = Self::rows_where(
                c,
                "wp.plan_id = ? AND NOT EXISTS (SELECT 1 FROM work_package_influence w WHERE w.work_package_id = wp.id)",
                &[Value::Integer(plan.0)],
                LIST_CAP,
            )?;
            Ok(Traceability { influences, packages, links, packages_without_influence })
        })
    }

    fn related_items(&self, plan: PlanId) -> Result<Vec<RelatedItemRow>> {
        self.read(|c| {
            let rows = c
                .prepare_cached(&format!(
                    "SELECT {RELATED_ITEM_COLUMNS} FROM related_item ri WHERE ri.plan_id = ? ORDER BY ri.name COLLATE NOCASE"
                ))?
                .query_map([plan.0], related_item_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
    }

    fn related_item(
        &self,
        id: RelatedItemId,
    ) -> Result<(RelatedItemRow, PlanId, Vec<WorkPackageRow>)> {
        self.read(|c| {
            let (row, plan) = related_item_of(c, id)?;
            let packages = Self::rows_where(
                c,
                "wp.id IN (SELECT work_package_id FROM work_package_related WHERE related_item_id = ?)",
                &[Value::Integer(id.0)],
                LIST_CAP,
            )?;
            Ok((row, plan, packages))
        })
    }

    fn update_related_item(
        &self,
        id: RelatedItemId,
        name: &str,
        kind: RelatedKind,
        by: &Actor,
    ) -> Result<()> {
        self.write(
            by,
            Audited::Change("update", Subject::RelatedItem(id)),
            |tx| rules::registers::update_related_item(&mut SqliteTx::new(tx), id, name, kind),
        )
    }

    fn change_related_item(
        &self,
        id: RelatedItemId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&RelatedItemRow) -> Option<(String, RelatedKind)>,
        by: &Actor,
    ) -> Result<bool> {
        self.change(
            by,
            Subject::RelatedItem(id),
            expected,
            |c| related_item_of(c, id).map(|(row, _)| row),
            change,
            |tx, (name, kind)| rules::registers::update_related_item(tx, id, &name, kind),
        )
    }

    fn merge_related_item(
        &self,
        from: RelatedItemId,
        into: RelatedItemId,
        by: &Actor,
    ) -> Result<()> {
        self.write(
            by,
            Audited::Merge {
                from: Subject::RelatedItem(from),
                into: into.to_string(),
            },
            |tx| rules::registers::merge_related_item(&mut SqliteTx::new(tx), from, into),
        )
    }

    fn delete_related_item(
        &self,
        id: RelatedItemId,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()> {
        self.delete(by, Subject::RelatedItem(id), expected, |tx| {
            rules::registers::delete_related_item(tx, id)
        })
    }

    fn change_influence(
        &self,
        plan: PlanId,
        code: &InfluenceCode,
        expected: Option<Version>,
        change: &mut dyn FnMut(&InfluenceRow) -> Option<(String, String)>,
        by: &Actor,
    ) -> Result<bool> {
        let read = |c: &Connection| {
            influence_rows(c, plan, Some(code))?
                .pop()
                .ok_or(StoreError::NotFound {
                    what: "key influence",
                })
        };
        self.change(
            by,
            Subject::Influence(plan, code.clone()),
            expected,
            read,
            change,
            |tx, (title, description)| {
                rules::registers::update_influence(tx, plan, code, &title, &description)
            },
        )
    }

    fn delete_influence(
        &self,
        plan: PlanId,
        code: &InfluenceCode,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()> {
        self.delete(by, Subject::Influence(plan, code.clone()), expected, |tx| {
            rules::registers::delete_influence(tx, plan, code)
        })
    }

    fn merge_influence(
        &self,
        plan: PlanId,
        from: &InfluenceCode,
        into: &InfluenceCode,
        by: &Actor,
    ) -> Result<()> {
        self.write(
            by,
            Audited::Merge {
                from: Subject::Influence(plan, from.clone()),
                into: format!("{plan}/{into}"),
            },
            |tx| rules::registers::merge_influence(&mut SqliteTx::new(tx), plan, from, into),
        )
    }

    fn update_influence(
        &self,
        plan: PlanId,
        code: &InfluenceCode,
        title: &str,
        description: &str,
        by: &Actor,
    ) -> Result<()> {
        self.write(
            by,
            Audited::Change("update", Subject::Influence(plan, code.clone())),
            |tx| {
                rules::registers::update_influence(
                    &mut SqliteTx::new(tx),
                    plan,
                    code,
                    title,
                    description,
                )
            },
        )
    }

    fn create_programme(
        &self,
        plan: PlanId,
        input: &ProgrammeInput,
        by: &Actor,
    ) -> Result<ProgrammeId> {
        self.write(
            by,
            Audited::Create(|id: &ProgrammeId| Subject::Programme(*id)),
            |tx| rules::registers::create_programme(&mut SqliteTx::new(tx), plan, input),
        )
    }

    fn update_programme(&self, id: ProgrammeId, input: &ProgrammeInput, by: &Actor) -> Result<()> {
        self.write(
            by,
            Audited::Change("update", Subject::Programme(id)),
            |tx| rules::registers::update_programme(&mut SqliteTx::new(tx), id, input),
        )
    }

    fn change_programme(
        &self,
        id: ProgrammeId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&ProgrammeInput) -> Option<ProgrammeInput>,
        by: &Actor,
    ) -> Result<bool> {
        self.change(
            by,
            Subject::Programme(id),
            expected,
            |c| programme_input(c, id),
            change,
            |tx, input| rules::registers::update_programme(tx, id, &input),
        )
    }

    fn delete_programme(
        &self,
        id: ProgrammeId,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()> {
        self.delete(by, Subject::Programme(id), expected, |tx| {
            rules::registers::delete_programme(tx, id)
        })
    }

    fn programmes(&self, plan: PlanId) -> Result<Vec<ProgrammeRow>> {
        let ids: Vec<i64> = self.read(|c| {
            Ok(
                c.prepare_cached("SELECT id FROM programme WHERE plan_id = ? ORDER BY position")?
                    .query_map([plan.0], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?,
            )
        })?;
        ids.into_iter()
            .map(|id| self.programme(ProgrammeId(id)).map(|(p, _)| p))
            .collect()
    }

    fn programme(&self, id: ProgrammeId) -> Result<(ProgrammeRow, PlanId)> {
        self.read(|c| {
            let (name, priority, description, plan, version): (String, bool, String, i64, i64) = c
                .prepare_cached("SELECT name, priority, description, plan_id, version FROM programme WHERE id = ?")?
                .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))
                .optional()?
                .ok_or(StoreError::NotFound { what: "programme" })?;
            let work_packages = c
                .prepare_cached(&format!(
                    "SELECT {WP_COLUMNS} FROM programme_work_package m JOIN work_package wp ON wp.id = m.work_package_id WHERE m.programme_id = ? ORDER BY m.position LIMIT {LIST_CAP}"
                ))?
                .query_map([id.0], wp_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok((ProgrammeRow { id, name, priority, description, work_packages, version: Version(version) }, PlanId(plan)))
        })
    }

    fn decisions(
        &self,
        plan: PlanId,
        search: Option<&waymark_core::search::SearchText>,
    ) -> Result<Vec<DecisionRow>> {
        self.read(|c| decisions::plan_decisions(c, plan, search))
    }

    fn package_decisions(&self, id: WorkPackageId) -> Result<Vec<DecisionRow>> {
        self.read(|c| decisions::package_decisions(c, id))
    }

    fn decision(&self, id: DecisionId) -> Result<DecisionRow> {
        self.read(|c| decisions::decision(c, id))
    }

    fn create_decision(
        &self,
        plan: PlanId,
        input: &DecisionInput,
        by: &Actor,
    ) -> Result<DecisionId> {
        self.write(
            by,
            Audited::Create(|id: &DecisionId| Subject::Decision(*id)),
            |tx| rules::decisions::create_decision(&mut SqliteTx::new(tx), plan, input),
        )
    }

    fn change_decision(
        &self,
        id: DecisionId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&DecisionRow) -> Option<DecisionInput>,
        by: &Actor,
    ) -> Result<bool> {
        self.change(
            by,
            Subject::Decision(id),
            expected,
            |c| decisions::decision(c, id),
            change,
            |tx, input| rules::decisions::update_decision(tx, id, &input),
        )
    }

    fn delete_decision(&self, id: DecisionId, expected: Option<Version>, by: &Actor) -> Result<()> {
        self.delete(by, Subject::Decision(id), expected, |tx| {
            rules::decisions::delete_decision(tx, id)
        })
    }

    fn progress_notes(&self, package: WorkPackageId) -> Result<Vec<ProgressNoteRow>> {
        self.read(|c| notes::package_notes(c, package))
    }

    fn plan_progress_notes(&self, plan: PlanId) -> Result<Vec<ProgressNoteRow>> {
        self.read(|c| notes::plan_notes(c, plan, false))
    }

    fn latest_progress_notes(&self, plan: PlanId) -> Result<Vec<ProgressNoteRow>> {
        self.read(|c| notes::plan_notes(c, plan, true))
    }

    fn latest_progress_notes_of(&self, packages: &[WorkPackageId]) -> Result<Vec<ProgressNoteRow>> {
        self.read(|c| notes::latest_of(c, packages))
    }

    fn progress_note(&self, id: ProgressNoteId) -> Result<ProgressNoteRow> {
        self.read(|c| notes::note(c, id))
    }

    fn package_history(&self, plan: PlanId, from_ms: i64) -> Result<Vec<crate::PackageEvent>> {
        self.read(|c| notes::package_history(c, plan, from_ms))
    }

    fn add_progress_note(
        &self,
        package: WorkPackageId,
        input: &ProgressNoteInput,
        by: &Actor,
    ) -> Result<ProgressNoteId> {
        self.write_as(
            by,
            &Need::Note(package),
            Audited::Create(|id: &ProgressNoteId| Subject::ProgressNote(*id)),
            |tx| rules::notes::add_note(&mut SqliteTx::new(tx), package, input, by, now_ms()),
        )
    }

    fn change_progress_note(
        &self,
        id: ProgressNoteId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&ProgressNoteRow) -> Option<ProgressNoteInput>,
        by: &Actor,
    ) -> Result<bool> {
        self.change(
            by,
            Subject::ProgressNote(id),
            expected,
            |c| notes::note(c, id),
            change,
            |tx, input| rules::notes::update_note(tx, id, &input),
        )
    }

    fn delete_progress_note(
        &self,
        id: ProgressNoteId,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()> {
        self.delete(by, Subject::ProgressNote(id), expected, |tx| {
            rules::notes::delete_note(tx, id)
        })
    }

    fn raid_items(&self, plan: PlanId, query: &crate::RaidQuery) -> Result<Vec<crate::RaidRow>> {
        self.read(|c| raid::plan_items(c, plan, query))
    }

    fn package_raid_items(&self, id: WorkPackageId) -> Result<Vec<crate::RaidRow>> {
        self.read(|c| raid::package_items(c, id))
    }

    fn raid_item(&self, id: crate::RaidItemId) -> Result<crate::RaidRow> {
        self.read(|c| raid::item(c, id))
    }

    fn raid_highlights(
        &self,
        plan: PlanId,
        programme: Option<ProgrammeId>,
        top: usize,
    ) -> Result<crate::RaidHighlights> {
        self.read(|c| raid::highlights(c, plan, programme, top))
    }

    fn create_raid_item(
        &self,
        plan: PlanId,
        input: &crate::RaidInput,
        by: &Actor,
    ) -> Result<crate::RaidItemId> {
        self.write(
            by,
            Audited::Create(|id: &crate::RaidItemId| Subject::RaidItem(*id)),
            |tx| rules::raid::create_raid_item(&mut SqliteTx::new(tx), plan, input),
        )
    }

    fn change_raid_item(
        &self,
        id: crate::RaidItemId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&crate::RaidRow) -> Option<crate::RaidInput>,
        by: &Actor,
    ) -> Result<bool> {
        self.change(
            by,
            Subject::RaidItem(id),
            expected,
            |c| raid::item(c, id),
            change,
            |tx, input| rules::raid::update_raid_item(tx, id, &input),
        )
    }

    fn delete_raid_item(
        &self,
        id: crate::RaidItemId,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()> {
        self.delete(by, Subject::RaidItem(id), expected, |tx| {
            rules::raid::delete_raid_item(tx, id)
        })
    }

    fn dependencies(&self, plan: PlanId) -> Result<Vec<DependencyRow>> {
        self.read(|c| {
            let cols_p = WP_COLUMNS.replace("wp.", "p.");
            let cols_s = WP_COLUMNS.replace("wp.", "s.");
            let rows = c
                .prepare_cached(&format!(
                    "SELECT d.id, d.version, {cols_p}, {cols_s} FROM dependency d JOIN work_package p ON p.id = d.predecessor_id
                     JOIN work_package s ON s.id = d.successor_id WHERE d.plan_id = ? ORDER BY d.id"
                ))?
                .query_map([plan.0], |r| {
                    Ok(DependencyRow {
                        id: DependencyId(r.get(0)?),
                        version: Version(r.get(1)?),
                        predecessor: wp_row_at(r, 2)?,
                        successor: wp_row_at(r, 2 + WP_COLUMN_COUNT)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
    }

    fn add_dependency(
        &self,
        predecessor: WorkPackageId,
        successor: WorkPackageId,
        by: &Actor,
    ) -> Result<DependencyId> {
        self.write(
            by,
            Audited::Create(|id: &DependencyId| Subject::Dependency(*id)),
            |tx| rules::dependencies::add(&mut SqliteTx::new(tx), predecessor, successor),
        )
    }

    fn delete_dependency(
        &self,
        id: DependencyId,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()> {
        self.delete(by, Subject::Dependency(id), expected, |tx| {
            rules::dependencies::delete(tx, id)
        })
    }

    fn decide_work_package(
        &self,
        id: WorkPackageId,
        expected: Option<Version>,
        verdict: Verdict,
        comment: &str,
        by: &Actor,
    ) -> Result<()> {
        self.write_package(
            by,
            Some(id),
            Audited::Decide {
                action: verdict.action(),
                subject: Subject::WorkPackage(id),
                comment: comment.trim().to_string(),
            },
            |tx| {
                let mut t = SqliteTx::new(tx);
                rules::expect_version(&mut t, &Subject::WorkPackage(id), expected)?;
                rules::lifecycle::decide(&mut t, id, verdict, comment)?;
                Ok(((), Some(id)))
            },
        )
    }

    fn approve_plan(
        &self,
        id: PlanId,
        expected: Option<Version>,
        comment: &str,
        by: &Actor,
    ) -> Result<PlanApproval> {
        self.write(
            by,
            Audited::Decide {
                action: "approve",
                subject: Subject::Plan(id),
                comment: comment.trim().to_string(),
            },
            |tx| {
                let mut t = SqliteTx::new(tx);
                rules::expect_version(&mut t, &Subject::Plan(id), expected)?;
                rules::lifecycle::approve_plan(&mut t, id, comment, by, now_ms())
            },
        )
    }

    fn supersede_plan(
        &self,
        id: PlanId,
        expected: Option<Version>,
        superseded_by: Option<PlanId>,
        comment: &str,
        by: &Actor,
    ) -> Result<()> {
        self.write(
            by,
            Audited::Decide {
                action: "supersede",
                subject: Subject::Plan(id),
                comment: comment.trim().to_string(),
            },
            |tx| {
                let mut t = SqliteTx::new(tx);
                rules::expect_version(&mut t, &Subject::Plan(id), expected)?;
                rules::lifecycle::supersede_plan(&mut t, id, superseded_by, comment)
            },
        )
    }

    fn criteria(&self, plan: PlanId) -> Result<Vec<crate::CriterionRow>> {
        self.read(|c| priorities::criteria(c, plan))
    }

    fn criterion(&self, id: crate::CriterionId) -> Result<crate::CriterionRow> {
        self.read(|c| priorities::criterion(c, id))
    }

    fn create_criterion(
        &self,
        plan: PlanId,
        input: &crate::CriterionInput,
        by: &Actor,
    ) -> Result<crate::CriterionId> {
        self.write_as(
            by,
            &Need::Action(waymark_core::access::Action::Approve),
            Audited::Create(|id: &crate::CriterionId| Subject::Criterion(*id)),
            |tx| rules::priorities::create_criterion(&mut SqliteTx::new(tx), plan, input),
        )
    }

    fn change_criterion(
        &self,
        id: crate::CriterionId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&crate::CriterionRow) -> Option<crate::CriterionInput>,
        by: &Actor,
    ) -> Result<bool> {
        self.change(
            by,
            Subject::Criterion(id),
            expected,
            |c| priorities::criterion(c, id),
            change,
            |tx, input| rules::priorities::update_criterion(tx, id, &input),
        )
    }

    fn delete_criterion(
        &self,
        id: crate::CriterionId,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()> {
        self.delete(by, Subject::Criterion(id), expected, |tx| {
            rules::priorities::delete_criterion(tx, id)
        })
    }

    fn priorities(&self, plan: PlanId) -> Result<crate::Priorities> {
        self.read(|c| priorities::priorities(c, plan))
    }

    fn score(&self, id: crate::ScoreId) -> Result<(crate::ScoreRow, PlanId)> {
        self.read(|c| priorities::score(c, id))
    }

    fn create_score(
        &self,
        plan: PlanId,
        input: &crate::ScoreInput,
        by: &Actor,
    ) -> Result<crate::ScoreId> {
        self.write(
            by,
            Audited::Create(|id: &crate::ScoreId| Subject::Score(*id)),
            |tx| rules::priorities::create_score(&mut SqliteTx::new(tx), plan, input),
        )
    }

    fn change_score(
        &self,
        id: crate::ScoreId,
        expected: Option<Version>,
        change: &mut dyn FnMut(&crate::ScoreRow) -> Option<crate::ScoreValue>,
        by: &Actor,
    ) -> Result<bool> {
        self.change(
            by,
            Subject::Score(id),
            expected,
            |c| priorities::score(c, id).map(|(row, _)| row),
            change,
            |tx, value| rules::priorities::update_score(tx, id, &value),
        )
    }

    fn delete_score(
        &self,
        id: crate::ScoreId,
        expected: Option<Version>,
        by: &Actor,
    ) -> Result<()> {
        self.delete(by, Subject::Score(id), expected, |tx| {
            rules::priorities::delete_score(tx, id)
        })
    }

    fn set_scores(
        &self,
        plan: PlanId,
        item: crate::ScoreItem,
        sets: &[crate::ScoreSet],
        by: &Actor,
    ) -> Result<()> {
        let at_ms = now_ms();
        self.write_as(
            by,
            &Need::Action(waymark_core::access::Action::EditPlan),
            Audited::<()>::Each,
            |tx| rules::priorities::set_scores(&mut SqliteTx::new(tx), plan, item, sets, by, at_ms),
        )
    }

    fn take_baseline(&self, plan: PlanId, name: &str, by: &Actor) -> Result<BaselineId> {
        self.write_as(
            by,
            &Need::Action(waymark_core::access::Action::Approve),
            Audited::Create(|id: &BaselineId| Subject::Baseline(*id)),
            |tx| rules::baselines::take(&mut SqliteTx::new(tx), plan, name, now_ms(), by),
        )
    }

    fn baselines(&self, plan: PlanId) -> Result<Vec<BaselineRow>> {
        self.read(|c| {
            plan_row(c, plan)?;
            let rows = c
                .prepare_cached(&format!(
                    "SELECT {BASELINE_COLUMNS} FROM baseline WHERE plan_id = ? ORDER BY taken_at_ms DESC, id DESC"
                ))?
                .query_map([plan.0], baseline_row)?
                .collect::<rusqlite::Result<_>>()?;
            Ok(rows)
        })
    }

    fn baseline(&self, id: BaselineId) -> Result<Baseline> {
        self.read(|c| {
            let (row, text): (BaselineRow, String) = c
                .prepare_cached(&format!(
                    "SELECT {BASELINE_COLUMNS}, plan_json FROM baseline WHERE id = ?"
                ))?
                .query_row([id.0], |r| Ok((baseline_row(r)?, r.get(6)?)))
                .optional()?
                .ok_or(StoreError::NotFound { what: "baseline" })?;
            let plan = waymark_core::baseline::thaw(&text).map_err(|e| {
                StoreError::Corrupt(format!("baseline {id} does not hold a plan: {e}"))
            })?;
            Ok(Baseline { row, plan })
        })
    }

    fn audit_entries(&self, filter: &AuditFilter, limit: u32) -> Result<Vec<StoredEntry>> {
        self.read(|c| audit::entries(c, filter, limit))
    }

    fn audit_head(&self) -> Result<Head> {
        self.read(audit::head)
    }

    fn audit_verify(
        &self,
        recorded_head: Option<&str>,
    ) -> Result<std::result::Result<Head, ChainError>> {
        let verifier = match recorded_head {
            None => Verifier::new(),
            Some(text) => Verifier::recorded(text.parse().map_err(
                |e: waymark_core::model::ParseValueError| StoreError::Invalid {
                    field: "head",
                    message: e.to_string(),
                },
            )?),
        };
        self.read(|c| audit::verify(c, verifier))
    }
}
