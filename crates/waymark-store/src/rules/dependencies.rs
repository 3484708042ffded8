//! Dependencies: finish-to-start links between two packages of one plan,
//! never in a cycle.

use waymark_core::schedule;
use waymark_core::{Dependency, WorkPackageRef};

use super::PlanTx;
use crate::{DependencyId, Result, StoreError, WorkPackageId};

/// Add that `successor` waits for `predecessor`: both must exist and be in one
/// plan, and the link must be new and close no cycle.
pub(crate) fn add(
    tx: &mut dyn PlanTx,
    predecessor: WorkPackageId,
    successor: WorkPackageId,
) -> Result<DependencyId> {
    let mut find = |id: WorkPackageId, field: &'static str| {
        tx.package_place(id)?.ok_or(StoreError::Invalid {
            field,
            message: format!("there is no work package {id}"),
        })
    };
    let p = find(predecessor, "predecessor_id")?;
    let s = find(successor, "successor_id")?;
    if p.plan != s.plan {
        return Err(StoreError::Invalid {
            field: "predecessor_id",
            message: "both work packages must be in the same plan".into(),
        });
    }
    let existing = tx.dependencies(p.plan)?;
    let new = Dependency {
        predecessor: WorkPackageRef(p.reference),
        successor: WorkPackageRef(s.reference),
    };
    if existing.contains(&new) {
        return Err(StoreError::Conflict {
            field: "predecessor_id",
            message: format!("{} already depends on {}", new.successor, new.predecessor),
        });
    }
    schedule::check_new_dependency(&existing, &new).map_err(|e| StoreError::Invalid {
        field: "predecessor_id",
        message: e.to_string(),
    })?;
    tx.insert_dependency(p.plan, predecessor, successor)
}

pub(crate) fn delete(tx: &mut dyn PlanTx, id: DependencyId) -> Result<()> {
    if tx.delete_dependency(id)? {
        Ok(())
    } else {
        Err(StoreError::NotFound { what: "dependency" })
    }
}
