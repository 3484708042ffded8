//! Dates as plans write them: a delivery cell (`Q4 2007`, `March 2027`,
//! `31/03/2027`, `Q1 2026/27`, an Excel serial …) read into quarters of the
//! plan's convention, and an actual-delivery cell read into a day.
//!
//! Pure functions over text. What the reader chose where the text allowed
//! more than one reading (a year alone, a serial number, a day order) comes
//! back as a note for the builder to report at the cell; nothing is guessed
//! silently.

use time::Month;

use crate::model::{Date, DeliveryTarget};
use crate::quarter::{Quarter, QuarterConvention};

/// Which of two numbers comes first in a numeric date (`03/04/2026`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DayOrder {
    /// `31/03/2027`: the UK's order, and the default.
    DayFirst,
    /// `03/31/2027`: a file whose dates can only be read month first.
    MonthFirst,
}

/// A file's day order, decided once from all its date cells before any is
/// read: month first only when some date can only be month first
/// (`04/13/2026`) and none can only be day first.
#[derive(Debug, Clone, Default)]
pub(crate) struct FileDays {
    /// The first date that can only be day first (`31/03/2027`).
    day_first: Option<String>,
    /// The first date that can only be month first (`04/13/2026`).
    month_first: Option<String>,
}

impl FileDays {
    /// Look at the numeric dates in `texts` (every delivery and
    /// actual-delivery cell of a file).
    pub fn scan<'a>(texts: impl IntoIterator<Item = &'a str>) -> FileDays {
        let mut days = FileDays::default();
        for text in texts {
            for token in text.split_whitespace() {
                let token = trim_token(token);
                let Some((a, b, _)) = numeric_date(token) else {
                    continue;
                };
                if a > 12 && b <= 12 && days.day_first.is_none() {
                    days.day_first = Some(token.to_string());
                } else if b > 12 && a <= 12 && days.month_first.is_none() {
                    days.month_first = Some(token.to_string());
                }
            }
        }
        days
    }

    pub fn order(&self) -> DayOrder {
        match (&self.day_first, &self.month_first) {
            (None, Some(_)) => DayOrder::MonthFirst,
            _ => DayOrder::DayFirst,
        }
    }

    /// The day and month of a numeric date's first two numbers, and what was
    /// chosen when the file says both orders (`None` when nothing was).
    fn day_month(&self, token: &str, a: u32, b: u32, year: i32) -> (u32, u32, Option<String>) {
        let order = self.order();
        let read = |day: u32, month: u32| -> String {
            let name = month_name(month).unwrap_or("?");
            format!("{day} {name} {year}")
        };
        if a > 12 || b > 12 || a == b {
            // One reading only.
            let (day, month) = if a > 12 || (a == b) { (a, b) } else { (b, a) };
            let note = match (a > 12, &self.day_first, &self.month_first) {
                (false, Some(other), Some(_)) if a != b => Some(format!(
                    "\"{token}\" can only be month first ({}); the file also has day-first dates such as \"{other}\"",
                    read(day, month)
                )),
                (true, Some(_), Some(other)) => Some(format!(
                    "\"{token}\" can only be day first ({}); the file also has month-first dates such as \"{other}\"",
                    read(day, month)
                )),
                _ => None,
            };
            return (day, month, note);
        }
        match order {
            DayOrder::DayFirst => {
                let note = self.month_first.as_ref().map(|other| {
                    format!(
                        "\"{token}\" read as {} (day first); the file also has month-first dates such as \"{other}\"",
                        read(a, b)
                    )
                });
                (a, b, note)
            }
            DayOrder::MonthFirst => {
                let other = self.month_first.as_deref().unwrap_or("");
                let note = format!(
                    "\"{token}\" read as {} (month first), as the file's dates such as \"{other}\" are month first",
                    read(b, a)
                );
                (b, a, Some(note))
            }
        }
    }
}

/// What a piece of text names, before the plan's convention turns it into a
/// quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    /// `Q4 2007`: a quarter as the plan counts them.
    Quarter(Quarter),
    /// `Q1 2026/27`: the quarter of a UK financial year (April to March)
    /// that starts in `start`; Q1 is April–June whatever the plan's
    /// convention.
    FinancialQuarter { start: i32, q: u8 },
    /// `March 2027`.
    Month { year: i32, month: Month },
    /// `31/03/2027`.
    Day(Date),
    /// `2027`.
    Year(i32),
    /// `2026/27`: April 2026 to March 2027.
    FinancialYear(i32),
}

