//! A refund as the shop records it: a claim on the order, written by the change that owes
//! the money (in the same transaction), then executed at Stripe by the refund worker and
//! recorded as succeeded or failed. The claim holds everything execution needs — amount,
//! the intent to refund, its id — so the worker never computes money.

use serde::{Deserialize, Serialize};

use super::{RefundId, RefundPlan, RefundStatus};
use crate::domain::ids::{OrderId, Sku};
use crate::domain::money::Money;
use crate::domain::returns::ReturnId;

/// Units of one SKU a refund gives the money back for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundedUnits {
    pub sku: Sku,
    pub quantity: u32,
}

/// The stored claim (`ORDER#<orderId>` / `REFUND#<refundId>`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    pub id: RefundId,
    pub order_id: OrderId,
    pub amount: Money,
    /// Why, in words a customer may read.
    pub reason: String,
    /// Who caused it: `customer:<id>`, `seller:<sellerId>`, `admin:<id>`, `system:checkout`.
    pub claimed_by: String,
    /// The PaymentIntent whose charge is refunded (copied from the order when claimed).
    pub payment_intent_id: String,
    #[serde(default)]
    pub units: Vec<RefundedUnits>,
    /// The order's shipping (and its tax) is part of it.
    #[serde(default)]
    pub shipping: bool,
    /// Counted in the order's claimed and refunded totals: every refund of the order's own
    /// payment is; a stray payment's (another intent that paid for it) is not.
    pub of_capture: bool,
    pub status: RefundStatus,
    /// Starts at 1; an operator's retry of a failed refund starts the next round, which
    /// Stripe sees under a new idempotency key.
    pub round: u32,
    /// Executions begun (leases taken) over all rounds: one above 1 means an earlier one
    /// may have reached Stripe, so Stripe is asked before a refund is created.
    #[serde(default)]
    pub attempt: u32,
    /// Unix seconds until which the current execution holds the claim.
    #[serde(default)]
    pub lease_until: Option<i64>,
    #[serde(default)]
    pub lease_token: Option<String>,
    #[serde(default)]
    pub stripe_refund_id: Option<String>,
    /// Stripe's code when it refused (`charge_already_refunded`, `resource_missing`, ...).
    #[serde(default)]
    pub failure_code: Option<String>,
    pub created_at: String,
    #[serde(default)]
    pub succeeded_at: Option<String>,
    #[serde(default)]
    pub failed_at: Option<String>,
    /// What an operator did about a failure (`settled_outside_stripe`) and why.
    #[serde(default)]
    pub note: Option<String>,
    /// The return it pays for (which becomes `refunded` with it).
    #[serde(default)]
    pub return_id: Option<ReturnId>,
}

/// Everything a claim is made of besides its bookkeeping.
#[derive(Debug, Clone)]
pub struct NewRefund<'a> {
    pub id: RefundId,
    pub order_id: &'a OrderId,
    pub reason: String,
    pub claimed_by: String,
    pub payment_intent_id: &'a str,
    pub now: &'a str,
}

impl Refund {
    /// The claim of `plan` against the order's own payment.
    pub fn of_plan(new: NewRefund<'_>, plan: &RefundPlan) -> Refund {
        let mut refund = Refund::of_amount(new, plan.amount);
        refund.units = plan
            .units
            .iter()
            .map(|(sku, quantity)| RefundedUnits {
                sku: sku.clone(),
                quantity: *quantity,
            })
            .collect();
        refund.shipping = plan.shipping;
        refund
    }

    /// A claim of a plain amount against the order's own payment (the whole payment of a
    /// cancelled order; an admin's grant).
    pub fn of_amount(new: NewRefund<'_>, amount: Money) -> Refund {
        Refund {
            id: new.id,
            order_id: new.order_id.clone(),
            amount,
            reason: new.reason,
            claimed_by: new.claimed_by,
            payment_intent_id: new.payment_intent_id.to_owned(),
            units: Vec::new(),
            shipping: false,
            of_capture: true,
            status: RefundStatus::Pending,
            round: 1,
            attempt: 0,
            lease_until: None,
            lease_token: None,
            stripe_refund_id: None,
            failure_code: None,
            created_at: new.now.to_owned(),
            succeeded_at: None,
            failed_at: None,
            note: None,
            return_id: None,
        }
    }

    /// The Stripe idempotency key of its current round.
    pub fn idempotency_key(&self) -> String {
        self.id.idempotency_key(self.round)
    }

    pub fn view(&self) -> RefundView {
        RefundView {
            id: self.id.clone(),
            amount: self.amount,
            reason: self.reason.clone(),
            status: self.status,
            created_at: self.created_at.clone(),
            succeeded_at: self.succeeded_at.clone(),
        }
    }
}

/// A refund as the order's customer sees it: no intent, no Stripe codes.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefundView {
    pub id: RefundId,
    pub amount: Money,
    pub reason: String,
    pub status: RefundStatus,
    pub created_at: String,
    pub succeeded_at: Option<String>,
}

/// `POST /admin/orders/{id}/refunds/{refundId}` as sent: what an operator does about a
/// refund Stripe refused.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResolveRefundInput {
    pub action: String,
    pub note: String,
}

/// An operator's resolution of a failed refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Ask Stripe again (a new round: a new idempotency key), with the order's intent as it
    /// stands now (an operator may have corrected it).
    Retry,
    /// The money went back another way (a bank transfer, a voucher): recorded, not retried.
    SettledOutsideStripe,
}

impl ResolveRefundInput {
    pub fn parse(&self) -> Result<(Resolution, String), crate::domain::error::ShopError> {
        use crate::domain::error::{FieldError, ShopError, Validator};
        let mut v = Validator::default();
        let action = v.check(match self.action.as_str() {
            "retry" => Ok(Resolution::Retry),
            "settled_outside_stripe" => Ok(Resolution::SettledOutsideStripe),
            _ => Err(FieldError::new(
                "action",
                "must be retry or settled_outside_stripe",
            )),
        });
        let note = v.check(
            crate::domain::order::cancel_reason(&self.note).map_err(|e| match e {
                ShopError::Invalid(mut errors) => {
                    let mut first = errors.remove(0);
                    first.field = "note".into();
                    first
                }
                other => FieldError::new("note", &other.to_string()),
            }),
        );
        v.finish()?;
        match (action, note) {
            (Some(action), Some(note)) => Ok((action, note)),
            _ => Err(ShopError::internal(
                "a checked resolution without its parts",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resolution_is_retry_or_settled_with_a_note() {
        let input = |action: &str, note: &str| ResolveRefundInput {
            action: action.into(),
            note: note.into(),
        };
        assert_eq!(
            input("retry", " charge restored ").parse().unwrap(),
            (Resolution::Retry, "charge restored".to_owned())
        );
        assert_eq!(
            input("settled_outside_stripe", "bank transfer 2026-12-07")
                .parse()
                .unwrap()
                .0,
            Resolution::SettledOutsideStripe
        );
        match input("refund", "").parse() {
            Err(crate::domain::error::ShopError::Invalid(errors)) => assert_eq!(
                errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
                ["action", "note"]
            ),
            other => panic!("{other:?}"),
        }
    }
}
