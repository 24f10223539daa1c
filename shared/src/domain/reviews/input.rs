//! What authors and moderators send, checked: a review, a seller rating, a rejection.

use serde::{Deserialize, Serialize};

use super::{Stars, MAX_BODY, MAX_COMMENT, MAX_REASON, MAX_TITLE};
use crate::domain::error::{ShopError, Validator};

/// Text people write: trimmed, 1 to `max` characters, line breaks and tabs allowed but
/// no other control characters. Stored exactly as sent (HTML is text, never rendered).
fn prose(v: &mut Validator, field: &str, raw: &str, max: usize) -> Option<String> {
    crate::domain::order::input::checked_text(v, field, raw, max, true)
}

/// `POST`/`PUT /products/{id}/reviews` as sent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewInput {
    pub rating: i64,
    pub title: String,
    pub body: String,
}

/// `POST /shipments/{id}/seller-rating` as sent: stars and an optional comment.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SellerRatingInput {
    pub rating: i64,
    pub comment: Option<String>,
}

/// What a review says, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    pub stars: Stars,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl ReviewInput {
    pub fn parse(self) -> Result<Content, ShopError> {
        let mut v = Validator::default();
        let stars = v.check(Stars::parse(self.rating));
        let title = prose(&mut v, "title", &self.title, MAX_TITLE);
        let body = prose(&mut v, "body", &self.body, MAX_BODY);
        v.finish()?;
        match (stars, title, body) {
            (Some(stars), Some(title), Some(body)) => Ok(Content {
                stars,
                title: Some(title),
                body: Some(body),
            }),
            _ => Err(ShopError::internal("a field failed without an error")),
        }
    }
}

impl SellerRatingInput {
    pub fn parse(self) -> Result<Content, ShopError> {
        let mut v = Validator::default();
        let stars = v.check(Stars::parse(self.rating));
        let comment = match self.comment.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(c) => prose(&mut v, "comment", c, MAX_COMMENT).map(Some),
        };
        v.finish()?;
        match (stars, comment) {
            (Some(stars), Some(body)) => Ok(Content {
                stars,
                title: None,
                body,
            }),
            _ => Err(ShopError::internal("a field failed without an error")),
        }
    }
}

/// `POST /admin/reviews/{id}/reject` `{reason}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RejectInput {
    pub reason: String,
}

impl RejectInput {
    pub fn parse(self) -> Result<String, ShopError> {
        let mut v = Validator::default();
        let reason = prose(&mut v, "reason", &self.reason, MAX_REASON);
        v.finish()?;
        reason.ok_or_else(|| ShopError::internal("a field failed without an error"))
    }
}