impl When {
    /// The last day it covers, under the plan's convention.
    fn last_day(self, convention: QuarterConvention) -> Option<Date> {
        let ymd = |year: i32, month: Month| -> Option<Date> {
            time::Date::from_calendar_date(year, month, month.length(year))
                .ok()
                .map(Date::from_calendar)
        };
        match self {
            When::Quarter(q) => Some(q.end_date(convention)),
            When::FinancialQuarter { start, q } => {
                if q == 4 {
                    ymd(start.checked_add(1)?, Month::March)
                } else {
                    ymd(start, Month::try_from(q * 3 + 3).ok()?)
                }
            }
            When::Month { year, month } => ymd(year, month),
            When::Day(d) => Some(d),
            When::Year(y) => ymd(y, Month::December),
            When::FinancialYear(start) => ymd(start.checked_add(1)?, Month::March),
        }
    }

    /// The quarter of the plan's convention that holds it (its last day's).
    fn quarter(self, convention: QuarterConvention) -> Option<Quarter> {
        match self {
            When::Quarter(q) => Some(q),
            other => {
                let day = other.last_day(convention)?;
                let q = Quarter::containing(day, convention);
                // Inside Quarter's own range of years.
                Quarter::new(q.year(), q.q()).ok()
            }
        }
    }
}

/// A date found in a cell: what it names, how many tokens it took, and what
/// was chosen in reading it.
struct Found {
    when: When,
    taken: usize,
    note: Option<String>,
}

/// A delivery cell read.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Delivery {
    pub parts: Vec<DeliveryTarget>,
    /// Text that is no date, as written (words between the dates).
    pub rest: String,
    /// The whole cell is a word that says there is no date yet
    /// (`Ongoing`, `TBC`).
    pub undated: bool,
    /// Choices made in reading it, each a sentence for a warning.
    pub notes: Vec<String>,
}

/// Read a delivery cell into quarters of `convention`.
pub(crate) fn read_delivery(
    text: &str,
    convention: QuarterConvention,
    days: &FileDays,
) -> Delivery {
    let text = text.trim();
    let mut out = Delivery::default();
    if text.is_empty() {
        return out;
    }
    if is_undated(text) {
        out.undated = true;
        out.rest = text.to_string();
        return out;
    }
    if let Some((date, note)) = serial(text)
        && let Some(q) = When::Day(date).quarter(convention)
    {
        out.parts.push(DeliveryTarget {
            label: None,
            quarter: q,
        });
        out.notes.push(note);
        return out;
    }
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let mut rest: Vec<String> = Vec::new();
    let mut label: Option<String> = None;
    // Whether the token before was text: `Spring 2027` is no year alone.
    let mut after_text = false;
    let mut i = 0;
    while i < tokens.len() {
        let t = trim_token(tokens[i]);
        if let Some(l) = as_label(t) {
            if let Some(l) = label.replace(l) {
                rest.push(format!("{l})"));
            }
            after_text = false;
            i += 1;
            continue;
        }
        // Words such as `by` or `end of` before a date are part of it (a
        // few: a cell of nothing but `by by by …` stays linear).
        let fillers = tokens[i..]
            .iter()
            .take(MAX_FILLERS)
            .take_while(|t| is_filler(trim_token(t)))
            .count();
        let found = find(&tokens[i + fillers..], days).and_then(|f| {
            let alone = matches!(f.when, When::Year(_) | When::FinancialYear(_));
            if alone && after_text {
                return None;
            }
            let q = f.when.quarter(convention)?;
            Some((f, q))
        });
        after_text = found.is_none();
        match found {
            Some((f, quarter)) => {
                if let When::Year(_) | When::FinancialYear(_) = f.when {
                    let written = tokens[i + fillers..i + fillers + f.taken].join(" ");
                    out.notes.push(format!(
                        "\"{}\" names a year, not a quarter; read as its last quarter, {quarter}",
                        trim_token(&written)
                    ));
                }
                out.notes.extend(f.note);
                out.parts.push(DeliveryTarget {
                    label: label.take(),
                    quarter,
                });
                i += fillers + f.taken;
            }
            None => {
                if let Some(l) = label.take() {
                    rest.push(format!("{l})"));
                }
                rest.push(t.to_string());
                i += 1;
            }
        }
    }
    if let Some(l) = label {
        rest.push(format!("{l})"));
    }
    out.rest = rest.join(" ");
    out
}

