//! One row of an import file: a variant and the product it belongs to, checked by the
//! same rules as `POST /products` (a one-variant [`ProductInput`]). Each problem is
//! reported against the file's column, so the seller can find and fix the cell.

use std::collections::BTreeMap;

use super::report::Rejection;
use crate::domain::catalog::{ProductDraft, ProductInput, ProductStatus, VariantInput};
use crate::domain::error::ShopError;
use crate::domain::ids::Handle;

/// A row's cells, typed but not yet checked against the shop's rules.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowInput {
    pub handle: String,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub category_id: String,
    pub status: Option<ProductStatus>,
    pub sku: String,
    pub price: i64,
    pub sale_price: Option<i64>,
    pub currency: String,
    pub on_hand: i64,
    pub attributes: BTreeMap<String, String>,
}

/// A valid row: its line, its product's handle, and the product with this one variant.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    pub line: u64,
    pub handle: Handle,
    pub draft: ProductDraft,
}

/// The file's column for a field the API's rules name (`variants[0].price` → `price`).
fn column(field: &str) -> String {
    let field = field.strip_prefix("variants[0].").unwrap_or(field);
    match field.strip_prefix("attributes.") {
        Some(name) => format!("attr:{name}"),
        None if field == "attributes" => "attr:".to_owned(),
        None if field == "variants" => "sku".to_owned(),
        None => field.to_owned(),
    }
}

impl RowInput {
    /// Checks the row; every problem is one rejection of `line`.
    pub fn check(self, line: u64) -> Result<ImportRow, Vec<Rejection>> {
        let handle = Handle::parse(&self.handle);
        let product = ProductInput {
            name: self.name,
            description: self.description,
            brand: self.brand,
            category_id: self.category_id,
            status: self.status,
            variants: vec![VariantInput {
                sku: Some(self.sku),
                attributes: self.attributes,
                price: self.price,
                sale_price: self.sale_price,
                currency: self.currency,
                on_hand: self.on_hand,
                // Stock rules are set through the API; an import keeps the variant's.
                low_stock_threshold: None,
                reorder_quantity: None,
            }],
        };
        let mut rejections = Vec::new();
        if let Err(e) = &handle {
            rejections.push(Rejection::new(line, "handle", &e.message));
        }
        let draft = match product.parse() {
            Ok(draft) => Some(draft),
            Err(ShopError::Invalid(errors)) => {
                rejections.extend(
                    errors
                        .iter()
                        .map(|e| Rejection::new(line, &column(&e.field), &e.message)),
                );
                None
            }
            Err(other) => {
                rejections.push(Rejection::new(line, "", &other.to_string()));
                None
            }
        };
        match (handle, draft) {
            (Ok(handle), Some(draft)) if rejections.is_empty() => Ok(ImportRow {
                line,
                handle,
                draft,
            }),
            _ => Err(rejections),
        }
    }
}

/// A whole number of a CSV cell of `column` (prices in minor units, stock in units).
pub(super) fn whole_number(text: &str, column: &str) -> Result<i64, &'static str> {
    text.trim()
        .parse::<i64>()
        .map_err(|_| whole_number_rule(column))
}

/// What a number column holds, said for that column: stock is counted in units, prices
/// in minor units.
pub(super) fn whole_number_rule(column: &str) -> &'static str {
    match column {
        "onHand" => "must be a whole number of units (3, not 2.5)",
        _ => "must be a whole number (prices in minor units: 1999 for 19.99)",
    }
}

pub(super) fn status(text: &str) -> Result<Option<ProductStatus>, &'static str> {
    match text.trim() {
        "" => Ok(None),
        raw => ProductStatus::parse(raw)
            .map(Some)
            .map_err(|_| "must be active or inactive"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn good() -> RowInput {
        RowInput {
            handle: "trail-shoe".into(),
            name: "Trail Shoe".into(),
            brand: "Acme".into(),
            category_id: "shoes".into(),
            sku: "TS-42".into(),
            price: 4999,
            currency: "USD".into(),
            on_hand: 3,
            ..RowInput::default()
        }
    }

    #[test]
    fn a_good_row_is_a_one_variant_product() {
        let row = good().check(7).unwrap();
        assert_eq!(row.line, 7);
        assert_eq!(row.handle.as_str(), "trail-shoe");
        assert_eq!(row.draft.variants.len(), 1);
        assert_eq!(row.draft.status, ProductStatus::Active);
    }

    #[test]
    fn every_problem_names_its_column() {
        let bad = RowInput {
            handle: "no spaces".into(),
            price: -1,
            currency: "usd!".into(),
            on_hand: -2,
            attributes: BTreeMap::from([("size".into(), "".into())]),
            ..good()
        };
        let rejections = bad.check(3).unwrap_err();
        let columns: Vec<_> = rejections.iter().map(|r| r.column.as_str()).collect();
        for expected in ["handle", "currency", "onHand", "attr:size"] {
            assert!(columns.contains(&expected), "{expected} in {columns:?}");
        }
        assert!(rejections.iter().all(|r| r.line == 3));
        let negative = RowInput {
            price: -5,
            ..good()
        }
        .check(4)
        .unwrap_err();
        assert_eq!(negative[0].column, "price");
    }

    #[test]
    fn cells_must_be_whole_numbers_and_known_statuses() {
        assert_eq!(whole_number(" 1999 ", "price"), Ok(1999));
        assert_eq!(
            whole_number("19.99", "price"),
            Err("must be a whole number (prices in minor units: 1999 for 19.99)")
        );
        assert_eq!(
            whole_number("2.5", "onHand"),
            Err("must be a whole number of units (3, not 2.5)"),
            "stock is not spoken of as a price"
        );
        assert!(whole_number("", "salePrice").is_err());
        assert_eq!(status(""), Ok(None));
        assert_eq!(status("inactive"), Ok(Some(ProductStatus::Inactive)));
        assert!(status("draft").is_err());
    }
}
