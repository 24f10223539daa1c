//! The mails the shop sends. A use case that needs one queues a [`Mail`] (JSON on
//! the mail queue); the mailer function renders it here and sends it. Rendering is
//! pure, so every mail's wording is tested without a mail server.

use serde::{Deserialize, Serialize};

mod account;
mod cancel;
mod check;
mod order;
mod returns;
mod shipment;
mod stock;
pub use account::{AccountChange, CodePurpose};
pub use returns::ReturnNews;
use shipment::render_shipment_update;
pub use shipment::ShipmentNews;

/// One mail to send, as queued. `kind` names the template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Mail {
    /// A code for an account operation: resetting a forgotten password, or proving a
    /// new address before the account moves to it.
    AccountCode {
        to: String,
        name: String,
        purpose: CodePurpose,
        code: String,
        expires_in_minutes: u32,
    },
    /// A security notice: something changed on the account (always sent).
    AccountChanged {
        to: String,
        name: String,
        change: AccountChange,
    },
    /// The code that proves a new account's owner reads this address.
    VerifyEmail {
        to: String,
        name: String,
        code: String,
        expires_in_minutes: u32,
    },
    /// An order was paid and its items are sold to the customer.
    OrderConfirmed {
        to: String,
        name: String,
        order_id: String,
        /// Amounts in minor units of `currency`.
        total: i64,
        currency: String,
        items: u32,
    },
    /// An order will not go ahead; says why and what happened to the money.
    OrderCancelled {
        to: String,
        name: String,
        order_id: String,
        reason: String,
        /// Refunded amount in minor units of `currency`, when a payment was taken back.
        refunded: Option<i64>,
        currency: String,
    },
    /// A paid order has lines of this seller to pack and ship (one mail per order per seller).
    SellerNewOrder {
        to: String,
        /// The seller's display name.
        name: String,
        order_id: String,
        shipment_id: String,
        lines: Vec<MailLine>,
    },
    /// News of one shipment from the carrier (one mail per shipment per kind of news).
    ShipmentUpdate {
        to: String,
        name: String,
        order_id: String,
        shipment_id: String,
        news: ShipmentNews,
        carrier: String,
        tracking_number: String,
        /// `YYYY-MM-DD`, when one is known.
        estimated_delivery: Option<String>,
        lines: Vec<MailLine>,
    },
    /// A seller could not fulfil its shipment: these items will not come, and their money
    /// is refunded.
    ShipmentCancelled {
        to: String,
        name: String,
        order_id: String,
        shipment_id: String,
        lines: Vec<MailLine>,
        /// Minor units of `currency` refunded for them.
        refunded: i64,
        currency: String,
    },
    /// A return moved: approved (send the parcel back), rejected (why), received (what is
    /// refunded).
    ReturnUpdate {
        to: String,
        name: String,
        order_id: String,
        return_id: String,
        news: ReturnNews,
        lines: Vec<MailLine>,
        /// The seller's reason, when it approved or rejected.
        reason: Option<String>,
        /// Minor units of `currency` refunded, once received.
        refunded: Option<i64>,
        currency: String,
    },
    /// To a seller: a customer asks to return units of its shipment; decide on it.
    SellerReturnRequested {
        to: String,
        /// The seller's display name.
        name: String,
        order_id: String,
        return_id: String,
        lines: Vec<MailLine>,
    },
    /// To a seller: an order was cancelled before its shipment was handed over; do not ship.
    SellerShipmentCancelled {
        to: String,
        /// The seller's display name.
        name: String,
        order_id: String,
        shipment_id: String,
        lines: Vec<MailLine>,
    },
    /// To a customer: the shop's staff refunded money of an order (units that never came,
    /// or a goodwill amount).
    RefundIssued {
        to: String,
        name: String,
        order_id: String,
        /// Minor units of `currency`.
        amount: i64,
        currency: String,
        /// The staff's reason, as they wrote it.
        reason: String,
    },
    /// To a seller: a variant fell to or below its low-stock threshold (once per crossing).
    SellerLowStock {
        to: String,
        /// The seller's display name.
        name: String,
        product_id: String,
        product_name: String,
        sku: String,
        available: i64,
        threshold: i64,
        reorder_quantity: Option<i64>,
        alert_id: String,
    },
}

/// One line of an order as a mail lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailLine {
    pub sku: String,
    pub product_name: String,
    pub quantity: u32,
}

/// Most lines one mail lists: an order's most (`MAX_ORDER_LINES`).
pub const MAX_MAIL_LINES: usize = 25;

/// `amount` minor units of `currency`, as a customer reads it (two decimals, or none
/// for currencies without minor units).
fn display_amount(amount: i64, currency: &str) -> String {
    const ZERO_DECIMAL: &[&str] = &["JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF"];
    if ZERO_DECIMAL.contains(&currency) {
        format!("{amount} {currency}")
    } else {
        let sign = if amount < 0 { "-" } else { "" };
        format!(
            "{sign}{}.{:02} {currency}",
            amount.abs() / 100,
            amount.abs() % 100
        )
    }
}

