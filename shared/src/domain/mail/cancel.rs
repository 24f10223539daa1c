//! Mails about cancelled shipments: to the customer when a seller cannot fulfil one, to
//! the seller when the order was cancelled before it shipped.

use super::{MailLine, Rendered};

fn items(lines: &[MailLine]) -> String {
    lines
        .iter()
        .map(|l| format!("  {} x {} (SKU {})\n", l.quantity, l.product_name, l.sku))
        .collect()
}

pub(super) fn render_shipment_cancelled(
    shop_name: &str,
    to: &str,
    name: &str,
    (order_id, shipment_id): (&str, &str),
    lines: &[MailLine],
    refunded: &str,
) -> Rendered {
    Rendered {
        to: to.to_owned(),
        subject: format!("{shop_name}: part of order {order_id} was cancelled"),
        text: format!(
            "Hello {name},\n\nThe seller could not fulfil these items of your order {order_id} \
             (shipment {shipment_id}), so they will not be sent:\n\n{}\n\
             {refunded} is refunded to your payment method; it reaches your account in a few \
             days. The rest of your order goes ahead.\n",
            items(lines)
        ),
    }
}

pub(super) fn render_seller_shipment_cancelled(
    shop_name: &str,
    to: &str,
    name: &str,
    (order_id, shipment_id): (&str, &str),
    lines: &[MailLine],
) -> Rendered {
    Rendered {
        to: to.to_owned(),
        subject: format!("{shop_name}: order {order_id} cancelled, do not ship"),
        text: format!(
            "Hello {name},\n\nOrder {order_id} was cancelled before its shipment {shipment_id} \
             was handed to the carrier. Please do not ship these items; they are back in \
             your stock:\n\n{}\nIf the parcel is packed, it will not be collected.\n",
            items(lines)
        ),
    }
}
