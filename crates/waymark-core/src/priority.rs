//! Priorities that reflect business need: the strategy group's criteria with
//! weights, items (work packages and programmes) scored 1–5 on each, the
//! ranking by weighted score, and how the ranking moves when one weight moves
//! (sensitivity).
//!
//! **Weighted score.** An item scored on every criterion has the weighted
//! mean of its scores, `Σ wᵢ·sᵢ / Σ wᵢ` over all criteria: a number from 1
//! to 5 whatever the weights' scale. Weights are whole numbers from 1 to 100
//! ([`limits::CRITERION_WEIGHTS`]); only their ratios matter. Every ranked
//! item shares the denominator, so the ranking compares the whole numbers
//! `Σ wᵢ·sᵢ` (exact: a tie is a tie, never a rounding).
//!
//! **Missing scores.** An item missing a score on any criterion is not ranked:
//! it is listed apart, after the ranked ones, with the criteria it lacks and
//! its weighted mean over the criteria it has (a partial score, never mixed
//! with the ranked ones). No item is ever left out.
//!
//! **Ties** share a rank (competition ranking: 1, 2, 2, 4) and are marked.
//!
//! **Sensitivity**, for each criterion's weight with the others fixed, over
//! the ranked items: the whole weights (within the allowed range) over which
//! the top N — the items ranked N or better, with their ranks — stays the
//! same; which items change rank when the weight moves by −25 %, −10 %, +10 %
//! and +25 % (a what-if: the moved weight may be a fraction or leave the
//! allowed range); and the weight at which the top two swap places — where
//! their weighted scores are equal — or "never" when that is outside the
//! allowed range (or their scores on this criterion are equal, so the weight
//! cannot part them).

use std::fmt::Write as _;

use crate::limits::{self, LimitError};

/// A criterion's weight: a whole number in [`limits::CRITERION_WEIGHTS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Weight(u32);

