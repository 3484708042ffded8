//! [`PlanTx`] on SQLite: the primitive reads and writes the plan's rules
//! (`crate::rules`) run on, inside the caller's one write transaction. The
//! search index and the denormalised columns (`delivery`, `final_quarter`)
//! are kept in step here.

use std::collections::HashMap;
use std::sync::OnceLock;

use rusqlite::{Connection, OptionalExtension, params};
use waymark_core::audit::{Head, Snapshot, StoredEntry};
use waymark_core::model::format_delivery;
use waymark_core::{
    Dependency, Influence, InfluenceCode, Plan, PlanStatus, Programme, Rag, RelatedKind, Status,
};

use super::{SEARCH_COLUMNS, final_quarter, index_search, search_values, sort_key, unindex_search};
use crate::rules::access::AccountAccess;
use crate::rules::audit::Subject;
use crate::rules::{InfluenceId, NewBaseline, PackagePlace, PackageRecord, PlanTx, SectionPlace};
use crate::{
    AccountId, BaselineId, DecisionId, DecisionInput, DependencyId, PlanId, PlanInput, ProgrammeId,
    ProgrammeInput, ProgressNoteId, ProgressNoteInput, RelatedItemId, Result, SectionId,
    StoreError, TokenId, Version, WorkPackageId,
};

/// One write transaction's connection, as the rules see it.
pub(super) struct SqliteTx<'c> {
    c: &'c Connection,
    /// Index new packages for search as they are written; an import leaves
    /// it off and indexes the whole plan in one statement at the end.
    index: bool,
    /// The next free place at the end of each section touched so far (one
    /// query per section, not per package, during an import; none for a
    /// section this transaction inserted).
    section_end: HashMap<SectionId, i64>,
    /// Packages this transaction inserted, each with the tables (`Held`
    /// bits) it has written their rows to since: a table not written yet
    /// holds none of their rows, so setting their links deletes nothing
    /// first (an import sets each of its packages' links once).
    fresh: HashMap<WorkPackageId, u8>,
    /// An import's secondary indexes, dropped while it writes into tables
    /// that held no package and made again, in one sort each, when it is done
    /// (`finish_bulk`).
    deferred: Deferred,
    /// The version this transaction gives what it changes: the generation it
    /// commits as (read once, when first needed).
    stamp: Option<i64>,
}

impl<'c> SqliteTx<'c> {
    pub(super) fn new(c: &'c Connection) -> Self {
        SqliteTx {
            c,
            index: true,
            section_end: HashMap::new(),
            fresh: HashMap::new(),
            deferred: Deferred::Never,
            stamp: None,
        }
    }

    /// The version of whatever this transaction writes: the store generation
    /// it commits as (the write path bumps the generation by one before it
    /// commits), so it is above every version stored before.
    fn stamp(&mut self) -> Result<i64> {
        if let Some(v) = self.stamp {
            return Ok(v);
        }
        let v: i64 = self
            .c
            .prepare_cached("SELECT generation + 1 FROM store_generation WHERE id = 1")?
            .query_row([], |r| r.get(0))?;
        self.stamp = Some(v);
        Ok(v)
    }

    /// For an import: the caller indexes the plan for search when it is
    /// written, and must call [`SqliteTx::finish_bulk`] once the plan's rows
    /// are written.
    pub(super) fn bulk(c: &'c Connection) -> Self {
        SqliteTx {
            index: false,
            deferred: Deferred::Undecided,
            ..SqliteTx::new(c)
        }
    }

    /// Before an import's first package: when no table of packages holds a
    /// row (a first import, or one replacing the only plan), drop their
    /// secondary indexes, to be made again by `finish_bulk`. Building an
    /// index from its rows in one sort is cheaper than keeping it in order
    /// through a million single inserts; what the import itself looks up
    /// (the unique keys, the registers) keeps its indexes.
    fn defer_indexes(&mut self) -> Result<()> {
        if !matches!(self.deferred, Deferred::Undecided) {
            return Ok(());
        }
        let empty: bool =
            self.c
                .query_row("SELECT NOT EXISTS (SELECT 1 FROM work_package)", [], |r| {
                    r.get(0)
                })?;
        if !empty {
            self.deferred = Deferred::Never;
            return Ok(());
        }
        // Every table that refers to packages is empty with them (foreign
        // keys). Their indexes as the migrations made them, from the schema
        // (a constraint's own index has no SQL, and stays).
        let indexes: Vec<(String, String)> = self
            .c
            .prepare(
                "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL
                 AND tbl_name IN ('work_package', 'delivery_target', 'work_package_influence',
                                  'work_package_related', 'programme_work_package', 'dependency')
                 ORDER BY name",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (name, _) in &indexes {
            self.c
                .execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        }
        self.deferred = Deferred::Dropped(indexes.into_iter().map(|(_, sql)| sql).collect());
        Ok(())
    }

    /// An import's rows are written: make the indexes it dropped again.
    pub(super) fn finish_bulk(mut self) -> Result<()> {
        if let Deferred::Dropped(sql) = std::mem::replace(&mut self.deferred, Deferred::Never) {
            for create in sql {
                self.c.execute_batch(&create)?;
            }
        }
        Ok(())
    }

    /// A place after every package of `section`, and reserved.
    fn place_last(&mut self, section: SectionId) -> Result<i64> {
        let next = match self.section_end.get(&section) {
            Some(n) => *n,
            None => self
                .c
                .prepare_cached(
                    "SELECT COALESCE(MAX(position), -1) + 1 FROM work_package WHERE section_id = ?",
                )?
                .query_row([section.0], |r| r.get(0))?,
        };
        self.section_end.insert(section, next + 1);
        Ok(next)
    }

    /// Whether `table` (a `Held` bit) may hold rows of package `id` (see
    /// `fresh`); from now on it may.
    fn may_hold(&mut self, id: WorkPackageId, table: u8) -> bool {
        match self.fresh.get_mut(&id) {
            Some(written) if *written & table == 0 => {
                *written |= table;
                false
            }
            _ => true,
        }
    }

