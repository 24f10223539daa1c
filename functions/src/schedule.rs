//! A scheduled event (EventBridge's `Scheduled Event`), as the shop's scheduled functions
//! read it: only the scheduled time, which every retry and duplicate of one slot's
//! invocation repeats, so it names the slot.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct ScheduledEvent {
    /// RFC 3339, whole minutes for a `cron` schedule.
    pub time: String,
}
