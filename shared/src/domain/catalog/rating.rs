//! Rating summaries of products and sellers, as stored and as shown.

use serde::{Deserialize, Serialize};

/// Ratings are kept as a count, a sum of stars and a count per star, so that a review's
/// change of status moves them by server-side arithmetic in the same transaction
/// (`store/reviews.rs`), never by a read-modify-write.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RatingSummary {
    pub count: u64,
    pub total_stars: u64,
    #[serde(default)]
    pub stars1: u64,
    #[serde(default)]
    pub stars2: u64,
    #[serde(default)]
    pub stars3: u64,
    #[serde(default)]
    pub stars4: u64,
    #[serde(default)]
    pub stars5: u64,
}

/// A rating summary as shown: count, average and how many of each star.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RatingView {
    pub count: u64,
    pub average_x100: Option<u64>,
    /// `histogram[0]` counts 1-star ratings, `histogram[4]` 5-star ones.
    pub histogram: [u64; 5],
}

impl RatingSummary {
    pub fn histogram(&self) -> [u64; 5] {
        [
            self.stars1,
            self.stars2,
            self.stars3,
            self.stars4,
            self.stars5,
        ]
    }

    pub fn view(&self) -> RatingView {
        RatingView {
            count: self.count,
            average_x100: self.average_x100(),
            histogram: self.histogram(),
        }
    }

    /// Average in hundredths of a star (431 = 4.31), `None` before the first review.
    pub fn average_x100(&self) -> Option<u64> {
        (self.count > 0).then(|| (self.total_stars * 100 + self.count / 2) / self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rating_average_rounds_to_hundredths() {
        assert_eq!(RatingSummary::default().average_x100(), None);
        let r = RatingSummary {
            count: 3,
            total_stars: 13,
            ..Default::default()
        };
        assert_eq!(r.average_x100(), Some(433));
    }
}
