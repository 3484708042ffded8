//! The dashboard at the top of a plan's overview: how many packages of each
//! status and RAG, which are overdue, which are due next quarter. Every count
//! links to the overview's list filtered to the packages it counts.

use waymark_store::{Dashboard, PlanId};

use super::view::{WpRow, count_of, query_string};

/// A count with the list it counts.
pub struct Tally {
    pub label: &'static str,
    /// For the tag or RAG class beside the label.
    pub value: &'static str,
    pub count: u64,
    pub href: String,
}

/// A few packages, and how many there are in all.
pub struct Sample {
    pub rows: Vec<WpRow>,
    pub total: u64,
    /// "3 work packages".
    pub total_text: String,
    pub href: String,
}

pub struct DashboardView {
    pub this_quarter: String,
    pub next_quarter: String,
    pub total: u64,
    pub statuses: Vec<Tally>,
    pub rags: Vec<Tally>,
    pub not_rated: u64,
    pub overdue: Sample,
    pub due_next: Sample,
    /// `26 August 2026`: the day since which an open package should have a note.
    pub notes_since: String,
    pub no_recent_note: Sample,
}

impl DashboardView {
    pub fn new(plan: PlanId, d: &Dashboard) -> Self {
        let list = |pairs: &[(&str, &str)]| format!("/plans/{}?{}", plan.0, query_string(pairs));
        let sample =
            |page: &waymark_store::Page<waymark_store::WorkPackageRow>, href: String| Sample {
                rows: page.items.iter().map(WpRow::from).collect(),
                total: page.total,
                total_text: count_of(page.total, "work package", "work packages"),
                href,
            };
        let next = d.next_quarter.to_string();
        DashboardView {
            this_quarter: d.this_quarter.to_string(),
            next_quarter: next.clone(),
            total: d.total,
            statuses: d
                .by_status
                .iter()
                .map(|(s, n)| Tally {
                    label: s.label(),
                    value: s.as_str(),
                    count: *n,
                    href: list(&[("status", s.as_str())]),
                })
                .collect(),
            rags: d
                .by_rag
                .iter()
                .map(|(r, n)| Tally {
                    label: r.label(),
                    value: r.as_str(),
                    count: *n,
                    href: list(&[("rag", r.as_str())]),
                })
                .collect(),
            not_rated: d.not_rated,
            overdue: sample(&d.overdue, list(&[("overdue", "true")])),
            due_next: sample(&d.due_next, list(&[("quarter", &next)])),
            notes_since: super::decisions::long_date(d.notes_since),
            no_recent_note: sample(&d.no_recent_note, list(&[("no_recent_note", "true")])),
        }
    }
}
