//! Where an order stands, how it may move on, and the payment facts beside it.

use serde::{Deserialize, Serialize};

use crate::domain::money::Money;

/// An order's status. Later stages (shipped, delivered, returned) extend this enum
/// and [`OrderStatus::may_become`]; nothing else decides which moves are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed, stock reserved, the checkout saga deciding.
    PendingPayment,
    /// Paid; the reserved units are sold.
    Confirmed,
    /// Not going ahead; its reservation was released (and any payment refunded).
    Cancelled,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// The moves the shop allows. Confirm and cancel both start from
    /// `PendingPayment`, so of two racing outcomes exactly one can be written.
    pub fn may_become(self, next: OrderStatus) -> bool {
        matches!(
            (self, next),
            (OrderStatus::PendingPayment, OrderStatus::Confirmed)
                | (OrderStatus::PendingPayment, OrderStatus::Cancelled)
        )
    }
}

/// Why an order was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// The risk score was over the threshold.
    FraudReview,
    /// The card was declined or the payment failed.
    PaymentDeclined,
    /// No payment outcome within the reservation window.
    PaymentTimeout,
    /// The checkout could not proceed (a step failed after its retries).
    CheckoutError,
}

impl CancelReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CancelReason::FraudReview => "fraud_review",
            CancelReason::PaymentDeclined => "payment_declined",
            CancelReason::PaymentTimeout => "payment_timeout",
            CancelReason::CheckoutError => "checkout_error",
        }
    }

    /// The reason for a saga step's failure, by the error name the workflow caught.
    pub fn from_failure(error: &str) -> CancelReason {
        match error {
            FRAUD_REVIEW => CancelReason::FraudReview,
            PAYMENT_DECLINED => CancelReason::PaymentDeclined,
            "States.Timeout" => CancelReason::PaymentTimeout,
            _ => CancelReason::CheckoutError,
        }
    }
}

/// The error name the fraud step fails with when an order needs review.
pub const FRAUD_REVIEW: &str = "FraudReview";
/// The error name the payment step fails with when the card is declined.
pub const PAYMENT_DECLINED: &str = "PaymentDeclined";

/// One change of status: when, by whom (`customer:<id>`, `system:checkout`, `stripe`), why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    pub at: String,
    pub status: OrderStatus,
    pub by: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// No payment attempted yet.
    #[default]
    None,
    /// A PaymentIntent exists and has no final outcome yet (e.g. awaiting 3-D Secure).
    Processing,
    Succeeded,
    Failed,
    Canceled,
    /// Succeeded, then given back in full (the order was cancelled).
    Refunded,
}

/// The payment facts of an order: Stripe's PaymentIntent and any refund of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentState {
    pub payment_intent_id: Option<String>,
    pub status: PaymentStatus,
    pub refund_id: Option<String>,
    pub refunded_amount: Option<Money>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_pending_order_moves_and_only_once() {
        use OrderStatus::*;
        assert!(PendingPayment.may_become(Confirmed));
        assert!(PendingPayment.may_become(Cancelled));
        for from in [Confirmed, Cancelled] {
            for to in [PendingPayment, Confirmed, Cancelled] {
                assert!(!from.may_become(to), "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn failures_map_to_reasons() {
        assert_eq!(
            CancelReason::from_failure("States.Timeout"),
            CancelReason::PaymentTimeout
        );
        assert_eq!(
            CancelReason::from_failure(PAYMENT_DECLINED),
            CancelReason::PaymentDeclined
        );
        assert_eq!(
            CancelReason::from_failure(FRAUD_REVIEW),
            CancelReason::FraudReview
        );
        assert_eq!(
            CancelReason::from_failure("States.TaskFailed"),
            CancelReason::CheckoutError
        );
    }

    #[test]
    fn statuses_serialise_as_documented() {
        assert_eq!(
            serde_json::to_string(&OrderStatus::PendingPayment).unwrap(),
            "\"pending_payment\""
        );
        assert_eq!(OrderStatus::PendingPayment.as_str(), "pending_payment");
        assert_eq!(
            serde_json::to_string(&CancelReason::PaymentTimeout).unwrap(),
            "\"payment_timeout\""
        );
        assert_eq!(CancelReason::PaymentTimeout.as_str(), "payment_timeout");
    }
}
