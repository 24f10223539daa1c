//! The checkout's fraud check: a rule-based risk score from facts gathered about the
//! order, its customer and its card. Each rule adds points; at [`REVIEW_THRESHOLD`] or
//! more the order is not charged and is cancelled for review. Rules and weights are
//! here, in one table of code, so a change to them is one reviewed diff.

use serde::Serialize;

/// A score at or above this cancels the order (`fraud_review`).
pub const REVIEW_THRESHOLD: u32 = 70;
/// An order worth at least this (minor units) from a customer without paid orders is unusual.
const LARGE_FIRST_ORDER: i64 = 100_000;

/// What is known when the check runs. Counts exclude the order being checked.
#[derive(Debug, Clone, Default)]
pub struct RiskSignals {
    pub order_total: i64,
    /// Average total of the customer's earlier paid orders in this currency; `None` without any.
    pub average_paid_order: Option<i64>,
    pub customer_orders_last_hour: u32,
    /// Orders paid with the same card (by fingerprint), by anyone, in the last hour.
    pub card_orders_last_hour: u32,
    /// `None` when the account's creation time is unknown.
    pub account_age_days: Option<i64>,
    pub shipping_country: String,
    /// The card's issuing country, when the payment provider says.
    pub card_country: Option<String>,
}

/// One rule that fired: its name and its points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskFactor {
    pub rule: &'static str,
    pub points: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskAssessment {
    pub score: u32,
    pub factors: Vec<RiskFactor>,
    pub review: bool,
}

pub fn assess(s: &RiskSignals) -> RiskAssessment {
    let mut factors = Vec::new();
    let mut add = |rule, points| factors.push(RiskFactor { rule, points });
    match s.account_age_days {
        Some(d) if d < 1 => add("account_younger_than_a_day", 15),
        Some(d) if d < 7 => add("account_younger_than_a_week", 5),
        _ => {}
    }
    match s.average_paid_order {
        None if s.order_total >= LARGE_FIRST_ORDER => add("large_first_order", 25),
        Some(avg) if avg > 0 && s.order_total > avg.saturating_mul(5) => {
            add("over_5x_usual_order", 30)
        }
        Some(avg) if avg > 0 && s.order_total > avg.saturating_mul(3) => {
            add("over_3x_usual_order", 15)
        }
        _ => {}
    }
    match s.customer_orders_last_hour {
        n if n >= 5 => add("customer_5_orders_in_an_hour", 40),
        n if n >= 3 => add("customer_3_orders_in_an_hour", 20),
        _ => {}
    }
    match s.card_orders_last_hour {
        n if n >= 5 => add("card_5_orders_in_an_hour", 40),
        n if n >= 3 => add("card_3_orders_in_an_hour", 20),
        _ => {}
    }
    if let Some(card) = &s.card_country {
        if !card.eq_ignore_ascii_case(&s.shipping_country) {
            add("shipping_country_differs_from_card", 20);
        }
    }
    let score = factors.iter().map(|f| f.points).sum::<u32>().min(100);
    RiskAssessment {
        score,
        review: score >= REVIEW_THRESHOLD,
        factors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ordinary() -> RiskSignals {
        RiskSignals {
            order_total: 4_999,
            average_paid_order: Some(4_000),
            account_age_days: Some(400),
            shipping_country: "GB".into(),
            card_country: Some("GB".into()),
            ..RiskSignals::default()
        }
    }

    #[test]
    fn an_ordinary_order_scores_nothing() {
        let a = assess(&ordinary());
        assert_eq!((a.score, a.review), (0, false));
        assert!(a.factors.is_empty());
    }

    #[test]
    fn a_new_account_with_a_foreign_card_alone_passes() {
        let s = RiskSignals {
            account_age_days: Some(0),
            card_country: Some("FR".into()),
            ..ordinary()
        };
        let a = assess(&s);
        assert_eq!((a.score, a.review), (35, false));
    }

    #[test]
    fn card_velocity_with_a_foreign_card_on_a_new_account_is_reviewed() {
        let s = RiskSignals {
            account_age_days: Some(0),
            card_country: Some("FR".into()),
            card_orders_last_hour: 5,
            ..ordinary()
        };
        let a = assess(&s);
        assert_eq!((a.score, a.review), (75, true));
        let rules: Vec<_> = a.factors.iter().map(|f| f.rule).collect();
        assert_eq!(
            rules,
            [
                "account_younger_than_a_day",
                "card_5_orders_in_an_hour",
                "shipping_country_differs_from_card"
            ]
        );
    }

    #[test]
    fn order_value_is_judged_against_the_customers_history() {
        let big = |avg, total| {
            assess(&RiskSignals {
                average_paid_order: avg,
                order_total: total,
                ..ordinary()
            })
            .score
        };
        assert_eq!(big(Some(1_000), 3_000), 0);
        assert_eq!(big(Some(1_000), 3_001), 15);
        assert_eq!(big(Some(1_000), 5_001), 30);
        assert_eq!(big(None, 99_999), 0);
        assert_eq!(big(None, 100_000), 25);
    }

    #[test]
    fn thresholds_sit_exactly_at_their_counts() {
        let velocity = |c, k| {
            assess(&RiskSignals {
                customer_orders_last_hour: c,
                card_orders_last_hour: k,
                ..ordinary()
            })
            .score
        };
        assert_eq!(velocity(2, 2), 0);
        assert_eq!(velocity(3, 0), 20);
        assert_eq!(velocity(5, 0), 40);
        assert_eq!(velocity(0, 3), 20);
        assert_eq!(velocity(5, 5), 80);
        assert!(
            assess(&RiskSignals {
                customer_orders_last_hour: 5,
                card_orders_last_hour: 5,
                ..ordinary()
            })
            .review
        );
    }

    #[test]
    fn the_score_is_capped_at_100() {
        let s = RiskSignals {
            order_total: 1_000_000,
            average_paid_order: Some(100),
            customer_orders_last_hour: 9,
            card_orders_last_hour: 9,
            account_age_days: Some(0),
            shipping_country: "GB".into(),
            card_country: Some("US".into()),
        };
        assert_eq!(assess(&s).score, 100);
    }
}
