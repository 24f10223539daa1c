//! Cart use cases. Who may call: a signed-in user, on their own cart only
//! (the cart's partition is built from the verified `sub`, never from input).

use crate::clock::now_rfc3339;
use crate::domain::auth::Caller;
use crate::domain::cart::{
    cart_currency, check_line_change, price_cart, AddItem, CartLine, PricedCart, Quantity,
    MAX_CART_LINES,
};
use crate::domain::error::ShopError;
use crate::domain::ids::Sku;
use crate::store::Store;

async fn priced(store: &Store, lines: &[CartLine]) -> Result<PricedCart, ShopError> {
    let wanted: Vec<_> = lines
        .iter()
        .map(|l| (l.product_id.clone(), l.sku.clone()))
        .collect();
    let offers = store.offers(&wanted).await?;
    price_cart(lines, &offers).map_err(ShopError::internal)
}

pub async fn get_cart(store: &Store, caller: &Caller) -> Result<PricedCart, ShopError> {
    let lines = store.cart_lines(&caller.user_id).await?;
    priced(store, &lines).await
}

/// Adds `quantity` units of a SKU (to any already in the cart).
pub async fn add_item(
    store: &Store,
    caller: &Caller,
    AddItem { sku, quantity }: AddItem,
) -> Result<PricedCart, ShopError> {
    // Independent reads: one round trip instead of two on the add-to-cart path.
    let (owner, lines) =
        tokio::try_join!(store.sku_owner(&sku), store.cart_lines(&caller.user_id))?;
    let product_id = owner.ok_or(ShopError::NotFound("SKU"))?;
    let existing = lines.iter().find(|l| l.sku == sku);
    if existing.is_none() && lines.len() >= MAX_CART_LINES {
        return Err(ShopError::Conflict(format!(
            "a cart holds at most {MAX_CART_LINES} different SKUs"
        )));
    }
    let new_quantity = existing.map_or(0, |l| l.quantity) + quantity.get();
    change_line(
        store,
        caller,
        &lines,
        sku,
        product_id,
        new_quantity,
        existing.map(|l| l.quantity),
    )
    .await
}

/// Sets a line's quantity; the line must be in the cart.
pub async fn set_quantity(
    store: &Store,
    caller: &Caller,
    sku: &Sku,
    quantity: Quantity,
) -> Result<PricedCart, ShopError> {
    let lines = store.cart_lines(&caller.user_id).await?;
    let existing = lines
        .iter()
        .find(|l| &l.sku == sku)
        .ok_or(ShopError::NotFound("cart line"))?;
    let product_id = existing.product_id.clone();
    change_line(
        store,
        caller,
        &lines,
        sku.clone(),
        product_id,
        quantity.get(),
        Some(existing.quantity),
    )
    .await
}

async fn change_line(
    store: &Store,
    caller: &Caller,
    lines: &[CartLine],
    sku: Sku,
    product_id: crate::domain::ids::ProductId,
    new_quantity: u32,
    expected: Option<u32>,
) -> Result<PricedCart, ShopError> {
    // Always look the SKU up under its current product: a line saved under a product
    // since deleted must not hide the SKU's new listing.
    let others: Vec<CartLine> = lines.iter().filter(|l| l.sku != sku).cloned().collect();
    let mut wanted: Vec<_> = others
        .iter()
        .map(|l| (l.product_id.clone(), l.sku.clone()))
        .collect();
    wanted.push((product_id.clone(), sku.clone()));
    let offers = store.offers(&wanted).await?;
    let offer = offers.get(&sku).ok_or(ShopError::NotFound("SKU"))?;
    check_line_change(offer, new_quantity, cart_currency(&others, &offers))?;
    let added_at = lines
        .iter()
        .find(|l| l.sku == sku)
        .map_or_else(now_rfc3339, |l| l.added_at.clone());
    let line = CartLine {
        sku: sku.clone(),
        product_id,
        quantity: new_quantity,
        added_at,
    };
    store
        .put_cart_line(&caller.user_id, &line, expected)
        .await?;
    let mut updated: Vec<CartLine> = lines.iter().filter(|l| l.sku != sku).cloned().collect();
    updated.push(line);
    updated.sort_by(|a, b| a.added_at.cmp(&b.added_at));
    price_cart(&updated, &offers).map_err(ShopError::internal)
}

pub async fn remove_item(
    store: &Store,
    caller: &Caller,
    sku: &Sku,
) -> Result<PricedCart, ShopError> {
    if !store.delete_cart_line(&caller.user_id, sku).await? {
        return Err(ShopError::NotFound("cart line"));
    }
    get_cart(store, caller).await
}
