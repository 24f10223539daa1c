//! Where an order stands, how it may move on, and the payment facts beside it.

use serde::{Deserialize, Serialize};

use crate::domain::error::FieldError;
use crate::domain::money::Money;

/// An order's status. Until payment the checkout saga decides it; from `Confirmed` on it
/// follows the order's shipments (`domain::fulfilment::order_status_of`). Later stages
/// (returned, refunded) extend this enum and [`OrderStatus::may_become`]; nothing else
/// decides which moves are allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed, stock reserved, the checkout saga deciding.
    PendingPayment,
    /// Paid; the reserved units are sold. No shipment is with the carrier yet.
    Confirmed,
    /// Some of its shipments are with the carrier, others not yet.
    PartiallyShipped,
    /// Every shipment that is going ahead is with the carrier.
    Shipped,
    /// Some shipments delivered, others still on their way.
    PartiallyDelivered,
    /// Every shipment that went ahead was delivered.
    Delivered,
    /// Not going ahead; its reservation was released (and any payment refunded).
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 7] = [
        OrderStatus::PendingPayment,
        OrderStatus::Confirmed,
        OrderStatus::PartiallyShipped,
        OrderStatus::Shipped,
        OrderStatus::PartiallyDelivered,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Confirmed => "confirmed",
            OrderStatus::PartiallyShipped => "partially_shipped",
            OrderStatus::Shipped => "shipped",
            OrderStatus::PartiallyDelivered => "partially_delivered",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    /// A status as a client names it (`GET /orders?status=`).
    pub fn parse(raw: &str) -> Result<OrderStatus, FieldError> {
        OrderStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                let names: Vec<&str> = OrderStatus::ALL.iter().map(|s| s.as_str()).collect();
                FieldError::new("status", &format!("must be one of {}", names.join(", ")))
            })
    }

    /// Paid and going ahead: confirmed, or further along its delivery.
    pub fn is_paid(self) -> bool {
        self.fulfilment_rank().is_some()
    }

    /// How far along its delivery a paid order is; `None` before payment or when cancelled.
    fn fulfilment_rank(self) -> Option<u8> {
        match self {
            OrderStatus::Confirmed => Some(0),
            OrderStatus::PartiallyShipped => Some(1),
            OrderStatus::Shipped => Some(2),
            OrderStatus::PartiallyDelivered => Some(3),
            OrderStatus::Delivered => Some(4),
            OrderStatus::PendingPayment | OrderStatus::Cancelled => None,
        }
    }

    /// The moves the shop allows. Confirm and cancel both start from
    /// `PendingPayment`, so of two racing outcomes exactly one can be written; a paid
    /// order only moves forward along its delivery (several steps at once when its
    /// shipments did), never back, and is never cancelled as a whole.
    pub fn may_become(self, next: OrderStatus) -> bool {
        match (self, next) {
            (OrderStatus::PendingPayment, OrderStatus::Confirmed | OrderStatus::Cancelled) => true,
            _ => matches!(
                (self.fulfilment_rank(), next.fulfilment_rank()),
                (Some(from), Some(to)) if to > from
            ),
        }
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
        for to in [PartiallyShipped, Shipped, PartiallyDelivered, Delivered] {
            assert!(!PendingPayment.may_become(to), "unpaid -> {to:?}");
        }
        for from in OrderStatus::ALL {
            assert!(!from.may_become(PendingPayment), "{from:?} -> pending");
            assert!(!from.may_become(from), "{from:?} -> itself");
            if from != PendingPayment {
                assert!(!from.may_become(Cancelled), "{from:?} -> cancelled");
            }
        }
        for to in OrderStatus::ALL {
            assert!(!Cancelled.may_become(to), "cancelled -> {to:?}");
        }
    }

    #[test]
    fn a_paid_order_moves_only_forward_along_its_delivery() {
        use OrderStatus::*;
        let path = [
            Confirmed,
            PartiallyShipped,
            Shipped,
            PartiallyDelivered,
            Delivered,
        ];
        for (i, from) in path.iter().enumerate() {
            for (j, to) in path.iter().enumerate() {
                assert_eq!(from.may_become(*to), j > i, "{from:?} -> {to:?}");
            }
            assert!(from.is_paid());
        }
        assert!(!PendingPayment.is_paid() && !Cancelled.is_paid());
    }

    #[test]
    fn statuses_parse_by_their_names() {
        for status in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(status.as_str()).unwrap(), status);
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{}\"", status.as_str())
            );
        }
        let err = OrderStatus::parse("Shipped").unwrap_err();
        assert_eq!(err.field, "status");
        assert!(
            err.message.contains("partially_delivered"),
            "{}",
            err.message
        );
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
