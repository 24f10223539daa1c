//! Shipments, stored in their order's partition (`ORDER#<orderId>` / `SHIPMENT#<sellerId>`):
//! created with the order's confirmation ([`shipment_item`], used by `checkout/settle.rs`),
//! read with their order or by their seller, and moved by conditional writes, one file
//! per move ([`ready`], [`cancel`], the carrier's [`handoff`] and [`tracking`]).

mod cancel;
mod coverage;
mod handoff;
mod lease;
mod ready;
mod tracking;

pub(crate) use cancel::CancelWrite;
pub use cancel::{CancelOutcome, Restock, ShipmentCancel};
pub use coverage::{CoveragePointer, LoadClaim};
pub use handoff::{HandOverTo, RunClaim, ShipmentPage};
pub use ready::ReadyOutcome;
pub use tracking::{CarrierChange, InboxClaim};

use super::cursor::{Equals, Index, Page};
use super::keys;
use super::order_update::OrderUpdate;
use super::{from_item, key, s, to_item, Item, Read, Store};
use crate::domain::error::ShopError;
use crate::domain::fulfilment::{Shipment, ShipmentStatus};
use crate::domain::ids::{OrderId, ShipmentId, UserId};
use crate::domain::order::{HistoryEntry, Order};
use crate::domain::refund::Refund;
use crate::domain::returns::Return;
use aws_sdk_dynamodb::types::TransactWriteItem;

pub(crate) const SHIPMENT_ENTITY: &str = "shipment";

pub(crate) fn shipment_key(id: &ShipmentId) -> Item {
    key(keys::order_pk(id.order()), keys::shipment_sk(id.seller()))
}

/// A new shipment as an item: under its order, and on its seller's GSI2 partition.
pub(crate) fn shipment_item(shipment: &Shipment) -> Result<Item, ShopError> {
    let mut item = to_item(
        shipment,
        keys::order_pk(&shipment.order_id),
        keys::shipment_sk(&shipment.seller_id),
        SHIPMENT_ENTITY,
    )?;
    item.insert(
        keys::GSI2PK.into(),
        s(keys::seller_products_pk(&shipment.seller)),
    );
    item.insert(
        keys::GSI2SK.into(),
        s(keys::seller_shipment_sk(&shipment.created_at, &shipment.id)),
    );
    Ok(item)
}

/// What became of a move of a shipment written with its order's follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveOutcome {
    Written,
    /// The shipment or its order moved since they were read: read both again.
    Changed,
}

/// An order as stored with its shipments and refunds, read together.
#[derive(Debug, Clone)]
pub struct OrderWithShipments {
    pub order: Order,
    /// In the order of their sellers' first lines.
    pub shipments: Vec<Shipment>,
    /// Its refund claims, oldest first.
    pub refunds: Vec<Refund>,
    /// Its returns, oldest first.
    pub returns: Vec<Return>,
}

impl Store {
    /// The order, its shipments, refunds and returns in one consistent Query of the order's
    /// partition (the order item, ≤ 25 line items, ≤ 25 shipments, a refund per cause:
    /// usually one page); `None` when there is no such order.
    pub async fn order_with_shipments(
        &self,
        id: &OrderId,
    ) -> Result<Option<OrderWithShipments>, ShopError> {
        let mut order = None;
        let mut shipments = Vec::new();
        let mut refunds: Vec<Refund> = Vec::new();
        let mut returns: Vec<Return> = Vec::new();
        for item in self.query_partition(keys::order_pk(id)).await? {
            match item.get(keys::SK).and_then(|v| v.as_s().ok()) {
                Some(sk) if sk == keys::ORDER_SK => order = Some(from_item::<Order>(item)?),
                Some(sk) if sk.starts_with(keys::SHIPMENT_PREFIX) => {
                    shipments.push(from_item::<Shipment>(item)?)
                }
                Some(sk) if sk.starts_with(keys::REFUND_PREFIX) => {
                    refunds.push(from_item::<Refund>(item)?)
                }
                Some(sk) if sk.starts_with(keys::RETURN_PREFIX) => {
                    returns.push(from_item::<Return>(item)?)
                }
                _ => {}
            }
        }
        let Some(order) = order else {
            return Ok(None);
        };
        // Stored by seller id; shown in the order's own line order.
        let position = |s: &Shipment| {
            order
                .lines
                .iter()
                .position(|l| l.seller_id == s.seller)
                .unwrap_or(usize::MAX)
        };
        shipments.sort_by_key(position);
        refunds.sort_by(|a, b| a.created_at.cmp(&b.created_at));
        returns.sort_by(|a, b| a.requested_at.cmp(&b.requested_at));
        Ok(Some(OrderWithShipments {
            order,
            shipments,
            refunds,
            returns,
        }))
    }

    pub async fn get_shipment(&self, id: &ShipmentId) -> Result<Option<Shipment>, ShopError> {
        self.read(shipment_key(id), Read::Consistent).await
    }

    /// A seller's shipments, newest first, optionally only those in `status`.
    pub async fn seller_shipments(
        &self,
        seller: &UserId,
        status: Option<ShipmentStatus>,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Shipment>, ShopError> {
        let page = self
            .index_page(
                Index::Gsi2,
                keys::seller_products_pk(seller),
                Some(keys::SHIPMENT_PREFIX),
                false,
                limit,
                cursor,
                status.map(|s| Equals::status(s.as_str())),
            )
            .await?;
        page.map(from_item)
    }
}

impl Store {
    /// The order's half of a move that may change the order's status (see
    /// [`OrderUpdate::follow`]).
    pub(crate) fn order_follow_up(
        &self,
        order: &Order,
        entry: Option<&HistoryEntry>,
    ) -> Result<TransactWriteItem, ShopError> {
        OrderUpdate::new().follow(order, entry).into_tx(self, order)
    }
}
