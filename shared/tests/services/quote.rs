//! Quoting before placing: the order is placed only at the total its customer was shown.

use serde_json::json;
use shop::domain::ids::Sku;
use shop::domain::order::{PendingLimits, QuoteOrderInput};
use shop::services::checkout;
use shop::ShopError;

use crate::orders::{key, request, stock};
use crate::support::*;

/// The total a customer confirms is the total charged: a price raised between the quote
/// and the order refuses the order (naming the new total) and reserves nothing; the new
/// quote's total places it. A quote reserves nothing and shows what stock cannot cover.
#[tokio::test]
async fn an_order_is_placed_only_at_the_total_its_customer_was_quoted() {
    let Bench {
        store,
        shoes,
        seller,
        shopper,
    } = bench().await;
    let a = sku("QUOTE");
    let product = listed(&store, &seller, &shoes, &[(&a, 2_000, "USD", 3)])
        .await
        .id;
    let shown = request(&store, &shopper, Some(&[(&a, 2)])).await;
    // 2 × 2000 + 499 shipping, and 20 % GB tax on both (899.8, rounded half up).
    assert_eq!(shown.expected_total.amount, 5_399);
    assert_eq!(
        stock(&store, &product, &a).await,
        (3, 0),
        "a quote reserves nothing"
    );

    let raise: shop::domain::catalog::VariantInput =
        serde_json::from_value(json!({"price": 2_100, "currency": "USD", "onHand": 3})).unwrap();
    let sku_a = Sku::parse(&a).unwrap();
    shop::services::catalog::put_variant(&store, &seller, &product, raise.parse(&sku_a).unwrap())
        .await
        .unwrap();
    let stale = checkout::place_order(
        &store,
        &Starts::default(),
        &shopper,
        &key(),
        shown,
        PendingLimits::default(),
        &schedule(),
    )
    .await;
    match stale {
        Err(ShopError::TotalChanged { expected, total }) => {
            assert_eq!((expected.amount, total.amount), (5_399, 5_639));
        }
        other => panic!("expected TotalChanged, got {other:?}"),
    }
    assert_eq!(
        stock(&store, &product, &a).await,
        (3, 0),
        "nothing reserved"
    );

    let requoted = request(&store, &shopper, Some(&[(&a, 2)])).await;
    assert_eq!(requoted.expected_total.amount, 5_639);
    let placed = checkout::place_order(
        &store,
        &Starts::default(),
        &shopper,
        &key(),
        requoted,
        PendingLimits::default(),
        &schedule(),
    )
    .await
    .unwrap();
    assert_eq!(placed.body["total"]["amount"], 5_639);
    assert_eq!(stock(&store, &product, &a).await, (3, 2));

    let quote = serde_json::from_value::<QuoteOrderInput>(json!({
        "lines": [{"sku": a, "quantity": 2}],
        "shippingAddress": {"name": "Ada", "line1": "1 Main St", "city": "London",
                            "postalCode": "N1 9GU", "country": "GB"}
    }))
    .unwrap()
    .parse()
    .unwrap();
    let short = checkout::quote_order(&store, &shopper, &quote, &schedule())
        .await
        .unwrap();
    let shortages: Vec<_> = short
        .shortages
        .iter()
        .map(|s| (s.sku.to_string(), s.requested, s.available))
        .collect();
    assert_eq!(shortages, [(a.clone(), 2, 1)]);
    assert_eq!(short.total.amount, 5_639);
}
