//! The shop's one clock: every "now" a use case or the store writes comes from here.
//!
//! Functions read the system's UTC time. A test that must decide what time it is (a code
//! that expires, an order an hour old for the velocity score) runs its use case inside
//! [`frozen_at`], which sets now for that task only: tests running side by side keep
//! their own clocks, and code outside a frozen task never sees a set time.

use std::future::Future;
use time::OffsetDateTime;

tokio::task_local! {
    static FROZEN: OffsetDateTime;
}

/// Now, in UTC: the frozen instant inside [`frozen_at`], the system's time otherwise.
pub fn now() -> OffsetDateTime {
    FROZEN
        .try_with(|at| *at)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
}

/// Unix seconds now.
pub fn unix_now() -> i64 {
    now().unix_timestamp()
}

/// Now as RFC 3339 (`2026-11-27T10:00:00.123Z`): for records read by people and clients.
pub fn now_rfc3339() -> String {
    rfc3339(now())
}

/// `at` as RFC 3339.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

/// Now, in UTC with a fixed six-digit fraction (`2026-11-27T10:00:00.123456Z`): times of
/// this shape sort as text in time order, which sort keys built from them rely on
/// (RFC 3339 allows a fraction of any length, which would not).
pub fn now_sortable() -> String {
    sortable(now())
}

/// `at` in the sortable form of [`now_sortable`].
pub fn sortable(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000000Z".to_owned())
}

/// Milliseconds from `at` (RFC 3339, as the shop writes times) to now; `None` when `at`
/// does not parse or lies ahead.
pub fn millis_since(at: &str) -> Option<u64> {
    let at = OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).ok()?;
    u64::try_from((now() - at).whole_milliseconds()).ok()
}

/// Runs `work` with now fixed at `at` (for this task; tasks it spawns read the system's time).
pub async fn frozen_at<F: Future>(at: OffsetDateTime, work: F) -> F::Output {
    FROZEN.scope(at, work).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_frozen_clock_holds_inside_its_task_only() {
        let at = time::macros::datetime!(2026-11-27 10:00:00.5 UTC);
        let inside = frozen_at(at, async { (now_sortable(), unix_now()) }).await;
        assert_eq!(
            inside,
            ("2026-11-27T10:00:00.500000Z".to_owned(), 1_795_773_600)
        );
        assert!(now() > at, "outside the scope the system's time is back");
    }

    #[tokio::test]
    async fn millis_since_counts_to_the_frozen_now() {
        let at = time::macros::datetime!(2026-11-27 10:00:01.250 UTC);
        let since = frozen_at(at, async {
            (
                millis_since("2026-11-27T10:00:00.000000Z"),
                millis_since("2026-11-27T10:00:02Z"),
                millis_since("yesterday"),
            )
        })
        .await;
        assert_eq!(since, (Some(1250), None, None));
    }

    #[test]
    fn sortable_times_sort_as_text_in_time_order() {
        let a = time::macros::datetime!(2026-11-27 10:00:00.9 UTC);
        let b = time::macros::datetime!(2026-11-27 10:00:01 UTC);
        assert!(sortable(a) < sortable(b));
        assert_eq!(rfc3339(b), "2026-11-27T10:00:01Z");
    }
}