impl Weight {
    pub fn new(value: i64) -> Result<Weight, LimitError> {
        let range = &limits::CRITERION_WEIGHTS;
        match u32::try_from(value) {
            Ok(v) if range.contains(&v) => Ok(Weight(v)),
            _ => Err(LimitError {
                field: "weight",
                message: format!(
                    "The weight must be a whole number from {} to {}",
                    range.start(),
                    range.end()
                ),
            }),
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl std::str::FromStr for Weight {
    type Err = LimitError;
    fn from_str(s: &str) -> Result<Weight, LimitError> {
        Weight::new(s.trim().parse::<i64>().unwrap_or(-1))
    }
}

impl std::fmt::Display for Weight {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A score on one criterion: a whole number in [`limits::PRIORITY_SCORES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score(u8);

impl Score {
    pub fn new(value: i64) -> Result<Score, LimitError> {
        let range = &limits::PRIORITY_SCORES;
        match u8::try_from(value) {
            Ok(v) if range.contains(&v) => Ok(Score(v)),
            _ => Err(LimitError {
                field: "score",
                message: format!(
                    "The score must be a whole number from {} to {}",
                    range.start(),
                    range.end()
                ),
            }),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl std::str::FromStr for Score {
    type Err = LimitError;
    fn from_str(s: &str) -> Result<Score, LimitError> {
        Score::new(s.trim().parse::<i64>().unwrap_or(-1))
    }
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A criterion as the ranking needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    pub name: String,
    pub weight: Weight,
}

/// An item to rank (a work package or a programme) with its score on each
/// criterion, in the criteria's order (`None`: not scored).
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub label: String,
    pub scores: Vec<Option<Score>>,
}

/// What is ranked: the criteria and the items, in the order ties are listed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scoring {
    pub criteria: Vec<Criterion>,
    pub items: Vec<Item>,
}

/// A weighted mean kept exact: `points / weight`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weighted {
    /// `Σ wᵢ·sᵢ` over the criteria counted.
    pub points: u64,
    /// `Σ wᵢ` over the same criteria (0: none).
    pub weight: u64,
}

impl Weighted {
    /// The mean as a number (0 when nothing was counted).
    pub fn value(self) -> f64 {
        if self.weight == 0 {
            0.0
        } else {
            self.points as f64 / self.weight as f64
        }
    }

    /// Two decimals, rounded half up ("3.45"); "none" when nothing was counted.
    pub fn display(self) -> String {
        if self.weight == 0 {
            return "none".into();
        }
        hundredths(u128::from(self.points), u128::from(self.weight))
    }
}

/// `num / den` (den > 0) to two decimals, half up.
fn hundredths(num: u128, den: u128) -> String {
    let h = (num * 200 + den) / (2 * den);
    format!("{}.{:02}", h / 100, h % 100)
}

/// A ranked item.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// Its index in [`Scoring::items`].
    pub item: usize,
    /// 1 for the highest; tied items share the rank.
    pub rank: usize,
    /// Whether another item has the same weighted score.
    pub tied: bool,
    pub score: Weighted,
}

/// An item not ranked because scores are missing.
#[derive(Debug, Clone, PartialEq)]
pub struct Unranked {
    pub item: usize,
    /// The criteria it has no score on (indexes in [`Scoring::criteria`]).
    pub missing: Vec<usize>,
    /// Its weighted mean over the criteria it has.
    pub partial: Weighted,
}

/// The ranking: every item, ranked or listed apart.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ranking {
    /// Highest first; ties in the items' order.
    pub ranked: Vec<Ranked>,
    /// In the items' order.
    pub unranked: Vec<Unranked>,
}

/// Ranks the items by weighted score (see the module's documentation). With
/// no criteria nothing can be ranked: every item is listed apart.
pub fn rank(scoring: &Scoring) -> Ranking {
    let mut out = Ranking::default();
    let mut complete = Vec::new();
    for (i, item) in scoring.items.iter().enumerate() {
        let mut missing = Vec::new();
        let mut partial = Weighted {
            points: 0,
            weight: 0,
        };
        for (c, criterion) in scoring.criteria.iter().enumerate() {
            let w = u64::from(criterion.weight.get());
            match item.scores.get(c).copied().flatten() {
                Some(s) => {
                    partial.points += w * u64::from(s.get());
                    partial.weight += w;
                }
                None => missing.push(c),
            }
        }
        if missing.is_empty() && !scoring.criteria.is_empty() {
            complete.push((i, partial));
        } else {
            out.unranked.push(Unranked {
                item: i,
                missing,
                partial,
            });
        }
    }
    let ranks = competition(
        &complete
            .iter()
            .map(|(i, w)| (*i, u128::from(w.points)))
            .collect::<Vec<_>>(),
    );
    out.ranked = ranks
        .into_iter()
        .map(|(i, rank, tied)| Ranked {
            item: i,
            rank,
            tied,
            score: complete
                .iter()
                .find(|(j, _)| *j == i)
                .map(|(_, w)| *w)
                .unwrap_or(Weighted {
                    points: 0,
                    weight: 0,
                }),
        })
        .collect();
    out
}

/// Competition ranking of `(item, points)`: highest points first, equal
/// points in the items' order sharing a rank. Answers `(item, rank, tied)`.
fn competition(points: &[(usize, u128)]) -> Vec<(usize, usize, bool)> {
    let mut order: Vec<(usize, u128)> = points.to_vec();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = Vec::with_capacity(order.len());
    for (item, p) in &order {
        let rank = order.iter().take_while(|(_, q)| q > p).count() + 1;
        let tied = order.iter().filter(|(_, q)| q == p).count() > 1;
        out.push((*item, rank, tied));
    }
    out
}

/// How one criterion's weight moves the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// Index in [`Scoring::criteria`].
    pub criterion: usize,
    pub weight: Weight,
    /// The whole weights, lowest and highest, over which the top N stays
    /// the same (the current weight is within them).
    pub stable: (u32, u32),
    /// −25 %, −10 %, +10 %, +25 %.
    pub moves: Vec<Move>,
    pub swap: Swap,
}

/// The ranking with one weight moved by a percentage.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    /// −25, −10, 10 or 25.
    pub percent: i32,
    /// The moved weight, two decimals at most ("22.5").
    pub weight: String,
    /// The items whose rank changes, in the current ranking's order.
    pub changes: Vec<RankChange>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RankChange {
    pub item: usize,
    pub from: usize,
    pub to: usize,
}

/// Where the top two swap as one weight moves.
#[derive(Debug, Clone, PartialEq)]
pub enum Swap {
    /// Fewer than two items are ranked.
    NoPair,
    /// Not within the allowed weights: `first` stays ahead of (or level
    /// with) `second` over the whole range.
    Never { first: usize, second: usize },
    /// At `weight` (two decimals) their weighted scores are equal; below it
    /// `below` leads, above it `above`.
    At {
        weight: String,
        below: usize,
        above: usize,
    },
}

/// The percentages [`Move`]s are worked out for.
pub const MOVES: [i32; 4] = [-25, -10, 10, 25];

/// The sensitivity of the ranking to each weight; `top` is N (at least 1).
pub fn sensitivity(scoring: &Scoring, ranking: &Ranking, top: usize) -> Vec<Sensitivity> {
    let top = top.max(1);
    let ranked: Vec<usize> = ranking.ranked.iter().map(|r| r.item).collect();
    let score = |item: usize, c: usize| -> u128 {
        scoring.items[item]
            .scores
            .get(c)
            .copied()
            .flatten()
            .map_or(0, |s| u128::from(s.get()))
    };
    let current: Vec<(usize, usize)> = ranking.ranked.iter().map(|r| (r.item, r.rank)).collect();
    let top_of = |ranks: &[(usize, usize, bool)]| -> Vec<(usize, usize)> {
        let mut t: Vec<(usize, usize)> = ranks
            .iter()
            .filter(|(_, r, _)| *r <= top)
            .map(|(i, r, _)| (*i, *r))
            .collect();
        t.sort_unstable();
        t
    };
    let mut out = Vec::new();
    for (k, criterion) in scoring.criteria.iter().enumerate() {
        let w = criterion.weight.get();
        // Each ranked item's points without criterion k: A_j = Σ_{i≠k} wᵢ·sᵢⱼ.
        let rest: Vec<(usize, u128)> = ranked
            .iter()
            .map(|&j| {
                let a = scoring
                    .criteria
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != k)
                    .map(|(i, c)| u128::from(c.weight.get()) * score(j, i))
                    .sum();
                (j, a)
            })
            .collect();
        // Points with weight x/scale on k, all multiplied by `scale`.
        let at = |x: u128, scale: u128| -> Vec<(usize, usize, bool)> {
            competition(
                &rest
                    .iter()
                    .map(|&(j, a)| (j, a * scale + x * score(j, k)))
                    .collect::<Vec<_>>(),
            )
        };
        let now = top_of(&at(u128::from(w), 1));
        let same = |x: u32| top_of(&at(u128::from(x), 1)) == now;
        let (lo_end, hi_end) = (
            *limits::CRITERION_WEIGHTS.start(),
            *limits::CRITERION_WEIGHTS.end(),
        );
        let mut lo = w;
        while lo > lo_end && same(lo - 1) {
            lo -= 1;
        }
        let mut hi = w;
        while hi < hi_end && same(hi + 1) {
            hi += 1;
        }
        let moves = MOVES
            .iter()
            .map(|&p| {
                let x = u128::from(w) * (100 + p) as u128;
                let after = at(x, 100);
                let changes = current
                    .iter()
                    .filter_map(|&(item, from)| {
                        let to = after.iter().find(|(i, _, _)| *i == item)?.1;
                        (to != from).then_some(RankChange { item, from, to })
                    })
                    .collect();
                Move {
                    percent: p,
                    weight: trimmed(hundredths(x, 100)),
                    changes,
                }
            })
            .collect();
        let swap = match (ranked.first(), ranked.get(1)) {
            (Some(&first), Some(&second)) => {
                let a1 = rest.iter().find(|(j, _)| *j == first).map_or(0, |r| r.1) as i128;
                let a2 = rest.iter().find(|(j, _)| *j == second).map_or(0, |r| r.1) as i128;
                let (s1, s2) = (score(first, k) as i128, score(second, k) as i128);
                // a1 + x·s1 = a2 + x·s2  ⇔  x = (a1 − a2) / (s2 − s1).
                let (mut num, mut den) = (a1 - a2, s2 - s1);
                if den < 0 {
                    num = -num;
                    den = -den;
                }
                let within =
                    den != 0 && num >= den * i128::from(lo_end) && num <= den * i128::from(hi_end);
                if within {
                    // Above the crossing the one with the higher score on k leads.
                    let (below, above) = if s1 > s2 {
                        (second, first)
                    } else {
                        (first, second)
                    };
                    Swap::At {
                        weight: trimmed(hundredths(num as u128, den as u128)),
                        below,
                        above,
                    }
                } else {
                    Swap::Never { first, second }
                }
            }
            _ => Swap::NoPair,
        };
        out.push(Sensitivity {
            criterion: k,
            weight: criterion.weight,
            stable: (lo, hi),
            moves,
            swap,
        });
    }
    out
}

/// "22.50" → "22.5", "27.00" → "27".
fn trimmed(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A rank as people read it: "1", or "=2" for a shared one.
pub fn rank_label(rank: usize, tied: bool) -> String {
    if tied {
        format!("={rank}")
    } else {
        rank.to_string()
    }
}

/// The ranking and its sensitivity as text (what `waymark priority rank`
/// prints and the fixtures hold).
pub fn report(scoring: &Scoring, ranking: &Ranking, sens: &[Sensitivity], top: usize) -> String {
    let label = |i: usize| scoring.items[i].label.as_str();
    let crit = |c: usize| scoring.criteria[c].name.as_str();
    let mut out = String::new();
    let total: u64 = scoring
        .criteria
        .iter()
        .map(|c| u64::from(c.weight.get()))
        .sum();
    let _ = writeln!(out, "Criteria (weights total {total}):");
    for c in &scoring.criteria {
        let _ = writeln!(out, "  {} — weight {}", c.name, c.weight);
    }
    let _ = writeln!(
        out,
        "Ranked ({} of {} items):",
        ranking.ranked.len(),
        scoring.items.len()
    );
    for r in &ranking.ranked {
        let _ = writeln!(
            out,
            "  {:>4}  {}  {}{}",
            rank_label(r.rank, r.tied),
            r.score.display(),
            label(r.item),
            if r.tied { " (tied)" } else { "" }
        );
    }
    if !ranking.unranked.is_empty() {
        let _ = writeln!(
            out,
            "Not ranked, scores missing ({}):",
            ranking.unranked.len()
        );
        for u in &ranking.unranked {
            let missing: Vec<&str> = u.missing.iter().map(|&c| crit(c)).collect();
            let _ = writeln!(
                out,
                "  {} — missing {}; {} on the criteria it has",
                label(u.item),
                if missing.is_empty() {
                    "criteria (none defined)".to_string()
                } else {
                    missing.join(", ")
                },
                u.partial.display()
            );
        }
    }
    if ranking.ranked.is_empty() {
        let _ = writeln!(out, "Sensitivity: nothing is ranked yet.");
        return out;
    }
    let _ = writeln!(out, "Sensitivity (top {top}):");
    for s in sens {
        let _ = writeln!(out, "  {} (weight {}):", crit(s.criterion), s.weight);
        let _ = writeln!(
            out,
            "    top {top} the same for weights {} to {}",
            s.stable.0, s.stable.1
        );
        for m in &s.moves {
            let changes = if m.changes.is_empty() {
                "no rank changes".to_string()
            } else {
                m.changes
                    .iter()
                    .map(|c| format!("{} {} → {}", label(c.item), c.from, c.to))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let _ = writeln!(out, "    {:+}% (weight {}): {changes}", m.percent, m.weight);
        }
        let swap = match &s.swap {
            Swap::NoPair => "fewer than two items ranked".to_string(),
            Swap::Never { first, second } => format!(
                "never within {} to {} ({} stays ahead of or level with {})",
                limits::CRITERION_WEIGHTS.start(),
                limits::CRITERION_WEIGHTS.end(),
                label(*first),
                label(*second)
            ),
            Swap::At {
                weight,
                below,
                above,
            } => format!(
                "at weight {weight} ({} leads below it, {} above it)",
                label(*below),
                label(*above)
            ),
        };
        let _ = writeln!(out, "    top two swap: {swap}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(v: i64) -> Weight {
        Weight::new(v).unwrap_or_else(|e| panic!("{e}"))
    }
    fn s(v: i64) -> Option<Score> {
        Some(Score::new(v).unwrap_or_else(|e| panic!("{e}")))
    }

    #[test]
    fn weights_and_scores_are_whole_numbers_in_range() {
        assert!(Weight::new(0).is_err());
        assert!(Weight::new(101).is_err());
        assert_eq!("  7 ".parse::<Weight>().map(Weight::get), Ok(7));
        assert!("2.5".parse::<Weight>().is_err());
        assert_eq!("6".parse::<Score>().map_err(|e| e.field), Err("score"));
        assert!(Score::new(0).is_err());
        assert_eq!(Score::new(5).map(Score::get), Ok(5));
    }

    #[test]
    fn ties_share_a_rank_and_the_next_rank_skips() {
        let scoring = Scoring {
            criteria: vec![Criterion {
                name: "c".into(),
                weight: w(10),
            }],
            items: ["a", "b", "c", "d"]
                .iter()
                .zip([4, 5, 4, 1])
                .map(|(l, v)| Item {
                    label: l.to_string(),
                    scores: vec![s(v)],
                })
                .collect(),
        };
        let r = rank(&scoring);
        let got: Vec<(usize, usize, bool)> =
            r.ranked.iter().map(|x| (x.item, x.rank, x.tied)).collect();
        assert_eq!(
            got,
            [(1, 1, false), (0, 2, true), (2, 2, true), (3, 4, false)]
        );
    }

    #[test]
    fn display_rounds_half_up() {
        let x = Weighted {
            points: 345,
            weight: 100,
        };
        assert_eq!(x.display(), "3.45");
        assert_eq!(
            Weighted {
                points: 10,
                weight: 3
            }
            .display(),
            "3.33"
        );
        assert_eq!(
            Weighted {
                points: 0,
                weight: 0
            }
            .display(),
            "none"
        );
    }
}
