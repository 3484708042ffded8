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
    accept_dependencies(deps)
        .into_iter()
        .filter_map(|result| match result {
            Ok(()) => None,
            Err(DependencyError::Cycle { path, .. }) => Some(path),
            Err(DependencyError::SelfDependency(r)) => Some(vec![r.clone(), r]),
        })
        .collect()
}

/// Take `deps` in order, each joining those accepted before it unless it would
/// make a cycle with them: one result per dependency, as calling
/// [`check_new_dependency`] for each in turn would give (a refused cycle's path
/// may be another of the cycles it closes).
///
/// One by one is quadratic: every check walks the graph. This keeps a
/// topological order of the accepted dependencies (Pearce and Kelly's dynamic
/// topological sort) so that a dependency running forward in that order is
/// accepted at once and one running backward only searches the packages between
/// its ends. The order starts as a depth-first order of all the dependencies,
/// so for a plan without cycles every dependency runs forward.
pub fn accept_dependencies(deps: &[Dependency]) -> Vec<Result<(), DependencyError>> {
    let mut ids: HashMap<&WorkPackageRef, usize> = HashMap::new();
    let mut refs: Vec<&WorkPackageRef> = Vec::new();
    let mut edges: Vec<(usize, usize)> = Vec::with_capacity(deps.len());
    for d in deps {
        let p = intern(&d.predecessor, &mut ids, &mut refs);
        let s = intern(&d.successor, &mut ids, &mut refs);
        edges.push((p, s));
    }
    let n = refs.len();
    let mut ord = depth_first_order(n, &edges);
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut prev: Vec<Vec<usize>> = vec![Vec::new(); n];
    // Per-search marks, stamped with the dependency's index to avoid clearing.
    let mut seen_forward = vec![usize::MAX; n];
    let mut seen_backward = vec![usize::MAX; n];
    let mut came_from = vec![usize::MAX; n];
    let mut results = Vec::with_capacity(deps.len());
    for (round, (d, &(p, s))) in deps.iter().zip(&edges).enumerate() {
        if p == s {
            results.push(Err(DependencyError::SelfDependency(d.predecessor.clone())));
            continue;
        }
        if ord[p] < ord[s] {
            next[p].push(s);
            prev[s].push(p);
            results.push(Ok(()));
            continue;
        }
        // Forward from the successor, among packages ordered up to the
        // predecessor: reaching it closes a cycle.
        let (low, high) = (ord[s], ord[p]);
        let mut forward = vec![s];
        let mut stack = vec![s];
        seen_forward[s] = round;
        let mut cycle = false;
        'search: while let Some(at) = stack.pop() {
            for &m in &next[at] {
                if m == p {
                    came_from[m] = at;
                    cycle = true;
                    break 'search;
                }
                if seen_forward[m] != round && ord[m] < high {
                    seen_forward[m] = round;
                    came_from[m] = at;
                    forward.push(m);
                    stack.push(m);
                }
            }
        }
        if cycle {
            let mut path = vec![refs[p].clone()];
            let mut cur = p;
            while cur != s {
                cur = came_from[cur];
                path.push(refs[cur].clone());
            }
            path.reverse();
            path.insert(0, d.predecessor.clone());
            results.push(Err(DependencyError::Cycle {
                predecessor: d.predecessor.clone(),
                successor: d.successor.clone(),
                path,
            }));
            continue;
        }
        // Backward from the predecessor, among packages ordered after the
        // successor; then those come first, in the same slots of the order.
        let mut backward = vec![p];
        let mut stack = vec![p];
        seen_backward[p] = round;
        while let Some(at) = stack.pop() {
            for &m in &prev[at] {
                if seen_backward[m] != round && ord[m] > low {
                    seen_backward[m] = round;
                    backward.push(m);
                    stack.push(m);
                }
            }
        }
        backward.sort_unstable_by_key(|&m| ord[m]);
        forward.sort_unstable_by_key(|&m| ord[m]);
        let mut slots: Vec<usize> = backward.iter().chain(&forward).map(|&m| ord[m]).collect();
        slots.sort_unstable();
        for (&m, slot) in backward.iter().chain(&forward).zip(slots) {
            ord[m] = slot;
        }
        next[p].push(s);
        prev[s].push(p);
        results.push(Ok(()));
    }
    results
}

fn intern<'a>(
    r: &'a WorkPackageRef,
    ids: &mut HashMap<&'a WorkPackageRef, usize>,
    refs: &mut Vec<&'a WorkPackageRef>,
) -> usize {
    *ids.entry(r).or_insert_with(|| {
        refs.push(r);
        refs.len() - 1
    })
}

