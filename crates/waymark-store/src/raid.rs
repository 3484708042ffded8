//! The RAID log's rows and inputs: risks, assumptions, issues and
//! dependencies on things outside the plan, one record with a kind (see
//! `waymark_core::raid`), linked to the plan's packages and programmes.

use waymark_core::Date;
use waymark_core::raid::{RaidKind, RaidStatus, Rating, RiskPoint, Severity};
use waymark_core::search::SearchText;

use crate::{PackageLink, PlanId, ProgrammeId, ProgrammeRef, Version, WorkPackageId};

/// A RAID item's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RaidItemId(pub i64);

impl std::fmt::Display for RaidItemId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// One item of a plan's RAID log, with what it links to. The fields of
/// another kind are empty (`None` or `""`).
#[derive(Debug, Clone, PartialEq)]
pub struct RaidRow {
    pub id: RaidItemId,
    pub plan_id: PlanId,
    pub kind: RaidKind,
    /// The risk, the assumption, the issue, or what is depended on.
    pub title: String,
    pub description: String,
    pub owner: String,
    pub status: RaidStatus,
    /// A risk's likelihood and impact.
    pub likelihood: Option<Rating>,
    pub impact: Option<Rating>,
    /// A risk's mitigation.
    pub mitigation: String,
    /// When a risk is next to be reviewed.
    pub next_review: Option<Date>,
    /// An issue's severity and resolution.
    pub severity: Option<Severity>,
    pub resolution: String,
    /// Who provides what a dependency depends on, and by when it is needed.
    pub provider: String,
    pub needed_by: Option<Date>,
    /// When it was recorded (Unix milliseconds).
    pub created_ms: i64,
    /// The packages it concerns, in plan order.
    pub work_packages: Vec<PackageLink>,
    /// The programmes it concerns, in the plan's order of programmes.
    pub programmes: Vec<ProgrammeRef>,
    pub version: Version,
}

impl RaidRow {
    /// A risk's score (likelihood × impact); `None` for other kinds.
    pub fn score(&self) -> Option<u8> {
        Some(waymark_core::raid::score(self.likelihood?, self.impact?))
    }

    /// A risk as the heat map reads it; `None` for other kinds.
    pub fn risk_point(&self) -> Option<RiskPoint> {
        Some(RiskPoint {
            id: self.id.0,
            likelihood: self.likelihood?,
            impact: self.impact?,
            status: self.status,
            next_review: self.next_review,
        })
    }
}

/// A RAID item's fields a person sets. The store refuses links outside the
/// plan (naming `work_package_ids` or `programme_ids`), a status or a field
/// its kind does not have, a risk without likelihood or impact, and a
/// change of kind.
#[derive(Debug, Clone, PartialEq)]
pub struct RaidInput {
    pub kind: RaidKind,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub status: RaidStatus,
    pub likelihood: Option<Rating>,
    pub impact: Option<Rating>,
    pub mitigation: String,
    pub next_review: Option<Date>,
    pub severity: Option<Severity>,
    pub resolution: String,
    pub provider: String,
    pub needed_by: Option<Date>,
    pub work_packages: Vec<WorkPackageId>,
    pub programmes: Vec<ProgrammeId>,
}

impl From<&RaidRow> for RaidInput {
    fn from(r: &RaidRow) -> Self {
        RaidInput {
            kind: r.kind,
            title: r.title.clone(),
            description: r.description.clone(),
            owner: r.owner.clone(),
            status: r.status,
            likelihood: r.likelihood,
            impact: r.impact,
            mitigation: r.mitigation.clone(),
            next_review: r.next_review,
            severity: r.severity,
            resolution: r.resolution.clone(),
            provider: r.provider.clone(),
            needed_by: r.needed_by,
            work_packages: r.work_packages.iter().map(|w| w.id).collect(),
            programmes: r.programmes.iter().map(|p| p.id).collect(),
        }
    }
}

/// Which of a plan's RAID items to list; every field left `None` is no filter.
#[derive(Debug, Clone, Default)]
pub struct RaidQuery {
    pub kind: Option<RaidKind>,
    pub status: Option<RaidStatus>,
    /// Risks of this likelihood (a heat map cell's link).
    pub likelihood: Option<Rating>,
    /// Risks of this impact.
    pub impact: Option<Rating>,
    /// Items whose title, description, owner, mitigation, resolution or
    /// provider hold every term (anywhere in a word, ignoring ASCII case).
    pub search: Option<SearchText>,
}

/// What a progress report tells of the RAID log: the open risks with the
/// highest scores and the open issues (most severe first).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RaidHighlights {
    /// Open risks, highest score first (then the most likely, then the
    /// first recorded), at most the number asked for.
    pub top_risks: Vec<RaidRow>,
    /// Every open issue, most severe first (an issue with no severity last),
    /// then the first recorded.
    pub open_issues: Vec<RaidRow>,
}
