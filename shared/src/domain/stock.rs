//! Low stock: when a change takes a variant's available units (`onHand − reserved`) from
//! above its threshold to at or below it, its seller is told once — once per crossing, not
//! once per order. A flag on the variant (`lowStockSince`) remembers that the seller was
//! told; it is cleared when the variant is back above its threshold, so the next fall is a
//! new crossing. A variant created at or below its threshold never fell: it alerts nobody
//! until it has been above and falls again.
//!
//! The table stream's reader sends the watcher the falls and rises it sees ([`fell`],
//! [`rose`]); the watcher then decides on the variant's state as it reads it (strongly
//! consistent) with [`decide`], so a dip restored before it looks (a reservation released
//! within a second) alerts nobody, and any number of falls seen in one crossing make one
//! alert: the flag is set by a conditional write, once.

use serde::{Deserialize, Serialize};

use crate::domain::error::FieldError;
use crate::domain::ids::{ProductId, SellerId, Sku};

/// The largest threshold and reorder quantity a seller may set (as large as `onHand` may be).
pub const MAX_STOCK_RULE: i64 = crate::domain::catalog::input_limits::MAX_ON_HAND;

/// A seller's threshold or reorder quantity, checked: `min..=MAX_STOCK_RULE`.
pub fn stock_rule(value: i64, field: &str, min: i64) -> Result<i64, FieldError> {
    if (min..=MAX_STOCK_RULE).contains(&value) {
        Ok(value)
    } else {
        Err(FieldError::new(
            field,
            &format!("must be between {min} and {MAX_STOCK_RULE}"),
        ))
    }
}

/// The threshold that applies to a variant: its seller's, else the shop's default.
pub fn threshold(own: Option<i64>, default: i64) -> i64 {
    own.unwrap_or(default)
}

/// A variant's stock as the watcher judges it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockLevel {
    /// `onHand − reserved`, never below zero.
    pub available: i64,
    /// The threshold that applies ([`threshold`]).
    pub threshold: i64,
    /// The seller was told of this fall already (`lowStockSince` is set).
    pub flagged: bool,
}

impl StockLevel {
    /// A variant's level from its stock and rules: `onHand − reserved` (never below zero)
    /// against its own threshold or the shop's `default_threshold`.
    pub fn of(
        on_hand: i64,
        reserved: i64,
        own_threshold: Option<i64>,
        default_threshold: i64,
        flagged: bool,
    ) -> StockLevel {
        StockLevel {
            available: (on_hand - reserved).max(0),
            threshold: threshold(own_threshold, default_threshold),
            flagged,
        }
    }

    /// At or below the threshold.
    pub fn is_low(&self) -> bool {
        self.available <= self.threshold
    }
}

/// What the watcher writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockDecision {
    /// At or below the threshold and not flagged: flag it and alert its seller (mail and
    /// `stock.low`).
    Alert,
    /// Back above the threshold: clear the flag, so the next fall alerts again.
    Clear,
    /// Nothing to change.
    Nothing,
}

/// A change that took the variant from above its threshold to at or below it (each state
/// judged by its own threshold: a raised threshold is a fall too) while it was not flagged.
pub fn fell(before: StockLevel, after: StockLevel) -> bool {
    !before.is_low() && after.is_low() && !after.flagged
}

/// A change that took the variant's last available unit: some were available before, none after.
pub fn sold_out(before: StockLevel, after: StockLevel) -> bool {
    before.available > 0 && after.available <= 0
}

/// A flagged variant back above its threshold.
pub fn rose(after: StockLevel) -> bool {
    after.flagged && !after.is_low()
}

/// The watcher's decision for a variant it was sent (a fall or a rise), in state `level`
/// as it reads it.
pub fn decide(level: StockLevel) -> StockDecision {
    match (level.is_low(), level.flagged) {
        (true, false) => StockDecision::Alert,
        (false, true) => StockDecision::Clear,
        _ => StockDecision::Nothing,
    }
}

/// One variant to look at, as the stream reader queues it for the watcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StockWatch {
    pub product_id: ProductId,
    pub sku: Sku,
}

impl StockWatch {
    /// The FIFO queue's message group: one variant's watches are taken in the order its
    /// changes were made.
    pub fn group(&self) -> String {
        format!("{}#{}", self.product_id, self.sku)
    }
}

