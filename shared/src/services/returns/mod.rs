//! Returns (RMA). Who may call: the order's customer asks (`POST /orders/{id}/returns`)
//! and reads them (`GET /orders/{id}/returns`, an admin too); the return's seller (the
//! seller of its shipment, by the id alone, as shipments are) or an admin decides
//! (`POST /returns/{id}/decision`) and reports what came back (`POST /returns/{id}/receipt`);
//! a seller lists its own (`GET /seller/returns`). Anyone else is told it does not exist.
//!
//! `requested` → `approved` | `rejected` → `received` → `refunded`. On receipt, in one
//! transaction: the undamaged units go back on `onHand`, the shipment counts them returned,
//! the order's status follows (`partially_returned`, `returned`), and the refund of the
//! received units — their goods and tax share; a return never refunds shipping — is
//! claimed as `<orderId>.rma-<returnId>`; the return becomes `refunded` when Stripe made it.

use crate::adapters::mail::MailQueue;
use crate::clock::{now, now_sortable};
use crate::domain::auth::Caller;
use crate::domain::error::ShopError;
use crate::domain::fulfilment::Shipment;
use crate::domain::ids::{OrderId, SellerId};
use crate::domain::mail::ReturnNews;
use crate::domain::returns::{
    plan_returns, Decision, Return, ReturnEvent, ReturnId, ReturnRequestInput, ReturnStatus,
    ReturnView,
};
use crate::services::notices;
use crate::services::sellers::require_seller_role;
use crate::store::{OrderWithShipments, Page, ReturnWrite, Store};

mod mails;
mod receive;

pub use receive::receive;

use mails::{customer_notice, seller_notice};

/// Tries of a write that lost a race (another request, decision or shipment move).
pub(super) const ATTEMPTS: usize = 5;

/// Days after a shipment's delivery its units may be asked back (`ReturnWindowDays`).
#[derive(Debug, Clone, Copy)]
pub struct ReturnWindow {
    pub days: u32,
}

/// `POST /orders/{id}/returns`: one return per shipment the request names units of.
/// More than was delivered is 422 (naming the lines); units other returns hold — asked for
/// before, or by a request racing this one — are 409.
pub async fn request<Q: MailQueue + ?Sized>(
    store: &Store,
    mails: &Q,
    caller: &Caller,
    id: &OrderId,
    input: &ReturnRequestInput,
    window: ReturnWindow,
) -> Result<Vec<ReturnView>, ShopError> {
    for _ in 0..ATTEMPTS {
        let found = customers_order(store, caller, id).await?;
        let now_at = now();
        // Units other returns hold are a conflict (409), whether they were asked for before
        // or by a request racing this one (found on the retry after losing the write).
        let planned = plan_returns(&found.shipments, input, now_at, window.days)?;
        let at = now_sortable();
        let by = format!("customer:{}", caller.user_id);
        let mut requests = Vec::new();
        let mut notices = Vec::new();
        for new in planned {
            let shipment = &found.shipments[new.shipment];
            let ret = Return {
                id: ReturnId::new(&shipment.id, shipment.return_seq + 1),
                order_id: found.order.id.clone(),
                shipment_id: shipment.id.clone(),
                customer_id: found.order.customer_id.clone(),
                seller: shipment.seller.clone(),
                seller_id: shipment.seller_id.clone(),
                status: ReturnStatus::Requested,
                lines: new.lines,
                requested_at: at.clone(),
                decided_at: None,
                decision_reason: None,
                received_at: None,
                refund_id: None,
                history: vec![ReturnEvent {
                    at: at.clone(),
                    from: None,
                    to: ReturnStatus::Requested,
                    by: by.clone(),
                    why: None,
                }],
                rev: 0,
            };
            let mut requested = shipment.return_requested.clone();
            for line in &ret.lines {
                *requested.entry(line.sku.clone()).or_insert(0) += line.quantity;
            }
            notices.extend(seller_notice(store, shipment, &ret).await?);
            requests.push((shipment, requested, ret));
        }
        match store.request_returns(&requests, &notices).await? {
            ReturnWrite::Written => {
                // Written: the answer stands. A mail not queued now goes with the order's next
                // flush (the seller's decision on it).
                if let Err(err) = notices::flush(store, mails, id).await {
                    tracing::warn!(order_id = %id, error = %err, "return mails left pending");
                }
                return Ok(requests.iter().map(|(_, _, r)| r.view()).collect());
            }
            _ => continue,
        }
    }
    Err(ShopError::Unavailable(format!(
        "order {id} kept changing while its return was asked for; retry"
    )))
}

/// `GET /orders/{id}/returns`: the order's returns, oldest first; its customer or an admin.
pub async fn list_for_order(
    store: &Store,
    caller: &Caller,
    id: &OrderId,
) -> Result<Vec<ReturnView>, ShopError> {
    let found = store
        .order_with_shipments(id)
        .await?
        .filter(|f| f.order.customer_id == caller.user_id || caller.is_admin())
        .ok_or(ShopError::NotFound("order"))?;
    Ok(found.returns.iter().map(Return::view).collect())
}

