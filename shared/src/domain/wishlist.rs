//! Wishlists: products a customer keeps for later. No stock is held for them.

use serde::Deserialize;

use crate::domain::error::ShopError;
use crate::domain::ids::ProductId;

/// Most products one wishlist holds.
pub const MAX_WISHLIST: usize = 200;

/// `POST /wishlist` as sent.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddInput {
    pub product_id: String,
}

impl AddInput {
    pub fn parse(&self) -> Result<ProductId, ShopError> {
        Ok(ProductId::parse(&self.product_id)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_product_id_with_a_key_separator_is_refused() {
        let bad = AddInput {
            product_id: "p#1".into(),
        };
        assert!(matches!(bad.parse(), Err(ShopError::Invalid(_))));
        let good = AddInput {
            product_id: "p-1".into(),
        };
        assert_eq!(good.parse().unwrap().as_str(), "p-1");
    }
}
