//! Catalog routes.

use lambda_http::Request;
use shop::domain::catalog::{ProductInput, ProductUpdateInput, VariantInput};
use shop::domain::ids::{CategoryId, ProductId, Sku};
use shop::domain::paging::parse_page_size;
use shop::http::{caller, json_body, path_param, query_param, Reply};
use shop::services::catalog as svc;
use shop::store::Store;
use shop::ShopError;

/// `GET /categories` — anonymous.
pub async fn list_categories(store: &Store, _req: Request) -> Result<Reply, ShopError> {
    Reply::ok(serde_json::json!({ "items": svc::list_categories(store).await? }))
}

/// `GET /categories/{id}/products?limit=&cursor=` — anonymous; active products only.
pub async fn list_category_products(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let category = path_param(&req, "id", CategoryId::parse)?;
    let limit = parse_page_size(query_param(&req, "limit").as_deref())?;
    let cursor = query_param(&req, "cursor");
    Reply::ok(svc::category_products(store, &category, limit, cursor.as_deref()).await?)
}

/// `GET /products/{id}` — anonymous.
pub async fn get_product(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let id = path_param(&req, "id", ProductId::parse)?;
    Reply::ok(svc::get_product(store, &id).await?)
}

/// `POST /products` — seller; the product belongs to the caller.
pub async fn create_product(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let draft = json_body::<ProductInput>(&req)?.parse()?;
    let view = svc::create_product(store, &caller, draft).await?;
    let location = format!("/products/{}", view.id);
    Reply::created(view, location)
}

/// `PUT /products/{id}` — the owning seller or an admin.
pub async fn update_product(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let id = path_param(&req, "id", ProductId::parse)?;
    let update = json_body::<ProductUpdateInput>(&req)?.parse()?;
    Reply::ok(svc::update_product(store, &caller, &id, update).await?)
}

/// `DELETE /products/{id}` — the owning seller or an admin.
pub async fn delete_product(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let id = path_param(&req, "id", ProductId::parse)?;
    svc::delete_product(store, &caller, &id).await?;
    Reply::no_content()
}

/// `PUT /products/{id}/variants/{sku}` — the owning seller or an admin; sets price and on-hand stock.
pub async fn put_variant(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let id = path_param(&req, "id", ProductId::parse)?;
    let sku = path_param(&req, "sku", Sku::parse)?;
    let draft = json_body::<VariantInput>(&req)?.parse(&sku)?;
    let (view, created) = svc::put_variant(store, &caller, &id, draft).await?;
    Reply::with_status(if created { 201 } else { 200 }, view)
}
