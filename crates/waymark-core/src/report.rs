//! The progress report a committee receives (issue 11, "Progress and
//! reports"), and the overview's dashboard: pure functions over the plan as
//! it is now, what it is compared with, the packages' progress notes and the
//! decision log.
//!
//! What "since" compares with ([`Basis`]):
//! - a baseline (asked for by id, or the latest taken on or before the date
//!   asked for): packages added, removed and slipped come from
//!   [`baseline::compare`]; delivered since are those finished now that were
//!   not at the baseline;
//! - a date with no baseline on or before it: packages added, removed and
//!   delivered since come from the audit trail ([`HistoryEvent`], which the
//!   store reads), and slippage is not known (the report says so).
//!
//! A programme's highlight report is the same report over the programme's
//! packages (and the decisions that name the programme or one of them).

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::baseline::{self, slip_words};
use crate::model::{Date, Plan, Rag, Status, WorkPackage, WorkPackageRef, format_delivery};
use crate::quarter::Quarter;

/// Whether a package's work is done: delivered (or closed, once the
/// lifecycle has it). Read by name so that statuses added later fit.
pub fn is_delivered(status: Status) -> bool {
    matches!(status.as_str(), "delivered" | "closed")
}

/// Whether a package was stopped without being delivered.
fn is_stopped(status: Status) -> bool {
    matches!(status.as_str(), "cancelled" | "rejected")
}

/// A progress note as the report reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct NoteLine {
    /// The package's reference.
    pub reference: String,
    pub date: Date,
    pub rag: Option<Rag>,
    pub text: String,
    pub author: String,
    /// When it was recorded (Unix ms): of two notes of one day, the later
    /// recorded is the latest.
    #[serde(default)]
    pub recorded_ms: i64,
}

/// A decision as the report reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DecisionLine {
    pub date: Date,
    pub meeting: String,
    pub text: String,
    pub decided_by: String,
    /// The references of the packages it links to.
    #[serde(default)]
    pub work_packages: Vec<String>,
    /// The names of the programmes it links to.
    #[serde(default)]
    pub programmes: Vec<String>,
}

/// What happened to a package, as the audit trail records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryKind {
    Added,
    Removed,
    Delivered,
}

/// One package event of the audit trail (a package created, deleted, or
/// given a finished status), for a report since a date with no baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct HistoryEvent {
    pub date: Date,
    pub kind: HistoryKind,
    pub reference: String,
    pub title: String,
}

/// What the plan is compared with.
#[derive(Debug, Clone)]
pub enum Basis<'a> {
    /// A baseline: its name, the day it was taken and the plan it froze.
    Baseline {
        name: &'a str,
        taken: Date,
        plan: &'a Plan,
    },
    /// A date, with the audit trail's events from it.
    Date { history: &'a [HistoryEvent] },
}

/// What a report is asked for.
#[derive(Debug, Clone)]
pub struct ReportInput<'a> {
    pub plan: &'a Plan,
    /// Today (the quarters "next period" means follow from it).
    pub today: Date,
    /// The start of the period reported on: the date asked for, or the
    /// baseline's day.
    pub since: Date,
    pub basis: Basis<'a>,
    /// A programme's highlight report: its name.
    pub programme: Option<&'a str>,
    /// Progress notes of the plan's packages, in any order.
    pub notes: &'a [NoteLine],
    pub decisions: &'a [DecisionLine],
    /// How many quarters "due next period" covers, from the one today is in
    /// (at least 1).
    pub period_quarters: u8,
}

/// A count of packages under one key (a status, a RAG, or `none`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub key: String,
    pub label: String,
    pub count: usize,
}

/// Counts by status and by RAG.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub packages: usize,
    pub by_status: Vec<Count>,
    pub by_rag: Vec<Count>,
}

/// What the report compares with, said plainly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ComparedWith {
    /// `baseline` or `date`.
    pub kind: &'static str,
    pub baseline_name: Option<String>,
    pub baseline_taken: Option<Date>,
    /// One sentence for the reader.
    pub description: String,
}

/// A package as a report line names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportPackage {
    pub reference: String,
    pub title: String,
    pub status: String,
    pub status_label: String,
    pub rag: Option<Rag>,
    pub delivery: String,
    pub owner: String,
}

/// A package added or removed since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedLine {
    pub reference: String,
    pub title: String,
    /// When the audit trail records it (reports since a date); `None` from
    /// a baseline.
    pub date: Option<Date>,
}

