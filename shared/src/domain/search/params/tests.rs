use super::*;

fn parse(query: &[(&str, &str)]) -> Result<SearchRequest, ShopError> {
    let pairs: Vec<(String, String)> = query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    SearchRequest::parse(&pairs)
}

fn refused(query: &[(&str, &str)]) -> String {
    match parse(query) {
        Err(ShopError::Malformed(m)) => m,
        other => panic!("{query:?} was not refused: {other:?}"),
    }
}

#[test]
fn defaults_browse_in_stock_products_by_relevance() {
    let r = parse(&[]).unwrap();
    assert_eq!(r.text, None);
    assert_eq!(
        (r.sort, r.stock, r.limit),
        (SortOrder::Relevance, StockFilter::InStock, 20)
    );
    assert_eq!(parse(&[("q", "  ")]).unwrap().text, None);
}

#[test]
fn filters_are_read_and_normalised() {
    let r = parse(&[
        ("q", " wireless headphones "),
        ("category", "electronics"),
        ("brand", "Aurora"),
        ("brand", "ACME"),
        ("min_price", "1000"),
        ("max_price", "5000"),
        ("min_rating", "4.5"),
        ("attr.Colour", "black"),
        ("attr.colour", "white"),
        ("attr.size", "M"),
        ("sort", "price_desc"),
        ("limit", "50"),
    ])
    .unwrap();
    assert_eq!(r.text.as_deref(), Some("wireless headphones"));
    assert_eq!(r.category.unwrap().as_str(), "electronics");
    assert_eq!(r.brands, vec!["aurora", "acme"]);
    assert_eq!(
        (r.min_price, r.max_price, r.min_rating_x100),
        (Some(1000), Some(5000), Some(450))
    );
    assert_eq!(r.attributes["colour"], vec!["black", "white"]);
    assert_eq!(r.attributes["size"], vec!["M"]);
    assert_eq!((r.sort, r.limit), (SortOrder::PriceDesc, 50));
}

#[test]
fn stock_filters() {
    let stock = |q: &[(&str, &str)]| parse(q).unwrap().stock;
    assert_eq!(stock(&[("in_stock", "false")]), StockFilter::SoldOut);
    assert_eq!(stock(&[("in_stock", "true")]), StockFilter::InStock);
    assert_eq!(
        stock(&[("include_out_of_stock", "true")]),
        StockFilter::Either
    );
    assert_eq!(
        stock(&[("include_out_of_stock", "false")]),
        StockFilter::InStock
    );
}

#[test]
fn ratings_parse_to_hundredths() {
    for (raw, x100) in [
        ("0", 0),
        ("4", 400),
        ("4.5", 450),
        ("3.25", 325),
        ("5.00", 500),
    ] {
        assert_eq!(rating(raw).unwrap(), x100, "{raw}");
    }
    for raw in [
        "6", "5.01", "-1", "4.", ".5", "4.555", "four", "", "1e1", "04",
    ] {
        assert!(rating(raw).is_err(), "{raw}");
    }
}

#[test]
fn bad_parameters_are_refused_with_a_reason() {
    assert!(refused(&[("sort", "cheapest")]).contains("sort"));
    assert!(refused(&[("min_price", "500"), ("max_price", "100")]).contains("min_price"));
    assert!(refused(&[("limit", "51")]).contains("limit"));
    assert!(refused(&[("limit", "0")]).contains("limit"));
    assert!(refused(&[("min_price", "-1")]).contains("min_price"));
    assert!(refused(&[("min_price", "1.5")]).contains("min_price"));
    assert!(refused(&[("colour", "red")]).contains("unknown parameter"));
    assert!(refused(&[("q", "a"), ("q", "b")]).contains("only once"));
    assert!(refused(&[("in_stock", "maybe")]).contains("in_stock"));
    assert!(refused(&[("q", &"x".repeat(201))]).contains("200"));
    assert!(refused(&[("q", &"ab ".repeat(17))]).contains("16 words"));
    assert!(parse(&[("q", &"ab ".repeat(16))]).is_ok());
    assert!(refused(&[("q", "a\u{0}b")]).contains("control"));
    assert!(refused(&[("category", "a#b")]).contains("category"));
    assert!(refused(&[("attr.", "x")]).contains("attr."));
    assert!(refused(&[("cursor", "not a cursor")]).contains("cursor"));
    let eleven: Vec<(String, String)> = (0..11)
        .map(|i| (format!("attr.a{i}"), "v".to_string()))
        .collect();
    assert!(SearchRequest::parse(&eleven).is_err());
}

#[test]
fn any_text_is_accepted_as_text() {
    for q in [
        r#"{"query":{"match_all":{}}}"#,
        ".*[a-z]+(foo|bar)",
        "\"unbalanced",
        "\\",
        "OR 1=1 --",
        "*",
    ] {
        assert_eq!(parse(&[("q", q)]).unwrap().text.as_deref(), Some(q));
    }
}

#[test]
fn suggest_needs_a_prefix() {
    let pairs = |q: &[(&str, &str)]| -> Vec<(String, String)> {
        q.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let r = SuggestRequest::parse(&pairs(&[("q", "wire"), ("limit", "5")])).unwrap();
    assert_eq!((r.prefix.as_str(), r.limit), ("wire", 5));
    assert!(SuggestRequest::parse(&pairs(&[])).is_err());
    assert!(SuggestRequest::parse(&pairs(&[("q", " ")])).is_err());
    assert!(SuggestRequest::parse(&pairs(&[("q", "a"), ("limit", "11")])).is_err());
    assert!(SuggestRequest::parse(&pairs(&[("q", "a"), ("sort", "x")])).is_err());
}
