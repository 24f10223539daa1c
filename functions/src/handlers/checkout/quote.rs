//! `POST /orders/quote` — a signed-in customer, for themselves.

use lambda_http::Request;
use shop::domain::fulfilment::CollectionSchedule;
use shop::domain::order::QuoteOrderInput;
use shop::http::{caller, json_body, Reply};
use shop::services::checkout as svc;
use shop::store::Store;
use shop::ShopError;

/// The lines (or the caller's cart) priced now for the address: the `total` to send as
/// `expectedTotal` with `POST /orders`, and the delivery date it would promise. Reserves
/// nothing.
pub async fn quote_order(
    (store, schedule): &(Store, CollectionSchedule),
    req: Request,
) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let request = json_body::<QuoteOrderInput>(&req)?.parse()?;
    Reply::ok(svc::quote_order(store, &caller, &request, schedule).await?)
}
