//! OpenSearch's query DSL: request bodies built from the domain's checked requests. The shopper's text only
//! ever becomes the `query` string of `match`-family queries (analysed as text, never
//! parsed as query syntax); filters are terms and ranges over values the request
//! already validated. Nothing here is a script or `query_string`.

use serde_json::{json, Value};

use crate::domain::search::{
    SearchRequest, SortOrder, StockFilter, SuggestRequest, ATTRIBUTE_SEPARATOR, PRICE_BANDS,
};

/// Edits allowed per word: none up to 3 letters, one up to 6, two from 7 on. Short
/// words have too many near neighbours ("cap" ~ "cat" ~ "car") for a typo to be safe.
const FUZZINESS: &str = "AUTO:4,7";
/// Index terms a misspelt word may stand for (OpenSearch's default is 50): with the
/// word cap, a query's expansions stay far below the node's 1,024-clause limit.
const MAX_EXPANSIONS: u32 = 10;
/// Totals are counted exactly up to here; beyond it the response says "at least".
pub const TRACK_TOTAL_HITS: u64 = 10_000;
const FACET_CATEGORIES: u32 = 50;
const FACET_BRANDS: u32 = 30;
const FACET_ATTRIBUTES: u32 = 100;

/// The `_source` fields a result needs.
pub const RESULT_FIELDS: [&str; 10] = [
    "id",
    "name",
    "brand",
    "categoryId",
    "sellerId",
    "priceFrom",
    "priceTo",
    "currency",
    "inStock",
    "ratingCount",
];

/// How many of the query's words a product must contain: all of up to three words;
/// three in four beyond, so one stray word in a long query does not empty the page.
const WORDS_REQUIRED: &str = "3<75%";

fn text_query(text: &str) -> Value {
    json!({
        "bool": {
            // A match: the words as written, stemmed ("skillets" finds "skillet"), or with
            // typos forgiven on the unstemmed text (a stemmer cuts a misspelt word where
            // it would not cut the right one: "wireles" -> "wirele").
            "must": [{
                "bool": {
                    "should": [
                        { "match": { "searchText": { "query": text, "minimum_should_match": WORDS_REQUIRED } } },
                        { "match": { "searchText.plain": {
                            "query": text,
                            "fuzziness": FUZZINESS,
                            "prefix_length": 1,
                            "max_expansions": MAX_EXPANSIONS,
                            "minimum_should_match": WORDS_REQUIRED
                        } } }
                    ],
                    "minimum_should_match": 1
                }
            }],
            // Scoring: name over brand over description; the words in order above scattered.
            "should": [
                { "match": { "name": { "query": text, "boost": 3.0 } } },
                { "match": { "name.plain": { "query": text, "fuzziness": FUZZINESS, "prefix_length": 1, "max_expansions": MAX_EXPANSIONS, "boost": 2.0 } } },
                { "match": { "brand": { "query": text, "boost": 2.0 } } },
                { "match": { "description": { "query": text, "boost": 1.0 } } },
                { "match_phrase": { "name": { "query": text, "slop": 1, "boost": 4.0 } } },
                { "match_phrase": { "searchText": { "query": text, "slop": 2, "boost": 1.5 } } }
            ]
        }
    })
}

fn filters(request: &SearchRequest) -> Vec<Value> {
    let mut filters = vec![json!({ "term": { "status": "active" } })];
    match request.stock {
        StockFilter::InStock => filters.push(json!({ "term": { "inStock": true } })),
        StockFilter::SoldOut => filters.push(json!({ "term": { "inStock": false } })),
        StockFilter::Either => {}
    }
    if let Some(category) = &request.category {
        filters.push(json!({ "term": { "categoryPath": category.as_str() } }));
    }
    if !request.brands.is_empty() {
        filters.push(json!({ "terms": { "brand.key": request.brands } }));
    }
    if request.min_price.is_some() || request.max_price.is_some() {
        let mut range = serde_json::Map::new();
        if let Some(min) = request.min_price {
            range.insert("gte".into(), json!(min));
        }
        if let Some(max) = request.max_price {
            range.insert("lte".into(), json!(max));
        }
        filters.push(json!({ "range": { "priceFrom": range } }));
    }
    if let Some(rating) = request.min_rating_x100 {
        filters.push(json!({ "range": { "ratingAverageX100": { "gte": rating } } }));
    }
    // Attribute values match in any case, as brands do (`attributes.key` is folded like
    // `brand.key`); facets still show them as the seller wrote them (`attributes`).
    for (name, values) in &request.attributes {
        let terms: Vec<String> = values
            .iter()
            .map(|v| format!("{name}{ATTRIBUTE_SEPARATOR}{}", v.to_lowercase()))
            .collect();
        filters.push(json!({ "terms": { "attributes.key": terms } }));
    }
    filters
}

