//! Reviews of products and ratings of sellers: what a verified buyer may write, the
//! moderation states and what each change of state does to the subject's rating
//! summary. Pure: `store/reviews.rs` writes a change and its summary delta in one
//! transaction, so the summary is exact however many changes race.
//!
//! Only an approved review shows and counts. A review's `counted` is the stars the
//! subject's summary holds of it (`None` when it holds nothing): each transition says
//! the new `counted`, and the delta is the difference, so no path can count a review
//! twice or forget to take it back.

mod id;
mod input;
mod listing;
pub mod moderation;

pub use id::{author_key, ReviewId, Subject};
pub use input::{Content, RejectInput, ReviewInput, SellerRatingInput};
pub use listing::{helpful_sort_key, parse_rating_filter, ReviewSort};

use serde::{Deserialize, Serialize};

use crate::domain::error::{FieldError, ShopError};
use crate::domain::ids::UserId;

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

#[cfg(test)]
mod tests;
