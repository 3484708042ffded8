//! The action plan as plain values: what an importer produces, what the store
//! keeps and what an exporter writes. No IO here.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::quarter::{Quarter, QuarterConvention};

/// A whole action plan. Work packages live inside their sections; the registers
/// (influences, related items, programmes) and the dependencies are plan-wide and
/// refer to work packages by [`WorkPackageRef`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub title: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub introduction: String,
    #[serde(default)]
    pub quarter_convention: QuarterConvention,
    /// Text from an imported file that fitted no field, kept so nothing is lost.
    #[serde(default)]
    pub notes: String,
    #[serde(default)]
    pub sections: Vec<Section>,
    #[serde(default)]
    pub influences: Vec<Influence>,
    #[serde(default)]
    pub related_items: Vec<RelatedItem>,
    #[serde(default)]
    pub programmes: Vec<Programme>,
    #[serde(default)]
    pub dependencies: Vec<Dependency>,
}

impl Plan {
    pub fn new(title: impl Into<String>) -> Self {
        Plan {
            title: title.into(),
            organisation: String::new(),
            period: String::new(),
            introduction: String::new(),
            quarter_convention: QuarterConvention::default(),
            notes: String::new(),
            sections: Vec::new(),
            influences: Vec::new(),
            related_items: Vec::new(),
            programmes: Vec::new(),
            dependencies: Vec::new(),
        }
    }

    /// Every work package with the reference other parts of the plan use for it.
    pub fn work_packages(&self) -> impl Iterator<Item = (WorkPackageRef, &Section, &WorkPackage)> {
        self.sections
            .iter()
            .enumerate()
            .flat_map(|(index, section)| {
                section
                    .work_packages
                    .iter()
                    .map(move |wp| (WorkPackageRef::new(section, index, &wp.number), section, wp))
            })
    }

    pub fn work_package_count(&self) -> usize {
        self.sections.iter().map(|s| s.work_packages.len()).sum()
    }

    /// Number of (package, influence code) pairs.
    pub fn influence_link_count(&self) -> usize {
        self.work_packages()
            .map(|(_, _, wp)| wp.influences.len())
            .sum()
    }

    /// Keep only the packages `keep` says yes to (by reference), with the
    /// dependencies and programme places among them; the sections, registers
    /// and the plan's own fields stay whole. An export of a filtered list.
    pub fn retain_packages(&mut self, keep: impl Fn(&WorkPackageRef) -> bool) {
        let mut kept = std::collections::HashSet::new();
        for (index, section) in self.sections.iter_mut().enumerate() {
            let named = Section {
                number: section.number.clone(),
                ..Section::default()
            };
            section.work_packages.retain(|wp| {
                let r = WorkPackageRef::new(&named, index, &wp.number);
                let yes = keep(&r);
                if yes {
                    kept.insert(r);
                }
                yes
            });
        }
        self.dependencies
            .retain(|d| kept.contains(&d.predecessor) && kept.contains(&d.successor));
        for p in &mut self.programmes {
            p.work_packages.retain(|r| kept.contains(r));
        }
    }

    pub fn priorities(&self) -> impl Iterator<Item = &Programme> {
        self.programmes.iter().filter(|p| p.priority)
    }
}

/// A section of the plan (`10.1 Core business systems`). Either part may be
/// missing: the seed's finance table has no heading at all.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Section {
    pub number: Option<String>,
    pub title: Option<String>,
    #[serde(default)]
    pub work_packages: Vec<WorkPackage>,
}

