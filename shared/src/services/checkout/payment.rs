//! `Pay`: the payment worker charges the order once and answers the task when the
//! outcome is known now; a success is otherwise answered by Stripe's webhook.

use serde_json::json;

use crate::adapters::saga::{TaskAnswer, TaskTokens};
use crate::adapters::stripe::{IntentAnswer, IntentRequest, PaymentGateway};
use crate::domain::error::ShopError;
use crate::domain::ids::OrderId;
use crate::domain::order::{PaymentStatus, CUSTOMER_CANCELLED, PAYMENT_DECLINED};
use crate::domain::payment::{IntentStatus, PaymentIntent};
use crate::store::Store;
use crate::telemetry;

/// A charge Stripe refused outright (its answer names no intent status).
const DECLINED: &str = "declined";

/// Where a payment stands after the worker's turn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentStep {
    /// The order left `pending_payment` before the worker came: nothing to charge.
    NotPending,
    /// Charged or in progress; Stripe's webhook will say how it ends.
    Waiting,
    /// The intent already succeeded (a redelivered message): the task can be completed now.
    Succeeded {
        intent_id: String,
    },
    Declined {
        code: String,
    },
    /// Its customer (or an admin) asked to cancel it before the charge: nothing is charged,
    /// and the task fails so the saga cancels it (`reason`: theirs).
    CancelRequested {
        reason: String,
    },
}

/// The payment worker's whole turn for one queued task: the charge ([`start_payment`]),
/// then the task's answer when the outcome is known now — a decline fails it, a success
/// found already there (a redelivered message) completes it; otherwise Stripe's webhook
/// answers it later. `None` when nothing was answered.
pub async fn pay<G: PaymentGateway + ?Sized, T: TaskTokens + ?Sized>(
    store: &Store,
    gateway: &G,
    tokens: &T,
    id: &OrderId,
    token: &str,
) -> Result<Option<TaskAnswer>, ShopError> {
    Ok(match start_payment(store, gateway, id, token).await? {
        PaymentStep::Declined { code } => Some(tokens.fail(token, PAYMENT_DECLINED, &code).await?),
        PaymentStep::CancelRequested { reason } => {
            Some(tokens.fail(token, CUSTOMER_CANCELLED, &reason).await?)
        }
        PaymentStep::Succeeded { intent_id } => {
            Some(tokens.succeed(token, &paid_output(&intent_id)).await?)
        }
        PaymentStep::Waiting | PaymentStep::NotPending => None,
    })
}

/// The payment worker's step: keep the task's token on the order, then create and
/// confirm the order's one PaymentIntent. The intent is recorded on the order before it
/// is confirmed, under a condition, so a redelivered message finds and reuses it and
/// never makes a second charge (Stripe's idempotency keys, the order id, cover a crash
/// between Stripe's answer and the record).
pub async fn start_payment<G: PaymentGateway + ?Sized>(
    store: &Store,
    gateway: &G,
    id: &OrderId,
    token: &str,
) -> Result<PaymentStep, ShopError> {
    let Some(order) = store.record_task_token(id, token).await? else {
        return Ok(PaymentStep::NotPending);
    };
    // Asked to cancel before the token was stored (so no one could fail the task yet):
    // this step does, before any charge. A request after the token's write finds it.
    if let Some(request) = &order.cancel_request {
        return Ok(PaymentStep::CancelRequested {
            reason: request.reason.clone(),
        });
    }
    let intent = match &order.payment.payment_intent_id {
        Some(existing) => gateway.intent(existing).await?,
        None => {
            let request = IntentRequest {
                order_id: order.id.as_str(),
                amount: order.total.amount,
                currency: order.currency.as_str(),
                payment_method: order.payment_method_id.as_str(),
            };
            let created = match gateway
                .create_intent(&request, &format!("{}-create", order.id))
                .await?
            {
                IntentAnswer::Intent(created) => created,
                // Stripe refuses the payment as asked (an unknown PaymentMethod, say): the
                // order is cancelled now and its stock released, not held until the window ends.
                IntentAnswer::Declined { code } => {
                    store
                        .record_payment_status(&order.id, PaymentStatus::Failed)
                        .await?;
                    telemetry::payment_outcome(order.id.as_str(), DECLINED);
                    return Ok(PaymentStep::Declined { code });
                }
            };
            if store.record_payment_intent(&order.id, &created.id).await? {
                created
            } else {
                // Another delivery recorded its intent first. This one was never confirmed,
                // so it cannot have charged: cancel it and follow the recorded one.
                if let Err(err) = gateway.cancel_intent(&created.id).await {
                    tracing::warn!(order_id = %order.id, intent = %created.id, error = %err, "cancelling a duplicate intent failed");
                }
                let (now, _) = store
                    .order_and_token(&order.id)
                    .await?
                    .ok_or(ShopError::NotFound("order"))?;
                let recorded = now
                    .payment
                    .payment_intent_id
                    .ok_or_else(|| ShopError::internal("intent record vanished"))?;
                return Ok(step_for(&gateway.intent(&recorded).await?, true));
            }
        }
    };
    if intent.status != IntentStatus::RequiresConfirmation {
        return Ok(step_for(&intent, true));
    }
    let step = match gateway
        .confirm_intent(&intent.id, &format!("{}-confirm", order.id))
        .await?
    {
        IntentAnswer::Intent(confirmed) => {
            telemetry::payment_outcome(order.id.as_str(), confirmed.status.outcome());
            step_for(&confirmed, false)
        }
        IntentAnswer::Declined { code } => {
            telemetry::payment_outcome(order.id.as_str(), DECLINED);
            PaymentStep::Declined { code }
        }
    };
    if let PaymentStep::Declined { .. } = step {
        store
            .record_payment_status(&order.id, PaymentStatus::Failed)
            .await?;
    }
    Ok(step)
}

/// What an intent's status means for the task. A success seen on the first confirmation
/// waits for the webhook (it completes the task); one found already there completes it now.
fn step_for(intent: &PaymentIntent, found_existing: bool) -> PaymentStep {
    match intent.status {
        IntentStatus::Succeeded if found_existing => PaymentStep::Succeeded {
            intent_id: intent.id.clone(),
        },
        IntentStatus::Succeeded
        | IntentStatus::RequiresAction
        | IntentStatus::Processing
        | IntentStatus::RequiresCapture
        | IntentStatus::RequiresConfirmation => PaymentStep::Waiting,
        IntentStatus::RequiresPaymentMethod | IntentStatus::Canceled => PaymentStep::Declined {
            code: intent
                .decline_code
                .clone()
                .unwrap_or_else(|| "payment_failed".into()),
        },
    }
}

/// The success output of the payment task.
pub fn paid_output(intent_id: &str) -> serde_json::Value {
    json!({ "paymentIntentId": intent_id })
}
