//! Ranking and sensitivity by fixture: `fixtures/priority/NAME.txt` (criteria
//! with weights, items with their scores, the top N) → `NAME.expected.txt`
//! (`waymark_core::priority::report`). Regenerate with `UPDATE_EXPECT=1
//! cargo test -p waymark-core --test priority` and review the diff.
//!
//! The input's lines: `criterion NAME = WEIGHT`, `item LABEL | S1 S2 …` (one
//! score per criterion in order, `-` for none), `top N`; `#` starts a comment.

mod common;

use common::{expect, fixtures, read};
use waymark_core::priority::{self, Criterion, Item, Score, Scoring, Weight};

fn parse(text: &str) -> (Scoring, usize) {
    let mut scoring = Scoring::default();
    let mut top = 3;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("criterion ") {
            let (name, weight) = rest.rsplit_once('=').unwrap_or_else(|| panic!("{line}"));
            scoring.criteria.push(Criterion {
                name: name.trim().to_string(),
                weight: weight
                    .parse::<Weight>()
                    .unwrap_or_else(|e| panic!("{line}: {e}")),
            });
        } else if let Some(rest) = line.strip_prefix("item ") {
            let (label, scores) = rest.rsplit_once('|').unwrap_or_else(|| panic!("{line}"));
            let scores = scores
                .split_whitespace()
                .map(|s| {
                    (s != "-").then(|| s.parse::<Score>().unwrap_or_else(|e| panic!("{line}: {e}")))
                })
                .collect();
            scoring.items.push(Item {
                label: label.trim().to_string(),
                scores,
            });
        } else if let Some(n) = line.strip_prefix("top ") {
            top = n.trim().parse().unwrap_or_else(|e| panic!("{line}: {e}"));
        } else {
            panic!("unreadable fixture line: {line}");
        }
    }
    (scoring, top)
}

#[test]
fn rankings_and_sensitivities_match_their_expected_files() {
    let dir = fixtures().join("priority");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "txt")
                && !p.to_string_lossy().ends_with(".expected.txt")
        })
        .collect();
    names.sort();
    assert!(names.len() >= 4, "{names:?}");
    for path in names {
        let (scoring, top) = parse(&read(&path));
        let ranking = priority::rank(&scoring);
        let sens = priority::sensitivity(&scoring, &ranking, top);
        let report = priority::report(&scoring, &ranking, &sens, top);
        expect(&path.with_extension("expected.txt"), &report);
    }
}

/// The example's figures worked by hand: ISA 30·5 + 25·5 + 20·4 + 15·3 +
/// 10·4 = 440 of 100, e-CAF 435, Child Concern Pathway 410; the swap of ISA
/// and e-CAF on Cost: without it ISA has 395 and e-CAF 375, so
/// 395 + 3x = 375 + 4x at x = 20.
#[test]
fn the_example_is_what_the_formula_gives() {
    let (scoring, top) = parse(&read(&fixtures().join("priority/example.txt")));
    let ranking = priority::rank(&scoring);
    let points: Vec<u64> = ranking.ranked.iter().map(|r| r.score.points).collect();
    assert_eq!(points[..3], [440, 435, 410]);
    assert_eq!(ranking.ranked[0].score.display(), "4.40");
    let sens = priority::sensitivity(&scoring, &ranking, top);
    let cost = &sens[3];
    assert_eq!(
        cost.swap,
        priority::Swap::At {
            weight: "20".into(),
            below: 0,
            above: 1
        }
    );
    // Every item appears: ranked or apart.
    assert_eq!(
        ranking.ranked.len() + ranking.unranked.len(),
        scoring.items.len()
    );
}
