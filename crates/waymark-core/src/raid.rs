//! The RAID log's values and its one calculation: risks, assumptions, issues
//! and dependencies on things outside the plan (issue 11, "Governance").
//!
//! A RAID item is one record with a [`RaidKind`]; each kind has its own
//! statuses ([`RaidKind::statuses`]) and its own fields (a risk's likelihood
//! and impact, an issue's severity, a dependency's provider). The risk heat
//! map ([`heat_map`]) and the risks overdue for review ([`overdue`]) are
//! worked out here, from plain values, so a fixture can check them.

use std::fmt;
use std::str::FromStr;

use crate::model::Date;

/// What a RAID item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RaidKind {
    Risk,
    Assumption,
    Issue,
    Dependency,
}

impl RaidKind {
    /// In the order the log shows them (R, A, I, D).
    pub const ALL: [RaidKind; 4] = [
        RaidKind::Risk,
        RaidKind::Assumption,
        RaidKind::Issue,
        RaidKind::Dependency,
    ];

    /// The wire name: `risk`, `assumption`, `issue`, `dependency`.
    pub fn as_str(self) -> &'static str {
        match self {
            RaidKind::Risk => "risk",
            RaidKind::Assumption => "assumption",
            RaidKind::Issue => "issue",
            RaidKind::Dependency => "dependency",
        }
    }

    /// What pages call many of them.
    pub fn plural(self) -> &'static str {
        match self {
            RaidKind::Risk => "risks",
            RaidKind::Assumption => "assumptions",
            RaidKind::Issue => "issues",
            RaidKind::Dependency => "dependencies",
        }
    }

    /// "a risk", "an assumption".
    pub fn with_article(self) -> &'static str {
        match self {
            RaidKind::Risk => "a risk",
            RaidKind::Assumption => "an assumption",
            RaidKind::Issue => "an issue",
            RaidKind::Dependency => "a dependency",
        }
    }

    /// The statuses an item of this kind may have, the first the one a new
    /// item starts with (`open`, for every kind).
    pub fn statuses(self) -> &'static [RaidStatus] {
        match self {
            RaidKind::Risk => &[RaidStatus::Open, RaidStatus::Closed],
            RaidKind::Assumption => &[RaidStatus::Open, RaidStatus::Validated, RaidStatus::Invalid],
            RaidKind::Issue => &[RaidStatus::Open, RaidStatus::Resolved],
            RaidKind::Dependency => &[RaidStatus::Open, RaidStatus::Met, RaidStatus::Missed],
        }
    }

    /// The fields only this kind has (every kind has a title, description,
    /// owner and status).
    pub fn own_fields(self) -> &'static [&'static str] {
        match self {
            RaidKind::Risk => &["likelihood", "impact", "mitigation", "next_review"],
            RaidKind::Assumption => &[],
            RaidKind::Issue => &["severity", "resolution"],
            RaidKind::Dependency => &["provider", "needed_by"],
        }
    }

    /// The kind whose own field `field` is, if any.
    pub fn owning(field: &str) -> Option<RaidKind> {
        RaidKind::ALL
            .into_iter()
            .find(|k| k.own_fields().contains(&field))
    }
}

impl fmt::Display for RaidKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value that is not one of a RAID field's choices; `expected` lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaidValueError {
    pub expected: String,
}

impl fmt::Display for RaidValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}", self.expected)
    }
}

impl std::error::Error for RaidValueError {}

fn one_of<T: Copy>(
    text: &str,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<T, RaidValueError> {
    let text = text.trim();
    all.iter()
        .copied()
        .find(|v| name(*v).eq_ignore_ascii_case(text))
        .ok_or_else(|| RaidValueError {
            expected: all.iter().map(|v| name(*v)).collect::<Vec<_>>().join(", "),
        })
}

impl FromStr for RaidKind {
    type Err = RaidValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        one_of(s, &RaidKind::ALL, RaidKind::as_str)
    }
}

/// Where a RAID item stands. Which are allowed depends on its kind
/// ([`RaidKind::statuses`]); `open` is every kind's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RaidStatus {
    Open,
    /// A risk that no longer threatens.
    Closed,
    /// An assumption found true.
    Validated,
    /// An assumption found false.
    Invalid,
    /// An issue dealt with.
    Resolved,
    /// A dependency delivered.
    Met,
    /// A dependency not delivered by when it was needed.
    Missed,
}

impl RaidStatus {
    pub const ALL: [RaidStatus; 7] = [
        RaidStatus::Open,
        RaidStatus::Closed,
        RaidStatus::Validated,
        RaidStatus::Invalid,
        RaidStatus::Resolved,
        RaidStatus::Met,
        RaidStatus::Missed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RaidStatus::Open => "open",
            RaidStatus::Closed => "closed",
            RaidStatus::Validated => "validated",
            RaidStatus::Invalid => "invalid",
            RaidStatus::Resolved => "resolved",
            RaidStatus::Met => "met",
            RaidStatus::Missed => "missed",
        }
    }

    /// How a page says it.
    pub fn label(self) -> &'static str {
        match self {
            RaidStatus::Open => "Open",
            RaidStatus::Closed => "Closed",
            RaidStatus::Validated => "Validated",
            RaidStatus::Invalid => "Found invalid",
            RaidStatus::Resolved => "Resolved",
            RaidStatus::Met => "Met",
            RaidStatus::Missed => "Missed",
        }
    }
}

