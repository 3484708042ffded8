//! [`PlanTx`] on SQLite: the primitive reads and writes the plan's rules
//! (`crate::rules`) run on, inside the caller's one write transaction. The
//! search index and the denormalised columns (`delivery`, `final_quarter`)
//! are kept in step here.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use waymark_core::model::format_delivery;
use waymark_core::{Dependency, Influence, InfluenceCode, Plan, Programme, Rag, RelatedKind};

use super::{final_quarter, index_search, sort_key, unindex_search};
use crate::rules::{InfluenceId, PackagePlace, PackageRecord, PlanTx, SectionPlace};
use crate::{
    DependencyId, PlanId, ProgrammeId, RelatedItemId, Result, SectionId, StoreError,
    WorkPackageId,
};

/// One write transaction's connection, as the rules see it.
pub(super) struct SqliteTx<'c> {
    c: &'c Connection,
    /// Index new packages for search as they are written; an import leaves
    /// it off and indexes the whole plan in one statement at the end.
    index: bool,
    /// The next free place at the end of each section touched so far (one
    /// query per section, not per package, during an import).
    section_end: HashMap<SectionId, i64>,
}

impl<'c> SqliteTx<'c> {
    pub(super) fn new(c: &'c Connection) -> Self {
        SqliteTx {
            c,
            index: true,
            section_end: HashMap::new(),
        }
    }

