//! Reviews of products and ratings of sellers: what a verified buyer may write, the
//! moderation states and what each change of state does to the subject's rating
//! summary. Pure: `store/reviews.rs` writes a change and its summary delta in one
//! transaction, so the summary is exact however many changes race.
//!
//! Only an approved review shows and counts. A review's `counted` is the stars the
//! subject's summary holds of it (`None` when it holds nothing): each transition says
//! the new `counted`, and the delta is the difference, so no path can count a review
//! twice or forget to take it back.

pub mod moderation;

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::domain::error::{FieldError, ShopError, Validator};
use crate::domain::ids::{ProductId, SellerId, ShipmentId, UserId};

pub const MAX_TITLE: usize = 120;
pub const MAX_BODY: usize = 5_000;
pub const MAX_COMMENT: usize = 1_000;
pub const MAX_REASON: usize = 500;
/// A deleted account's reviews stay (their stars are part of the product's summary), under this name.
pub const FORMER_CUSTOMER: &str = "former customer";

/// The automatic pass, as a decision's author.
pub const AUTOMATIC: &str = "automatic";

/// An author's name as reviews show it: the first name and the last name's initial
/// ("Ada Lovelace" → "Ada L."); "Customer" without a profile name.
pub fn display_name(full: Option<&str>) -> String {
    let words: Vec<&str> = full.unwrap_or("").split_whitespace().collect();
    match words.as_slice() {
        [] => "Customer".to_owned(),
        [one] => (*one).to_owned(),
        [first, .., last] => {
            let initial: String = last.chars().take(1).collect();
            format!("{first} {initial}.")
        }
    }
}

/// A rating: 1 to 5 stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Stars(u8);

impl Stars {
    pub fn parse(raw: i64) -> Result<Stars, FieldError> {
        match u8::try_from(raw) {
            Ok(n @ 1..=5) => Ok(Stars(n)),
            _ => Err(FieldError::new(
                "rating",
                "must be a whole number from 1 to 5",
            )),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Stars {
    type Error = FieldError;
    fn try_from(n: u8) -> Result<Stars, FieldError> {
        Stars::parse(i64::from(n))
    }
}

impl From<Stars> for u8 {
    fn from(s: Stars) -> u8 {
        s.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewStatus {
    Pending,
    Approved,
    Rejected,
}

impl ReviewStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Pending => "pending",
            ReviewStatus::Approved => "approved",
            ReviewStatus::Rejected => "rejected",
        }
    }

    pub fn parse(raw: &str) -> Result<ReviewStatus, ShopError> {
        match raw {
            "pending" => Ok(ReviewStatus::Pending),
            "approved" => Ok(ReviewStatus::Approved),
            "rejected" => Ok(ReviewStatus::Rejected),
            _ => Err(ShopError::Malformed(
                "status must be one of pending, approved, rejected".into(),
            )),
        }
    }
}

/// What a review is about: a product (by any verified buyer, once) or a seller (once
/// per delivered shipment).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    Product(ProductId),
    Seller(SellerId),
}

/// A review's id. A product review's is `<productId>.u<20 hex>` (the author's key, a
/// one-way digest of the account: one review per customer per product, and no account id
/// in a public id); a seller rating's is its shipment's id, `<orderId>.s<20 hex>` (one
/// per shipment). The last segment's first letter tells them apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReviewId {
    Product { product: ProductId, author: String },
    Seller(ShipmentId),
}

/// The author's key in a product review's id: stable per account, meaningless without it.
pub fn author_key(user: &UserId) -> String {
    let digest = crate::domain::sha256_hex(&[b"review-author:", user.as_str().as_bytes()]);
    format!("u{}", &digest[..20])
}

impl ReviewId {
    pub const FIELD: &'static str = "reviewId";

    pub fn of_product(product: &ProductId, author: &UserId) -> ReviewId {
        ReviewId::Product {
            product: product.clone(),
            author: author_key(author),
        }
    }

    pub fn parse(raw: &str) -> Result<ReviewId, FieldError> {
        let bad = || FieldError::new(Self::FIELD, "must be a review id");
        crate::domain::ids::check_id(raw, Self::FIELD, 200)?;
        let (head, last) = raw.rsplit_once('.').ok_or_else(bad)?;
        if last.len() == 21
            && last.starts_with('u')
            && last[1..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Ok(ReviewId::Product {
                product: ProductId::parse(head).map_err(|_| bad())?,
                author: last.to_owned(),
            });
        }
        ShipmentId::parse(raw)
            .map(ReviewId::Seller)
            .map_err(|_| bad())
    }

