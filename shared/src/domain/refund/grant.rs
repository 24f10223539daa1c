//! An operator's refund (`POST /admin/orders/{id}/refunds`): units refunded without a
//! return — a parcel the carrier could not deliver, an item lost on the way — priced by the
//! module's rules (goods and their exact tax share, the shipping when asked), or a plain
//! amount of goodwill. Either way a claim like every other, never above what is left of
//! the capture.

use serde::Deserialize;

use super::{check_claim, plan_refund, RefundPlan, RefundRefusal};
use crate::domain::error::{FieldError, ShopError, Validator};
use crate::domain::ids::Sku;
use crate::domain::money::Money;
use crate::domain::order::{Order, MAX_ORDER_LINES};

/// The longest reason (characters).
const MAX_REASON: usize = 500;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrantLineInput {
    pub sku: String,
    pub quantity: u32,
}

/// The request body: `lines` and/or `shipping`, or `amount` (minor units of the order's
/// currency), and always a `reason` the customer reads.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrantRefundInput {
    pub reason: String,
    #[serde(default)]
    pub lines: Vec<GrantLineInput>,
    #[serde(default)]
    pub shipping: bool,
    pub amount: Option<i64>,
}

/// What an operator refunds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// Units of the order's lines, and the shipping when `shipping` (and still due).
    Units {
        units: Vec<(Sku, u32)>,
        shipping: bool,
    },
    /// A plain amount, minor units of the order's currency.
    Amount(i64),
}

impl GrantRefundInput {
    /// The grant and its reason; 422 naming every field that breaks a rule.
    pub fn parse(&self) -> Result<(Grant, String), ShopError> {
        let mut v = Validator::default();
        let reason = self.reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON {
            v.check::<()>(Err(FieldError::new(
                "reason",
                &format!("must be 1 to {MAX_REASON} characters"),
            )));
        } else if reason.chars().any(|c| c.is_control() && c != '\n') {
            v.check::<()>(Err(FieldError::new(
                "reason",
                "must not contain control characters",
            )));
        }
        let by_units = !self.lines.is_empty() || self.shipping;
        match (self.amount, by_units) {
            (Some(_), true) => v.check::<()>(Err(FieldError::new(
                "amount",
                "give either an amount or lines/shipping, not both",
            ))),
            (None, false) => v.check::<()>(Err(FieldError::new(
                "amount",
                "give an amount, or lines and/or shipping",
            ))),
            (Some(a), false) if a <= 0 => v.check::<()>(Err(FieldError::new(
                "amount",
                "must be a positive number of minor units",
            ))),
            _ => None,
        };
        if self.lines.len() > MAX_ORDER_LINES {
            v.check::<()>(Err(FieldError::new(
                "lines",
                &format!("at most {MAX_ORDER_LINES} lines"),
            )));
        }
        let mut units = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            let sku = v.check(
                Sku::parse(&line.sku)
                    .map_err(|e| FieldError::new(&format!("lines[{i}].sku"), &e.message)),
            );
            if line.quantity == 0 {
                v.check::<()>(Err(FieldError::new(
                    &format!("lines[{i}].quantity"),
                    "must be at least 1",
                )));
            }
            if let Some(sku) = sku {
                units.push((sku, line.quantity));
            }
        }
        v.finish()?;
        let grant = match self.amount {
            Some(amount) => Grant::Amount(amount),
            None => Grant::Units {
                units,
                shipping: self.shipping,
            },
        };
        Ok((grant, reason.to_owned()))
    }
}

/// A grant priced against the order as it stands: the plan of its units (or a plan of no
/// units for an amount) and the order's new claimed total. Refused when it asks for units
/// the order lacks or has refunded, gives nothing, or exceeds what is left of the capture.
pub fn plan_grant(
    order: &Order,
    captured: i64,
    grant: &Grant,
) -> Result<(RefundPlan, i64), RefundRefusal> {
    let plan = match grant {
        Grant::Units { units, shipping } => plan_refund(order, &order.refunded, units, *shipping)?,
        Grant::Amount(amount) => RefundPlan {
            units: Vec::new(),
            shipping: false,
            goods: 0,
            tax: 0,
            shipping_amount: 0,
            amount: Money::new(*amount, order.currency),
        },
    };
    let claimed = check_claim(captured, order.payment.refund_claimed, plan.amount.amount)?;
    Ok((plan, claimed))
}

/// A plan of units fitted to what the order's claims left of its capture: an operator's
/// goodwill amount may have given back part of what a later refund of units (a
/// cancellation, a return) prices, and the order's refunds never add up to more than it
/// captured. Amount 0 when nothing is left.
pub fn fit_to_capture(plan: RefundPlan, captured: i64, claimed: i64) -> RefundPlan {
    let left = captured.saturating_sub(claimed).max(0);
    if plan.amount.amount <= left {
        plan
    } else {
        RefundPlan {
            amount: Money::new(left, plan.amount.currency),
            ..plan
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: serde_json::Value) -> GrantRefundInput {
        serde_json::from_value(json).unwrap()
    }

    fn fields(err: ShopError) -> Vec<String> {
        match err {
            ShopError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn units_or_an_amount_with_a_reason() {
        let (grant, reason) = input(serde_json::json!({
            "reason": " lost by the carrier ", "lines": [{"sku": "ab-1", "quantity": 2}], "shipping": true
        }))
        .parse()
        .unwrap();
        assert_eq!(reason, "lost by the carrier");
        assert_eq!(
            grant,
            Grant::Units {
                units: vec![(Sku::parse("AB-1").unwrap(), 2)],
                shipping: true
            }
        );
        let (grant, _) = input(serde_json::json!({"reason": "sorry", "amount": 500}))
            .parse()
            .unwrap();
        assert_eq!(grant, Grant::Amount(500));
    }

    #[test]
    fn both_neither_or_bad_values_are_refused_field_by_field() {
        let both = input(serde_json::json!({"reason": "x", "amount": 5, "shipping": true}));
        assert_eq!(fields(both.parse().unwrap_err()), ["amount"]);
        let neither = input(serde_json::json!({"reason": "x"}));
        assert_eq!(fields(neither.parse().unwrap_err()), ["amount"]);
        let bad = input(serde_json::json!({
            "reason": "", "lines": [{"sku": "", "quantity": 0}]
        }));
        assert_eq!(
            fields(bad.parse().unwrap_err()),
            ["reason", "lines[0].sku", "lines[0].quantity"]
        );
        let negative = input(serde_json::json!({"reason": "x", "amount": -1}));
        assert_eq!(fields(negative.parse().unwrap_err()), ["amount"]);
    }

    #[test]
    fn a_plan_is_fitted_to_what_is_left_of_the_capture() {
        let plan = RefundPlan {
            units: Vec::new(),
            shipping: true,
            goods: 0,
            tax: 100,
            shipping_amount: 600,
            amount: Money::new(700, crate::domain::money::Currency::parse("USD").unwrap()),
        };
        assert_eq!(fit_to_capture(plan.clone(), 9000, 8000).amount.amount, 700);
        assert_eq!(fit_to_capture(plan.clone(), 9000, 8500).amount.amount, 500);
        assert_eq!(fit_to_capture(plan, 9000, 9000).amount.amount, 0);
    }
}
