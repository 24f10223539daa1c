//! `Pay` — the payment worker, fed by the payment queue only.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::LambdaEvent;
use serde::Deserialize;
use shop::adapters::saga::StepFunctionsTasks;
use shop::adapters::stripe::Stripe;
use shop::domain::ids::OrderId;
use shop::services::checkout as svc;
use shop::store::Store;
use shop::ShopError;

use crate::batch::{self, Records};

/// A payment task as the state machine queues it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaymentMessage {
    order_id: OrderId,
    task_token: String,
}

/// The payment worker: each queued order charged once, its task answered when the
/// outcome is known now (`svc::pay` decides); a success is answered by Stripe's webhook.
pub async fn pay(
    deps: &(Store, Stripe, StepFunctionsTasks),
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, crate::Error> {
    let (store, stripe, tokens) = deps;
    // The records of a batch are independent orders: charge them concurrently (the whole
    // batch at once), so one slow call to Stripe does not hold the others past their
    // reservation window.
    Ok(batch::sqs(event.payload, Records::concurrent(PAYMENT_BATCH), |record| async move {
        let id = record.message_id.unwrap_or_default();
        let Ok(message) = serde_json::from_str::<PaymentMessage>(record.body.as_deref().unwrap_or_default()) else {
            // Not a task of ours: retrying cannot help, and no execution waits on it.
            tracing::error!(message_id = %id, "unreadable payment message dropped");
            return Ok(());
        };
        let answer = svc::pay(store, stripe, tokens, &message.order_id, &message.task_token).await?;
        tracing::info!(message_id = %id, order_id = %message.order_id, ?answer, "payment step done");
        Ok::<_, ShopError>(())
    })
    .await)
}

/// The payment queue's batch size (template.yaml, `PaymentWorkerFunction`'s `BatchSize`).
const PAYMENT_BATCH: usize = 10;
