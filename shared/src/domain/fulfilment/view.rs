//! What customers and sellers see of a shipment. Each view is built field by field from
//! the stored shipment, so a field added to [`Shipment`] is shown to nobody until a view
//! names it.

use serde::Serialize;

use super::shipment::{Parcel, Shipment, ShipmentEvent, ShipmentLine, ShipmentStatus};
use crate::domain::ids::{OrderId, SellerId, ShipmentId};
use crate::domain::order::Address;

/// A shipment inside its order (`GET /orders/{id}`): the customer's own address and
/// lines are on the order already, so only what the shipment adds.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerShipmentView {
    pub id: ShipmentId,
    pub seller_id: SellerId,
    pub status: ShipmentStatus,
    pub lines: Vec<ShipmentLine>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub estimated_delivery: Option<String>,
    pub out_for_delivery_at: Option<String>,
    pub delivered_at: Option<String>,
    pub cancel_reason: Option<String>,
    pub history: Vec<ShipmentEvent>,
}

/// A shipment as its seller sees it (`GET /seller/orders`, `GET /seller/shipments/{id}`):
/// its own lines and where they go, never the customer's account, email or payment,
/// nor other sellers' lines of the same order.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SellerShipmentView {
    pub id: ShipmentId,
    pub order_id: OrderId,
    pub status: ShipmentStatus,
    pub created_at: String,
    pub lines: Vec<ShipmentLine>,
    pub shipping_address: Address,
    pub service_level: String,
    pub parcels: Vec<Parcel>,
    pub pickup_address: Option<Address>,
    pub ready_at: Option<String>,
    pub handoff_run_id: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub estimated_delivery: Option<String>,
    pub out_for_delivery_at: Option<String>,
    pub delivered_at: Option<String>,
    pub cancel_reason: Option<String>,
    /// Cancelled with its units back in the seller's stock.
    pub restocked: bool,
    pub history: Vec<ShipmentEvent>,
}

impl Shipment {
    pub fn customer_view(&self) -> CustomerShipmentView {
        CustomerShipmentView {
            id: self.id.clone(),
            seller_id: self.seller_id.clone(),
            status: self.status,
            lines: self.lines.clone(),
            carrier: self.carrier.clone(),
            tracking_number: self.tracking_number.clone(),
            estimated_delivery: self.estimated_delivery.clone(),
            out_for_delivery_at: self.out_for_delivery_at.clone(),
            delivered_at: self.delivered_at.clone(),
            cancel_reason: self.cancel_reason.clone(),
            history: self.history.clone(),
        }
    }

    pub fn seller_view(&self) -> SellerShipmentView {
        SellerShipmentView {
            id: self.id.clone(),
            order_id: self.order_id.clone(),
            status: self.status,
            created_at: self.created_at.clone(),
            lines: self.lines.clone(),
            shipping_address: self.shipping_address.clone(),
            service_level: self.service_level.clone(),
            parcels: self.parcels.clone(),
            pickup_address: self.pickup_address.clone(),
            ready_at: self.ready_at.clone(),
            handoff_run_id: self.handoff_run_id.clone(),
            carrier: self.carrier.clone(),
            tracking_number: self.tracking_number.clone(),
            estimated_delivery: self.estimated_delivery.clone(),
            out_for_delivery_at: self.out_for_delivery_at.clone(),
            delivered_at: self.delivered_at.clone(),
            cancel_reason: self.cancel_reason.clone(),
            restocked: self.restocked,
            history: self.history.clone(),
        }
    }
}