    /// For an import: the caller indexes the plan for search when it is written.
    pub(super) fn bulk(c: &'c Connection) -> Self {
        SqliteTx {
            index: false,
            ..SqliteTx::new(c)
        }
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

    fn write_delivery(&self, id: WorkPackageId, p: &PackageRecord<'_>) -> Result<()> {
        self.c
            .prepare_cached("DELETE FROM delivery_target WHERE work_package_id = ?")?
            .execute([id.0])?;
        let mut ins = self.c.prepare_cached(
            "INSERT INTO delivery_target (work_package_id, position, label, quarter) VALUES (?, ?, ?, ?)",
        )?;
        for (i, d) in p.delivery.iter().enumerate() {
            ins.execute(params![id.0, i as i64, d.label, d.quarter.index()])?;
        }
        Ok(())
    }

    fn set_links(&self, table: &str, column: &str, id: WorkPackageId, ids: &[i64]) -> Result<()> {
        self.c
            .prepare_cached(&format!("DELETE FROM {table} WHERE work_package_id = ?"))?
            .execute([id.0])?;
        let mut ins = self.c.prepare_cached(&format!(
            "INSERT OR IGNORE INTO {table} (work_package_id, {column}, position) VALUES (?, ?, ?)"
        ))?;
        for (i, other) in ids.iter().enumerate() {
            ins.execute(params![id.0, other, i as i64])?;
        }
        Ok(())
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
        self.c
            .prepare_cached(
                "INSERT INTO plan (id, title, organisation, period, introduction, quarter_convention, notes)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )?
            .execute(params![
                id.map(|i| i.0),
                plan.title,
                plan.organisation,
                plan.period,
                plan.introduction,
                plan.quarter_convention.as_str(),
                plan.notes
            ])?;
        Ok(PlanId(self.c.last_insert_rowid()))
    }

    fn delete_plan(&mut self, id: PlanId) -> Result<bool> {
        unindex_search(self.c, "plan_id = ?", id.0)?;
        Ok(self
            .c
            .prepare_cached("DELETE FROM plan WHERE id = ?")?
            .execute([id.0])?
            > 0)
    }

    fn section_place(&mut self, id: SectionId) -> Result<Option<SectionPlace>> {
        Ok(self
            .c
            .prepare_cached("SELECT plan_id, position, number FROM section WHERE id = ?")?
            .query_row([id.0], |r| {
                Ok(SectionPlace {
                    plan: PlanId(r.get(0)?),
                    position: r.get::<_, i64>(1)? as usize,
                    number: r.get(2)?,
                })
            })
            .optional()?)
    }

    fn insert_section(
        &mut self,
        plan: PlanId,
        position: usize,
        number: Option<&str>,
        title: Option<&str>,
    ) -> Result<SectionId> {
        self.c
            .prepare_cached(
                "INSERT INTO section (plan_id, position, number, title) VALUES (?, ?, ?, ?)",
            )?
            .execute(params![plan.0, position as i64, number, title])?;
        Ok(SectionId(self.c.last_insert_rowid()))
    }

    fn package_place(&mut self, id: WorkPackageId) -> Result<Option<PackagePlace>> {
        Ok(self
            .c
            .prepare_cached("SELECT plan_id, section_id, number, ref FROM work_package WHERE id = ?")?
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

    fn package_numbers(&mut self, section: SectionId) -> Result<Vec<String>> {
        Ok(self
            .c
            .prepare_cached("SELECT number FROM work_package WHERE section_id = ?")?
            .query_map([section.0], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    fn reference_taken(
        &mut self,
        plan: PlanId,
        reference: &str,
        other_than: Option<WorkPackageId>,
    ) -> Result<bool> {
        let found: Option<i64> = self
            .c
            .prepare_cached("SELECT id FROM work_package WHERE plan_id = ? AND ref = ?")?
            .query_row(params![plan.0, reference], |r| r.get(0))
            .optional()?;
        Ok(found.is_some_and(|f| Some(WorkPackageId(f)) != other_than))
    }

    fn insert_package(
        &mut self,
        plan: PlanId,
        p: &PackageRecord<'_>,
    ) -> Result<WorkPackageId> {
        let position = self.place_last(p.section)?;
        self.c
            .prepare_cached(
                "INSERT INTO work_package (plan_id, section_id, section_position, position, number, ref, title, scope,
                    relationships, delivery, final_quarter, comments, owner, status, rag, progress, actual_delivery,
                    related_items_manual)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            ])
            .map_err(|e| clash(e, p.reference))?;
        let id = WorkPackageId(self.c.last_insert_rowid());
        self.write_delivery(id, p)?;
        if self.index {
            index_search(self.c, "id = ?", id.0)?;
        }
        Ok(id)
    }

    fn update_package(&mut self, id: WorkPackageId, p: &PackageRecord<'_>) -> Result<()> {
        let section: Option<i64> = self
            .c
            .prepare_cached("SELECT section_id FROM work_package WHERE id = ?")?
            .query_row([id.0], |r| r.get(0))
            .optional()?;
        let Some(section) = section else {
            return Err(StoreError::NotFound {
                what: "work package",
            });
        };
        unindex_search(self.c, "id = ?", id.0)?;
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
                    progress = ?, actual_delivery = ?, related_items_manual = ?
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
                format_delivery(p.delivery),
                final_quarter(p.delivery),
                p.comments,
                p.owner,
                p.status.as_str(),
                p.rag.map(Rag::as_str),
                i64::from(p.progress.get()),
                p.actual_delivery.map(|d| d.to_string()),
                p.related_items_manual,
                id.0,
            ])
            .map_err(|e| clash(e, p.reference))?;
        self.write_delivery(id, p)?;
        index_search(self.c, "id = ?", id.0)?;
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
        self.set_links("work_package_influence", "influence_id", id, &ids)
    }

    fn set_package_related_items(
        &mut self,
        id: WorkPackageId,
        items: &[RelatedItemId],
    ) -> Result<()> {
        let ids: Vec<i64> = items.iter().map(|i| i.0).collect();
        self.set_links("work_package_related", "related_item_id", id, &ids)
    }

    fn set_package_programmes(
        &mut self,
        id: WorkPackageId,
        programmes: &[ProgrammeId],
    ) -> Result<()> {
        self.c
            .prepare_cached("DELETE FROM programme_work_package WHERE work_package_id = ?")?
            .execute([id.0])?;
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
            .query_row(params![plan.0, code.as_str()], |r| r.get(0).map(InfluenceId))
            .optional()?)
    }

    fn insert_influence(&mut self, plan: PlanId, i: &Influence) -> Result<InfluenceId> {
        self.c
            .prepare_cached(
                "INSERT INTO influence (plan_id, code, sort_key, title, description) VALUES (?, ?, ?, ?, ?)",
            )?
            .execute(params![
                plan.0,
                i.code.as_str(),
                sort_key(&i.code),
                i.title,
                i.description
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
        self.c
            .prepare_cached("INSERT INTO related_item (plan_id, name, kind) VALUES (?, ?, ?)")?
            .execute(params![plan.0, name, kind.as_str()])?;
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
        self.c
            .prepare_cached(
                "INSERT INTO programme (plan_id, position, name, priority, description) VALUES (?, ?, ?, ?, ?)",
            )?
            .execute(params![plan.0, position as i64, p.name, p.priority, p.description])
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
        self.c
            .prepare_cached(
                "INSERT INTO dependency (plan_id, predecessor_id, successor_id) VALUES (?, ?, ?)",
            )?
            .execute(params![plan.0, predecessor.0, successor.0])?;
        Ok(DependencyId(self.c.last_insert_rowid()))
    }
}

/// A reference the unique index refuses: the rules look before they write,
/// so this is only a net under them.
fn clash(e: rusqlite::Error, reference: &str) -> StoreError {
    super::map_unique(e, "number", format!("work package {reference} already exists"))
}
