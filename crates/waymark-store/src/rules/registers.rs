//! Registers: the plan's own fields, sections (add, renumber, retitle, move,
//! delete), key influences (describe, delete, merge), related items (rename,
//! merge, delete) and programmes. Each refuses, naming how many, while
//! packages still use what would go; package references follow their
//! section's number and place.

use std::collections::HashSet;

use waymark_core::{Influence, InfluenceCode, Programme, RelatedKind};

use super::packages::reference;
use super::{PlanTx, SectionPlace};
use crate::{
    PlanId, PlanInput, ProgrammeId, ProgrammeInput, RelatedItemId, Result, SectionId, SectionMove,
    StoreError,
};

/// "1 work package", "3 work packages".
fn packages(n: u64) -> String {
    if n == 1 {
        "1 work package".into()
    } else {
        format!("{n} work packages")
    }
}

fn plan_must_exist(tx: &mut dyn PlanTx, plan: PlanId) -> Result<()> {
    if tx.plan_exists(plan)? {
        Ok(())
    } else {
        Err(StoreError::NotFound { what: "plan" })
    }
}

pub(crate) fn update_plan(tx: &mut dyn PlanTx, id: PlanId, input: &PlanInput) -> Result<()> {
    plan_must_exist(tx, id)?;
    if tx
        .plan_titled(&input.title)?
        .is_some_and(|other| other != id)
    {
        return Err(StoreError::Conflict {
            field: "title",
            message: format!("another plan is titled \"{}\"", input.title),
        });
    }
    tx.set_plan(id, input)
}

pub(crate) fn delete_plan(tx: &mut dyn PlanTx, id: PlanId) -> Result<()> {
    if tx.delete_plan(id)? {
        Ok(())
    } else {
        Err(StoreError::NotFound { what: "plan" })
    }
}

// ---------------------------------------------------------------- sections

fn section_of(tx: &mut dyn PlanTx, id: SectionId) -> Result<SectionPlace> {
    tx.section_place(id)?
        .ok_or(StoreError::NotFound { what: "section" })
}

fn label(s: &SectionPlace) -> String {
    super::section_label(s.number.as_deref(), s.title.as_deref(), s.position)
}

/// Refuse a section number another section of the plan has.
fn refuse_taken_number(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    number: Option<&str>,
    other_than: Option<SectionId>,
) -> Result<()> {
    let Some(n) = number else { return Ok(()) };
    let taken = tx
        .sections(plan)?
        .into_iter()
        .any(|(sid, s)| Some(sid) != other_than && s.number.as_deref() == Some(n));
    if taken {
        return Err(StoreError::Conflict {
            field: "number",
            message: format!("section {n} already exists"),
        });
    }
    Ok(())
}

/// A new section, last in its plan.
pub(crate) fn create_section(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    number: Option<&str>,
    title: Option<&str>,
) -> Result<SectionId> {
    plan_must_exist(tx, plan)?;
    refuse_taken_number(tx, plan, number, None)?;
    let last = tx.sections(plan)?.iter().map(|(_, s)| s.position + 1).max();
    tx.insert_section(plan, last.unwrap_or(0), number, title)
}

/// Bring the references (`10.2.1`, `#6.1`) and section places of the
/// packages of `sections` in step with their section's number and place.
fn refresh_references(tx: &mut dyn PlanTx, sections: &[SectionId]) -> Result<()> {
    let Some(first) = sections.first() else {
        return Ok(());
    };
    let plan = section_of(tx, *first)?.plan;
    let mut changes = Vec::new();
    let mut moving = HashSet::new();
    for &sid in sections {
        let section = section_of(tx, sid)?;
        for (wid, number) in tx.section_packages(sid)? {
            moving.insert(wid);
            changes.push((wid, reference(&section, &number), section.position));
        }
    }
    // A new reference must be free: among the packages that move, and among
    // those that stay where they are.
    let mut seen = HashSet::new();
    for (wid, r, _) in &changes {
        let holder = tx.package_with_reference(plan, r)?;
        let clash =
            !seen.insert(r.as_str()) || holder.is_some_and(|h| h != *wid && !moving.contains(&h));
        if clash {
            return Err(StoreError::Conflict {
                field: "number",
                message: format!("two work packages would both be {r}; renumber one of them first"),
            });
        }
    }
    tx.set_references(&changes)
}

/// Renumber or retitle a section and, when `position` is given, move it
/// there, all or nothing.
pub(crate) fn update_section(
    tx: &mut dyn PlanTx,
    id: SectionId,
    number: Option<&str>,
    title: Option<&str>,
    position: Option<usize>,
) -> Result<()> {
    let current = section_of(tx, id)?;
    refuse_taken_number(tx, current.plan, number, Some(id))?;
    tx.set_section_fields(id, number, title)?;
    if current.number.as_deref() != number {
        refresh_references(tx, &[id])?;
    }
    match position {
        Some(p) => move_section(tx, id, p),
        None => Ok(()),
    }
}

