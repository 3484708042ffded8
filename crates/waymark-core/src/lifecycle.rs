//! A work package's lifecycle: which status may move to which ([`MOVES`],
//! the one table), and which moves need the `approve` permission. The
//! store checks every status change against it inside the write; the API
//! and the forms say what it allows; `docs/governance.md` holds the same
//! table ([`markdown_table`]), checked by a test.
//!
//! ```text
//! proposed → approved → in_progress → delivered → closed
//!     ↘ rejected      ↘ on_hold ↗         (and cancelled from any open status)
//! ```

use std::fmt;

use crate::access::Action;
use crate::model::Status;

/// One allowed move, and the permission it needs beyond changing the
/// package (`None`: whoever may edit the package).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub from: Status,
    pub to: Status,
    pub needs: Option<Action>,
    /// What the move means, for the documentation.
    pub means: &'static str,
}

const fn mv(from: Status, to: Status, needs: Option<Action>, means: &'static str) -> Move {
    Move {
        from,
        to,
        needs,
        means,
    }
}

const APPROVE: Option<Action> = Some(Action::Approve);

use Status::{Approved, Cancelled, Closed, Delivered, InProgress, OnHold, Proposed, Rejected};

/// Every allowed move. Staying in the same status is not a move and is
/// always allowed; any move not listed is refused.
pub const MOVES: &[Move] = &[
    mv(
        Proposed,
        Approved,
        APPROVE,
        "the strategy group agrees the work",
    ),
    mv(
        Proposed,
        Rejected,
        APPROVE,
        "the strategy group turns it down (with a comment)",
    ),
    mv(
        Proposed,
        Cancelled,
        None,
        "withdrawn by whoever proposed it",
    ),
    mv(Approved, InProgress, None, "work starts"),
    mv(Approved, OnHold, None, "paused before it starts"),
    mv(Approved, Cancelled, None, "stopped before it starts"),
    mv(InProgress, Delivered, None, "the work is done"),
    mv(InProgress, OnHold, None, "paused"),
    mv(InProgress, Cancelled, None, "stopped"),
    mv(OnHold, Approved, None, "resumed before it started"),
    mv(OnHold, InProgress, None, "resumed"),
    mv(OnHold, Cancelled, None, "stopped"),
    mv(
        Delivered,
        Closed,
        None,
        "the delivery is accepted and the package closed",
    ),
    mv(
        Delivered,
        InProgress,
        None,
        "reopened: the delivery was not complete",
    ),
    mv(
        Rejected,
        Proposed,
        APPROVE,
        "reopened for the strategy group to decide again",
    ),
    mv(Cancelled, Proposed, None, "proposed again"),
];

/// The statuses a package in `from` may move to, in [`Status::ALL`]'s order.
pub fn allowed_from(from: Status) -> Vec<Status> {
    Status::ALL
        .into_iter()
        .filter(|to| MOVES.iter().any(|m| m.from == from && m.to == *to))
        .collect()
}

/// The statuses a package in `from` reaches by moves that need nothing
/// beyond editing it: `from` itself first, then the others in
/// [`Status::ALL`]'s order.
pub fn reachable_without_approval(from: Status) -> Vec<Status> {
    let mut reached = vec![from];
    let mut i = 0;
    while let Some(&at) = reached.get(i) {
        for m in MOVES {
            if m.from == at && m.needs.is_none() && !reached.contains(&m.to) {
                reached.push(m.to);
            }
        }
        i += 1;
    }
    std::iter::once(from)
        .chain(
            Status::ALL
                .into_iter()
                .filter(|s| *s != from && reached.contains(s)),
        )
        .collect()
}

/// What adding a package with status `status` needs besides adding
/// packages. A new package counts as moving from `proposed`: a status
/// [`reachable_without_approval`] from it (proposed, cancelled) needs
/// nothing more; any other is the strategy group's decision and needs
/// `approve`. (Rejecting needs its reason too, which the store asks for:
/// no package is added rejected.)
pub fn on_create(status: Status) -> Option<Action> {
    if reachable_without_approval(Status::Proposed).contains(&status) {
        None
    } else {
        Some(Action::Approve)
    }
}

/// A move the table does not allow, saying which it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub from: Status,
    pub to: Status,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let allowed = allowed_from(self.from);
        write!(
            f,
            "A work package cannot move from {} to {}; ",
            self.from.as_str(),
            self.to.as_str()
        )?;
        if allowed.is_empty() {
            write!(f, "{} is final", self.from.as_str())
        } else {
            let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
            write!(
                f,
                "from {} it may move to {}",
                self.from.as_str(),
                names.join(", ")
            )
        }
    }
}

impl std::error::Error for Refused {}

