//! Wishlist routes — a signed-in user, on their own wishlist only.

use lambda_http::Request;
use shop::domain::ids::ProductId;
use shop::domain::wishlist::AddInput;
use shop::http::{caller, json_body, path_param, Reply};
use shop::services::wishlist as svc;
use shop::store::Store;
use shop::ShopError;

/// `GET /wishlist`
pub async fn get_wishlist(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    Reply::ok(serde_json::json!({ "items": svc::list(store, &caller).await? }))
}

/// `POST /wishlist` `{productId}` — 201 when added, 200 when it was already there.
pub async fn add_item(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let product = json_body::<AddInput>(&req)?.parse()?;
    let (entry, created) = svc::add(store, &caller, product).await?;
    Reply::with_status(if created { 201 } else { 200 }, entry)
}

/// `DELETE /wishlist/{productId}`
pub async fn remove_item(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let product = path_param(&req, "productId", ProductId::parse)?;
    svc::remove(store, &caller, &product).await?;
    Reply::no_content()
}
