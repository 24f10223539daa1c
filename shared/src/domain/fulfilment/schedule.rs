//! The carrier's collection schedule and the delivery dates it gives (UTC, working days
//! Monday to Friday). One truth for the schedule: the template parameter
//! `CarrierCollectionSchedule` is both the hand-off's `Schedule` expression and what
//! estimates read, so [`CollectionSchedule::from_cron`] accepts exactly the expressions
//! whose slots it can compute.

use std::collections::BTreeSet;
use time::{Date, OffsetDateTime, Time, Weekday};

/// Why a schedule expression was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("collection schedule {expression:?}: {reason}")]
pub struct ScheduleError {
    pub expression: String,
    pub reason: String,
}

/// Collection slots: a fixed minute and hour on some days of the week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionSchedule {
    at: Time,
    days: BTreeSet<u8>,
}

const DAY_NAMES: [(&str, Weekday); 7] = [
    ("MON", Weekday::Monday),
    ("TUE", Weekday::Tuesday),
    ("WED", Weekday::Wednesday),
    ("THU", Weekday::Thursday),
    ("FRI", Weekday::Friday),
    ("SAT", Weekday::Saturday),
    ("SUN", Weekday::Sunday),
];

fn day(name: &str) -> Option<u8> {
    DAY_NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, d)| d.number_days_from_monday())
}

impl CollectionSchedule {
    /// `cron(M H ? * DAYS *)`: a whole minute and hour, any day of month `?`, every month,
    /// days of the week as names (`TUE,FRI`) or a range (`MON-FRI`), every year. Anything
    /// else (a rate, a day of month, steps) is refused.
    pub fn from_cron(expression: &str) -> Result<CollectionSchedule, ScheduleError> {
        let refuse = |reason: &str| ScheduleError {
            expression: expression.to_owned(),
            reason: reason.to_owned(),
        };
        let inner = expression
            .strip_prefix("cron(")
            .and_then(|e| e.strip_suffix(')'))
            .ok_or_else(|| refuse("must be cron(M H ? * DAYS *)"))?;
        let fields: Vec<&str> = inner.split_whitespace().collect();
        let [minute, hour, "?", "*", days, "*"] = fields.as_slice() else {
            return Err(refuse(
                "must be cron(M H ? * DAYS *): a minute, an hour, days of the week",
            ));
        };
        let number = |text: &str, max: u8| text.parse::<u8>().ok().filter(|n| *n <= max);
        let (Some(minute), Some(hour)) = (number(minute, 59), number(hour, 23)) else {
            return Err(refuse("the minute and hour must be whole numbers"));
        };
        let mut set = BTreeSet::new();
        for part in days.split(',') {
            match part.split_once('-') {
                Some((from, to)) => {
                    let (Some(from), Some(to)) = (day(from), day(to)) else {
                        return Err(refuse("days must be MON..SUN"));
                    };
                    if from > to {
                        return Err(refuse("a day range must run forward"));
                    }
                    set.extend(from..=to);
                }
                None => {
                    set.insert(day(part).ok_or_else(|| refuse("days must be MON..SUN"))?);
                }
            }
        }
        let at = Time::from_hms(hour, minute, 0).map_err(|_| refuse("no such time"))?;
        Ok(CollectionSchedule { at, days: set })
    }

    /// The first slot strictly after `t`.
    pub fn next_slot_after(&self, t: OffsetDateTime) -> OffsetDateTime {
        let t = t.to_offset(time::UtcOffset::UTC);
        let mut date = t.date();
        loop {
            let slot = date.with_time(self.at).assume_utc();
            if slot > t
                && self
                    .days
                    .contains(&date.weekday().number_days_from_monday())
            {
                return slot;
            }
            date = date.next_day().unwrap_or(date);
        }
    }

    /// `t` is one of the slots.
    pub fn is_slot(&self, t: OffsetDateTime) -> bool {
        let t = t.to_offset(time::UtcOffset::UTC);
        t.time() == self.at && self.days.contains(&t.weekday().number_days_from_monday())
    }
}

fn is_working_day(d: Date) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// `n` working days (Monday to Friday) after `d`; `d` itself for 0.
pub fn add_working_days(d: Date, n: u8) -> Date {
    let mut date = d;
    let mut left = n;
    while left > 0 {
        date = date.next_day().unwrap_or(date);
        if is_working_day(date) {
            left -= 1;
        }
    }
    date
}

/// When a seller with `handling_days` has an order placed at `placed` packed: at once for 0;
/// otherwise at the end (23:59:59) of the `handling_days`-th working day after the order's
/// day, a weekend order counting from the Monday.
pub fn ready_by(placed: OffsetDateTime, handling_days: u8) -> OffsetDateTime {
    let placed = placed.to_offset(time::UtcOffset::UTC);
    if handling_days == 0 {
        return placed;
    }
    let mut start = placed.date();
    while !is_working_day(start) {
        start = start.next_day().unwrap_or(start);
    }
    let first = if is_working_day(placed.date()) {
        add_working_days(start, 1)
    } else {
        start
    };
    let day = add_working_days(first, handling_days - 1);
    day.with_time(Time::from_hms(23, 59, 59).unwrap_or(Time::MIDNIGHT))
        .assume_utc()
}

