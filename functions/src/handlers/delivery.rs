//! Delivery estimates — `GET /delivery/estimate`, anyone (no sign-in, like a product page).

use lambda_http::Request;
use shop::domain::fulfilment::{CollectionSchedule, EstimateQuery};
use shop::http::{query_pairs, Reply};
use shop::services::fulfilment::coverage;
use shop::store::Store;
use shop::ShopError;

/// `GET /delivery/estimate?country=&postalCode=&sku=`: whether the carrier delivers there,
/// and when an order placed now (of the SKU's seller) would arrive.
pub async fn estimate_delivery(
    (store, schedule): &(Store, CollectionSchedule),
    req: Request,
) -> Result<Reply, ShopError> {
    let query = EstimateQuery::parse(&query_pairs(&req))?;
    Reply::ok(coverage::estimate(store, schedule, &query).await?)
}
