//! Orders, read. Who may call: a signed-in customer, reading their own orders (the
//! customer is the verified `sub`, never input); an admin may read any order. Placing
//! one is the checkout's first step (`services::checkout::place`).

use serde::Serialize;

use crate::domain::auth::Caller;
use crate::domain::error::ShopError;
use crate::domain::fulfilment::CustomerShipmentView;
use crate::domain::ids::OrderId;
use crate::domain::order::{Order, OrderStatus, OrderView};
use crate::store::{Page, Store};

/// `GET /orders/{id}`: the order and how each of its shipments stands.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: OrderView,
    /// One per seller once the order is paid; none before.
    pub shipments: Vec<CustomerShipmentView>,
}

/// One order with its shipments, for its customer or an admin. Anyone else is told it
/// does not exist.
pub async fn get_order(
    store: &Store,
    caller: &Caller,
    id: &OrderId,
) -> Result<OrderDetail, ShopError> {
    match store.order_with_shipments(id).await? {
        Some(found) if found.order.customer_id == caller.user_id || caller.is_admin() => {
            Ok(OrderDetail {
                order: found.order.view(),
                shipments: found.shipments.iter().map(|s| s.customer_view()).collect(),
            })
        }
        _ => Err(ShopError::NotFound("order")),
    }
}

/// The caller's orders, newest first; only those in `status` when given.
pub async fn list_orders(
    store: &Store,
    caller: &Caller,
    status: Option<OrderStatus>,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<OrderView>, ShopError> {
    let page = store
        .customer_orders(&caller.user_id, status, limit, cursor)
        .await?;
    page.map(|o| Ok(o.view()))
}

/// Where the order's customer is mailed: the address the order was placed with (orders
/// placed before it was kept: the customer's profile); `None` when neither exists.
pub(crate) async fn mail_address(
    store: &Store,
    order: &Order,
) -> Result<Option<String>, ShopError> {
    if let Some(email) = &order.customer_email {
        return Ok(Some(email.clone()));
    }
    Ok(store
        .get_profile(&order.customer_id)
        .await?
        .map(|p| p.email))
}
