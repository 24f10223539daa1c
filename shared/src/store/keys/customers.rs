//! Keys of what customers make beyond their orders: reviews, seller ratings and helpful
//! votes, co-purchase counts and the lists built from them. Part of the one key schema
//! (`keys.rs`, whose table documents them); tests/keys.py mirrors these too.

use crate::domain::ids::{OrderId, ProductId, SellerId};
use crate::domain::reviews::{ReviewId, ReviewStatus, Subject};

pub const REVIEW_PREFIX: &str = "REVIEW#";
pub const REVIEWED_PREFIX: &str = "REVIEWED#";
pub const VOTE_PREFIX: &str = "VOTE#";

pub fn product_reviews_pk(id: &ProductId) -> String {
    format!("REVIEWS#PRODUCT#{id}")
}

pub fn seller_reviews_pk(id: &SellerId) -> String {
    format!("REVIEWS#SELLER#{id}")
}

/// The partition of a subject's reviews (and the index partition of its approved ones).
pub(crate) fn reviews_pk(subject: &Subject) -> String {
    match subject {
        Subject::Product(id) => product_reviews_pk(id),
        Subject::Seller(id) => seller_reviews_pk(id),
    }
}

pub fn review_sk(id: &ReviewId) -> String {
    format!("{REVIEW_PREFIX}{id}")
}

/// The moderation queue of reviews in a state other than approved, oldest change first.
pub fn reviews_by_status_pk(status: ReviewStatus) -> String {
    format!("REVIEWS#{}", status.as_str())
}

pub fn review_time_sk(at: &str, id: &ReviewId) -> String {
    format!("{at}#{id}")
}

pub fn review_helpful_sk(helpful: &str, created_at: &str, id: &ReviewId) -> String {
    format!("{helpful}#{created_at}#{id}")
}

pub fn review_rating_sk(stars: u8, created_at: &str, id: &ReviewId) -> String {
    format!("{stars}#{created_at}#{id}")
}

pub fn vote_sk(review: &ReviewId, voter: &str) -> String {
    format!("{VOTE_PREFIX}{review}#{voter}")
}

pub fn user_review_sk(id: &ReviewId) -> String {
    format!("{REVIEWED_PREFIX}{id}")
}

pub const RELATED_TOP_SK: &str = "TOP";
pub const ORDER_COUNT_SK: &str = "ORDERS";
pub const COUNTED_SK: &str = "COUNTED";
pub const WITH_PREFIX: &str = "WITH#";
/// The shop-wide popularity list's name, beside the categories' (no category has it: ids
/// are lower case).
pub const POPULAR_EVERYWHERE: &str = "ALL";

pub fn related_pk(id: &ProductId) -> String {
    format!("RELATED#{id}")
}

pub fn related_with_sk(id: &ProductId) -> String {
    format!("{WITH_PREFIX}{id}")
}

pub fn popular_pk(category: &str) -> String {
    format!("POPULAR#{category}")
}

pub fn copurchase_pk(order: &OrderId) -> String {
    format!("COPURCHASE#{order}")
}
