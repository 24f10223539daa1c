//! `POST /orders` — a signed-in customer, for themselves.

use lambda_http::Request;
use shop::adapters::saga::CheckoutStarter;
use shop::domain::fulfilment::CollectionSchedule;
use shop::domain::order::{IdempotencyKey, PendingLimits, PlaceOrderInput};
use shop::http::{caller, header, json_body, Reply};
use shop::services::checkout as svc;
use shop::store::Store;
use shop::ShopError;

/// `POST /orders` with an `Idempotency-Key` header: a retry with the same key and body
/// gets the first answer again, the same key with another body a 422. The service
/// starts the order's checkout.
pub async fn place_order(
    deps: &(Store, CheckoutStarter, PendingLimits, CollectionSchedule),
    req: Request,
) -> Result<Reply, ShopError> {
    let (store, starter, limits, schedule) = deps;
    let caller = caller(&req)?;
    let key = IdempotencyKey::parse(header(&req, IdempotencyKey::HEADER))?;
    let request = json_body::<PlaceOrderInput>(&req)?.parse()?;
    let placed =
        svc::place_order(store, starter, &caller, &key, request, *limits, schedule).await?;
    tracing::info!(order_id = %placed.order_id, replayed = placed.replayed, "order placed");
    // A retry is answered as the first request was: created, with the same body.
    Reply::created(placed.body, format!("/orders/{}", placed.order_id))
}
