//! The carrier hand-off, run by the schedule at each collection slot. Who may call: the
//! schedule (EventBridge) only; nothing a customer or seller sends reaches it.
//!
//! A run takes every shipment packed before its slot, hands each over (`ready` →
//! `handed_over`, with its order's status) and writes them, one line each, into the run's
//! one manifest for the carrier. The run is named by the slot, so a retried or duplicated
//! invocation finds the run done (and writes nothing) or running (and leaves it be); an
//! attempt that died partway is taken over once its heartbeat is stale, and the new
//! attempt's manifest lists what the dead one handed over too. A shipment packed during a
//! run is packed after the slot: it goes on the next one. Memory holds one page of
//! shipments and the orders being moved, however many shipments there are: the manifest
//! is written to a file as it grows and streamed to S3 at the end.

use futures_util::{StreamExt, TryStreamExt};
use serde::Serialize;
use std::io::Write;
use time::OffsetDateTime;

use crate::adapters::carrier::CarrierFiles;
use crate::clock::{now_sortable, sortable, unix_now};
use crate::domain::error::ShopError;
use crate::domain::fulfilment::{
    add_working_days, ManifestLine, RunId, Shipment, ShipmentEvent, ShipmentStatus,
};
use crate::store::{HandOverTo, MoveOutcome, OrderWithShipments, RunClaim, ShipmentPage, Store};

/// Seconds without a heartbeat after which a running attempt counts as dead.
pub const RUN_LEASE_SECONDS: i64 = 60;
/// Shipments read (and moved) per page; one heartbeat per page.
pub const PAGE_SIZE: i32 = 100;
/// Shipments moved at once (each reads its order and writes one transaction).
const CONCURRENT_MOVES: usize = 8;
/// Tries of one move that lost a race with another move of the same order.
const MOVE_ATTEMPTS: usize = 5;
/// Who hand-over moves are recorded as.
const BY_HANDOFF: &str = "system:carrier-handoff";
pub const MANIFEST_CONTENT_TYPE: &str = "application/x-ndjson";

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HandoffOutcome {
    pub run_id: String,
    pub outcome: RunOutcome,
    /// Lines of the run's manifest (`None` while another attempt runs it).
    pub shipments: Option<u64>,
    pub manifest_key: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// This invocation wrote the manifest.
    Written,
    /// The run had finished before: nothing written.
    AlreadyDone,
    /// Another attempt is running it: nothing done.
    RunningElsewhere,
}

/// How a run is carried out: the carrier's name on shipments and the page size.
pub struct HandoffSettings<'a> {
    pub carrier: &'a str,
    pub page_size: i32,
}

/// Runs the hand-off of the collection slot scheduled at `slot`.
pub async fn run<F: CarrierFiles + ?Sized>(
    store: &Store,
    files: &F,
    slot: OffsetDateTime,
    settings: HandoffSettings<'_>,
) -> Result<HandoffOutcome, ShopError> {
    let run = RunId::for_slot(slot);
    let token = uuid::Uuid::new_v4().simple().to_string();
    let outcome = |outcome, shipments| HandoffOutcome {
        run_id: run.to_string(),
        outcome,
        shipments,
        manifest_key: run.manifest_key(),
    };
    let takeover = match store
        .claim_handoff_run(&run, &token, unix_now(), RUN_LEASE_SECONDS)
        .await?
    {
        RunClaim::Claimed { takeover } => takeover,
        RunClaim::AlreadyDone { shipments } => {
            return Ok(outcome(RunOutcome::AlreadyDone, Some(shipments)))
        }
        RunClaim::RunningElsewhere => return Ok(outcome(RunOutcome::RunningElsewhere, None)),
    };
    let path = std::env::temp_dir().join(format!("{run}.{token}.jsonl"));
    let result = async {
        let lines = write_manifest(store, &run, &token, takeover, slot, &settings, &path).await?;
        let etag = files
            .put_file(&run.manifest_key(), &path, MANIFEST_CONTENT_TYPE)
            .await?;
        if store.finish_handoff_run(&run, &token, lines, &etag).await? {
            Ok(outcome(RunOutcome::Written, Some(lines)))
        } else {
            Err(taken_over(&run))
        }
    }
    .await;
    let _ = std::fs::remove_file(&path);
    result
}

fn taken_over(run: &RunId) -> ShopError {
    ShopError::Unavailable(format!(
        "hand-off run {run} was taken over by another attempt"
    ))
}

