//! Updating a stored plan from a newer version of its file, in one
//! transaction: the comparison is worked out again here, from the plan as
//! it is inside the transaction, and refused when it is not the one the
//! person confirmed (`UpdateOptions::expected`). Matched packages keep their
//! ids, dependencies, programmes and links; each change, addition and
//! removal has its own audit entry.

use std::collections::{HashMap, HashSet};

use waymark_core::audit::Snapshot;
use waymark_core::update::{Comparison, Target, compare};
use waymark_core::{Plan, WorkPackage, WorkPackageRef};

use super::PlanTx;
use super::audit::{Audited, Subject, record};
use super::import::package_record;
use super::packages::{self, once};
use crate::{Actor, PlanId, Result, SectionId, StoreError, UpdateOptions, WorkPackageId};

/// Update plan `pid` from `incoming` as [`compare`] says; the comparison made.
pub(crate) fn update(
    tx: &mut dyn PlanTx,
    pid: PlanId,
    incoming: &Plan,
    options: &UpdateOptions,
    by: &Actor,
    at_ms: i64,
) -> Result<Comparison> {
    if !tx.plan_exists(pid)? {
        return Err(StoreError::NotFound { what: "plan" });
    }
    let stored = tx.load_plan(pid)?;
    let cmp = compare(&stored, incoming).map_err(|e| StoreError::Invalid {
        field: "file",
        message: e.to_string(),
    })?;
    if let Some(expected) = &options.expected
        && *expected != cmp.fingerprint()
    {
        return Err(StoreError::Conflict {
            field: "plan",
            message:
                "the plan has been changed since these changes were worked out: check them again"
                    .into(),
        });
    }

    if !cmp.notes_added.is_empty() {
        let notes = if stored.notes.trim().is_empty() {
            cmp.notes_added.clone()
        } else {
            format!("{}\n\n{}", stored.notes.trim_end(), cmp.notes_added)
        };
        tx.set_plan_notes(pid, &notes)?;
    }

    // The stored sections, in the order the comparison indexed them, then
    // the ones the file adds, after them.
    let mut sections: Vec<(SectionId, usize)> = tx
        .sections(pid)?
        .into_iter()
        .map(|(id, place)| (id, place.position))
        .collect();
    let stored_count = sections.len();
    let end = sections.iter().map(|(_, p)| p + 1).max().unwrap_or(0);
    for (position, &fi) in (end..).zip(&cmp.new_sections) {
        let s = &incoming.sections[fi];
        let id = tx.insert_section(pid, position, s.number.as_deref(), s.title.as_deref())?;
        audit_create(tx, by, at_ms, Subject::Section(id))?;
        sections.push((id, position));
    }

    // Registers the file describes: its key influences keep their titles and
    // its related items their kinds (the links below find them).
    for inf in &incoming.influences {
        if tx.influence_id(pid, &inf.code)?.is_none() {
            tx.insert_influence(pid, inf)?;
        }
    }
    for item in &incoming.related_items {
        if tx.related_item_named(pid, &item.name)?.is_none() {
            tx.insert_related_item(pid, &item.name, item.kind)?;
        }
    }

    let changed: HashSet<&WorkPackageRef> = cmp.changed.iter().map(|c| &c.reference).collect();
    let mut ids: HashMap<WorkPackageRef, WorkPackageId> = HashMap::new();
    for (si, section) in incoming.sections.iter().enumerate() {
        for wp in &section.work_packages {
            let file_ref = WorkPackageRef::new(section, si, &wp.number);
            let (Some(target), Some(plan_ref)) =
                (cmp.targets.get(&file_ref), cmp.references.get(&file_ref))
            else {
                continue;
            };
            let (section_id, position) = match *target {
                Target::Update { section, .. } | Target::AddTo { section } => sections[section],
                Target::AddToNew { new_section } => sections[stored_count + new_section],
            };
            let fields = package_record(wp, section_id, position, plan_ref.as_str());
            match *target {
                Target::Update { .. } => {
                    let id = tx
                        .package_with_reference(pid, plan_ref.as_str())?
                        .ok_or_else(|| {
                            StoreError::Corrupt(format!(
                                "work package {plan_ref} was compared but is not stored"
                            ))
                        })?;
                    ids.insert(plan_ref.clone(), id);
                    if changed.contains(plan_ref) {
                        let subject = Subject::WorkPackage(id);
                        let before = tx.snapshot(&subject)?.unwrap_or_default();
                        tx.update_package(id, &fields)?;
                        links(tx, pid, id, wp)?;
                        record(
                            tx,
                            by,
                            at_ms,
                            &Audited::<()>::Change("update", subject),
                            &before,
                            &(),
                        )?;
                    }
                }
                Target::AddTo { .. } | Target::AddToNew { .. } => {
                    let id = tx.insert_package(pid, &fields)?;
                    links(tx, pid, id, wp)?;
                    audit_create(tx, by, at_ms, Subject::WorkPackage(id))?;
                    ids.insert(plan_ref.clone(), id);
                }
            }
        }
    }

    if options.remove_missing {
        for line in &cmp.missing {
            if let Some(id) = tx.package_with_reference(pid, line.reference.as_str())? {
                let subject = Subject::WorkPackage(id);
                let before = tx.snapshot(&subject)?.unwrap_or_default();
                packages::delete(tx, id)?;
                record(
                    tx,
                    by,
                    at_ms,
                    &Audited::<()>::Change("delete", subject),
                    &before,
                    &(),
                )?;
            }
        }
    }

    // Programmes: the file's new ones with their packages; packages the file
    // adds to programmes the plan has join them at the end.
    let find = |tx: &mut dyn PlanTx, r: &WorkPackageRef| -> Result<Option<WorkPackageId>> {
        match ids.get(r) {
            Some(id) => Ok(Some(*id)),
            None => tx.package_with_reference(pid, r.as_str()),
        }
    };
    for prog in &incoming.programmes {
        if !cmp.programmes_added.contains(&prog.name)
            || tx.programme_named(pid, &prog.name)?.is_some()
        {
            continue;
        }
        let mut members = Vec::new();
        for r in &prog.work_packages {
            if let Some(r) = cmp.references.get(r)
                && let Some(id) = find(tx, r)?
            {
                members.push(id);
            }
        }
        let position = tx.programme_end(pid)?;
        let id = tx.insert_programme(pid, position, prog)?;
        tx.set_programme_packages(id, &once(members))?;
        audit_create(tx, by, at_ms, Subject::Programme(id))?;
    }
    let mut joining: Vec<(String, Vec<WorkPackageId>)> = Vec::new();
    for (name, r) in &cmp.programme_members_added {
        if let Some(id) = find(tx, r)? {
            match joining.iter_mut().find(|(n, _)| n == name) {
                Some((_, list)) => list.push(id),
                None => joining.push((name.clone(), vec![id])),
            }
        }
    }
    for (name, new_members) in joining {
        let Some(programme) = tx.programme_named(pid, &name)? else {
            continue;
        };
        let current = stored
            .programmes
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.work_packages.clone())
            .unwrap_or_default();
        let mut members = Vec::new();
        for r in &current {
            if let Some(id) = find(tx, r)? {
                members.push(id);
            }
        }
        members.extend(new_members);
        tx.set_programme_packages(programme, &once(members))?;
    }

    for (p, s) in &cmp.dependencies_added {
        let (Some(p), Some(s)) = (find(tx, p)?, find(tx, s)?) else {
            continue;
        };
        let id = super::dependencies::add(tx, p, s)?;
        audit_create(tx, by, at_ms, Subject::Dependency(id))?;
    }
    Ok(cmp)
}

/// A package's key influences and related items, as the file gives them.
fn links(tx: &mut dyn PlanTx, pid: PlanId, id: WorkPackageId, wp: &WorkPackage) -> Result<()> {
    let influences = wp
        .influences
        .iter()
        .map(|code| packages::influence(tx, pid, code))
        .collect::<Result<Vec<_>>>()?;
    tx.set_package_influences(id, &once(influences))?;
    let related = wp
        .related_items
        .iter()
        .map(|name| packages::related_item(tx, pid, name))
        .collect::<Result<Vec<_>>>()?;
    tx.set_package_related_items(id, &once(related))
}

/// The audit entry of a record the update made.
fn audit_create(tx: &mut dyn PlanTx, by: &Actor, at_ms: i64, subject: Subject) -> Result<()> {
    let made = subject.clone();
    record(
        tx,
        by,
        at_ms,
        &Audited::<Subject>::Create(|s| s.clone()),
        &Snapshot::new(),
        &made,
    )
}
