//! What a search and a suggestion answer the API with (the index's own answer is read
//! into these by `adapters::search`).

use serde::Serialize;
use std::collections::BTreeMap;

use crate::domain::money::Money;

/// Price bands of the facet, in minor units: `[from, to)`, the last open-ended.
pub const PRICE_BANDS: [(i64, Option<i64>); 6] = [
    (0, Some(2_500)),
    (2_500, Some(5_000)),
    (5_000, Some(10_000)),
    (10_000, Some(20_000)),
    (20_000, Some(50_000)),
    (50_000, None),
];

// ---- the API's answer ----

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub id: String,
    pub name: String,
    pub brand: String,
    pub category_id: String,
    pub seller_id: String,
    pub price_from: Option<Money>,
    pub price_to: Option<Money>,
    pub in_stock: bool,
    pub rating_count: u64,
    pub rating_average_x100: Option<u64>,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct CategoryCount {
    pub id: String,
    pub count: u64,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct ValueCount {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Serialize, PartialEq)]
pub struct PriceBandCount {
    pub min: i64,
    pub max: Option<i64>,
    pub count: u64,
}

#[derive(Debug, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Facets {
    /// By category path: a category counts the results in it and below it.
    pub categories: Vec<CategoryCount>,
    pub brands: Vec<ValueCount>,
    pub price_bands: Vec<PriceBandCount>,
    pub attributes: BTreeMap<String, Vec<ValueCount>>,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SearchPage {
    pub items: Vec<SearchHit>,
    /// Exact up to 10,000; beyond, `totalIsExact` is false and `total` a lower bound.
    pub total: u64,
    pub total_is_exact: bool,
    pub next_cursor: Option<String>,
    pub facets: Facets,
}

impl SearchPage {
    /// Before anything is indexed there is no index: nothing matches.
    pub fn empty() -> SearchPage {
        SearchPage {
            items: Vec::new(),
            total: 0,
            total_is_exact: true,
            next_cursor: None,
            facets: Facets::default(),
        }
    }
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub enum SuggestionKind {
    Brand,
    Product,
}

#[derive(Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    pub text: String,
    pub kind: SuggestionKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_id: Option<String>,
}

pub const MAX_BRAND_SUGGESTIONS: usize = 3;

#[derive(Debug, Serialize, PartialEq)]
pub struct Suggestions {
    pub suggestions: Vec<Suggestion>,
}
