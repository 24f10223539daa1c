//! What can go wrong, in the domain's words. Every failure a use case can meet is
//! one variant here. How a failure is shown to a caller (a status code, a document)
//! is decided outside the domain.

use serde::Serialize;

/// One rejected input field, reported back to the caller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field} {message}")]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: &str) -> Self {
        FieldError {
            field: field.to_owned(),
            message: message.to_owned(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ShopError {
    /// The request could not be read at all (bad JSON, wrong types, missing fields).
    #[error("malformed request: {0}")]
    Malformed(String),
    /// The request was well-formed but its values break the shop's rules.
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    #[error("authentication required")]
    Unauthenticated,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with current state (already exists, changed meanwhile).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Asked for more units than are available.
    #[error("only {available} available")]
    InsufficientStock { sku: String, available: i64 },
    /// An order's lines short of stock: every one of them, with what is available.
    #[error("not enough stock for {} line(s)", .0.len())]
    StockShort(Vec<crate::domain::order::Shortage>),
    /// An order sent with a total other than what it comes to now (prices changed
    /// since the customer's quote): nothing is placed or charged.
    #[error("the total is {total:?}, not the expected {expected:?}")]
    TotalChanged {
        expected: crate::domain::money::Money,
        total: crate::domain::money::Money,
    },
    /// An idempotency key sent again with a different request.
    #[error("the idempotency key was used with a different request")]
    IdempotencyKeyReused,
    /// A dependency of the shop is unavailable for now; the caller may retry later.
    #[error("unavailable: {0}")]
    Unavailable(String),
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Anything unexpected: reported as 500 with a correlation id, details only in logs.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<FieldError> for ShopError {
    fn from(e: FieldError) -> Self {
        ShopError::Invalid(vec![e])
    }
}

impl ShopError {
    pub fn internal(e: impl std::fmt::Display) -> Self {
        ShopError::Internal(e.to_string())
    }
}

/// Collects every field error of one request so the caller sees them all at once.
#[derive(Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }

    pub fn finish(self) -> Result<(), ShopError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ShopError::Invalid(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validator_reports_every_field() {
        let mut v = Validator::default();
        v.check::<()>(Err(FieldError::new("name", "is required")));
        v.check::<()>(Err(FieldError::new("price", "must not be negative")));
        v.check(Ok(1));
        match v.finish() {
            Err(ShopError::Invalid(errors)) => assert_eq!(errors.len(), 2),
            other => panic!("expected Invalid, got {other:?}"),
        }
    }
}
