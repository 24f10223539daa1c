use super::*;
use crate::domain::catalog::{Availability, Variant};
use serde_json::json;
use std::collections::BTreeMap;

fn usd(amount: i64) -> Money {
    Money::new(amount, Currency::parse("USD").unwrap())
}

fn offer(
    sku: &str,
    price: i64,
    on_hand: i64,
    reserved: i64,
    availability: Availability,
) -> (Sku, LineOffer) {
    let sku = Sku::parse(sku).unwrap();
    let variant = Variant {
        product_id: ProductId::parse(&format!("p-{sku}")).unwrap(),
        sku: sku.clone(),
        attributes: BTreeMap::new(),
        price: usd(price),
        sale_price: None,
        on_hand,
        reserved,
        version: 1,
        rev: 0,
        low_stock_threshold: None,
        reorder_quantity: None,
        low_stock_since: None,
        low_stock_alerts: 0,
    };
    let offer = LineOffer {
        product_name: format!("Product {sku}"),
        seller_id: UserId::parse("seller-1").unwrap(),
        availability,
        variant,
    };
    (sku, offer)
}

fn want(sku: &str, quantity: u32) -> WantedLine {
    let sku = Sku::parse(sku).unwrap();
    WantedLine {
        product_id: ProductId::parse(&format!("p-{sku}")).unwrap(),
        sku,
        quantity,
    }
}

fn address(country: &str) -> Address {
    Address {
        name: "Ada".into(),
        line1: "1 Main St".into(),
        line2: None,
        city: "London".into(),
        region: None,
        postal_code: "N1 9GU".into(),
        country: country.into(),
    }
}

/// An expected total for orders refused before totals are compared.
fn never_compared() -> Money {
    usd(0)
}

fn new_order<'a>(customer: &'a UserId, country: &str, expected_total: Money) -> NewOrder<'a> {
    NewOrder {
        id: OrderId::parse("o-1").unwrap(),
        customer_id: customer,
        customer_email: None,
        now: "2026-11-27T10:00:00Z".into(),
        address: address(country),
        payment_method_id: PaymentMethodId::parse("pm_card_visa").unwrap(),
        expected_total,
    }
}

#[test]
fn an_order_freezes_prices_and_totals() {
    let customer = UserId::parse("c-1").unwrap();
    let offers = HashMap::from([
        offer("A", 1_250, 5, 1, Availability::Active),
        offer("B", 999, 2, 0, Availability::Active),
    ]);
    let order = build_order(
        new_order(&customer, "GB", usd(4_798)),
        &[want("A", 2), want("B", 1)],
        &offers,
    )
    .unwrap();
    assert_eq!(order.status, OrderStatus::PendingPayment);
    assert_eq!(order.subtotal, usd(3_499));
    assert_eq!(order.shipping, usd(499));
    assert_eq!(order.tax, usd(800)); // 20 % of 3 998, rounded
    assert_eq!(order.total, usd(4_798));
    assert_eq!(order.lines[0].line_total, usd(2_500));
    assert_eq!(order.history.len(), 1);
    assert_eq!(order.history[0].by, "customer:c-1");
}

#[test]
fn every_short_sku_is_named_with_what_is_available() {
    let customer = UserId::parse("c-1").unwrap();
    let offers = HashMap::from([
        offer("A", 100, 5, 4, Availability::Active),
        offer("B", 100, 2, 2, Availability::OutOfStock),
        offer("C", 100, 9, 0, Availability::Active),
    ]);
    let err = build_order(
        new_order(&customer, "US", never_compared()),
        &[want("A", 2), want("B", 1), want("C", 1)],
        &offers,
    )
    .unwrap_err();
    match err {
        ShopError::StockShort(s) => {
            assert_eq!(
                s,
                vec![
                    Shortage {
                        sku: Sku::parse("A").unwrap(),
                        requested: 2,
                        available: 1
                    },
                    Shortage {
                        sku: Sku::parse("B").unwrap(),
                        requested: 1,
                        available: 0
                    },
                ]
            );
        }
        other => panic!("expected StockShort, got {other:?}"),
    }
}