/// Read an actual-delivery cell: one day. A month or a quarter is taken as
/// its last day, with a note saying so; a year alone, or anything else, is
/// `None`.
pub(crate) fn read_day(
    text: &str,
    convention: QuarterConvention,
    days: &FileDays,
) -> Option<(Date, Vec<String>)> {
    let text = text.trim();
    if let Some((date, note)) = serial(text) {
        return Some((date, vec![note]));
    }
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let fillers = tokens
        .iter()
        .take(MAX_FILLERS)
        .take_while(|t| is_filler(trim_token(t)))
        .count();
    let f = find(&tokens[fillers..], days)?;
    if fillers + f.taken != tokens.len() {
        return None;
    }
    let mut notes: Vec<String> = f.note.into_iter().collect();
    let day = match f.when {
        When::Day(d) => d,
        When::Year(_) | When::FinancialYear(_) => return None,
        other => {
            let d = other.last_day(convention)?;
            let what = match other {
                When::Month { .. } => "a month",
                _ => "a quarter",
            };
            notes.push(format!(
                "\"{text}\" names {what}, not a day; read as its last day, {d}"
            ));
            d
        }
    };
    Some((day, notes))
}

/// Words that say a delivery has no date (yet): kept as written.
fn is_undated(text: &str) -> bool {
    // `t.b.c.`, `N/A` and `On-going` are `tbc`, `na` and `ongoing`.
    let key: String = text
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() {
                Some(c.to_ascii_lowercase())
            } else if c.is_whitespace() {
                Some(' ')
            } else {
                None
            }
        })
        .collect();
    let key = key.split_whitespace().collect::<Vec<_>>().join(" ");
    const WORDS: &[&str] = &[
        "ongoing",
        "tbc",
        "tba",
        "tbd",
        "to be confirmed",
        "to be agreed",
        "to be decided",
        "to be determined",
        "na",
        "not applicable",
        "as required",
        "as needed",
        "as and when",
        "when required",
        "continuous",
        "continual",
        "annual",
        "annually",
        "quarterly",
        "monthly",
        "weekly",
        "business as usual",
        "bau",
        "throughout",
        "various",
        "none",
        "unknown",
        "complete",
        "completed",
        "done",
    ];
    !key.is_empty() && WORDS.contains(&key.as_str())
}

/// The most words such as `by the end of` taken before a date.
const MAX_FILLERS: usize = 4;

fn is_filler(token: &str) -> bool {
    matches!(
        token.to_ascii_lowercase().as_str(),
        "by" | "end" | "of" | "the" | "due" | "in" | "before" | "eo" | "target"
    )
}

/// A cell token without the punctuation that ends it in a list.
fn trim_token(token: &str) -> &str {
    token.trim_end_matches([',', ';'])
}

/// `a)` or `(b)`: the label of a delivery part.
fn as_label(token: &str) -> Option<String> {
    let inner = token.strip_prefix('(').unwrap_or(token).strip_suffix(')')?;
    (inner.len() <= 2
        && !inner.is_empty()
        && inner.chars().all(|c| c.is_ascii_alphanumeric())
        && !inner.starts_with(['Q', 'q']))
    .then(|| inner.to_string())
}

/// The longest date at the start of `tokens`; a day's time (`14:30`, as a
/// date-and-time cell reads) is part of it.
fn find(tokens: &[&str], days: &FileDays) -> Option<Found> {
    let mut f = find_date(tokens, days)?;
    if let When::Day(_) = f.when
        && tokens.get(f.taken).is_some_and(|t| is_time(trim_token(t)))
    {
        f.taken += 1;
    }
    Some(f)
}

/// `14:30` or `14:30:00`.
fn is_time(token: &str) -> bool {
    let p: Vec<&str> = token.split(':').collect();
    let two = |s: &str, max: u32| s.len() == 2 && number(s).is_some_and(|n| n <= max);
    match p.as_slice() {
        [h, m] => (h.len() == 1 || two(h, 23)) && number(h).is_some_and(|h| h <= 23) && two(m, 59),
        [h, m, sec] => {
            (h.len() == 1 || two(h, 23))
                && number(h).is_some_and(|h| h <= 23)
                && two(m, 59)
                && two(sec, 59)
        }
        _ => false,
    }
}

