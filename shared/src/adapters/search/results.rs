//! What OpenSearch answers (only what is read), into the domain's pages and suggestions.

use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};

use super::query::TRACK_TOTAL_HITS;
use crate::domain::error::ShopError;
use crate::domain::money::{Currency, Money};
use crate::domain::search::{
    CategoryCount, Cursor, Facets, PriceBandCount, SearchHit, SearchPage, SearchRequest,
    SuggestRequest, Suggestion, SuggestionKind, Suggestions, ValueCount, ATTRIBUTE_SEPARATOR,
    MAX_BRAND_SUGGESTIONS, PRICE_BANDS,
};

// ---- the index's answer (only what is read) ----

#[derive(Deserialize)]
pub struct SearchResponse {
    #[serde(default)]
    pub took: u64,
    hits: Hits,
    #[serde(default)]
    aggregations: Option<Aggregations>,
}

#[derive(Deserialize)]
struct Hits {
    total: Total,
    hits: Vec<Hit>,
}

#[derive(Deserialize)]
struct Total {
    value: u64,
    relation: String,
}

#[derive(Deserialize)]
struct Hit {
    #[serde(rename = "_source")]
    source: HitSource,
    #[serde(default)]
    sort: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HitSource {
    id: String,
    name: String,
    brand: String,
    category_id: String,
    seller_id: String,
    price_from: Option<i64>,
    price_to: Option<i64>,
    currency: Option<Currency>,
    in_stock: bool,
    #[serde(default)]
    rating_count: u64,
    rating_average_x100: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Aggregations {
    categories: Buckets,
    brands: Buckets,
    price_bands: Buckets,
    attributes: Buckets,
}

#[derive(Deserialize)]
struct Buckets {
    buckets: Vec<Bucket>,
}

#[derive(Deserialize)]
struct Bucket {
    key: serde_json::Value,
    doc_count: u64,
}

fn key_text(key: &serde_json::Value) -> String {
    match key {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn facets(aggs: Option<Aggregations>) -> Facets {
    let Some(aggs) = aggs else {
        return Facets::default();
    };
    let counts = |b: Buckets| -> Vec<ValueCount> {
        b.buckets
            .into_iter()
            .map(|b| ValueCount {
                value: key_text(&b.key),
                count: b.doc_count,
            })
            .collect()
    };
    let mut attributes: BTreeMap<String, Vec<ValueCount>> = BTreeMap::new();
    for bucket in aggs.attributes.buckets {
        if let Some((name, value)) = key_text(&bucket.key).split_once(ATTRIBUTE_SEPARATOR) {
            attributes
                .entry(name.to_owned())
                .or_default()
                .push(ValueCount {
                    value: value.to_owned(),
                    count: bucket.doc_count,
                });
        }
    }
    // Range buckets come back in the order asked, one per band.
    let price_bands = PRICE_BANDS
        .iter()
        .zip(aggs.price_bands.buckets)
        .map(|((min, max), b)| PriceBandCount {
            min: *min,
            max: *max,
            count: b.doc_count,
        })
        .collect();
    Facets {
        categories: aggs
            .categories
            .buckets
            .into_iter()
            .map(|b| CategoryCount {
                id: key_text(&b.key),
                count: b.doc_count,
            })
            .collect(),
        brands: counts(aggs.brands),
        price_bands,
        attributes,
    }
}

/// A page of results from the index's answer.
pub fn page(request: &SearchRequest, response: SearchResponse) -> SearchPage {
    let limit = request.limit as usize;
    let more = response.hits.hits.len() > limit;
    let mut hits = response.hits.hits;
    hits.truncate(limit);
    let next_cursor = if more {
        hits.last()
            .and_then(|h| Cursor::encode(request.sort, &h.sort))
    } else {
        None
    };
    let money = |amount: Option<i64>, currency: Option<Currency>| {
        amount.zip(currency).map(|(a, c)| Money::new(a, c))
    };
    let items = hits
        .into_iter()
        .map(|h| {
            let s = h.source;
            SearchHit {
                price_from: money(s.price_from, s.currency),
                price_to: money(s.price_to, s.currency),
                id: s.id,
                name: s.name,
                brand: s.brand,
                category_id: s.category_id,
                seller_id: s.seller_id,
                in_stock: s.in_stock,
                rating_count: s.rating_count,
                rating_average_x100: s.rating_average_x100,
            }
        })
        .collect();
    SearchPage {
        items,
        total: response.hits.total.value,
        total_is_exact: response.hits.total.relation == "eq"
            && response.hits.total.value < TRACK_TOTAL_HITS,
        next_cursor,
        facets: facets(response.aggregations),
    }
}

#[derive(Deserialize)]
pub struct SuggestResponse {
    #[serde(default)]
    pub took: u64,
    suggest: SuggestSections,
}

#[derive(Deserialize)]
struct SuggestSections {
    names: Vec<SuggestEntry>,
    brands: Vec<SuggestEntry>,
}

#[derive(Deserialize)]
struct SuggestEntry {
    options: Vec<SuggestOption>,
}

#[derive(Deserialize)]
struct SuggestOption {
    text: String,
    #[serde(rename = "_id")]
    id: Option<String>,
    #[serde(rename = "_source")]
    source: Option<SuggestSource>,
}

#[derive(Deserialize)]
struct SuggestSource {
    name: String,
}

/// At most `limit`: brands first (at most [`MAX_BRAND_SUGGESTIONS`]; they narrow a
/// search most), then one entry per product.
pub fn suggestions(request: &SuggestRequest, response: SuggestResponse) -> Suggestions {
    let limit = request.limit as usize;
    let mut suggestions = Vec::new();
    let mut brands = HashSet::new();
    for option in response.suggest.brands.into_iter().flat_map(|e| e.options) {
        if brands.len() < MAX_BRAND_SUGGESTIONS.min(limit)
            && brands.insert(option.text.to_lowercase())
        {
            suggestions.push(Suggestion {
                text: option.text,
                kind: SuggestionKind::Brand,
                product_id: None,
            });
        }
    }
    let mut products = HashSet::new();
    for option in response.suggest.names.into_iter().flat_map(|e| e.options) {
        let (Some(id), Some(source)) = (option.id, option.source) else {
            continue;
        };
        if suggestions.len() < limit && products.insert(id.clone()) {
            suggestions.push(Suggestion {
                text: source.name,
                kind: SuggestionKind::Product,
                product_id: Some(id),
            });
        }
    }
    Suggestions { suggestions }
}

/// An answer the index should never give (a changed mapping, a proxy's error page).
pub fn unreadable(what: &str, err: impl std::fmt::Display) -> ShopError {
    ShopError::internal(format!(
        "the search index answered an unreadable {what}: {err}"
    ))
}

#[cfg(test)]
mod tests;
