//! Quarters (`Q4 2006`) and the plan's quarter convention.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::{Date, ParseValueError};

/// A quarter of a year as the plan writes it. Ordering is chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    year: i32,
    q: u8,
}

impl Quarter {
    pub fn new(year: i32, q: u8) -> Result<Self, ParseValueError> {
        if (1..=4).contains(&q) && (1900..=2999).contains(&year) {
            Ok(Quarter { year, q })
        } else {
            Err(ParseValueError::new(
                "quarter",
                &format!("Q{q} {year}"),
                "a quarter such as Q4 2006 (Q1 to Q4, year 1900 to 2999)",
            ))
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn q(self) -> u8 {
        self.q
    }

    /// Quarters since year 0, for axis positions.
    pub fn index(self) -> i32 {
        self.year * 4 + i32::from(self.q) - 1
    }

    pub fn from_index(index: i32) -> Self {
        Quarter {
            year: index.div_euclid(4),
            q: (index.rem_euclid(4) + 1) as u8,
        }
    }

    pub fn next(self) -> Self {
        Quarter::from_index(self.index() + 1)
    }

    /// The last day of the quarter. Under the financial-year convention `Q1 2007`
    /// is April–June 2007 and `Q4 2007` is January–March 2008.
    pub fn end_date(self, convention: QuarterConvention) -> Date {
        let (year, end_month) = match convention {
            QuarterConvention::Calendar => (self.year, self.q * 3),
            QuarterConvention::Financial => {
                if self.q == 4 {
                    (self.year + 1, 3)
                } else {
                    (self.year, self.q * 3 + 3)
                }
            }
        };
        let month = time::Month::try_from(end_month).unwrap_or(time::Month::December);
        let day = month.length(year);
        let date = time::Date::from_calendar_date(year, month, day).unwrap_or(time::Date::MIN);
        Date::from_calendar(date)
    }

    /// The quarter a date falls in under the convention.
    pub fn containing(date: Date, convention: QuarterConvention) -> Self {
        let d = date.get();
        let month = u8::from(d.month());
        match convention {
            QuarterConvention::Calendar => Quarter {
                year: d.year(),
                q: (month - 1) / 3 + 1,
            },
            QuarterConvention::Financial => {
                if month <= 3 {
                    Quarter {
                        year: d.year() - 1,
                        q: 4,
                    }
                } else {
                    Quarter {
                        year: d.year(),
                        q: (month - 4) / 3 + 1,
                    }
                }
            }
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Q{} {}", self.q, self.year)
    }
}

impl FromStr for Quarter {
    type Err = ParseValueError;

    /// Accepts `Q4 2006`, `q4 2006`, `Q4-2006`, `Q4/2006`, `2006 Q4` and `2006-Q4`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ParseValueError::new("quarter", s, "a quarter such as Q4 2006");
        let mut parts = s
            .split(|c: char| c.is_whitespace() || matches!(c, '-' | '/' | '_'))
            .filter(|p| !p.is_empty());
        match (parts.next(), parts.next(), parts.next()) {
            (Some(a), Some(b), None) => {
                let (year, q) = year_and_quarter(a, b).ok_or_else(bad)?;
                Quarter::new(year, q)
            }
            _ => Err(bad()),
        }
    }
}

impl Quarter {
    /// `("Q4", "2006")` or `("2006", "Q4")`; no allocation, as delivery cells
    /// are parsed on every list read.
    pub fn from_parts(a: &str, b: &str) -> Option<Quarter> {
        year_and_quarter(a, b).and_then(|(year, q)| Quarter::new(year, q).ok())
    }
}

/// The numbers in `("Q4", "2006")` or `("2006", "Q4")`, not yet range-checked.
fn year_and_quarter(a: &str, b: &str) -> Option<(i32, u8)> {
    let (qpart, ypart) = if a.starts_with(['Q', 'q']) {
        (a, b)
    } else if b.starts_with(['Q', 'q']) {
        (b, a)
    } else {
        return None;
    };
    let q: u8 = qpart[1..].parse().ok()?;
    if ypart.len() != 4 {
        return None;
    }
    let year: i32 = ypart.parse().ok()?;
    Some((year, q))
}

impl Serialize for Quarter {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Quarter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Whether `Q1` means January–March (calendar) or April–June (financial year
/// starting in April, as UK councils budget).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuarterConvention {
    #[default]
    Calendar,
    Financial,
}

impl QuarterConvention {
    pub fn as_str(self) -> &'static str {
        match self {
            QuarterConvention::Calendar => "calendar",
            QuarterConvention::Financial => "financial",
        }
    }
}

impl FromStr for QuarterConvention {
    type Err = ParseValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "calendar" => Ok(QuarterConvention::Calendar),
            "financial" | "financial_year" | "financial year" => Ok(QuarterConvention::Financial),
            _ => Err(ParseValueError::new(
                "quarter convention",
                s,
                "calendar or financial",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spellings_plans_use() {
        for s in [
            "Q4 2006", "q4 2006", "Q4-2006", "Q4/2006", "2006 Q4", "2006-Q4",
        ] {
            assert_eq!(
                s.parse::<Quarter>().map(|q| q.to_string()),
                Ok("Q4 2006".into()),
                "{s}"
            );
        }
        assert!("Q5 2006".parse::<Quarter>().is_err());
        assert!("Q4 06".parse::<Quarter>().is_err());
        assert!("soon".parse::<Quarter>().is_err());
    }

    #[test]
    fn end_dates_follow_the_convention() {
        let q: Quarter = "Q4 2006".parse().unwrap_or(Quarter { year: 0, q: 1 });
        assert_eq!(
            q.end_date(QuarterConvention::Calendar).to_string(),
            "2006-12-31"
        );
        assert_eq!(
            q.end_date(QuarterConvention::Financial).to_string(),
            "2007-03-31"
        );
        let q1: Quarter = "Q1 2007".parse().unwrap_or(Quarter { year: 0, q: 1 });
        assert_eq!(
            q1.end_date(QuarterConvention::Financial).to_string(),
            "2007-06-30"
        );
        let d: Date = "2007-02-10"
            .parse()
            .unwrap_or(q.end_date(QuarterConvention::Calendar));
        assert_eq!(
            Quarter::containing(d, QuarterConvention::Financial).to_string(),
            "Q4 2006"
        );
        assert_eq!(
            Quarter::containing(d, QuarterConvention::Calendar).to_string(),
            "Q1 2007"
        );
    }
}

/// A run of quarters, first to last inclusive: what a timeline draws to scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuarterRange {
    pub first: Quarter,
    pub last: Quarter,
}

impl QuarterRange {
    /// Widest range a chart draws to scale (20 years); beyond it a chart is
    /// wider than anyone scrolls.
    pub const MAX_QUARTERS: i32 = 80;
    /// Widest range chosen without being asked (10 years).
    pub const DEFAULT_MAX_QUARTERS: i32 = 40;

    /// `first..=last`, refused when reversed or wider than [`Self::MAX_QUARTERS`].
    pub fn new(first: Quarter, last: Quarter) -> Result<Self, String> {
        if last < first {
            return Err(format!("{last} is before {first}"));
        }
        let range = QuarterRange { first, last };
        if range.len() > Self::MAX_QUARTERS {
            return Err(format!(
                "{first} to {last} is {} years; show at most {} years at once",
                (range.len() + 3) / 4,
                Self::MAX_QUARTERS / 4
            ));
        }
        Ok(range)
    }

    pub fn len(self) -> i32 {
        self.last.index() - self.first.index() + 1
    }

    pub fn is_empty(self) -> bool {
        false
    }

    pub fn contains(self, q: Quarter) -> bool {
        self.first <= q && q <= self.last
    }

    /// The range a plan's timeline opens on. The years the plan's period names
    /// (`2006–2009`) when most delivery quarters fall in them; otherwise the
    /// run of quarters around the median with no gap over two years: outliers
    /// (a `Q1 1900` typed by mistake) stay out,
    /// so one wrong date cannot stretch the chart over centuries. Whole years,
    /// at most [`Self::DEFAULT_MAX_QUARTERS`] long. `None` without quarters.
    pub fn focus(period: &str, quarters: &[Quarter]) -> Option<QuarterRange> {
        let mut sorted = quarters.to_vec();
        sorted.sort_unstable();
        sorted.first()?;
        let from_period = period_years(period).and_then(|(a, b)| {
            let range = QuarterRange {
                first: Quarter::new(a, 1).ok()?,
                last: Quarter::new(b, 4).ok()?,
            };
            let inside = sorted.iter().filter(|q| range.contains(**q)).count();
            (inside * 2 >= sorted.len()).then_some(range)
        });
        let range = from_period.unwrap_or_else(|| {
            // Out from the median while quarters follow each other within two
            // years: a lone `Q1 1900` or `Q4 2999` is left out.
            const GAP: i32 = 8;
            let middle = sorted.len() / 2;
            let mut lo = middle;
            while lo > 0 && sorted[lo].index() - sorted[lo - 1].index() <= GAP {
                lo -= 1;
            }
            let mut hi = middle;
            while hi + 1 < sorted.len() && sorted[hi + 1].index() - sorted[hi].index() <= GAP {
                hi += 1;
            }
            let (first, last) = (sorted[lo], sorted[hi]);
            QuarterRange {
                first: Quarter::from_index(first.index() - first.index().rem_euclid(4)),
                last: Quarter::from_index(last.index() + 3 - last.index().rem_euclid(4)),
            }
        });
        if range.len() > Self::DEFAULT_MAX_QUARTERS {
            return Some(QuarterRange {
                first: range.first,
                last: Quarter::from_index(range.first.index() + Self::DEFAULT_MAX_QUARTERS - 1),
            });
        }
        Some(range)
    }
}

/// The first and last four-digit years (1900–2999) a period names: `2006–2009`,
/// `April 2006 to March 2009`, `2006/07 - 2008/09` (the last gives 2006, 2008).
fn period_years(period: &str) -> Option<(i32, i32)> {
    let years: Vec<i32> = period
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4)
        .filter_map(|w| w.parse().ok())
        .filter(|y| (1900..=2999).contains(y))
        .collect();
    let (first, last) = (years.iter().min()?, years.iter().max()?);
    Some((*first, *last))
}

#[cfg(test)]
mod range_tests {
    use super::*;

    fn q(s: &str) -> Quarter {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    fn qs(list: &[&str]) -> Vec<Quarter> {
        list.iter().map(|s| q(s)).collect()
    }

    #[test]
    fn the_period_names_the_range_when_the_quarters_agree() {
        let quarters = qs(&["Q4 2006", "Q2 2007", "Q1 2008", "Q1 1900"]);
        assert_eq!(
            QuarterRange::focus("2006–2009", &quarters),
            Some(QuarterRange {
                first: q("Q1 2006"),
                last: q("Q4 2009")
            })
        );
        // A period the quarters do not fall in is not trusted.
        let range = QuarterRange::focus("1990-1991", &quarters);
        assert_eq!(range.map(|r| r.first), Some(q("Q1 2006")));
    }

    #[test]
    fn outliers_do_not_stretch_the_range() {
        let mut quarters = qs(&["Q1 1900", "Q4 2999"]);
        for _ in 0..30 {
            quarters.extend(qs(&["Q4 2006", "Q1 2007", "Q3 2007", "Q2 2008"]));
        }
        assert_eq!(
            QuarterRange::focus("", &quarters),
            Some(QuarterRange {
                first: q("Q1 2006"),
                last: q("Q4 2008")
            })
        );
    }

    #[test]
    fn a_long_plan_opens_on_its_first_ten_years() {
        let quarters: Vec<Quarter> = (2000..2030)
            .filter_map(|y| Quarter::new(y, 2).ok())
            .collect();
        let range = QuarterRange::focus("", &quarters);
        assert_eq!(
            range.map(|r| (r.first, r.len())),
            Some((q("Q1 2000"), QuarterRange::DEFAULT_MAX_QUARTERS))
        );
        assert_eq!(QuarterRange::focus("", &[]), None);
    }

    #[test]
    fn chosen_ranges_are_checked() {
        assert!(QuarterRange::new(q("Q1 2007"), q("Q4 2006")).is_err());
        assert!(QuarterRange::new(q("Q1 1900"), q("Q4 2999")).is_err());
        assert_eq!(
            QuarterRange::new(q("Q1 2006"), q("Q4 2006")).map(|r| r.len()),
            Ok(4)
        );
    }

    #[test]
    fn period_years() {
        assert_eq!(super::period_years("2006/07 - 2008/09"), Some((2006, 2008)));
        assert_eq!(
            super::period_years("April 2006 to March 2009"),
            Some((2006, 2009))
        );
        assert_eq!(super::period_years("three years"), None);
    }
}
