//! Carts: what a customer wants to buy. Totals are always recomputed from the
//! current catalog, never trusted from the client or from the time of adding.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::domain::catalog::{Availability, Variant};
use crate::domain::error::{FieldError, ShopError};
use crate::domain::ids::{ProductId, Sku, UserId};
use crate::domain::money::{Currency, Money, MoneyError};

mod input;
pub use input::{AddItem, AddItemInput, SetQuantityInput};

/// Most units of one SKU in one cart (a guard against typos and resellers' bots).
pub const MAX_LINE_QUANTITY: u32 = 99;
/// Most distinct SKUs in one cart: keeps a cart's reads to one batch and checkout to one transaction.
pub const MAX_CART_LINES: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct Quantity(u32);

impl Quantity {
    pub fn parse(value: i64) -> Result<Self, FieldError> {
        if value < 1 {
            return Err(FieldError::new("quantity", "must be at least 1"));
        }
        if value > i64::from(MAX_LINE_QUANTITY) {
            return Err(FieldError::new(
                "quantity",
                &format!("must be at most {MAX_LINE_QUANTITY}"),
            ));
        }
        Ok(Quantity(value as u32))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for Quantity {
    type Error = FieldError;
    fn try_from(value: i64) -> Result<Self, FieldError> {
        Quantity::parse(value)
    }
}

impl From<Quantity> for u32 {
    fn from(q: Quantity) -> u32 {
        q.0
    }
}

/// A stored cart line: the SKU and how many, nothing about price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CartLine {
    pub sku: Sku,
    pub product_id: ProductId,
    pub quantity: u32,
    pub added_at: String,
}

/// What the catalog says now about a line's SKU.
#[derive(Debug, Clone)]
pub struct LineOffer {
    pub product_name: String,
    /// The seller's account: an order line records whose it is.
    pub seller_id: UserId,
    pub availability: Availability,
    pub variant: Variant,
}

/// Why a line cannot be bought as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineIssue {
    /// The product or SKU was removed, or the seller made it inactive.
    Unavailable,
    OutOfStock,
    /// More in the cart than is available now; `available` says how many are.
    QuantityExceedsStock,
    /// The SKU is now priced in another currency than the rest of the cart.
    CurrencyChanged,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PricedLine {
    pub sku: Sku,
    pub product_id: ProductId,
    pub product_name: Option<String>,
    pub quantity: u32,
    pub unit_price: Option<Money>,
    pub line_total: Option<Money>,
    pub available: i64,
    /// Units of this line that can be bought now: all of them, the available ones
    /// when the line asks for more, none when the line has another issue.
    pub purchasable: u32,
    pub issue: Option<LineIssue>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PricedCart {
    pub lines: Vec<PricedLine>,
    /// Units that can be bought now, over all lines.
    pub item_count: u64,
    /// What the purchasable units cost; zero when none can be bought, `None` only when
    /// the cart has no currency (it is empty, or nothing in it is on sale).
    pub subtotal: Option<Money>,
    /// True when every line can be bought as it stands.
    pub checkout_ready: bool,
}

/// The cart's currency: that of its first line still on sale (inactive lines don't count).
pub fn cart_currency(lines: &[CartLine], offers: &HashMap<Sku, LineOffer>) -> Option<Currency> {
    lines
        .iter()
        .filter_map(|l| offers.get(&l.sku))
        .find(|o| o.availability != Availability::Inactive)
        .map(|o| o.variant.price.currency)
}

/// Prices `lines` against the current `offers` (keyed by SKU). Lines whose SKU
/// is gone, inactive, out of stock or in another currency stay in the cart, flagged,
/// and out of the subtotal; a line asking for more than is available is flagged and
/// counts its available units.
pub fn price_cart(
    lines: &[CartLine],
    offers: &HashMap<Sku, LineOffer>,
) -> Result<PricedCart, MoneyError> {
    let cart_currency = cart_currency(lines, offers);
    let mut priced = Vec::with_capacity(lines.len());
    let mut subtotal: Option<Money> = cart_currency.map(Money::zero);
    let mut item_count = 0u64;
    for line in lines {
        let offer = offers.get(&line.sku);
        let issue = match offer {
            None => Some(LineIssue::Unavailable),
            Some(o) if o.availability == Availability::Inactive => Some(LineIssue::Unavailable),
            Some(o) if o.variant.available() == 0 => Some(LineIssue::OutOfStock),
            Some(o) if i64::from(line.quantity) > o.variant.available() => {
                Some(LineIssue::QuantityExceedsStock)
            }
            Some(o) if Some(o.variant.price.currency) != cart_currency => {
                Some(LineIssue::CurrencyChanged)
            }
            Some(_) => None,
        };
        let unit_price = offer.map(|o| o.variant.unit_price());
        let line_total = unit_price
            .map(|p| p.checked_mul(line.quantity))
            .transpose()?;
        let available = offer.map_or(0, |o| o.variant.available());
        let purchasable = match issue {
            None => line.quantity,
            Some(LineIssue::QuantityExceedsStock) => {
                u32::try_from(available.clamp(0, i64::from(line.quantity))).unwrap_or(0)
            }
            Some(_) => 0,
        };
        if let (Some(price), Some(sum), true) = (unit_price, subtotal, purchasable > 0) {
            subtotal = Some(sum.checked_add(price.checked_mul(purchasable)?)?);
            item_count += u64::from(purchasable);
        }
        priced.push(PricedLine {
            sku: line.sku.clone(),
            product_id: line.product_id.clone(),
            product_name: offer.map(|o| o.product_name.clone()),
            quantity: line.quantity,
            unit_price,
            line_total,
            available,
            purchasable,
            issue,
        });
    }
    let checkout_ready = !priced.is_empty() && priced.iter().all(|l| l.issue.is_none());
    Ok(PricedCart {
        lines: priced,
        item_count,
        subtotal,
        checkout_ready,
    })
}

/// The rule for adding to or changing a line: the SKU must be on sale, the new
/// line quantity within what is available, and the cart must stay in one currency.
pub fn check_line_change(
    offer: &LineOffer,
    new_quantity: u32,
    cart_currency: Option<Currency>,
) -> Result<(), ShopError> {
    if offer.availability == Availability::Inactive {
        return Err(ShopError::Conflict(format!(
            "{} is not on sale",
            offer.variant.sku
        )));
    }
    if new_quantity > MAX_LINE_QUANTITY {
        return Err(FieldError::new(
            "quantity",
            &format!("a cart holds at most {MAX_LINE_QUANTITY} of one SKU"),
        )
        .into());
    }
    let available = offer.variant.available();
    if i64::from(new_quantity) > available {
        return Err(ShopError::InsufficientStock {
            sku: offer.variant.sku.to_string(),
            available,
        });
    }
    if let Some(c) = cart_currency {
        if c != offer.variant.price.currency {
            return Err(FieldError::new(
                "sku",
                &format!(
                    "is priced in {}, the cart in {c}",
                    offer.variant.price.currency
                ),
            )
            .into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::Variant;
    use std::collections::BTreeMap;

    fn offer(sku: &str, price: i64, sale: Option<i64>, on_hand: i64, currency: &str) -> LineOffer {
        let c = Currency::parse(currency).unwrap();
        LineOffer {
            product_name: format!("Product {sku}"),
            seller_id: UserId::parse("seller-1").unwrap(),
            availability: if on_hand > 0 {
                Availability::Active
            } else {
                Availability::OutOfStock
            },
            variant: Variant {
                product_id: ProductId::parse("p").unwrap(),
                sku: Sku::parse(sku).unwrap(),
                attributes: BTreeMap::new(),
                price: Money::new(price, c),
                sale_price: sale.map(|s| Money::new(s, c)),
                on_hand,
                reserved: 0,
                version: 1,
                rev: 0,
                low_stock_threshold: None,
                reorder_quantity: None,
                low_stock_since: None,
                low_stock_alerts: 0,
            },
        }
    }

    fn line(sku: &str, quantity: u32) -> CartLine {
        CartLine {
            sku: Sku::parse(sku).unwrap(),
            product_id: ProductId::parse("p").unwrap(),
            quantity,
            added_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    fn offers(list: Vec<LineOffer>) -> HashMap<Sku, LineOffer> {
        list.into_iter()
            .map(|o| (o.variant.sku.clone(), o))
            .collect()
    }

    #[test]
    fn quantity_bounds() {
        assert!(Quantity::parse(0).is_err());
        assert!(Quantity::parse(-3).is_err());
        assert!(Quantity::parse(100).is_err());
        assert_eq!(Quantity::parse(99).unwrap().get(), 99);
        assert!(serde_json::from_str::<Quantity>("-1").is_err());
    }

    #[test]
    fn totals_use_current_sale_prices() {
        let o = offers(vec![
            offer("A", 1000, Some(750), 10, "USD"),
            offer("B", 250, None, 10, "USD"),
        ]);
        let cart = price_cart(&[line("A", 2), line("B", 3)], &o).unwrap();
        assert_eq!(cart.subtotal.unwrap().amount, 2 * 750 + 3 * 250);
        assert_eq!(cart.item_count, 5);
        assert!(cart.checkout_ready);
    }

    #[test]
    fn problem_lines_are_flagged_and_left_out_of_the_subtotal() {
        let o = offers(vec![
            offer("A", 1000, None, 10, "USD"),
            offer("B", 500, None, 1, "USD"),
            offer("C", 100, None, 0, "USD"),
        ]);
        let cart = price_cart(
            &[line("A", 1), line("B", 2), line("C", 1), line("GONE", 1)],
            &o,
        )
        .unwrap();
        let issues: Vec<_> = cart.lines.iter().map(|l| l.issue).collect();
        assert_eq!(
            issues,
            [
                None,
                Some(LineIssue::QuantityExceedsStock),
                Some(LineIssue::OutOfStock),
                Some(LineIssue::Unavailable)
            ]
        );
        // A's 1 unit and the one B unit there is; C and GONE count nothing.
        assert_eq!(cart.subtotal.unwrap().amount, 1000 + 500);
        assert_eq!(cart.item_count, 2);
        let purchasable: Vec<_> = cart.lines.iter().map(|l| l.purchasable).collect();
        assert_eq!(purchasable, [1, 1, 0, 0]);
        assert!(!cart.checkout_ready);
    }

    #[test]
    fn a_cart_whose_only_line_is_over_stock_shows_what_can_be_bought() {
        let o = offers(vec![offer("B", 500, None, 2, "USD")]);
        let cart = price_cart(&[line("B", 5)], &o).unwrap();
        assert_eq!(cart.lines[0].issue, Some(LineIssue::QuantityExceedsStock));
        assert_eq!(cart.subtotal.unwrap().amount, 1000);
        assert_eq!(
            cart.lines[0].line_total.unwrap().amount,
            2500,
            "the line as asked for"
        );
    }

    #[test]
    fn nothing_buyable_is_a_zero_subtotal_in_the_carts_currency() {
        let o = offers(vec![offer("C", 100, None, 0, "USD")]);
        let cart = price_cart(&[line("C", 1)], &o).unwrap();
        assert_eq!(cart.subtotal.unwrap().amount, 0);
        assert_eq!(cart.item_count, 0);
    }

    #[test]
    fn empty_cart_has_no_subtotal_and_is_not_ready() {
        let cart = price_cart(&[], &HashMap::new()).unwrap();
        assert!(cart.subtotal.is_none());
        assert!(!cart.checkout_ready);
    }

    #[test]
    fn a_line_in_another_currency_is_flagged() {
        let o = offers(vec![
            offer("A", 1000, None, 10, "USD"),
            offer("B", 500, None, 10, "EUR"),
        ]);
        let cart = price_cart(&[line("A", 1), line("B", 1)], &o).unwrap();
        assert_eq!(cart.lines[1].issue, Some(LineIssue::CurrencyChanged));
        assert_eq!(cart.subtotal.unwrap().currency.as_str(), "USD");
    }

    #[test]
    fn adding_more_than_available_is_refused_with_the_count() {
        let o = offer("A", 1000, None, 3, "USD");
        assert!(check_line_change(&o, 3, None).is_ok());
        match check_line_change(&o, 4, None) {
            Err(ShopError::InsufficientStock { available, .. }) => assert_eq!(available, 3),
            other => panic!("expected InsufficientStock, got {other:?}"),
        }
    }

    #[test]
    fn adding_inactive_or_foreign_currency_skus_is_refused() {
        let mut o = offer("A", 1000, None, 3, "USD");
        assert!(matches!(
            check_line_change(&o, 1, Currency::parse("EUR").ok()),
            Err(ShopError::Invalid(_))
        ));
        o.availability = Availability::Inactive;
        assert!(matches!(
            check_line_change(&o, 1, None),
            Err(ShopError::Conflict(_))
        ));
    }
}