/// Ties always end on the id, so every hit has a distinct position for `search_after`.
fn sort(order: SortOrder) -> Value {
    match order {
        SortOrder::Relevance => json!([
            { "_score": "desc" },
            { "ratingCount": "desc" },
            { "id": "asc" }
        ]),
        SortOrder::PriceAsc => {
            json!([{ "priceFrom": { "order": "asc", "missing": "_last" } }, { "id": "asc" }])
        }
        SortOrder::PriceDesc => {
            json!([{ "priceFrom": { "order": "desc", "missing": "_last" } }, { "id": "asc" }])
        }
        SortOrder::Rating => json!([
            { "ratingAverageX100": { "order": "desc", "missing": "_last" } },
            { "ratingCount": "desc" },
            { "id": "asc" }
        ]),
        SortOrder::Newest => json!([{ "createdAt": "desc" }, { "id": "asc" }]),
    }
}

fn facets() -> Value {
    let bands: Vec<Value> = PRICE_BANDS
        .iter()
        .map(|(from, to)| match to {
            Some(to) => json!({ "key": format!("{from}-{to}"), "from": from, "to": to }),
            None => json!({ "key": format!("{from}-"), "from": from }),
        })
        .collect();
    json!({
        "categories": { "terms": { "field": "categoryPath", "size": FACET_CATEGORIES } },
        "brands": { "terms": { "field": "brand.raw", "size": FACET_BRANDS } },
        "priceBands": { "range": { "field": "priceFrom", "ranges": bands } },
        "attributes": { "terms": { "field": "attributes", "size": FACET_ATTRIBUTES } }
    })
}

/// The `_search` body of a request. One more hit than the page is asked for: its
/// presence says whether there is a next page.
pub fn search_body(request: &SearchRequest) -> Value {
    let query = match &request.text {
        Some(text) => text_query(text),
        None => json!({ "match_all": {} }),
    };
    let mut body = json!({
        "size": request.limit + 1,
        "track_total_hits": TRACK_TOTAL_HITS,
        "_source": RESULT_FIELDS.iter().chain(["ratingAverageX100"].iter()).collect::<Vec<_>>(),
        "query": { "bool": { "must": [query], "filter": filters(request) } },
        "sort": sort(request.sort),
        "aggs": facets()
    });
    if let Some(after) = &request.after {
        body["search_after"] = Value::Array(after.values.clone());
    }
    body
}

