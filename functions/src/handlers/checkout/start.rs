//! The backstop starter, fed by the table's stream (new orders only).

use lambda_runtime::LambdaEvent;
use shop::adapters::saga::{CheckoutStarter, StartCheckout};
use shop::ShopError;

use crate::batch::{self, Records};
use crate::stream::{StreamBatch, StreamBatchResponse};

/// The backstop starter: every new order's execution is started from the table's
/// stream too, so an order whose `POST /orders` failed to start it (the function died,
/// Step Functions was unreachable) still gets its saga — and with it the timeout that
/// releases its stock. Starting an execution that runs is a no-op.
pub async fn start_checkout(
    starter: &CheckoutStarter,
    event: LambdaEvent<StreamBatch>,
) -> Result<StreamBatchResponse, crate::Error> {
    Ok(batch::stream(
        event.payload.new_orders(),
        Records::IN_ORDER,
        |id| async move {
            let Some(id) = id else {
                tracing::warn!("stream record without an order id skipped");
                return Ok(());
            };
            starter.start(&id).await?;
            tracing::info!(order_id = %id, "checkout started (stream)");
            Ok::<_, ShopError>(())
        },
    )
    .await)
}
