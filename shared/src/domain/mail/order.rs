//! Mails to a customer about the money of an order: its cancellation, and a refund the
//! shop's staff made.

use super::Rendered;

pub(super) fn render_order_cancelled(
    shop_name: &str,
    (to, name): (&str, &str),
    order_id: &str,
    reason: &str,
    refunded: Option<&str>,
) -> Rendered {
    let why = match reason {
        "payment_declined" => "the payment was declined",
        "payment_timeout" => "the payment was not completed in time",
        "fraud_review" => "we could not verify the payment",
        "customer_cancelled" => "you asked us to",
        "admin_cancelled" => "our customer service cancelled it",
        "sellers_cancelled" => "its sellers could not fulfil it",
        _ => "we could not complete the checkout",
    };
    let money = match refunded {
        Some(amount) => format!(
            "The {amount} you paid has been refunded; it reaches your account in a few days."
        ),
        None => "You have not been charged.".to_owned(),
    };
    Rendered {
        to: to.to_owned(),
        subject: format!("{shop_name}: order {order_id} cancelled"),
        text: format!(
            "Hello {name},\n\nYour order {order_id} was cancelled because {why}. {money}\n\n\
             The items are back on sale; you are welcome to order again.\n"
        ),
    }
}

pub(super) fn render_refund_issued(
    shop_name: &str,
    (to, name): (&str, &str),
    order_id: &str,
    amount: &str,
    reason: &str,
) -> Rendered {
    Rendered {
        to: to.to_owned(),
        subject: format!("{shop_name}: a refund for order {order_id}"),
        text: format!(
            "Hello {name},\n\nWe have refunded {amount} of your order {order_id} to your \
             payment method ({reason}). It reaches your account in a few days.\n"
        ),
    }
}