/// Whether `from` may become `to`: `Ok(None)` when it may (or they are the
/// same), `Ok(Some(action))` when it may with that permission besides.
pub fn check(from: Status, to: Status) -> Result<Option<Action>, Refused> {
    if from == to {
        return Ok(None);
    }
    MOVES
        .iter()
        .find(|m| m.from == from && m.to == to)
        .map(|m| m.needs)
        .ok_or(Refused { from, to })
}

/// The table as Markdown (`docs/governance.md` holds it): one row per move.
pub fn markdown_table() -> String {
    let mut out = String::from("| From | To | Needs | Meaning |\n| --- | --- | --- | --- |\n");
    for m in MOVES {
        let needs = match m.needs {
            Some(action) => format!("`{action}`"),
            None => "editing the package".to_string(),
        };
        out.push_str(&format!(
            "| `{}` | `{}` | {needs} | {} |\n",
            m.from.as_str(),
            m.to.as_str(),
            m.means
        ));
    }
    out
}

/// What a plan in the store is: a draft, approved, or superseded by another.
pub mod plan {
    use crate::model::PlanStatus;

    /// Whether a plan in `from` may be approved (only a draft).
    pub fn may_approve(from: PlanStatus) -> bool {
        from == PlanStatus::Draft
    }

    /// Whether a plan in `from` may be marked superseded (only an approved one).
    pub fn may_supersede(from: PlanStatus) -> bool {
        from == PlanStatus::Approved
    }

    /// The name of the baseline approving a plan takes, from the time (Unix
    /// ms, the day as in UTC): `Plan approved 26 November 2026`; `attempt`
    /// 2 and on add ` (2)`, … so the name is unique in the plan.
    pub fn approval_baseline_name(at_ms: i64, attempt: u32) -> String {
        let day = time::OffsetDateTime::from_unix_timestamp(at_ms.div_euclid(1000))
            .map(|t| t.date())
            .unwrap_or(time::Date::MIN);
        let name = format!("Plan approved {} {} {}", day.day(), day.month(), day.year());
        if attempt <= 1 {
            name
        } else {
            format!("{name} ({attempt})")
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn the_baseline_is_named_by_the_day() {
            // 2026-11-26T09:00:00Z
            let at = 1_795_683_600_000;
            assert_eq!(
                super::approval_baseline_name(at, 1),
                "Plan approved 26 November 2026"
            );
            assert_eq!(
                super::approval_baseline_name(at, 2),
                "Plan approved 26 November 2026 (2)"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_move_is_listed_once_and_changes_status() {
        for (i, m) in MOVES.iter().enumerate() {
            assert_ne!(m.from, m.to, "{m:?}");
            assert!(
                !MOVES[..i].iter().any(|n| n.from == m.from && n.to == m.to),
                "{m:?} twice"
            );
        }
    }

    #[test]
    fn approving_and_rejecting_need_approve() {
        assert_eq!(check(Proposed, Approved), Ok(Some(Action::Approve)));
        assert_eq!(check(Proposed, Rejected), Ok(Some(Action::Approve)));
        assert_eq!(check(Rejected, Proposed), Ok(Some(Action::Approve)));
        assert_eq!(check(Approved, InProgress), Ok(None));
        assert_eq!(check(Closed, Closed), Ok(None));
    }

    #[test]
    fn a_new_package_starts_proposed_or_cancelled_without_approve() {
        assert_eq!(reachable_without_approval(Proposed), [Proposed, Cancelled]);
        for status in Status::ALL {
            let needs = on_create(status);
            if matches!(status, Proposed | Cancelled) {
                assert_eq!(needs, None, "{status:?}");
            } else {
                assert_eq!(needs, Some(Action::Approve), "{status:?}");
            }
        }
        // From approved, everything but rejected (cancelled, then proposed
        // again, included).
        assert_eq!(
            reachable_without_approval(Approved),
            [
                Approved, Proposed, InProgress, Delivered, Closed, OnHold, Cancelled
            ]
        );
    }

    #[test]
    fn a_refusal_says_what_is_allowed() {
        let said = |from, to| match check(from, to) {
            Err(e) => e.to_string(),
            Ok(needs) => format!("allowed ({needs:?})"),
        };
        assert_eq!(
            said(Proposed, Delivered),
            "A work package cannot move from proposed to delivered; from proposed it may move to approved, rejected, cancelled"
        );
        assert_eq!(
            said(Closed, InProgress),
            "A work package cannot move from closed to in_progress; closed is final"
        );
    }

    /// docs/governance.md shows the table as it is.
    #[test]
    fn the_documented_table_is_the_lifecycle() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/governance.md");
        let doc = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            doc.contains(&markdown_table()),
            "docs/governance.md does not hold the lifecycle table; put this in it:\n{}",
            markdown_table()
        );
    }
}
