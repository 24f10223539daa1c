//! The checkout saga's steps around the payment: the fraud check, confirm and cancel,
//! each called by the state machine with an order id (the payment steps are in
//! [`super::payments`]). Who may call: the checkout state machine — never a customer.
//!
//! Every step may run more than once (retries, redeliveries, a webhook racing a
//! timeout) and must leave the same result: the order's status moves once, stock is
//! sold or released once, a card is charged at most once and refunded at most once.

use super::payments::release_payment;
use crate::adapters::stripe::PaymentGateway;
use crate::domain::error::ShopError;
use crate::domain::fraud::{assess, RiskAssessment, RiskSignals};
use crate::domain::ids::OrderId;
use crate::domain::mail::Mail;
use crate::domain::order::{CancelReason, HistoryEntry, Order, OrderStatus};
use crate::store::{now_sortable, sortable, Settlement, Store};

/// Who the saga's own history entries name.
pub(crate) const CHECKOUT: &str = "system:checkout";

pub(crate) async fn order(store: &Store, id: &OrderId) -> Result<Order, ShopError> {
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
            let refunded = release_payment(store, gateway, &order).await?;
            cancelled_mail(store, id, refunded).await
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
            let refunded = release_payment(store, gateway, &order).await?;
            cancelled_mail(store, id, refunded).await
        }
    }
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

/// `refunded`: what the customer paid and gets back, known from Stripe even while the
/// refund is still being recorded (by this step or the webhook).
async fn cancelled_mail(
    store: &Store,
    id: &OrderId,
    refunded: Option<i64>,
) -> Result<Option<Mail>, ShopError> {
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
            refunded: refunded.or(order.payment.refunded_amount.map(|m| m.amount)),
            currency: order.currency.to_string(),
        }))
}