/// The delivery date of an order placed at `placed`: packed after the seller's handling
/// time, collected at the next slot, delivered `transit_days` working days later.
pub fn estimate_delivery(
    placed: OffsetDateTime,
    handling_days: u8,
    schedule: &CollectionSchedule,
    transit_days: u8,
) -> Date {
    let collected = schedule.next_slot_after(ready_by(placed, handling_days));
    add_working_days(collected.date(), transit_days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn tue_fri() -> CollectionSchedule {
        CollectionSchedule::from_cron("cron(0 6 ? * TUE,FRI *)").unwrap()
    }

    /// (placed, handling days, transit days, expected delivery, why): dates as they are
    /// (2026-12-07 is a Monday), slots Tuesday and Friday at 06:00 UTC.
    #[test]
    fn estimates_around_weekends_and_slots() {
        let rows = [
            (
                datetime!(2026-12-07 10:00 UTC),
                1,
                2,
                date!(2026 - 12 - 15),
                "ready Tue night, Fri slot, across the weekend",
            ),
            (
                datetime!(2026-12-10 10:00 UTC),
                1,
                2,
                date!(2026 - 12 - 17),
                "ready Fri night, the next Tue slot",
            ),
            (
                datetime!(2026-12-11 20:00 UTC),
                1,
                2,
                date!(2026 - 12 - 17),
                "the handling day skips the weekend",
            ),
            (
                datetime!(2026-12-12 09:00 UTC),
                1,
                2,
                date!(2026 - 12 - 17),
                "a weekend order counts from Monday",
            ),
            (
                datetime!(2026-12-08 05:00 UTC),
                0,
                2,
                date!(2026 - 12 - 10),
                "the same day's slot",
            ),
            (
                datetime!(2026-12-08 06:00 UTC),
                0,
                2,
                date!(2026 - 12 - 15),
                "exactly at a slot: the next one",
            ),
            (
                datetime!(2026-12-11 05:00 UTC),
                0,
                1,
                date!(2026 - 12 - 14),
                "transit across a weekend",
            ),
            (
                datetime!(2026-12-31 10:00 UTC),
                0,
                2,
                date!(2027 - 01 - 05),
                "across the year (no holidays)",
            ),
        ];
        for (placed, handling, transit, expected, why) in rows {
            assert_eq!(
                estimate_delivery(placed, handling, &tue_fri(), transit),
                expected,
                "{why}"
            );
        }
    }

    #[test]
    fn the_next_slot_is_strictly_after() {
        let s = tue_fri();
        assert_eq!(
            s.next_slot_after(datetime!(2026-12-08 05:59:59.999 UTC)),
            datetime!(2026-12-08 06:00 UTC)
        );
        assert_eq!(
            s.next_slot_after(datetime!(2026-12-08 06:00:00.000001 UTC)),
            datetime!(2026-12-11 06:00 UTC)
        );
        assert_eq!(
            s.next_slot_after(datetime!(2026-12-11 07:00 +01:00)),
            datetime!(2026-12-15 06:00 UTC),
            "07:00 in Paris is the slot itself"
        );
        assert!(s.is_slot(datetime!(2026-12-11 06:00 UTC)));
        assert!(!s.is_slot(datetime!(2026-12-10 06:00 UTC)));
        assert!(!s.is_slot(datetime!(2026-12-11 06:01 UTC)));
    }

    #[test]
    fn only_fixed_weekly_cron_expressions_are_accepted() {
        let weekdays = CollectionSchedule::from_cron("cron(30 17 ? * MON-FRI *)").unwrap();
        assert_eq!(
            weekdays.next_slot_after(datetime!(2026-12-11 18:00 UTC)),
            datetime!(2026-12-14 17:30 UTC),
            "Friday evening: Monday's slot"
        );
        for bad in [
            "rate(3 days)",
            "cron(0 6 1 * ? *)",
            "cron(0/15 6 ? * TUE *)",
            "cron(0 6 ? * TUE 2027)",
            "cron(0 24 ? * TUE *)",
            "cron(0 6 ? * FRI-TUE *)",
            "cron(0 6 ? * TUESDAY *)",
            "cron(0 6 ? * TUE)",
        ] {
            assert!(CollectionSchedule::from_cron(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn working_days_skip_weekends() {
        assert_eq!(
            add_working_days(date!(2026 - 12 - 11), 0),
            date!(2026 - 12 - 11)
        );
        assert_eq!(
            add_working_days(date!(2026 - 12 - 11), 1),
            date!(2026 - 12 - 14)
        );
        assert_eq!(
            add_working_days(date!(2026 - 12 - 12), 1),
            date!(2026 - 12 - 14)
        );
        assert_eq!(
            add_working_days(date!(2026 - 12 - 07), 10),
            date!(2026 - 12 - 21)
        );
    }
}
