//! Priorities' records: the strategy group's criteria (with weights) and the
//! scores managers give work packages and programmes on them, as the store
//! reads and writes them; [`Priorities`] is everything the ranking needs,
//! read at once, and turns into core's [`waymark_core::priority::Scoring`].

use waymark_core::priority::{Criterion, Item, Score, Scoring, Weight};

use crate::{PlanId, ProgrammeId, Version, WorkPackageId};

/// A priority criterion's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CriterionId(pub i64);

/// A score's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScoreId(pub i64);

impl std::fmt::Display for CriterionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Display for ScoreId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A criterion as the store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionRow {
    pub id: CriterionId,
    pub plan_id: PlanId,
    pub name: String,
    pub description: String,
    pub weight: Weight,
    /// Where it comes in the list (criteria are listed by it, then by id).
    pub order: u32,
    pub version: Version,
}

/// A criterion's fields the strategy group sets. `order` `None`: after the
/// plan's last criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionInput {
    pub name: String,
    pub description: String,
    pub weight: Weight,
    pub order: Option<u32>,
}

impl From<&CriterionRow> for CriterionInput {
    fn from(c: &CriterionRow) -> Self {
        CriterionInput {
            name: c.name.clone(),
            description: c.description.clone(),
            weight: c.weight,
            order: Some(c.order),
        }
    }
}

/// What a score is of: a work package or a programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ScoreItem {
    WorkPackage(WorkPackageId),
    Programme(ProgrammeId),
}

impl ScoreItem {
    /// `work_package` or `programme`, as the API names the kind.
    pub fn kind(self) -> &'static str {
        match self {
            ScoreItem::WorkPackage(_) => "work_package",
            ScoreItem::Programme(_) => "programme",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            ScoreItem::WorkPackage(id) => id.0,
            ScoreItem::Programme(id) => id.0,
        }
    }
}

/// A score as the store keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRow {
    pub id: ScoreId,
    pub criterion: CriterionId,
    pub item: ScoreItem,
    pub score: Score,
    pub note: String,
    pub version: Version,
}

/// A new score: of `item` on `criterion` (one per pair).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreInput {
    pub criterion: CriterionId,
    pub item: ScoreItem,
    pub score: Score,
    pub note: String,
}

/// What a score holds (its criterion and item never change).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreValue {
    pub score: Score,
    pub note: String,
}

/// The version a score is expected at by [`crate::PlanStore::set_scores`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreExpect {
    /// Whatever is there (the command line).
    Any,
    /// No score yet (a form opened when there was none).
    Absent,
    /// The score at this version.
    At(Version),
}

/// One score set or cleared (`value` `None`) by
/// [`crate::PlanStore::set_scores`].
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreSet {
    pub criterion: CriterionId,
    pub expected: ScoreExpect,
    pub value: Option<ScoreValue>,
}

/// An item that may be scored, as the ranking names it.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorityItem {
    pub item: ScoreItem,
    /// A package's reference (`10.1.1`), empty for a programme.
    pub reference: String,
    /// A package's title or a programme's name.
    pub name: String,
    /// A programme marked as a priority programme.
    pub priority_programme: bool,
}

impl PriorityItem {
    /// How the ranking names it: "10.1.1 Application review", or
    /// "Programme: ISA".
    pub fn label(&self) -> String {
        match self.item {
            ScoreItem::WorkPackage(_) => format!("{} {}", self.reference, self.name),
            ScoreItem::Programme(_) => format!("Programme: {}", self.name),
        }
    }
}

/// Everything the ranking of a plan needs, read at once: its criteria in
/// order, its programmes (in order) then its packages (in plan order), and
/// every score.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Priorities {
    pub criteria: Vec<CriterionRow>,
    pub items: Vec<PriorityItem>,
    pub scores: Vec<ScoreRow>,
}

impl Priorities {
    /// The score of `item` on `criterion`, if it has one.
    pub fn score(&self, item: ScoreItem, criterion: CriterionId) -> Option<&ScoreRow> {
        self.scores
            .iter()
            .find(|s| s.item == item && s.criterion == criterion)
    }

    /// Core's view: items in this order, each with a score per criterion.
    pub fn scoring(&self) -> Scoring {
        let by_key: std::collections::HashMap<(ScoreItem, CriterionId), Score> = self
            .scores
            .iter()
            .map(|s| ((s.item, s.criterion), s.score))
            .collect();
        Scoring {
            criteria: self
                .criteria
                .iter()
                .map(|c| Criterion {
                    name: c.name.clone(),
                    weight: c.weight,
                })
                .collect(),
            items: self
                .items
                .iter()
                .map(|i| Item {
                    label: i.label(),
                    scores: self
                        .criteria
                        .iter()
                        .map(|c| by_key.get(&(i.item, c.id)).copied())
                        .collect(),
                })
                .collect(),
        }
    }
}
