//! Stripe's JSON (only the fields the shop reads): a PaymentIntent, into the domain's
//! [`PaymentIntent`]; a PaymentMethod's card; refunds.

use serde::Deserialize;
use std::collections::HashMap;

use crate::domain::payment::{IntentStatus, PaymentIntent};

/// The metadata key naming the order a PaymentIntent pays for.
pub const ORDER_ID_METADATA: &str = "orderId";

#[derive(Debug, Clone, Deserialize)]
pub struct IntentBody {
    id: String,
    status: StatusName,
    amount: i64,
    currency: String,
    #[serde(default)]
    metadata: HashMap<String, String>,
    #[serde(default)]
    last_payment_error: Option<PaymentErrorBody>,
}

#[derive(Debug, Clone, Deserialize)]
struct PaymentErrorBody {
    code: Option<String>,
}

/// Stripe's names of the statuses.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum StatusName {
    RequiresPaymentMethod,
    RequiresConfirmation,
    RequiresAction,
    Processing,
    RequiresCapture,
    Canceled,
    Succeeded,
}

impl IntentBody {
    pub fn into_intent(self) -> PaymentIntent {
        PaymentIntent {
            id: self.id,
            status: match self.status {
                StatusName::RequiresPaymentMethod => IntentStatus::RequiresPaymentMethod,
                StatusName::RequiresConfirmation => IntentStatus::RequiresConfirmation,
                StatusName::RequiresAction => IntentStatus::RequiresAction,
                StatusName::Processing => IntentStatus::Processing,
                StatusName::RequiresCapture => IntentStatus::RequiresCapture,
                StatusName::Canceled => IntentStatus::Canceled,
                StatusName::Succeeded => IntentStatus::Succeeded,
            },
            amount: self.amount,
            currency: self.currency,
            order_id: self.metadata.get(ORDER_ID_METADATA).cloned(),
            decline_code: self.last_payment_error.and_then(|e| e.code),
        }
    }
}

#[derive(Deserialize)]
pub(super) struct PaymentMethodBody {
    pub(super) card: Option<CardBody>,
}

#[derive(Deserialize)]
pub(super) struct CardBody {
    pub(super) fingerprint: Option<String>,
    pub(super) country: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct RefundBody {
    pub(super) id: String,
    #[serde(default)]
    pub(super) status: Option<String>,
    #[serde(default)]
    pub(super) metadata: std::collections::HashMap<String, String>,
}

#[derive(Deserialize)]
pub(super) struct RefundList {
    pub(super) data: Vec<RefundBody>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_intent_reads_its_order_and_decline_code() {
        let body: IntentBody = serde_json::from_value(serde_json::json!({
            "id": "pi_1", "status": "requires_payment_method", "amount": 2599, "currency": "usd",
            "metadata": {"orderId": "o-1"}, "last_payment_error": {"code": "card_declined", "message": "no"},
            "latest_charge": null
        }))
        .unwrap();
        let intent = body.into_intent();
        assert_eq!(
            (
                intent.status,
                intent.order_id(),
                intent.decline_code.as_deref()
            ),
            (
                IntentStatus::RequiresPaymentMethod,
                Some("o-1"),
                Some("card_declined")
            )
        );
    }
}
