//! Wishlist use cases. Who may call: a signed-in user, on their own wishlist only.

use serde::Serialize;

use crate::clock::now_rfc3339;
use crate::domain::auth::Caller;
use crate::domain::catalog::{ProductStatus, ProductSummary};
use crate::domain::error::ShopError;
use crate::domain::ids::ProductId;
use crate::domain::wishlist::MAX_WISHLIST;
use crate::store::{Store, WishlistEntry};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WishlistItem {
    pub product_id: ProductId,
    pub added_at: String,
    /// Absent when the product has since been taken off sale or out of the catalog.
    pub product: Option<ProductSummary>,
}

pub async fn list(store: &Store, caller: &Caller) -> Result<Vec<WishlistItem>, ShopError> {
    let entries = store.wishlist(&caller.user_id).await?;
    let ids: Vec<ProductId> = entries.iter().map(|e| e.product_id.clone()).collect();
    let products = store.products(&ids).await?;
    Ok(entries
        .into_iter()
        .map(|e| {
            let product = products
                .iter()
                .find(|p| p.id == e.product_id && p.status == ProductStatus::Active)
                .map(|p| p.summary());
            WishlistItem {
                product_id: e.product_id,
                added_at: e.added_at,
                product,
            }
        })
        .collect())
}

/// Adds a product; returns whether it was new. Only existing products can be added.
pub async fn add(
    store: &Store,
    caller: &Caller,
    product_id: ProductId,
) -> Result<(WishlistEntry, bool), ShopError> {
    // Only what a shopper can see can be wished for; both reads go out together.
    let (_, current) = tokio::try_join!(
        crate::services::catalog::get_product(store, &product_id),
        store.wishlist(&caller.user_id)
    )?;
    if let Some(existing) = current.iter().find(|e| e.product_id == product_id) {
        return Ok((existing.clone(), false));
    }
    if current.len() >= MAX_WISHLIST {
        return Err(ShopError::Conflict(format!(
            "a wishlist holds at most {MAX_WISHLIST} products"
        )));
    }
    let entry = WishlistEntry {
        product_id,
        added_at: now_rfc3339(),
    };
    let created = store.add_wishlist_entry(&caller.user_id, &entry).await?;
    Ok((entry, created))
}

pub async fn remove(
    store: &Store,
    caller: &Caller,
    product_id: &ProductId,
) -> Result<(), ShopError> {
    if store
        .delete_wishlist_entry(&caller.user_id, product_id)
        .await?
    {
        Ok(())
    } else {
        Err(ShopError::NotFound("wishlist entry"))
    }
}