/// A mail ready for the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub to: String,
    pub subject: String,
    pub text: String,
}

/// Most bytes a queued mail may take; far below SQS's 256 KiB, and a guard against
/// rendering anything that did not come from the shop.
pub const MAX_QUEUED_BYTES: usize = 16 * 1024;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("a queued mail is larger than {MAX_QUEUED_BYTES} bytes")]
    TooLarge,
    #[error("not a mail the shop knows: {0}")]
    Unreadable(String),
    #[error("mail field {0} is empty or malformed")]
    BadField(&'static str),
}

impl Mail {
    /// Reads a queued mail; anything else is refused (a poison message, never sent).
    pub fn from_queue(body: &str) -> Result<Mail, MailError> {
        if body.len() > MAX_QUEUED_BYTES {
            return Err(MailError::TooLarge);
        }
        let mail: Mail =
            serde_json::from_str(body).map_err(|e| MailError::Unreadable(e.to_string()))?;
        mail.check()?;
        Ok(mail)
    }

    pub fn to_queue(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn render(&self, shop_name: &str) -> Rendered {
        match self {
            Mail::AccountCode {
                to,
                name,
                purpose,
                code,
                expires_in_minutes,
            } => account::render_code(shop_name, (to, name), *purpose, code, *expires_in_minutes),
            Mail::AccountChanged { to, name, change } => {
                account::render_change(shop_name, (to, name), change)
            }
            Mail::VerifyEmail {
                to,
                name,
                code,
                expires_in_minutes,
            } => account::render_verification(shop_name, (to, name), code, *expires_in_minutes),
            Mail::OrderConfirmed { to, name, order_id, total, currency, items } => Rendered {
                to: to.clone(),
                subject: format!("{shop_name}: order {order_id} confirmed"),
                text: format!(
                    "Hello {name},\n\n\
                     Thank you: your payment of {} for order {order_id} ({items} item(s)) went through, \
                     and the order is confirmed. We will let you know when it ships.\n",
                    display_amount(*total, currency)
                ),
            },
            Mail::OrderCancelled { to, name, order_id, reason, refunded, currency } => {
                order::render_order_cancelled(
                    shop_name,
                    (to, name),
                    order_id,
                    reason,
                    refunded.map(|r| display_amount(r, currency)).as_deref(),
                )
            }
            Mail::SellerNewOrder {
                to,
                name,
                order_id,
                shipment_id,
                lines,
            } => shipment::render_seller_new_order(shop_name, (to, name), order_id, shipment_id, lines),
            Mail::ShipmentUpdate {
                to,
                name,
                order_id,
                shipment_id,
                news,
                carrier,
                tracking_number,
                estimated_delivery,
                lines,
            } => render_shipment_update(
                shop_name,
                to,
                name,
                order_id,
                shipment_id,
                *news,
                (carrier, tracking_number),
                estimated_delivery.as_deref(),
                lines,
            ),
            Mail::ShipmentCancelled {
                to,
                name,
                order_id,
                shipment_id,
                lines,
                refunded,
                currency,
            } => cancel::render_shipment_cancelled(
                shop_name,
                to,
                name,
                (order_id, shipment_id),
                lines,
                &display_amount(*refunded, currency),
            ),
            Mail::ReturnUpdate {
                to,
                name,
                order_id,
                return_id,
                news,
                lines,
                reason,
                refunded,
                currency,
            } => returns::render_return_update(
                shop_name,
                (to, name),
                (order_id, return_id),
                *news,
                lines,
                reason.as_deref(),
                refunded.map(|r| display_amount(r, currency)).as_deref(),
            ),
            Mail::SellerReturnRequested {
                to,
                name,
                order_id,
                return_id,
                lines,
            } => returns::render_seller_return_requested(
                shop_name,
                (to, name),
                (order_id, return_id),
                lines,
            ),
            Mail::SellerShipmentCancelled {
                to,
                name,
                order_id,
                shipment_id,
                lines,
            } => cancel::render_seller_shipment_cancelled(
                shop_name,
                to,
                name,
                (order_id, shipment_id),
                lines,
            ),
            Mail::RefundIssued {
                to,
                name,
                order_id,
                amount,
                currency,
                reason,
            } => order::render_refund_issued(
                shop_name,
                (to, name),
                order_id,
                &display_amount(*amount, currency),
                reason,
            ),
            Mail::SellerLowStock {
                to,
                name,
                product_id,
                product_name,
                sku,
                available,
                threshold,
                reorder_quantity,
                alert_id,
            } => stock::render_low_stock(
                shop_name,
                (to, name),
                &stock::LowStockFacts {
                    product_id,
                    product_name,
                    sku,
                    available: *available,
                    threshold: *threshold,
                    reorder_quantity: *reorder_quantity,
                    alert_id,
                },
            ),
        }
    }
}

#[cfg(test)]
mod tests;