/// The id of one alert: the variant's SKU and the count of its alerts (`<sku>.<n>`, n from
/// 1), so a subscriber told twice of one crossing (at-least-once delivery) sees one id.
pub fn alert_id(sku: &Sku, crossing: u64) -> String {
    format!("{sku}.{crossing}")
}

/// A low-stock alert as published on the shop's event bus (`shop.inventory` /
/// `stock.low`): the replenishment trigger a seller's purchasing system subscribes to.
/// Its `alertId` is the same however often it is delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StockLowEvent {
    pub alert_id: String,
    pub seller_id: SellerId,
    pub product_id: ProductId,
    pub sku: Sku,
    pub product_name: String,
    /// Available units (`onHand − reserved`) when the watcher looked.
    pub available: i64,
    pub threshold: i64,
    /// The seller's reorder quantity, when it set one.
    pub reorder_quantity: Option<i64>,
    /// When the fall was seen (RFC 3339).
    pub at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(available: i64, threshold: i64, flagged: bool) -> StockLevel {
        StockLevel {
            available,
            threshold,
            flagged,
        }
    }

    #[test]
    fn at_the_threshold_is_low_above_is_not() {
        assert!(level(5, 5, false).is_low());
        assert!(level(0, 0, false).is_low());
        assert!(!level(6, 5, false).is_low());
    }

    #[test]
    fn a_fall_is_from_above_to_at_or_below() {
        assert!(fell(level(6, 5, false), level(5, 5, false)));
        assert!(fell(level(20, 5, false), level(0, 5, false)));
        // Already low (created so, or fallen before): no new fall.
        assert!(!fell(level(5, 5, false), level(4, 5, false)));
        // Still above.
        assert!(!fell(level(8, 5, false), level(6, 5, false)));
        // Flagged already (a fall not yet cleared): the watcher knows.
        assert!(!fell(level(6, 5, true), level(5, 5, true)));
        // A raised threshold: 8 available was above 5, is at or below 10.
        assert!(fell(level(8, 5, false), level(8, 10, false)));
    }

    #[test]
    fn a_stock_out_is_the_change_that_takes_the_last_available_unit() {
        assert!(sold_out(level(3, 5, false), level(0, 5, false)));
        assert!(sold_out(level(1, 5, true), level(-1, 5, true)));
        // Already out, or not yet.
        assert!(!sold_out(level(0, 5, true), level(0, 5, true)));
        assert!(!sold_out(level(3, 5, false), level(1, 5, false)));
        // Restocked.
        assert!(!sold_out(level(0, 5, true), level(4, 5, true)));
    }

    #[test]
    fn a_rise_is_a_flagged_variant_back_above() {
        assert!(rose(level(6, 5, true)));
        assert!(!rose(level(5, 5, true)));
        assert!(!rose(level(50, 5, false)));
    }

    #[test]
    fn the_watcher_alerts_once_then_nothing_until_restocked() {
        assert_eq!(decide(level(5, 5, false)), StockDecision::Alert);
        // Flagged: every later order in the same fall changes nothing.
        assert_eq!(decide(level(3, 5, true)), StockDecision::Nothing);
        assert_eq!(decide(level(0, 5, true)), StockDecision::Nothing);
        // Restocked above: cleared, and the next fall alerts again.
        assert_eq!(decide(level(6, 5, true)), StockDecision::Clear);
        assert_eq!(decide(level(4, 5, false)), StockDecision::Alert);
        // Above and unflagged (a dip restored before the watcher looked).
        assert_eq!(decide(level(50, 5, false)), StockDecision::Nothing);
    }

    #[test]
    fn the_seller_threshold_wins_over_the_default() {
        assert_eq!(threshold(Some(0), 5), 0);
        assert_eq!(threshold(None, 5), 5);
    }

    #[test]
    fn stock_rules_are_bounded() {
        assert_eq!(stock_rule(0, "lowStockThreshold", 0), Ok(0));
        assert!(stock_rule(-1, "lowStockThreshold", 0).is_err());
        assert!(stock_rule(0, "reorderQuantity", 1).is_err());
        assert!(stock_rule(MAX_STOCK_RULE + 1, "reorderQuantity", 1).is_err());
    }

    #[test]
    fn a_variant_s_watches_share_one_group_and_alerts_are_numbered() {
        let watch = StockWatch {
            product_id: ProductId::parse("p1").unwrap(),
            sku: Sku::parse("TEE-M").unwrap(),
        };
        assert_eq!(watch.group(), "p1#TEE-M");
        assert_eq!(alert_id(&watch.sku, 2), "TEE-M.2");
    }
}