fn io_error(e: std::io::Error) -> ShopError {
    ShopError::internal(format!("the manifest's file: {e}"))
}

/// Hands over every shipment ready before the slot, writing each one's manifest line to
/// `path`; a takeover first writes the lines of what earlier attempts handed over.
/// Answers the number of lines.
async fn write_manifest(
    store: &Store,
    run: &RunId,
    token: &str,
    takeover: bool,
    slot: OffsetDateTime,
    settings: &HandoffSettings<'_>,
    path: &std::path::Path,
) -> Result<u64, ShopError> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io_error)?);
    let mut lines = 0u64;
    let mut write = |shipment: &Shipment, lines: &mut u64| -> Result<(), ShopError> {
        if let Some(line) = ManifestLine::of(shipment, run) {
            writeln!(file, "{}", line.to_json_line()).map_err(io_error)?;
            *lines += 1;
        }
        Ok(())
    };
    if takeover {
        let mut start = None;
        loop {
            let ShipmentPage { shipments, next } = store
                .handed_over_page(run, settings.page_size, start)
                .await?;
            for shipment in &shipments {
                write(shipment, &mut lines)?;
            }
            match next {
                Some(key) => start = Some(key),
                None => break,
            }
        }
    }
    let cutoff = sortable(slot);
    let mut start = None;
    loop {
        let ShipmentPage { shipments, next } = store
            .ready_shipments_page(&cutoff, settings.page_size, start)
            .await?;
        let moved: Vec<Option<Shipment>> = futures_util::stream::iter(shipments)
            .map(|shipment| hand_over(store, run, token, settings.carrier, slot, shipment))
            .buffer_unordered(CONCURRENT_MOVES)
            .try_collect()
            .await?;
        for shipment in moved.iter().flatten() {
            write(shipment, &mut lines)?;
        }
        if !store.heartbeat_handoff_run(run, token, unix_now()).await? {
            return Err(taken_over(run));
        }
        match next {
            Some(key) => start = Some(key),
            None => break,
        }
    }

    file.flush().map_err(io_error)?;
    Ok(lines)
}

/// Moves one shipment read as ready to `handed_over`, with its order's status. Answers
/// the shipment when this attempt handed it over (so it goes on this manifest), `None`
/// when it is not ready any more: cancelled meanwhile, or handed over by another run or
/// an earlier attempt of this one (whose lines a takeover already wrote). The shipment's
/// estimated delivery becomes the slot's date plus the carrier's transit days to it.
async fn hand_over(
    store: &Store,
    run: &RunId,
    token: &str,
    carrier: &str,
    slot: OffsetDateTime,
    read: Shipment,
) -> Result<Option<Shipment>, ShopError> {
    for _ in 0..MOVE_ATTEMPTS {
        let Some(OrderWithShipments {
            order, shipments, ..
        }) = store.order_with_shipments(&read.order_id).await?
        else {
            return Ok(None);
        };
        let Some(shipment) = shipments.iter().find(|s| s.id == read.id) else {
            return Ok(None);
        };
        if shipment.status != ShipmentStatus::Ready {
            // A retried call of ours that had been written: it is this attempt's.
            let ours = shipment.status == ShipmentStatus::HandedOver
                && shipment.handoff_run_id.as_deref() == Some(run.as_str())
                && shipment.handoff_token.as_deref() == Some(token);
            return Ok(ours.then(|| shipment.clone()));
        }
        let now = now_sortable();
        let order_entry = super::order_follows(
            &order,
            &shipments,
            &read.id,
            ShipmentStatus::HandedOver,
            &now,
            BY_HANDOFF,
            format!("shipment {} handed to {carrier} (run {run})", read.id),
        )?;
        let entry = ShipmentEvent {
            at: now,
            from: Some(ShipmentStatus::Ready),
            to: ShipmentStatus::HandedOver,
            by: BY_HANDOFF.into(),
            why: Some(format!("on {carrier}'s manifest {run}")),
        };
        let estimate = order
            .transit_days
            .map(|days| add_working_days(slot.date(), days).to_string());
        match store
            .hand_over(
                &order,
                shipment,
                HandOverTo {
                    run,
                    token,
                    carrier,
                    estimated_delivery: estimate.as_deref(),
                },
                &entry,
                order_entry.as_ref(),
            )
            .await?
        {
            MoveOutcome::Written => return Ok(Some(shipment.clone())),
            MoveOutcome::Changed => continue,
        }
    }
    Err(ShopError::Unavailable(format!(
        "shipment {} kept changing; the run is retried",
        read.id
    )))
}
