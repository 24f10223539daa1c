//! How much one customer may hold awaiting payment. A placed order reserves its stock until
//! it is paid or its window ends: without a bound, one verified account could hold a flash
//! sale's whole stock for the window, again and again, without ever paying.

use crate::domain::error::ShopError;

/// The most a customer may have in `pending_payment` at once: orders, and units over them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingLimits {
    pub orders: u32,
    pub units: u32,
}

impl Default for PendingLimits {
    /// Three orders, fifty units: a shopper paying normally never meets them (an order leaves
    /// `pending_payment` within seconds of a card's answer).
    fn default() -> Self {
        PendingLimits {
            orders: 3,
            units: 50,
        }
    }
}

impl PendingLimits {
    /// The refusal when an order of `units` would go past the limits.
    pub fn refusal(&self, units: u32) -> ShopError {
        if units > self.units {
            ShopError::Conflict(format!(
                "an order may hold at most {} units awaiting payment; this one has {units}: split it",
                self.units
            ))
        } else {
            ShopError::Conflict(format!(
                "you have orders awaiting payment (at most {} orders or {} units at a time): \
                 complete or wait for them first",
                self.orders, self.units
            ))
        }
    }

    /// The highest pending unit count an order of `units` may still be added to; `None`
    /// when no pending count admits it.
    pub fn units_before(&self, units: u32) -> Option<u32> {
        self.units.checked_sub(units)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_fits_under_the_units_left() {
        let limits = PendingLimits {
            orders: 3,
            units: 10,
        };
        assert_eq!(limits.units_before(4), Some(6));
        assert_eq!(limits.units_before(10), Some(0));
        assert_eq!(limits.units_before(11), None);
    }

    #[test]
    fn the_refusal_says_which_limit() {
        let limits = PendingLimits::default();
        let ShopError::Conflict(alone) = limits.refusal(51) else {
            panic!("a conflict")
        };
        assert!(
            alone.contains("at most 50 units") && alone.contains("split it"),
            "{alone}"
        );
        let ShopError::Conflict(held) = limits.refusal(2) else {
            panic!("a conflict")
        };
        assert!(
            held.contains("awaiting payment") && held.contains("3 orders"),
            "{held}"
        );
    }
}
