//! `POST /seller/shipments/{id}/cancel`: a seller cancels its own shipment before the
//! carrier has it; the refund, the restock and the customer's mail go with it.

use super::{busy, by_seller, load, order_follows, own_id, too_late, MOVE_ATTEMPTS};
use crate::adapters::mail::MailQueue;
use crate::clock::now_sortable;
use crate::domain::auth::Caller;
use crate::domain::error::ShopError;
use crate::domain::fulfilment::{SellerShipmentView, Shipment, ShipmentEvent, ShipmentStatus};
use crate::domain::ids::{ShipmentId, Sku};
use crate::domain::mail::Mail;
use crate::domain::order::{CancelReason, Order, OrderStatus};
use crate::domain::refund::{
    check_claim, fit_to_capture, plan_refund, NewRefund, Refund, RefundCause, RefundId,
    RefundRefusal, Refunded,
};
use crate::services::notices;
use crate::services::orders::mail_address;
use crate::store::{
    CancelOutcome, CancelWrite, Notice, OrderUpdate, OrderWithShipments, Restock, ShipmentCancel,
    Store,
};

/// `POST /seller/shipments/{id}/cancel` {reason, lost}: the seller cannot fulfil it. Only
/// before the carrier has it. In one transaction: the shipment ends `cancelled` (out of
/// the carrier's queue), its units go back on `onHand` unless the seller says they are
/// lost, its lines' goods and tax are claimed for refund — and the shipping with its tax
/// too when nothing of the order ships any more, which also cancels the order — and the
/// customer is told. The order's other shipments go on; its status follows (an order
/// whose other shipments are all with the carrier becomes `shipped`). Cancelling again
/// changes nothing.
pub async fn cancel<Q: MailQueue + ?Sized>(
    store: &Store,
    mails: &Q,
    caller: &Caller,
    id: &ShipmentId,
    reason: String,
    lost: bool,
) -> Result<SellerShipmentView, ShopError> {
    own_id(caller, id)?;
    for _ in 0..MOVE_ATTEMPTS {
        let OrderWithShipments {
            order, shipments, ..
        } = store
            .order_with_shipments(id.order())
            .await?
            .ok_or(ShopError::NotFound("shipment"))?;
        let shipment = shipments
            .iter()
            .find(|s| s.id == *id)
            .ok_or(ShopError::NotFound("shipment"))?;
        match shipment.status {
            ShipmentStatus::Cancelled => {
                notices::flush(store, mails, id.order()).await?;
                return Ok(shipment.seller_view());
            }
            s if s.may_become(ShipmentStatus::Cancelled) => {}
            other => return Err(too_late(other, "cancelled")),
        }
        let now = now_sortable();
        let by = by_seller(caller);
        let order_entry = order_follows(
            &order,
            &shipments,
            id,
            ShipmentStatus::Cancelled,
            &now,
            &by,
            format!("shipment {id} cancelled by its seller: {reason}"),
        )?;
        let last = order_entry
            .as_ref()
            .is_some_and(|e| e.status == OrderStatus::Cancelled);
        let cancellation = ShipmentRefund::plan(&order, shipment, last, &by, &now)?;
        let mut update = OrderUpdate::new().follow(&order, order_entry.as_ref());
        if last {
            update = update.cancel_reason(CancelReason::SellersCancelled)?;
        }
        if let Some((_, claimed, refunded)) = &cancellation.claim {
            update = update.claim(&order, order.captured(), *claimed, refunded)?;
        }
        let notices = customer_notice(store, &order, shipment, last, &cancellation).await?;
        let mut gone: Vec<Sku> = Vec::new();
        let outcome = loop {
            let restock = if lost {
                Vec::new()
            } else {
                shipment
                    .lines
                    .iter()
                    .filter(|l| !gone.contains(&l.sku))
                    .map(|l| Restock {
                        product_id: l.product_id.clone(),
                        sku: l.sku.clone(),
                        quantity: l.quantity,
                    })
                    .collect()
            };
            let written = store
                .write_cancellation(CancelWrite {
                    order: &order,
                    order_update: update.clone(),
                    shipments: vec![ShipmentCancel {
                        shipment,
                        entry: ShipmentEvent {
                            at: now.clone(),
                            from: Some(shipment.status),
                            to: ShipmentStatus::Cancelled,
                            by: by.clone(),
                            why: Some(reason.clone()),
                        },
                        restocked: !lost,
                    }],
                    reason: &reason,
                    restock,
                    claim: cancellation.claim.as_ref().map(|(c, _, _)| c.clone()),
                    notices: notices.clone(),
                })
                .await?;
            match written {
                CancelOutcome::VariantGone(sku) => gone.push(sku),
                other => break other,
            }
        };
        if outcome == CancelOutcome::Written {
            if last {
                crate::telemetry::order_cancelled(
                    order.id.as_str(),
                    CancelReason::SellersCancelled,
                );
            }
            notices::flush(store, mails, id.order()).await?;
            return Ok(load(store, id).await?.seller_view());
        }
    }
    Err(busy(id))
}

