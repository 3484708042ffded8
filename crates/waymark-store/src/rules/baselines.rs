//! Baselines: the plan frozen under a name, to compare with later
//! (`waymark_core::baseline`). Taking one needs `approve`; a baseline is
//! never changed.

use waymark_core::{baseline, limits};

use super::{NewBaseline, PlanTx, audit};
use crate::{Actor, BaselineId, PlanId, Result, StoreError};

/// Freeze `plan` as it is now under `name`, taken at `at_ms` by `by`. The
/// name is required, within its limit, and not the name of another of the
/// plan's baselines (compared without regard to case).
pub(crate) fn take(
    tx: &mut dyn PlanTx,
    plan: PlanId,
    name: &str,
    at_ms: i64,
    by: &Actor,
) -> Result<BaselineId> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid {
            field: "name",
            message: "Enter a name for the baseline".into(),
        });
    }
    limits::BASELINE_NAME
        .check(name)
        .map_err(|e| StoreError::Invalid {
            field: e.field,
            message: e.message,
        })?;
    if !tx.plan_exists(plan)? {
        return Err(StoreError::NotFound { what: "plan" });
    }
    if tx.baseline_named(plan, name)?.is_some() {
        return Err(StoreError::Conflict {
            field: "name",
            message: format!("The plan already has a baseline named \"{name}\""),
        });
    }
    let frozen = tx.load_plan(plan)?;
    let text = baseline::freeze(&frozen)
        .map_err(|e| StoreError::Corrupt(format!("cannot freeze the plan: {e}")))?;
    tx.insert_baseline(&NewBaseline {
        plan,
        name,
        taken_at_ms: at_ms,
        taken_by: &audit::actor(by).display,
        package_count: frozen.work_package_count() as u64,
        frozen: &text,
    })
}