fn find_date(tokens: &[&str], days: &FileDays) -> Option<Found> {
    let t: Vec<&str> = tokens.iter().take(4).map(|t| trim_token(t)).collect();
    let at = |i: usize| t.get(i).copied();
    let found = |when: When, taken: usize| Found {
        when,
        taken,
        note: None,
    };
    let a = at(0)?;
    let b = at(1);
    let c = at(2);

    // Quarters of a financial year: `Q1 2026/27`, `Q1 FY 26/27`,
    // `2026/27 Q1`, `FY 2026-27 Q3`.
    if let Some((q, n)) = quarter_at(&t) {
        if let Some((start, taken)) = financial_year(&t[n..], true) {
            return Some(found(When::FinancialQuarter { start, q }, n + taken));
        }
        // `Q4 2007`, `Quarter 4 2007`, `Qtr 4 2007`: the plan's own quarter.
        if let Some(year) = at(n).and_then(|y| year4(y.trim_end_matches('.')))
            && let Ok(quarter) = Quarter::new(year, q)
        {
            return Some(found(When::Quarter(quarter), n + 1));
        }
    }
    if let Some((start, taken)) = financial_year(&t, true)
        && let Some((q, n)) = quarter_at(&t[taken..])
    {
        return Some(found(When::FinancialQuarter { start, q }, taken + n));
    }
    // The plan's own quarters: `Q4 2007`, `2007 Q4`, `Q4-2007`.
    if let Some(q) = b.and_then(|b| Quarter::from_parts(a, b.trim_end_matches('.'))) {
        return Some(found(When::Quarter(q), 2));
    }
    if let Ok(q) = a.trim_end_matches('.').parse::<Quarter>() {
        return Some(found(When::Quarter(q), 1));
    }
    // `31 March 2027`, `31st Mar 27`.
    if let (Some(day), Some(month), Some(year)) = (
        day_number(a),
        b.and_then(month_of),
        c.and_then(|c| year_of(c, true)),
    ) && let Some(d) = make_day(year, month, day)
    {
        return Some(found(When::Day(d), 3));
    }
    // `March 31, 2027`, `March 31st 2027`.
    if let (Some(month), Some(day), Some(year)) = (
        month_of(a),
        b.and_then(|b| day_number(b.trim_end_matches(','))),
        c.and_then(|c| year_of(c, false)),
    ) && let Some(d) = make_day(year, month, day)
    {
        return Some(found(When::Day(d), 3));
    }
    // `Apr-Jun 2026`, `Jan–Mar 2027`: the months' last.
    if let Some(year) = b.and_then(|b| year_of(b, false))
        && let Some((first, last)) = a.split_once(['-', '–', '/'])
        && let (Some(first), Some(month)) = (month_of(first), month_of(last))
        && u8::from(first) <= u8::from(month)
    {
        return Some(found(When::Month { year, month }, 2));
    }
    // `March 2027`, `Sept. 2026`, `March '27`.
    if let (Some(month), Some(year)) = (month_of(a), b.and_then(|b| year_of(b, false))) {
        return Some(found(When::Month { year, month }, 2));
    }
    // A financial year alone: `2026/27`, `FY 26/27`.
    if let Some((start, taken)) = financial_year(&t, false) {
        let mut f = found(When::FinancialYear(start), taken);
        // `2011-12`: December 2011 or the year 2011/12.
        if let [y, m] = pieces(a).as_slice()
            && !a.to_ascii_lowercase().starts_with("fy")
            && y.len() == 4
            && m.len() == 2
            && number(m).is_some_and(|m| (1..=12).contains(&m))
        {
            f.note = Some(format!(
                "\"{a}\" read as the financial year {start}/{:02}, not as a month",
                (start + 1) % 100
            ));
        }
        return Some(f);
    }
    one_token(a, days).map(|(when, note)| Found {
        when,
        taken: 1,
        note,
    })
}

/// A date written as one token: `31/03/2027`, `2027-03-31`, `31-Mar-27`,
/// `03/2027`, `2027-03`, `Mar-27`, `2027`.
fn one_token(token: &str, days: &FileDays) -> Option<(When, Option<String>)> {
    let token = token.trim_end_matches('.');
    if let Some((a, b, y)) = numeric_date(token) {
        let (day, month, note) = days.day_month(token, a, b, y);
        let month = u8::try_from(month)
            .ok()
            .and_then(|m| Month::try_from(m).ok())?;
        return make_day(y, month, day).map(|d| (When::Day(d), note));
    }
    let p = pieces(token);
    match p.as_slice() {
        // ISO: `2027-03-31`.
        [y, m, d] if y.len() == 4 => {
            let month = month_number(m)?;
            make_day(year4(y)?, month, number(d)?).map(|d| (When::Day(d), None))
        }
        // `31-Mar-2027`.
        [d, m, y] => {
            let month = month_of(m)?;
            make_day(year_of(y, true)?, month, day_number(d)?).map(|d| (When::Day(d), None))
        }
        // `2027-03`.
        [y, m] if y.len() == 4 && m.chars().all(|c| c.is_ascii_digit()) => Some((
            When::Month {
                year: year4(y)?,
                month: month_number(m)?,
            },
            None,
        )),
        // `03/2027`.
        [m, y] if y.len() == 4 && m.chars().all(|c| c.is_ascii_digit()) => Some((
            When::Month {
                year: year4(y)?,
                month: month_number(m)?,
            },
            None,
        )),
        // `Mar-27`, `March-2027`.
        [m, y] => Some((
            When::Month {
                year: year_of(y, true)?,
                month: month_of(m)?,
            },
            None,
        )),
        [y] if y.len() == 4 => year4(y).map(|y| (When::Year(y), None)),
        _ => None,
    }
}

