//! A seller's side of fulfilment: its shipments, packing one (`ready`) and cancelling
//! one it cannot fulfil. Who may call: a signed-in seller, for its own shipments only. A
//! shipment id names its seller, so another seller's id is answered 404 before anything
//! is read, exactly as an id that does not exist. The carrier's side: [`handoff`] (the
//! manifests out) and [`tracking`] (the events back; its customer mails go through
//! `services::notices`).

pub mod coverage;
pub mod handoff;

pub mod tracking;

use crate::clock::now_sortable;
use crate::domain::auth::Caller;
use crate::domain::error::{FieldError, ShopError};
use crate::domain::fulfilment::{
    order_status_of, Parcel, SellerShipmentView, Shipment, ShipmentEvent, ShipmentStatus,
    ShipmentTally,
};
use crate::domain::ids::{SellerId, ShipmentId};
use crate::domain::order::{HistoryEntry, Order};
use crate::services::sellers::require_seller_role;
use crate::store::{Page, ReadyOutcome, Store};

mod cancel;

pub use cancel::cancel;

/// Tries of a move that lost a race (another move of the same shipment or order).
const MOVE_ATTEMPTS: usize = 5;

/// Who a seller's moves are recorded as: its public id, never its account.
fn by_seller(caller: &Caller) -> String {
    format!("seller:{}", SellerId::of(&caller.user_id))
}

/// The caller is a seller and `id` is one of its shipments (by the id alone).
fn own_id(caller: &Caller, id: &ShipmentId) -> Result<(), ShopError> {
    require_seller_role(caller)?;
    if *id.seller() == SellerId::of(&caller.user_id) {
        Ok(())
    } else {
        Err(ShopError::NotFound("shipment"))
    }
}

/// `GET /seller/orders`: the seller's shipments, newest first, optionally in one status.
pub async fn list(
    store: &Store,
    caller: &Caller,
    status: Option<ShipmentStatus>,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<SellerShipmentView>, ShopError> {
    require_seller_role(caller)?;
    store
        .seller_shipments(&caller.user_id, status, limit, cursor)
        .await?
        .map(|s| Ok(s.seller_view()))
}

/// `GET /seller/shipments/{id}`.
pub async fn get(
    store: &Store,
    caller: &Caller,
    id: &ShipmentId,
) -> Result<SellerShipmentView, ShopError> {
    own_id(caller, id)?;
    Ok(load(store, id).await?.seller_view())
}

async fn load(store: &Store, id: &ShipmentId) -> Result<Shipment, ShopError> {
    store
        .get_shipment(id)
        .await?
        .ok_or(ShopError::NotFound("shipment"))
}

/// `POST /seller/shipments/{id}/ready`: packed, in `parcels`, for the next collection
/// from the seller's pickup address. Sending the same parcels again changes nothing;
/// other parcels for a shipment still waiting for its collection replace them (it keeps
/// its place in the queue); once the carrier has it, nothing changes any more (409).
pub async fn ready(
    store: &Store,
    caller: &Caller,
    id: &ShipmentId,
    parcels: Vec<Parcel>,
) -> Result<SellerShipmentView, ShopError> {
    own_id(caller, id)?;
    let pickup = store
        .get_seller(id.seller())
        .await?
        .and_then(|s| s.pickup_address)
        .ok_or_else(|| {
            ShopError::Invalid(vec![FieldError::new(
                "pickupAddress",
                "set a pickup address first (PATCH /seller/profile): the carrier collects from it",
            )])
        })?;
    for _ in 0..MOVE_ATTEMPTS {
        let shipment = load(store, id).await?;
        let repack = match shipment.status {
            ShipmentStatus::AwaitingFulfilment => false,
            ShipmentStatus::Ready
                if shipment.parcels == parcels
                    && shipment.pickup_address.as_ref() == Some(&pickup) =>
            {
                return Ok(shipment.seller_view());
            }
            ShipmentStatus::Ready => true,
            other => return Err(too_late(other, "packed")),
        };
        let now = now_sortable();
        let entry = ShipmentEvent {
            at: now.clone(),
            from: Some(shipment.status),
            to: ShipmentStatus::Ready,
            by: by_seller(caller),
            why: Some(if repack { "packed again" } else { "packed" }.into()),
        };
        match store
            .mark_ready(&shipment, &parcels, &pickup, &now, &entry)
            .await?
        {
            ReadyOutcome::Written(now) => return Ok(now.seller_view()),
            ReadyOutcome::Changed => continue,
        }
    }
    Err(busy(id))
}

/// What the order's history gets when shipment `id` of `shipments` moves `to`: `None`
/// when the order's derived status stays; an internal error (a bug, never written) when it
/// would move where `OrderStatus::may_become` forbids.
pub(crate) fn order_follows(
    order: &Order,
    shipments: &[Shipment],
    id: &ShipmentId,
    to: ShipmentStatus,
    at: &str,
    by: &str,
    reason: String,
) -> Result<Option<HistoryEntry>, ShopError> {
    let tallies: Vec<ShipmentTally> = shipments
        .iter()
        .map(|s| {
            let mut tally = s.tally();
            if s.id == *id {
                tally.status = to;
            }
            tally
        })
        .collect();
    order_follows_tallies(order, &tallies, at, by, reason)
}

/// What the order's history gets when its shipments stand at `tallies` (after a move, or
/// a return received): `None` when its derived status stays; an internal error (a bug,
/// never written) when it would move where `OrderStatus::may_become` forbids.
pub(crate) fn order_follows_tallies(
    order: &Order,
    tallies: &[ShipmentTally],
    at: &str,
    by: &str,
    reason: String,
) -> Result<Option<HistoryEntry>, ShopError> {
    let next = order_status_of(tallies);
    if next == order.status {
        Ok(None)
    } else if order.status.may_become(next) {
        Ok(Some(HistoryEntry {
            at: at.to_owned(),
            status: next,
            by: by.to_owned(),
            reason: Some(reason),
        }))
    } else {
        Err(ShopError::internal(format!(
            "order {}: {reason} would move it from {} to {}",
            order.id,
            order.status.as_str(),
            next.as_str()
        )))
    }
}

fn too_late(status: ShipmentStatus, what: &str) -> ShopError {
    ShopError::Conflict(format!(
        "the shipment is {}: it can no longer be {what}",
        status.as_str()
    ))
}

fn busy(id: &ShipmentId) -> ShopError {
    ShopError::Unavailable(format!("shipment {id} is changing; retry"))
}