/// The refund a seller's cancellation claims: its shipment's units (goods and their tax),
/// and the shipping with its tax when it is the order's last shipment going ahead.
struct ShipmentRefund {
    /// The claim, the order's new claimed total, what is refunded with it; `None` when it
    /// gives nothing back (an order paid nothing for these units).
    claim: Option<(Refund, i64, Refunded)>,
}

impl ShipmentRefund {
    fn plan(
        order: &Order,
        shipment: &Shipment,
        last: bool,
        by: &str,
        now: &str,
    ) -> Result<ShipmentRefund, ShopError> {
        let units: Vec<(Sku, u32)> = shipment
            .lines
            .iter()
            .map(|l| (l.sku.clone(), l.quantity))
            .collect();
        let plan = match plan_refund(order, &order.refunded, &units, last) {
            Ok(plan) => plan,
            Err(RefundRefusal::Nothing) => return Ok(ShipmentRefund { claim: None }),
            Err(refusal) => {
                return Err(ShopError::internal(format!(
                    "shipment {}: {}",
                    shipment.id,
                    refusal.message()
                )))
            }
        };
        // Less what an operator's goodwill refund gave back already.
        let plan = fit_to_capture(plan, order.captured(), order.payment.refund_claimed);
        if plan.amount.amount == 0 {
            return Ok(ShipmentRefund { claim: None });
        }
        let claimed = check_claim(
            order.captured(),
            order.payment.refund_claimed,
            plan.amount.amount,
        )
        .map_err(|refusal| {
            ShopError::internal(format!("order {}: {}", order.id, refusal.message()))
        })?;
        let intent = order.paid_intent()?;
        let refund = Refund::of_plan(
            NewRefund {
                id: RefundId::of(
                    &order.id,
                    &RefundCause::Shipment(shipment.seller_id.clone()),
                ),
                order_id: &order.id,
                reason: format!("shipment {} cancelled by its seller", shipment.id),
                claimed_by: by.to_owned(),
                payment_intent_id: intent,
                now,
            },
            &plan,
        );
        Ok(ShipmentRefund {
            claim: Some((refund, claimed, order.refunded.with(&plan))),
        })
    }
}

/// The customer's mail: these items will not come and their money goes back; when
/// nothing of the order goes ahead any more, the order's cancellation.
async fn customer_notice(
    store: &Store,
    order: &Order,
    shipment: &Shipment,
    last: bool,
    refund: &ShipmentRefund,
) -> Result<Vec<Notice>, ShopError> {
    let Some(to) = mail_address(store, order).await? else {
        return Ok(Vec::new());
    };
    let amount = refund.claim.as_ref().map_or(0, |(c, _, _)| c.amount.amount);
    let name = order.shipping_address.name.clone();
    Ok(vec![if last {
        Notice {
            news: "order_cancelled",
            subject: order.id.to_string(),
            mail: Mail::OrderCancelled {
                to,
                name,
                order_id: order.id.to_string(),
                reason: CancelReason::SellersCancelled.as_str().to_owned(),
                // Everything claimed back, this shipment's and the ones cancelled before it.
                refunded: Some(order.payment.refund_claimed + amount),
                currency: order.currency.to_string(),
            },
        }
    } else {
        Notice {
            news: "shipment_cancelled",
            subject: shipment.id.to_string(),
            mail: Mail::ShipmentCancelled {
                to,
                name,
                order_id: order.id.to_string(),
                shipment_id: shipment.id.to_string(),
                lines: shipment.mail_lines(),
                refunded: amount,
                currency: order.currency.to_string(),
            },
        }
    }])
}
