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

pub use cancel::CancelOutcome;
pub use coverage::{CoveragePointer, LoadClaim};
pub use handoff::{HandOverTo, RunClaim, ShipmentPage};
pub use ready::ReadyOutcome;
pub use tracking::{CarrierChange, InboxClaim, Notice, PendingNotice};

use super::cursor::{Equals, Index, Page};
use super::keys;
use super::{build, from_item, key, n, s, sdk_error, to_item, tx, value, Item, Read, Store};
use crate::domain::error::ShopError;
use crate::domain::fulfilment::{Shipment, ShipmentStatus};
use crate::domain::ids::{OrderId, ShipmentId, UserId};
use crate::domain::order::{HistoryEntry, Order};
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};

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

/// An order as stored with its shipments, read together.
#[derive(Debug, Clone)]
pub struct OrderWithShipments {
    pub order: Order,
    /// In the order of their sellers' first lines.
    pub shipments: Vec<Shipment>,
}

impl Store {
    /// The order and its shipments in one consistent Query of the order's partition
    /// (the order item, ≤ 25 line items, ≤ 25 shipments: well under a page); `None`
    /// when there is no such order.
    pub async fn order_with_shipments(
        &self,
        id: &OrderId,
    ) -> Result<Option<OrderWithShipments>, ShopError> {
        let mut order = None;
        let mut shipments = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client()
                .query()
                .table_name(self.table())
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", s(keys::order_pk(id)))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(sdk_error)?;
            for item in page.items.unwrap_or_default() {
                match item.get(keys::SK).and_then(|v| v.as_s().ok()) {
                    Some(sk) if sk == keys::ORDER_SK => order = Some(from_item::<Order>(item)?),
                    Some(sk) if sk.starts_with(keys::SHIPMENT_PREFIX) => {
                        shipments.push(from_item::<Shipment>(item)?)
                    }
                    _ => {}
                }
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => break,
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
        Ok(Some(OrderWithShipments { order, shipments }))
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
    /// The order's half of a move that may change the order's status: conditional on the
    /// order's status and `fulfilmentRev` as read (any other move of one of its shipments
    /// since bumps it), so two shipments moving at once cannot both write a status derived
    /// from a state that no longer holds. Writes `entry`'s status and history when the
    /// derived status changed; bumps `fulfilmentRev` either way.
    pub(crate) fn order_follow_up(
        &self,
        order: &Order,
        entry: Option<&HistoryEntry>,
    ) -> Result<TransactWriteItem, ShopError> {
        // Orders confirmed before shipments existed have no counter yet.
        let rev_condition = if order.fulfilment_rev == 0 {
            "(attribute_not_exists(fulfilmentRev) OR fulfilmentRev = :frev)"
        } else {
            "fulfilmentRev = :frev"
        };
        let update = Update::builder()
            .table_name(self.table())
            .set_key(Some(key(keys::order_pk(&order.id), keys::ORDER_SK)))
            .condition_expression(format!("#status = :current AND {rev_condition}"))
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":current", s(order.status.as_str()))
            .expression_attribute_values(":frev", n(order.fulfilment_rev))
            .expression_attribute_values(":next", n(order.fulfilment_rev + 1));
        let update = match entry {
            Some(e) => update
                .update_expression(
                    "SET fulfilmentRev = :next, #status = :to, history = list_append(history, :entry)",
                )
                .expression_attribute_values(":to", s(e.status.as_str()))
                .expression_attribute_values(":entry", value(&vec![e])?),
            None => update.update_expression("SET fulfilmentRev = :next"),
        };
        Ok(tx(build(update.build())?))
    }
}
