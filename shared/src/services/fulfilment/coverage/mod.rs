//! The carrier's coverage and delivery estimates. Who may call: the coverage queue only
//! loads (the operator uploads `carrier/coverage.csv` to the carrier bucket); anyone may ask
//! for an estimate; placing or quoting an order checks its address here.
//!
//! A coverage file is loaded whole or not at all: a first pass checks every row (any bad
//! row refuses the file, with a report naming the rows, and the current coverage stays);
//! the second writes the rows as a new version, and one conditional write of the pointer
//! makes it current — unless a later upload is current already. Without any coverage
//! loaded, nothing is served (fail closed).

mod load;
pub use load::{load, upload_order, LoadOutcome, LoadSummary, COVERAGE_KEY};

use serde::Serialize;
use time::OffsetDateTime;

use crate::clock::rfc3339;
use crate::domain::catalog::ProductStatus;
use crate::domain::error::{FieldError, ShopError};
use crate::domain::fulfilment::{
    add_working_days, best_match, candidate_prefixes, estimate_delivery, ready_by,
    CollectionSchedule, EstimateQuery, Serviceability,
};
use crate::domain::ids::{SellerId, UserId};
use crate::domain::order::{Address, Order};
use crate::domain::seller::DEFAULT_HANDLING_DAYS;
use crate::store::Store;

/// Whether the carrier delivers to `postcode` in `country` (an ISO code, upper case).
pub async fn serviceability(
    store: &Store,
    country: &str,
    postcode: &str,
) -> Result<Serviceability, ShopError> {
    let Some(pointer) = store.coverage_pointer().await? else {
        return Ok(Serviceability::NotServed);
    };
    if !pointer.countries.iter().any(|c| c == country) {
        return Ok(Serviceability::NotServed);
    }
    let found = store
        .coverage_rows(&pointer.version, country, &candidate_prefixes(postcode))
        .await?;
    Ok(best_match(&found))
}

/// The carrier's transit days to a shipping address; a 422 naming its postcode when the
/// carrier does not deliver there.
pub async fn require_served(store: &Store, address: &Address) -> Result<u8, ShopError> {
    match serviceability(store, &address.country, &address.postal_code).await? {
        Serviceability::Served { transit_days } => Ok(transit_days),
        Serviceability::NotServed => Err(ShopError::Invalid(vec![FieldError::new(
            "shippingAddress.postalCode",
            "the carrier does not deliver to this postcode",
        )])),
    }
}

/// The slowest handling time among `sellers` (their accounts' `handlingDays`).
pub async fn slowest_handling(store: &Store, sellers: &[UserId]) -> Result<u8, ShopError> {
    let mut ids: Vec<SellerId> = sellers.iter().map(SellerId::of).collect();
    ids.sort_by_key(|id| id.to_string());
    ids.dedup_by(|a, b| a == b);
    Ok(store
        .sellers(&ids)
        .await?
        .iter()
        .map(|s| s.handling_days)
        .max()
        .unwrap_or(DEFAULT_HANDLING_DAYS))
}

/// When an order of `sellers`' lines placed now reaches an address `transit_days` away.
pub async fn estimated_delivery(
    store: &Store,
    sellers: &[UserId],
    transit_days: u8,
    schedule: &CollectionSchedule,
) -> Result<String, ShopError> {
    let handling = slowest_handling(store, sellers).await?;
    Ok(estimate_delivery(crate::clock::now(), handling, schedule, transit_days).to_string())
}

/// `order` with its estimated delivery (and the transit days it counts on).
pub async fn with_estimate(
    store: &Store,
    mut order: Order,
    transit_days: u8,
    schedule: &CollectionSchedule,
) -> Result<Order, ShopError> {
    let sellers: Vec<UserId> = order.lines.iter().map(|l| l.seller_id.clone()).collect();
    order.estimated_delivery =
        Some(estimated_delivery(store, &sellers, transit_days, schedule).await?);
    order.transit_days = Some(transit_days);
    Ok(order)
}

/// `GET /delivery/estimate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryEstimate {
    pub serviceable: bool,
    pub transit_days: Option<u8>,
    /// The collection that takes a parcel packed after the handling time (RFC 3339).
    pub next_collection: Option<String>,
    /// `YYYY-MM-DD`.
    pub estimated_delivery: Option<String>,
}

/// `GET /delivery/estimate`: whether the carrier serves the place and when an order placed
/// now would arrive (the SKU's seller's handling time; the default's without one). Who may
/// call: anyone. An unknown or withdrawn SKU is a 404.
pub async fn estimate(
    store: &Store,
    schedule: &CollectionSchedule,
    query: &EstimateQuery,
) -> Result<DeliveryEstimate, ShopError> {
    let handling = match &query.sku {
        None => DEFAULT_HANDLING_DAYS,
        Some(sku) => {
            let product_id = store
                .sku_owner(sku)
                .await?
                .ok_or(ShopError::NotFound("product"))?;
            // The product item alone: its status and seller, not its variants.
            let product = match store.products(&[product_id]).await?.pop() {
                Some(product) if product.status == ProductStatus::Active => product,
                _ => return Err(ShopError::NotFound("product")),
            };
            slowest_handling(store, &[product.seller_id]).await?
        }
    };
    let served = serviceability(store, &query.country, &query.postal_code).await?;
    Ok(estimate_for(
        served,
        schedule,
        handling,
        crate::clock::now(),
    ))
}

/// When an order placed `now` for this place would arrive, for a seller that packs in
/// `handling_days`.
pub fn estimate_for(
    served: Serviceability,
    schedule: &CollectionSchedule,
    handling_days: u8,
    now: OffsetDateTime,
) -> DeliveryEstimate {
    match served {
        Serviceability::NotServed => DeliveryEstimate {
            serviceable: false,
            transit_days: None,
            next_collection: None,
            estimated_delivery: None,
        },
        Serviceability::Served { transit_days } => {
            // `estimate_delivery`'s steps, the collection kept to be shown too.
            let collection = schedule.next_slot_after(ready_by(now, handling_days));
            DeliveryEstimate {
                serviceable: true,
                transit_days: Some(transit_days),
                next_collection: Some(rfc3339(collection)),
                estimated_delivery: Some(
                    add_working_days(collection.date(), transit_days).to_string(),
                ),
            }
        }
    }
}
