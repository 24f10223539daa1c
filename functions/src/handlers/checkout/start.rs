//! The order stream's reader: the backstop starter of new orders' checkouts, the
//! hand-over of refund claims to the refund worker, and of confirmed orders to the
//! co-purchase counter.

use lambda_runtime::LambdaEvent;
use shop::adapters::copurchase::CoPurchaseQueue;
use shop::adapters::refunds::{RefundMessage, SqsRefundQueue};
use shop::adapters::saga::{CheckoutStarter, StartCheckout};
use shop::ShopError;

use crate::batch::{self, Records};
use crate::stream::{OrderChange, StreamBatch, StreamBatchResponse};

/// Every new order's execution is started from the table's stream too, so an order
/// whose `POST /orders` failed to start it (the function died, Step Functions was
/// unreachable) still gets its saga — and with it the timeout that releases its stock.
/// Starting an execution that runs is a no-op.
///
/// Every refund claimed (written on an order by the change that owes it, or put back to
/// pending by an operator's retry) is queued for the refund worker: the claim is in the
/// table first, so no refund depends on its writer living to queue it.
pub async fn start_checkout(
    deps: &(CheckoutStarter, SqsRefundQueue, CoPurchaseQueue),
    event: LambdaEvent<StreamBatch>,
) -> Result<StreamBatchResponse, crate::Error> {
    let (starter, refunds, copurchases) = deps;
    Ok(batch::stream(
        event.payload.order_changes(),
        Records::IN_ORDER,
        |change| async move {
            match change {
                OrderChange::Placed(id) => {
                    starter.start(&id).await?;
                    tracing::info!(order_id = %id, "checkout started (stream)");
                }
                OrderChange::RefundClaimed {
                    order_id,
                    refund_id,
                } => {
                    refunds
                        .send(&RefundMessage {
                            order_id: order_id.clone(),
                            refund_id: refund_id.clone(),
                            failure_code: None,
                        })
                        .await?;
                    tracing::info!(%order_id, refund = %refund_id, "refund queued");
                }
                OrderChange::Confirmed(id) => {
                    copurchases.send(&id).await?;
                    tracing::info!(order_id = %id, "queued for co-purchase counts");
                }
                OrderChange::Other => tracing::warn!("stream record of neither kind skipped"),
            }
            Ok::<_, ShopError>(())
        },
    )
    .await)
}
