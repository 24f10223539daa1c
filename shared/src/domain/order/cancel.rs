//! Cancelling an order as a whole, on request of its customer or an admin: what the
//! request may do given where the order and its shipments stand. Pure; the use case
//! (`services::orders::cancel`) reads, writes and talks to the saga.

use serde::{Deserialize, Serialize};

use super::{CancelReason, Order, OrderStatus};
use crate::domain::error::{FieldError, ShopError};
use crate::domain::fulfilment::{Shipment, ShipmentStatus};

/// Longest reason a cancellation may give.
pub const MAX_CANCEL_REASON: usize = 500;

/// A cancellation's reason as sent: trimmed, 1 to 500 characters, no control characters
/// but line breaks.
pub fn cancel_reason(raw: &str) -> Result<String, ShopError> {
    let reason = raw.trim();
    let problem = if reason.is_empty() {
        Some("is required".to_owned())
    } else if reason.chars().count() > MAX_CANCEL_REASON {
        Some(format!("must be at most {MAX_CANCEL_REASON} characters"))
    } else if reason.chars().any(|c| c.is_control() && c != '\n') {
        Some("must not contain control characters".to_owned())
    } else {
        None
    };
    match problem {
        Some(message) => Err(ShopError::Invalid(vec![FieldError::new(
            "reason", &message,
        )])),
        None => Ok(reason.to_owned()),
    }
}

/// `POST /orders/{id}/cancel` as sent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelOrderInput {
    pub reason: String,
}

impl CancelOrderInput {
    pub fn parse(&self) -> Result<String, ShopError> {
        cancel_reason(&self.reason)
    }
}

/// A cancellation asked for while the order awaits payment, kept on the order: the saga
/// ends the checkout through its own path, and whichever step sees it first (the payment
/// worker storing its task's token, the request finding a token, the confirm step) acts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelRequest {
    /// `customer_cancelled` or `admin_cancelled`.
    pub kind: CancelReason,
    /// `customer:<id>` or `admin:<id>`.
    pub by: String,
    pub reason: String,
    pub at: String,
}

/// What a cancellation of the whole order does, given where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderCancel<'a> {
    /// Awaiting payment: the request is recorded and the checkout ends it.
    Request,
    /// Paid, nothing with the carrier: these shipments (every one not cancelled already)
    /// are cancelled, their units back in stock, everything not refunded yet refunded.
    Paid { shipments: Vec<&'a Shipment> },
    /// Cancelled already (by this request repeated, the checkout, or its sellers).
    Already,
}

/// Where a cancellation of `order` (with its `shipments`) stands. Refused once any
/// shipment is with the carrier or delivered: a return is the way then.
pub fn plan_order_cancel<'a>(
    order: &Order,
    shipments: &'a [Shipment],
) -> Result<OrderCancel<'a>, ShopError> {
    match order.status {
        OrderStatus::PendingPayment => return Ok(OrderCancel::Request),
        OrderStatus::Cancelled => return Ok(OrderCancel::Already),
        _ => {}
    }
    if let Some(sent) = shipments.iter().find(|s| {
        !matches!(
            s.status,
            ShipmentStatus::AwaitingFulfilment | ShipmentStatus::Ready | ShipmentStatus::Cancelled
        )
    }) {
        return Err(ShopError::Conflict(format!(
            "shipment {} is {}: an order can no longer be cancelled once any of it is with \
             the carrier; return what was delivered instead (POST /orders/{}/returns)",
            sent.id,
            sent.status.as_str(),
            order.id
        )));
    }
    if order.status != OrderStatus::Confirmed {
        // The order follows its shipments; none is with the carrier, so it is confirmed.
        return Err(ShopError::internal(format!(
            "order {} is {} with no shipment handed over",
            order.id,
            order.status.as_str()
        )));
    }
    Ok(OrderCancel::Paid {
        shipments: shipments
            .iter()
            .filter(|s| s.status != ShipmentStatus::Cancelled)
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_required_bounded_and_printable() {
        assert_eq!(
            cancel_reason("  changed my mind \n").unwrap(),
            "changed my mind"
        );
        for bad in ["", "   ", "a\u{7}b"] {
            assert!(
                matches!(cancel_reason(bad), Err(ShopError::Invalid(_))),
                "{bad:?}"
            );
        }
        assert!(cancel_reason(&"x".repeat(MAX_CANCEL_REASON)).is_ok());
        assert!(cancel_reason(&"x".repeat(MAX_CANCEL_REASON + 1)).is_err());
        assert!(cancel_reason("line one\nline two").is_ok());
    }
}
