//! Work packages: where a package may go, the reference it gets, its next
//! free number, and the key influences and related items its fields name.

use waymark_core::import::{infer_kind, relationships};
use waymark_core::{Influence, InfluenceCode, Section, WorkPackageRef};

use super::{InfluenceId, PackageRecord, PlanTx, SectionPlace};
use crate::{
    PlanId, ProgrammeId, RelatedItemId, Result, SectionId, StoreError, WorkPackageId,
    WorkPackageInput,
};

/// A package's reference in its section: `10.2.1` under a numbered section,
/// `#6.1` (the section's place) under an unnumbered one.
pub(crate) fn reference(section: &SectionPlace, number: &str) -> String {
    let s = Section {
        number: section.number.clone(),
        title: None,
        work_packages: Vec::new(),
    };
    WorkPackageRef::new(&s, section.position, number).0
}

/// The section a package of `plan` is to be in: it must exist and be that
/// plan's.
fn section_in(tx: &mut dyn PlanTx, plan: PlanId, section: SectionId) -> Result<SectionPlace> {
    let place = tx.section_place(section)?.ok_or(StoreError::Invalid {
        field: "section_id",
        message: format!("there is no section {section}"),
    })?;
    if place.plan != plan {
        return Err(StoreError::Invalid {
            field: "section_id",
            message: format!("section {section} is not in this plan"),
        });
    }
    Ok(place)
}

/// The number a new package of `section` gets when none is given: the largest
/// whole number there + 1. Numbers that are not whole numbers (`3a`) do not
/// count; when the largest cannot be followed, the person must choose.
pub(crate) fn next_number(tx: &mut dyn PlanTx, section: SectionId) -> Result<String> {
    let too_large = |largest: &str| StoreError::Invalid {
        field: "number",
        message: format!(
            "cannot choose the next number after {largest} in this section; give the work package a number"
        ),
    };
    let mut largest: u64 = 0;
    for (_, number) in tx.section_packages(section)? {
        if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let n = number.parse::<u64>().map_err(|_| too_large(&number))?;
        largest = largest.max(n);
    }
    // The next number must itself be a valid number (waymark_core::limits).
    largest
        .checked_add(1)
        .map(|n| n.to_string())
        .filter(|n| waymark_core::limits::check_package_number(n).is_ok())
        .ok_or_else(|| too_large(&largest.to_string()))
}

/// Whether a package's related items differ from those its relationships text
/// names (compared without regard to case or order): then a person set them.
pub(crate) fn related_items_hand_set(relationships_text: &str, related: &[String]) -> bool {
    let key = |names: &[String]| {
        let mut k: Vec<String> = names.iter().map(|n| n.trim().to_lowercase()).collect();
        k.sort();
        k.dedup();
        k
    };
    key(related) != key(&relationships::names(relationships_text))
}

/// The related item names a package relates to: those set by hand, else
/// those its relationships text names.
pub(crate) fn related_names(input: &WorkPackageInput) -> Vec<String> {
    match &input.related_items {
        Some(names) => names
            .iter()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect(),
        None => relationships::names(&input.relationships),
    }
}

/// The plan's key influence with this code, added (without a title) when the
/// plan does not have it yet.
pub(crate) fn influence(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    code: &InfluenceCode,
) -> Result<InfluenceId> {
    match tx.influence_id(plan, code)? {
        Some(id) => Ok(id),
        None => tx.insert_influence(
            plan,
            &Influence {
                code: code.clone(),
                title: String::new(),
                description: String::new(),
            },
        ),
    }
}

/// The plan's related item of this name (or former name), added with the
/// kind its name suggests when the plan does not have it yet.
pub(crate) fn related_item(tx: &mut dyn PlanTx, plan: PlanId, name: &str) -> Result<RelatedItemId> {
    match tx.related_item_named(plan, name)? {
        Some(id) => Ok(id),
        None => tx.insert_related_item(plan, name, infer_kind(name)),
    }
}

