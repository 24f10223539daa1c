//! How approved reviews are listed: the order and the stars filter of a page.

use super::Stars;
use crate::domain::error::ShopError;

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