impl fmt::Display for RaidStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RaidStatus {
    type Err = RaidValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        one_of(s, &RaidStatus::ALL, RaidStatus::as_str)
    }
}

/// How bad an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = RaidValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        one_of(s, &Severity::ALL, Severity::as_str)
    }
}

/// A risk's likelihood or impact: a whole number in
/// [`crate::limits::RAID_RATING`] (1 to 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Rating(u8);

impl Rating {
    pub fn new(n: u8) -> Option<Rating> {
        crate::limits::RAID_RATING.contains(&n).then_some(Rating(n))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for Rating {
    type Err = RaidValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .parse::<u8>()
            .ok()
            .and_then(Rating::new)
            .ok_or_else(|| RaidValueError {
                expected: format!(
                    "a whole number from {} to {}",
                    crate::limits::RAID_RATING.start(),
                    crate::limits::RAID_RATING.end()
                ),
            })
    }
}

/// A risk's score: likelihood × impact, 1 to 25.
pub fn score(likelihood: Rating, impact: Rating) -> u8 {
    likelihood.0 * impact.0
}

/// A score's band, which the heat map's cells are coloured by (the number is
/// always written too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Band {
    /// 1 to 4.
    Low,
    /// 5 to 9.
    Medium,
    /// 10 to 16.
    High,
    /// 20 and 25.
    Severe,
}

impl Band {
    pub fn of(score: u8) -> Band {
        match score {
            0..=4 => Band::Low,
            5..=9 => Band::Medium,
            10..=16 => Band::High,
            _ => Band::Severe,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Band::Low => "low",
            Band::Medium => "medium",
            Band::High => "high",
            Band::Severe => "severe",
        }
    }
}

/// What the heat map and the overdue list need of a risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskPoint {
    pub id: i64,
    pub likelihood: Rating,
    pub impact: Rating,
    pub status: RaidStatus,
    pub next_review: Option<Date>,
}

impl RiskPoint {
    pub fn score(&self) -> u8 {
        score(self.likelihood, self.impact)
    }

    pub fn is_open(&self) -> bool {
        self.status == RaidStatus::Open
    }
}

/// The 5 × 5 heat map of open risks: `counts[l - 1][i - 1]` is the number of
/// open risks of likelihood `l` and impact `i`. Closed risks are not drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeatMap {
    pub counts: [[u32; 5]; 5],
}

impl HeatMap {
    /// Open risks of likelihood `l` and impact `i`.
    pub fn count(&self, likelihood: Rating, impact: Rating) -> u32 {
        self.counts[usize::from(likelihood.0 - 1)][usize::from(impact.0 - 1)]
    }

    /// Every open risk drawn.
    pub fn total(&self) -> u32 {
        self.counts.iter().flatten().sum()
    }
}

/// The heat map of these risks (the open ones).
pub fn heat_map(risks: &[RiskPoint]) -> HeatMap {
    let mut map = HeatMap::default();
    for r in risks.iter().filter(|r| r.is_open()) {
        let cell = &mut map.counts[usize::from(r.likelihood.0 - 1)][usize::from(r.impact.0 - 1)];
        *cell = cell.saturating_add(1);
    }
    map
}

/// The open risks whose next review date is before `today` (the UK day),
/// longest overdue first, then the highest score, then the first recorded.
/// A risk with no review date is never overdue.
pub fn overdue(risks: &[RiskPoint], today: Date) -> Vec<&RiskPoint> {
    let mut late: Vec<&RiskPoint> = risks
        .iter()
        .filter(|r| r.is_open() && r.next_review.is_some_and(|d| d < today))
        .collect();
    late.sort_by(|a, b| {
        a.next_review
            .cmp(&b.next_review)
            .then(b.score().cmp(&a.score()))
            .then(a.id.cmp(&b.id))
    });
    late
}

/// Days from `since` to `today` (how long a review is overdue).
pub fn days_between(since: Date, today: Date) -> i64 {
    (today.get() - since.get()).whole_days()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_starts_open_and_has_its_own_statuses() {
        for kind in RaidKind::ALL {
            assert_eq!(kind.statuses()[0], RaidStatus::Open);
            assert_eq!(kind.as_str().parse::<RaidKind>(), Ok(kind));
        }
        assert!(!RaidKind::Risk.statuses().contains(&RaidStatus::Resolved));
        assert_eq!(RaidKind::owning("severity"), Some(RaidKind::Issue));
        assert_eq!(RaidKind::owning("title"), None);
        assert!("Risky".parse::<RaidKind>().is_err());
    }

    #[test]
    fn ratings_are_one_to_five() {
        assert_eq!("3".parse::<Rating>().map(Rating::get), Ok(3));
        for bad in ["0", "6", "2.5", "-1", "", "three"] {
            assert!(bad.parse::<Rating>().is_err(), "{bad}");
        }
        assert_eq!(Band::of(4), Band::Low);
        assert_eq!(Band::of(5), Band::Medium);
        assert_eq!(Band::of(16), Band::High);
        assert_eq!(Band::of(25), Band::Severe);
    }
}
