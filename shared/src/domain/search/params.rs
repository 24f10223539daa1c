//! The search parameters a shopper may send, checked once into a [`SearchRequest`].
//! Anything unknown, repeated where it may not be, or out of range is refused
//! (400) rather than ignored, so a typo in a filter never silently widens results.

use std::collections::BTreeMap;

use crate::domain::error::ShopError;
use crate::domain::ids::CategoryId;
use crate::domain::money::MAX_PRICE_MINOR;

use super::cursor::Cursor;

pub const MAX_QUERY_CHARS: usize = 200;
/// Each word of a query becomes fuzzy term expansions; a cap on words keeps a query
/// within the node's clause limit and its cost bounded (a pasted title fits).
pub const MAX_QUERY_WORDS: usize = 16;
pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 50;
const MAX_BRANDS: usize = 20;
const MAX_ATTRIBUTE_FILTERS: usize = 10;
const MAX_FILTER_CHARS: usize = 64;
const ATTRIBUTE_PARAM: &str = "attr.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Relevance,
    PriceAsc,
    PriceDesc,
    Rating,
    Newest,
}

impl SortOrder {
    pub const ALL: [SortOrder; 5] = [
        SortOrder::Relevance,
        SortOrder::PriceAsc,
        SortOrder::PriceDesc,
        SortOrder::Rating,
        SortOrder::Newest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Relevance => "relevance",
            SortOrder::PriceAsc => "price_asc",
            SortOrder::PriceDesc => "price_desc",
            SortOrder::Rating => "rating",
            SortOrder::Newest => "newest",
        }
    }

    fn parse(raw: &str) -> Result<Self, ShopError> {
        SortOrder::ALL
            .into_iter()
            .find(|s| s.as_str() == raw)
            .ok_or_else(|| {
                ShopError::Malformed(
                    "sort must be one of relevance, price_asc, price_desc, rating, newest".into(),
                )
            })
    }
}

/// Which products by stock: sold-out products stay indexed, hidden unless asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockFilter {
    InStock,
    SoldOut,
    Either,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// Searched as text, whatever it contains; `None` browses.
    pub text: Option<String>,
    pub category: Option<CategoryId>,
    /// Lower-cased: brands match regardless of case.
    pub brands: Vec<String>,
    pub min_price: Option<i64>,
    pub max_price: Option<i64>,
    /// Hundredths of a star.
    pub min_rating_x100: Option<u64>,
    /// Lower-cased attribute name -> accepted values (any of them).
    pub attributes: BTreeMap<String, Vec<String>>,
    pub stock: StockFilter,
    pub sort: SortOrder,
    pub limit: u32,
    pub after: Option<Cursor>,
}

fn malformed(message: impl Into<String>) -> ShopError {
    ShopError::Malformed(message.into())
}

/// Free text from a query string: trimmed, no control characters, at most `max` characters.
fn filter_text(name: &str, raw: &str, max: usize) -> Result<String, ShopError> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(malformed(format!("{name} must not be empty")));
    }
    if value.chars().count() > max {
        return Err(malformed(format!(
            "{name} must be at most {max} characters"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(malformed(format!(
            "{name} must not contain control characters"
        )));
    }
    Ok(value.to_owned())
}

fn price(name: &str, raw: &str) -> Result<i64, ShopError> {
    match raw.parse::<i64>() {
        Ok(v) if (0..=MAX_PRICE_MINOR).contains(&v) => Ok(v),
        _ => Err(malformed(format!(
            "{name} must be a whole number of minor units from 0 to {MAX_PRICE_MINOR}"
        ))),
    }
}

/// `4`, `4.5` or `4.25` stars, from 0 to 5, as hundredths.
fn rating(raw: &str) -> Result<u64, ShopError> {
    let bad =
        || malformed("min_rating must be a number of stars from 0 to 5, at most two decimals");
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    if whole.is_empty()
        || whole.len() > 1
        || fraction.len() > 2
        || !whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
        || (raw.contains('.') && fraction.is_empty())
    {
        return Err(bad());
    }
    let hundredths = format!("{fraction:0<2}")
        .parse::<u64>()
        .map_err(|_| bad())?;
    let value = whole.parse::<u64>().map_err(|_| bad())? * 100 + hundredths;
    if value > 500 {
        return Err(bad());
    }
    Ok(value)
}

fn boolean(name: &str, raw: &str) -> Result<bool, ShopError> {
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(malformed(format!("{name} must be true or false"))),
    }
}

fn once<'a>(seen: &mut Vec<&'a str>, name: &'a str) -> Result<(), ShopError> {
    if seen.contains(&name) {
        return Err(malformed(format!("{name} may be given only once")));
    }
    seen.push(name);
    Ok(())
}