/// A package whose last delivery part moved later since the baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlippedPackage {
    pub reference: String,
    pub title: String,
    pub delivery_then: String,
    pub delivery_now: String,
    pub slip_quarters: i32,
    pub slip_words: String,
}

/// The packages due in the next period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueNext {
    /// The quarters it covers, in the plan's convention (`Q3 2007`).
    pub quarters: Vec<String>,
    pub packages: Vec<ReportPackage>,
}

/// A package with its latest progress note (or none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageProgress {
    pub package: ReportPackage,
    pub latest_note: Option<NoteLine>,
    /// The package's own progress commentary (`progress_note`, as the plan
    /// file had it), shown when it has no dated note.
    pub commentary: String,
}

/// An open risk as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskLine {
    pub title: String,
    pub owner: String,
    /// Likelihood and impact, 1 to 5, and their product.
    pub likelihood: u8,
    pub impact: u8,
    pub score: u8,
    pub mitigation: String,
    pub next_review: Option<Date>,
}

/// An open issue as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssueLine {
    pub title: String,
    pub owner: String,
    /// `low`, `medium`, `high`, `critical`, or none.
    pub severity: Option<String>,
    pub resolution: String,
}

/// Top risks and open issues, from the RAID log (of the programme's items
/// for a highlight report). The report's calculation leaves it `None`; the
/// caller that reads the log fills it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct RaidSection {
    /// The open risks with the highest scores, highest first.
    pub top_risks: Vec<RiskLine>,
    /// Every open issue, most severe first.
    pub open_issues: Vec<IssueLine>,
}

/// The committee's progress report (or a programme's highlight report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressReport {
    /// The plan's title.
    pub plan_title: String,
    /// The programme reported on; `None`: the whole plan.
    pub programme: Option<String>,
    pub today: Date,
    pub since: Date,
    pub compared_with: ComparedWith,
    pub summary: Summary,
    pub delivered: Vec<ReportPackage>,
    /// `None` when slippage is not known (no baseline).
    pub slipped: Option<Vec<SlippedPackage>>,
    pub added: Vec<ChangedLine>,
    pub removed: Vec<ChangedLine>,
    pub due_next: DueNext,
    pub progress: Vec<PackageProgress>,
    pub decisions: Vec<DecisionLine>,
    /// Top risks and open issues: the RAID log's section (see
    /// [`RaidSection`]).
    pub raid: Option<RaidSection>,
}

/// A report's input that does not fit: a programme the plan has not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("the plan has no programme named {0:?}")]
    UnknownProgramme(String),
    #[error("the plan or its baseline names a package twice: {0}")]
    Compare(String),
}

fn package_line(reference: &WorkPackageRef, wp: &WorkPackage) -> ReportPackage {
    ReportPackage {
        reference: reference.to_string(),
        title: wp.title.clone(),
        status: wp.status.as_str().to_string(),
        status_label: wp.status.label().to_string(),
        rag: wp.rag,
        delivery: format_delivery(&wp.delivery),
        owner: wp.owner.clone(),
    }
}

/// The packages of a plan in scope: all, or a programme's.
fn in_scope<'p>(
    plan: &'p Plan,
    programme: Option<&str>,
) -> Result<Vec<(WorkPackageRef, &'p WorkPackage)>, ReportError> {
    let members: Option<HashSet<&WorkPackageRef>> = match programme {
        None => None,
        Some(name) => Some(
            plan.programmes
                .iter()
                .find(|p| p.name == name)
                .ok_or_else(|| ReportError::UnknownProgramme(name.to_string()))?
                .work_packages
                .iter()
                .collect(),
        ),
    };
    Ok(plan
        .work_packages()
        .filter(|(r, _, _)| members.as_ref().is_none_or(|m| m.contains(r)))
        .map(|(r, _, wp)| (r, wp))
        .collect())
}

/// Counts by status (every status, in order) and by RAG (red, amber,
/// green, then none).
pub fn summary<'a>(packages: impl Iterator<Item = &'a WorkPackage> + Clone) -> Summary {
    let by_status = Status::ALL
        .into_iter()
        .map(|s| Count {
            key: s.as_str().to_string(),
            label: s.label().to_string(),
            count: packages.clone().filter(|wp| wp.status == s).count(),
        })
        .collect();
    let mut by_rag: Vec<Count> = Rag::ALL
        .into_iter()
        .map(|r| Count {
            key: r.as_str().to_string(),
            label: rag_label(Some(r)).to_string(),
            count: packages.clone().filter(|wp| wp.rag == Some(r)).count(),
        })
        .collect();
    by_rag.push(Count {
        key: "none".to_string(),
        label: rag_label(None).to_string(),
        count: packages.clone().filter(|wp| wp.rag.is_none()).count(),
    });
    Summary {
        packages: packages.count(),
        by_status,
        by_rag,
    }
}

