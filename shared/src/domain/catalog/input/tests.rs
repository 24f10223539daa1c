use super::*;
use serde_json::json;

fn input(body: serde_json::Value) -> ProductInput {
    serde_json::from_value(body).unwrap()
}

fn valid() -> serde_json::Value {
    json!({
        "name": "  Trail Runner 2 ", "brand": "Acme", "categoryId": "shoes",
        "variants": [
            {"sku": "TR2-42", "attributes": {"size": "42"}, "price": 8999, "salePrice": 7999, "currency": "USD", "onHand": 5},
            {"sku": "TR2-43", "attributes": {"size": "43"}, "price": 8999, "currency": "USD", "onHand": 0}
        ]
    })
}

fn field_errors(body: serde_json::Value) -> Vec<String> {
    match input(body).parse() {
        Err(ShopError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected validation errors, got {other:?}"),
    }
}

#[test]
fn valid_product_parses_trimmed_with_default_status() {
    let draft = input(valid()).parse().unwrap();
    assert_eq!(draft.name, "Trail Runner 2");
    assert_eq!(draft.status, ProductStatus::Active);
    assert_eq!(draft.variants.len(), 2);
    assert_eq!(draft.variants[0].sale_price.unwrap().amount, 7999);
}

#[test]
fn blank_name_is_rejected() {
    let mut b = valid();
    b["name"] = json!("   ");
    assert_eq!(field_errors(b), ["name"]);
}

#[test]
fn negative_price_and_stock_are_rejected() {
    let mut b = valid();
    b["variants"][0]["price"] = json!(-1);
    b["variants"][1]["onHand"] = json!(-5);
    assert_eq!(field_errors(b), ["variants[0].price", "variants[1].onHand"]);
}

#[test]
fn sale_price_above_price_is_rejected() {
    let mut b = valid();
    b["variants"][0]["salePrice"] = json!(9999);
    assert_eq!(field_errors(b), ["variants[0].salePrice"]);
}

#[test]
fn duplicate_skus_and_mixed_currencies_are_rejected() {
    let mut b = valid();
    b["variants"][1]["sku"] = json!("TR2-42");
    b["variants"][1]["currency"] = json!("EUR");
    assert_eq!(field_errors(b), ["variants", "variants"]);
}

#[test]
fn no_variants_is_rejected() {
    let mut b = valid();
    b["variants"] = json!([]);
    assert_eq!(field_errors(b), ["variants"]);
}

#[test]
fn bad_ids_and_currency_are_rejected() {
    let mut b = valid();
    b["categoryId"] = json!("shoes#1");
    b["variants"][0]["sku"] = json!("");
    b["variants"][0]["currency"] = json!("dollars");
    assert_eq!(
        field_errors(b),
        ["categoryId", "variants[0].sku", "variants[0].currency"]
    );
}

#[test]
fn unknown_fields_and_wrong_types_fail_to_deserialise() {
    let mut b = valid();
    b["sellerId"] = json!("someone-else");
    assert!(serde_json::from_value::<ProductInput>(b).is_err());
    let mut b = valid();
    b["variants"][0]["price"] = json!("12.99");
    assert!(serde_json::from_value::<ProductInput>(b).is_err());
}

#[test]
fn variant_body_sku_must_match_path() {
    let body: VariantInput =
        serde_json::from_value(json!({"sku": "B", "price": 1, "currency": "USD", "onHand": 1}))
            .unwrap();
    let path = Sku::parse("A").unwrap();
    assert!(matches!(body.parse(&path), Err(ShopError::Invalid(_))));
    let body: VariantInput =
        serde_json::from_value(json!({"price": 1, "currency": "USD", "onHand": 1})).unwrap();
    assert_eq!(body.parse(&path).unwrap().sku, path);
}

#[test]
fn product_update_checks_fields() {
    let body: ProductUpdateInput = serde_json::from_value(
        json!({"name": "", "brand": "B", "categoryId": "c", "status": "inactive"}),
    )
    .unwrap();
    assert!(matches!(body.parse(), Err(ShopError::Invalid(e)) if e[0].field == "name"));
    let bad_status = serde_json::from_value::<ProductUpdateInput>(
        json!({"name": "n", "brand": "B", "categoryId": "c", "status": "out_of_stock"}),
    );
    assert!(bad_status.is_err(), "out_of_stock is derived, never set");
}
