//! Order routes — a signed-in customer, for their own orders (an admin, for any):
//! reading and cancelling them. Placing one is the checkout's (`checkout::place`).

use lambda_http::Request;
use shop::adapters::mail::SqsMailQueue;
use shop::adapters::saga::StepFunctionsTasks;
use shop::domain::ids::OrderId;
use shop::domain::order::{CancelOrderInput, OrderStatus};
use shop::domain::paging::parse_page_size;
use shop::http::{caller, json_body, path_param, query_param, Reply};
use shop::services::orders as svc;
use shop::store::Store;
use shop::ShopError;

/// `GET /orders/{id}` — its customer or an admin; anyone else gets a 404. With its shipments.
pub async fn get_order(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let id = path_param(&req, "id", OrderId::parse)?;
    Reply::ok(svc::get_order(store, &caller, &id).await?)
}

/// `GET /orders?status=&limit=&cursor=` — the caller's orders, newest first.
pub async fn list_orders(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let status = query_param(&req, "status")
        .map(|raw| {
            OrderStatus::parse(&raw)
                .map_err(|e| ShopError::Malformed(format!("status {}", e.message)))
        })
        .transpose()?;
    let limit = parse_page_size(query_param(&req, "limit").as_deref())?;
    let cursor = query_param(&req, "cursor");
    Reply::ok(svc::list_orders(store, &caller, status, limit, cursor.as_deref()).await?)
}

/// `POST /orders/{id}/cancel` {reason} — its customer or an admin (anyone else: 404).
/// 202 while it awaits payment (the checkout ends it), 200 once cancelled, 409 once any of
/// it is with the carrier.
pub async fn cancel_order(
    deps: &(Store, StepFunctionsTasks, SqsMailQueue),
    req: Request,
) -> Result<Reply, ShopError> {
    let (store, tokens, mails) = deps;
    let caller = caller(&req)?;
    let id = path_param(&req, "id", OrderId::parse)?;
    let reason = json_body::<CancelOrderInput>(&req)?.parse()?;
    match svc::cancel_order(store, tokens, mails, &caller, &id, reason).await? {
        svc::CancelAnswer::Requested(order) => Reply::with_status(202, order),
        svc::CancelAnswer::Cancelled(order) => Reply::ok(order),
    }
}
