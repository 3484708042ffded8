//! The progress report by fixture: each
//! `fixtures/report/NAME.json` holds a plan, what it is compared with (a
//! baseline, or a date and the audit trail's events), notes, decisions, a
//! programme or none and today; `NAME.expected.json` holds the report
//! worked out from it. Regenerate with `UPDATE_EXPECT=1 cargo
//! test -p waymark-core --test report` and review the diff.

mod common;

use common::{expect, fixtures, read};
use serde::Deserialize;
use waymark_core::report::{
    Basis, DecisionLine, HistoryEvent, NoteLine, ReportInput, progress_report,
};
use waymark_core::{Date, Plan};

#[derive(Deserialize)]
struct Case {
    today: Date,
    since: Date,
    #[serde(default)]
    programme: Option<String>,
    #[serde(default = "two")]
    period_quarters: u8,
    plan: Plan,
    #[serde(default)]
    baseline: Option<FixtureBaseline>,
    #[serde(default)]
    history: Vec<HistoryEvent>,
    #[serde(default)]
    notes: Vec<NoteLine>,
    #[serde(default)]
    decisions: Vec<DecisionLine>,
}

fn two() -> u8 {
    2
}

#[derive(Deserialize)]
struct FixtureBaseline {
    name: String,
    taken: Date,
    plan: Plan,
}

#[test]
fn reports_match_their_fixtures() {
    let dir = fixtures().join("report");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && !p.to_string_lossy().ends_with(".expected.json")
        })
        .collect();
    names.sort();
    assert!(names.len() >= 3, "the report fixtures are there");
    for path in names {
        let case: Case = serde_json::from_str(&read(&path))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let basis = match &case.baseline {
            Some(b) => Basis::Baseline {
                name: &b.name,
                taken: b.taken,
                plan: &b.plan,
            },
            None => Basis::Date {
                history: &case.history,
            },
        };
        let input = ReportInput {
            plan: &case.plan,
            today: case.today,
            since: case.since,
            basis,
            programme: case.programme.as_deref(),
            notes: &case.notes,
            decisions: &case.decisions,
            period_quarters: case.period_quarters,
        };
        let report = progress_report(&input).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let out = serde_json::json!({ "report": report });
        let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
        text.push('\n');
        expect(&path.with_extension("expected.json"), &text);
    }
}

#[test]
fn an_unknown_programme_is_an_error() {
    let plan = Plan::new("Plan");
    let input = ReportInput {
        plan: &plan,
        today: "2007-05-01".parse().unwrap_or_else(|e| panic!("{e}")),
        since: "2007-01-01".parse().unwrap_or_else(|e| panic!("{e}")),
        basis: Basis::Date { history: &[] },
        programme: Some("Nothing"),
        notes: &[],
        decisions: &[],
        period_quarters: 2,
    };
    assert!(progress_report(&input).is_err());
}
