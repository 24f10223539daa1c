//! Cart lines and wishlist entries: both live under the customer's own partition.

use super::keys;
use super::{conditional, from_item, key, n, to_item, Store};
use crate::domain::cart::CartLine;
use crate::domain::error::ShopError;
use crate::domain::ids::{ProductId, Sku, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct WishlistEntry {
    pub product_id: ProductId,
    pub added_at: String,
}

impl Store {
    pub async fn cart_lines(&self, user: &UserId) -> Result<Vec<CartLine>, ShopError> {
        let items = self
            .query_prefix(keys::user_pk(user), keys::CART_PREFIX, true)
            .await?;
        items.into_iter().map(from_item).collect()
    }

    /// Writes a line if it still holds `expected_quantity` (`None`: if absent), so two
    /// concurrent adds cannot both read 1 and both write 2.
    pub async fn put_cart_line(
        &self,
        user: &UserId,
        line: &CartLine,
        expected_quantity: Option<u32>,
    ) -> Result<(), ShopError> {
        let item = to_item(
            line,
            keys::user_pk(user),
            keys::cart_sk(&line.sku),
            "cartLine",
        )?;
        let request = self
            .client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(item));
        let request = match expected_quantity {
            None => request.condition_expression("attribute_not_exists(PK)"),
            Some(q) => request
                .condition_expression("quantity = :q")
                .expression_attribute_values(":q", n(q)),
        };
        conditional(request.send().await)?
            .map(|_| ())
            .ok_or_else(|| ShopError::Conflict("the cart changed meanwhile; retry".into()))
    }

    /// Removes a line; `false` if there was none.
    pub async fn delete_cart_line(&self, user: &UserId, sku: &Sku) -> Result<bool, ShopError> {
        self.delete_if_exists(keys::user_pk(user), keys::cart_sk(sku))
            .await
    }

    pub async fn wishlist(&self, user: &UserId) -> Result<Vec<WishlistEntry>, ShopError> {
        let items = self
            .query_prefix(keys::user_pk(user), keys::WISHLIST_PREFIX, true)
            .await?;
        items.into_iter().map(from_item).collect()
    }

    /// Adds an entry; `false` if it was already there (the first `addedAt` is kept).
    pub async fn add_wishlist_entry(
        &self,
        user: &UserId,
        entry: &WishlistEntry,
    ) -> Result<bool, ShopError> {
        let item = to_item(
            entry,
            keys::user_pk(user),
            keys::wishlist_sk(&entry.product_id),
            "wishlistEntry",
        )?;
        self.put_if_absent(item).await
    }

    pub async fn delete_wishlist_entry(
        &self,
        user: &UserId,
        product: &ProductId,
    ) -> Result<bool, ShopError> {
        self.delete_if_exists(keys::user_pk(user), keys::wishlist_sk(product))
            .await
    }

    async fn delete_if_exists(&self, pk: String, sk: String) -> Result<bool, ShopError> {
        let result = self
            .client()
            .delete_item()
            .table_name(self.table())
            .set_key(Some(key(pk, sk)))
            .condition_expression("attribute_exists(PK)")
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }
}
