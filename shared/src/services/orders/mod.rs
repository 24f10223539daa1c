//! Orders, read and cancelled. Who may call: a signed-in customer, for their own orders
//! (the customer is the verified `sub`, never input); an admin, for any order. Placing
//! one is the checkout's first step (`services::checkout::place`).

use serde::Serialize;

use crate::domain::auth::Caller;
use crate::domain::error::ShopError;
use crate::domain::fulfilment::CustomerShipmentView;
use crate::domain::ids::OrderId;
use crate::domain::order::{Order, OrderStatus, OrderView};
use crate::store::{OrderWithShipments, Page, Store};

mod cancel;

pub use cancel::{cancel_order, CancelAnswer};

/// `GET /orders/{id}`: the order, its refunds, and how each of its shipments stands.
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
    Ok(detail(&own_order(store, caller, id).await?))
}

/// The order with its shipments and refunds, if the caller is its customer or an admin;
/// anyone else is told it does not exist.
pub(crate) async fn own_order(
    store: &Store,
    caller: &Caller,
    id: &OrderId,
) -> Result<OrderWithShipments, ShopError> {
    match store.order_with_shipments(id).await? {
        Some(found) if found.order.customer_id == caller.user_id || caller.is_admin() => Ok(found),
        _ => Err(ShopError::NotFound("order")),
    }
}

pub(crate) fn detail(found: &OrderWithShipments) -> OrderDetail {
    let mut order = found.order.view();
    order.payment.refunds = Some(found.refunds.iter().map(|r| r.view()).collect());
    OrderDetail {
        order,
        shipments: found.shipments.iter().map(|s| s.customer_view()).collect(),
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