    pub fn subject(&self) -> Subject {
        match self {
            ReviewId::Product { product, .. } => Subject::Product(product.clone()),
            ReviewId::Seller(shipment) => Subject::Seller(shipment.seller().clone()),
        }
    }
}

impl fmt::Display for ReviewId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReviewId::Product { product, author } => write!(f, "{product}.{author}"),
            ReviewId::Seller(shipment) => write!(f, "{shipment}"),
        }
    }
}

impl Serialize for ReviewId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ReviewId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ReviewId, D::Error> {
        let raw = String::deserialize(d)?;
        ReviewId::parse(&raw).map_err(|e| serde::de::Error::custom(e.message))
    }
}

/// Text people write: trimmed, 1 to `max` characters, line breaks and tabs allowed but
/// no other control characters. Stored exactly as sent (HTML is text, never rendered).
fn prose(v: &mut Validator, field: &str, raw: &str, max: usize) -> Option<String> {
    let value = raw.trim();
    v.check(if value.is_empty() {
        Err(FieldError::new(field, "is required"))
    } else if value.chars().count() > max {
        Err(FieldError::new(
            field,
            &format!("must be at most {max} characters"),
        ))
    } else if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Err(FieldError::new(
            field,
            "must not contain control characters",
        ))
    } else {
        Ok(value.to_owned())
    })
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

/// Who decided a review's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// `automatic`, or the deciding administrator's account.
    pub by: String,
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A stored review or seller rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Review {
    pub id: ReviewId,
    /// The author's account (private: never shown).
    pub author: UserId,
    pub author_name: String,
    pub content: Content,
    pub status: ReviewStatus,
    /// The stars the subject's summary holds of this review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counted: Option<Stars>,
    /// The automatic pass's reasons for leaving it to a person.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub held_for: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    #[serde(default)]
    pub helpful: u64,
    pub created_at: String,
    pub updated_at: String,
    /// Bumped by every write of the review: each write is conditional on the one read.
    pub rev: u64,
}

/// What a change does to the subject's summary: signed counts, applied by server-side
/// arithmetic (`rating.count = rating.count + :count`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RatingDelta {
    pub count: i64,
    pub total_stars: i64,
    /// `per_star[0]` is the 1-star count's change.
    pub per_star: [i64; 5],
}

impl RatingDelta {
    /// From what the summary held of a review to what it holds after.
    pub fn between(before: Option<Stars>, after: Option<Stars>) -> RatingDelta {
        let mut delta = RatingDelta::default();
        let mut apply = |stars: Stars, sign: i64| {
            delta.count += sign;
            delta.total_stars += sign * i64::from(stars.get());
            delta.per_star[usize::from(stars.get() - 1)] += sign;
        };
        if let Some(b) = before {
            apply(b, -1);
        }
        if let Some(a) = after {
            apply(a, 1);
        }
        delta
    }

    pub fn is_zero(&self) -> bool {
        *self == RatingDelta::default()
    }
}

/// The next state of a review and what it does to the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub review: Review,
    pub delta: RatingDelta,
}

fn conflict(message: &str) -> ShopError {
    ShopError::Conflict(message.to_owned())
}

impl Review {
    /// A new review, pending.
    pub fn submitted(
        id: ReviewId,
        author: UserId,
        author_name: String,
        content: Content,
        now: &str,
    ) -> Review {
        Review {
            id,
            author,
            author_name,
            content,
            status: ReviewStatus::Pending,
            counted: None,
            held_for: Vec::new(),
            decision: None,
            helpful: 0,
            created_at: now.to_owned(),
            updated_at: now.to_owned(),
            rev: 1,
        }
    }

    fn next(&self, status: ReviewStatus, counted: Option<Stars>, now: &str) -> Review {
        Review {
            status,
            counted,
            updated_at: now.to_owned(),
            rev: self.rev + 1,
            ..self.clone()
        }
    }

    fn change(&self, review: Review) -> Change {
        Change {
            delta: RatingDelta::between(self.counted, review.counted),
            review,
        }
    }

    /// The author's edit: new content, back to pending (a person or the automatic pass
    /// looks again), and out of the summary until approved again.
    pub fn edited(&self, content: Content, now: &str) -> Change {
        let mut review = self.next(ReviewStatus::Pending, None, now);
        review.content = content;
        review.held_for.clear();
        review.decision = None;
        self.change(review)
    }

