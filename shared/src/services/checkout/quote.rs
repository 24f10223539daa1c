//! `POST /orders/quote`: what an order of these lines would come to now — prices,
//! shipping, tax, the total to confirm at `POST /orders`, and any line the stock cannot
//! cover. Reads only: nothing is reserved, so a quote promises neither price nor stock.
//! Who may call: a signed-in customer, for themselves (their cart, their address).

use crate::domain::auth::Caller;
use crate::domain::error::ShopError;
use crate::domain::order::{price_lines, QuoteOrder, QuoteView};
use crate::store::Store;

use super::place::wanted_lines;

/// Prices the request's lines (or the caller's cart) at the current offers, exactly as
/// placing the order would, so the quote's `total` is the `expectedTotal` placement takes.
pub async fn quote_order(
    store: &Store,
    caller: &Caller,
    request: &QuoteOrder,
) -> Result<QuoteView, ShopError> {
    let (wanted, _) = wanted_lines(store, caller, request.lines.as_deref()).await?;
    let pairs: Vec<_> = wanted
        .iter()
        .map(|w| (w.product_id.clone(), w.sku.clone()))
        .collect();
    let offers = store.offers(&pairs).await?;
    Ok(price_lines(&wanted, &offers, &request.address)?.view())
}
