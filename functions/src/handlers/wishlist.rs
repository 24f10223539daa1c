//! Wishlist routes — a signed-in user, on their own wishlist only.

use lambda_http::Request;
use shop::http::{caller, json_body, path_param, Reply};
use shop::ids::ProductId;
use shop::services::wishlist as svc;
use shop::{App, ShopError};

/// `GET /wishlist`
pub async fn get_wishlist(app: &App, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    Reply::ok(serde_json::json!({ "items": svc::list(&app.store, &caller).await? }))
}

/// `POST /wishlist` `{productId}` — 201 when added, 200 when it was already there.
pub async fn add_item(app: &App, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let input = json_body::<svc::AddInput>(&req)?;
    let (entry, created) = svc::add(&app.store, &caller, input).await?;
    Reply::with_status(if created { 201 } else { 200 }, entry)
}

/// `DELETE /wishlist/{productId}`
pub async fn remove_item(app: &App, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let product = path_param(&req, "productId", ProductId::parse)?;
    svc::remove(&app.store, &caller, &product).await?;
    Reply::no_content()
}
