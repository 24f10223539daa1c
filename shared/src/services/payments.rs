//! The payment steps of the checkout: the payment worker's charge, Stripe's webhook,
//! and keeping no money for a cancelled order. Who may call: the payment queue, Stripe
//! (by a verified signature) and the checkout's settle step — never a customer.
//!
//! A card is charged at most once per order and refunded at most once, however often
//! a step runs (redeliveries, retries, a webhook racing the reservation's timeout).

use serde_json::json;

use super::checkout::{order as load_order, CHECKOUT};
use crate::adapters::saga::{TaskAnswer, TaskTokens};
use crate::adapters::stripe::{IntentAnswer, IntentRequest, PaymentGateway};
use crate::domain::error::ShopError;
use crate::domain::ids::OrderId;
use crate::domain::money::Money;
use crate::domain::order::{HistoryEntry, Order, OrderStatus, PaymentStatus, PAYMENT_DECLINED};
use crate::domain::payment::{IntentStatus, PaymentEvent, PaymentIntent};
use crate::store::{now_rfc3339, now_sortable, Store};

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
        IntentAnswer::Intent(confirmed) => step_for(&confirmed, false),
        IntentAnswer::Declined { code } => PaymentStep::Declined { code },
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
                .last_payment_error
                .as_ref()
                .and_then(|e| e.code.clone())
                .unwrap_or_else(|| "payment_failed".into()),
        },
    }
}

/// The success output of the payment task.
pub fn paid_output(intent_id: &str) -> serde_json::Value {
    json!({ "paymentIntentId": intent_id })
}

/// Acts on a verified Stripe event: completes or fails the order's payment task, and
/// refunds a payment that arrived for an order the saga has already cancelled.
///
/// The event only says which intent to look at; Stripe, asked for it, says what
/// happened. An intent other than the one recorded on the order is never the order's
/// payment: if it took money for the order, that money is refunded and recorded.
pub async fn payment_event<G: PaymentGateway + ?Sized, T: TaskTokens + ?Sized>(
    store: &Store,
    gateway: &G,
    tokens: &T,
    event: PaymentEvent,
) -> Result<(), ShopError> {
    let (claimed, succeeded) = match event {
        PaymentEvent::Succeeded(intent) => (intent, true),
        PaymentEvent::Failed(intent) => (intent, false),
        PaymentEvent::Ignored(kind) => {
            tracing::info!(kind, "webhook event ignored");
            return Ok(());
        }
    };
    let Some(id) = claimed.order_id().and_then(|id| OrderId::parse(id).ok()) else {
        tracing::warn!(intent = %claimed.id, "a PaymentIntent without an order id: not the shop's");
        return Ok(());
    };
    let Some((order, token)) = store.order_and_token(&id).await? else {
        tracing::warn!(order_id = %id, "webhook for an unknown order");
        return Ok(());
    };
    if order.payment.payment_intent_id.as_deref() != Some(claimed.id.as_str()) {
        if succeeded {
            refund_stray_payment(store, gateway, &order, &claimed.id).await?;
        } else {
            tracing::info!(order_id = %id, intent = %claimed.id, "a failure of an intent that is not the order's: ignored");
        }
        return Ok(());
    }
    let intent = gateway.intent(&claimed.id).await?;
    if !pays_for(&intent, &order) {
        tracing::error!(order_id = %id, intent = %intent.id, "intent amount or currency differs from the order: ignored");
        return Ok(());
    }
    let outcome_known = match intent.status {
        IntentStatus::Succeeded => succeeded,
        IntentStatus::RequiresPaymentMethod | IntentStatus::Canceled => !succeeded,
        _ => false,
    };
    if !outcome_known {
        tracing::warn!(order_id = %id, intent = %intent.id, event_says_succeeded = succeeded, stripe_says = ?intent.status,
            "the event and Stripe disagree: nothing done (Stripe's own event for the real outcome follows)");
        return Ok(());
    }
    match (order.status, succeeded) {
        (OrderStatus::PendingPayment, true) => {
            let token = token.ok_or_else(|| {
                ShopError::Unavailable("the payment task has no token yet".into())
            })?;
            if tokens.succeed(&token, &paid_output(&intent.id)).await? == TaskAnswer::MovedOn {
                // The reservation timed out first. Once the order is cancelled the payment
                // is refunded, here or by the cancel step, whichever comes first.
                let now = load_order(store, &id).await?;
                if now.status == OrderStatus::Cancelled {
                    refund(store, gateway, &now, &intent).await?;
                }
            }
        }
        (OrderStatus::PendingPayment, false) => {
            if let Some(token) = token {
                let code = intent
                    .last_payment_error
                    .and_then(|e| e.code)
                    .unwrap_or_else(|| "payment_failed".into());
                tokens.fail(&token, PAYMENT_DECLINED, &code).await?;
            }
        }
        (OrderStatus::Cancelled, true) => refund(store, gateway, &order, &intent).await?,
        _ => {}
    }
    Ok(())
}

