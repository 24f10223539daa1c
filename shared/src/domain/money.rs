//! Money in integer minor units (cents, paise) with an ISO-4217 currency.
//! Prices are never floats: a float cannot hold 0.10 exactly and sums drift.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::domain::error::FieldError;

/// An ISO-4217 alphabetic code such as `USD` or `INR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn parse(code: &str) -> Result<Self, FieldError> {
        let bytes = code.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err(FieldError::new(
                "currency",
                "must be a three-letter upper-case ISO-4217 code such as USD",
            ));
        }
        Ok(Currency([bytes[0], bytes[1], bytes[2]]))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).expect("currency is ASCII")
    }
}

impl TryFrom<String> for Currency {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Currency::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The largest amount the shop accepts for one price: 10^11 minor units
/// (a billion dollars). Keeps every cart total far from `i64` overflow.
pub const MAX_PRICE_MINOR: i64 = 100_000_000_000;

/// An amount of money. `amount` is in minor units of `currency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    pub amount: i64,
    pub currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(Currency, Currency),
    #[error("amount overflow")]
    Overflow,
}

impl Money {
    pub fn new(amount: i64, currency: Currency) -> Self {
        Money { amount, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Money::new(0, currency)
    }

    /// A price a seller may set: not negative, not absurd.
    pub fn price(amount: i64, currency: Currency, field: &str) -> Result<Self, FieldError> {
        if amount < 0 {
            return Err(FieldError::new(field, "must not be negative"));
        }
        if amount > MAX_PRICE_MINOR {
            return Err(FieldError::new(field, "is larger than the shop accepts"));
        }
        Ok(Money::new(amount, currency))
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        let amount = self
            .amount
            .checked_add(other.amount)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }

    pub fn checked_mul(self, factor: u32) -> Result<Money, MoneyError> {
        let amount = self
            .amount
            .checked_mul(i64::from(factor))
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(amount, self.currency))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::parse("USD").unwrap()
    }

    #[test]
    fn currency_accepts_iso_codes() {
        assert_eq!(Currency::parse("INR").unwrap().as_str(), "INR");
    }

    #[test]
    fn currency_rejects_lower_case_wrong_length_and_non_letters() {
        for bad in ["usd", "US", "USDD", "U5D", "", "ÜSD"] {
            assert!(Currency::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn currency_round_trips_through_json() {
        let json = serde_json::to_string(&usd()).unwrap();
        assert_eq!(json, "\"USD\"");
        assert_eq!(serde_json::from_str::<Currency>(&json).unwrap(), usd());
        assert!(serde_json::from_str::<Currency>("\"usd\"").is_err());
    }

    #[test]
    fn price_rejects_negative_and_huge_amounts() {
        assert!(Money::price(-1, usd(), "price").is_err());
        assert!(Money::price(MAX_PRICE_MINOR + 1, usd(), "price").is_err());
        assert_eq!(Money::price(0, usd(), "price").unwrap().amount, 0);
        assert_eq!(Money::price(1999, usd(), "price").unwrap().amount, 1999);
    }

    #[test]
    fn adding_different_currencies_fails() {
        let inr = Currency::parse("INR").unwrap();
        let err = Money::new(1, usd()).checked_add(Money::new(1, inr));
        assert_eq!(err, Err(MoneyError::CurrencyMismatch(usd(), inr)));
    }

    #[test]
    fn arithmetic_is_exact_and_overflow_is_an_error() {
        let ten_cents = Money::new(10, usd());
        let sum = (0..3).try_fold(Money::zero(usd()), |acc, _| acc.checked_add(ten_cents));
        assert_eq!(sum.unwrap().amount, 30);
        assert_eq!(Money::new(1999, usd()).checked_mul(3).unwrap().amount, 5997);
        assert_eq!(
            Money::new(i64::MAX, usd()).checked_mul(2),
            Err(MoneyError::Overflow)
        );
    }
}
