//! The work-package lifecycle by fixture: `fixtures/lifecycle/moves.txt`
//! (moves asked for) gives `moves.expected.txt` (what the table answers).
//! Regenerate with `UPDATE_EXPECT=1 cargo test -p waymark-core --test lifecycle`
//! and review the diff.

mod common;

use common::{expect, fixtures, read};
use waymark_core::Status;
use waymark_core::lifecycle;

fn answer(line: &str) -> String {
    let Some((from, to)) = line.split_once("->") else {
        return format!("{line}: not a move");
    };
    let (from, to) = (from.trim(), to.trim());
    let parsed = (from.parse::<Status>(), to.parse::<Status>());
    let (Ok(from_status), Ok(to_status)) = parsed else {
        return format!("{from} -> {to}: not a status");
    };
    let verdict = match lifecycle::check(from_status, to_status) {
        Ok(None) => "allowed".to_string(),
        Ok(Some(action)) => format!("allowed with {action}"),
        Err(e) => format!("refused: {e}"),
    };
    format!("{from} -> {to}: {verdict}")
}

#[test]
fn the_transition_table_answers_each_move() {
    let dir = fixtures().join("lifecycle");
    let input = read(&dir.join("moves.txt"));
    let mut out = String::new();
    for line in input.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        out.push_str(&answer(line));
        out.push('\n');
    }
    out.push_str("\nallowed from each status:\n");
    for status in Status::ALL {
        let to: Vec<&str> = lifecycle::allowed_from(status)
            .iter()
            .map(|s| s.as_str())
            .collect();
        out.push_str(&format!("{}: {}\n", status.as_str(), to.join(", ")));
    }
    expect(&dir.join("moves.expected.txt"), &out);
}

#[test]
fn every_status_is_reachable_from_proposed() {
    let mut seen = vec![Status::Proposed];
    let mut i = 0;
    while i < seen.len() {
        for to in lifecycle::allowed_from(seen[i]) {
            if !seen.contains(&to) {
                seen.push(to);
            }
        }
        i += 1;
    }
    for status in Status::ALL {
        assert!(seen.contains(&status), "{status:?} cannot be reached");
    }
}