/// Product names and brands starting with the prefix, from the completion fields
/// (in-memory, built at indexing), tolerating one typo in product names once a few
/// letters are typed.
pub fn suggest_body(request: &SuggestRequest) -> Value {
    json!({
        "_source": ["id", "name"],
        "suggest": {
            "names": {
                "prefix": request.prefix,
                "completion": {
                    "field": "suggestName",
                    // Several suffixes of one name may match: ask for more, keep one each.
                    "size": request.limit * 3,
                    "skip_duplicates": true,
                    "fuzzy": { "fuzziness": 1, "min_length": 4, "prefix_length": 2 }
                }
            },
            "brands": {
                "prefix": request.prefix,
                "completion": { "field": "suggestBrand", "size": 3, "skip_duplicates": true }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::search::Cursor;

    fn request(pairs: &[(&str, &str)]) -> SearchRequest {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        SearchRequest::parse(&pairs).unwrap()
    }

    fn strings(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            Value::Object(o) => o.iter().for_each(|(k, x)| {
                out.push(k.clone());
                strings(x, out)
            }),
            _ => {}
        }
    }

    #[test]
    fn the_text_only_ever_becomes_a_match_query_string() {
        let hostile = r#"{"query":{"match_all":{}}} OR script"#;
        let body = search_body(&request(&[("q", hostile)]));
        let text = body.to_string();
        assert!(!text.contains("query_string") && !text.contains("\"script\""));
        // Every place the text appears is the value of a `query` key under match/match_phrase.
        let text = &body["query"]["bool"]["must"][0]["bool"];
        let matching = text["must"][0]["bool"]["should"].as_array().unwrap();
        let scoring = text["should"].as_array().unwrap();
        assert_eq!((matching.len(), scoring.len()), (2, 6));
        for clause in matching.iter().chain(scoring) {
            let (kind, inner) = clause.as_object().unwrap().iter().next().unwrap();
            assert!(kind == "match" || kind == "match_phrase");
            let field = inner.as_object().unwrap().values().next().unwrap();
            assert_eq!(field["query"], hostile);
        }
        let mut all = Vec::new();
        strings(&body, &mut all);
        assert_eq!(all.iter().filter(|s| s.as_str() == hostile).count(), 8);
    }

    #[test]
    fn fuzzy_clauses_bound_their_expansions() {
        let body = search_body(&request(&[("q", "wireles hedphones")])).to_string();
        assert_eq!(body.matches("\"fuzziness\"").count(), 2);
        assert_eq!(body.matches("\"max_expansions\":10").count(), 2);
    }

    #[test]
    fn a_browse_matches_all_and_hides_sold_out_and_inactive_products() {
        let body = search_body(&request(&[]));
        assert_eq!(body["query"]["bool"]["must"][0], json!({ "match_all": {} }));
        let filters = body["query"]["bool"]["filter"].as_array().unwrap();
        assert!(filters.contains(&json!({ "term": { "status": "active" } })));
        assert!(filters.contains(&json!({ "term": { "inStock": true } })));
        assert_eq!(body["size"], 21);
        let all = search_body(&request(&[("include_out_of_stock", "true")]));
        assert!(!all.to_string().contains("inStock\":"));
    }

    #[test]
    fn filters_become_terms_and_ranges() {
        let body = search_body(&request(&[
            ("category", "electronics"),
            ("brand", "Aurora"),
            ("min_price", "100"),
            ("min_rating", "4"),
            ("attr.colour", "black"),
            ("attr.colour", "White"),
        ]));
        let filters = body["query"]["bool"]["filter"].as_array().unwrap();
        for expected in [
            json!({ "term": { "categoryPath": "electronics" } }),
            json!({ "terms": { "brand.key": ["aurora"] } }),
            json!({ "range": { "priceFrom": { "gte": 100 } } }),
            json!({ "range": { "ratingAverageX100": { "gte": 400 } } }),
            json!({ "terms": { "attributes.key": ["colour\u{1f}black", "colour\u{1f}white"] } }),
        ] {
            assert!(filters.contains(&expected), "{expected}");
        }
    }

    #[test]
    fn sorts_end_on_the_id_and_a_cursor_continues_after_its_hit() {
        for order in SortOrder::ALL {
            let sorts = sort(order);
            assert_eq!(
                sorts.as_array().unwrap().last().unwrap(),
                &json!({ "id": "asc" })
            );
        }
        let raw = Cursor::encode(SortOrder::PriceAsc, &[json!(1999), json!("p-9")]).unwrap();
        let body = search_body(&request(&[("sort", "price_asc"), ("cursor", &raw)]));
        assert_eq!(body["search_after"], json!([1999, "p-9"]));
    }

    #[test]
    fn price_bands_cover_every_price_once() {
        assert_eq!(PRICE_BANDS[0].0, 0);
        for pair in PRICE_BANDS.windows(2) {
            assert_eq!(pair[0].1, Some(pair[1].0));
        }
        assert_eq!(PRICE_BANDS.last().unwrap().1, None);
    }

    #[test]
    fn suggestions_read_the_completion_fields() {
        let body = suggest_body(&SuggestRequest {
            prefix: "wire".into(),
            limit: 5,
        });
        assert_eq!(body["suggest"]["names"]["prefix"], "wire");
        assert_eq!(
            body["suggest"]["names"]["completion"]["field"],
            "suggestName"
        );
        assert_eq!(
            body["suggest"]["brands"]["completion"]["field"],
            "suggestBrand"
        );
    }
}
