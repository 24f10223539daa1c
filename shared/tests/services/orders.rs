//! Placing orders: one transaction reserves every line or nothing; retries replay;
//! concurrent buyers never reserve more than is on hand.

use serde_json::json;
use shop::domain::auth::{Caller, Role};
use shop::domain::cart::AddItemInput;
use shop::domain::ids::{ProductId, Sku};
use shop::domain::order::{
    IdempotencyKey, PendingLimits, PlaceOrder, PlaceOrderInput, QuoteOrderInput,
};
use shop::services::{cart, checkout, orders};
use shop::store::Store;
use shop::ShopError;

use crate::support::*;

/// `POST /orders` of `lines` (`None`: the cart) as a customer's app sends it after
/// showing a quote (see [`quoted_request`]).
pub(crate) async fn request(
    store: &Store,
    who: &Caller,
    lines: Option<&[(&str, u32)]>,
) -> PlaceOrder {
    let mut body = json!({
        "shippingAddress": {"name": "Ada", "line1": "1 Main St", "city": "London",
                            "postalCode": "N1 9GU", "country": "GB"},
        "paymentMethodId": "pm_card_visa"
    });
    if let Some(lines) = lines {
        body["lines"] = lines
            .iter()
            .map(|(s, q)| json!({"sku": s, "quantity": q}))
            .collect();
    }
    quoted_request(store, who, body).await
}

/// An order request (`body` without `expectedTotal`) with the total that
/// `POST /orders/quote` shows for it now, as the customer confirms it. A quote refused
/// (a SKU not on sale) shows no total: the order then carries a zero total, and placement
/// must refuse it for that same reason before it compares totals.
pub(crate) async fn quoted_request(
    store: &Store,
    who: &Caller,
    mut body: serde_json::Value,
) -> PlaceOrder {
    let mut quote_body = body.clone();
    quote_body
        .as_object_mut()
        .unwrap()
        .remove("paymentMethodId");
    let quote = serde_json::from_value::<QuoteOrderInput>(quote_body)
        .unwrap()
        .parse()
        .unwrap();
    body["expectedTotal"] = match checkout::quote_order(store, who, &quote, &schedule()).await {
        Ok(quote) => serde_json::to_value(quote.total).unwrap(),
        Err(_) => json!({"amount": 0, "currency": "USD"}),
    };
    serde_json::from_value::<PlaceOrderInput>(body)
        .unwrap()
        .parse()
        .unwrap()
}

pub(crate) fn key() -> IdempotencyKey {
    IdempotencyKey::parse(Some(&uuid::Uuid::new_v4().to_string())).unwrap()
}

/// `POST /orders` of `lines` as `who`, with a fresh key (its saga's start recorded, not sent).
pub(crate) async fn place(
    store: &Store,
    who: &Caller,
    lines: &[(&str, u32)],
    limits: PendingLimits,
) -> Result<checkout::PlacedOrder, ShopError> {
    let request = request(store, who, Some(lines)).await;
    place_request(store, who, request, limits).await
}

/// `POST /orders` of `request` as `who`, with a fresh key (its saga's start recorded, not sent).
pub(crate) async fn place_request(
    store: &Store,
    who: &Caller,
    request: PlaceOrder,
    limits: PendingLimits,
) -> Result<checkout::PlacedOrder, ShopError> {
    checkout::place_order(
        store,
        &Starts::default(),
        who,
        &key(),
        request,
        limits,
        &schedule(),
    )
    .await
}

/// (onHand, reserved) of a variant, read back from the table.
pub(crate) async fn stock(store: &Store, product: &ProductId, sku: &str) -> (i64, i64) {
    let (_, variants) = store.get_product(product).await.unwrap().unwrap();
    let v = variants
        .iter()
        .find(|v| v.sku == Sku::parse(sku).unwrap())
        .unwrap();
    (v.on_hand, v.reserved)
}

async fn add_to_cart(store: &Store, shopper: &Caller, sku: &str, quantity: i64) {
    let item = AddItemInput {
        sku: sku.to_owned(),
        quantity,
    }
    .parse()
    .unwrap();
    cart::add_item(store, shopper, item).await.unwrap();
}