/// A financial year at the start of `tokens` and how many tokens it took:
/// `2026/27`, `2026-27`, `2026/2027`, `FY26/27`, `FY 2026-27`. Two-digit
/// years (`26/27`) only after a quarter or `FY` (`in_quarter`).
fn financial_year(tokens: &[&str], in_quarter: bool) -> Option<(i32, usize)> {
    let first = *tokens.first()?;
    let lower = first.to_ascii_lowercase();
    let (text, taken, prefixed) = if lower == "fy" {
        (*tokens.get(1)?, 2, true)
    } else if let Some(rest) = lower.strip_prefix("fy") {
        (&first[first.len() - rest.len()..], 1, true)
    } else {
        (first, 1, false)
    };
    let p = pieces(text.trim_end_matches('.'));
    let [a, b] = p.as_slice() else {
        return None;
    };
    let start = match a.len() {
        4 => year4(a)?,
        2 if prefixed || in_quarter => 2000 + i32::try_from(number(a)?).ok()?,
        _ => return None,
    };
    let end = match b.len() {
        2 => start - start % 100 + i32::try_from(number(b)?).ok()?,
        4 => year4(b)?,
        _ => return None,
    };
    // `2099/00` ends in the next century.
    let follows = end == start + 1 || (end + 100 == start + 1);
    follows.then_some((start, taken))
}

/// A quarter's number at the start of `tokens`, and how many tokens it
/// took: `Q1`, `Qtr1`, `Qtr 1`, `Quarter 1`.
fn quarter_at(tokens: &[&str]) -> Option<(u8, usize)> {
    let first = tokens.first()?.to_ascii_lowercase();
    let first = first.trim_end_matches('.');
    let in_range = |n: u32| (1..=4).contains(&n).then_some(n as u8);
    if first == "quarter" || first == "qtr" {
        let n = number(tokens.get(1)?)?;
        return in_range(n).map(|q| (q, 2));
    }
    let rest = first
        .strip_prefix("quarter")
        .or_else(|| first.strip_prefix("qtr"))
        .or_else(|| first.strip_prefix('q'))?;
    in_range(number(rest.trim_start_matches('.'))?).map(|q| (q, 1))
}

/// `a/b/y`, `a.b.y` or `a-b-y` with one- or two-digit `a` and `b` and a
/// two- or four-digit year.
fn numeric_date(token: &str) -> Option<(u32, u32, i32)> {
    let token = token.trim_end_matches('.');
    let sep = token.chars().find(|c| matches!(c, '/' | '.' | '-'))?;
    let p: Vec<&str> = token.split(sep).collect();
    let [a, b, y] = p.as_slice() else {
        return None;
    };
    if a.is_empty() || a.len() > 2 || b.is_empty() || b.len() > 2 {
        return None;
    }
    let (a, b) = (number(a)?, number(b)?);
    let y = match y.len() {
        4 => year4(y)?,
        2 => two_digit_year(number(y)?),
        _ => return None,
    };
    ((1..=31).contains(&a) && (1..=31).contains(&b)).then_some((a, b, y))
}

/// A token split at `/`, `-` or `.` (one kind of separator).
fn pieces(token: &str) -> Vec<&str> {
    match token.chars().find(|c| matches!(c, '/' | '-' | '.')) {
        Some(sep) => token.split(sep).collect(),
        None => vec![token],
    }
}

fn number(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 9 || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn year4(s: &str) -> Option<i32> {
    if s.len() != 4 {
        return None;
    }
    let y = i32::try_from(number(s)?).ok()?;
    (1900..=2999).contains(&y).then_some(y)
}

/// `27` is 2027, `99` is 1999 (the same pivot as the plans' years, from 1970).
fn two_digit_year(n: u32) -> i32 {
    let n = n as i32;
    if n < 70 { 2000 + n } else { 1900 + n }
}

/// `2027`, `'27` (or `’27`), and `27` where a two-digit year cannot be
/// taken for a day (`allow_two`).
fn year_of(s: &str, allow_two: bool) -> Option<i32> {
    let s = s.trim_end_matches('.');
    if let Some(yy) = s.strip_prefix(['\'', '’', '‘']) {
        return if yy.len() == 2 {
            number(yy).map(two_digit_year)
        } else {
            None
        };
    }
    match s.len() {
        4 => year4(s),
        2 if allow_two => number(s).map(two_digit_year),
        _ => None,
    }
}

/// `31`, `31st`, `2nd`, `3rd`, `4th`.
fn day_number(s: &str) -> Option<u32> {
    let lower = s.to_ascii_lowercase();
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|suffix| lower.strip_suffix(suffix))
        .unwrap_or(&lower);
    if digits.len() > 2 {
        return None;
    }
    number(digits).filter(|d| (1..=31).contains(d))
}