/// Move a section to a place or one step, from where it is now.
pub(crate) fn step_section(tx: &mut dyn PlanTx, id: SectionId, to: SectionMove) -> Result<()> {
    let position = match to {
        SectionMove::To(p) => p,
        SectionMove::Up | SectionMove::Down => {
            let current = section_of(tx, id)?;
            let count = tx.sections(current.plan)?.len();
            let next = match to {
                SectionMove::Up => current.position.checked_sub(1),
                _ => Some(current.position + 1).filter(|p| *p < count),
            };
            match next {
                Some(p) => p,
                // Already first or last: nothing to do.
                None => return Ok(()),
            }
        }
    };
    move_section(tx, id, position)
}

/// Put a section at `position` (0-based) among its plan's sections; those in
/// between shift by one.
pub(crate) fn move_section(tx: &mut dyn PlanTx, id: SectionId, position: usize) -> Result<()> {
    let current = section_of(tx, id)?;
    let placed = tx.sections(current.plan)?;
    if position >= placed.len() {
        return Err(StoreError::Invalid {
            field: "position",
            message: format!(
                "the position must be a whole number from 1 to {}",
                placed.len()
            ),
        });
    }
    let mut order: Vec<SectionId> = placed
        .iter()
        .map(|(sid, _)| *sid)
        .filter(|sid| *sid != id)
        .collect();
    order.insert(position, id);
    let mut changed = Vec::new();
    for (i, sid) in order.iter().enumerate() {
        let was = placed
            .iter()
            .find(|(s, _)| s == sid)
            .map(|(_, p)| p.position);
        if was != Some(i) {
            tx.set_section_position(*sid, i)?;
            changed.push(*sid);
        }
    }
    refresh_references(tx, &changed)
}

/// Delete an empty section; the sections after it move up one place.
pub(crate) fn delete_section(tx: &mut dyn PlanTx, id: SectionId) -> Result<()> {
    let current = section_of(tx, id)?;
    let held = tx.section_packages(id)?.len() as u64;
    if held > 0 {
        return Err(StoreError::Conflict {
            field: "section",
            message: format!(
                "section {} still holds {}; move them to another section or delete them first",
                label(&current),
                packages(held)
            ),
        });
    }
    tx.delete_section(id)?;
    let mut later = Vec::new();
    for (sid, s) in tx.sections(current.plan)? {
        if s.position > current.position {
            tx.set_section_position(sid, s.position - 1)?;
            later.push(sid);
        }
    }
    refresh_references(tx, &later)
}

// ---------------------------------------------------------------- key influences

fn influence_of(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    code: &InfluenceCode,
) -> Result<super::InfluenceId> {
    tx.influence_id(plan, code)?.ok_or(StoreError::NotFound {
        what: "key influence",
    })
}

pub(crate) fn update_influence(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    code: &InfluenceCode,
    title: &str,
    description: &str,
) -> Result<()> {
    let id = influence_of(tx, plan, code)?;
    tx.set_influence_text(id, title, description)
}

/// Delete a key influence no package addresses.
pub(crate) fn delete_influence(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    code: &InfluenceCode,
) -> Result<()> {
    let id = influence_of(tx, plan, code)?;
    let n = tx.influence_use(id)?;
    if n > 0 {
        let verb = if n == 1 { "addresses" } else { "address" };
        return Err(StoreError::Conflict {
            field: "code",
            message: format!(
                "{} still {verb} key influence {code}; remove it from them or merge it into another code",
                packages(n)
            ),
        });
    }
    tx.delete_influence(id)
}

/// Move every link of `from` to `into` (created, with `from`'s title and
/// description, if the plan does not have it yet), collapsing duplicates, and
/// remove `from`.
pub(crate) fn merge_influence(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    from: &InfluenceCode,
    into: &InfluenceCode,
) -> Result<()> {
    let source = influence_of(tx, plan, from)?;
    if from == into {
        return Err(StoreError::Invalid {
            field: "into",
            message: format!("choose a code other than {from} to merge it into"),
        });
    }
    let (title, description) = tx.influence_text(source)?;
    let target = match tx.influence_id(plan, into)? {
        Some(id) => {
            // Keep the target's own words; fill in only what it lacks.
            let (t, d) = tx.influence_text(id)?;
            let pick = |own: String, other: String| if own.is_empty() { other } else { own };
            tx.set_influence_text(id, &pick(t, title), &pick(d, description))?;
            id
        }
        None => tx.insert_influence(
            plan,
            &Influence {
                code: into.clone(),
                title,
                description,
            },
        )?,
    };
    tx.move_influence_links(source, target)?;
    tx.delete_influence(source)
}

