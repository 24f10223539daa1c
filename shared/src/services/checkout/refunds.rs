//! No money kept for a cancelled order: an open intent is cancelled, a succeeded one
//! refunded once — by whichever of the webhook and the settle step comes first.

use super::CHECKOUT;
use crate::adapters::stripe::PaymentGateway;
use crate::clock::{now_rfc3339, now_sortable};
use crate::domain::error::ShopError;
use crate::domain::money::Money;
use crate::domain::order::{HistoryEntry, Order, OrderStatus, PaymentStatus};
use crate::domain::payment::{IntentStatus, PaymentIntent};
use crate::store::Store;

/// Refunds a succeeded payment of a cancelled order, once: the claim on the order
/// decides which of the racing callers refunds; Stripe's idempotency key makes a
/// retried call safe.
pub(super) async fn refund<G: PaymentGateway + ?Sized>(
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