#[test]
fn unknown_and_inactive_lines_are_invalid_each_named() {
    let customer = UserId::parse("c-1").unwrap();
    let offers = HashMap::from([offer("A", 100, 5, 0, Availability::Inactive)]);
    match build_order(
        new_order(&customer, "US", never_compared()),
        &[want("A", 1), want("GONE", 1)],
        &offers,
    ) {
        Err(ShopError::Invalid(errors)) => {
            let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(fields, ["lines[0].sku", "lines[1].sku"]);
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn empty_and_oversized_orders_are_refused() {
    let customer = UserId::parse("c-1").unwrap();
    let offers = HashMap::new();
    assert!(matches!(
        build_order(new_order(&customer, "US", never_compared()), &[], &offers),
        Err(ShopError::Invalid(_))
    ));
    let many: Vec<_> = (0..=MAX_ORDER_LINES)
        .map(|i| want(&format!("S{i}"), 1))
        .collect();
    match build_order(new_order(&customer, "US", never_compared()), &many, &offers) {
        Err(ShopError::Invalid(e)) => assert!(e[0].message.contains("at most 25"), "{e:?}"),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn a_total_other_than_the_one_shown_is_a_conflict() {
    let customer = UserId::parse("c-1").unwrap();
    let offers = HashMap::from([offer("A", 6_000, 5, 0, Availability::Active)]);
    let ok = build_order(
        new_order(&customer, "US", usd(6_000)),
        &[want("A", 1)],
        &offers,
    );
    assert!(ok.is_ok(), "{ok:?}");
    let stale = build_order(
        new_order(&customer, "US", usd(5_000)),
        &[want("A", 1)],
        &offers,
    );
    match stale {
        Err(ShopError::TotalChanged { expected, total }) => {
            assert_eq!((expected, total), (usd(5_000), usd(6_000)))
        }
        other => panic!("expected TotalChanged, got {other:?}"),
    }
}

#[test]
fn a_quote_prices_as_the_order_does_and_shows_shortages_instead_of_refusing() {
    let customer = UserId::parse("c-1").unwrap();
    let offers = HashMap::from([
        offer("A", 1_250, 5, 1, Availability::Active),
        offer("B", 999, 2, 0, Availability::Active),
    ]);
    let wanted = [want("A", 2), want("B", 1)];
    let quote = price_lines(&wanted, &offers, &address("GB"))
        .unwrap()
        .view();
    assert_eq!(
        (quote.subtotal, quote.shipping, quote.tax, quote.total),
        (usd(3_499), usd(499), usd(800), usd(4_798))
    );
    assert!(quote.shortages.is_empty());
    let order = build_order(new_order(&customer, "GB", quote.total), &wanted, &offers).unwrap();
    assert_eq!(order.total, quote.total);

    let short = price_lines(&[want("A", 5)], &offers, &address("GB")).unwrap();
    assert_eq!(
        short.shortages,
        vec![Shortage {
            sku: Sku::parse("A").unwrap(),
            requested: 5,
            available: 4
        }]
    );
    assert_eq!(short.totals.subtotal, usd(6_250));
    assert!(matches!(
        price_lines(&[], &offers, &address("GB")),
        Err(ShopError::Invalid(_))
    ));
}

#[test]
fn lines_in_another_currency_are_refused() {
    let customer = UserId::parse("c-1").unwrap();
    let (sku, mut eur) = offer("B", 100, 5, 0, Availability::Active);
    eur.variant.price = Money::new(100, Currency::parse("EUR").unwrap());
    let offers = HashMap::from([offer("A", 100, 5, 0, Availability::Active), (sku, eur)]);
    match build_order(
        new_order(&customer, "US", never_compared()),
        &[want("A", 1), want("B", 1)],
        &offers,
    ) {
        Err(ShopError::Invalid(e)) => assert_eq!(e[0].field, "lines[1].sku"),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn input(body: serde_json::Value) -> Result<PlaceOrder, ShopError> {
    serde_json::from_value::<PlaceOrderInput>(body)
        .map_err(|e| ShopError::Malformed(e.to_string()))?
        .parse()
}

fn body() -> serde_json::Value {
    json!({
        "lines": [{"sku": "abc-1", "quantity": 2}],
        "shippingAddress": {"name": " Ada ", "line1": "1 Main St", "city": "London",
                            "postalCode": "n1 9gu", "country": "gb"},
        "paymentMethodId": "pm_card_visa",
        "expectedTotal": {"amount": 2_000, "currency": "GBP"}
    })
}

#[test]
fn a_request_is_normalised() {
    let order = input(body()).unwrap();
    assert_eq!(order.lines, Some(vec![(Sku::parse("ABC-1").unwrap(), 2)]));
    let Destination::Address(address) = &order.destination else {
        panic!("an address was sent")
    };
    assert_eq!(address.country, "GB");
    assert_eq!(address.name, "Ada");
    assert_eq!(address.postal_code, "N1 9GU");
}

#[test]
fn every_bad_field_is_reported() {
    let mut b = body();
    b["lines"] = json!([{"sku": "A", "quantity": 0}, {"sku": "a", "quantity": 1}, {"sku": "A#", "quantity": 1}]);
    b["shippingAddress"]["name"] = json!("");
    b["shippingAddress"]["country"] = json!("ZZZ");
    b["paymentMethodId"] = json!("card_4242");
    match input(b) {
        Err(ShopError::Invalid(errors)) => {
            let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(
                fields,
                [
                    "lines[0].quantity",
                    "lines[2].sku",
                    "shippingAddress.name",
                    "shippingAddress.country",
                    "paymentMethodId"
                ]
            );
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn a_repeated_sku_and_an_empty_list_are_invalid() {
    let mut b = body();
    b["lines"] = json!([{"sku": "a", "quantity": 1}, {"sku": "A", "quantity": 1}]);
    assert!(
        matches!(input(b), Err(ShopError::Invalid(e)) if e[0].message.contains("more than once"))
    );
    let mut b = body();
    b["lines"] = json!([]);
    assert!(matches!(input(b), Err(ShopError::Invalid(e)) if e[0].field == "lines"));
}

#[test]
fn unknown_fields_and_missing_addresses_are_malformed() {
    let mut b = body();
    b["coupon"] = json!("FREE");
    assert!(matches!(input(b), Err(ShopError::Malformed(_))));
    let mut b = body();
    b.as_object_mut().unwrap().remove("shippingAddress");
    assert!(matches!(input(b), Err(ShopError::Malformed(_))));
    let mut b = body();
    b.as_object_mut().unwrap().remove("expectedTotal");
    assert!(matches!(input(b), Err(ShopError::Malformed(m)) if m.contains("expectedTotal")));
}

#[test]
fn a_quote_request_takes_lines_and_an_address_only() {
    let quote = |body: serde_json::Value| {
        serde_json::from_value::<QuoteOrderInput>(body)
            .map_err(|e| ShopError::Malformed(e.to_string()))?
            .parse()
    };
    let mut b = body();
    b.as_object_mut().unwrap().remove("paymentMethodId");
    b.as_object_mut().unwrap().remove("expectedTotal");
    let q = quote(b.clone()).unwrap();
    assert_eq!(q.lines, Some(vec![(Sku::parse("ABC-1").unwrap(), 2)]));
    assert!(matches!(&q.destination, Destination::Address(a) if a.postal_code == "N1 9GU"));
    b["lines"] = json!([{"sku": "A", "quantity": 0}]);
    assert!(matches!(quote(b), Err(ShopError::Invalid(e)) if e[0].field == "lines[0].quantity"));
    assert!(matches!(quote(body()), Err(ShopError::Malformed(_))));
}

#[test]
fn the_fingerprint_ignores_spelling_but_not_content() {
    let a = input(body()).unwrap().fingerprint();
    let mut b = body();
    b["lines"][0]["sku"] = json!("ABC-1");
    b["shippingAddress"]["name"] = json!("Ada");
    assert_eq!(a, input(b).unwrap().fingerprint());
    let mut c = body();
    c["lines"][0]["quantity"] = json!(3);
    assert_ne!(a, input(c).unwrap().fingerprint());
}

#[test]
fn idempotency_keys_are_checked_and_only_digested() {
    assert!(matches!(
        IdempotencyKey::parse(None),
        Err(ShopError::Malformed(_))
    ));
    assert!(IdempotencyKey::parse(Some("")).is_err());
    assert!(IdempotencyKey::parse(Some(&"k".repeat(256))).is_err());
    assert!(IdempotencyKey::parse(Some("tab\there")).is_err());
    let key = IdempotencyKey::parse(Some("8e0f-ORDER#1")).unwrap();
    assert_eq!(key.digest().len(), 64);
    assert!(!key.digest().contains('#'));
}

#[test]
fn an_order_goes_to_an_address_or_a_saved_one_never_both_or_neither() {
    let mut saved = body();
    saved.as_object_mut().unwrap().remove("shippingAddress");
    saved["shippingAddressId"] = json!("0193a8c2-0000-7000-8000-000000000001");
    let order = input(saved.clone()).unwrap();
    assert!(
        matches!(&order.destination, Destination::AddressId(id) if id.as_str().starts_with("0193"))
    );
    // The fingerprint names the saved entry, not what it holds today.
    let json = serde_json::to_value(&order).unwrap();
    assert_eq!(json["addressId"], "0193a8c2-0000-7000-8000-000000000001");
    assert_eq!(
        serde_json::to_value(input(body()).unwrap()).unwrap()["address"]["country"],
        "GB"
    );

    let mut both = body();
    both["shippingAddressId"] = json!("0193a8c2-0000-7000-8000-000000000001");
    assert!(matches!(input(both), Err(ShopError::Malformed(m)) if m.contains("one of the two")));
    saved["shippingAddressId"] = json!("no#pe");
    assert!(
        matches!(input(saved), Err(ShopError::Invalid(e)) if e[0].field == "shippingAddressId")
    );
}
