//! The checkout saga's functions — called by the state machine, the payment queue and
//! the table's stream, never by a route.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use shop::adapters::saga::{CheckoutStarter, StepFunctionsTasks, TaskTokens};
use shop::adapters::stripe::Stripe;
use shop::domain::ids::OrderId;
use shop::domain::order::{FRAUD_REVIEW, PAYMENT_DECLINED};
use shop::services::checkout as svc;
use shop::services::payments::{self, PaymentStep};
use shop::store::Store;
use shop::ShopError;

use crate::stream::{StreamBatch, StreamBatchResponse};

/// A task's input from the state machine.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderTask {
    pub order_id: OrderId,
}

/// The error a task fails with: its `error_type` is what the state machine's
/// `Retry`/`Catch` match (`FraudReview`, or `ShopError` for anything to retry).
fn task_error(error_type: &str, message: impl ToString) -> Diagnostic {
    Diagnostic {
        error_type: error_type.to_owned(),
        error_message: message.to_string(),
    }
}

/// A step's failure: `ShopUnavailable` when a dependency (Stripe, a throttled table) may
/// recover, which the state machine retries with backoff; `ShopError` otherwise.
fn failed(err: ShopError) -> Diagnostic {
    tracing::error!(error = %err, "checkout step failed");
    match err {
        ShopError::Unavailable(_) => task_error("ShopUnavailable", err),
        _ => task_error("ShopError", err),
    }
}

/// The fraud check: `{"score": n}`, or the error `FraudReview` (with the factors) when
/// the order must not be charged.
pub async fn fraud_check(
    deps: &(Store, Stripe),
    event: LambdaEvent<OrderTask>,
) -> Result<Value, Diagnostic> {
    let (store, stripe) = deps;
    let id = event.payload.order_id;
    let assessment = svc::fraud_check(store, stripe, &id).await.map_err(failed)?;
    tracing::info!(order_id = %id, score = assessment.score, review = assessment.review, "fraud check");
    if assessment.review {
        return Err(task_error(FRAUD_REVIEW, json!(assessment)));
    }
    Ok(json!({ "score": assessment.score }))
}

/// What the state machine caught (`$.failure`): the error's name; its cause may be
/// empty, null or absent.
#[derive(Debug, Deserialize)]
pub struct Failure {
    #[serde(rename = "Error")]
    pub error: String,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum SettleTask {
    #[serde(rename_all = "camelCase")]
    Confirm { order_id: OrderId },
    #[serde(rename_all = "camelCase")]
    Cancel { order_id: OrderId, failure: Failure },
}

/// The settle step's answer: the mail for the next state to queue (always the key,
/// `null` when there is no one to write to).
#[derive(Debug, Serialize)]
pub struct Settled {
    pub mail: Option<Value>,
}

/// Confirm (paid) or cancel (anything else) an order; both are idempotent.
pub async fn settle(
    deps: &(Store, Stripe),
    event: LambdaEvent<SettleTask>,
) -> Result<Settled, Diagnostic> {
    let (store, stripe) = deps;
    let mail = match &event.payload {
        SettleTask::Confirm { order_id } => svc::confirm(store, stripe, order_id, None).await,
        SettleTask::Cancel { order_id, failure } => {
            svc::cancel(store, stripe, order_id, &failure.error).await
        }
    }
    .map_err(failed)?;
    Ok(Settled {
        mail: mail.map(|m| serde_json::to_value(m).unwrap_or(Value::Null)),
    })
}

/// A payment task as the state machine queues it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PaymentMessage {
    order_id: OrderId,
    task_token: String,
}

/// The payment worker: charges each queued order once and answers its task when the
/// outcome is known now (a decline); a success is answered by Stripe's webhook.
pub async fn pay(
    deps: &(Store, Stripe, StepFunctionsTasks),
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, crate::Error> {
    let (store, stripe, tokens) = deps;
    // The records of a batch are independent orders: charge them concurrently, so one
    // slow call to Stripe does not hold the others past their reservation window.
    let outcomes = futures_util::future::join_all(event.payload.records.into_iter().map(|record| async move {
        let id = record.message_id.unwrap_or_default();
        let Ok(message) = serde_json::from_str::<PaymentMessage>(record.body.as_deref().unwrap_or_default()) else {
            // Not a task of ours: retrying cannot help, and no execution waits on it.
            tracing::error!(message_id = %id, "unreadable payment message dropped");
            return (id, true);
        };
        let outcome = async {
            let answer = match payments::start_payment(store, stripe, &message.order_id, &message.task_token).await? {
                PaymentStep::Declined { code } => Some(tokens.fail(&message.task_token, PAYMENT_DECLINED, &code).await?),
                PaymentStep::Succeeded { intent_id } => {
                    Some(tokens.succeed(&message.task_token, &payments::paid_output(&intent_id)).await?)
                }
                PaymentStep::Waiting | PaymentStep::NotPending => None,
            };
            Ok::<_, ShopError>(answer)
        }
        .await;
        match outcome {
            Ok(answer) => {
                tracing::info!(message_id = %id, order_id = %message.order_id, ?answer, "payment step done");
                (id, true)
            }
            Err(err) => {
                tracing::warn!(message_id = %id, order_id = %message.order_id, error = %err, "payment step failed; left for retry");
                (id, false)
            }
        }
    }))
    .await;
    let mut response = SqsBatchResponse::default();
    for (id, done) in outcomes {
        if !done {
            response.add_failure(id);
        }
    }
    Ok(response)
}

/// The backstop starter: every new order's execution is started from the table's
/// stream too, so an order whose `POST /orders` failed to start it (the function died,
/// Step Functions was unreachable) still gets its saga — and with it the timeout that
/// releases its stock. Starting an execution that runs is a no-op.
pub async fn start_checkout(
    starter: &CheckoutStarter,
    event: LambdaEvent<StreamBatch>,
) -> Result<StreamBatchResponse, crate::Error> {
    let mut response = StreamBatchResponse::default();
    for (sequence, id) in event.payload.new_orders() {
        let Some(id) = id else {
            tracing::warn!(sequence, "stream record without an order id skipped");
            continue;
        };
        if let Err(err) = starter.start(&id).await {
            tracing::warn!(order_id = %id, error = %err, "starting the checkout failed; the stream retries");
            response.add_failure(sequence);
            // Records after a failure are retried with it: stop here.
            break;
        }
        tracing::info!(order_id = %id, "checkout started (stream)");
    }
    Ok(response)
}
