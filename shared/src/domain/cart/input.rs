//! Cart requests as sent, and their checks into domain values.

use serde::Deserialize;

use super::Quantity;
use crate::domain::error::{ShopError, Validator};
use crate::domain::ids::Sku;

/// `POST /cart/items` as sent: shape only, checked by [`AddItemInput::parse`].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddItemInput {
    pub sku: String,
    pub quantity: i64,
}

/// A validated request to add units of a SKU to a cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddItem {
    pub sku: Sku,
    pub quantity: Quantity,
}

impl AddItemInput {
    /// Every rule at once, so the caller sees all bad fields in one answer.
    pub fn parse(&self) -> Result<AddItem, ShopError> {
        let mut v = Validator::default();
        let sku = v.check(Sku::parse(&self.sku));
        let quantity = v.check(Quantity::parse(self.quantity));
        v.finish()?;
        match (sku, quantity) {
            (Some(sku), Some(quantity)) => Ok(AddItem { sku, quantity }),
            _ => Err(ShopError::internal("cart input missing after validation")),
        }
    }
}

/// `PATCH /cart/items/{sku}` as sent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetQuantityInput {
    pub quantity: i64,
}

impl SetQuantityInput {
    pub fn parse(&self) -> Result<Quantity, ShopError> {
        Ok(Quantity::parse(self.quantity)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let input = AddItemInput {
            sku: "bad#sku".into(),
            quantity: 0,
        };
        match input.parse() {
            Err(ShopError::Invalid(errors)) => assert_eq!(errors.len(), 2),
            other => panic!("expected Invalid, got {other:?}"),
        }
        let ok = AddItemInput {
            sku: "ab-1".into(),
            quantity: 2,
        }
        .parse()
        .unwrap();
        assert_eq!((ok.sku.as_str(), ok.quantity.get()), ("AB-1", 2));
        assert!(SetQuantityInput { quantity: 100 }.parse().is_err());
    }
}
