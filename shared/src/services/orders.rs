//! Orders, read. Who may call: a signed-in customer, reading their own orders (the
//! customer is the verified `sub`, never input); an admin may read any order. Placing
//! one is the checkout's first step (`services::checkout::place`).

use crate::domain::auth::Caller;
use crate::domain::error::ShopError;
use crate::domain::ids::OrderId;
use crate::domain::order::OrderView;
use crate::store::{Page, Store};

/// One order, for its customer or an admin. Anyone else is told it does not exist.
pub async fn get_order(
    store: &Store,
    caller: &Caller,
    id: &OrderId,
) -> Result<OrderView, ShopError> {
    match store.get_order(id).await? {
        Some(order) if order.customer_id == caller.user_id || caller.is_admin() => Ok(order.view()),
        _ => Err(ShopError::NotFound("order")),
    }
}

/// The caller's orders, newest first.
pub async fn list_orders(
    store: &Store,
    caller: &Caller,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<OrderView>, ShopError> {
    let page = store
        .customer_orders(&caller.user_id, limit, cursor)
        .await?;
    page.map(|o| Ok(o.view()))
}
