//! Mails about returns: the customer told of each decision and of the refund, the seller
//! told of a request to decide on.

use serde::{Deserialize, Serialize};

use super::{MailLine, Rendered};

/// What a return's mail tells its customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnNews {
    Approved,
    Rejected,
    /// The seller received the parcel; the refund is on its way.
    Received,
}

impl ReturnNews {
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnNews::Approved => "return_approved",
            ReturnNews::Rejected => "return_rejected",
            ReturnNews::Received => "return_received",
        }
    }
}

fn items(lines: &[MailLine]) -> String {
    lines
        .iter()
        .map(|l| format!("  {} x {} (SKU {})\n", l.quantity, l.product_name, l.sku))
        .collect()
}

pub(super) fn render_return_update(
    shop_name: &str,
    (to, name): (&str, &str),
    (order_id, return_id): (&str, &str),
    news: ReturnNews,
    lines: &[MailLine],
    reason: Option<&str>,
    refunded: Option<&str>,
) -> Rendered {
    let because = reason.map(|r| format!(" ({r})")).unwrap_or_default();
    let (subject, what) = match news {
        ReturnNews::Approved => (
            format!("{shop_name}: return {return_id} approved (order {order_id})"),
            format!(
                "Your return {return_id} of order {order_id} is approved{because}. Please send \
                 these items back to the seller; your refund follows once they arrive:"
            ),
        ),
        ReturnNews::Rejected => (
            format!("{shop_name}: return {return_id} declined (order {order_id})"),
            format!(
                "Your return {return_id} of order {order_id} was declined{because}. These items \
                 stay yours:"
            ),
        ),
        ReturnNews::Received => (
            format!("{shop_name}: return {return_id} received (order {order_id})"),
            format!(
                "The seller received your return {return_id} of order {order_id}. {} is \
                 refunded to your payment method; it reaches your account in a few days. \
                 Items received:",
                refunded.unwrap_or("The amount")
            ),
        ),
    };
    Rendered {
        to: to.to_owned(),
        subject,
        text: format!("Hello {name},\n\n{what}\n\n{}", items(lines)),
    }
}

pub(super) fn render_seller_return_requested(
    shop_name: &str,
    (to, name): (&str, &str),
    (order_id, return_id): (&str, &str),
    lines: &[MailLine],
) -> Rendered {
    Rendered {
        to: to.to_owned(),
        subject: format!("{shop_name}: return {return_id} requested (order {order_id})"),
        text: format!(
            "Hello {name},\n\nA customer asks to return these items of order {order_id} \
             (return {return_id}):\n\n{}\nApprove or reject it (POST /returns/{return_id}/decision); \
             once the parcel is back, report what arrived (POST /returns/{return_id}/receipt).\n",
            items(lines)
        ),
    }
}
