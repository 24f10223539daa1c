//! The checkout saga's steps, each called by the workflow (or by Stripe's webhook) with
//! an order id. Who may call: the checkout state machine, the payment queue and Stripe
//! (by a verified signature) — never a customer directly.
//!
//! Every step may run more than once (retries, redeliveries, a webhook racing a
//! timeout) and must leave the same result: the order's status moves once, stock is
//! sold or released once, a card is charged at most once and refunded at most once.

use serde_json::json;

use crate::adapters::saga::{TaskAnswer, TaskTokens};
use crate::adapters::stripe::{Confirmation, IntentRequest, PaymentGateway};
use crate::domain::error::ShopError;
use crate::domain::fraud::{assess, RiskAssessment, RiskSignals};
use crate::domain::ids::OrderId;
use crate::domain::mail::Mail;
use crate::domain::money::Money;
use crate::domain::order::{
    CancelReason, HistoryEntry, Order, OrderStatus, PaymentStatus, PAYMENT_DECLINED,
};
use crate::domain::payment::{IntentStatus, PaymentEvent, PaymentIntent};
use crate::store::{now_rfc3339, now_sortable, sortable, Settlement, Store};

/// Who the saga's own history entries name.
const CHECKOUT: &str = "system:checkout";

async fn order(store: &Store, id: &OrderId) -> Result<Order, ShopError> {
    store
        .get_order(id)
        .await?
        .ok_or(ShopError::NotFound("order"))
}

