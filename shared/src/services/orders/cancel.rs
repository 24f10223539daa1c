//! `POST /orders/{id}/cancel` {reason}: the order's customer, or an admin, cancels a whole
//! order. Who may call: the order's customer (anyone else is told it does not exist) or
//! an admin.
//!
//! - **Awaiting payment**: the request is recorded on the order and the checkout ends it
//!   through its own path — the payment task fails with `CustomerCancelled` (sent here if
//!   the payment worker stored its token already, by the worker if it stores it later),
//!   and the saga's `Cancel` releases the stock once and cancels the intent, or claims the
//!   refund of a payment that succeeded meanwhile; a `Confirm` that comes first sees the
//!   request and cancels instead. 202: the saga finishes it.
//! - **Paid, nothing with the carrier**: every shipment cancelled, the sold units back
//!   on `onHand`, everything not refunded yet claimed for refund (goods, shipping, tax),
//!   the customer and the sellers told — one transaction. 200.
//! - **Any shipment with the carrier**: 409; returns are the way then.

use super::{detail, mail_address, own_order, OrderDetail};
use crate::adapters::mail::MailQueue;
use crate::adapters::saga::TaskTokens;
use crate::clock::now_sortable;
use crate::domain::auth::Caller;
use crate::domain::error::ShopError;
use crate::domain::fulfilment::{Shipment, ShipmentEvent, ShipmentStatus};
use crate::domain::ids::{OrderId, Sku};
use crate::domain::mail::Mail;
use crate::domain::order::{
    plan_order_cancel, CancelReason, CancelRequest, HistoryEntry, Order, OrderCancel,
    CUSTOMER_CANCELLED,
};
use crate::domain::refund::{
    check_claim, fit_to_capture, plan_rest, NewRefund, Refund, RefundCause, RefundId,
};
use crate::services::notices;
use crate::services::sellers::seller_contact;
use crate::store::{
    CancelOutcome, CancelWrite, Notice, OrderUpdate, OrderWithShipments, Restock, ShipmentCancel,
    Store,
};

/// Tries of a cancellation that lost a race (a shipment or the order moved meanwhile).
const CANCEL_ATTEMPTS: usize = 5;

/// What a cancellation did.
#[derive(Debug)]
pub enum CancelAnswer {
    /// Awaiting payment: asked of the checkout, which finishes it (202).
    Requested(OrderDetail),
    /// Cancelled now, or before (200).
    Cancelled(OrderDetail),
}

pub async fn cancel_order<T, Q>(
    store: &Store,
    tokens: &T,
    mails: &Q,
    caller: &Caller,
    id: &OrderId,
    reason: String,
) -> Result<CancelAnswer, ShopError>
where
    T: TaskTokens + ?Sized,
    Q: MailQueue + ?Sized,
{
    let (kind, by) = if caller.is_admin() {
        (
            CancelReason::AdminCancelled,
            format!("admin:{}", caller.user_id),
        )
    } else {
        (
            CancelReason::CustomerCancelled,
            format!("customer:{}", caller.user_id),
        )
    };
    for _ in 0..CANCEL_ATTEMPTS {
        let found = own_order(store, caller, id).await?;
        match plan_order_cancel(&found.order, &found.shipments)? {
            OrderCancel::Already => {
                // A repeat: the mails of the first may still wait for their queue.
                notices::flush(store, mails, id).await?;
                return Ok(CancelAnswer::Cancelled(detail(&found)));
            }
            OrderCancel::Request => {
                let request = CancelRequest {
                    kind,
                    by: by.clone(),
                    reason: reason.clone(),
                    at: now_sortable(),
                };
                if request_cancel(store, tokens, &found.order, &request).await? {
                    return Ok(CancelAnswer::Requested(detail(
                        &own_order(store, caller, id).await?,
                    )));
                }
            }
            OrderCancel::Paid { shipments } => {
                if cancel_paid(store, &found, &shipments, kind, &by, &reason).await? {
                    notices::flush(store, mails, id).await?;
                    return Ok(CancelAnswer::Cancelled(detail(
                        &own_order(store, caller, id).await?,
                    )));
                }
            }
        }
    }
    Err(ShopError::Unavailable(format!(
        "order {id} kept changing while it was cancelled; retry"
    )))
}

/// Records the request on a pending order and fails its payment task if the worker has
/// stored the token. `false` when the order left `pending_payment` meanwhile (plan again).
/// A request made before (this one repeated) fails the task again if the token is there
/// now: failing a task that moved on changes nothing.
async fn request_cancel<T: TaskTokens + ?Sized>(
    store: &Store,
    tokens: &T,
    order: &Order,
    request: &CancelRequest,
) -> Result<bool, ShopError> {
    let entry = HistoryEntry {
        at: request.at.clone(),
        status: order.status,
        by: request.by.clone(),
        reason: Some(format!("cancellation requested: {}", request.reason)),
    };
    let (now, token) = match store.request_cancel(&order.id, request, &entry).await? {
        Some(written) => written,
        None => {
            let (now, token) = store
                .order_and_token(&order.id)
                .await?
                .ok_or(ShopError::NotFound("order"))?;
            if now.cancel_request.is_none() || now.status != order.status {
                return Ok(false);
            }
            (now, token)
        }
    };
    if let Some(token) = token {
        let answer = tokens
            .fail(&token, CUSTOMER_CANCELLED, &request.reason)
            .await?;
        tracing::info!(order_id = %now.id, ?answer, "payment task failed: cancellation requested");
    }
    Ok(true)
}

