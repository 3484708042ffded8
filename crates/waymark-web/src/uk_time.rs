//! UK civil time (GMT in winter, BST in summer), for showing when something
//! happened and for reading a day a person names: the audit page's times and
//! its date filters. The rule is the one in force since 1996: British Summer
//! Time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
//! last Sunday of October. No time-zone database is needed for one zone with
//! a fixed rule; times before 1996 follow it too (they do not occur in an
//! audit trail written by Waymark).

use time::{Date, Duration, Month, OffsetDateTime, Time};

const HOUR_MS: i64 = 3_600_000;

/// The last Sunday of a month of 31 days.
fn last_sunday(year: i32, month: Month) -> Option<Date> {
    let last = Date::from_calendar_date(year, month, 31).ok()?;
    let back = last.weekday().number_days_from_sunday();
    last.checked_sub(Duration::days(i64::from(back)))
}

/// Whether British Summer Time is in force at this instant.
fn is_summer(utc: OffsetDateTime) -> bool {
    let year = utc.year();
    let start = last_sunday(year, Month::March).map(|d| d.with_time(Time::MIDNIGHT).assume_utc());
    let end = last_sunday(year, Month::October).map(|d| d.with_time(Time::MIDNIGHT).assume_utc());
    match (start, end) {
        (Some(start), Some(end)) => {
            let one = Duration::hours(1);
            utc >= start.saturating_add(one) && utc < end.saturating_add(one)
        }
        _ => false,
    }
}

/// The instant `at_ms` (Unix milliseconds) as UK time; `None` outside the
/// years the `time` crate holds.
fn local(at_ms: i64) -> Option<(OffsetDateTime, &'static str)> {
    let utc = OffsetDateTime::from_unix_timestamp_nanos(i128::from(at_ms) * 1_000_000).ok()?;
    if is_summer(utc) {
        Some((utc.checked_add(Duration::hours(1))?, "BST"))
    } else {
        Some((utc, "GMT"))
    }
}

/// Today's date in the UK.
pub fn today() -> waymark_core::Date {
    let now = OffsetDateTime::now_utc();
    let ms = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
    waymark_core::Date::from_calendar(uk_date(ms).unwrap_or(now.date()))
}

/// `26 November 2026, 00:16:07 GMT`: when something happened, as people in
/// the UK read it.
pub fn readable(at_ms: i64) -> Option<String> {
    let (t, zone) = local(at_ms)?;
    let format = time::macros::format_description!(
        "[day padding:none] [month repr:long] [year], [hour]:[minute]:[second]"
    );
    Some(format!("{} {zone}", t.format(&format).ok()?))
}

/// The UK day the instant `at_ms` falls on.
pub fn uk_date(at_ms: i64) -> Option<Date> {
    local(at_ms).map(|(t, _)| t.date())
}

/// When the UK day `date` starts, as Unix milliseconds. Midnight is never
/// skipped or repeated in the UK (the clocks change at 01:00 UTC).
pub fn day_start_ms(date: Date) -> i64 {
    let midnight = date.with_time(Time::MIDNIGHT).assume_utc();
    let as_utc_ms = i64::try_from(midnight.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
    // An hour before the UTC midnight is still the UK's offset at its own
    // midnight (summer begins and ends at 01:00 UTC, never between the two).
    let summer = midnight
        .checked_sub(Duration::hours(1))
        .is_some_and(is_summer);
    if summer {
        as_utc_ms - HOUR_MS
    } else {
        as_utc_ms
    }
}

/// When the UK day after `date` starts: the end (exclusive) of a day named
/// as the last of a range. `None` past the last date `time` holds.
pub fn day_end_ms(date: Date) -> Option<i64> {
    date.next_day().map(day_start_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn ms(t: OffsetDateTime) -> i64 {
        i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
    }

    #[test]
    fn summer_runs_between_the_last_sundays_of_march_and_october_at_one_utc() {
        assert_eq!(last_sunday(2026, Month::March), Some(date!(2026 - 03 - 29)));
        assert_eq!(
            last_sunday(2026, Month::October),
            Some(date!(2026 - 10 - 25))
        );
        assert_eq!(date!(2026 - 03 - 29).weekday(), time::Weekday::Sunday);
        let cases = [
            (
                datetime!(2026-03-29 00:59:59 UTC),
                "29 March 2026, 00:59:59 GMT",
            ),
            (
                datetime!(2026-03-29 01:00:00 UTC),
                "29 March 2026, 02:00:00 BST",
            ),
            (
                datetime!(2026-07-01 12:00:00 UTC),
                "1 July 2026, 13:00:00 BST",
            ),
            (
                datetime!(2026-10-25 00:59:59 UTC),
                "25 October 2026, 01:59:59 BST",
            ),
            (
                datetime!(2026-10-25 01:00:00 UTC),
                "25 October 2026, 01:00:00 GMT",
            ),
            (
                datetime!(2026-11-26 00:16:07 UTC),
                "26 November 2026, 00:16:07 GMT",
            ),
        ];
        for (utc, text) in cases {
            assert_eq!(readable(ms(utc)).as_deref(), Some(text), "{utc}");
        }
        assert_eq!(readable(i64::MAX), None);
    }

    #[test]
    fn a_uk_day_starts_at_its_own_midnight() {
        // Winter: midnight UTC. Summer: 23:00 UTC the day before.
        assert_eq!(
            day_start_ms(date!(2026 - 11 - 26)),
            ms(datetime!(2026-11-26 00:00 UTC))
        );
        assert_eq!(
            day_start_ms(date!(2026 - 07 - 01)),
            ms(datetime!(2026-06-30 23:00 UTC))
        );
        // The days the clocks change start in the old time.
        assert_eq!(
            day_start_ms(date!(2026 - 03 - 29)),
            ms(datetime!(2026-03-29 00:00 UTC))
        );
        assert_eq!(
            day_start_ms(date!(2026 - 03 - 30)),
            ms(datetime!(2026-03-29 23:00 UTC))
        );
        assert_eq!(
            day_start_ms(date!(2026 - 10 - 25)),
            ms(datetime!(2026-10-24 23:00 UTC))
        );
        assert_eq!(
            day_end_ms(date!(2026 - 10 - 25)),
            Some(ms(datetime!(2026-10-26 00:00 UTC)))
        );
    }
}