/// `GET /seller/returns?status=`: the seller's returns, newest first.
pub async fn list_for_seller(
    store: &Store,
    caller: &Caller,
    status: Option<ReturnStatus>,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<ReturnView>, ShopError> {
    require_seller_role(caller)?;
    store
        .seller_returns(&caller.user_id, status, limit, cursor)
        .await?
        .map(|r| Ok(r.view()))
}

/// `POST /returns/{id}/decision` {decision, reason}: approved (the customer sends the
/// parcel), or rejected (its units returnable again). The same decision again changes
/// nothing; any other move from where it stands is 409.
pub async fn decide<Q: MailQueue + ?Sized>(
    store: &Store,
    mails: &Q,
    caller: &Caller,
    id: &ReturnId,
    decision: Decision,
    reason: String,
) -> Result<ReturnView, ShopError> {
    sellers_return(caller, id)?;
    let to = match decision {
        Decision::Approve => ReturnStatus::Approved,
        Decision::Reject => ReturnStatus::Rejected,
    };
    for _ in 0..ATTEMPTS {
        let (found, ret) = load(store, id).await?;
        if ret.status == to {
            notices::flush(store, mails, &ret.order_id).await?;
            return Ok(ret.view());
        }
        if !ret.status.may_become(to) {
            return Err(too_late(&ret, to));
        }
        let shipment = shipment_of(&found, &ret)?;
        let event = ReturnEvent {
            at: now_sortable(),
            from: Some(ret.status),
            to,
            by: by(caller),
            why: Some(reason.clone()),
        };
        // A rejection gives its units back to what may still be returned.
        let released = (to == ReturnStatus::Rejected).then(|| {
            let mut requested = shipment.return_requested.clone();
            for line in &ret.lines {
                if let Some(count) = requested.get_mut(&line.sku) {
                    *count = count.saturating_sub(line.quantity);
                }
            }
            (shipment, requested)
        });
        let news = match decision {
            Decision::Approve => ReturnNews::Approved,
            Decision::Reject => ReturnNews::Rejected,
        };
        let notices = customer_notice(
            store,
            &found.order,
            &ret,
            &ret.lines,
            news,
            Some(reason.as_str()),
            None,
        )
        .await?;
        match store
            .decide_return(&ret, &event, &reason, released, &notices)
            .await?
        {
            ReturnWrite::Written => {
                notices::flush(store, mails, &ret.order_id).await?;
                return Ok(load(store, id).await?.1.view());
            }
            _ => continue,
        }
    }
    Err(busy(id))
}

/// The order, if the caller is its customer (only the customer asks for a return).
async fn customers_order(
    store: &Store,
    caller: &Caller,
    id: &OrderId,
) -> Result<OrderWithShipments, ShopError> {
    store
        .order_with_shipments(id)
        .await?
        .filter(|f| f.order.customer_id == caller.user_id)
        .ok_or(ShopError::NotFound("order"))
}

/// The caller is the return's seller (by the id alone) or an admin.
pub(super) fn sellers_return(caller: &Caller, id: &ReturnId) -> Result<(), ShopError> {
    if caller.is_admin() {
        return Ok(());
    }
    require_seller_role(caller)?;
    if *id.shipment().seller() == SellerId::of(&caller.user_id) {
        Ok(())
    } else {
        Err(ShopError::NotFound("return"))
    }
}

pub(super) async fn load(
    store: &Store,
    id: &ReturnId,
) -> Result<(OrderWithShipments, Return), ShopError> {
    let found = store
        .order_with_shipments(id.shipment().order())
        .await?
        .ok_or(ShopError::NotFound("return"))?;
    let ret = found
        .returns
        .iter()
        .find(|r| r.id == *id)
        .cloned()
        .ok_or(ShopError::NotFound("return"))?;
    Ok((found, ret))
}

pub(super) fn shipment_of<'a>(
    found: &'a OrderWithShipments,
    ret: &Return,
) -> Result<&'a Shipment, ShopError> {
    found
        .shipments
        .iter()
        .find(|s| s.id == ret.shipment_id)
        .ok_or_else(|| ShopError::internal(format!("return {} has no shipment", ret.id)))
}

pub(super) fn by(caller: &Caller) -> String {
    if caller.is_admin() {
        format!("admin:{}", caller.user_id)
    } else {
        format!("seller:{}", SellerId::of(&caller.user_id))
    }
}

pub(super) fn too_late(ret: &Return, to: ReturnStatus) -> ShopError {
    ShopError::Conflict(format!(
        "return {} is {}: it can no longer be {}",
        ret.id,
        ret.status.as_str(),
        to.as_str()
    ))
}

pub(super) fn busy(id: &ReturnId) -> ShopError {
    ShopError::Unavailable(format!("return {id} is changing; retry"))
}