impl Section {
    /// How the section is named to a person: `10.1 Core business systems`, or
    /// `Section 6 (no heading)` for an unheaded one at position 6.
    pub fn label(&self, index: usize) -> String {
        match (&self.number, &self.title) {
            (Some(n), Some(t)) => format!("{n} {t}"),
            (Some(n), None) => n.clone(),
            (None, Some(t)) => t.clone(),
            (None, None) => format!("Section {} (no heading)", index + 1),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkPackage {
    /// The number within its section, as written (`1`, `2`, ...).
    pub number: String,
    pub title: String,
    #[serde(default)]
    pub scope: String,
    /// The relationships cell verbatim; the parsed names are in `related_items`.
    #[serde(default)]
    pub relationships: String,
    #[serde(default)]
    pub delivery: Vec<DeliveryTarget>,
    /// The delivery cell's original text when it differs from how Waymark
    /// writes the parsed parts ([`format_delivery`]): "End of March 2027" read
    /// as Q1 2027, or "Ongoing", which is no quarter at all. Empty otherwise.
    #[serde(default)]
    pub delivery_as_written: String,
    #[serde(default)]
    pub comments: String,
    #[serde(default)]
    pub influences: Vec<InfluenceCode>,
    /// Names of entries in [`Plan::related_items`].
    #[serde(default)]
    pub related_items: Vec<String>,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub rag: Option<Rag>,
    #[serde(default)]
    pub progress: Progress,
    /// The latest progress note: free text, the latest word on how the
    /// package is going, beside the percentage in `progress`.
    #[serde(default)]
    pub progress_note: String,
    #[serde(default)]
    pub actual_delivery: Option<Date>,
}

impl WorkPackage {
    pub fn new(number: impl Into<String>, title: impl Into<String>) -> Self {
        WorkPackage {
            number: number.into(),
            title: title.into(),
            scope: String::new(),
            relationships: String::new(),
            delivery: Vec::new(),
            delivery_as_written: String::new(),
            comments: String::new(),
            influences: Vec::new(),
            related_items: Vec::new(),
            owner: String::new(),
            status: Status::default(),
            rag: None,
            progress: Progress::default(),
            progress_note: String::new(),
            actual_delivery: None,
        }
    }

    /// The latest quarter among the delivery parts.
    pub fn final_delivery(&self) -> Option<Quarter> {
        self.delivery.iter().map(|d| d.quarter).max()
    }
}

/// One part of a package's estimated delivery: `a) Q4 2007`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryTarget {
    #[serde(default)]
    pub label: Option<String>,
    pub quarter: Quarter,
}

impl fmt::Display for DeliveryTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.label {
            Some(label) => write!(f, "{label}) {}", self.quarter),
            None => write!(f, "{}", self.quarter),
        }
    }
}

/// Writes delivery parts the way the plan does: `a) Q4 2007 b) Q4 2007`.
pub fn format_delivery(parts: &[DeliveryTarget]) -> String {
    parts
        .iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A work package's place in its lifecycle (`crate::lifecycle` says which
/// moves are allowed). A new package is proposed until approved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Proposed,
    /// `not_started` is what baselines frozen before the lifecycle say.
    #[serde(alias = "not_started")]
    Approved,
    InProgress,
    Delivered,
    Closed,
    OnHold,
    Rejected,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Proposed,
        Status::Approved,
        Status::InProgress,
        Status::Delivered,
        Status::Closed,
        Status::OnHold,
        Status::Rejected,
        Status::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Proposed => "proposed",
            Status::Approved => "approved",
            Status::InProgress => "in_progress",
            Status::Delivered => "delivered",
            Status::Closed => "closed",
            Status::OnHold => "on_hold",
            Status::Rejected => "rejected",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Proposed => "Proposed",
            Status::Approved => "Approved",
            Status::InProgress => "In progress",
            Status::Delivered => "Delivered",
            Status::Closed => "Closed",
            Status::OnHold => "On hold",
            Status::Rejected => "Rejected",
            Status::Cancelled => "Cancelled",
        }
    }

    /// Whether the package still has work to do (agreed or asked for, and
    /// not yet delivered, closed, rejected or cancelled).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Proposed | Status::Approved | Status::InProgress | Status::OnHold
        )
    }

    /// Whether the package's work is done (delivered, or delivered and closed).
    pub fn is_done(self) -> bool {
        matches!(self, Status::Delivered | Status::Closed)
    }
}

/// Words plans use for a status besides its own name and label: a package
/// described as not started is agreed work not yet begun (approved).
const STATUS_WORDS: &[(&str, Status)] = &[
    ("not_started", Status::Approved),
    ("not_yet_started", Status::Approved),
    ("planned", Status::Approved),
    ("agreed", Status::Approved),
    ("to_do", Status::Approved),
    ("todo", Status::Approved),
    ("proposal", Status::Proposed),
    ("started", Status::InProgress),
    ("complete", Status::Delivered),
    ("completed", Status::Delivered),
    ("done", Status::Delivered),
    ("paused", Status::OnHold),
    ("declined", Status::Rejected),
    ("withdrawn", Status::Cancelled),
];