/// The intent is for the order's amount, in its currency.
fn pays_for(intent: &PaymentIntent, order: &Order) -> bool {
    intent.amount == order.total.amount
        && intent
            .currency
            .eq_ignore_ascii_case(order.currency.as_str())
}

/// A payment for the order through an intent that is not the order's own (its metadata
/// names the order, but the order records another intent, or none): the order is not
/// paid by it, and the money goes back — once, claimed per intent, and recorded on the
/// order's history. Stripe is asked whether it really succeeded for this order.
async fn refund_stray_payment<G: PaymentGateway + ?Sized>(
    store: &Store,
    gateway: &G,
    order: &Order,
    intent_id: &str,
) -> Result<(), ShopError> {
    let intent = gateway.intent(intent_id).await?;
    if intent.status != IntentStatus::Succeeded || intent.order_id() != Some(order.id.as_str()) {
        tracing::warn!(order_id = %order.id, intent = %intent_id, status = ?intent.status,
            "a success event for a stray intent Stripe does not show succeeded for this order: ignored");
        return Ok(());
    }
    if !store
        .claim_stray_refund(
            &order.id,
            &intent.id,
            intent.amount,
            &intent.currency,
            &now_rfc3339(),
        )
        .await?
    {
        return Ok(());
    }
    let refund_id = match gateway
        .refund(
            &intent.id,
            intent.amount,
            &format!("{}-stray-refund", intent.id),
        )
        .await
    {
        Ok(id) => id,
        Err(err) => {
            store
                .release_stray_refund_claim(&order.id, &intent.id)
                .await?;
            return Err(err);
        }
    };
    tracing::warn!(order_id = %order.id, intent = %intent.id, refund = %refund_id, "a stray payment for the order was refunded");
    let entry = HistoryEntry {
        at: now_sortable(),
        status: order.status,
        by: CHECKOUT.into(),
        reason: Some(format!(
            "a payment {} that is not this order's own succeeded: refunded in full ({refund_id})",
            intent.id
        )),
    };
    store
        .record_stray_refund(&order.id, &intent.id, &refund_id, &entry)
        .await
}

/// Refunds a succeeded payment of a cancelled order, once: the claim on the order
/// decides which of the racing callers refunds; Stripe's idempotency key makes a
/// retried call safe.
async fn refund<G: PaymentGateway + ?Sized>(
    store: &Store,
    gateway: &G,
    order: &Order,
    intent: &PaymentIntent,
) -> Result<(), ShopError> {
    if intent.status != IntentStatus::Succeeded
        || !store.claim_refund(&order.id, &now_rfc3339()).await?
    {
        return Ok(());
    }
    let refund_id = match gateway
        .refund(&intent.id, intent.amount, &format!("{}-refund", order.id))
        .await
    {
        Ok(id) => id,
        Err(err) => {
            store.release_refund_claim(&order.id).await?;
            return Err(err);
        }
    };
    let entry = HistoryEntry {
        at: now_sortable(),
        status: OrderStatus::Cancelled,
        by: CHECKOUT.into(),
        reason: Some(format!(
            "the order was cancelled after payment {} succeeded: refunded in full ({refund_id})",
            intent.id
        )),
    };
    store
        .record_refund(
            &order.id,
            &refund_id,
            Money::new(intent.amount, order.currency),
            &entry,
        )
        .await
}

/// A cancelled order keeps no money: an intent still open is cancelled; one that
/// succeeded (or succeeds while being cancelled) is refunded — here, or by the webhook
/// if it took the refund first. Returns the amount the customer paid and gets back,
/// `None` when nothing was charged.
pub(crate) async fn release_payment<G: PaymentGateway + ?Sized>(
    store: &Store,
    gateway: &G,
    order: &Order,
) -> Result<Option<i64>, ShopError> {
    let Some(intent_id) = &order.payment.payment_intent_id else {
        return Ok(None);
    };
    let mut intent = gateway.intent(intent_id).await?;
    if intent.status.cancellable() {
        if gateway.cancel_intent(intent_id).await?.is_some() {
            store
                .record_payment_status(&order.id, PaymentStatus::Canceled)
                .await?;
            return Ok(None);
        }
        // Refused: it succeeded in the meantime.
        intent = gateway.intent(intent_id).await?;
    }
    refund(store, gateway, order, &intent).await?;
    Ok((intent.status == IntentStatus::Succeeded).then_some(intent.amount))
}
