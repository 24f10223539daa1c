//! The search document of one product: what the index holds, derived from the
//! product, its variants and the category tree. One document per product.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

use crate::domain::catalog::{Category, Product, ProductStatus, Variant};
use crate::domain::ids::{CategoryId, SellerId};
use crate::domain::money::Currency;

/// Separates an attribute's name from its value in [`SearchDocument::attributes`].
/// Catalog input refuses control characters, so no name or value contains it.
pub const ATTRIBUTE_SEPARATOR: char = '\u{1f}';

/// How deep a category tree may go before a parent chain is taken for a cycle.
const MAX_CATEGORY_DEPTH: usize = 16;

/// Type-ahead entries: what a shopper may type the beginning of.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Completion {
    pub input: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SearchDocument {
    pub id: String,
    pub name: String,
    pub description: String,
    pub brand: String,
    pub seller_id: String,
    pub category_id: String,
    /// The category and its ancestors, root first: a filter on any of them finds the product.
    pub category_path: Vec<String>,
    /// Their names, searched as text ("phone" finds a product in Phones).
    pub category_names: Vec<String>,
    pub status: ProductStatus,
    /// Some variant has a unit to sell now (`onHand - reserved > 0`).
    pub in_stock: bool,
    /// Lowest and highest current unit price in minor units, over the variants in stock
    /// (over all of them when none is).
    pub price_from: Option<i64>,
    pub price_to: Option<i64>,
    pub currency: Option<Currency>,
    /// `name␟value` of every variant's attributes, each once.
    pub attributes: Vec<String>,
    pub rating_count: u64,
    pub rating_average_x100: Option<u64>,
    pub created_at: String,
    pub updated_at: String,
    /// Present only while the product can be bought: sold-out and inactive products
    /// are not suggested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggest_name: Option<Completion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggest_brand: Option<Completion>,
}

/// The order of a product's states, for the index's external versioning: every write
/// of the product item bumps `version` and every write of a variant item bumps its
/// `rev`, so the sum grows with each write and an older state never replaces a newer.
pub fn document_version(product: &Product, variants: &[Variant]) -> u64 {
    variants
        .iter()
        .fold(product.version, |sum, v| sum.saturating_add(v.rev))
}

/// A product's place in the category tree, root first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CategoryPath {
    pub ids: Vec<String>,
    pub names: Vec<String>,
}

/// `leaf` and its ancestors, root first. A category missing from `categories` ends
/// the chain where it is (the product still carries its own id).
pub fn category_path(
    categories: &HashMap<CategoryId, Category>,
    leaf: &CategoryId,
) -> CategoryPath {
    let mut path = CategoryPath::default();
    let mut next = Some(leaf);
    while let Some(id) = next {
        if path.ids.len() >= MAX_CATEGORY_DEPTH || path.ids.iter().any(|p| p == id.as_str()) {
            break;
        }
        path.ids.push(id.to_string());
        let category = categories.get(id);
        path.names.extend(category.map(|c| c.name.clone()));
        next = category.and_then(|c| c.parent_id.as_ref());
    }
    path.ids.reverse();
    path.names.reverse();
    path
}

/// Every word-start suffix of `text`: completion matches from the start of an input,
/// so "Wireless Headphones" must be an input for "head" to find "Aurora Wireless Headphones".
fn word_suffixes(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    (0..words.len()).map(|i| words[i..].join(" ")).collect()
}

