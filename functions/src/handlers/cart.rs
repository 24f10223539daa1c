//! Cart routes — a signed-in user, on their own cart only.

use lambda_http::Request;
use shop::domain::cart::{AddItemInput, SetQuantityInput};
use shop::domain::ids::Sku;
use shop::http::{caller, json_body, path_param, Reply};
use shop::services::cart as svc;
use shop::store::Store;
use shop::ShopError;

/// `GET /cart`
pub async fn get_cart(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    Reply::ok(svc::get_cart(store, &caller).await?)
}

/// `POST /cart/items` `{sku, quantity}` — adds to any units already in the cart.
pub async fn add_item(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let item = json_body::<AddItemInput>(&req)?.parse()?;
    Reply::ok(svc::add_item(store, &caller, item).await?)
}

/// `PATCH /cart/items/{sku}` `{quantity}`
pub async fn update_item(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let sku = path_param(&req, "sku", Sku::parse)?;
    let quantity = json_body::<SetQuantityInput>(&req)?.parse()?;
    Reply::ok(svc::set_quantity(store, &caller, &sku, quantity).await?)
}

/// `DELETE /cart/items/{sku}`
pub async fn remove_item(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let sku = path_param(&req, "sku", Sku::parse)?;
    Reply::ok(svc::remove_item(store, &caller, &sku).await?)
}