// ---------------------------------------------------------------- related items

fn related_of(tx: &mut dyn PlanTx, id: RelatedItemId) -> Result<(PlanId, String)> {
    tx.related_item(id)?.ok_or(StoreError::NotFound {
        what: "related item",
    })
}

/// Rename a related item or change its kind. Its old name stays known, so
/// relationships texts that say it still find this item.
pub(crate) fn update_related_item(
    tx: &mut dyn PlanTx,
    id: RelatedItemId,
    name: &str,
    kind: RelatedKind,
) -> Result<()> {
    let (plan, old_name) = related_of(tx, id)?;
    if tx
        .related_item_own_name(plan, name)?
        .is_some_and(|other| other != id)
    {
        return Err(StoreError::Conflict {
            field: "name",
            message: format!(
                "another related item is named \"{name}\"; use merge to combine the two"
            ),
        });
    }
    tx.set_related_item(id, name, kind)?;
    // The new name is now the item's own, no longer another's old name.
    tx.forget_other_name(plan, name)?;
    if !old_name.eq_ignore_ascii_case(name) {
        tx.add_other_name(plan, &old_name, id)?;
    }
    Ok(())
}

/// Move every link of `from` to `into`, collapsing duplicates, and remove
/// `from`. Its name (and any names it had before) stays known as another
/// name of `into`, so a relationships text that says it still finds `into`.
pub(crate) fn merge_related_item(
    tx: &mut dyn PlanTx,
    from: RelatedItemId,
    into: RelatedItemId,
) -> Result<()> {
    let (plan, name) = related_of(tx, from)?;
    if from == into {
        return Err(StoreError::Invalid {
            field: "into",
            message: "choose another related item to merge it into".into(),
        });
    }
    match tx.related_item(into)? {
        Some((p, _)) if p == plan => {}
        Some(_) => {
            return Err(StoreError::Invalid {
                field: "into",
                message: "both related items must be in the same plan".into(),
            });
        }
        None => {
            return Err(StoreError::Invalid {
                field: "into",
                message: format!("there is no related item {into}"),
            });
        }
    }
    tx.move_related_links(from, into)?;
    tx.move_other_names(from, into)?;
    tx.add_other_name(plan, &name, into)?;
    tx.delete_related_item(from)
}

/// Delete a related item no package relates to.
pub(crate) fn delete_related_item(tx: &mut dyn PlanTx, id: RelatedItemId) -> Result<()> {
    let (_, name) = related_of(tx, id)?;
    let n = tx.related_item_use(id)?;
    if n > 0 {
        let verb = if n == 1 { "relates" } else { "relate" };
        return Err(StoreError::Conflict {
            field: "related_item",
            message: format!(
                "{} still {verb} to {name}; merge it into another related item instead",
                packages(n)
            ),
        });
    }
    tx.delete_related_item(id)
}

// ---------------------------------------------------------------- programmes

fn refuse_taken_programme(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    name: &str,
    other_than: Option<ProgrammeId>,
) -> Result<()> {
    if tx
        .programme_named(plan, name)?
        .is_some_and(|p| Some(p) != other_than)
    {
        return Err(StoreError::Conflict {
            field: "name",
            message: format!("a programme named \"{name}\" already exists"),
        });
    }
    Ok(())
}

/// A new programme, last in its plan, without packages.
pub(crate) fn create_programme(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    input: &ProgrammeInput,
) -> Result<ProgrammeId> {
    plan_must_exist(tx, plan)?;
    refuse_taken_programme(tx, plan, &input.name, None)?;
    let position = tx.programme_end(plan)?;
    tx.insert_programme(
        plan,
        position,
        &Programme {
            name: input.name.clone(),
            priority: input.priority,
            description: input.description.clone(),
            work_packages: Vec::new(),
        },
    )
}

pub(crate) fn update_programme(
    tx: &mut dyn PlanTx,
    id: ProgrammeId,
    input: &ProgrammeInput,
) -> Result<()> {
    let plan = tx
        .programme_plan(id)?
        .ok_or(StoreError::NotFound { what: "programme" })?;
    refuse_taken_programme(tx, plan, &input.name, Some(id))?;
    tx.set_programme(id, input)
}

pub(crate) fn delete_programme(tx: &mut dyn PlanTx, id: ProgrammeId) -> Result<()> {
    if tx.delete_programme(id)? {
        Ok(())
    } else {
        Err(StoreError::NotFound { what: "programme" })
    }
}
