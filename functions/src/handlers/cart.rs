//! Cart routes — a signed-in user, on their own cart only.

use lambda_http::Request;
use shop::http::{caller, json_body, path_param, Reply};
use shop::ids::Sku;
use shop::services::cart as svc;
use shop::{App, ShopError};

/// `GET /cart`
pub async fn get_cart(app: &App, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    Reply::ok(svc::get_cart(&app.store, &caller).await?)
}

/// `POST /cart/items` `{sku, quantity}` — adds to any units already in the cart.
pub async fn add_item(app: &App, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let input = json_body::<svc::AddItemInput>(&req)?;
    Reply::ok(svc::add_item(&app.store, &caller, input).await?)
}

/// `PATCH /cart/items/{sku}` `{quantity}`
pub async fn update_item(app: &App, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let sku = path_param(&req, "sku", Sku::parse)?;
    let input = json_body::<svc::SetQuantityInput>(&req)?;
    Reply::ok(svc::set_quantity(&app.store, &caller, &sku, input).await?)
}

/// `DELETE /cart/items/{sku}`
pub async fn remove_item(app: &App, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let sku = path_param(&req, "sku", Sku::parse)?;
    Reply::ok(svc::remove_item(&app.store, &caller, &sku).await?)
}
