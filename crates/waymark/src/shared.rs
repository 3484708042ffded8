//! What several commands share: packages named by reference and programmes
//! by name, as the plan writes them; field errors reported a line each; and
//! texts on one line of a tab-separated list.

use anyhow::{Result, anyhow, bail};
use waymark_store::{PlanId, PlanStore, WorkPackageQuery};
use waymark_web::error::FieldError;

/// Field errors as the command line reports them: `what` happened, then a
/// line per field.
pub(crate) fn refused(what: &str, errors: &[FieldError]) -> anyhow::Error {
    let lines: Vec<String> = errors
        .iter()
        .map(|e| format!("  {}: {}", e.field, e.message))
        .collect();
    anyhow!("{what}:\n{}", lines.join("\n"))
}

/// A text on one line of a tab-separated list.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The ids of the plan's packages with these references; one it does not
/// have is an error naming it.
pub(crate) fn package_ids(
    store: &dyn PlanStore,
    plan: PlanId,
    references: &[String],
) -> Result<Vec<i64>> {
    if references.is_empty() {
        return Ok(Vec::new());
    }
    let mut all = Vec::new();
    for page in 1.. {
        let items = store
            .list_work_packages(
                plan,
                &WorkPackageQuery {
                    page,
                    per_page: 500,
                    ..Default::default()
                },
            )?
            .items;
        let last = items.len() < 500;
        all.extend(items);
        if last {
            break;
        }
    }
    references
        .iter()
        .map(|r| {
            let wanted = r.trim();
            match all.iter().find(|w| w.reference == wanted) {
                Some(w) => Ok(w.id.0),
                None => bail!("the plan has no work package {wanted}"),
            }
        })
        .collect()
}

/// The ids of the plan's programmes with these names (any case).
pub(crate) fn programme_ids(
    store: &dyn PlanStore,
    plan: PlanId,
    names: &[String],
) -> Result<Vec<i64>> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let programmes = store.programmes(plan)?;
    names
        .iter()
        .map(|n| {
            let wanted = n.trim();
            match programmes
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(wanted))
            {
                Some(p) => Ok(p.id.0),
                None => bail!("the plan has no programme named \"{wanted}\""),
            }
        })
        .collect()
}