/// Ids in their first order, each once: a name said twice is one link.
pub(crate) fn once<T: PartialEq + Copy>(ids: Vec<T>) -> Vec<T> {
    let mut seen = Vec::with_capacity(ids.len());
    for id in ids {
        if !seen.contains(&id) {
            seen.push(id);
        }
    }
    seen
}

/// Link a package to the influences and related items of `input`, and (when
/// given) its programmes, which must be the plan's.
fn write_links(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    id: WorkPackageId,
    input: &WorkPackageInput,
) -> Result<()> {
    let influences = input
        .influences
        .iter()
        .map(|code| influence(tx, plan, code))
        .collect::<Result<Vec<_>>>()?;
    tx.set_package_influences(id, &once(influences))?;
    let related = related_names(input)
        .iter()
        .map(|name| related_item(tx, plan, name))
        .collect::<Result<Vec<_>>>()?;
    tx.set_package_related_items(id, &once(related))?;
    if let Some(programmes) = &input.programmes {
        check_programmes(tx, plan, programmes)?;
        tx.set_package_programmes(id, &once(programmes.clone()))?;
    }
    Ok(())
}

fn check_programmes(tx: &mut dyn PlanTx, plan: PlanId, programmes: &[ProgrammeId]) -> Result<()> {
    for p in programmes {
        if tx.programme_plan(*p)? != Some(plan) {
            return Err(StoreError::Invalid {
                field: "programmes",
                message: format!("there is no programme {p} in this plan"),
            });
        }
    }
    Ok(())
}

fn record<'a>(
    input: &'a WorkPackageInput,
    section: &SectionPlace,
    number: &'a str,
    reference: &'a str,
) -> PackageRecord<'a> {
    PackageRecord {
        section: input.section_id,
        section_position: section.position,
        number,
        reference,
        title: &input.title,
        scope: &input.scope,
        relationships: &input.relationships,
        delivery: &input.delivery,
        delivery_as_written: &input.delivery_as_written,
        comments: &input.comments,
        owner: &input.owner,
        status: input.status,
        rag: input.rag,
        progress: input.progress,
        progress_note: &input.progress_note,
        actual_delivery: input.actual_delivery,
        related_items_manual: input.related_items.is_some(),
    }
}

fn refuse_taken(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    reference: &str,
    other_than: Option<WorkPackageId>,
) -> Result<()> {
    let holder = tx.package_with_reference(plan, reference)?;
    if holder.is_some_and(|h| Some(h) != other_than) {
        return Err(StoreError::Conflict {
            field: "number",
            message: format!("work package {reference} already exists"),
        });
    }
    Ok(())
}

/// A new package of `plan`; without a number it gets the next free one of its
/// section, chosen in this transaction.
pub(crate) fn create(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    input: &WorkPackageInput,
) -> Result<WorkPackageId> {
    let number = match &input.number {
        Some(n) => n.clone(),
        None => next_number(tx, input.section_id)?,
    };
    let section = section_in(tx, plan, input.section_id)?;
    let r = reference(&section, &number);
    refuse_taken(tx, plan, &r, None)?;
    let id = tx.insert_package(plan, &record(input, &section, &number, &r))?;
    write_links(tx, plan, id, input)?;
    Ok(id)
}

/// Change every field of a package; without a number it keeps its own.
pub(crate) fn update(
    tx: &mut dyn PlanTx,
    id: WorkPackageId,
    input: &WorkPackageInput,
) -> Result<()> {
    let current = tx.package_place(id)?.ok_or(StoreError::NotFound {
        what: "work package",
    })?;
    let number = input.number.clone().unwrap_or(current.number);
    let section = section_in(tx, current.plan, input.section_id)?;
    let r = reference(&section, &number);
    refuse_taken(tx, current.plan, &r, Some(id))?;
    tx.update_package(id, &record(input, &section, &number, &r))?;
    write_links(tx, current.plan, id, input)
}

pub(crate) fn delete(tx: &mut dyn PlanTx, id: WorkPackageId) -> Result<()> {
    if tx.delete_package(id)? {
        Ok(())
    } else {
        Err(StoreError::NotFound {
            what: "work package",
        })
    }
}
