//! Where an order stands, how it may move on, and the payment facts beside it.

use serde::{Deserialize, Serialize};

use crate::domain::error::FieldError;
use crate::domain::money::Money;

/// An order's status. Until payment the checkout saga decides it; from `Confirmed` on it
/// follows the order's shipments (`domain::fulfilment::order_status_of`), then the
/// returns of what was delivered. [`OrderStatus::may_become`] alone decides which moves
/// are allowed. Money given back is not a status: it is in the order's payment facts.
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
    /// Some delivered units came back; the rest stay with the customer (so far).
    PartiallyReturned,
    /// Every delivered unit came back.
    Returned,
    /// Not going ahead: before payment, or paid but cancelled as a whole before anything
    /// was handed to the carrier. Its reservation was released (and any payment refunded).
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 9] = [
        OrderStatus::PendingPayment,
        OrderStatus::Confirmed,
        OrderStatus::PartiallyShipped,
        OrderStatus::Shipped,
        OrderStatus::PartiallyDelivered,
        OrderStatus::Delivered,
        OrderStatus::PartiallyReturned,
        OrderStatus::Returned,
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
            OrderStatus::PartiallyReturned => "partially_returned",
            OrderStatus::Returned => "returned",
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

    /// Paid and going ahead: confirmed, or further along its delivery (or its returns).
    pub fn is_paid(self) -> bool {
        self.fulfilment_rank().is_some()
    }

    /// How far along its delivery, then its returns, a paid order is; `None` before
    /// payment or when cancelled.
    fn fulfilment_rank(self) -> Option<u8> {
        match self {
            OrderStatus::Confirmed => Some(0),
            OrderStatus::PartiallyShipped => Some(1),
            OrderStatus::Shipped => Some(2),
            OrderStatus::PartiallyDelivered => Some(3),
            OrderStatus::Delivered => Some(4),
            OrderStatus::PartiallyReturned => Some(5),
            OrderStatus::Returned => Some(6),
            OrderStatus::PendingPayment | OrderStatus::Cancelled => None,
        }
    }

    /// The moves the shop allows. Confirm and cancel both start from
    /// `PendingPayment`, so of two racing outcomes exactly one can be written. A paid
    /// order only moves forward along its delivery and then its returns (several steps
    /// at once when its shipments did), never back. It is cancelled as a whole only while
    /// `Confirmed`: once the carrier has anything, what comes back is a return, not a
    /// cancellation.
    pub fn may_become(self, next: OrderStatus) -> bool {
        match (self, next) {
            (OrderStatus::PendingPayment, OrderStatus::Confirmed | OrderStatus::Cancelled) => true,
            (OrderStatus::Confirmed, OrderStatus::Cancelled) => true,
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
    /// The customer cancelled it: during checkout, or paid but before anything shipped.
    CustomerCancelled,
    /// The shop's staff cancelled it.
    AdminCancelled,
    /// Every one of its shipments was cancelled by its seller.
    SellersCancelled,
}

impl CancelReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CancelReason::FraudReview => "fraud_review",
            CancelReason::PaymentDeclined => "payment_declined",
            CancelReason::PaymentTimeout => "payment_timeout",
            CancelReason::CheckoutError => "checkout_error",
            CancelReason::CustomerCancelled => "customer_cancelled",
            CancelReason::AdminCancelled => "admin_cancelled",
            CancelReason::SellersCancelled => "sellers_cancelled",
        }
    }

    /// The reason for a saga step's failure, by the error name the workflow caught.
    pub fn from_failure(error: &str) -> CancelReason {
        match error {
            FRAUD_REVIEW => CancelReason::FraudReview,
            PAYMENT_DECLINED => CancelReason::PaymentDeclined,
            CUSTOMER_CANCELLED => CancelReason::CustomerCancelled,
            "States.Timeout" => CancelReason::PaymentTimeout,
            _ => CancelReason::CheckoutError,
        }
    }
}

/// The error name the fraud step fails with when an order needs review.
pub const FRAUD_REVIEW: &str = "FraudReview";
/// The error name the payment step fails with when the card is declined.
pub const PAYMENT_DECLINED: &str = "PaymentDeclined";
/// The error name the checkout fails with when the customer cancels it before it is decided.
pub const CUSTOMER_CANCELLED: &str = "CustomerCancelled";

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
    /// Succeeded, then given back in full (the order was cancelled, or all of it refunded).
    Refunded,
    /// Succeeded, then part of it given back (some units, or the shipping, refunded).
    PartiallyRefunded,
}

/// The payment facts of an order: Stripe's PaymentIntent, what it captured, and the
/// refunds claimed and made against it (each refund is its own claim item beside the
/// order; these are their running totals, kept where the conditions that bound them can
/// see them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentState {
    pub payment_intent_id: Option<String>,
    pub status: PaymentStatus,
    /// Minor units captured for the order: its total once confirmed, or a payment that
    /// succeeded after the order was cancelled. Absent on orders paid before it was
    /// recorded (see [`super::Order::captured`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_amount: Option<i64>,
    /// Σ of the order's own refund claims, whatever became of them: what may no longer be
    /// claimed. Never more than the capture.
    #[serde(default)]
    pub refund_claimed: i64,
    /// Σ of the claims Stripe made.
    #[serde(default)]
    pub refunded_total: i64,
    /// Written by refunds made before claims existed; read for such orders only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded_amount: Option<Money>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_order_is_decided_once_and_only_an_unshipped_one_is_cancelled() {
        use OrderStatus::*;
        assert!(PendingPayment.may_become(Confirmed));
        assert!(PendingPayment.may_become(Cancelled));
        for to in [
            PartiallyShipped,
            Shipped,
            PartiallyDelivered,
            Delivered,
            PartiallyReturned,
            Returned,
        ] {
            assert!(!PendingPayment.may_become(to), "unpaid -> {to:?}");
        }
        for from in OrderStatus::ALL {
            assert!(!from.may_become(PendingPayment), "{from:?} -> pending");
            assert!(!from.may_become(from), "{from:?} -> itself");
            // Paid but nothing with the carrier yet: the whole order may still be called off.
            let cancellable = matches!(from, PendingPayment | Confirmed);
            assert_eq!(
                from.may_become(Cancelled),
                cancellable,
                "{from:?} -> cancelled"
            );
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
            PartiallyReturned,
            Returned,
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
            CancelReason::from_failure(CUSTOMER_CANCELLED),
            CancelReason::CustomerCancelled
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
        for (status, name) in [
            (OrderStatus::PartiallyReturned, "partially_returned"),
            (OrderStatus::Returned, "returned"),
        ] {
            assert_eq!(status.as_str(), name);
            assert_eq!(
                serde_json::to_string(&status).unwrap(),
                format!("\"{name}\"")
            );
        }
        for (reason, name) in [
            (CancelReason::CustomerCancelled, "customer_cancelled"),
            (CancelReason::AdminCancelled, "admin_cancelled"),
            (CancelReason::SellersCancelled, "sellers_cancelled"),
        ] {
            assert_eq!(reason.as_str(), name);
            assert_eq!(
                serde_json::to_string(&reason).unwrap(),
                format!("\"{name}\"")
            );
            assert_eq!(
                serde_json::from_str::<CancelReason>(&format!("\"{name}\"")).unwrap(),
                reason
            );
        }
        assert_eq!(
            serde_json::to_string(&PaymentStatus::PartiallyRefunded).unwrap(),
            "\"partially_refunded\""
        );
    }
}
