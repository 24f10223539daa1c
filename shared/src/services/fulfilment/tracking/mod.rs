//! Tracking back from the carrier. Who may call: the carrier inbox queue only, fed by
//! the carrier bucket's events for `carrier/inbox/*.jsonl` (the carrier's own files).
//!
//! An event file is applied once per content (its ETag): a file delivered twice, or
//! uploaded again unchanged, finds its record done and changes nothing. Its lines are read
//! as they arrive, a chunk at a time; each event goes through the rules of
//! `domain::fulfilment::apply` and, when it changes its shipment, one conditional write
//! with the order's status and the mails it causes. Events arrive late, twice and out of
//! order: a shipment only moves forward, and the same event id is applied once. A line
//! that is malformed, or names a shipment the carrier never had, is reported and never
//! stops the rest of the file. Only a storage or queue error fails the file, and its
//! redelivery applies again what is missing.

use futures_util::{StreamExt, TryStreamExt};
use serde::Serialize;
use std::collections::HashMap;

mod event;

use crate::adapters::carrier::CarrierFiles;
use crate::adapters::mail::MailQueue;
use crate::clock::{now, now_sortable, unix_now};
use crate::domain::error::ShopError;
use crate::domain::fulfilment::{parse_event_line, told_by_delivery, CarrierEvent};
use crate::domain::ids::OrderId;
use crate::domain::import::{LineProblem, Lines, Rejection, Report, MAX_ROW_BYTES};
use crate::services::notices;
use crate::store::{InboxClaim, Store};

/// Where the carrier drops its event files.
pub const INBOX_PREFIX: &str = "carrier/inbox/";
/// Where each file's report goes: `<name>.summary.json`, and `<name>.errors.csv` when
/// lines were rejected.
pub const REPORTS_PREFIX: &str = "carrier/reports/";
/// Seconds an attempt holds a file without a heartbeat (one per chunk).
pub const FILE_LEASE_SECONDS: i64 = 120;
/// Events applied per chunk (memory holds one chunk).
const CHUNK_EVENTS: usize = 100;
/// Orders whose events are applied at once (each order's in the file's order).
const CONCURRENT_ORDERS: usize = 16;
/// Tries of one event that lost a race with another move of its order.
const MOVE_ATTEMPTS: usize = 5;
/// Who the carrier's moves are recorded as.
pub const BY_CARRIER: &str = "carrier";

/// What a file came to: its lines counted by what they did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FileSummary {
    pub file: String,
    pub etag: String,
    /// Lines that were not blank.
    pub read: u64,
    /// Events that changed their shipment.
    pub applied: u64,
    /// Events whose id was applied before.
    pub duplicate: u64,
    /// Events older than their shipment's state (e.g. `in_transit` after `delivered`).
    pub stale: u64,
    /// Lines listed in the errors report.
    pub rejected: u64,
    pub started_at: String,
    pub finished_at: String,
}

/// What one delivery of a file's event came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackingOutcome {
    /// Not an event file (another key of the bucket): nothing to do.
    Ignored,
    /// Applied before (this content): nothing written.
    AlreadyApplied,
    /// The content is gone (deleted, or replaced: the new content has its own event).
    Gone,
    Applied(FileSummary),
}

/// Applies the event file `key` whose content has `etag`.
pub async fn apply_file<F, Q>(
    store: &Store,
    files: &F,
    queue: &Q,
    carrier: &str,
    key: &str,
    etag: &str,
) -> Result<TrackingOutcome, ShopError>
where
    F: CarrierFiles + ?Sized,
    Q: MailQueue + ?Sized,
{
    let Some(name) = key
        .strip_prefix(INBOX_PREFIX)
        .filter(|name| name.ends_with(".jsonl") && !name.is_empty())
    else {
        return Ok(TrackingOutcome::Ignored);
    };
    let etag = etag.trim_matches('"');
    let token = uuid::Uuid::new_v4().simple().to_string();
    match store
        .claim_inbox_file(etag, key, &token, unix_now(), FILE_LEASE_SECONDS)
        .await?
    {
        InboxClaim::Claimed => {}
        InboxClaim::Done => {
            store.count_inbox_repeat(etag).await?;
            return Ok(TrackingOutcome::AlreadyApplied);
        }
        InboxClaim::Busy => {
            return Err(ShopError::Unavailable(format!(
                "{key} is being applied by another invocation; retried later"
            )))
        }
    }
    let file = FileRun {
        store,
        queue,
        carrier,
        etag,
        token: &token,
    };
    match file.run(files, key, name).await {
        Ok(summary) => Ok(TrackingOutcome::Applied(summary)),
        Err(ShopError::NotFound(_)) => {
            // Not done: the same content uploaded again is applied then.
            store.give_up_inbox_file(etag, &token).await;
            Ok(TrackingOutcome::Gone)
        }
        Err(err) => {
            store.give_up_inbox_file(etag, &token).await;
            Err(err)
        }
    }
}

/// One attempt at one file.
struct FileRun<'a, Q: ?Sized> {
    store: &'a Store,
    queue: &'a Q,
    carrier: &'a str,
    etag: &'a str,
    token: &'a str,
}

/// What one line did.
enum LineOutcome {
    Applied {
        noticed: bool,
    },
    Duplicate,
    Stale,
    /// Listed in the report: each problem of the line.
    Rejected(Vec<Rejection>),
}

type ParsedLine = (u64, Result<CarrierEvent, Vec<Rejection>>);

