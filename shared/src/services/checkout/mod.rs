//! The checkout saga, one file per step of `statemachines/checkout.asl.json`, each the
//! home of that step's decisions (its handler only parses and answers, its store
//! functions only write):
//!
//! | state / trigger | binary | handler | service | store |
//! |---|---|---|---|---|
//! | `POST /orders/quote` (before the saga) | `quote-order` | `checkout::quote_order` | [`quote::quote_order`] | `Store::offers`, `sku_owners`, `cart_lines` |
//! | `POST /orders` | `place-order` | `checkout::place_order` | [`place::place_order`] | `Store::place_order` |
//! | new order on the stream (backstop) | `start-checkout` | `checkout::start_checkout` | — (`CheckoutStarter::start`) | — |
//! | `FraudCheck` | `checkout-fraud` | `checkout::fraud_check` | [`fraud::fraud_check`] | `Store::record_card_use` |
//! | `Pay` (payment queue) | `payment-worker` | `checkout::pay` | [`payment::pay`] | `Store::record_task_token`, `record_payment_intent` |
//! | Stripe's webhook | `payment-webhook` | `checkout::webhook` | [`webhook::payment_event`] | `Store::order_and_token`, `claim_alone` (a stray payment's refund) |
//! | `Confirm` / `Cancel` | `checkout-settle` | `checkout::settle` | [`settle::confirm`], [`settle::cancel`] | `Store::confirm_order`, `cancel_order` |
//!
//! Who may call: a signed-in customer quotes and places orders; every other step is the state
//! machine's, the payment queue's or Stripe's (by a verified signature) — never a
//! customer. Every step may run more than once (retries, redeliveries, a webhook racing
//! a timeout) and must leave the same result: the order's status moves once, stock is
//! sold or released once, a card is charged at most once and refunded at most once.

pub mod fraud;
pub mod payment;
pub mod place;
pub mod quote;
mod refunds;
pub mod settle;
pub mod webhook;

pub use fraud::fraud_check;
pub use payment::{paid_output, pay, start_payment, PaymentStep};
pub use place::{place_order, PlacedOrder};
pub use quote::quote_order;
pub use settle::{cancel, confirm, ConfirmMails};
pub use webhook::payment_event;

use crate::domain::error::ShopError;
use crate::domain::ids::OrderId;
use crate::domain::order::Order;
use crate::store::Store;

/// Who the saga's own history entries name.
pub(crate) const CHECKOUT: &str = "system:checkout";

/// The order a step works on; a step for an order that does not exist is a bug upstream.
pub(crate) async fn load_order(store: &Store, id: &OrderId) -> Result<Order, ShopError> {
    store
        .get_order(id)
        .await?
        .ok_or(ShopError::NotFound("order"))
}
