//! The carrier's side of fulfilment — the hand-off, run by the schedule only; the
//! carrier's event files, fed by the carrier inbox queue only; and its coverage file, fed
//! by the coverage queue only (no route reaches any of them).

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Diagnostic, LambdaEvent};
use shop::adapters::carrier::Carrier;
use shop::adapters::mail::SqsMailQueue;
use shop::domain::fulfilment::RunId;
use shop::services::fulfilment::handoff::{self, HandoffOutcome, HandoffSettings};
use shop::services::fulfilment::{coverage, tracking};
use shop::store::Store;

use crate::batch::{self, Records};
use crate::measure::{peak_memory_kib, reset_peak_memory};
use crate::schedule::ScheduledEvent;
use crate::uploaded::each_uploaded;

/// `carrier-handoff`: the collection slot the event was scheduled for, handed over once.
pub async fn hand_off(
    deps: &(Store, Carrier),
    event: LambdaEvent<ScheduledEvent>,
) -> Result<HandoffOutcome, Diagnostic> {
    let (store, carrier) = deps;
    let slot = RunId::slot_of(&event.payload.time).map_err(|e| Diagnostic {
        error_type: "ShopError".into(),
        error_message: format!("the scheduled event's {} {}", e.field, e.message),
    })?;
    let started = std::time::Instant::now();
    reset_peak_memory();
    let settings = HandoffSettings {
        carrier: carrier.name(),
        page_size: handoff::PAGE_SIZE,
    };
    // A failed run is retried by EventBridge's asynchronous invocation (the same slot,
    // so the same run, taken over once its heartbeat is stale) and by the next slot.
    let outcome = handoff::run(store, carrier, slot, settings)
        .await
        .map_err(|err| {
            tracing::error!(error = %err, "hand-off run failed");
            Diagnostic {
                error_type: "ShopError".into(),
                error_message: err.to_string(),
            }
        })?;
    tracing::info!(
        run_id = %outcome.run_id,
        outcome = ?outcome.outcome,
        shipments = outcome.shipments.unwrap_or(0),
        seconds = started.elapsed().as_secs_f64(),
        peak_rss_kib = peak_memory_kib().unwrap_or(0),
        "hand-off run"
    );
    Ok(outcome)
}

/// `carrier-events`: the carrier's event files, one S3 event per message of the carrier
/// inbox queue (S3's test event is dropped). A file whose application failed for a
/// transient reason is answered failed, so only its message is delivered again.
pub async fn track(
    deps: &(Store, Carrier, SqsMailQueue),
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, crate::Error> {
    let (store, carrier, mail) = deps;
    Ok(
        batch::sqs(event.payload, Records::ONE_AT_A_TIME, |message| {
            each_uploaded(message, |file| async move {
                let name = carrier.name();
                tracking::apply_file(store, carrier, mail, name, &file.key, &file.etag).await
            })
        })
        .await,
    )
}

/// `load-coverage`: the operator's coverage file, one S3 event per message of the coverage
/// queue (S3's test event is dropped); a load that failed for a transient reason is
/// answered failed, so only its message is delivered again.
pub async fn load_coverage(
    deps: &(Store, Carrier),
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, crate::Error> {
    let (store, carrier) = deps;
    Ok(
        batch::sqs(event.payload, Records::ONE_AT_A_TIME, |message| {
            each_uploaded(message, |upload| async move {
                let order = coverage::upload_order(&upload.sequencer, upload.event_millis);
                coverage::load(store, carrier, &upload.key, &upload.etag, &order).await
            })
        })
        .await,
    )
}