/// A RAG as a reader reads it.
pub fn rag_label(rag: Option<Rag>) -> &'static str {
    match rag {
        Some(Rag::Red) => "Red",
        Some(Rag::Amber) => "Amber",
        Some(Rag::Green) => "Green",
        None => "No RAG",
    }
}

/// Each package's latest note: the latest date, then the latest recorded.
pub fn latest_notes(notes: &[NoteLine]) -> HashMap<&str, &NoteLine> {
    let mut latest: HashMap<&str, &NoteLine> = HashMap::new();
    for n in notes {
        let slot = latest.entry(n.reference.as_str()).or_insert(n);
        if (n.date, n.recorded_ms) > (slot.date, slot.recorded_ms) {
            *slot = n;
        }
    }
    latest
}

/// The quarters from the one `today` is in, `count` of them (at least one),
/// in the plan's convention.
pub fn period(plan: &Plan, today: Date, count: u8) -> Vec<Quarter> {
    let first = Quarter::containing(today, plan.quarter_convention);
    let mut out = vec![first];
    for _ in 1..count.max(1) {
        if let Some(last) = out.last() {
            out.push(last.next());
        }
    }
    out
}

/// The progress report.
pub fn progress_report(input: &ReportInput<'_>) -> Result<ProgressReport, ReportError> {
    let plan = input.plan;
    let scope = in_scope(plan, input.programme)?;
    let refs: HashSet<String> = scope.iter().map(|(r, _)| r.to_string()).collect();
    let summary = summary(
        scope
            .iter()
            .map(|(_, wp)| *wp)
            .collect::<Vec<_>>()
            .into_iter(),
    );

    let (compared_with, delivered, slipped, added, removed) = match &input.basis {
        Basis::Baseline {
            name,
            taken,
            plan: then,
        } => {
            let cmp =
                baseline::compare(then, plan).map_err(|e| ReportError::Compare(e.to_string()))?;
            // The programme's packages then: its members in the baseline.
            let then_scope: HashSet<String> = in_scope(then, input.programme)
                .map(|s| s.into_iter().map(|(r, _)| r.to_string()).collect())
                .unwrap_or_default();
            let done_then: HashSet<String> = then
                .work_packages()
                .filter(|(_, _, wp)| is_delivered(wp.status))
                .map(|(r, _, _)| r.to_string())
                .collect();
            let delivered = scope
                .iter()
                .filter(|(r, wp)| is_delivered(wp.status) && !done_then.contains(r.as_str()))
                .map(|(r, wp)| package_line(r, wp))
                .collect();
            let slipped = cmp
                .packages
                .iter()
                .filter(|p| refs.contains(p.reference.as_str()))
                .filter_map(|p| {
                    let slip = p.slip_quarters.filter(|s| *s > 0)?;
                    Some(SlippedPackage {
                        reference: p.reference.to_string(),
                        title: p.title.clone(),
                        delivery_then: p.delivery_then.clone(),
                        delivery_now: p.delivery_now.clone(),
                        slip_quarters: slip,
                        slip_words: slip_words(slip),
                    })
                })
                .collect();
            let line = |p: &crate::update::PackageLine| ChangedLine {
                reference: p.reference.to_string(),
                title: p.title.clone(),
                date: None,
            };
            let added = cmp
                .added
                .iter()
                .filter(|p| refs.contains(p.reference.as_str()))
                .map(line)
                .collect();
            let removed = cmp
                .removed
                .iter()
                .filter(|p| then_scope.contains(p.reference.as_str()))
                .map(line)
                .collect();
            let compared_with = ComparedWith {
                kind: "baseline",
                baseline_name: Some(name.to_string()),
                baseline_taken: Some(*taken),
                description: format!(
                    "Compared with the baseline \u{201c}{name}\u{201d}, taken on {taken}."
                ),
            };
            (compared_with, delivered, Some(slipped), added, removed)
        }
        Basis::Date { history } => {
            let since = input.since;
            let recent = |kind: HistoryKind| {
                history
                    .iter()
                    .filter(move |e| e.kind == kind && e.date >= since)
            };
            let delivered_refs: HashSet<&str> = recent(HistoryKind::Delivered)
                .map(|e| e.reference.as_str())
                .collect();
            let delivered = scope
                .iter()
                .filter(|(r, wp)| {
                    is_delivered(wp.status)
                        && (delivered_refs.contains(r.as_str())
                            || wp.actual_delivery.is_some_and(|d| d >= since))
                })
                .map(|(r, wp)| package_line(r, wp))
                .collect();
            let mut seen = HashSet::new();
            let added = recent(HistoryKind::Added)
                .filter(|e| refs.contains(&e.reference))
                .filter(|e| seen.insert(e.reference.clone()))
                .map(|e| ChangedLine {
                    reference: e.reference.clone(),
                    title: e.title.clone(),
                    date: Some(e.date),
                })
                .collect();
            // A removed package is in no programme any more: a programme's
            // report cannot say which were its own, so only the plan's lists them.
            let removed = if input.programme.is_some() {
                Vec::new()
            } else {
                recent(HistoryKind::Removed)
                    .map(|e| ChangedLine {
                        reference: e.reference.clone(),
                        title: e.title.clone(),
                        date: Some(e.date),
                    })
                    .collect()
            };
            let compared_with = ComparedWith {
                kind: "date",
                baseline_name: None,
                baseline_taken: None,
                description: format!(
                    "Compared with the plan on {since}: no baseline was taken on or before that day, so packages added, removed and delivered since come from the audit trail, and slippage is not known."
                ),
            };
            (compared_with, delivered, None, added, removed)
        }
    };

    let quarters = period(plan, input.today, input.period_quarters);
    let due = scope
        .iter()
        .filter(|(_, wp)| !is_delivered(wp.status) && !is_stopped(wp.status))
        .filter(|(_, wp)| wp.delivery.iter().any(|d| quarters.contains(&d.quarter)))
        .map(|(r, wp)| package_line(r, wp))
        .collect();

    let latest = latest_notes(input.notes);
    let progress = scope
        .iter()
        .map(|(r, wp)| PackageProgress {
            package: package_line(r, wp),
            latest_note: latest.get(r.as_str()).map(|n| (*n).clone()),
            commentary: wp.progress_note.clone(),
        })
        .collect();

    let programme_refs = refs;
    let decisions = input
        .decisions
        .iter()
        .filter(|d| d.date >= input.since)
        .filter(|d| match input.programme {
            None => true,
            Some(name) => {
                d.programmes.iter().any(|p| p == name)
                    || d.work_packages.iter().any(|r| programme_refs.contains(r))
            }
        })
        .cloned()
        .collect();

    Ok(ProgressReport {
        plan_title: plan.title.clone(),
        programme: input.programme.map(str::to_string),
        today: input.today,
        since: input.since,
        compared_with,
        summary,
        delivered,
        slipped,
        added,
        removed,
        due_next: DueNext {
            quarters: quarters.iter().map(Quarter::to_string).collect(),
            packages: due,
        },
        progress,
        decisions,
        raid: None,
    })
}

