//! Dependencies between work packages: finish-to-start links without cycles.

use std::collections::{HashMap, HashSet};

use crate::model::{Dependency, WorkPackageRef};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DependencyError {
    #[error("a work package cannot depend on itself ({0})")]
    SelfDependency(WorkPackageRef),
    #[error("dependency {predecessor} → {successor} would make a cycle: {}", path_text(.path))]
    Cycle {
        predecessor: WorkPackageRef,
        successor: WorkPackageRef,
        path: Vec<WorkPackageRef>,
    },
}

fn path_text(path: &[WorkPackageRef]) -> String {
    path.iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Whether `new` can join `existing` without making a cycle.
pub fn check_new_dependency(
    existing: &[Dependency],
    new: &Dependency,
) -> Result<(), DependencyError> {
    if new.predecessor == new.successor {
        return Err(DependencyError::SelfDependency(new.predecessor.clone()));
    }
    // A cycle appears when the predecessor is already reachable from the successor.
    let mut next: HashMap<&WorkPackageRef, Vec<&WorkPackageRef>> = HashMap::new();
    for d in existing {
        next.entry(&d.predecessor).or_default().push(&d.successor);
    }
    let mut came_from: HashMap<&WorkPackageRef, &WorkPackageRef> = HashMap::new();
    let mut stack = vec![&new.successor];
    let mut seen: HashSet<&WorkPackageRef> = HashSet::from([&new.successor]);
    while let Some(at) = stack.pop() {
        if at == &new.predecessor {
            let mut path = vec![at.clone()];
            let mut cur = at;
            while let Some(prev) = came_from.get(cur) {
                path.push((*prev).clone());
                cur = prev;
            }
            path.reverse();
            path.insert(0, new.predecessor.clone());
            return Err(DependencyError::Cycle {
                predecessor: new.predecessor.clone(),
                successor: new.successor.clone(),
                path,
            });
        }
        for n in next.get(at).into_iter().flatten() {
            if seen.insert(n) {
                came_from.insert(n, at);
                stack.push(n);
            }
        }
    }
    Ok(())
}

/// All cycles' members among stored dependencies (for `waymark check`): each
/// returned path starts and ends at the same package.
pub fn find_cycles(deps: &[Dependency]) -> Vec<Vec<WorkPackageRef>> {
    let mut cycles = Vec::new();
    let mut accepted: Vec<Dependency> = Vec::new();
    for d in deps {
        match check_new_dependency(&accepted, d) {
            Ok(()) => accepted.push(d.clone()),
            Err(DependencyError::Cycle { path, .. }) => cycles.push(path),
            Err(DependencyError::SelfDependency(r)) => cycles.push(vec![r.clone(), r]),
        }
    }
    cycles
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(a: &str, b: &str) -> Dependency {
        Dependency {
            predecessor: WorkPackageRef(a.into()),
            successor: WorkPackageRef(b.into()),
        }
    }

    #[test]
    fn refuses_cycles_and_names_the_path() {
        let existing = [dep("1.1", "1.2"), dep("1.2", "1.3")];
        assert_eq!(check_new_dependency(&existing, &dep("1.3", "1.4")), Ok(()));
        let err = check_new_dependency(&existing, &dep("1.3", "1.1")).map_err(|e| e.to_string());
        assert_eq!(
            err,
            Err("dependency 1.3 → 1.1 would make a cycle: 1.3 → 1.1 → 1.2 → 1.3".to_string())
        );
        assert!(matches!(
            check_new_dependency(&existing, &dep("1.1", "1.1")),
            Err(DependencyError::SelfDependency(_))
        ));
    }

    #[test]
    fn finds_stored_cycles() {
        assert_eq!(find_cycles(&[dep("a", "b"), dep("b", "a")]).len(), 1);
        assert!(find_cycles(&[dep("a", "b"), dep("b", "c")]).is_empty());
    }
}
