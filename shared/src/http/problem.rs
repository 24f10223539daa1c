//! The edge's reading of domain errors: each [`ShopError`] variant gets its HTTP
//! status and its RFC 9457 `application/problem+json` document here, and nowhere else.

use serde::Serialize;

use crate::domain::error::{FieldError, ShopError};
use crate::domain::money::Money;
use crate::domain::order::Shortage;

/// The status code for a domain error.
pub fn status(err: &ShopError) -> u16 {
    match err {
        ShopError::Malformed(_) => 400,
        ShopError::Invalid(_) => 422,
        ShopError::Unauthenticated | ShopError::InvalidCredentials => 401,
        ShopError::Forbidden(_) => 403,
        ShopError::NotFound(_) => 404,
        ShopError::Conflict(_)
        | ShopError::InsufficientStock { .. }
        | ShopError::StockShort(_)
        | ShopError::TotalChanged { .. } => 409,
        // As Stripe answers a reused key with another request (the request is valid,
        // but not with this key).
        ShopError::IdempotencyKeyReused => 422,
        ShopError::Internal(_) => 500,
        ShopError::Unavailable(_) => 503,
    }
}

/// RFC 9457 problem details, with the shop's extension members.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub correlation_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub available: Option<i64>,
    /// Every order line short of stock (`insufficient-stock` for an order).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shortages: Vec<Shortage>,
    /// What the order comes to now (`total-changed`): the total to confirm.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<Money>,
}

/// The problem document. `correlation_id` is the request id: it is what an operator
/// searches the logs for when a customer reports a 500, so internal causes stay there.
pub fn problem(err: &ShopError, correlation_id: &str) -> Problem {
    let (slug, title, detail) = match err {
        ShopError::Malformed(d) => ("malformed-request", "Malformed request", d.clone()),
        ShopError::Invalid(_) => (
            "validation-failed",
            "Validation failed",
            "one or more fields are invalid".to_owned(),
        ),
        ShopError::Unauthenticated => (
            "unauthenticated",
            "Authentication required",
            "sign in and send a valid bearer token".to_owned(),
        ),
        ShopError::InvalidCredentials => (
            "invalid-credentials",
            "Invalid credentials",
            "the email or password is wrong".to_owned(),
        ),
        ShopError::Forbidden(d) => ("forbidden", "Forbidden", (*d).to_owned()),
        ShopError::NotFound(what) => ("not-found", "Not found", format!("{what} not found")),
        ShopError::Conflict(d) => ("conflict", "Conflict", d.clone()),
        ShopError::InsufficientStock { sku, available } => (
            "insufficient-stock",
            "Insufficient stock",
            format!("only {available} of {sku} available"),
        ),
        ShopError::StockShort(shortages) => (
            "insufficient-stock",
            "Insufficient stock",
            format!(
                "not enough stock for {}",
                shortages.iter().map(|s| format!("{} ({} available, {} requested)", s.sku, s.available, s.requested)).collect::<Vec<_>>().join(", ")
            ),
        ),
        ShopError::TotalChanged { expected, total } => (
            "total-changed",
            "Total changed",
            format!(
                "the order comes to {} {} now, not the {} {} it was sent with (prices changed); \
                 nothing was placed or charged: show the customer the new total (POST /orders/quote) \
                 and send it as expectedTotal",
                total.amount, total.currency, expected.amount, expected.currency
            ),
        ),
        ShopError::IdempotencyKeyReused => (
            "idempotency-key-reused",
            "Idempotency key reused",
            "this Idempotency-Key was already used with a different request; use a new key for a new order".to_owned(),
        ),
        ShopError::Unavailable(d) => ("unavailable", "Service unavailable", d.clone()),
        ShopError::Internal(_) => (
            "internal-error",
            "Internal error",
            "something went wrong on our side; quote the correlation id".to_owned(),
        ),
    };
    Problem {
        problem_type: format!("https://shop.example/problems/{slug}"),
        title: title.to_owned(),
        status: status(err),
        detail,
        correlation_id: correlation_id.to_owned(),
        errors: match err {
            ShopError::Invalid(errors) => errors.clone(),
            _ => Vec::new(),
        },
        available: match err {
            ShopError::InsufficientStock { available, .. } => Some(*available),
            _ => None,
        },
        shortages: match err {
            ShopError::StockShort(s) => s.clone(),
            _ => Vec::new(),
        },
        total: match err {
            ShopError::TotalChanged { total, .. } => Some(*total),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_variant() {
        assert_eq!(status(&ShopError::Malformed("x".into())), 400);
        assert_eq!(status(&ShopError::Invalid(vec![])), 422);
        assert_eq!(status(&ShopError::Unauthenticated), 401);
        assert_eq!(status(&ShopError::Forbidden("no")), 403);
        assert_eq!(status(&ShopError::NotFound("product")), 404);
        assert_eq!(status(&ShopError::Conflict("x".into())), 409);
        let stock = ShopError::InsufficientStock {
            sku: "A".into(),
            available: 2,
        };
        assert_eq!(status(&stock), 409);
        assert_eq!(problem(&stock, "c").available, Some(2));
    }

    #[test]
    fn a_changed_total_names_the_new_one() {
        let eur = |amount| {
            Money::new(
                amount,
                crate::domain::money::Currency::parse("EUR").unwrap(),
            )
        };
        let err = ShopError::TotalChanged {
            expected: eur(4_500),
            total: eur(4_798),
        };
        assert_eq!(status(&err), 409);
        let p = problem(&err, "c");
        assert_eq!(p.total, Some(eur(4_798)));
        assert!(p.problem_type.ends_with("/total-changed"));
        assert!(
            p.detail.contains("4798 EUR") && p.detail.contains("4500 EUR"),
            "{}",
            p.detail
        );
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let p = problem(&ShopError::internal("table ShopTable throttled"), "req-1");
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("ShopTable"));
        assert_eq!(p.correlation_id, "req-1");
    }
}