/// How old an open package's latest note may be before the overview's
/// dashboard lists it.
pub const STALE_MONTHS: u8 = 3;

/// The day `months` months before `today` (the month's last day when it is
/// shorter).
pub fn months_before(today: Date, months: u8) -> Date {
    let d = today.get();
    let index = d.year() * 12 + i32::from(u8::from(d.month())) - 1 - i32::from(months);
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    let month = time::Month::try_from(month as u8).unwrap_or(time::Month::January);
    let day = d.day().min(month.length(year));
    time::Date::from_calendar_date(year, month, day)
        .map(Date::from_calendar)
        .unwrap_or(today)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn months_before_keeps_to_the_month_length() {
        assert_eq!(months_before(date("2007-05-31"), 3), date("2007-02-28"));
        assert_eq!(months_before(date("2007-02-15"), 3), date("2006-11-15"));
    }

    #[test]
    fn the_period_is_in_the_plan_convention() {
        let mut plan = Plan::new("Plan");
        assert_eq!(
            period(&plan, date("2007-05-01"), 2)
                .iter()
                .map(Quarter::to_string)
                .collect::<Vec<_>>(),
            ["Q2 2007", "Q3 2007"]
        );
        plan.quarter_convention = crate::QuarterConvention::Financial;
        assert_eq!(
            period(&plan, date("2007-05-01"), 1)
                .iter()
                .map(Quarter::to_string)
                .collect::<Vec<_>>(),
            ["Q1 2007"]
        );
    }
}
