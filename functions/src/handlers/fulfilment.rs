//! Seller fulfilment routes — a signed-in seller, its own shipments only (another
//! seller's shipment is a 404, as one that does not exist; a caller without the seller
//! role is a 403).

use lambda_http::Request;
use shop::adapters::mail::SqsMailQueue;
use shop::domain::fulfilment::{CancelInput, ReadyInput, ShipmentStatus};
use shop::domain::ids::ShipmentId;
use shop::domain::paging::parse_page_size;
use shop::http::{caller, json_body, path_param, query_param, Reply};
use shop::services::fulfilment as svc;
use shop::store::Store;
use shop::ShopError;

/// `GET /seller/orders?status=&limit=&cursor=` — a seller: its shipments, newest first.
pub async fn list_seller_orders(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let status = query_param(&req, "status")
        .map(|raw| {
            ShipmentStatus::parse(&raw)
                .map_err(|e| ShopError::Malformed(format!("status {}", e.message)))
        })
        .transpose()?;
    let limit = parse_page_size(query_param(&req, "limit").as_deref())?;
    let cursor = query_param(&req, "cursor");
    Reply::ok(svc::list(store, &caller, status, limit, cursor.as_deref()).await?)
}

/// `GET /seller/shipments/{id}` — the shipment's seller.
pub async fn get_seller_shipment(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let id = path_param(&req, "id", ShipmentId::parse)?;
    Reply::ok(svc::get(store, &caller, &id).await?)
}

/// `POST /seller/shipments/{id}/ready` {parcels} — the shipment's seller: packed.
pub async fn ready_shipment(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let id = path_param(&req, "id", ShipmentId::parse)?;
    let parcels = json_body::<ReadyInput>(&req)?.parse()?;
    Reply::ok(svc::ready(store, &caller, &id, parcels).await?)
}

/// `POST /seller/shipments/{id}/cancel` {reason, lost?} — the shipment's seller, before
/// hand-over: its lines refunded, its units back in stock unless lost, the customer told.
pub async fn cancel_shipment(
    deps: &(Store, SqsMailQueue),
    req: Request,
) -> Result<Reply, ShopError> {
    let (store, mails) = deps;
    let caller = caller(&req)?;
    let id = path_param(&req, "id", ShipmentId::parse)?;
    let (reason, lost) = json_body::<CancelInput>(&req)?.parse()?;
    Reply::ok(svc::cancel(store, mails, &caller, &id, reason, lost).await?)
}
