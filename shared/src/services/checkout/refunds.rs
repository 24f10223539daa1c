//! No money kept for a cancelled order: an open intent is cancelled, a succeeded one
//! claimed for a full refund — once, by whichever of the webhook and the settle step comes
//! first — which the refund worker then makes (`services::refunds`).

use super::CHECKOUT;
use crate::adapters::stripe::PaymentGateway;
use crate::clock::now_sortable;
use crate::domain::error::ShopError;
use crate::domain::money::Money;
use crate::domain::order::{HistoryEntry, Order, PaymentStatus};
use crate::domain::payment::{IntentStatus, PaymentIntent};
use crate::domain::refund::{check_claim, plan_rest, NewRefund, Refund, RefundCause, RefundId};
use crate::store::{OrderUpdate, Store};

/// Tries of a claim whose order changed meanwhile.
const CLAIM_ATTEMPTS: usize = 5;

/// Claims the full refund of a succeeded payment of a cancelled order, once: the claim's
/// id is the order's `.payment`, so the webhook and the cancel step, racing, claim it once.
pub(super) async fn refund(
    store: &Store,
    order: &Order,
    intent: &PaymentIntent,
) -> Result<(), ShopError> {
    if intent.status != IntentStatus::Succeeded {
        return Ok(());
    }
    let id = RefundId::of(&order.id, &RefundCause::Payment);
    for _ in 0..CLAIM_ATTEMPTS {
        if store.get_refund(&order.id, &id).await?.is_some() {
            return Ok(());
        }
        let order = store
            .get_order(&order.id)
            .await?
            .ok_or(ShopError::NotFound("order"))?;
        if order.payment.captured_amount.is_some() {
            // Confirmed before it was cancelled: its payment was captured as the order's, and
            // its cancellation (its customer's, an admin's, its sellers') claimed the refund.
            tracing::info!(order_id = %order.id, "paid and then cancelled: its cancellation refunds it");
            return Ok(());
        }
        let claimed = check_claim(intent.amount, order.payment.refund_claimed, intent.amount)
            .map_err(|refusal| {
                ShopError::internal(format!(
                    "order {}: the payment's refund cannot be claimed: {}",
                    order.id,
                    refusal.message()
                ))
            })?;
        let rest = plan_rest(&order, &order.refunded);
        let refund = Refund::of_amount(
            NewRefund {
                id: id.clone(),
                order_id: &order.id,
                reason: "the order was cancelled after its payment succeeded".into(),
                claimed_by: CHECKOUT.into(),
                payment_intent_id: &intent.id,
                now: &now_sortable(),
            },
            Money::new(intent.amount, order.currency),
        );
        let update = OrderUpdate::new()
            .claim(&order, intent.amount, claimed, &order.refunded.with(&rest))?
            .note(HistoryEntry {
                at: refund.created_at.clone(),
                status: order.status,
                by: CHECKOUT.into(),
                reason: Some(format!(
                    "payment {} succeeded after the order was cancelled: refund {} of {} claimed",
                    intent.id, id, intent.amount
                )),
            });
        if store.write_claim(&order, update, &refund).await? {
            return Ok(());
        }
    }
    Err(ShopError::Unavailable(format!(
        "order {} kept changing while its refund was claimed",
        order.id
    )))
}

/// A cancelled order keeps no money: an intent still open is cancelled; one that
/// succeeded (or succeeds while being cancelled) is claimed for a refund — here, or by
/// the webhook if it claimed first. Returns the amount the customer paid and gets back,
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
    refund(store, order, &intent).await?;
    Ok((intent.status == IntentStatus::Succeeded).then_some(intent.amount))
}
