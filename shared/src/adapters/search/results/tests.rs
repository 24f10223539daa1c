use super::*;
use crate::domain::search::SortOrder;
use serde_json::json;

fn request(limit: &str, sort: &str) -> SearchRequest {
    let pairs = vec![
        ("limit".to_string(), limit.to_string()),
        ("sort".to_string(), sort.to_string()),
    ];
    SearchRequest::parse(&pairs).unwrap()
}

fn hit(id: &str, price: i64) -> serde_json::Value {
    json!({
        "_id": id, "_score": null,
        "_source": { "id": id, "name": format!("Product {id}"), "brand": "Aurora", "categoryId": "headphones",
                     "sellerId": "s1", "priceFrom": price, "priceTo": price + 100, "currency": "USD",
                     "inStock": true, "ratingCount": 2, "ratingAverageX100": 450 },
        "sort": [price, id]
    })
}

fn response(hits: Vec<serde_json::Value>) -> SearchResponse {
    serde_json::from_value(json!({
        "took": 7,
        "hits": { "total": { "value": 3, "relation": "eq" }, "hits": hits },
        "aggregations": {
            "categories": { "buckets": [ { "key": "electronics", "doc_count": 3 }, { "key": "headphones", "doc_count": 2 } ] },
            "brands": { "buckets": [ { "key": "Aurora", "doc_count": 3 } ] },
            "priceBands": { "buckets": [
                { "key": "0-2500", "from": 0.0, "to": 2500.0, "doc_count": 1 },
                { "key": "2500-5000", "from": 2500.0, "to": 5000.0, "doc_count": 2 },
                { "key": "5000-10000", "doc_count": 0 }, { "key": "10000-20000", "doc_count": 0 },
                { "key": "20000-50000", "doc_count": 0 }, { "key": "50000-", "from": 50000.0, "doc_count": 0 } ] },
            "attributes": { "buckets": [
                { "key": "colour\u{1f}black", "doc_count": 2 }, { "key": "colour\u{1f}white", "doc_count": 1 },
                { "key": "size\u{1f}M", "doc_count": 1 } ] }
        }
    }))
    .unwrap()
}

#[test]
fn a_full_page_carries_a_cursor_after_its_last_hit() {
    let req = request("2", "price_asc");
    let page = page(
        &req,
        response(vec![hit("a", 100), hit("b", 200), hit("c", 300)]),
    );
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[1].price_from.unwrap().amount, 200);
    assert_eq!(page.items[1].price_to.unwrap().amount, 300);
    let cursor = page.next_cursor.expect("a third hit exists");
    assert_eq!(
        Cursor::decode(&cursor, SortOrder::PriceAsc).unwrap().values,
        vec![json!(200), json!("b")]
    );
    assert!(page.total_is_exact);
}

#[test]
fn the_last_page_has_no_cursor() {
    let req = request("3", "price_asc");
    let page = page(&req, response(vec![hit("a", 100), hit("b", 200)]));
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.next_cursor, None);
}

#[test]
fn facets_are_read_per_kind() {
    let page = page(&request("20", "relevance"), response(vec![]));
    let f = page.facets;
    assert_eq!(
        f.categories[0],
        CategoryCount {
            id: "electronics".into(),
            count: 3
        }
    );
    assert_eq!(
        f.brands,
        vec![ValueCount {
            value: "Aurora".into(),
            count: 3
        }]
    );
    assert_eq!(f.price_bands.len(), 6);
    assert_eq!(
        f.price_bands[1],
        PriceBandCount {
            min: 2500,
            max: Some(5000),
            count: 2
        }
    );
    assert_eq!(
        f.price_bands[5],
        PriceBandCount {
            min: 50000,
            max: None,
            count: 0
        }
    );
    assert_eq!(f.attributes["colour"].len(), 2);
    assert_eq!(
        f.attributes["size"],
        vec![ValueCount {
            value: "M".into(),
            count: 1
        }]
    );
}

#[test]
fn suggestions_list_brands_then_one_entry_per_product() {
    let response: SuggestResponse = serde_json::from_value(json!({
        "took": 1,
        "suggest": {
            "names": [ { "text": "wire", "options": [
                { "text": "Wireless Headphones", "_id": "p1", "_source": { "id": "p1", "name": "Aurora Wireless Headphones" } },
                { "text": "Wireless Headphones Max", "_id": "p1", "_source": { "id": "p1", "name": "Aurora Wireless Headphones" } },
                { "text": "Wired Earbuds", "_id": "p2", "_source": { "id": "p2", "name": "Nimbus Wired Earbuds" } } ] } ],
            "brands": [ { "text": "wire", "options": [ { "text": "Wirecraft", "_id": "p3", "_source": { "id": "p3", "name": "x" } } ] } ]
        }
    }))
    .unwrap();
    let s = suggestions(
        &SuggestRequest {
            prefix: "wire".into(),
            limit: 8,
        },
        response,
    );
    let texts: Vec<(&str, &SuggestionKind)> = s
        .suggestions
        .iter()
        .map(|s| (s.text.as_str(), &s.kind))
        .collect();
    assert_eq!(
        texts,
        vec![
            ("Wirecraft", &SuggestionKind::Brand),
            ("Aurora Wireless Headphones", &SuggestionKind::Product),
            ("Nimbus Wired Earbuds", &SuggestionKind::Product)
        ]
    );
    assert_eq!(s.suggestions[1].product_id.as_deref(), Some("p1"));
}

#[test]
fn suggestions_never_exceed_the_limit() {
    let option = |id: &str| json!({ "text": id, "_id": id, "_source": { "id": id, "name": format!("Name {id}") } });
    let response = |n: usize| -> SuggestResponse {
        serde_json::from_value(json!({
            "suggest": {
                "names": [ { "options": (0..n).map(|i| option(&format!("p{i}"))).collect::<Vec<_>>() } ],
                "brands": [ { "options": [ { "text": "A" }, { "text": "B" }, { "text": "C" }, { "text": "D" } ] } ]
            }
        }))
        .unwrap()
    };
    let request = |limit| SuggestRequest {
        prefix: "x".into(),
        limit,
    };
    let one = suggestions(&request(1), response(5));
    assert_eq!(one.suggestions.len(), 1);
    assert_eq!(one.suggestions[0].kind, SuggestionKind::Brand);
    let eight = suggestions(&request(8), response(9));
    let brands = eight
        .suggestions
        .iter()
        .filter(|s| s.kind == SuggestionKind::Brand)
        .count();
    assert_eq!((eight.suggestions.len(), brands), (8, 3));
}
