//! Pricing an order's lines before it is placed: what `POST /orders/quote` shows the
//! customer (lines, shipping, tax, the total to confirm) and what an order freezes.

use serde::Serialize;
use std::collections::HashMap;

use crate::domain::cart::LineOffer;
use crate::domain::catalog::Availability;
use crate::domain::error::{FieldError, ShopError};
use crate::domain::ids::Sku;
use crate::domain::money::{Currency, Money};

use super::pricing::{self, Totals};
use super::{Address, OrderLine, OrderLineView, Shortage, WantedLine, MAX_ORDER_LINES};

/// Lines priced at the current offers, with the totals they come to and every line the
/// stock cannot cover now (a quote shows them; an order refuses them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedLines {
    pub currency: Currency,
    pub lines: Vec<OrderLine>,
    pub totals: Totals,
    pub shortages: Vec<Shortage>,
}

/// A quote as its customer sees it. `total` is what `POST /orders` takes as
/// `expectedTotal`; prices and stock are as of now and nothing is reserved.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteView {
    pub currency: Currency,
    pub lines: Vec<OrderLineView>,
    pub subtotal: Money,
    pub shipping: Money,
    pub tax: Money,
    pub total: Money,
    /// Lines the stock cannot cover now, with what is available: placing the order as
    /// quoted would be refused for them.
    pub shortages: Vec<Shortage>,
    /// When it would arrive if placed now (`YYYY-MM-DD`; set by the quote's use case).
    pub estimated_delivery: Option<String>,
}

impl PricedLines {
    pub fn view(&self) -> QuoteView {
        QuoteView {
            currency: self.currency,
            lines: self.lines.iter().map(OrderLine::view).collect(),
            subtotal: self.totals.subtotal,
            shipping: self.totals.shipping,
            tax: self.totals.tax,
            total: self.totals.total,
            shortages: self.shortages.clone(),
            estimated_delivery: None,
        }
    }
}

/// Prices `wanted` against the current `offers` for delivery to `address`. Refuses, in
/// this order: no lines; too many lines; lines that are not on sale or in another
/// currency than the first line on sale (every such line named). Stock short of a line
/// is not a refusal here: it is reported in [`PricedLines::shortages`].
pub fn price_lines(
    wanted: &[WantedLine],
    offers: &HashMap<Sku, LineOffer>,
    address: &Address,
) -> Result<PricedLines, ShopError> {
    if wanted.is_empty() {
        return Err(
            FieldError::new("lines", "there is nothing to order: the cart is empty").into(),
        );
    }
    if wanted.len() > MAX_ORDER_LINES {
        return Err(FieldError::new(
            "lines",
            &format!(
                "an order holds at most {MAX_ORDER_LINES} different SKUs; split the cart into several orders"
            ),
        )
        .into());
    }
    let currency = wanted
        .iter()
        .filter_map(|w| offers.get(&w.sku))
        .find(|o| o.availability != Availability::Inactive)
        .map(|o| o.variant.price.currency);
    let mut unsellable = Vec::new();
    let mut shortages = Vec::new();
    let mut lines = Vec::with_capacity(wanted.len());
    for (i, w) in wanted.iter().enumerate() {
        let field = format!("lines[{i}].sku");
        let offer = match offers.get(&w.sku) {
            Some(o) if o.availability != Availability::Inactive => o,
            _ => {
                unsellable.push(FieldError::new(
                    &field,
                    &format!("{} is not on sale", w.sku),
                ));
                continue;
            }
        };
        let unit_price = offer.variant.unit_price();
        if Some(unit_price.currency) != currency {
            unsellable.push(FieldError::new(
                &field,
                &format!(
                    "{} is priced in {}, the order in another currency",
                    w.sku, unit_price.currency
                ),
            ));
            continue;
        }
        if i64::from(w.quantity) > offer.variant.available() {
            shortages.push(Shortage {
                sku: w.sku.clone(),
                requested: w.quantity,
                available: offer.variant.available(),
            });
        }
        let line_total = unit_price
            .checked_mul(w.quantity)
            .map_err(ShopError::internal)?;
        lines.push(OrderLine {
            sku: w.sku.clone(),
            product_id: offer.variant.product_id.clone(),
            product_name: offer.product_name.clone(),
            seller_id: offer.seller_id.clone(),
            quantity: w.quantity,
            unit_price,
            line_total,
        });
    }
    if !unsellable.is_empty() {
        return Err(ShopError::Invalid(unsellable));
    }
    let currency = currency.ok_or_else(|| ShopError::internal("order lines without a currency"))?;
    let totals = pricing::totals(&lines, currency, address).map_err(ShopError::internal)?;
    Ok(PricedLines {
        currency,
        lines,
        totals,
        shortages,
    })
}
