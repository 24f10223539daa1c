//! Payments as the shop sees them: what a PaymentIntent's status means for an order, and
//! the webhook events the shop acts on. Pure: Stripe's wire formats (the signature
//! header, event and PaymentIntent JSON) and its HTTP calls live in `adapters::stripe`.

/// A PaymentIntent's status (Stripe's life cycle of a payment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntentStatus {
    RequiresPaymentMethod,
    RequiresConfirmation,
    RequiresAction,
    Processing,
    RequiresCapture,
    Canceled,
    Succeeded,
}

impl IntentStatus {
    /// Money may still move: the intent can be cancelled so that it never does.
    pub fn cancellable(self) -> bool {
        !matches!(self, IntentStatus::Canceled | IntentStatus::Succeeded)
    }

    /// How a charge went, as the payment metrics count it: paid now, waiting for the
    /// customer (3-D Secure), still with the bank, or refused.
    pub fn outcome(self) -> &'static str {
        match self {
            IntentStatus::Succeeded => "succeeded",
            IntentStatus::RequiresAction => "requires_action",
            IntentStatus::Processing
            | IntentStatus::RequiresCapture
            | IntentStatus::RequiresConfirmation => "processing",
            IntentStatus::RequiresPaymentMethod | IntentStatus::Canceled => "declined",
        }
    }
}

/// What the shop knows of a PaymentIntent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentIntent {
    pub id: String,
    pub status: IntentStatus,
    pub amount: i64,
    /// Lower case, as Stripe writes it (`usd`).
    pub currency: String,
    /// The order it pays for, as the shop named it when creating it.
    pub order_id: Option<String>,
    /// Why its last payment attempt failed (`card_declined`, ...).
    pub decline_code: Option<String>,
}

impl PaymentIntent {
    /// The order it pays for.
    pub fn order_id(&self) -> Option<&str> {
        self.order_id.as_deref()
    }
}

/// A webhook event the shop acts on; every other type is acknowledged and ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentEvent {
    Succeeded(PaymentIntent),
    Failed(PaymentIntent),
    Ignored(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_charge_outcome_names_what_the_customer_sees() {
        assert_eq!(IntentStatus::Succeeded.outcome(), "succeeded");
        assert_eq!(IntentStatus::RequiresAction.outcome(), "requires_action");
        assert_eq!(IntentStatus::Processing.outcome(), "processing");
        assert_eq!(IntentStatus::RequiresPaymentMethod.outcome(), "declined");
        assert_eq!(IntentStatus::Canceled.outcome(), "declined");
    }

    #[test]
    fn only_unsettled_intents_can_be_cancelled() {
        assert!(IntentStatus::RequiresAction.cancellable());
        assert!(IntentStatus::RequiresPaymentMethod.cancellable());
        assert!(!IntentStatus::Succeeded.cancellable());
        assert!(!IntentStatus::Canceled.cancellable());
    }
}
