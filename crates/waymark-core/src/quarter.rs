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