    fn write_delivery(&mut self, id: WorkPackageId, p: &PackageRecord<'_>) -> Result<()> {
        if self.may_hold(id, Held::DELIVERY) {
            // Unchanged rows stay as they are (a status change writes no
            // page of this table or its index).
            let stored = self
                .c
                .prepare_cached(
                    "SELECT label, quarter FROM delivery_target WHERE work_package_id = ? ORDER BY position",
                )?
                .query_map([id.0], |r| Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i32>(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            if stored.len() == p.delivery.len()
                && stored
                    .iter()
                    .zip(p.delivery)
                    .all(|((label, quarter), d)| *label == d.label && *quarter == d.quarter.index())
            {
                return Ok(());
            }
            self.c
                .prepare_cached("DELETE FROM delivery_target WHERE work_package_id = ?")?
                .execute([id.0])?;
        }
        let mut ins = self.c.prepare_cached(
            "INSERT INTO delivery_target (work_package_id, position, label, quarter) VALUES (?, ?, ?, ?)",
        )?;
        for (i, d) in p.delivery.iter().enumerate() {
            ins.execute(params![id.0, i as i64, d.label, d.quarter.index()])?;
        }
        Ok(())
    }

    /// Replace a package's rows in a link table, in this order.
    fn move_links(&mut self, links: &Links, from: i64, into: i64) -> Result<()> {
        // The packages that lose a link to `from` change.
        let stamp = self.stamp()?;
        self.c
            .prepare_cached(links.touch_users)?
            .execute(params![stamp, from])?;
        self.c
            .prepare_cached(links.move_into)?
            .execute(params![into, from])?;
        Ok(())
    }

    fn set_links(&mut self, links: &Links, id: WorkPackageId, ids: &[i64]) -> Result<()> {
        if self.may_hold(id, links.held) {
            let stored = self
                .c
                .prepare_cached(links.current)?
                .query_map([id.0], |r| r.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            if stored == ids {
                return Ok(());
            }
            self.c.prepare_cached(links.delete)?.execute([id.0])?;
        }
        // Up to LINK_ROWS rows a statement: an import writes 600,000 links
        // for 100,000 packages, and each statement run has its own cost.
        for (chunk, part) in ids.chunks(LINK_ROWS).enumerate() {
            let mut ins = self.c.prepare_cached(links.insert_rows(part.len()))?;
            let first = chunk * LINK_ROWS;
            for (i, other) in part.iter().enumerate() {
                let at = 3 * i + 1;
                ins.raw_bind_parameter(at, id.0)?;
                ins.raw_bind_parameter(at + 1, other)?;
                ins.raw_bind_parameter(at + 2, (first + i) as i64)?;
            }
            ins.raw_execute()?;
        }
        Ok(())
    }
}

/// The tables a fresh package's rows may be in (`SqliteTx::fresh`), a bit each.
struct Held;

impl Held {
    const DELIVERY: u8 = 1;
    const INFLUENCES: u8 = 2;
    const RELATED: u8 = 4;
    const PROGRAMMES: u8 = 8;
}

/// Whether an import's secondary indexes wait for its rows (`SqliteTx::deferred`).
enum Deferred {
    /// Not an import.
    Never,
    /// An import that has written no package yet.
    Undecided,
    /// Dropped: the statements that make them again.
    Dropped(Vec<String>),
}

/// Most link rows one `INSERT` writes.
const LINK_ROWS: usize = 8;

/// A link table's statements, spelled out once (a package write runs them
/// for every package an import holds).
struct Links {
    /// Its `Held` bit.
    held: u8,
    /// A package's links, in order.
    current: &'static str,
    delete: &'static str,
    /// One row: (package, target, position).
    insert: &'static str,
    /// `insert` with 1..=LINK_ROWS rows, made once.
    inserts: OnceLock<Vec<String>>,
    /// How many packages link to one target.
    uses: &'static str,
    /// Every link of one target (second parameter) given to another (first);
    /// a package linked to both keeps one.
    move_into: &'static str,
    /// A new version (first parameter) for every package linked to one
    /// target (second).
    touch_users: &'static str,
}

static INFLUENCE_LINKS: Links = Links {
    held: Held::INFLUENCES,
    current: "SELECT influence_id FROM work_package_influence WHERE work_package_id = ? ORDER BY position",
    delete: "DELETE FROM work_package_influence WHERE work_package_id = ?",
    insert: "INSERT OR IGNORE INTO work_package_influence (work_package_id, influence_id, position) VALUES (?, ?, ?)",
    inserts: OnceLock::new(),
    uses: "SELECT COUNT(*) FROM work_package_influence WHERE influence_id = ?",
    move_into: "INSERT OR IGNORE INTO work_package_influence (work_package_id, influence_id, position)
                SELECT work_package_id, ?, position FROM work_package_influence WHERE influence_id = ?",
    touch_users: "UPDATE work_package SET version = ? WHERE id IN
                  (SELECT work_package_id FROM work_package_influence WHERE influence_id = ?)",
};

static RELATED_LINKS: Links = Links {
    held: Held::RELATED,
    current: "SELECT related_item_id FROM work_package_related WHERE work_package_id = ? ORDER BY position",
    delete: "DELETE FROM work_package_related WHERE work_package_id = ?",
    insert: "INSERT OR IGNORE INTO work_package_related (work_package_id, related_item_id, position) VALUES (?, ?, ?)",
    inserts: OnceLock::new(),
    uses: "SELECT COUNT(*) FROM work_package_related WHERE related_item_id = ?",
    move_into: "INSERT OR IGNORE INTO work_package_related (work_package_id, related_item_id, position)
                SELECT work_package_id, ?, position FROM work_package_related WHERE related_item_id = ?",
    touch_users: "UPDATE work_package SET version = ? WHERE id IN
                  (SELECT work_package_id FROM work_package_related WHERE related_item_id = ?)",
};

impl Links {
    /// The statement that writes `n` (1..=LINK_ROWS) rows.
    fn insert_rows(&self, n: usize) -> &str {
        let all = self.inserts.get_or_init(|| {
            (1..=LINK_ROWS)
                .map(|n| format!("{}{}", self.insert, ", (?, ?, ?)".repeat(n - 1)))
                .collect()
        });
        &all[n.clamp(1, LINK_ROWS) - 1]
    }
}

impl PlanTx for SqliteTx<'_> {
    fn plan_titled(&mut self, title: &str) -> Result<Option<PlanId>> {
        Ok(self
            .c
            .prepare_cached("SELECT id FROM plan WHERE title = ?")?
            .query_row([title], |r| r.get(0).map(PlanId))
            .optional()?)
    }

    fn insert_plan(&mut self, id: Option<PlanId>, plan: &Plan) -> Result<PlanId> {
        let stamp = self.stamp()?;
        self.c
            .prepare_cached(
                "INSERT INTO plan (id, title, organisation, period, introduction, quarter_convention, notes, version)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )?
            .execute(params![
                id.map(|i| i.0),
                plan.title,
                plan.organisation,
                plan.period,
                plan.introduction,
                plan.quarter_convention.as_str(),
                plan.notes,
                stamp
            ])?;
        Ok(PlanId(self.c.last_insert_rowid()))
    }

    fn delete_plan(&mut self, id: PlanId) -> Result<bool> {
        unindex_search(self.c, "plan_id = ?", id.0)?;
        // Plans it superseded no longer name it (no foreign key: 0011).
        self.c
            .prepare_cached("UPDATE plan SET superseded_by = NULL WHERE superseded_by = ?")?
            .execute([id.0])?;
        Ok(self
            .c
            .prepare_cached("DELETE FROM plan WHERE id = ?")?
            .execute([id.0])?
            > 0)
    }

    fn section_place(&mut self, id: SectionId) -> Result<Option<SectionPlace>> {
        Ok(self
            .c
            .prepare_cached("SELECT plan_id, position, number, title FROM section WHERE id = ?")?
            .query_row([id.0], |r| section_place(r, 0))
            .optional()?)
    }

    fn insert_section(
        &mut self,
        plan: PlanId,
        position: usize,
        number: Option<&str>,
        title: Option<&str>,
    ) -> Result<SectionId> {
        let stamp = self.stamp()?;
        self.c
            .prepare_cached(
                "INSERT INTO section (plan_id, position, number, title, version) VALUES (?, ?, ?, ?, ?)",
            )?
            .execute(params![plan.0, position as i64, number, title, stamp])?;
        let id = SectionId(self.c.last_insert_rowid());
        // A new section holds no package yet.
        self.section_end.insert(id, 0);
        Ok(id)
    }

    fn package_place(&mut self, id: WorkPackageId) -> Result<Option<PackagePlace>> {
        Ok(self
            .c
            .prepare_cached(
                "SELECT plan_id, section_id, number, ref FROM work_package WHERE id = ?",
            )?
            .query_row([id.0], |r| {
                Ok(PackagePlace {
                    plan: PlanId(r.get(0)?),
                    section: SectionId(r.get(1)?),
                    number: r.get(2)?,
                    reference: r.get(3)?,
                })
            })
            .optional()?)
    }

    fn insert_package(&mut self, plan: PlanId, p: &PackageRecord<'_>) -> Result<WorkPackageId> {
        self.defer_indexes()?;
        let position = self.place_last(p.section)?;
        let stamp = self.stamp()?;
        self.c
            .prepare_cached(
                "INSERT INTO work_package (plan_id, section_id, section_position, position, number, ref, title, scope,
                    relationships, delivery, final_quarter, comments, owner, status, rag, progress, actual_delivery,
                    related_items_manual, version, progress_note, delivery_as_written)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )?
            .execute(params![
                plan.0,
                p.section.0,
                p.section_position as i64,
                position,
                p.number,
                p.reference,
                p.title,
                p.scope,
                p.relationships,
                format_delivery(p.delivery),
                final_quarter(p.delivery),
                p.comments,
                p.owner,
                p.status.as_str(),
                p.rag.map(Rag::as_str),
                i64::from(p.progress.get()),
                p.actual_delivery.map(|d| d.to_string()),
                p.related_items_manual,
                stamp,
                p.progress_note,
                p.delivery_as_written,
            ])
            .map_err(|e| clash(e, p.reference))?;
        let id = WorkPackageId(self.c.last_insert_rowid());
        self.fresh.insert(id, 0);
        self.write_delivery(id, p)?;
        if self.index {
            index_search(self.c, "id = ?", id.0)?;
        }
        Ok(id)
    }

    fn update_package(&mut self, id: WorkPackageId, p: &PackageRecord<'_>) -> Result<()> {
        let delivery = format_delivery(p.delivery);
        let searched = search_values(p, &delivery);
        let stored: Option<(i64, bool)> = self
            .c
            .prepare_cached(&format!(
                "SELECT section_id, {SEARCH_COLUMNS} FROM work_package WHERE id = ?"
            ))?
            .query_row([id.0], |r| {
                let mut same = true;
                for (i, value) in searched.iter().enumerate() {
                    same &= r.get_ref(i + 1)?.as_str_or_null()? == Some(*value);
                }
                Ok((r.get(0)?, same))
            })
            .optional()?;
        let Some((section, same_text)) = stored else {
            return Err(StoreError::NotFound {
                what: "work package",
            });
        };
        // The search index changes only when a searched text does (a status
        // or RAG change writes none of its pages).
        if !same_text {
            unindex_search(self.c, "id = ?", id.0)?;
        }
        if section != p.section.0 {
            let position = self.place_last(p.section)?;
            self.c
                .prepare_cached("UPDATE work_package SET position = ? WHERE id = ?")?
                .execute(params![position, id.0])?;
        }
        self.c
            .prepare_cached(
                "UPDATE work_package SET section_id = ?, section_position = ?, number = ?, ref = ?, title = ?, scope = ?,
                    relationships = ?, delivery = ?, final_quarter = ?, comments = ?, owner = ?, status = ?, rag = ?,
                    progress = ?, actual_delivery = ?, related_items_manual = ?, progress_note = ?,
                    delivery_as_written = ?
                 WHERE id = ?",
            )?
            .execute(params![
                p.section.0,
                p.section_position as i64,
                p.number,
                p.reference,
                p.title,
                p.scope,
                p.relationships,
                delivery,
                final_quarter(p.delivery),
                p.comments,
                p.owner,
                p.status.as_str(),
                p.rag.map(Rag::as_str),
                i64::from(p.progress.get()),
                p.actual_delivery.map(|d| d.to_string()),
                p.related_items_manual,
                p.progress_note,
                p.delivery_as_written,
                id.0,
            ])
            .map_err(|e| clash(e, p.reference))?;
        self.write_delivery(id, p)?;
        if !same_text {
            index_search(self.c, "id = ?", id.0)?;
        }
        Ok(())
    }

    fn delete_package(&mut self, id: WorkPackageId) -> Result<bool> {
        unindex_search(self.c, "id = ?", id.0)?;
        Ok(self
            .c
            .prepare_cached("DELETE FROM work_package WHERE id = ?")?
            .execute([id.0])?
            > 0)
    }

    fn set_package_influences(
        &mut self,
        id: WorkPackageId,
        influences: &[InfluenceId],
    ) -> Result<()> {
        let ids: Vec<i64> = influences.iter().map(|i| i.0).collect();
        self.set_links(&INFLUENCE_LINKS, id, &ids)
    }

    fn set_package_related_items(
        &mut self,
        id: WorkPackageId,
        items: &[RelatedItemId],
    ) -> Result<()> {
        let ids: Vec<i64> = items.iter().map(|i| i.0).collect();
        self.set_links(&RELATED_LINKS, id, &ids)
    }

    fn set_package_programmes(
        &mut self,
        id: WorkPackageId,
        programmes: &[ProgrammeId],
    ) -> Result<()> {
        if self.may_hold(id, Held::PROGRAMMES) {
            // The same programmes: the package keeps its place in each.
            let mut stored = self
                .c
                .prepare_cached(
                    "SELECT programme_id FROM programme_work_package WHERE work_package_id = ?",
                )?
                .query_map([id.0], |r| r.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut wanted: Vec<i64> = programmes.iter().map(|p| p.0).collect();
            stored.sort_unstable();
            wanted.sort_unstable();
            wanted.dedup();
            if stored == wanted {
                return Ok(());
            }
            self.c
                .prepare_cached("DELETE FROM programme_work_package WHERE work_package_id = ?")?
                .execute([id.0])?;
        }
        let mut ins = self.c.prepare_cached(
            "INSERT OR IGNORE INTO programme_work_package (programme_id, work_package_id, position)
             VALUES (?1, ?2, (SELECT COALESCE(MAX(position), -1) + 1 FROM programme_work_package WHERE programme_id = ?1))",
        )?;
        for p in programmes {
            ins.execute(params![p.0, id.0])?;
        }
        Ok(())
    }

    fn influence_id(&mut self, plan: PlanId, code: &InfluenceCode) -> Result<Option<InfluenceId>> {
        Ok(self
            .c
            .prepare_cached("SELECT id FROM influence WHERE plan_id = ? AND code = ?")?
            .query_row(params![plan.0, code.as_str()], |r| {
                r.get(0).map(InfluenceId)
            })
            .optional()?)
    }

    fn insert_influence(&mut self, plan: PlanId, i: &Influence) -> Result<InfluenceId> {
        let stamp = self.stamp()?;
        self.c
            .prepare_cached(
                "INSERT INTO influence (plan_id, code, sort_key, title, description, version) VALUES (?, ?, ?, ?, ?, ?)",
            )?
            .execute(params![
                plan.0,
                i.code.as_str(),
                sort_key(&i.code),
                i.title,
                i.description,
                stamp
            ])?;
        Ok(InfluenceId(self.c.last_insert_rowid()))
    }

    fn related_item_named(&mut self, plan: PlanId, name: &str) -> Result<Option<RelatedItemId>> {
        // `name` columns compare without regard to case (COLLATE NOCASE).
        Ok(self
            .c
            .prepare_cached(
                "SELECT id FROM related_item WHERE plan_id = ?1 AND name = ?2
                 UNION ALL SELECT related_item_id FROM related_item_alias WHERE plan_id = ?1 AND name = ?2
                 LIMIT 1",
            )?
            .query_row(params![plan.0, name], |r| r.get(0).map(RelatedItemId))
            .optional()?)
    }

    fn insert_related_item(
        &mut self,
        plan: PlanId,
        name: &str,
        kind: RelatedKind,
    ) -> Result<RelatedItemId> {
        let stamp = self.stamp()?;
        self.c
            .prepare_cached(
                "INSERT INTO related_item (plan_id, name, kind, version) VALUES (?, ?, ?, ?)",
            )?
            .execute(params![plan.0, name, kind.as_str(), stamp])?;
        Ok(RelatedItemId(self.c.last_insert_rowid()))
    }

    fn programme_plan(&mut self, id: ProgrammeId) -> Result<Option<PlanId>> {
        Ok(self
            .c
            .prepare_cached("SELECT plan_id FROM programme WHERE id = ?")?
            .query_row([id.0], |r| r.get(0).map(PlanId))
            .optional()?)
    }

    fn insert_programme(
        &mut self,
        plan: PlanId,
        position: usize,
        p: &Programme,
    ) -> Result<ProgrammeId> {
        let stamp = self.stamp()?;
        self.c
            .prepare_cached(
                "INSERT INTO programme (plan_id, position, name, priority, description, version) VALUES (?, ?, ?, ?, ?, ?)",
            )?
            .execute(params![plan.0, position as i64, p.name, p.priority, p.description, stamp])
            .map_err(|e| {
                super::map_unique(
                    e,
                    "name",
                    format!("a programme named \"{}\" already exists", p.name),
                )
            })?;
        Ok(ProgrammeId(self.c.last_insert_rowid()))
    }

    fn set_programme_packages(
        &mut self,
        id: ProgrammeId,
        packages: &[WorkPackageId],
    ) -> Result<()> {
        self.c
            .prepare_cached("DELETE FROM programme_work_package WHERE programme_id = ?")?
            .execute([id.0])?;
        let mut ins = self.c.prepare_cached(
            "INSERT OR IGNORE INTO programme_work_package (programme_id, work_package_id, position) VALUES (?, ?, ?)",
        )?;
        for (i, wp) in packages.iter().enumerate() {
            ins.execute(params![id.0, wp.0, i as i64])?;
        }
        drop(ins);
        // Those packages now have rows there.
        for wp in packages {
            self.may_hold(*wp, Held::PROGRAMMES);
        }
        Ok(())
    }

    fn dependencies(&mut self, plan: PlanId) -> Result<Vec<Dependency>> {
        super::deps_of(self.c, plan.0)
    }

    fn insert_dependency(
        &mut self,
        plan: PlanId,
        predecessor: WorkPackageId,
        successor: WorkPackageId,
    ) -> Result<DependencyId> {
        let stamp = self.stamp()?;
        self.c
            .prepare_cached(
                "INSERT INTO dependency (plan_id, predecessor_id, successor_id, version) VALUES (?, ?, ?, ?)",
            )?
            .execute(params![plan.0, predecessor.0, successor.0, stamp])?;
        Ok(DependencyId(self.c.last_insert_rowid()))
    }

    fn baseline_named(&mut self, plan: PlanId, name: &str) -> Result<Option<BaselineId>> {
        Ok(self
            .c
            .prepare_cached(
                "SELECT id FROM baseline WHERE plan_id = ? AND name = ? COLLATE NOCASE",
            )?
            .query_row(params![plan.0, name], |r| r.get(0).map(BaselineId))
            .optional()?)
    }

    fn insert_baseline(&mut self, b: &NewBaseline<'_>) -> Result<BaselineId> {
        let stamp = self.stamp()?;
        self.c
            .prepare_cached(
                "INSERT INTO baseline (plan_id, name, taken_at_ms, taken_by, package_count, plan_json, version)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )?
            .execute(params![
                b.plan.0,
                b.name,
                b.taken_at_ms,
                b.taken_by,
                i64::try_from(b.package_count).unwrap_or(i64::MAX),
                b.frozen,
                stamp
            ])?;
        Ok(BaselineId(self.c.last_insert_rowid()))
    }

    fn package_status(&mut self, id: WorkPackageId) -> Result<Option<(PlanId, Status)>> {
        let row: Option<(i64, String)> = self
            .c
            .prepare_cached("SELECT plan_id, status FROM work_package WHERE id = ?")?
            .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(plan, status)| {
            let status = status
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("work package {id}: {e}")))?;
            Ok((PlanId(plan), status))
        })
        .transpose()
    }

    fn set_package_status(&mut self, id: WorkPackageId, status: Status) -> Result<()> {
        self.c
            .prepare_cached("UPDATE work_package SET status = ? WHERE id = ?")?
            .execute(params![status.as_str(), id.0])?;
        Ok(())
    }

    fn packages_with_status(&mut self, plan: PlanId, status: Status) -> Result<Vec<WorkPackageId>> {
        let ids = self
            .c
            .prepare_cached(
                "SELECT id FROM work_package WHERE plan_id = ? AND status = ?
                 ORDER BY section_position, position",
            )?
            .query_map(params![plan.0, status.as_str()], |r| {
                Ok(WorkPackageId(r.get(0)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    fn plan_status(&mut self, id: PlanId) -> Result<Option<PlanStatus>> {
        let status: Option<String> = self
            .c
            .prepare_cached("SELECT status FROM plan WHERE id = ?")?
            .query_row([id.0], |r| r.get(0))
            .optional()?;
        status
            .map(|s| {
                s.parse()
                    .map_err(|e| StoreError::Corrupt(format!("plan {id}: {e}")))
            })
            .transpose()
    }

    fn set_plan_status(
        &mut self,
        id: PlanId,
        status: PlanStatus,
        superseded_by: Option<PlanId>,
    ) -> Result<()> {
        self.c
            .prepare_cached("UPDATE plan SET status = ?, superseded_by = ? WHERE id = ?")?
            .execute(params![status.as_str(), superseded_by.map(|p| p.0), id.0])?;
        Ok(())
    }

    fn plan_exists(&mut self, id: PlanId) -> Result<bool> {
        Ok(self
            .c
            .prepare_cached("SELECT 1 FROM plan WHERE id = ?")?
            .query_row([id.0], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn load_plan(&mut self, id: PlanId) -> Result<Plan> {
        super::plan_in(self.c, id)
    }

    fn set_plan_notes(&mut self, id: PlanId, notes: &str) -> Result<()> {
        self.c
            .prepare_cached("UPDATE plan SET notes = ? WHERE id = ?")?
            .execute(params![notes, id.0])?;
        Ok(())
    }

    fn set_plan(&mut self, id: PlanId, input: &PlanInput) -> Result<()> {
        self.c
            .prepare_cached(
                "UPDATE plan SET title = ?, organisation = ?, period = ?, introduction = ?, quarter_convention = ?
                 WHERE id = ?",
            )?
            .execute(params![
                input.title,
                input.organisation,
                input.period,
                input.introduction,
                input.quarter_convention.as_str(),
                id.0
            ])
            .map_err(|e| {
                super::map_unique(e, "title", format!("another plan is titled \"{}\"", input.title))
            })?;
        Ok(())
    }

    fn sections(&mut self, plan: PlanId) -> Result<Vec<(SectionId, SectionPlace)>> {
        Ok(self
            .c
            .prepare_cached(
                "SELECT id, plan_id, position, number, title FROM section WHERE plan_id = ? ORDER BY position, id",
            )?
            .query_map([plan.0], |r| Ok((SectionId(r.get(0)?), section_place(r, 1)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn set_section_fields(
        &mut self,
        id: SectionId,
        number: Option<&str>,
        title: Option<&str>,
    ) -> Result<()> {
        self.c
            .prepare_cached("UPDATE section SET number = ?, title = ? WHERE id = ?")?
            .execute(params![number, title, id.0])?;
        Ok(())
    }

    fn set_section_position(&mut self, id: SectionId, position: usize) -> Result<()> {
        let stamp = self.stamp()?;
        self.c
            .prepare_cached(
                "UPDATE section SET position = ?, version = CASE WHEN position = ? THEN version ELSE ? END WHERE id = ?",
            )?
            .execute(params![position as i64, position as i64, stamp, id.0])?;
        Ok(())
    }

    fn delete_section(&mut self, id: SectionId) -> Result<()> {
        self.c
            .prepare_cached("DELETE FROM section WHERE id = ?")?
            .execute([id.0])?;
        Ok(())
    }

    fn section_packages(&mut self, section: SectionId) -> Result<Vec<(WorkPackageId, String)>> {
        Ok(self
            .c
            .prepare_cached("SELECT id, number FROM work_package WHERE section_id = ?")?
            .query_map([section.0], |r| Ok((WorkPackageId(r.get(0)?), r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn package_with_reference(
        &mut self,
        plan: PlanId,
        reference: &str,
    ) -> Result<Option<WorkPackageId>> {
        Ok(self
            .c
            .prepare_cached("SELECT id FROM work_package WHERE plan_id = ? AND ref = ?")?
            .query_row(params![plan.0, reference], |r| r.get(0).map(WorkPackageId))
            .optional()?)
    }

    fn set_references(&mut self, changes: &[(WorkPackageId, String, usize)]) -> Result<()> {
        // Park the references first (a control character no reference has),
        // so packages trading references never clash half-way. A package
        // whose reference changes gets a new version.
        let stamp = self.stamp()?;
        for (id, reference, _) in changes {
            unindex_search(self.c, "id = ?", id.0)?;
            self.c
                .prepare_cached(
                    "UPDATE work_package SET version = CASE WHEN ref = ? THEN version ELSE ? END,
                        ref = char(1) || id WHERE id = ?",
                )?
                .execute(params![reference, stamp, id.0])?;
        }
        for (id, reference, section_position) in changes {
            self.c
                .prepare_cached(
                    "UPDATE work_package SET ref = ?, section_position = ? WHERE id = ?",
                )?
                .execute(params![reference, *section_position as i64, id.0])
                .map_err(|e| clash(e, reference))?;
            index_search(self.c, "id = ?", id.0)?;
        }
        Ok(())
    }

    fn influence_text(&mut self, id: InfluenceId) -> Result<(String, String)> {
        Ok(self
            .c
            .prepare_cached("SELECT title, description FROM influence WHERE id = ?")?
            .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    fn set_influence_text(
        &mut self,
        id: InfluenceId,
        title: &str,
        description: &str,
    ) -> Result<()> {
        self.c
            .prepare_cached("UPDATE influence SET title = ?, description = ? WHERE id = ?")?
            .execute(params![title, description, id.0])?;
        Ok(())
    }

    fn influence_use(&mut self, id: InfluenceId) -> Result<u64> {
        count(self.c, INFLUENCE_LINKS.uses, id.0)
    }

    fn move_influence_links(&mut self, from: InfluenceId, into: InfluenceId) -> Result<()> {
        self.move_links(&INFLUENCE_LINKS, from.0, into.0)
    }

    fn delete_influence(&mut self, id: InfluenceId) -> Result<()> {
        self.c
            .prepare_cached("DELETE FROM influence WHERE id = ?")?
            .execute([id.0])?;
        Ok(())
    }

    fn related_item(&mut self, id: RelatedItemId) -> Result<Option<(PlanId, String)>> {
        Ok(self
            .c
            .prepare_cached("SELECT plan_id, name FROM related_item WHERE id = ?")?
            .query_row([id.0], |r| Ok((PlanId(r.get(0)?), r.get(1)?)))
            .optional()?)
    }

    fn related_item_own_name(&mut self, plan: PlanId, name: &str) -> Result<Option<RelatedItemId>> {
        Ok(self
            .c
            .prepare_cached("SELECT id FROM related_item WHERE plan_id = ? AND name = ?")?
            .query_row(params![plan.0, name], |r| r.get(0).map(RelatedItemId))
            .optional()?)
    }

    fn set_related_item(&mut self, id: RelatedItemId, name: &str, kind: RelatedKind) -> Result<()> {
        self.c
            .prepare_cached("UPDATE related_item SET name = ?, kind = ? WHERE id = ?")?
            .execute(params![name, kind.as_str(), id.0])
            .map_err(|e| {
                super::map_unique(
                    e,
                    "name",
                    format!(
                        "another related item is named \"{name}\"; use merge to combine the two"
                    ),
                )
            })?;
        Ok(())
    }

    fn related_item_use(&mut self, id: RelatedItemId) -> Result<u64> {
        count(self.c, RELATED_LINKS.uses, id.0)
    }

    fn move_related_links(&mut self, from: RelatedItemId, into: RelatedItemId) -> Result<()> {
        self.move_links(&RELATED_LINKS, from.0, into.0)
    }

    fn delete_related_item(&mut self, id: RelatedItemId) -> Result<()> {
        self.c
            .prepare_cached("DELETE FROM related_item WHERE id = ?")?
            .execute([id.0])?;
        Ok(())
    }

    fn add_other_name(&mut self, plan: PlanId, name: &str, item: RelatedItemId) -> Result<()> {
        self.c
            .prepare_cached(
                "INSERT OR REPLACE INTO related_item_alias (plan_id, name, related_item_id) VALUES (?, ?, ?)",
            )?
            .execute(params![plan.0, name, item.0])?;
        Ok(())
    }

    fn forget_other_name(&mut self, plan: PlanId, name: &str) -> Result<()> {
        self.c
            .prepare_cached("DELETE FROM related_item_alias WHERE plan_id = ? AND name = ?")?
            .execute(params![plan.0, name])?;
        Ok(())
    }

    fn move_other_names(&mut self, from: RelatedItemId, into: RelatedItemId) -> Result<()> {
        self.c
            .prepare_cached(
                "UPDATE related_item_alias SET related_item_id = ? WHERE related_item_id = ?",
            )?
            .execute(params![into.0, from.0])?;
        Ok(())
    }

    fn programme_named(&mut self, plan: PlanId, name: &str) -> Result<Option<ProgrammeId>> {
        // `name` compares without regard to case (COLLATE NOCASE).
        Ok(self
            .c
            .prepare_cached("SELECT id FROM programme WHERE plan_id = ? AND name = ?")?
            .query_row(params![plan.0, name], |r| r.get(0).map(ProgrammeId))
            .optional()?)
    }

    fn programme_end(&mut self, plan: PlanId) -> Result<usize> {
        let end: i64 = self
            .c
            .prepare_cached(
                "SELECT COALESCE(MAX(position), -1) + 1 FROM programme WHERE plan_id = ?",
            )?
            .query_row([plan.0], |r| r.get(0))?;
        Ok(end as usize)
    }

    fn set_programme(&mut self, id: ProgrammeId, input: &ProgrammeInput) -> Result<()> {
        self.c
            .prepare_cached(
                "UPDATE programme SET name = ?, priority = ?, description = ? WHERE id = ?",
            )?
            .execute(params![input.name, input.priority, input.description, id.0])
            .map_err(|e| {
                super::map_unique(
                    e,
                    "name",
                    format!("a programme named \"{}\" already exists", input.name),
                )
            })?;
        Ok(())
    }

    fn delete_programme(&mut self, id: ProgrammeId) -> Result<bool> {
        Ok(self
            .c
            .prepare_cached("DELETE FROM programme WHERE id = ?")?
            .execute([id.0])?
            > 0)
    }

    fn delete_dependency(&mut self, id: DependencyId) -> Result<bool> {
        Ok(self
            .c
            .prepare_cached("DELETE FROM dependency WHERE id = ?")?
            .execute([id.0])?
            > 0)
    }

    fn decision_plan(&mut self, id: DecisionId) -> Result<Option<PlanId>> {
        Ok(self
            .c
            .prepare_cached("SELECT plan_id FROM decision WHERE id = ?")?
            .query_row([id.0], |r| r.get(0).map(PlanId))
            .optional()?)
    }

    fn insert_decision(&mut self, plan: PlanId, d: &DecisionInput) -> Result<DecisionId> {
        let stamp = self.stamp()?;
        self.c
            .prepare_cached(
                "INSERT INTO decision (plan_id, date, meeting, text, rationale, decided_by, created_ms, version)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )?
            .execute(params![
                plan.0,
                d.date.to_string(),
                d.meeting,
                d.text,
                d.rationale,
                d.decided_by,
                super::now_ms(),
                stamp
            ])?;
        Ok(DecisionId(self.c.last_insert_rowid()))
    }

    fn set_decision(&mut self, id: DecisionId, d: &DecisionInput) -> Result<()> {
        self.c
            .prepare_cached(
                "UPDATE decision SET date = ?, meeting = ?, text = ?, rationale = ?, decided_by = ? WHERE id = ?",
            )?
            .execute(params![
                d.date.to_string(),
                d.meeting,
                d.text,
                d.rationale,
                d.decided_by,
                id.0
            ])?;
        Ok(())
    }

    fn set_decision_links(&mut self, id: DecisionId, d: &DecisionInput) -> Result<()> {
        self.c
            .prepare_cached("DELETE FROM decision_work_package WHERE decision_id = ?")?
            .execute([id.0])?;
        self.c
            .prepare_cached("DELETE FROM decision_programme WHERE decision_id = ?")?
            .execute([id.0])?;
        let mut ins = self.c.prepare_cached(
            "INSERT OR IGNORE INTO decision_work_package (decision_id, work_package_id) VALUES (?, ?)",
        )?;
        for wp in &d.work_packages {
            ins.execute(params![id.0, wp.0])?;
        }
        let mut ins = self.c.prepare_cached(
            "INSERT OR IGNORE INTO decision_programme (decision_id, programme_id) VALUES (?, ?)",
        )?;
        for p in &d.programmes {
            ins.execute(params![id.0, p.0])?;
        }
        Ok(())
    }

    fn delete_decision(&mut self, id: DecisionId) -> Result<bool> {
        Ok(self
            .c
            .prepare_cached("DELETE FROM decision WHERE id = ?")?
            .execute([id.0])?
            > 0)
    }

    fn raid_item_place(
        &mut self,
        id: crate::RaidItemId,
    ) -> Result<Option<(PlanId, waymark_core::raid::RaidKind)>> {
        let row: Option<(i64, String)> = self
            .c
            .prepare_cached("SELECT plan_id, kind FROM raid_item WHERE id = ?")?
            .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        match row {
            None => Ok(None),
            Some((plan, kind)) => kind
                .parse()
                .map(|k| Some((PlanId(plan), k)))
                .map_err(|_| StoreError::Corrupt(format!("RAID item {id} has the kind {kind:?}"))),
        }
    }

    fn insert_raid_item(
        &mut self,
        plan: PlanId,
        r: &crate::RaidInput,
    ) -> Result<crate::RaidItemId> {
        let stamp = self.stamp()?;
        self.c
            .prepare_cached(
                "INSERT INTO raid_item (plan_id, kind, title, description, owner, status, likelihood, impact,
                 mitigation, next_review, severity, resolution, provider, needed_by, created_ms, version)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )?
            .execute(params![
                plan.0,
                r.kind.as_str(),
                r.title,
                r.description,
                r.owner,
                r.status.as_str(),
                r.likelihood.map(|v| v.get()),
                r.impact.map(|v| v.get()),
                r.mitigation,
                r.next_review.map(|d| d.to_string()),
                r.severity.map(|s| s.as_str()),
                r.resolution,
                r.provider,
                r.needed_by.map(|d| d.to_string()),
                super::now_ms(),
                stamp
            ])?;
        Ok(crate::RaidItemId(self.c.last_insert_rowid()))
    }

    fn set_raid_item(&mut self, id: crate::RaidItemId, r: &crate::RaidInput) -> Result<()> {
        self.c
            .prepare_cached(
                "UPDATE raid_item SET title = ?, description = ?, owner = ?, status = ?, likelihood = ?,
                 impact = ?, mitigation = ?, next_review = ?, severity = ?, resolution = ?, provider = ?,
                 needed_by = ? WHERE id = ?",
            )?
            .execute(params![
                r.title,
                r.description,
                r.owner,
                r.status.as_str(),
                r.likelihood.map(|v| v.get()),
                r.impact.map(|v| v.get()),
                r.mitigation,
                r.next_review.map(|d| d.to_string()),
                r.severity.map(|s| s.as_str()),
                r.resolution,
                r.provider,
                r.needed_by.map(|d| d.to_string()),
                id.0
            ])?;
        Ok(())
    }

    fn set_raid_item_links(&mut self, id: crate::RaidItemId, r: &crate::RaidInput) -> Result<()> {
        self.c
            .prepare_cached("DELETE FROM raid_item_work_package WHERE raid_item_id = ?")?
            .execute([id.0])?;
        self.c
            .prepare_cached("DELETE FROM raid_item_programme WHERE raid_item_id = ?")?
            .execute([id.0])?;
        let mut ins = self.c.prepare_cached(
            "INSERT OR IGNORE INTO raid_item_work_package (raid_item_id, work_package_id) VALUES (?, ?)",
        )?;
        for wp in &r.work_packages {
            ins.execute(params![id.0, wp.0])?;
        }
        let mut ins = self.c.prepare_cached(
            "INSERT OR IGNORE INTO raid_item_programme (raid_item_id, programme_id) VALUES (?, ?)",
        )?;
        for p in &r.programmes {
            ins.execute(params![id.0, p.0])?;
        }
        Ok(())
    }

    fn delete_raid_item(&mut self, id: crate::RaidItemId) -> Result<bool> {
        Ok(self
            .c
            .prepare_cached("DELETE FROM raid_item WHERE id = ?")?
            .execute([id.0])?
            > 0)
    }

    fn criterion_plan(&mut self, id: crate::CriterionId) -> Result<Option<PlanId>> {
        Ok(self
            .c
            .prepare_cached("SELECT plan_id FROM priority_criterion WHERE id = ?")?
            .query_row([id.0], |r| r.get(0).map(PlanId))
            .optional()?)
    }

    fn criterion_named(&mut self, plan: PlanId, name: &str) -> Result<Option<crate::CriterionId>> {
        Ok(self
            .c
            .prepare_cached(
                "SELECT id FROM priority_criterion WHERE plan_id = ? AND lower(name) = lower(?)",
            )?
            .query_row(params![plan.0, name], |r| r.get(0).map(crate::CriterionId))
            .optional()?)
    }

    fn criterion_count(&mut self, plan: PlanId) -> Result<usize> {
        let n: i64 = self
            .c
            .prepare_cached("SELECT COUNT(*) FROM priority_criterion WHERE plan_id = ?")?
            .query_row([plan.0], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(usize::MAX))
    }

    fn last_criterion_order(&mut self, plan: PlanId) -> Result<Option<u32>> {
        let n: Option<i64> = self
            .c
            .prepare_cached("SELECT MAX(position) FROM priority_criterion WHERE plan_id = ?")?
            .query_row([plan.0], |r| r.get(0))?;
        Ok(n.and_then(|n| u32::try_from(n).ok()))
    }

    fn insert_criterion(
        &mut self,
        plan: PlanId,
        input: &crate::CriterionInput,
    ) -> Result<crate::CriterionId> {
        let stamp = self.stamp()?;
        self.c
            .prepare_cached(
                "INSERT INTO priority_criterion (plan_id, name, description, weight, position, version)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )?
            .execute(params![
                plan.0,
                input.name,
                input.description,
                input.weight.get(),
                input.order.unwrap_or(1),
                stamp
            ])?;
        Ok(crate::CriterionId(self.c.last_insert_rowid()))
    }

    fn set_criterion(
        &mut self,
        id: crate::CriterionId,
        input: &crate::CriterionInput,
    ) -> Result<()> {
        self.c
            .prepare_cached(
                "UPDATE priority_criterion SET name = ?, description = ?, weight = ?,
                 position = COALESCE(?, position) WHERE id = ?",
            )?
            .execute(params![
                input.name,
                input.description,
                input.weight.get(),
                input.order,
                id.0
            ])?;
        Ok(())
    }

    fn delete_criterion(&mut self, id: crate::CriterionId) -> Result<bool> {
        Ok(self
            .c
            .prepare_cached("DELETE FROM priority_criterion WHERE id = ?")?
            .execute([id.0])?
            > 0)
    }

    fn score_of(
        &mut self,
        criterion: crate::CriterionId,
        item: crate::ScoreItem,
    ) -> Result<Option<crate::ScoreId>> {
        let sql = match item {
            crate::ScoreItem::WorkPackage(_) => {
                "SELECT id FROM priority_score WHERE criterion_id = ? AND work_package_id = ?"
            }
            crate::ScoreItem::Programme(_) => {
                "SELECT id FROM priority_score WHERE criterion_id = ? AND programme_id = ?"
            }
        };
        Ok(self
            .c
            .prepare_cached(sql)?
            .query_row(params![criterion.0, item.id()], |r| {
                r.get(0).map(crate::ScoreId)
            })
            .optional()?)
    }

    fn insert_score(
        &mut self,
        criterion: crate::CriterionId,
        item: crate::ScoreItem,
        value: &crate::ScoreValue,
    ) -> Result<crate::ScoreId> {
        let stamp = self.stamp()?;
        let (wp, programme) = match item {
            crate::ScoreItem::WorkPackage(id) => (Some(id.0), None),
            crate::ScoreItem::Programme(id) => (None, Some(id.0)),
        };
        self.c
            .prepare_cached(
                "INSERT INTO priority_score (criterion_id, work_package_id, programme_id, score, note, version)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )?
            .execute(params![
                criterion.0,
                wp,
                programme,
                value.score.get(),
                value.note,
                stamp
            ])?;
        Ok(crate::ScoreId(self.c.last_insert_rowid()))
    }

    fn set_score(&mut self, id: crate::ScoreId, value: &crate::ScoreValue) -> Result<bool> {
        Ok(self
            .c
            .prepare_cached("UPDATE priority_score SET score = ?, note = ? WHERE id = ?")?
            .execute(params![value.score.get(), value.note, id.0])?
            > 0)
    }

    fn delete_score(&mut self, id: crate::ScoreId) -> Result<bool> {
        Ok(self
            .c
            .prepare_cached("DELETE FROM priority_score WHERE id = ?")?
            .execute([id.0])?
            > 0)
    }

    fn note_package(&mut self, id: ProgressNoteId) -> Result<Option<WorkPackageId>> {
        Ok(self
            .c
            .prepare_cached("SELECT work_package_id FROM progress_note WHERE id = ?")?
            .query_row([id.0], |r| r.get(0).map(WorkPackageId))
            .optional()?)
    }

    fn insert_note(
        &mut self,
        package: WorkPackageId,
        n: &ProgressNoteInput,
        author: &str,
    ) -> Result<ProgressNoteId> {
        let stamp = self.stamp()?;
        self.c
            .prepare_cached(
                "INSERT INTO progress_note (work_package_id, date, rag, text, author, created_ms, version)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )?
            .execute(params![
                package.0,
                n.date.to_string(),
                n.rag.map(Rag::as_str),
                n.text,
                author,
                super::now_ms(),
                stamp
            ])?;
        Ok(ProgressNoteId(self.c.last_insert_rowid()))
    }

    fn set_note(&mut self, id: ProgressNoteId, n: &ProgressNoteInput) -> Result<()> {
        self.c
            .prepare_cached("UPDATE progress_note SET date = ?, rag = ?, text = ? WHERE id = ?")?
            .execute(params![
                n.date.to_string(),
                n.rag.map(Rag::as_str),
                n.text,
                id.0
            ])?;
        Ok(())
    }

    fn delete_note(&mut self, id: ProgressNoteId) -> Result<bool> {
        Ok(self
            .c
            .prepare_cached("DELETE FROM progress_note WHERE id = ?")?
            .execute([id.0])?
            > 0)
    }

    fn set_package_rag(&mut self, id: WorkPackageId, rag: Rag) -> Result<bool> {
        Ok(self
            .c
            .prepare_cached("UPDATE work_package SET rag = ? WHERE id = ?")?
            .execute(params![rag.as_str(), id.0])?
            > 0)
    }

    fn version(&mut self, subject: &Subject) -> Result<Option<Version>> {
        let (table, clause, params) = super::audit::locate(subject);
        Ok(self
            .c
            .prepare_cached(&format!("SELECT version FROM {table} WHERE {clause}"))?
            .query_row(rusqlite::params_from_iter(params), |r| {
                r.get(0).map(Version)
            })
            .optional()?)
    }

    fn set_version(&mut self, subject: &Subject) -> Result<()> {
        let stamp = self.stamp()?;
        let (table, clause, params) = super::audit::locate(subject);
        let mut all = vec![rusqlite::types::Value::Integer(stamp)];
        all.extend(params);
        self.c
            .prepare_cached(&format!("UPDATE {table} SET version = ? WHERE {clause}"))?
            .execute(rusqlite::params_from_iter(all))?;
        Ok(())
    }

    fn snapshot(&mut self, subject: &Subject) -> Result<Option<Snapshot>> {
        super::audit::snapshot(self.c, subject)
    }

    fn plan_counts(&mut self, id: PlanId) -> Result<Snapshot> {
        super::audit::plan_counts(self.c, id)
    }

    fn account_access(&mut self, id: AccountId) -> Result<Option<AccountAccess>> {
        let row: Option<(String, String, bool)> = self
            .c
            .prepare_cached("SELECT role, owner_names, disabled FROM account WHERE id = ?")?
            .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((role, names, disabled)) = row else {
            return Ok(None);
        };
        Ok(Some(AccountAccess {
            role: role
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("account {id}'s role: {e}")))?,
            owner_names: super::accounts::owner_names(&names)
                .map_err(|e| StoreError::Corrupt(format!("account {id}'s owner names: {e}")))?,
            disabled,
        }))
    }

    fn token_account(&mut self, id: TokenId) -> Result<Option<(AccountId, bool)>> {
        Ok(self
            .c
            .prepare_cached(
                "SELECT account_id, revoked_ms IS NOT NULL FROM api_token WHERE id = ?",
            )?
            .query_row([id.0], |r| Ok((AccountId(r.get(0)?), r.get(1)?)))
            .optional()?)
    }

    fn package_owner(&mut self, id: WorkPackageId) -> Result<Option<String>> {
        Ok(self
            .c
            .prepare_cached("SELECT owner FROM work_package WHERE id = ?")?
            .query_row([id.0], |r| r.get(0))
            .optional()?)
    }

    fn enabled_admins(&mut self) -> Result<u64> {
        let n: i64 = self
            .c
            .prepare_cached("SELECT COUNT(*) FROM account WHERE role = 'admin' AND disabled = 0")?
            .query_row([], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn audit_head(&mut self) -> Result<Head> {
        super::audit::head(self.c)
    }

    fn append_audit(&mut self, entry: &StoredEntry) -> Result<()> {
        super::audit::append(self.c, entry)
    }
}

/// A reference the unique index refuses: the rules look before they write,
/// so this is only a net under them.
fn clash(e: rusqlite::Error, reference: &str) -> StoreError {
    super::map_unique(
        e,
        "number",
        format!("work package {reference} already exists"),
    )
}

/// A section's place from `plan_id, position, number, title` at column `at`.
fn section_place(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<SectionPlace> {
    Ok(SectionPlace {
        plan: PlanId(r.get(at)?),
        position: r.get::<_, i64>(at + 1)? as usize,
        number: r.get(at + 2)?,
        title: r.get(at + 3)?,
    })
}

/// The count a `SELECT COUNT(*) ... WHERE x = ?` answers.
fn count(c: &Connection, sql: &str, id: i64) -> Result<u64> {
    let n: i64 = c.prepare_cached(sql)?.query_row([id], |r| r.get(0))?;
    Ok(n as u64)
}