impl<Q: MailQueue + ?Sized> FileRun<'_, Q> {
    async fn run<F: CarrierFiles + ?Sized>(
        &self,
        files: &F,
        key: &str,
        name: &str,
    ) -> Result<FileSummary, ShopError> {
        let mut summary = FileSummary {
            file: key.to_owned(),
            etag: self.etag.to_owned(),
            started_at: now_sortable(),
            ..FileSummary::default()
        };
        let mut report = Report::default();
        let mut object = files.open(key, self.etag).await?;
        let mut lines = Lines::default();
        let mut parsed: Vec<ParsedLine> = Vec::new();
        let read_at = now();
        loop {
            let chunk = object.next_chunk().await?;
            let bytes = chunk.as_deref().unwrap_or_default();
            if chunk.is_some() && bytes.is_empty() {
                continue;
            }
            lines
                .feed(bytes, &mut |line, text| {
                    parsed.push((line, read(line, text, read_at)));
                    Ok::<(), std::convert::Infallible>(())
                })
                .unwrap_or_else(|never| match never {});
            let end = chunk.is_none();
            if parsed.len() >= CHUNK_EVENTS || (end && !parsed.is_empty()) {
                self.apply_chunk(std::mem::take(&mut parsed), &mut summary, &mut report)
                    .await?;
                if !self
                    .store
                    .heartbeat_inbox_file(self.etag, self.token, unix_now())
                    .await?
                {
                    return Err(ShopError::Unavailable(format!(
                        "{key} was taken over by another attempt"
                    )));
                }
            }
            if end {
                break;
            }
        }
        summary.finished_at = now_sortable();
        if let Some(errors) = report.finish() {
            files
                .put_text(
                    &format!("{REPORTS_PREFIX}{name}.errors.csv"),
                    "text/csv; charset=utf-8",
                    errors,
                )
                .await?;
        }
        let json = serde_json::to_string(&summary).map_err(ShopError::internal)?;
        files
            .put_text(
                &format!("{REPORTS_PREFIX}{name}.summary.json"),
                "application/json",
                json,
            )
            .await?;
        if !self
            .store
            .finish_inbox_file(self.etag, self.token, &summary)
            .await?
        {
            return Err(ShopError::Unavailable(format!(
                "{key} was taken over by another attempt"
            )));
        }
        Ok(summary)
    }

    /// Applies a chunk of lines: the events of each order in the file's order, several
    /// orders at once; counts every line and reports the rejected ones in line order.
    async fn apply_chunk(
        &self,
        lines: Vec<ParsedLine>,
        summary: &mut FileSummary,
        report: &mut Report,
    ) -> Result<(), ShopError> {
        let mut outcomes: Vec<(u64, LineOutcome)> = Vec::new();
        let mut by_order: Vec<(OrderId, Vec<(u64, CarrierEvent)>)> = Vec::new();
        let mut position: HashMap<OrderId, usize> = HashMap::new();
        for (line, parsed) in lines {
            match parsed {
                Err(rejections) => outcomes.push((line, LineOutcome::Rejected(rejections))),
                Ok(event) => {
                    let order = event.shipment_id.order().clone();
                    let at = *position.entry(order.clone()).or_insert_with(|| {
                        by_order.push((order, Vec::new()));
                        by_order.len() - 1
                    });
                    by_order[at].1.push((line, event));
                }
            }
        }
        let applied: Vec<Vec<(u64, LineOutcome)>> = futures_util::stream::iter(by_order)
            .map(|(order, events)| self.apply_order(order, events))
            .buffer_unordered(CONCURRENT_ORDERS)
            .try_collect()
            .await?;
        outcomes.extend(applied.into_iter().flatten());
        outcomes.sort_by_key(|(line, _)| *line);
        for (_, outcome) in outcomes {
            summary.read += 1;
            match outcome {
                LineOutcome::Applied { .. } => summary.applied += 1,
                LineOutcome::Duplicate => summary.duplicate += 1,
                LineOutcome::Stale => summary.stale += 1,
                LineOutcome::Rejected(rejections) => {
                    for rejection in &rejections {
                        report.add(rejection);
                    }
                    summary.rejected += 1;
                }
            }
        }
        Ok(())
    }

    /// The events of one order, in the file's order, then its pending mails.
    async fn apply_order(
        &self,
        order: OrderId,
        events: Vec<(u64, CarrierEvent)>,
    ) -> Result<Vec<(u64, LineOutcome)>, ShopError> {
        let mut outcomes = Vec::with_capacity(events.len());
        // News a delivery in the same file tells anyway is not mailed on its own.
        let told = told_by_delivery(&events.iter().map(|(_, e)| e).collect::<Vec<_>>());
        for ((line, event), told) in events.iter().zip(told) {
            outcomes.push((*line, self.apply_event(*line, event, !told).await?));
        }
        // A duplicate or stale event may be the redelivery of one whose mail was not
        // queued: its notice is still pending.
        let pending = outcomes.iter().any(|(_, o)| {
            matches!(
                o,
                LineOutcome::Applied { noticed: true }
                    | LineOutcome::Duplicate
                    | LineOutcome::Stale
            )
        });
        if pending {
            notices::flush(self.store, self.queue, &order).await?;
        }
        Ok(outcomes)
    }
}

/// A line as read: its event, or why it is none.
fn read(
    line: u64,
    text: Result<&str, LineProblem>,
    now: time::OffsetDateTime,
) -> Result<CarrierEvent, Vec<Rejection>> {
    match text {
        Ok(text) => parse_event_line(line, text, now),
        Err(LineProblem::TooLong) => Err(vec![Rejection::new(
            line,
            "",
            &format!("the line is longer than {MAX_ROW_BYTES} bytes"),
        )]),
        Err(LineProblem::NotUtf8) => Err(vec![Rejection::new(line, "", "the line is not UTF-8")]),
    }
}
