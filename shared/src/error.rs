//! The shop's errors and their RFC 9457 `application/problem+json` form.
//! Every failure a handler can meet maps to one variant here; the variant
//! decides the status code, so handlers never pick codes by hand.

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

    pub fn status(&self) -> u16 {
        match self {
            ShopError::Malformed(_) => 400,
            ShopError::Invalid(_) => 422,
            ShopError::Unauthenticated | ShopError::InvalidCredentials => 401,
            ShopError::Forbidden(_) => 403,
            ShopError::NotFound(_) => 404,
            ShopError::Conflict(_) | ShopError::InsufficientStock { .. } => 409,
            ShopError::Internal(_) => 500,
        }
    }

    /// The problem document. `correlation_id` is the Lambda request id: it is what
    /// an operator searches the logs for when a customer reports a 500.
    pub fn to_problem(&self, correlation_id: &str) -> Problem {
        let (slug, title, detail) = match self {
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
            ShopError::Internal(_) => (
                "internal-error",
                "Internal error",
                "something went wrong on our side; quote the correlation id".to_owned(),
            ),
        };
        Problem {
            problem_type: format!("https://shop.example/problems/{slug}"),
            title: title.to_owned(),
            status: self.status(),
            detail,
            correlation_id: correlation_id.to_owned(),
            errors: match self {
                ShopError::Invalid(errors) => errors.clone(),
                _ => Vec::new(),
            },
            available: match self {
                ShopError::InsufficientStock { available, .. } => Some(*available),
                _ => None,
            },
        }
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
    fn statuses_follow_the_variant() {
        assert_eq!(ShopError::Malformed("x".into()).status(), 400);
        assert_eq!(ShopError::Invalid(vec![]).status(), 422);
        assert_eq!(ShopError::Unauthenticated.status(), 401);
        assert_eq!(ShopError::Forbidden("no").status(), 403);
        assert_eq!(ShopError::NotFound("product").status(), 404);
        assert_eq!(ShopError::Conflict("x".into()).status(), 409);
        let stock = ShopError::InsufficientStock {
            sku: "A".into(),
            available: 2,
        };
        assert_eq!(stock.status(), 409);
        assert_eq!(stock.to_problem("c").available, Some(2));
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let p = ShopError::internal("table ShopTable throttled").to_problem("req-1");
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("ShopTable"));
        assert_eq!(p.correlation_id, "req-1");
    }

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
