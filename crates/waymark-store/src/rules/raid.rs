//! The RAID log's rules: an item belongs to a plan and links only to that
//! plan's packages and programmes (each once, within the limit, as a
//! decision's); its status is one its kind has; it holds only its kind's own
//! fields, and a risk both its likelihood and impact; its kind never changes.

use waymark_core::limits::MAX_RAID_LINKS;
use waymark_core::raid::RaidKind;

use super::PlanTx;
use crate::{PlanId, RaidInput, RaidItemId, Result, StoreError};

/// A new RAID item of `plan`, with its links.
pub(crate) fn create_raid_item(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    input: &RaidInput,
) -> Result<RaidItemId> {
    if !tx.plan_exists(plan)? {
        return Err(StoreError::NotFound { what: "plan" });
    }
    let input = checked(tx, plan, input)?;
    let id = tx.insert_raid_item(plan, &input)?;
    tx.set_raid_item_links(id, &input)?;
    Ok(id)
}

/// A RAID item's fields and links, replaced; its kind stays.
pub(crate) fn update_raid_item(
    tx: &mut dyn PlanTx,
    id: RaidItemId,
    input: &RaidInput,
) -> Result<()> {
    let (plan, kind) = tx
        .raid_item_place(id)?
        .ok_or(StoreError::NotFound { what: "RAID item" })?;
    if input.kind != kind {
        return Err(StoreError::Invalid {
            field: "kind",
            message: format!(
                "This is {}; its kind cannot change (record {} instead)",
                kind.with_article(),
                input.kind.with_article()
            ),
        });
    }
    let input = checked(tx, plan, input)?;
    tx.set_raid_item(id, &input)?;
    tx.set_raid_item_links(id, &input)
}

pub(crate) fn delete_raid_item(tx: &mut dyn PlanTx, id: RaidItemId) -> Result<()> {
    if tx.delete_raid_item(id)? {
        Ok(())
    } else {
        Err(StoreError::NotFound { what: "RAID item" })
    }
}

/// The kind's own fields: a status it has, a risk's ratings, nothing of
/// another kind. The web's declarations check the same first; this keeps
/// every writer (the CLI too) to it.
fn kind_fields(input: &RaidInput) -> Result<()> {
    let invalid =
        |field: &'static str, message: String| Err(StoreError::Invalid { field, message });
    let kind = input.kind;
    if !kind.statuses().contains(&input.status) {
        let allowed: Vec<&str> = kind.statuses().iter().map(|s| s.as_str()).collect();
        return invalid(
            "status",
            format!(
                "{} is not a status of {}; use {}",
                input.status,
                kind.with_article(),
                allowed.join(", ")
            ),
        );
    }
    if kind == RaidKind::Risk {
        if input.likelihood.is_none() {
            return invalid("likelihood", "A risk needs its likelihood, 1 to 5".into());
        }
        if input.impact.is_none() {
            return invalid("impact", "A risk needs its impact, 1 to 5".into());
        }
    }
    let given = [
        ("likelihood", input.likelihood.is_some()),
        ("impact", input.impact.is_some()),
        ("mitigation", !input.mitigation.is_empty()),
        ("next_review", input.next_review.is_some()),
        ("severity", input.severity.is_some()),
        ("resolution", !input.resolution.is_empty()),
        ("provider", !input.provider.is_empty()),
        ("needed_by", input.needed_by.is_some()),
    ];
    for (field, set) in given {
        if let Some(owner) = RaidKind::owning(field)
            && set
            && owner != kind
        {
            return invalid(field, format!("Only {} have a {field}", owner.plural()));
        }
    }
    Ok(())
}

/// The input with each link once (in the order first given), every one the
/// plan's, and its kind's fields checked.
fn checked(tx: &mut dyn PlanTx, plan: PlanId, input: &RaidInput) -> Result<RaidInput> {
    kind_fields(input)?;
    let mut input = input.clone();
    super::decisions::dedup(&mut input.work_packages);
    super::decisions::dedup(&mut input.programmes);
    for (field, count) in [
        ("work_package_ids", input.work_packages.len()),
        ("programme_ids", input.programmes.len()),
    ] {
        if count > MAX_RAID_LINKS {
            return Err(StoreError::Invalid {
                field,
                message: format!("A RAID item can link to at most {MAX_RAID_LINKS} of these"),
            });
        }
    }
    for wp in &input.work_packages {
        if tx.package_place(*wp)?.map(|p| p.plan) != Some(plan) {
            return Err(StoreError::Invalid {
                field: "work_package_ids",
                message: format!("there is no work package {wp} in this plan"),
            });
        }
    }
    for p in &input.programmes {
        if tx.programme_plan(*p)? != Some(plan) {
            return Err(StoreError::Invalid {
                field: "programme_ids",
                message: format!("there is no programme {p} in this plan"),
            });
        }
    }
    Ok(input)
}
