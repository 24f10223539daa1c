//! Stripe's webhook: a verified event names an intent; Stripe, asked for it, says what
//! happened; the order's payment task is answered, or a stray payment refunded.

use super::payment::paid_output;
use super::refunds::refund;
use super::{load_order, CHECKOUT};
use crate::adapters::saga::{TaskAnswer, TaskTokens};
use crate::adapters::stripe::PaymentGateway;
use crate::clock::now_sortable;
use crate::domain::error::ShopError;
use crate::domain::ids::OrderId;
use crate::domain::money::Money;
use crate::domain::order::{Order, OrderStatus, PAYMENT_DECLINED};
use crate::domain::payment::{IntentStatus, PaymentEvent, PaymentIntent};
use crate::domain::refund::{NewRefund, Refund, RefundCause, RefundId};
use crate::store::Store;

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
                    refund(store, &now, &intent).await?;
                }
            }
        }
        (OrderStatus::PendingPayment, false) => {
            if let Some(token) = token {
                let code = intent
                    .decline_code
                    .unwrap_or_else(|| "payment_failed".into());
                tokens.fail(&token, PAYMENT_DECLINED, &code).await?;
            }
        }
        (OrderStatus::Cancelled, true) => refund(store, &order, &intent).await?,
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
/// paid by it, and the money goes back — claimed once per intent (`.stray-<intentId>`),
/// made by the refund worker, recorded on the order's history. Not counted in the
/// order's own refunds: it was never the order's capture. Stripe is asked whether it
/// really succeeded for this order.
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
    let mut refund = Refund::of_amount(
        NewRefund {
            id: RefundId::of(&order.id, &RefundCause::Stray(intent.id.clone())),
            order_id: &order.id,
            reason: format!(
                "a payment {} that is not this order's own succeeded",
                intent.id
            ),
            claimed_by: CHECKOUT.into(),
            payment_intent_id: &intent.id,
            now: &now_sortable(),
        },
        Money::new(intent.amount, order.currency),
    );
    refund.of_capture = false;
    if store.claim_alone(&refund).await? {
        tracing::warn!(order_id = %order.id, intent = %intent.id, refund = %refund.id, "a stray payment for the order: refund claimed");
    }
    Ok(())
}