impl FromStr for Status {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = normalise_key(s);
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == key || normalise_key(st.label()) == key)
            .or_else(|| {
                STATUS_WORDS
                    .iter()
                    .find(|(word, _)| *word == key)
                    .map(|(_, st)| *st)
            })
            .ok_or_else(|| {
                ParseValueError::new(
                    "status",
                    s,
                    "proposed, approved, not started, in progress, delivered, closed, on hold, rejected or cancelled",
                )
            })
    }
}

/// The plan's own status: a draft until the strategy group approves it;
/// superseded when a newer plan takes its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    #[default]
    Draft,
    Approved,
    Superseded,
}

impl PlanStatus {
    pub const ALL: [PlanStatus; 3] = [
        PlanStatus::Draft,
        PlanStatus::Approved,
        PlanStatus::Superseded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Approved => "approved",
            PlanStatus::Superseded => "superseded",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PlanStatus::Draft => "Draft",
            PlanStatus::Approved => "Approved",
            PlanStatus::Superseded => "Superseded",
        }
    }
}

impl FromStr for PlanStatus {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = normalise_key(s);
        PlanStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == key)
            .ok_or_else(|| ParseValueError::new("plan status", s, "draft, approved or superseded"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    Red,
    Amber,
    Green,
}

impl Rag {
    pub const ALL: [Rag; 3] = [Rag::Red, Rag::Amber, Rag::Green];

    pub fn as_str(self) -> &'static str {
        match self {
            Rag::Red => "red",
            Rag::Amber => "amber",
            Rag::Green => "green",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Rag::Red => "Red",
            Rag::Amber => "Amber",
            Rag::Green => "Green",
        }
    }
}

impl FromStr for Rag {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match normalise_key(s).as_str() {
            "red" | "r" => Ok(Rag::Red),
            "amber" | "a" => Ok(Rag::Amber),
            "green" | "g" => Ok(Rag::Green),
            _ => Err(ParseValueError::new("rag", s, "red, amber or green")),
        }
    }
}

/// Percentage complete, 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Progress(u8);

impl Progress {
    pub fn new(value: i64) -> Result<Self, ParseValueError> {
        u8::try_from(value)
            .ok()
            .filter(|v| *v <= 100)
            .map(Progress)
            .ok_or_else(|| {
                ParseValueError::new(
                    "progress",
                    &value.to_string(),
                    "a whole number from 0 to 100",
                )
            })
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl FromStr for Progress {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let trimmed = s.trim().trim_end_matches('%').trim();
        trimmed
            .parse::<i64>()
            .map_err(|_| ParseValueError::new("progress", s, "a whole number from 0 to 100"))
            .and_then(Progress::new)
    }
}

impl Serialize for Progress {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0)
    }
}

impl<'de> Deserialize<'de> for Progress {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = i64::deserialize(d)?;
        Progress::new(v).map_err(serde::de::Error::custom)
    }
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(time::Date);

const DATE_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

impl Date {
    pub fn from_calendar(date: time::Date) -> Self {
        Date(date)
    }

    pub fn get(self) -> time::Date {
        self.0
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = (self.0.year(), u8::from(self.0.month()), self.0.day());
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl FromStr for Date {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        time::Date::parse(s.trim(), DATE_FORMAT)
            .map(Date)
            .map_err(|_| ParseValueError::new("date", s, "a real date written YYYY-MM-DD"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A key-influence code such as `3.1.1`: numbers separated by dots.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InfluenceCode(String);

impl InfluenceCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Sort key that orders `3.10` after `3.9`.
    pub fn sort_key(&self) -> Vec<u32> {
        self.0
            .split('.')
            .map(|p| p.parse().unwrap_or(u32::MAX))
            .collect()
    }
}

impl FromStr for InfluenceCode {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().trim_end_matches(['.', ',', ';']);
        let parts: Vec<&str> = s.split('.').collect();
        let valid = parts.len() >= 2
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()));
        if valid {
            Ok(InfluenceCode(s.to_string()))
        } else {
            Err(ParseValueError::new(
                "influence code",
                s,
                "numbers separated by dots, such as 3.1.1",
            ))
        }
    }
}

impl fmt::Display for InfluenceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for InfluenceCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for InfluenceCode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// An entry of the key-influences register (section 3 of the strategy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Influence {
    pub code: InfluenceCode,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
}

/// A strategy, plan, programme, system, ... that work packages relate to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelatedItem {
    pub name: String,
    #[serde(default)]
    pub kind: RelatedKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelatedKind {
    Strategy,
    Plan,
    Programme,
    Project,
    System,
    Standard,
    Organisation,
    #[default]
    Other,
}

