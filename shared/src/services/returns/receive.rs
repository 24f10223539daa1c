//! `POST /returns/{id}/receipt`: what came back of an approved return, written in one
//! transaction with the stock, the order's status and the refund claim.

use super::mails::customer_notice;
use super::{busy, by, load, sellers_return, shipment_of, too_late, ATTEMPTS};
use crate::adapters::mail::MailQueue;
use crate::clock::now_sortable;
use crate::domain::auth::Caller;
use crate::domain::error::ShopError;
use crate::domain::ids::Sku;
use crate::domain::mail::ReturnNews;
use crate::domain::order::Order;
use crate::domain::refund::{
    check_claim, fit_to_capture, plan_refund, NewRefund, Refund, RefundCause, RefundId,
    RefundRefusal,
};
use crate::domain::returns::{
    check_receipt, ReceiptInput, Return, ReturnEvent, ReturnId, ReturnStatus, ReturnView,
};
use crate::services::fulfilment::order_follows_tallies;
use crate::services::notices;
use crate::store::{OrderUpdate, ReceiptWrite, Restock, ReturnWrite, Store};

/// `POST /returns/{id}/receipt` {lines}: what came back of an approved return.
pub async fn receive<Q: MailQueue + ?Sized>(
    store: &Store,
    mails: &Q,
    caller: &Caller,
    id: &ReturnId,
    input: &ReceiptInput,
) -> Result<ReturnView, ShopError> {
    sellers_return(caller, id)?;
    for _ in 0..ATTEMPTS {
        let (found, ret) = load(store, id).await?;
        match ret.status {
            ReturnStatus::Received | ReturnStatus::Refunded => {
                notices::flush(store, mails, &ret.order_id).await?;
                return Ok(ret.view());
            }
            ReturnStatus::Approved => {}
            _ => return Err(too_late(&ret, ReturnStatus::Received)),
        }
        let lines = check_receipt(&ret, input)?;
        let order = &found.order;
        let shipment = shipment_of(&found, &ret)?;
        let at = now_sortable();
        let by = by(caller);
        let received: Vec<(Sku, u32)> = lines
            .iter()
            .filter_map(|l| {
                l.received_quantity
                    .filter(|q| *q > 0)
                    .map(|q| (l.sku.clone(), q))
            })
            .collect();
        let mut returned = shipment.returned.clone();
        for (sku, q) in &received {
            *returned.entry(sku.clone()).or_insert(0) += q;
        }
        // Units asked back that did not come are freed: they may be asked for again.
        let mut requested = shipment.return_requested.clone();
        for line in &lines {
            let missing = line.quantity - line.received_quantity.unwrap_or(0);
            if let Some(count) = requested.get_mut(&line.sku) {
                *count = count.saturating_sub(missing);
            }
        }
        // The order's status with this shipment's units back.
        let tallies: Vec<_> = found
            .shipments
            .iter()
            .map(|s| {
                let mut tally = s.tally();
                if s.id == shipment.id {
                    tally.returned = returned.values().sum();
                }
                tally
            })
            .collect();
        let entry =
            order_follows_tallies(order, &tallies, &at, &by, format!("return {id} received"))?;
        let mut update = OrderUpdate::new().follow(order, entry.as_ref());
        let claim = receipt_refund(order, &ret, &received, &by, &at)?;
        if let Some((_, claimed, refunded)) = &claim {
            update = update.claim(order, order.captured(), *claimed, refunded)?;
        }
        let claim = claim.map(|(refund, _, _)| refund);
        let event = ReturnEvent {
            at: at.clone(),
            from: Some(ret.status),
            to: ReturnStatus::Received,
            by: by.clone(),
            why: None,
        };
        let refunded = claim.as_ref().map(|c| c.amount.amount);
        let notices = customer_notice(
            store,
            order,
            &ret,
            &lines,
            ReturnNews::Received,
            None,
            refunded,
        )
        .await?;
        let mut gone: Vec<Sku> = Vec::new();
        loop {
            let restock: Vec<Restock> = lines
                .iter()
                .filter(|l| !gone.contains(&l.sku))
                .filter_map(|l| {
                    let back = l.received_quantity? - l.damaged_quantity.unwrap_or(0);
                    (back > 0).then(|| Restock {
                        product_id: l.product_id.clone(),
                        sku: l.sku.clone(),
                        quantity: back,
                    })
                })
                .collect();
            let written = store
                .receive_return(ReceiptWrite {
                    order,
                    order_update: update.clone(),
                    shipment,
                    returned: returned.clone(),
                    requested: requested.clone(),
                    ret: &ret,
                    lines: &lines,
                    event: &event,
                    restock,
                    claim: claim.clone(),
                    notices: notices.clone(),
                })
                .await?;
            match written {
                ReturnWrite::VariantGone(sku) => gone.push(sku),
                ReturnWrite::Written => {
                    notices::flush(store, mails, &ret.order_id).await?;
                    return Ok(load(store, id).await?.1.view());
                }
                ReturnWrite::Changed => break,
            }
        }
    }
    Err(busy(id))
}

/// The refund a receipt claims: the received units' goods and tax share (damaged ones
/// too: they came back), never the shipping. `None` when it gives nothing back.
fn receipt_refund(
    order: &Order,
    ret: &Return,
    received: &[(Sku, u32)],
    by: &str,
    at: &str,
) -> Result<Option<(Refund, i64, crate::domain::refund::Refunded)>, ShopError> {
    let plan = match plan_refund(order, &order.refunded, received, false) {
        Ok(plan) => plan,
        Err(RefundRefusal::Nothing) => return Ok(None),
        Err(refusal) => {
            return Err(ShopError::internal(format!(
                "return {}: {}",
                ret.id,
                refusal.message()
            )))
        }
    };
    // Less what an operator's goodwill refund gave back already.
    let plan = fit_to_capture(plan, order.captured(), order.payment.refund_claimed);
    if plan.amount.amount == 0 {
        return Ok(None);
    }
    let claimed = check_claim(
        order.captured(),
        order.payment.refund_claimed,
        plan.amount.amount,
    )
    .map_err(|refusal| ShopError::internal(format!("order {}: {}", order.id, refusal.message())))?;
    let intent = order.paid_intent()?;
    let mut refund = Refund::of_plan(
        NewRefund {
            id: RefundId::of(&order.id, &RefundCause::Return(ret.id.to_string())),
            order_id: &order.id,
            reason: format!("return {} received", ret.id),
            claimed_by: by.to_owned(),
            payment_intent_id: intent,
            now: at,
        },
        &plan,
    );
    refund.return_id = Some(ret.id.clone());
    Ok(Some((refund, claimed, order.refunded.with(&plan))))
}