impl SearchRequest {
    /// `pairs` are the query string's parameters in order, repeats included.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, ShopError> {
        let mut request = SearchRequest {
            text: None,
            category: None,
            brands: Vec::new(),
            min_price: None,
            max_price: None,
            min_rating_x100: None,
            attributes: BTreeMap::new(),
            stock: StockFilter::InStock,
            sort: SortOrder::Relevance,
            limit: DEFAULT_LIMIT,
            after: None,
        };
        let mut seen = Vec::new();
        let mut in_stock = None;
        let mut include_out_of_stock = false;
        let mut cursor = None;
        let mut attribute_filters = 0;
        for (name, raw) in pairs {
            let name = name.as_str();
            if let Some(attribute) = name.strip_prefix(ATTRIBUTE_PARAM) {
                let attribute = filter_text(name, attribute, 32)?.to_lowercase();
                let value = filter_text(name, raw, MAX_FILTER_CHARS)?;
                attribute_filters += 1;
                if attribute_filters > MAX_ATTRIBUTE_FILTERS {
                    return Err(malformed(format!(
                        "at most {MAX_ATTRIBUTE_FILTERS} attribute filters"
                    )));
                }
                request.attributes.entry(attribute).or_default().push(value);
                continue;
            }
            if name != "brand" {
                once(&mut seen, name)?;
            }
            match name {
                // An empty `q=` is a browse, as a search box submitted empty means.
                "q" if raw.trim().is_empty() => {}
                "q" => {
                    let text = filter_text("q", raw, MAX_QUERY_CHARS)?;
                    if text.split_whitespace().count() > MAX_QUERY_WORDS {
                        return Err(malformed(format!("q must be at most {MAX_QUERY_WORDS} words")));
                    }
                    request.text = Some(text);
                }
                "category" => {
                    request.category = Some(
                        CategoryId::parse(raw).map_err(|e| malformed(format!("category {}", e.message)))?,
                    )
                }
                "brand" => {
                    if request.brands.len() == MAX_BRANDS {
                        return Err(malformed(format!("at most {MAX_BRANDS} brands")));
                    }
                    request
                        .brands
                        .push(filter_text("brand", raw, MAX_FILTER_CHARS)?.to_lowercase());
                }
                "min_price" => request.min_price = Some(price(name, raw)?),
                "max_price" => request.max_price = Some(price(name, raw)?),
                "min_rating" => request.min_rating_x100 = Some(rating(raw)?),
                "in_stock" => in_stock = Some(boolean(name, raw)?),
                "include_out_of_stock" => include_out_of_stock = boolean(name, raw)?,
                "sort" => request.sort = SortOrder::parse(raw)?,
                "limit" => {
                    request.limit = match raw.parse::<u32>() {
                        Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                        _ => {
                            return Err(malformed(format!(
                                "limit must be a whole number from 1 to {MAX_LIMIT}"
                            )))
                        }
                    }
                }
                "cursor" => cursor = Some(raw.as_str()),
                other => {
                    return Err(malformed(format!(
                        "unknown parameter {other:?}; filters are q, category, brand, min_price, \
                         max_price, min_rating, attr.<name>, in_stock, include_out_of_stock, sort, limit, cursor"
                    )))
                }
            }
        }
        if let (Some(min), Some(max)) = (request.min_price, request.max_price) {
            if min > max {
                return Err(malformed("min_price must not exceed max_price"));
            }
        }
        request.stock = match (in_stock, include_out_of_stock) {
            (Some(true), _) => StockFilter::InStock,
            (Some(false), _) => StockFilter::SoldOut,
            (None, true) => StockFilter::Either,
            (None, false) => StockFilter::InStock,
        };
        request.after = cursor
            .map(|c| Cursor::decode(c, request.sort))
            .transpose()?;
        Ok(request)
    }
}

/// `GET /search/suggest`: a prefix and how many suggestions.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestRequest {
    pub prefix: String,
    pub limit: u32,
}

pub const MAX_SUGGEST_CHARS: usize = 100;
pub const DEFAULT_SUGGESTIONS: u32 = 8;
pub const MAX_SUGGESTIONS: u32 = 10;

impl SuggestRequest {
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, ShopError> {
        let mut seen = Vec::new();
        let mut prefix = None;
        let mut limit = DEFAULT_SUGGESTIONS;
        for (name, raw) in pairs {
            once(&mut seen, name)?;
            match name.as_str() {
                "q" => prefix = Some(filter_text("q", raw, MAX_SUGGEST_CHARS)?),
                "limit" => {
                    limit = match raw.parse::<u32>() {
                        Ok(n) if (1..=MAX_SUGGESTIONS).contains(&n) => n,
                        _ => {
                            return Err(malformed(format!(
                                "limit must be a whole number from 1 to {MAX_SUGGESTIONS}"
                            )))
                        }
                    }
                }
                other => {
                    return Err(malformed(format!(
                        "unknown parameter {other:?}; use q and limit"
                    )))
                }
            }
        }
        let prefix = prefix.ok_or_else(|| malformed("q is required: the text typed so far"))?;
        Ok(SuggestRequest { prefix, limit })
    }
}

#[cfg(test)]
mod tests;
