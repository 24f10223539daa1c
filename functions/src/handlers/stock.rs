//! Low stock: the watcher, fed by the FIFO queue the table stream's product reader
//! (`index-products`) fills with the variants whose stock disagrees with their low-stock
//! flag — never by a route. `services::stock` holds the rules' use.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::LambdaEvent;
use shop::adapters::mail::SqsMailQueue;
use shop::adapters::stock::ShopEventBus;
use shop::domain::stock::StockWatch;
use shop::services::stock::{self as svc, StockSettings};
use shop::store::Store;
use shop::ShopError;

use crate::batch::{self, Records};

/// Each queued variant in turn. The queue is FIFO: a failed message and every message
/// after it in the batch are given back, so a variant's watches are never taken out of
/// order (after five failures, the dead-letter queue).
pub async fn watch_stock(
    deps: &(Store, SqsMailQueue, ShopEventBus, StockSettings),
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, crate::Error> {
    let (store, mail, bus, settings) = deps;
    Ok(batch::sqs(event.payload, Records::IN_ORDER, |record| async move {
        let body = record.body.as_deref().unwrap_or_default();
        // Unreadable: a bug upstream; failing it lands it in the dead-letter queue.
        let watch: StockWatch = serde_json::from_str(body)
            .map_err(|e| ShopError::Malformed(format!("stock watch: {e}")))?;
        let outcome = svc::watch(store, mail, bus, *settings, &watch).await?;
        tracing::info!(product_id = %watch.product_id, sku = %watch.sku, ?outcome, "stock watched");
        Ok::<_, ShopError>(())
    })
    .await)
}
