//! Return routes (RMA) — the order's customer asks for and reads its returns (an admin
//! reads any); the return's seller, or an admin, decides and reports what came back; a
//! seller lists its own. `services::returns` says who may do what.

use lambda_http::Request;
use shop::adapters::mail::SqsMailQueue;
use shop::domain::ids::OrderId;
use shop::domain::paging::parse_page_size;
use shop::domain::returns::{
    DecisionInput, ReceiptInput, ReturnId, ReturnRequestInput, ReturnStatus,
};
use shop::http::{caller, json_body, path_param, query_param, Reply};
use shop::services::returns::{self as svc, ReturnWindow};
use shop::store::Store;
use shop::ShopError;

/// `POST /orders/{id}/returns` {lines: [{sku, quantity, reason}]} — the order's customer:
/// 201 with one return per shipment.
pub async fn request_return(
    deps: &(Store, SqsMailQueue, ReturnWindow),
    req: Request,
) -> Result<Reply, ShopError> {
    let (store, mails, window) = deps;
    let caller = caller(&req)?;
    let id = path_param(&req, "id", OrderId::parse)?;
    let input = json_body::<ReturnRequestInput>(&req)?;
    let returns = svc::request(store, mails, &caller, &id, &input, *window).await?;
    Reply::created(returns, format!("/orders/{id}/returns"))
}

/// `GET /orders/{id}/returns` — the order's customer or an admin.
pub async fn list_order_returns(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let id = path_param(&req, "id", OrderId::parse)?;
    Reply::ok(svc::list_for_order(store, &caller, &id).await?)
}

/// `GET /seller/returns?status=&limit=&cursor=` — a seller, its own returns, newest first.
pub async fn list_seller_returns(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let status = query_param(&req, "status")
        .map(|raw| {
            ReturnStatus::parse(&raw)
                .map_err(|e| ShopError::Malformed(format!("status {}", e.message)))
        })
        .transpose()?;
    let limit = parse_page_size(query_param(&req, "limit").as_deref())?;
    let cursor = query_param(&req, "cursor");
    Reply::ok(svc::list_for_seller(store, &caller, status, limit, cursor.as_deref()).await?)
}

/// `POST /returns/{id}/decision` {decision: approve|reject, reason} — the return's seller
/// or an admin.
pub async fn decide_return(deps: &(Store, SqsMailQueue), req: Request) -> Result<Reply, ShopError> {
    let (store, mails) = deps;
    let caller = caller(&req)?;
    let id = path_param(&req, "id", ReturnId::parse)?;
    let (decision, reason) = json_body::<DecisionInput>(&req)?.parse()?;
    Reply::ok(svc::decide(store, mails, &caller, &id, decision, reason).await?)
}

/// `POST /returns/{id}/receipt` {lines: [{sku, receivedQuantity, damagedQuantity}]} — the
/// return's seller or an admin, once the parcel is back.
pub async fn receive_return(
    deps: &(Store, SqsMailQueue),
    req: Request,
) -> Result<Reply, ShopError> {
    let (store, mails) = deps;
    let caller = caller(&req)?;
    let id = path_param(&req, "id", ReturnId::parse)?;
    let input = json_body::<ReceiptInput>(&req)?;
    Reply::ok(svc::receive(store, mails, &caller, &id, &input).await?)
}