impl SearchDocument {
    pub fn build(product: &Product, variants: &[Variant], category: CategoryPath) -> Self {
        let in_stock = variants.iter().any(|v| v.available() > 0);
        let priced: Vec<&Variant> = if in_stock {
            variants.iter().filter(|v| v.available() > 0).collect()
        } else {
            variants.iter().collect()
        };
        let cheapest = priced.iter().min_by_key(|v| v.unit_price().amount);
        let dearest = priced.iter().map(|v| v.unit_price().amount).max();
        let attributes: BTreeSet<String> = variants
            .iter()
            .flat_map(|v| v.attributes.iter())
            .map(|(name, value)| format!("{}{ATTRIBUTE_SEPARATOR}{value}", name.to_lowercase()))
            .collect();
        let buyable = product.status == ProductStatus::Active && in_stock;
        SearchDocument {
            id: product.id.to_string(),
            name: product.name.clone(),
            description: product.description.clone(),
            brand: product.brand.clone(),
            seller_id: SellerId::of(&product.seller_id).as_str().to_owned(),
            category_id: product.category_id.to_string(),
            category_path: category.ids,
            category_names: category.names,
            status: product.status,
            in_stock,
            price_from: cheapest.map(|v| v.unit_price().amount),
            price_to: dearest,
            currency: cheapest.map(|v| v.unit_price().currency),
            attributes: attributes.into_iter().collect(),
            rating_count: product.rating.count,
            rating_average_x100: product.rating.average_x100(),
            created_at: product.created_at.clone(),
            updated_at: product.updated_at.clone(),
            suggest_name: buyable.then(|| Completion {
                input: word_suffixes(&product.name),
            }),
            suggest_brand: buyable.then(|| Completion {
                input: vec![product.brand.clone()],
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::RatingSummary;
    use crate::domain::ids::{ProductId, Sku, UserId};
    use crate::domain::money::Money;
    use std::collections::BTreeMap;

    fn product(status: ProductStatus) -> Product {
        Product {
            id: ProductId::parse("p1").unwrap(),
            seller_id: UserId::parse("seller-1").unwrap(),
            name: "Aurora Wireless  Headphones".into(),
            description: "Over-ear".into(),
            brand: "Aurora".into(),
            category_id: CategoryId::parse("headphones").unwrap(),
            status,
            rating: RatingSummary {
                count: 2,
                total_stars: 9,
                ..Default::default()
            },
            created_at: "2026-11-27T10:00:00.000000Z".into(),
            updated_at: "2026-11-27T10:00:00.000000Z".into(),
            price_from: None,
            version: 3,
            hold: None,
        }
    }

    fn variant(
        sku: &str,
        price: i64,
        on_hand: i64,
        reserved: i64,
        colour: &str,
        rev: u64,
    ) -> Variant {
        let usd = Currency::parse("USD").unwrap();
        Variant {
            product_id: ProductId::parse("p1").unwrap(),
            sku: Sku::parse(sku).unwrap(),
            attributes: BTreeMap::from([("Colour".to_owned(), colour.to_owned())]),
            price: Money::new(price, usd),
            sale_price: None,
            on_hand,
            reserved,
            version: 1,
            rev,
            low_stock_threshold: None,
            reorder_quantity: None,
            low_stock_since: None,
            low_stock_alerts: 0,
        }
    }

    #[test]
    fn prices_come_from_the_variants_in_stock() {
        let vs = [
            variant("A", 500, 3, 3, "black", 0),
            variant("B", 900, 2, 0, "white", 0),
            variant("C", 1200, 1, 0, "black", 0),
        ];
        let doc = SearchDocument::build(
            &product(ProductStatus::Active),
            &vs,
            CategoryPath::default(),
        );
        assert!(doc.in_stock);
        assert_eq!((doc.price_from, doc.price_to), (Some(900), Some(1200)));
        assert_eq!(doc.currency.unwrap().as_str(), "USD");
        assert_eq!(
            doc.attributes,
            vec!["colour\u{1f}black", "colour\u{1f}white"]
        );
        assert_eq!(doc.rating_average_x100, Some(450));
    }

    #[test]
    fn a_sold_out_product_keeps_its_prices_but_is_not_suggested() {
        let vs = [
            variant("A", 500, 3, 3, "black", 0),
            variant("B", 900, 0, 0, "white", 0),
        ];
        let doc = SearchDocument::build(
            &product(ProductStatus::Active),
            &vs,
            CategoryPath::default(),
        );
        assert!(!doc.in_stock);
        assert_eq!((doc.price_from, doc.price_to), (Some(500), Some(900)));
        assert_eq!((doc.suggest_name, doc.suggest_brand), (None, None));
        let inactive = SearchDocument::build(
            &product(ProductStatus::Inactive),
            &[variant("A", 500, 3, 0, "black", 0)],
            CategoryPath::default(),
        );
        assert!(inactive.in_stock && inactive.suggest_name.is_none());
    }

    #[test]
    fn names_are_suggested_from_every_word() {
        let doc = SearchDocument::build(
            &product(ProductStatus::Active),
            &[variant("A", 500, 3, 0, "black", 0)],
            CategoryPath::default(),
        );
        assert_eq!(
            doc.suggest_name.unwrap().input,
            vec![
                "Aurora Wireless Headphones",
                "Wireless Headphones",
                "Headphones"
            ]
        );
        assert_eq!(doc.suggest_brand.unwrap().input, vec!["Aurora"]);
    }

    #[test]
    fn every_write_raises_the_document_version() {
        let p = product(ProductStatus::Active);
        let before = [
            variant("A", 500, 3, 0, "black", 4),
            variant("B", 900, 2, 0, "white", 1),
        ];
        assert_eq!(document_version(&p, &before), 3 + 4 + 1);
        // A reservation writes one variant: its rev grows, nothing else does.
        let after = [
            variant("A", 500, 3, 1, "black", 5),
            variant("B", 900, 2, 0, "white", 1),
        ];
        assert!(document_version(&p, &after) > document_version(&p, &before));
    }

    #[test]
    fn the_category_path_runs_from_the_root_and_survives_cycles() {
        let cat = |id: &str, parent: Option<&str>| {
            (
                CategoryId::parse(id).unwrap(),
                Category {
                    id: CategoryId::parse(id).unwrap(),
                    name: id.into(),
                    parent_id: parent.map(|p| CategoryId::parse(p).unwrap()),
                },
            )
        };
        let tree = HashMap::from([
            cat("electronics", None),
            cat("audio", Some("electronics")),
            cat("headphones", Some("audio")),
            cat("loop-a", Some("loop-b")),
            cat("loop-b", Some("loop-a")),
        ]);
        let id = |s: &str| CategoryId::parse(s).unwrap();
        let path = category_path(&tree, &id("headphones"));
        assert_eq!(path.ids, vec!["electronics", "audio", "headphones"]);
        assert_eq!(
            path.names, path.ids,
            "the test tree names each category by its id"
        );
        let unknown = category_path(&tree, &id("unknown"));
        assert_eq!(
            (unknown.ids, unknown.names),
            (vec!["unknown".to_owned()], vec![])
        );
        assert_eq!(
            category_path(&tree, &id("loop-a")).ids,
            vec!["loop-b", "loop-a"]
        );
    }
}
