//! Seller routes: public profiles, a seller's own account and listings, and the
//! administrators' moderation of sellers and listings.

use lambda_http::Request;
use shop::domain::catalog::ProductStatus;
use shop::domain::ids::{ProductId, SellerId};
use shop::domain::paging::parse_page_size;
use shop::domain::seller::{ProfilePatchInput, SellerAction, SellerStatus};
use shop::http::{caller, json_body, path_param, query_param, Reply};
use shop::services::catalog;
use shop::services::sellers as svc;
use shop::store::Store;
use shop::ShopError;

/// A query parameter parsed by `parse`; a bad one is a 400 naming it.
fn query<T>(
    req: &Request,
    name: &str,
    parse: impl Fn(&str) -> Result<T, shop::domain::error::FieldError>,
) -> Result<Option<T>, ShopError> {
    query_param(req, name)
        .map(|raw| parse(&raw).map_err(|e| ShopError::Malformed(format!("{name} {}", e.message))))
        .transpose()
}

/// `GET /sellers/{id}` — anyone (anonymous); approved sellers only.
pub async fn get_seller(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let id = path_param(&req, "id", SellerId::parse)?;
    Reply::ok(svc::public_profile(store, &id).await?)
}

/// `GET /seller/profile` — a seller, its own account (any status).
pub async fn get_profile(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    Reply::ok(svc::own_account(store, &caller).await?)
}

/// `PATCH /seller/profile` — a seller, its own display name and description.
pub async fn update_profile(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let patch = json_body::<ProfilePatchInput>(&req)?.parse()?;
    Reply::ok(svc::update_profile(store, &caller, patch).await?)
}

/// `GET /seller/products?status=&limit=&cursor=` — a seller, its own listings of every status.
pub async fn list_products(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let status = query(&req, "status", ProductStatus::parse)?;
    let limit = parse_page_size(query_param(&req, "limit").as_deref())?;
    let cursor = query_param(&req, "cursor");
    Reply::ok(svc::own_products(store, &caller, status, limit, cursor.as_deref()).await?)
}

/// `GET /admin/sellers?status=&limit=&cursor=` — an admin; `pending` (the applications) by default.
pub async fn list_sellers(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let status = query(&req, "status", SellerStatus::parse)?.unwrap_or(SellerStatus::Pending);
    let limit = parse_page_size(query_param(&req, "limit").as_deref())?;
    let cursor = query_param(&req, "cursor");
    Reply::ok(svc::list(store, &caller, status, limit, cursor.as_deref()).await?)
}

async fn act(store: &Store, req: Request, action: SellerAction) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let id = path_param(&req, "id", SellerId::parse)?;
    Reply::ok(svc::act(store, &caller, &id, action).await?)
}

/// `POST /admin/sellers/{id}/approve` — an admin; admits or reinstates a seller.
pub async fn approve_seller(store: &Store, req: Request) -> Result<Reply, ShopError> {
    act(store, req, SellerAction::Approve).await
}

/// `POST /admin/sellers/{id}/suspend` — an admin; the seller's listings leave the catalog.
pub async fn suspend_seller(store: &Store, req: Request) -> Result<Reply, ShopError> {
    act(store, req, SellerAction::Suspend).await
}

/// `POST /admin/products/{id}/deactivate` — an admin; takes any listing down.
pub async fn deactivate_product(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let id = path_param(&req, "id", ProductId::parse)?;
    Reply::ok(catalog::deactivate_product(store, &caller, &id).await?)
}
