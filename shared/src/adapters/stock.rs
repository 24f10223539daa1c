//! Low stock's two outlets: the watcher's FIFO queue (`StockWatchQueue.fifo`, fed by the
//! table stream's product reader, one message group per variant so a variant's watches
//! are taken in the order its changes were made) and the shop's event bus, where each
//! alert is published as `stock.low` for sellers' purchasing systems to subscribe to.

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;

use crate::domain::error::ShopError;
use crate::domain::stock::{StockLowEvent, StockWatch};

/// Where the stream's reader hands variants to the watcher.
#[derive(Clone, Debug)]
pub struct StockWatchQueue {
    client: aws_sdk_sqs::Client,
    url: String,
}

impl StockWatchQueue {
    pub fn new(client: aws_sdk_sqs::Client, url: String) -> Self {
        StockWatchQueue { client, url }
    }

    /// Queues `watches` in order, ten to a call, each deduplicated by its key (the stream
    /// record's sequence number: a retried batch's repeat is dropped within SQS's
    /// five-minute deduplication window). On a failure, the position of the first watch
    /// not known to be queued, and why.
    pub async fn send_in_order(
        &self,
        watches: &[(String, StockWatch)],
    ) -> Result<(), (usize, ShopError)> {
        const MOST_PER_CALL: usize = 10;
        for (call, chunk) in watches.chunks(MOST_PER_CALL).enumerate() {
            let first = call * MOST_PER_CALL;
            let failed = |e: String| {
                (
                    first,
                    ShopError::Unavailable(format!("queueing stock watches: {e}")),
                )
            };
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, (dedup, watch))| {
                    let body = serde_json::to_string(watch).map_err(|e| e.to_string())?;
                    SendMessageBatchRequestEntry::builder()
                        .id(i.to_string())
                        .message_body(body)
                        .message_group_id(watch.group())
                        .message_deduplication_id(dedup)
                        .build()
                        .map_err(|e| e.to_string())
                })
                .collect::<Result<Vec<_>, String>>()
                .map_err(failed)?;
            let out = self
                .client
                .send_message_batch()
                .queue_url(&self.url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| failed(aws_sdk_sqs::error::DisplayErrorContext(e).to_string()))?;
            if let Some(entry) = out
                .failed()
                .iter()
                .min_by_key(|f| f.id().parse::<usize>().unwrap_or(0))
            {
                let at = first + entry.id().parse::<usize>().unwrap_or(0);
                return Err((
                    at,
                    ShopError::Unavailable(format!(
                        "queueing the stock watch of {}: {} ({})",
                        watches[at].1.sku,
                        entry.message().unwrap_or("refused"),
                        entry.code()
                    )),
                ));
            }
        }
        Ok(())
    }
}

/// Where stock alerts are published: the shop's EventBridge bus ([`ShopEventBus`]), a
/// recording fake in the service tests.
#[async_trait::async_trait]
pub trait StockEvents: Send + Sync {
    async fn stock_low(&self, event: &StockLowEvent) -> Result<(), ShopError>;
}

/// The event source of inventory events on the bus.
pub const INVENTORY_SOURCE: &str = "shop.inventory";
/// The detail type of a low-stock alert.
pub const STOCK_LOW: &str = "stock.low";

/// The shop's EventBridge bus (`ShopEventBus`).
#[derive(Clone, Debug)]
pub struct ShopEventBus {
    client: aws_sdk_eventbridge::Client,
    name: String,
}

impl ShopEventBus {
    pub fn new(client: aws_sdk_eventbridge::Client, name: String) -> Self {
        ShopEventBus { client, name }
    }
}

#[async_trait::async_trait]
impl StockEvents for ShopEventBus {
    async fn stock_low(&self, event: &StockLowEvent) -> Result<(), ShopError> {
        let detail = serde_json::to_string(event).map_err(ShopError::internal)?;
        let entry = aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
            .event_bus_name(&self.name)
            .source(INVENTORY_SOURCE)
            .detail_type(STOCK_LOW)
            .detail(detail)
            .build();
        let out = self
            .client
            .put_events()
            .entries(entry)
            .send()
            .await
            .map_err(|e| {
                ShopError::Unavailable(format!(
                    "publishing stock.low {}: {}",
                    event.alert_id,
                    aws_sdk_eventbridge::error::DisplayErrorContext(e)
                ))
            })?;
        // PutEvents answers 200 with per-entry failures: one failed entry is a failure.
        if out.failed_entry_count() > 0 {
            let why = out
                .entries()
                .iter()
                .filter_map(|e| e.error_message())
                .collect::<Vec<_>>()
                .join("; ");
            return Err(ShopError::Unavailable(format!(
                "publishing stock.low {}: {why}",
                event.alert_id
            )));
        }
        Ok(())
    }
}