/// Each node's place in a reverse post-order of a depth-first walk of all the
/// edges: a topological order when they have no cycle.
fn depth_first_order(n: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(p, s) in edges {
        if p != s {
            next[p].push(s);
        }
    }
    let mut visited = vec![false; n];
    let mut post = Vec::with_capacity(n);
    for root in 0..n {
        if visited[root] {
            continue;
        }
        visited[root] = true;
        // (node, index of its next child to visit)
        let mut stack = vec![(root, 0)];
        while let Some(top) = stack.last_mut() {
            let (node, child) = *top;
            if let Some(&m) = next[node].get(child) {
                top.1 += 1;
                if !visited[m] {
                    visited[m] = true;
                    stack.push((m, 0));
                }
            } else {
                post.push(node);
                stack.pop();
            }
        }
    }
    let mut ord = vec![0; n];
    for (place, &node) in post.iter().rev().enumerate() {
        ord[node] = place;
    }
    ord
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

    /// The one-by-one definition `accept_dependencies` must agree with.
    fn one_by_one(deps: &[Dependency]) -> Vec<Result<(), DependencyError>> {
        let mut accepted = Vec::new();
        deps.iter()
            .map(|d| {
                let result = check_new_dependency(&accepted, d);
                if result.is_ok() {
                    accepted.push(d.clone());
                }
                result
            })
            .collect()
    }

    #[test]
    fn accepting_in_bulk_agrees_with_one_by_one() {
        let mut cases: Vec<Vec<Dependency>> = vec![
            vec![],
            vec![dep("a", "b"), dep("b", "c"), dep("a", "c")],
            vec![dep("a", "a")],
            vec![
                dep("a", "b"),
                dep("b", "a"),
                dep("b", "c"),
                dep("c", "a"),
                dep("a", "b"),
            ],
            vec![
                dep("c", "a"),
                dep("a", "b"),
                dep("b", "c"),
                dep("x", "x"),
                dep("c", "d"),
                dep("d", "b"),
            ],
            vec![
                dep("1", "2"),
                dep("2", "3"),
                dep("3", "4"),
                dep("4", "2"),
                dep("4", "1"),
                dep("2", "1"),
            ],
        ];
        // And small random graphs, dense enough for tangled cycles.
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut random = |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below
        };
        for _ in 0..500 {
            let nodes = 2 + random(7);
            let links = random(20);
            cases.push(
                (0..links)
                    .map(|_| dep(&random(nodes).to_string(), &random(nodes).to_string()))
                    .collect(),
            );
        }
        for deps in cases {
            let bulk = accept_dependencies(&deps);
            let kinds = |r: &[Result<(), DependencyError>]| -> Vec<&'static str> {
                r.iter()
                    .map(|r| match r {
                        Ok(()) => "ok",
                        Err(DependencyError::SelfDependency(_)) => "self",
                        Err(DependencyError::Cycle { .. }) => "cycle",
                    })
                    .collect()
            };
            assert_eq!(kinds(&bulk), kinds(&one_by_one(&deps)), "{deps:?}");
            // Each refused cycle is a real one: the new link, then a path of
            // links accepted before it back to where it started.
            for (i, r) in bulk.iter().enumerate() {
                if let Err(DependencyError::Cycle {
                    path,
                    predecessor,
                    successor,
                }) = r
                {
                    assert_eq!((&path[0], &path[1]), (predecessor, successor));
                    assert_eq!(path.last(), Some(predecessor));
                    for link in path[1..].windows(2) {
                        let accepted_before = deps[..i].iter().zip(&bulk).any(|(d, r)| {
                            r.is_ok() && d.predecessor == link[0] && d.successor == link[1]
                        });
                        assert!(accepted_before, "{path:?} at {i} in {deps:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_long_chain_given_backwards_is_accepted_in_linear_time() {
        // One by one this is quadratic: each new link's successor reaches the
        // whole chain already accepted.
        let deps: Vec<Dependency> = (0..100_000)
            .rev()
            .map(|i| dep(&i.to_string(), &(i + 1).to_string()))
            .collect();
        assert!(accept_dependencies(&deps).iter().all(Result::is_ok));
        assert!(find_cycles(&deps).is_empty());
        let mut closed = deps.clone();
        closed.push(dep("100000", "0"));
        let cycles = find_cycles(&closed);
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0].len(), 100_002);
    }

    #[test]
    fn finds_stored_cycles() {
        assert_eq!(find_cycles(&[dep("a", "b"), dep("b", "a")]).len(), 1);
        assert!(find_cycles(&[dep("a", "b"), dep("b", "c")]).is_empty());
    }
}
