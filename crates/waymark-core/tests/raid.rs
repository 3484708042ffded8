//! The risk heat map and the risks overdue for review, by fixture:
//! `fixtures/raid/risks.json` (a day and risks) → `risks.expected.txt` (the
//! 5 × 5 counts of open risks, likelihood down and impact across, and the
//! overdue list in order). Regenerate with `UPDATE_EXPECT=1 cargo test -p
//! waymark-core --test raid` and review the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fmt::Write;

use common::{expect, fixtures, read};
use serde::Deserialize;
use waymark_core::Date;
use waymark_core::raid::{Band, Rating, RiskPoint, days_between, heat_map, overdue};

#[derive(Deserialize)]
struct Fixture {
    today: String,
    risks: Vec<FixtureRisk>,
}

#[derive(Deserialize)]
struct FixtureRisk {
    id: i64,
    likelihood: u8,
    impact: u8,
    status: String,
    next_review: Option<String>,
}

fn parsed<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap_or_else(|e| panic!("{s:?}: {e:?}"))
}

#[test]
fn heat_map_and_overdue_risks() {
    let dir = fixtures().join("raid");
    let fixture: Fixture =
        serde_json::from_str(&read(&dir.join("risks.json"))).unwrap_or_else(|e| panic!("{e}"));
    let today: Date = parsed(&fixture.today);
    let risks: Vec<RiskPoint> = fixture
        .risks
        .iter()
        .map(|r| RiskPoint {
            id: r.id,
            likelihood: Rating::new(r.likelihood).unwrap_or_else(|| panic!("{}", r.likelihood)),
            impact: Rating::new(r.impact).unwrap_or_else(|| panic!("{}", r.impact)),
            status: parsed(&r.status),
            next_review: r.next_review.as_deref().map(parsed),
        })
        .collect();
    let map = heat_map(&risks);
    let mut out = String::new();
    let _ = writeln!(out, "open risks: {}", map.total());
    let _ = writeln!(out, "likelihood \\ impact: 1 2 3 4 5");
    for l in (1..=5u8).rev() {
        let row: Vec<String> = (1..=5u8)
            .map(|i| {
                let (l, i) = (Rating::new(l).unwrap(), Rating::new(i).unwrap());
                format!(
                    "{}{}",
                    map.count(l, i),
                    &Band::of(waymark_core::raid::score(l, i)).as_str()[..1]
                )
            })
            .collect();
        let _ = writeln!(out, "{l}: {}", row.join(" "));
    }
    let _ = writeln!(out, "overdue on {today}:");
    for r in overdue(&risks, today) {
        let since = r.next_review.unwrap_or(today);
        let _ = writeln!(
            out,
            "  risk {} score {} review {since} ({} days overdue)",
            r.id,
            r.score(),
            days_between(since, today)
        );
    }
    expect(&dir.join("risks.expected.txt"), &out);
}
