//! `POST /orders/quote`: what an order of these lines would come to now — prices,
//! shipping, tax, the total to confirm at `POST /orders`, and any line the stock cannot
//! cover. Reads only: nothing is reserved, so a quote promises neither price nor stock.
//! Who may call: a signed-in customer, for themselves (their cart, their address).

use crate::domain::auth::Caller;
use crate::domain::error::ShopError;
use crate::domain::fulfilment::CollectionSchedule;
use crate::domain::order::{price_lines, QuoteOrder, QuoteView};
use crate::services::fulfilment::coverage;
use crate::store::Store;

use super::place::{destination_address, wanted_lines};

/// Prices the request's lines (or the caller's cart) at the current offers, exactly as
/// placing the order would, so the quote's `total` is the `expectedTotal` placement takes;
/// with the delivery date placing it now would promise. An address the carrier does not
/// serve is refused as placement refuses it.
pub async fn quote_order(
    store: &Store,
    caller: &Caller,
    request: &QuoteOrder,
    schedule: &CollectionSchedule,
) -> Result<QuoteView, ShopError> {
    let address = destination_address(store, caller, &request.destination).await?;
    let transit_days = coverage::require_served(store, &address).await?;
    let (wanted, _) = wanted_lines(store, caller, request.lines.as_deref()).await?;
    let pairs: Vec<_> = wanted
        .iter()
        .map(|w| (w.product_id.clone(), w.sku.clone()))
        .collect();
    let offers = store.offers(&pairs).await?;
    let priced = price_lines(&wanted, &offers, &address)?;
    let sellers: Vec<_> = priced.lines.iter().map(|l| l.seller_id.clone()).collect();
    let mut view = priced.view();
    view.estimated_delivery =
        Some(coverage::estimated_delivery(store, &sellers, transit_days, schedule).await?);
    Ok(view)
}