/// Cancels a paid order none of whose shipments the carrier has: `false` when the order
/// or a shipment moved since `found` was read.
async fn cancel_paid(
    store: &Store,
    found: &OrderWithShipments,
    going: &[&Shipment],
    kind: CancelReason,
    by: &str,
    reason: &str,
) -> Result<bool, ShopError> {
    let order = &found.order;
    let now = now_sortable();
    let entry = HistoryEntry {
        at: now.clone(),
        status: crate::domain::order::OrderStatus::Cancelled,
        by: by.to_owned(),
        reason: Some(format!("{}: {reason}", kind.as_str())),
    };
    // Everything not refunded yet (a seller's cancelled shipment was refunded with it),
    // less what an operator's goodwill refund gave back already.
    let captured = order.captured();
    let rest = fit_to_capture(
        plan_rest(order, &order.refunded),
        captured,
        order.payment.refund_claimed,
    );
    let mut update = OrderUpdate::new()
        .follow(order, Some(&entry))
        .cancel_reason(kind)?;
    let claim = if rest.amount.amount > 0 {
        let claimed = check_claim(captured, order.payment.refund_claimed, rest.amount.amount)
            .map_err(|refusal| {
                ShopError::internal(format!("order {}: {}", order.id, refusal.message()))
            })?;
        let intent = order.paid_intent()?;
        update = update.claim(order, captured, claimed, &order.refunded.with(&rest))?;
        Some(Refund::of_plan(
            NewRefund {
                id: RefundId::of(&order.id, &RefundCause::Cancel),
                order_id: &order.id,
                reason: format!("order cancelled ({})", kind.as_str()),
                claimed_by: by.to_owned(),
                payment_intent_id: intent,
                now: &now,
            },
            &rest,
        ))
    } else {
        None
    };
    let mut notices = Vec::new();
    if let Some(to) = mail_address(store, order).await? {
        notices.push(Notice {
            news: "order_cancelled",
            subject: order.id.to_string(),
            mail: Mail::OrderCancelled {
                to,
                name: order.shipping_address.name.clone(),
                order_id: order.id.to_string(),
                reason: kind.as_str().to_owned(),
                refunded: claim.as_ref().map(|c| c.amount.amount),
                currency: order.currency.to_string(),
            },
        });
    }
    notices.extend(seller_notices(store, going, "seller_cancelled").await?);
    let mut gone: Vec<Sku> = Vec::new();
    loop {
        let restock: Vec<Restock> = going
            .iter()
            .flat_map(|s| s.lines.iter())
            .filter(|l| !gone.contains(&l.sku))
            .map(|l| Restock {
                product_id: l.product_id.clone(),
                sku: l.sku.clone(),
                quantity: l.quantity,
            })
            .collect();
        let cancellation = CancelWrite {
            order,
            order_update: update.clone(),
            shipments: going
                .iter()
                .map(|s| ShipmentCancel {
                    shipment: s,
                    entry: ShipmentEvent {
                        at: now.clone(),
                        from: Some(s.status),
                        to: ShipmentStatus::Cancelled,
                        by: by.to_owned(),
                        why: Some(format!("order cancelled: {reason}")),
                    },
                    restocked: true,
                })
                .collect(),
            reason: &format!("order cancelled: {reason}"),
            restock,
            claim: claim.clone(),
            notices: notices.clone(),
        };
        match store.write_cancellation(cancellation).await? {
            CancelOutcome::Written => {
                tracing::info!(order_id = %order.id, kind = kind.as_str(), refund = ?claim.as_ref().map(|c| c.amount.amount), "paid order cancelled");
                crate::telemetry::order_cancelled(order.id.as_str(), kind);
                return Ok(true);
            }
            // Its product was deleted: the units have nowhere to go back to.
            CancelOutcome::VariantGone(sku) => gone.push(sku),
            CancelOutcome::Changed => return Ok(false),
        }
    }
}

/// One mail per shipment to its seller, telling `news` (the mail's kind follows it); none
/// (logged) for a seller without a profile to write to.
async fn seller_notices(
    store: &Store,
    shipments: &[&Shipment],
    news: &'static str,
) -> Result<Vec<Notice>, ShopError> {
    let mut notices = Vec::with_capacity(shipments.len());
    for shipment in shipments {
        if let Some((to, name)) =
            seller_contact(store, &shipment.seller, &shipment.seller_id).await?
        {
            notices.push(Notice {
                news,
                subject: shipment.id.to_string(),
                mail: Mail::SellerShipmentCancelled {
                    to,
                    name,
                    order_id: shipment.order_id.to_string(),
                    shipment_id: shipment.id.to_string(),
                    lines: shipment.mail_lines(),
                },
            });
        }
    }
    Ok(notices)
}
