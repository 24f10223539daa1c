//! The carrier's side of fulfilment — the hand-off, run by the schedule only (no route
//! reaches it).

use lambda_runtime::{Diagnostic, LambdaEvent};
use shop::adapters::carrier::Carrier;
use shop::domain::fulfilment::RunId;
use shop::services::fulfilment::handoff::{self, HandoffOutcome, HandoffSettings};
use shop::store::Store;

use crate::measure::{peak_memory_kib, reset_peak_memory};
use crate::schedule::ScheduledEvent;

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
