//! The checkout saga's functions, one file per step (as `shared/src/services/checkout/`):
//! `POST /orders/quote` ([`quote`]) before it, `POST /orders` ([`place`]), the stream's backstop start ([`start`]), the state
//! machine's tasks ([`fraud`], [`settle`]), the payment queue ([`payment`]) and Stripe's
//! webhook ([`webhook`]). Only the routes are called by a customer.

pub mod fraud;
pub mod payment;
pub mod place;
pub mod quote;
pub mod settle;
pub mod start;
pub mod webhook;

pub use fraud::fraud_check;
pub use payment::pay;
pub use place::place_order;
pub use quote::quote_order;
pub use settle::settle;
pub use start::start_checkout;
pub use webhook::webhook;

use lambda_runtime::Diagnostic;
use serde::Deserialize;
use shop::domain::ids::OrderId;
use shop::ShopError;

/// A task's input from the state machine.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderTask {
    pub order_id: OrderId,
}

/// The error a task fails with: its `error_type` is what the state machine's
/// `Retry`/`Catch` match (`FraudReview`, or `ShopError` for anything to retry).
pub(crate) fn task_error(error_type: &str, message: impl ToString) -> Diagnostic {
    Diagnostic {
        error_type: error_type.to_owned(),
        error_message: message.to_string(),
    }
}

/// A step's failure: `ShopUnavailable` when a dependency (Stripe, a throttled table) may
/// recover, which the state machine retries with backoff; `ShopError` otherwise.
pub(crate) fn failed(err: ShopError) -> Diagnostic {
    tracing::error!(error = %err, "checkout step failed");
    match err {
        ShopError::Unavailable(_) => task_error("ShopUnavailable", err),
        _ => task_error("ShopError", err),
    }
}