/// Scores the order's risk from its customer's history, its card and the shipping address.
pub async fn fraud_check<G: PaymentGateway + ?Sized>(
    store: &Store,
    gateway: &G,
    id: &OrderId,
) -> Result<RiskAssessment, ShopError> {
    let order = order(store, id).await?;
    let now = time::OffsetDateTime::now_utc();
    let hour_ago = sortable(now - time::Duration::hours(1));
    let (history, profile, card) = tokio::try_join!(
        store.customer_orders(&order.customer_id, 50, None),
        store.get_profile(&order.customer_id),
        gateway.card(order.payment_method_id.as_str()),
    )?;
    let earlier: Vec<&Order> = history.items.iter().filter(|o| o.id != order.id).collect();
    let paid: Vec<i64> = earlier
        .iter()
        .filter(|o| o.status == OrderStatus::Confirmed && o.currency == order.currency)
        .map(|o| o.total.amount)
        .collect();
    let account_age_days = profile.and_then(|p| {
        time::OffsetDateTime::parse(
            &p.created_at,
            &time::format_description::well_known::Rfc3339,
        )
        .ok()
        .map(|created| (now - created).whole_days())
    });
    let card_orders_last_hour = match card.as_ref().and_then(|c| c.fingerprint.as_deref()) {
        Some(fp) => {
            let expires = now.unix_timestamp() + 2 * 24 * 60 * 60;
            store
                .record_card_use(fp, &order, &hour_ago, expires)
                .await?
        }
        None => 0,
    };
    let signals = RiskSignals {
        order_total: order.total.amount,
        average_paid_order: (!paid.is_empty())
            .then(|| paid.iter().sum::<i64>() / paid.len() as i64),
        customer_orders_last_hour: earlier.iter().filter(|o| o.created_at > hour_ago).count()
            as u32,
        card_orders_last_hour,
        account_age_days,
        shipping_country: order.shipping_address.country.clone(),
        card_country: card.and_then(|c| c.country),
    };
    Ok(assess(&signals))
}

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
            let created = gateway
                .create_intent(&request, &format!("{}-create", order.id))
                .await?;
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
        Confirmation::Intent(confirmed) => step_for(&confirmed, false),
        Confirmation::Declined { code } => PaymentStep::Declined { code },
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
pub async fn payment_event<G: PaymentGateway + ?Sized>(
    store: &Store,
    gateway: &G,
    tokens: &TaskTokens,
    event: PaymentEvent,
) -> Result<(), ShopError> {
    let (intent, succeeded) = match event {
        PaymentEvent::Succeeded(intent) => (intent, true),
        PaymentEvent::Failed(intent) => (intent, false),
        PaymentEvent::Ignored(kind) => {
            tracing::info!(kind, "webhook event ignored");
            return Ok(());
        }
    };
    let Some(id) = intent.order_id().and_then(|id| OrderId::parse(id).ok()) else {
        tracing::warn!(intent = %intent.id, "a PaymentIntent without an order id: not the shop's");
        return Ok(());
    };
    let Some((order, token)) = store.order_and_token(&id).await? else {
        tracing::warn!(order_id = %id, "webhook for an unknown order");
        return Ok(());
    };
    if intent.amount != order.total.amount
        || !intent
            .currency
            .eq_ignore_ascii_case(order.currency.as_str())
    {
        tracing::error!(order_id = %id, intent = %intent.id, "intent amount or currency differs from the order: ignored");
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
                let now = order_now(store, &id).await?;
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

async fn order_now(store: &Store, id: &OrderId) -> Result<Order, ShopError> {
    order(store, id).await
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
            "payment {} arrived after cancellation; refunded ({refund_id})",
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

/// The confirm step: the payment succeeded.
pub async fn confirm<G: PaymentGateway + ?Sized>(
    store: &Store,
    gateway: &G,
    id: &OrderId,
    intent_id: Option<&str>,
) -> Result<Option<Mail>, ShopError> {
    let order = order(store, id).await?;
    let entry = HistoryEntry {
        at: now_sortable(),
        status: OrderStatus::Confirmed,
        by: CHECKOUT.into(),
        reason: Some(format!(
            "paid ({})",
            intent_id
                .or(order.payment.payment_intent_id.as_deref())
                .unwrap_or("payment")
        )),
    };
    match store.confirm_order(&order, &entry).await? {
        Settlement::Done | Settlement::Already(OrderStatus::Confirmed) => {
            confirmed_mail(store, &order).await
        }
        Settlement::Already(_) => {
            // Cancelled meanwhile: the stock is gone back on sale, so the money goes back.
            let order = self::order(store, id).await?;
            release_payment(store, gateway, &order).await?;
            cancelled_mail(store, id).await
        }
    }
}

/// The cancel step: releases the reservation, then makes sure no money is kept.
pub async fn cancel<G: PaymentGateway + ?Sized>(
    store: &Store,
    gateway: &G,
    id: &OrderId,
    failure: &str,
) -> Result<Option<Mail>, ShopError> {
    let Some(order) = store.get_order(id).await? else {
        // Nothing was placed (a start for an order that never existed): nothing to undo.
        tracing::warn!(order_id = %id, "cancel for an unknown order");
        return Ok(None);
    };
    let reason = CancelReason::from_failure(failure);
    let entry = HistoryEntry {
        at: now_sortable(),
        status: OrderStatus::Cancelled,
        by: CHECKOUT.into(),
        reason: Some(format!("{} ({failure})", reason.as_str())),
    };
    match store.cancel_order(&order, reason, &entry).await? {
        // Confirmed before this step ran (a confirm that answered too late): it stands.
        Settlement::Already(OrderStatus::Confirmed) => confirmed_mail(store, &order).await,
        Settlement::Done | Settlement::Already(_) => {
            release_payment(store, gateway, &order).await?;
            cancelled_mail(store, id).await
        }
    }
}

/// A cancelled order keeps no money: an intent still open is cancelled; one that
/// succeeded (or succeeds while being cancelled) is refunded.
async fn release_payment<G: PaymentGateway + ?Sized>(
    store: &Store,
    gateway: &G,
    order: &Order,
) -> Result<(), ShopError> {
    let Some(intent_id) = &order.payment.payment_intent_id else {
        return Ok(());
    };
    let intent = gateway.intent(intent_id).await?;
    if intent.status.cancellable() {
        if gateway.cancel_intent(intent_id).await?.is_some() {
            store
                .record_payment_status(&order.id, PaymentStatus::Canceled)
                .await?;
            return Ok(());
        }
        // Refused: it succeeded in the meantime.
        return refund(store, gateway, order, &gateway.intent(intent_id).await?).await;
    }
    refund(store, gateway, order, &intent).await
}

async fn recipient(store: &Store, order: &Order) -> Result<Option<String>, ShopError> {
    if let Some(email) = &order.customer_email {
        return Ok(Some(email.clone()));
    }
    Ok(store
        .get_profile(&order.customer_id)
        .await?
        .map(|p| p.email))
}

async fn confirmed_mail(store: &Store, order: &Order) -> Result<Option<Mail>, ShopError> {
    Ok(recipient(store, order)
        .await?
        .map(|to| Mail::OrderConfirmed {
            to,
            name: order.shipping_address.name.clone(),
            order_id: order.id.to_string(),
            total: order.total.amount,
            currency: order.currency.to_string(),
            items: order.lines.iter().map(|l| l.quantity).sum(),
        }))
}

async fn cancelled_mail(store: &Store, id: &OrderId) -> Result<Option<Mail>, ShopError> {
    let order = order(store, id).await?;
    Ok(recipient(store, &order)
        .await?
        .map(|to| Mail::OrderCancelled {
            to,
            name: order.shipping_address.name.clone(),
            order_id: order.id.to_string(),
            reason: order
                .cancel_reason
                .unwrap_or(CancelReason::CheckoutError)
                .as_str()
                .to_owned(),
            refunded: order.payment.refunded_amount.map(|m| m.amount),
            currency: order.currency.to_string(),
        }))
}