    /// The automatic pass's verdict on a pending review: approved when nothing is held.
    pub fn auto_moderated(&self, held_for: &[&str], now: &str) -> Result<Change, ShopError> {
        if self.status != ReviewStatus::Pending {
            return Err(conflict("the review is no longer pending"));
        }
        if held_for.is_empty() {
            self.approved(AUTOMATIC, now)
        } else {
            let mut review = self.next(ReviewStatus::Pending, None, now);
            review.held_for = held_for.iter().map(|r| (*r).to_owned()).collect();
            Ok(self.change(review))
        }
    }

    /// Approved (by `by`): it shows and counts with its stars. A pending or rejected
    /// review may be approved; an approved one is already.
    pub fn approved(&self, by: &str, now: &str) -> Result<Change, ShopError> {
        if self.status == ReviewStatus::Approved {
            return Err(conflict("the review is already approved"));
        }
        let mut review = self.next(ReviewStatus::Approved, Some(self.content.stars), now);
        review.decision = Some(Decision {
            by: by.to_owned(),
            at: now.to_owned(),
            reason: None,
        });
        Ok(self.change(review))
    }

    /// Rejected by an administrator, with the reason the author is told: hidden and out
    /// of the summary. A pending or approved review may be rejected.
    pub fn rejected(&self, by: &str, reason: String, now: &str) -> Result<Change, ShopError> {
        if self.status == ReviewStatus::Rejected {
            return Err(conflict("the review is already rejected"));
        }
        let mut review = self.next(ReviewStatus::Rejected, None, now);
        review.decision = Some(Decision {
            by: by.to_owned(),
            at: now.to_owned(),
            reason: Some(reason),
        });
        Ok(self.change(review))
    }

    /// What deleting it does to the summary.
    pub fn deletion(&self) -> RatingDelta {
        RatingDelta::between(self.counted, None)
    }

    /// The review as shoppers see it.
    pub fn public_view(&self) -> ReviewView {
        ReviewView {
            id: self.id.to_string(),
            author_name: self.author_name.clone(),
            rating: self.content.stars.get(),
            title: self.content.title.clone(),
            body: self.content.body.clone(),
            helpful_count: self.helpful,
            verified_purchase: true,
            created_at: self.created_at.clone(),
            updated_at: self.updated_at.clone(),
            status: None,
            held_for: None,
            decision: None,
        }
    }

    /// The review as its author and the moderators see it: with its state. Who decided
    /// shows as `automatic` or `moderator`, never an administrator's account.
    pub fn owner_view(&self) -> ReviewView {
        ReviewView {
            status: Some(self.status),
            held_for: Some(self.held_for.clone()),
            decision: self.decision.as_ref().map(|d| Decision {
                by: if d.by == AUTOMATIC {
                    AUTOMATIC
                } else {
                    "moderator"
                }
                .to_owned(),
                ..d.clone()
            }),
            ..self.public_view()
        }
    }
}

/// A review as shown. Text is JSON text: clients must render it as text, never as HTML.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewView {
    pub id: String,
    pub author_name: String,
    pub rating: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    pub helpful_count: u64,
    /// Every review is by a buyer whose order of it was delivered.
    pub verified_purchase: bool,
    pub created_at: String,
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ReviewStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_for: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
}

/// How `GET /products/{id}/reviews` orders its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewSort {
    Newest,
    Helpful,
    /// Most stars first, newest first among equals.
    Rating,
}

impl ReviewSort {
    pub fn parse(raw: Option<&str>) -> Result<ReviewSort, ShopError> {
        match raw {
            None | Some("newest") => Ok(ReviewSort::Newest),
            Some("helpful") => Ok(ReviewSort::Helpful),
            Some("rating") => Ok(ReviewSort::Rating),
            Some(_) => Err(ShopError::Malformed(
                "sort must be one of newest, helpful, rating".into(),
            )),
        }
    }
}

/// `rating=` of a listing: only reviews with that many stars.
pub fn parse_rating_filter(raw: Option<&str>) -> Result<Option<Stars>, ShopError> {
    raw.map(|r| {
        r.parse::<i64>()
            .ok()
            .and_then(|n| Stars::parse(n).ok())
            .ok_or_else(|| ShopError::Malformed("rating must be a whole number from 1 to 5".into()))
    })
    .transpose()
}

/// A helpful-vote count as an index sort key: zero-padded so text order is number order.
pub fn helpful_sort_key(helpful: u64) -> String {
    format!("{helpful:010}")
}

#[cfg(test)]
mod tests;
