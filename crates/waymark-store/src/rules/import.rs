//! An import: a whole plan written at once, refused whole when it names a
//! package twice, a programme twice, or a package it does not hold.

use std::collections::{HashMap, HashSet};

use waymark_core::{InfluenceCode, Plan, WorkPackage, WorkPackageRef};

use super::packages::{self, once, related_items_hand_set};
use super::{InfluenceId, PackageRecord, PlanTx};
use crate::{OnExisting, PlanId, RelatedItemId, Result, SectionId, StoreError, WorkPackageId};

/// The stored fields of a package read from a file, in section `section`
/// (at `section_position` in its plan) under `reference`.
pub(crate) fn package_record<'a>(
    wp: &'a WorkPackage,
    section: SectionId,
    section_position: usize,
    reference: &'a str,
) -> PackageRecord<'a> {
    PackageRecord {
        section,
        section_position,
        number: &wp.number,
        reference,
        title: &wp.title,
        scope: &wp.scope,
        relationships: &wp.relationships,
        delivery: &wp.delivery,
        delivery_as_written: &wp.delivery_as_written,
        comments: &wp.comments,
        owner: &wp.owner,
        status: wp.status,
        rag: wp.rag,
        progress: wp.progress,
        progress_note: &wp.progress_note,
        actual_delivery: wp.actual_delivery,
        related_items_manual: related_items_hand_set(&wp.relationships, &wp.related_items),
    }
}

/// Write `plan` as a new plan, or in place of the stored plan of its title
/// (which keeps its id) when asked to.
pub(crate) fn import(tx: &mut dyn PlanTx, plan: &Plan, on_existing: OnExisting) -> Result<PlanId> {
    let keep = match (tx.plan_titled(&plan.title)?, on_existing) {
        (Some(id), OnExisting::Refuse) => {
            return Err(StoreError::Conflict {
                field: "title",
                message: format!(
                    "a plan titled \"{}\" is already stored (plan {id}); import with --replace to replace it",
                    plan.title
                ),
            });
        }
        (Some(id), OnExisting::Replace) => {
            tx.delete_plan(id)?;
            Some(id)
        }
        (None, _) => None,
    };
    let pid = tx.insert_plan(keep, plan)?;

    // A code or name said twice is one influence or item: the first says
    // what it is.
    let mut influences: HashMap<InfluenceCode, InfluenceId> = HashMap::new();
    for inf in &plan.influences {
        if let std::collections::hash_map::Entry::Vacant(e) = influences.entry(inf.code.clone()) {
            e.insert(tx.insert_influence(pid, inf)?);
        }
    }
    let mut related: HashMap<String, RelatedItemId> = HashMap::new();
    for item in &plan.related_items {
        if let std::collections::hash_map::Entry::Vacant(e) =
            related.entry(item.name.to_lowercase())
        {
            e.insert(tx.insert_related_item(pid, &item.name, item.kind)?);
        }
    }

    let mut package_ids: HashMap<WorkPackageRef, WorkPackageId> = HashMap::new();
    for (si, section) in plan.sections.iter().enumerate() {
        let sid =
            tx.insert_section(pid, si, section.number.as_deref(), section.title.as_deref())?;
        for wp in &section.work_packages {
            let r = WorkPackageRef::new(section, si, &wp.number);
            if package_ids.contains_key(&r) {
                return Err(StoreError::Conflict {
                    field: "number",
                    message: format!("work package {r} appears twice"),
                });
            }
            let id = tx.insert_package(pid, &package_record(wp, sid, si, r.as_str()))?;
            package_ids.insert(r, id);
            let mut links = Vec::with_capacity(wp.influences.len());
            for code in &wp.influences {
                let inf = match influences.get(code) {
                    Some(inf) => *inf,
                    None => {
                        let inf = packages::influence(tx, pid, code)?;
                        influences.insert(code.clone(), inf);
                        inf
                    }
                };
                links.push(inf);
            }
            tx.set_package_influences(id, &once(links))?;
            let mut links = Vec::with_capacity(wp.related_items.len());
            for name in &wp.related_items {
                let key = name.to_lowercase();
                let item = match related.get(&key) {
                    Some(item) => *item,
                    None => {
                        let item = packages::related_item(tx, pid, name)?;
                        related.insert(key, item);
                        item
                    }
                };
                links.push(item);
            }
            tx.set_package_related_items(id, &once(links))?;
        }
    }

    let mut names = HashSet::new();
    for (pi, prog) in plan.programmes.iter().enumerate() {
        if !names.insert(prog.name.to_lowercase()) {
            return Err(StoreError::Conflict {
                field: "programmes",
                message: format!("programme \"{}\" appears twice", prog.name),
            });
        }
        let members = prog
            .work_packages
            .iter()
            .map(|r| {
                package_ids
                    .get(r)
                    .copied()
                    .ok_or_else(|| StoreError::Invalid {
                        field: "programmes",
                        message: format!("programme {} names unknown work package {r}", prog.name),
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        let id = tx.insert_programme(pid, pi, prog)?;
        tx.set_programme_packages(id, &once(members))?;
    }

    let mut seen = HashSet::new();
    for dep in &plan.dependencies {
        let (Some(p), Some(s)) = (
            package_ids.get(&dep.predecessor),
            package_ids.get(&dep.successor),
        ) else {
            return Err(StoreError::Invalid {
                field: "dependencies",
                message: format!(
                    "dependency {} → {} names an unknown work package",
                    dep.predecessor, dep.successor
                ),
            });
        };
        if seen.insert((*p, *s)) {
            tx.insert_dependency(pid, *p, *s)?;
        }
    }
    Ok(pid)
}