fn month_number(s: &str) -> Option<Month> {
    if s.len() > 2 {
        return None;
    }
    let n = u8::try_from(number(s)?).ok()?;
    Month::try_from(n).ok()
}

/// A month's name as plans write it: `March`, `Mar`, `Mar.`, `Sept`.
fn month_of(s: &str) -> Option<Month> {
    let lower = s.trim_end_matches('.').to_lowercase();
    let n = match lower.as_str() {
        "january" | "jan" => 1,
        "february" | "feb" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sept" | "sep" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    };
    Month::try_from(n).ok()
}

fn month_name(n: u32) -> Option<&'static str> {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    NAMES.get(usize::try_from(n).ok()?.checked_sub(1)?).copied()
}

fn make_day(year: i32, month: Month, day: u32) -> Option<Date> {
    let day = u8::try_from(day).ok()?;
    time::Date::from_calendar_date(year, month, day)
        .ok()
        .map(Date::from_calendar)
}

/// The first and last serial numbers read as Excel dates: 1 January 1970
/// to 31 December 2100 (the years a delivery may have).
const SERIALS: std::ops::RangeInclusive<f64> = 25_569.0..=73_415.0;

/// A whole cell that is an Excel date serial number (`46112` is
/// 31 March 2026; a fraction is a time of day, dropped), with the note that
/// says so.
fn serial(text: &str) -> Option<(Date, String)> {
    if text.len() > 20 || !text.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let value: f64 = text.parse().ok()?;
    if !SERIALS.contains(&value) {
        return None;
    }
    // Excel counts 1900 as a leap year: from March 1900 on, day 0 is
    // 30 December 1899.
    let days = value.trunc() as i64;
    let base = time::Date::from_calendar_date(1899, Month::December, 30).ok()?;
    let date = base.checked_add(time::Duration::days(days))?;
    let date = Date::from_calendar(date);
    Some((
        date,
        format!("\"{text}\" read as an Excel date serial number: {date}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::format_delivery;

    const CAL: QuarterConvention = QuarterConvention::Calendar;
    const FIN: QuarterConvention = QuarterConvention::Financial;

    fn quarters(text: &str, convention: QuarterConvention) -> String {
        let days = FileDays::scan([text]);
        let d = read_delivery(text, convention, &days);
        assert_eq!(d.rest, "", "{text}: rest");
        format_delivery(&d.parts)
    }

    #[test]
    fn quarters_as_before() {
        assert_eq!(
            quarters("a) Q4 2007 b) Q4 2007", CAL),
            "a) Q4 2007 b) Q4 2007"
        );
        assert_eq!(quarters("Q2 2007", CAL), "Q2 2007");
        assert_eq!(quarters("2007 Q2.", CAL), "Q2 2007");
        assert_eq!(quarters("Q2-2007", FIN), "Q2 2007");
        assert_eq!(quarters("Quarter 3 2008", CAL), "Q3 2008");
        assert_eq!(quarters("Qtr 3 2008", CAL), "Q3 2008");
        assert_eq!(
            quarters("(a) Q1 2008, (b) Q3 2008", CAL),
            "a) Q1 2008 b) Q3 2008"
        );
    }

    #[test]
    fn months_in_the_usual_spellings() {
        for text in [
            "March 2027",
            "Mar 2027",
            "Mar-27",
            "Mar. 2027",
            "March '27",
            "March ’27",
            "03/2027",
            "3/2027",
            "2027-03",
            "end of March 2027",
            "By end of March 2027",
            "MARCH 2027",
        ] {
            assert_eq!(quarters(text, CAL), "Q1 2027", "{text}");
            assert_eq!(quarters(text, FIN), "Q4 2026", "{text}");
        }
        assert_eq!(quarters("by Sept 2026", CAL), "Q3 2026");
        assert_eq!(quarters("by Sept 2026", FIN), "Q2 2026");
        assert_eq!(quarters("April 2026", FIN), "Q1 2026");
        assert_eq!(quarters("Apr-Jun 2026", CAL), "Q2 2026");
        assert_eq!(quarters("Jan–Mar 2027", FIN), "Q4 2026");
        let d = read_delivery("Jun-Apr 2026", CAL, &FileDays::default());
        assert!(d.parts.is_empty(), "{:?}", d.parts);
    }

    #[test]
    fn days_are_day_first_and_iso() {
        for text in [
            "31/03/2027",
            "31.03.2027",
            "31-03-27",
            "31/3/27",
            "31 March 2027",
            "31st Mar 2027",
            "31 Mar, 2027",
            "31-Mar-2027",
            "31-Mar-27",
            "March 31, 2027",
            "2027-03-31",
            "2027/03/31",
        ] {
            assert_eq!(quarters(text, CAL), "Q1 2027", "{text}");
            assert_eq!(quarters(text, FIN), "Q4 2026", "{text}");
        }
        assert_eq!(quarters("01/04/2027", CAL), "Q2 2027");
        assert_eq!(quarters("01/04/2027", FIN), "Q1 2027");
    }

    #[test]
    fn financial_year_quarters_are_april_based_whatever_the_convention() {
        for text in [
            "Q1 2026/27",
            "Q1 26/27",
            "2026/27 Q1",
            "Q1 FY26/27",
            "Q1 FY 26/27",
            "FY26/27 Q1",
            "Q1 2026-27",
            "Q1 2026/2027",
        ] {
            assert_eq!(quarters(text, CAL), "Q2 2026", "{text}");
            assert_eq!(quarters(text, FIN), "Q1 2026", "{text}");
        }
        assert_eq!(quarters("FY 2026-27 Q3", CAL), "Q4 2026");
        assert_eq!(quarters("Quarter 1 2026/27", CAL), "Q2 2026");
        assert_eq!(quarters("Qtr 1 FY 26/27", CAL), "Q2 2026");
        assert_eq!(quarters("2026/27 Quarter 1", FIN), "Q1 2026");
        assert_eq!(quarters("Q3 2026-27", FIN), "Q3 2026");
        assert_eq!(quarters("Q4 2026/27", CAL), "Q1 2027");
        assert_eq!(quarters("Q4 2026/27", FIN), "Q4 2026");
        assert_eq!(quarters("Q4 2099/00", CAL), "Q1 2100");
    }

    #[test]
    fn a_year_alone_is_its_last_quarter_with_a_note() {
        let d = read_delivery("2027", CAL, &FileDays::default());
        assert_eq!(format_delivery(&d.parts), "Q4 2027");
        assert!(d.notes[0].contains("names a year"), "{:?}", d.notes);
        let d = read_delivery("2026/27", CAL, &FileDays::default());
        assert_eq!(format_delivery(&d.parts), "Q1 2027");
        let d = read_delivery("FY 2026/27", FIN, &FileDays::default());
        assert_eq!(format_delivery(&d.parts), "Q4 2026");
        assert!(
            d.notes[0].contains("\"FY 2026/27\" names a year"),
            "{:?}",
            d.notes
        );
        // `2011-12` could be December 2011: the choice is said.
        let d = read_delivery("2011-12", CAL, &FileDays::default());
        assert_eq!(format_delivery(&d.parts), "Q1 2012");
        assert!(
            d.notes.iter().any(|n| n.contains("not as a month")),
            "{:?}",
            d.notes
        );
        // Two-digit years alone are not a financial year.
        let d = read_delivery("26/27", CAL, &FileDays::default());
        assert!(d.parts.is_empty());
        assert_eq!(d.rest, "26/27");
    }

    #[test]
    fn serials_in_plausible_ranges() {
        let d = read_delivery("46112", CAL, &FileDays::default());
        assert_eq!(format_delivery(&d.parts), "Q1 2026");
        assert_eq!(
            d.notes,
            ["\"46112\" read as an Excel date serial number: 2026-03-31"]
        );
        assert_eq!(
            read_day("46112.75", CAL, &FileDays::default()).map(|(d, _)| d.to_string()),
            Some("2026-03-31".into())
        );
        for text in ["12", "100", "2000000", "1e5"] {
            let d = read_delivery(text, CAL, &FileDays::default());
            assert!(d.parts.is_empty(), "{text}");
        }
    }

    #[test]
    fn words_without_a_date_are_kept_as_written() {
        for text in [
            "Ongoing",
            "TBC",
            "t.b.c.",
            "N/A",
            "As required",
            "Continuous",
            "Annual",
            "On-going",
        ] {
            let d = read_delivery(text, CAL, &FileDays::default());
            assert!(d.undated, "{text}");
            assert!(d.parts.is_empty(), "{text}");
            assert_eq!(d.rest, text);
        }
        let d = read_delivery("Q1 2027 then ongoing", CAL, &FileDays::default());
        assert!(!d.undated);
        assert_eq!(format_delivery(&d.parts), "Q1 2027");
        assert_eq!(d.rest, "then ongoing");
        // A filler word with no date after it is text.
        let d = read_delivery("by review", CAL, &FileDays::default());
        assert_eq!(d.rest, "by review");
        // Not a date: an impossible day, a season.
        for text in ["31/02/2027", "Spring 2027", "Late 2026/27", "H1 2027"] {
            let d = read_delivery(text, CAL, &FileDays::default());
            assert!(d.parts.is_empty(), "{text}: {:?}", d.parts);
            assert_eq!(d.rest, text);
        }
        // What is not a day is left as text beside the month it is before.
        let d = read_delivery("32 March 2027", CAL, &FileDays::default());
        assert_eq!(format_delivery(&d.parts), "Q1 2027");
        assert_eq!(d.rest, "32");
    }

    #[test]
    fn a_long_cell_of_filler_words_is_read_in_one_pass() {
        let text = "by ".repeat(200_000) + "March 2027";
        let d = read_delivery(&text, CAL, &FileDays::default());
        assert_eq!(format_delivery(&d.parts), "Q1 2027");
        assert_eq!(d.rest.split(' ').count(), 200_000 - 4);
    }

    #[test]
    fn the_file_decides_the_day_order() {
        let uk = FileDays::scan(["31/03/2027", "03/04/2026"]);
        assert_eq!(uk.order(), DayOrder::DayFirst);
        let d = read_delivery("03/04/2026", CAL, &uk);
        assert_eq!(format_delivery(&d.parts), "Q2 2026");
        assert!(d.notes.is_empty(), "{:?}", d.notes);

        let us = FileDays::scan(["04/13/2026", "a) 03/04/2026"]);
        assert_eq!(us.order(), DayOrder::MonthFirst);
        let d = read_delivery("03/04/2026", CAL, &us);
        assert_eq!(format_delivery(&d.parts), "Q1 2026");
        assert_eq!(
            d.notes,
            [
                "\"03/04/2026\" read as 4 March 2026 (month first), as the file's dates such as \"04/13/2026\" are month first"
            ]
        );
        let d = read_delivery("04/13/2026", CAL, &us);
        assert_eq!(format_delivery(&d.parts), "Q2 2026");
        assert!(d.notes.is_empty());

        // Both orders in one file: day first, and each choice said.
        let mixed = FileDays::scan(["31/03/2027", "04/13/2026", "03/04/2026"]);
        assert_eq!(mixed.order(), DayOrder::DayFirst);
        let d = read_delivery("03/04/2026", CAL, &mixed);
        assert_eq!(format_delivery(&d.parts), "Q2 2026");
        assert_eq!(
            d.notes,
            [
                "\"03/04/2026\" read as 3 April 2026 (day first); the file also has month-first dates such as \"04/13/2026\""
            ]
        );
        let d = read_delivery("04/13/2026", CAL, &mixed);
        assert_eq!(format_delivery(&d.parts), "Q2 2026");
        assert_eq!(d.notes.len(), 1, "{:?}", d.notes);
        // The same number twice is one date either way.
        let d = read_delivery("04/04/2026", CAL, &us);
        assert!(d.notes.is_empty());
    }

    #[test]
    fn actual_delivery_days() {
        let days = FileDays::default();
        let day = |t: &str| read_day(t, CAL, &days).map(|(d, n)| (d.to_string(), n.len()));
        assert_eq!(day("2027-03-31"), Some(("2027-03-31".into(), 0)));
        assert_eq!(day("31/03/2027"), Some(("2027-03-31".into(), 0)));
        assert_eq!(day("31st March 2027"), Some(("2027-03-31".into(), 0)));
        assert_eq!(day("March 2027"), Some(("2027-03-31".into(), 1)));
        assert_eq!(day("Feb 2028"), Some(("2028-02-29".into(), 1)));
        assert_eq!(day("Q2 2027"), Some(("2027-06-30".into(), 1)));
        assert_eq!(
            read_day("Q2 2027", FIN, &days).map(|(d, _)| d.to_string()),
            Some("2027-09-30".into())
        );
        assert_eq!(day("2027-03-31 14:30"), Some(("2027-03-31".into(), 0)));
        assert_eq!(day("31/03/2027 9:05:00"), Some(("2027-03-31".into(), 0)));
        assert_eq!(day("31/03/2027 25:00"), None);
        assert_eq!(day("March 2027 14:30"), None);
        assert_eq!(day("2027"), None);
        assert_eq!(day("31/03/2027 approx"), None);
        assert_eq!(day("soon"), None);
    }
}
