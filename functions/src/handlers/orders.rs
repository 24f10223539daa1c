//! Order routes — a signed-in customer, on their own orders (an admin may read any).

use lambda_http::Request;
use shop::adapters::saga::CheckoutStarter;
use shop::domain::ids::OrderId;
use shop::domain::order::{IdempotencyKey, PendingLimits, PlaceOrderInput};
use shop::domain::paging::parse_page_size;
use shop::http::{caller, header, json_body, path_param, query_param, Reply};
use shop::services::orders as svc;
use shop::store::Store;
use shop::ShopError;

/// `POST /orders` with an `Idempotency-Key` header: a retry with the same key and body
/// gets the first answer again, the same key with another body a 422.
///
/// Then the order's checkout execution starts (again, for a retry: a no-op). If that
/// fails, the order still stands: the table's stream starts it (`start-checkout`).
pub async fn place_order(
    deps: &(Store, CheckoutStarter, PendingLimits),
    req: Request,
) -> Result<Reply, ShopError> {
    let (store, starter, limits) = deps;
    let caller = caller(&req)?;
    let key = IdempotencyKey::parse(header(&req, IdempotencyKey::HEADER))?;
    let request = json_body::<PlaceOrderInput>(&req)?.parse()?;
    let placed = svc::place_order(store, &caller, &key, request, *limits).await?;
    if let Err(err) = starter.start(&placed.order_id).await {
        tracing::warn!(order_id = %placed.order_id, error = %err, "starting the checkout failed; the stream starts it");
    }
    Ok(Reply {
        status: placed.status,
        body: Some(placed.body),
        headers: vec![("location", format!("/orders/{}", placed.order_id))],
    })
}

/// `GET /orders/{id}` — its customer or an admin; anyone else gets a 404.
pub async fn get_order(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let id = path_param(&req, "id", OrderId::parse)?;
    Reply::ok(svc::get_order(store, &caller, &id).await?)
}

/// `GET /orders?limit=&cursor=` — the caller's orders, newest first.
pub async fn list_orders(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let limit = parse_page_size(query_param(&req, "limit").as_deref())?;
    let cursor = query_param(&req, "cursor");
    Reply::ok(svc::list_orders(store, &caller, limit, cursor.as_deref()).await?)
}
