//! The mail a seller gets when a variant falls to or below its low-stock threshold.

use super::Rendered;

/// What a low-stock mail says of the variant.
pub(super) struct LowStockFacts<'a> {
    pub product_id: &'a str,
    pub product_name: &'a str,
    pub sku: &'a str,
    pub available: i64,
    pub threshold: i64,
    pub reorder_quantity: Option<i64>,
    pub alert_id: &'a str,
}

pub(super) fn render_low_stock(
    shop_name: &str,
    (to, name): (&str, &str),
    facts: &LowStockFacts<'_>,
) -> Rendered {
    let reorder = match facts.reorder_quantity {
        Some(q) => format!("Your reorder quantity for it is {q} units.\n"),
        None => String::new(),
    };
    Rendered {
        to: to.to_owned(),
        subject: format!(
            "{shop_name}: low stock of {} (SKU {})",
            facts.product_name, facts.sku
        ),
        text: format!(
            "Hello {name},\n\n{} (SKU {}, product {}) is down to {} available unit(s), at or \
             below your threshold of {}.\n{reorder}\n\
             Restock it (PUT /products/{}/variants/{} with a new onHand, or a catalog import) \
             before it sells out. You will not be told again until it has been above the \
             threshold and falls again. (Alert {}.)\n",
            facts.product_name,
            facts.sku,
            facts.product_id,
            facts.available,
            facts.threshold,
            facts.product_id,
            facts.sku,
            facts.alert_id,
        ),
    }
}