#[tokio::test]
async fn an_order_from_the_cart_reserves_its_stock_and_empties_the_cart() {
    let Bench {
        store,
        shoes,
        seller,
        shopper,
    } = bench().await;
    let (a, b) = (sku("ORD"), sku("ORD"));
    let pa = listed(&store, &seller, &shoes, &[(&a, 2500, "USD", 5)])
        .await
        .id;
    let pb = listed(&store, &seller, &shoes, &[(&b, 999, "USD", 2)])
        .await
        .id;
    add_to_cart(&store, &shopper, &a, 2).await;
    add_to_cart(&store, &shopper, &b, 2).await;
    let key = key();
    let cart_order = request(&store, &shopper, None).await;
    let placed = checkout::place_order(
        &store,
        &Starts::default(),
        &shopper,
        &key,
        cart_order.clone(),
        PendingLimits::default(),
        &schedule(),
    )
    .await
    .unwrap();
    assert!(!placed.replayed);
    assert_eq!(placed.body["status"], "pending_payment");
    assert_eq!(placed.body["subtotal"]["amount"], 6998);
    assert_eq!(stock(&store, &pa, &a).await, (5, 2));
    assert_eq!(stock(&store, &pb, &b).await, (2, 2));
    assert!(store.cart_lines(&shopper.user_id).await.unwrap().is_empty());

    // The same request again: the first answer, and nothing reserved twice.
    let again = checkout::place_order(
        &store,
        &Starts::default(),
        &shopper,
        &key,
        cart_order,
        PendingLimits::default(),
        &schedule(),
    )
    .await
    .unwrap();
    assert!(again.replayed);
    assert_eq!(
        (&again.order_id, again.body.to_string()),
        (&placed.order_id, placed.body.to_string())
    );
    assert_eq!(stock(&store, &pa, &a).await, (5, 2));
    // The same key with another request is refused, and changes nothing.
    let other = checkout::place_order(
        &store,
        &Starts::default(),
        &shopper,
        &key,
        request(&store, &shopper, Some(&[(&a, 1)])).await,
        PendingLimits::default(),
        &schedule(),
    )
    .await;
    assert!(
        matches!(other, Err(ShopError::IdempotencyKeyReused)),
        "{other:?}"
    );
    assert_eq!(stock(&store, &pa, &a).await, (5, 2));
}

