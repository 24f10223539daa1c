//! Shipping and tax: simple, published rules, applied once when an order is placed.
//!
//! - Shipping is a flat fee per order, free from a threshold; both depend on the currency.
//! - Tax is a destination-country rate (basis points) on goods plus shipping, rounded
//!   half up to the minor unit. Countries without a rate here are charged no tax (the US,
//!   whose sales tax is set per state and county, among them): a shop that must collect
//!   it plugs a tax service in here.

use crate::domain::money::{Currency, Money, MoneyError};

use super::{Address, OrderLine};

/// (currency, flat fee, free from subtotal), in minor units.
const SHIPPING: &[(&str, i64, i64)] = &[
    ("USD", 499, 5_000),
    ("EUR", 499, 5_000),
    ("GBP", 399, 4_000),
    ("INR", 4_900, 49_900),
    ("JPY", 500, 5_000),
];
/// For currencies not listed: a flat fee of this many minor units, free from the threshold.
const DEFAULT_SHIPPING: (i64, i64) = (500, 5_000);

/// (country, VAT/GST rate in basis points).
const TAX_RATES: &[(&str, i64)] = &[
    ("GB", 2_000),
    ("DE", 1_900),
    ("FR", 2_000),
    ("NL", 2_100),
    ("IE", 2_300),
    ("IN", 1_800),
    ("JP", 1_000),
    ("AU", 1_000),
    ("CA", 500),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub subtotal: Money,
    pub shipping: Money,
    pub tax: Money,
    pub total: Money,
}

pub fn shipping(subtotal: Money) -> Money {
    let (fee, free_from) = SHIPPING
        .iter()
        .find(|(c, _, _)| *c == subtotal.currency.as_str())
        .map_or(DEFAULT_SHIPPING, |&(_, fee, free)| (fee, free));
    Money::new(
        if subtotal.amount >= free_from { 0 } else { fee },
        subtotal.currency,
    )
}

/// The tax rate of `country` in basis points (1/100 of a percent).
pub fn tax_rate_bp(country: &str) -> i64 {
    TAX_RATES
        .iter()
        .find(|(c, _)| *c == country)
        .map_or(0, |&(_, r)| r)
}

/// `amount × rate_bp / 10 000`, rounded half up; `None` on overflow.
fn apply_rate(amount: i64, rate_bp: i64) -> Option<i64> {
    Some((amount.checked_mul(rate_bp)?.checked_add(5_000)?) / 10_000)
}

pub fn totals(
    lines: &[OrderLine],
    currency: Currency,
    address: &Address,
) -> Result<Totals, MoneyError> {
    let subtotal = lines.iter().try_fold(Money::zero(currency), |sum, l| {
        sum.checked_add(l.line_total)
    })?;
    let shipping = shipping(subtotal);
    let taxable = subtotal.checked_add(shipping)?;
    let tax = Money::new(
        apply_rate(taxable.amount, tax_rate_bp(&address.country)).ok_or(MoneyError::Overflow)?,
        currency,
    );
    let total = taxable.checked_add(tax)?;
    Ok(Totals {
        subtotal,
        shipping,
        tax,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(amount: i64) -> Money {
        Money::new(amount, Currency::parse("USD").unwrap())
    }

    #[test]
    fn shipping_is_flat_below_the_threshold_and_free_from_it() {
        assert_eq!(shipping(usd(4_999)), usd(499));
        assert_eq!(shipping(usd(5_000)), usd(0));
        assert_eq!(shipping(usd(0)), usd(499));
        let chf = Money::new(100, Currency::parse("CHF").unwrap());
        assert_eq!(
            shipping(chf).amount,
            500,
            "unlisted currencies use the default fee"
        );
    }

    #[test]
    fn tax_rounds_half_up_to_the_minor_unit() {
        assert_eq!(apply_rate(1_000, 2_000), Some(200));
        assert_eq!(apply_rate(1_234, 1_900), Some(234)); // 234.46
        assert_eq!(apply_rate(25, 2_000), Some(5));
        assert_eq!(apply_rate(1_125, 2_000), Some(225));
        assert_eq!(apply_rate(1_127, 1_900), Some(214)); // 214.13
        assert_eq!(apply_rate(1_150, 1_500), Some(173)); // 172.5 rounds up
        assert_eq!(apply_rate(i64::MAX, 2_000), None);
    }

    #[test]
    fn countries_without_a_rate_pay_no_tax() {
        assert_eq!(tax_rate_bp("US"), 0);
        assert_eq!(tax_rate_bp("GB"), 2_000);
    }
}
