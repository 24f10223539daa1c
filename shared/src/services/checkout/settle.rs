//! `Confirm` and `Cancel`: the order leaves `pending_payment` once, its stock sold or
//! released once, and the mail the next state sends.

use super::refunds::release_payment;
use super::{load_order, CHECKOUT};
use crate::adapters::stripe::PaymentGateway;
use crate::clock::now_sortable;
use crate::domain::error::ShopError;
use crate::domain::fulfilment::{shipments_of, Shipment};
use crate::domain::ids::OrderId;
use crate::domain::mail::Mail;
use crate::domain::order::{CancelReason, HistoryEntry, Order, OrderStatus, CUSTOMER_CANCELLED};
use crate::services::orders::mail_address;
use crate::services::sellers::seller_contact;
use crate::store::{Settlement, Store};
use crate::telemetry;

/// The mails a confirm step leaves for the next states to queue.
#[derive(Debug, Default)]
pub struct ConfirmMails {
    /// The customer's: confirmed, or cancelled when the order was cancelled meanwhile.
    pub customer: Option<Mail>,
    /// One per seller of a confirmed order, listing its lines to pack.
    pub sellers: Vec<Mail>,
}

/// The confirm step: the payment succeeded.
pub async fn confirm<G: PaymentGateway + ?Sized>(
    store: &Store,
    gateway: &G,
    id: &OrderId,
    intent_id: Option<&str>,
) -> Result<ConfirmMails, ShopError> {
    let order = load_order(store, id).await?;
    if order.status == OrderStatus::PendingPayment && order.cancel_request.is_some() {
        // Its customer asked to cancel before the payment was confirmed: cancelled as a
        // timeout would be, the payment claimed for refund.
        return cancel_requested(store, gateway, id).await;
    }
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
    let shipments = shipments_of(&order, &entry.at);
    match store.confirm_order(&order, &entry, &shipments).await? {
        // Done, or a repeated confirm (the saga's retry): paid, and perhaps shipped by now.
        Settlement::Done => {
            telemetry::order_confirmed(&order);
            confirmed_mails(store, &order, &shipments).await
        }
        Settlement::Already(status) if status.is_paid() => {
            confirmed_mails(store, &order, &shipments).await
        }
        // A cancellation asked for between the read and the write (the write is
        // conditional on there being none).
        Settlement::Already(OrderStatus::PendingPayment) => {
            cancel_requested(store, gateway, id).await
        }
        Settlement::Already(_) => {
            // Cancelled meanwhile: the stock is gone back on sale, so the money goes back.
            let order = load_order(store, id).await?;
            let refunded = release_payment(store, gateway, &order).await?;
            let reason = order.cancel_reason.unwrap_or(CancelReason::CheckoutError);
            Ok(ConfirmMails {
                customer: cancelled_mail(store, &order, reason, refunded).await?,
                sellers: Vec::new(),
            })
        }
    }
}

async fn cancel_requested<G: PaymentGateway + ?Sized>(
    store: &Store,
    gateway: &G,
    id: &OrderId,
) -> Result<ConfirmMails, ShopError> {
    Ok(ConfirmMails {
        customer: cancel(store, gateway, id, CUSTOMER_CANCELLED).await?,
        sellers: Vec::new(),
    })
}

async fn confirmed_mails(
    store: &Store,
    order: &Order,
    shipments: &[Shipment],
) -> Result<ConfirmMails, ShopError> {
    let mut sellers = Vec::with_capacity(shipments.len());
    for shipment in shipments {
        sellers.extend(seller_mail(store, shipment).await?);
    }
    Ok(ConfirmMails {
        customer: confirmed_mail(store, order).await?,
        sellers,
    })
}

/// The seller's "new order to ship" mail, to the address its account was verified
/// with; none (logged) when the seller has no profile to write to.
async fn seller_mail(store: &Store, shipment: &Shipment) -> Result<Option<Mail>, ShopError> {
    Ok(seller_contact(store, &shipment.seller, &shipment.seller_id)
        .await?
        .map(|(to, name)| Mail::SellerNewOrder {
            to,
            name,
            order_id: shipment.order_id.to_string(),
            shipment_id: shipment.id.to_string(),
            lines: shipment.mail_lines(),
        }))
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
    // A cancellation its customer or an admin asked for is theirs, however the saga got
    // here (the failed task, or a timeout if that failure never arrived).
    let reason = order
        .cancel_request
        .as_ref()
        .map_or_else(|| CancelReason::from_failure(failure), |r| r.kind);
    let entry = HistoryEntry {
        at: now_sortable(),
        status: OrderStatus::Cancelled,
        by: CHECKOUT.into(),
        reason: Some(format!("{} ({failure})", reason.as_str())),
    };
    // The order is read once: what the mail says is known without reading it again —
    // the reason this step wrote (or the one a run before it wrote), and the refund from
    // Stripe's answer.
    let written = match store.cancel_order(&order, reason, &entry).await? {
        // Confirmed before this step ran (a confirm that answered too late): it stands.
        Settlement::Already(status) if status.is_paid() => {
            return confirmed_mail(store, &order).await;
        }
        Settlement::Done => {
            telemetry::order_cancelled(id.as_str(), reason);
            reason
        }
        Settlement::Already(_) => order.cancel_reason.unwrap_or(reason),
    };
    let refunded = release_payment(store, gateway, &order).await?;
    cancelled_mail(store, &order, written, refunded).await
}

async fn confirmed_mail(store: &Store, order: &Order) -> Result<Option<Mail>, ShopError> {
    Ok(mail_address(store, order)
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
    order: &Order,
    reason: CancelReason,
    refunded: Option<i64>,
) -> Result<Option<Mail>, ShopError> {
    Ok(mail_address(store, order)
        .await?
        .map(|to| Mail::OrderCancelled {
            to,
            name: order.shipping_address.name.clone(),
            order_id: order.id.to_string(),
            reason: reason.as_str().to_owned(),
            refunded: refunded.or(order.payment.refunded_amount.map(|m| m.amount)),
            currency: order.currency.to_string(),
        }))
}
