//! The customer's mails about a shipment: what the carrier reported, with its tracking number.

use serde::{Deserialize, Serialize};

use super::{MailLine, Rendered};

/// What a shipment's mail tells its customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShipmentNews {
    /// The carrier has the parcel and it is on its way (with the tracking number).
    Shipped,
    OutForDelivery,
    Delivered,
    /// The carrier could not deliver; the parcel goes back to its seller.
    DeliveryFailed,
}

impl ShipmentNews {
    pub fn as_str(self) -> &'static str {
        match self {
            ShipmentNews::Shipped => "shipped",
            ShipmentNews::OutForDelivery => "out_for_delivery",
            ShipmentNews::Delivered => "delivered",
            ShipmentNews::DeliveryFailed => "delivery_failed",
        }
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn render_shipment_update(
    shop_name: &str,
    to: &str,
    name: &str,
    order_id: &str,
    shipment_id: &str,
    news: ShipmentNews,
    (carrier, tracking_number): (&str, &str),
    estimated_delivery: Option<&str>,
    lines: &[MailLine],
) -> Rendered {
    let items: String = lines
        .iter()
        .map(|l| format!("  {} x {}\n", l.quantity, l.product_name))
        .collect();
    let expected = estimated_delivery
        .map(|d| format!(" It is expected on {d}."))
        .unwrap_or_default();
    let (subject, what) = match news {
        ShipmentNews::Shipped => (
            format!("{shop_name}: part of order {order_id} has shipped"),
            format!(
                "These items of your order {order_id} are on their way with {carrier}, \
                 tracking number {tracking_number}.{expected}"
            ),
        ),
        ShipmentNews::OutForDelivery => (
            format!("{shop_name}: out for delivery today (order {order_id})"),
            format!(
                "{carrier} is delivering these items of your order {order_id} today \
                 (tracking number {tracking_number})."
            ),
        ),
        ShipmentNews::Delivered => (
            format!("{shop_name}: delivered (order {order_id})"),
            format!(
                "{carrier} has delivered these items of your order {order_id} \
                 (tracking number {tracking_number})."
            ),
        ),
        ShipmentNews::DeliveryFailed => (
            format!("{shop_name}: we could not deliver part of order {order_id}"),
            format!(
                "{carrier} could not deliver these items of your order {order_id} \
                 (tracking number {tracking_number}); they go back to the seller, and \
                 we will write to you about a new delivery or a refund."
            ),
        ),
    };
    Rendered {
        to: to.to_owned(),
        subject,
        text: format!("Hello {name},\n\n{what}\n\n{items}\nShipment {shipment_id}.\n"),
    }
}

/// A paid order's lines for one seller to pack.
pub(super) fn render_seller_new_order(
    shop_name: &str,
    (to, name): (&str, &str),
    order_id: &str,
    shipment_id: &str,
    lines: &[MailLine],
) -> Rendered {
    let items: String = lines
        .iter()
        .map(|l| format!("  {} x {} (SKU {})\n", l.quantity, l.product_name, l.sku))
        .collect();
    Rendered {
        to: to.to_owned(),
        subject: format!("{shop_name}: new order {order_id} to ship"),
        text: format!(
            "Hello {name},\n\nOrder {order_id} is paid. Please pack these items \
             (shipment {shipment_id}):\n\n{items}\n\
             When they are packed, mark the shipment ready with its parcels \
             (POST /seller/shipments/{shipment_id}/ready): it then goes on the \
             carrier's next collection.\n"
        ),
    }
}