impl RelatedKind {
    pub const ALL: [RelatedKind; 8] = [
        RelatedKind::Strategy,
        RelatedKind::Plan,
        RelatedKind::Programme,
        RelatedKind::Project,
        RelatedKind::System,
        RelatedKind::Standard,
        RelatedKind::Organisation,
        RelatedKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RelatedKind::Strategy => "strategy",
            RelatedKind::Plan => "plan",
            RelatedKind::Programme => "programme",
            RelatedKind::Project => "project",
            RelatedKind::System => "system",
            RelatedKind::Standard => "standard",
            RelatedKind::Organisation => "organisation",
            RelatedKind::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RelatedKind::Strategy => "Strategy",
            RelatedKind::Plan => "Plan",
            RelatedKind::Programme => "Programme",
            RelatedKind::Project => "Project",
            RelatedKind::System => "System",
            RelatedKind::Standard => "Standard",
            RelatedKind::Organisation => "Organisation",
            RelatedKind::Other => "Other",
        }
    }
}

impl FromStr for RelatedKind {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let key = normalise_key(s);
        RelatedKind::ALL
            .into_iter()
            .find(|k| k.as_str() == key)
            .ok_or_else(|| {
                ParseValueError::new(
                    "kind",
                    s,
                    "strategy, plan, programme, project, system, standard, organisation or other",
                )
            })
    }
}

/// A programme of work; priority programmes are the group's agreed priorities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Programme {
    pub name: String,
    #[serde(default)]
    pub priority: bool,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub work_packages: Vec<WorkPackageRef>,
}

/// Finish-to-start: `successor` cannot start before `predecessor` finishes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Dependency {
    pub predecessor: WorkPackageRef,
    pub successor: WorkPackageRef,
}

/// How a work package is referred to across the plan: section number and package
/// number (`10.2.1`), or `#6.1` for package 1 of the sixth section when that
/// section has no number.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WorkPackageRef(pub String);

impl WorkPackageRef {
    pub fn new(section: &Section, section_index: usize, number: &str) -> Self {
        match &section.number {
            Some(n) => WorkPackageRef(format!("{n}.{number}")),
            None => WorkPackageRef(format!("#{}.{number}", section_index + 1)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WorkPackageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A value that did not parse: which field, what was given, what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: \"{value}\" is not valid; expected {expected}")]
pub struct ParseValueError {
    pub field: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl ParseValueError {
    pub fn new(field: &'static str, value: &str, expected: &'static str) -> Self {
        let mut shown: String = value.chars().take(60).collect();
        if shown.len() < value.len() {
            shown.push('…');
        }
        ParseValueError {
            field,
            value: shown,
            expected,
        }
    }
}

/// Lower case, spaces and hyphens as underscores: `In progress` -> `in_progress`.
pub fn normalise_key(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| {
            if c == ' ' || c == '-' {
                '_'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn retaining_packages_keeps_the_links_among_them() {
        let mut plan = Plan::new("Plan");
        plan.sections.push(Section {
            number: Some("1".into()),
            title: None,
            work_packages: vec![WorkPackage::new("1", "A"), WorkPackage::new("2", "B")],
        });
        plan.sections.push(Section {
            number: None,
            title: Some("Loose".into()),
            work_packages: vec![WorkPackage::new("1", "C")],
        });
        let r = |s: &str| WorkPackageRef(s.to_string());
        plan.dependencies.push(Dependency {
            predecessor: r("1.1"),
            successor: r("#2.1"),
        });
        plan.dependencies.push(Dependency {
            predecessor: r("1.1"),
            successor: r("1.2"),
        });
        plan.programmes.push(Programme {
            name: "P".into(),
            priority: false,
            description: String::new(),
            work_packages: vec![r("1.2"), r("#2.1")],
        });
        plan.retain_packages(|x| x.as_str() != "1.2");
        let refs: Vec<String> = plan.work_packages().map(|(r, _, _)| r.0).collect();
        assert_eq!(refs, vec!["1.1", "#2.1"]);
        assert_eq!(plan.dependencies.len(), 1);
        assert_eq!(plan.dependencies[0].successor, r("#2.1"));
        assert_eq!(plan.programmes[0].work_packages, vec![r("#2.1")]);
        assert_eq!(plan.sections.len(), 2, "sections stay");
    }
}