#[tokio::test]
async fn a_short_line_writes_nothing_and_every_short_sku_is_named() {
    let Bench {
        store,
        shoes,
        seller,
        shopper,
    } = bench().await;
    let (a, b, c) = (sku("SHORT"), sku("SHORT"), sku("SHORT"));
    let pa = listed(&store, &seller, &shoes, &[(&a, 100, "USD", 1)])
        .await
        .id;
    let pb = listed(&store, &seller, &shoes, &[(&b, 100, "USD", 0)])
        .await
        .id;
    let pc = listed(&store, &seller, &shoes, &[(&c, 100, "USD", 9)])
        .await
        .id;
    let key = key();
    let result = checkout::place_order(
        &store,
        &Starts::default(),
        &shopper,
        &key,
        request(&store, &shopper, Some(&[(&a, 2), (&b, 1), (&c, 1)])).await,
        PendingLimits::default(),
        &schedule(),
    )
    .await;
    match result {
        Err(ShopError::StockShort(s)) => {
            let named: Vec<_> = s
                .iter()
                .map(|s| (s.sku.to_string(), s.requested, s.available))
                .collect();
            assert_eq!(named, [(a.clone(), 2, 1), (b.clone(), 1, 0)]);
        }
        other => panic!("expected StockShort, got {other:?}"),
    }
    assert_eq!(stock(&store, &pa, &a).await, (1, 0));
    assert_eq!(stock(&store, &pb, &b).await, (0, 0));
    assert_eq!(stock(&store, &pc, &c).await, (9, 0));
    assert!(store
        .customer_orders(&shopper.user_id, None, 10, None)
        .await
        .unwrap()
        .items
        .is_empty());
    let digest = key.digest();
    assert!(store
        .idempotency_record(&shopper.user_id, &digest)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn concurrent_buyers_never_reserve_more_than_is_on_hand() {
    let Bench {
        store,
        shoes,
        seller,
        ..
    } = bench().await;
    let s = sku("FLASH");
    let product = listed(&store, &seller, &shoes, &[(&s, 1500, "USD", 20)])
        .await
        .id;
    let buyers: Vec<_> = (0..60)
        .map(|_| {
            let (store, s) = (store.clone(), s.clone());
            tokio::spawn(async move {
                let buyer = caller(&[Role::Customer]);
                place(&store, &buyer, &[(&s, 1)], PendingLimits::default()).await
            })
        })
        .collect();
    let mut placed = 0;
    for b in buyers {
        match b.await.unwrap() {
            Ok(p) => {
                assert!(!p.replayed);
                placed += 1;
            }
            Err(ShopError::StockShort(s)) => assert_eq!(s[0].available, 0),
            Err(other) => panic!("a buyer got {other:?}"),
        }
    }
    assert_eq!(placed, 20);
    assert_eq!(stock(&store, &product, &s).await, (20, 20));
}

#[tokio::test]
async fn inactive_and_unknown_skus_are_refused_by_line() {
    let Bench {
        store,
        shoes,
        seller,
        shopper,
    } = bench().await;
    let a = sku("OFF");
    let view = listed(&store, &seller, &shoes, &[(&a, 100, "USD", 3)]).await;
    let update = serde_json::from_value::<shop::domain::catalog::ProductUpdateInput>(
        json!({"name": "Trail Shoe", "brand": "Acme", "categoryId": "shoes", "status": "inactive"}),
    )
    .unwrap()
    .parse()
    .unwrap();
    shop::services::catalog::update_product(&store, &seller, &view.id, update)
        .await
        .unwrap();
    let result = place(
        &store,
        &shopper,
        &[(&a, 1), ("NOPE-1", 1)],
        PendingLimits::default(),
    )
    .await;
    match result {
        Err(ShopError::Invalid(e)) => {
            let fields: Vec<_> = e.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(
                fields,
                ["lines[1].sku"],
                "unknown SKUs are named before any read of offers"
            );
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    let result = place(&store, &shopper, &[(&a, 1)], PendingLimits::default()).await;
    assert!(
        matches!(result, Err(ShopError::Invalid(ref e)) if e[0].field == "lines[0].sku"),
        "{result:?}"
    );
    assert_eq!(stock(&store, &view.id, &a).await, (3, 0));
}

#[tokio::test]
async fn a_customer_reads_only_their_own_orders_newest_first() {
    let Bench {
        store,
        shoes,
        seller,
        shopper,
    } = bench().await;
    let a = sku("MINE");
    listed(&store, &seller, &shoes, &[(&a, 100, "USD", 9)]).await;
    let first = place(&store, &shopper, &[(&a, 1)], PendingLimits::default())
        .await
        .unwrap();
    let second = place(&store, &shopper, &[(&a, 2)], PendingLimits::default())
        .await
        .unwrap();
    let page = orders::list_orders(&store, &shopper, None, 1, None)
        .await
        .unwrap();
    assert_eq!(page.items[0].id, second.order_id);
    let rest = orders::list_orders(&store, &shopper, None, 1, page.next_cursor.as_deref())
        .await
        .unwrap();
    assert_eq!(rest.items[0].id, first.order_id);

    let stranger = caller(&[Role::Customer]);
    let peek = orders::get_order(&store, &stranger, &first.order_id).await;
    assert!(matches!(peek, Err(ShopError::NotFound(_))), "{peek:?}");
    assert!(orders::list_orders(&store, &stranger, None, 10, None)
        .await
        .unwrap()
        .items
        .is_empty());
    let admin = caller(&[Role::Admin]);
    assert_eq!(
        orders::get_order(&store, &admin, &first.order_id)
            .await
            .unwrap()
            .order
            .id,
        first.order_id
    );
}
