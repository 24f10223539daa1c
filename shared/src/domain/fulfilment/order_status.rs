//! The order follows its shipments: one pure function says where an order stands,
//! given where each of its shipments stands.

use super::shipment::ShipmentStatus;
use crate::domain::order::OrderStatus;

/// The status of a paid order whose shipments stand at `shipments`. Cancelled shipments
/// do not count: an order of two shipments, one cancelled and one delivered, is
/// `delivered`. A failed delivery counts as shipped (the carrier had it), never as
/// delivered. An order whose shipments are all cancelled stays `confirmed`: its lines are
/// flagged for refund, and what becomes of the order then belongs to refunds.
pub fn order_status_of(shipments: &[ShipmentStatus]) -> OrderStatus {
    let going: Vec<ShipmentStatus> = shipments
        .iter()
        .copied()
        .filter(|s| *s != ShipmentStatus::Cancelled)
        .collect();
    let shipped = going.iter().filter(|s| s.carrier_has_it()).count();
    let delivered = going
        .iter()
        .filter(|s| **s == ShipmentStatus::Delivered)
        .count();
    if going.is_empty() {
        OrderStatus::Confirmed
    } else if delivered == going.len() {
        OrderStatus::Delivered
    } else if delivered > 0 {
        OrderStatus::PartiallyDelivered
    } else if shipped == going.len() {
        OrderStatus::Shipped
    } else if shipped > 0 {
        OrderStatus::PartiallyShipped
    } else {
        OrderStatus::Confirmed
    }
}
