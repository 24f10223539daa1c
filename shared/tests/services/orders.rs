//! Placing orders: one transaction reserves every line or nothing; retries replay;
//! concurrent buyers never reserve more than is on hand.

use serde_json::json;
use shop::domain::auth::{Caller, Role};
use shop::domain::cart::AddItemInput;
use shop::domain::ids::{ProductId, Sku};
use shop::domain::order::{IdempotencyKey, PendingLimits, PlaceOrder, PlaceOrderInput};
use shop::services::{cart, orders};
use shop::store::Store;
use shop::ShopError;

use crate::fake_gateway::FakeGateway;
use crate::support::*;

fn request(lines: Option<&[(&str, u32)]>) -> PlaceOrder {
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
    serde_json::from_value::<PlaceOrderInput>(body)
        .unwrap()
        .parse()
        .unwrap()
}

fn key() -> IdempotencyKey {
    IdempotencyKey::parse(Some(&uuid::Uuid::new_v4().to_string())).unwrap()
}

/// (onHand, reserved) of a variant, read back from the table.
async fn stock(store: &Store, product: &ProductId, sku: &str) -> (i64, i64) {
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
    let placed = orders::place_order(
        &store,
        &shopper,
        &key,
        request(None),
        PendingLimits::default(),
    )
    .await
    .unwrap();
    assert_eq!((placed.status, placed.replayed), (201, false));
    assert_eq!(placed.body["status"], "pending_payment");
    assert_eq!(placed.body["subtotal"]["amount"], 6998);
    assert_eq!(stock(&store, &pa, &a).await, (5, 2));
    assert_eq!(stock(&store, &pb, &b).await, (2, 2));
    assert!(store.cart_lines(&shopper.user_id).await.unwrap().is_empty());

    // The same request again: the first answer, and nothing reserved twice.
    let again = orders::place_order(
        &store,
        &shopper,
        &key,
        request(None),
        PendingLimits::default(),
    )
    .await
    .unwrap();
    assert!(again.replayed);
    assert_eq!(
        (again.status, again.body.to_string()),
        (201, placed.body.to_string())
    );
    assert_eq!(stock(&store, &pa, &a).await, (5, 2));
    // The same key with another request is refused, and changes nothing.
    let other = orders::place_order(
        &store,
        &shopper,
        &key,
        request(Some(&[(&a, 1)])),
        PendingLimits::default(),
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
    let result = orders::place_order(
        &store,
        &shopper,
        &key,
        request(Some(&[(&a, 2), (&b, 1), (&c, 1)])),
        PendingLimits::default(),
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
        .customer_orders(&shopper.user_id, 10, None)
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
                orders::place_order(
                    &store,
                    &buyer,
                    &key(),
                    request(Some(&[(&s, 1)])),
                    PendingLimits::default(),
                )
                .await
            })
        })
        .collect();
    let mut placed = 0;
    for b in buyers {
        match b.await.unwrap() {
            Ok(p) => {
                assert_eq!(p.status, 201);
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
    let result = orders::place_order(
        &store,
        &shopper,
        &key(),
        request(Some(&[(&a, 1), ("NOPE-1", 1)])),
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
    let result = orders::place_order(
        &store,
        &shopper,
        &key(),
        request(Some(&[(&a, 1)])),
        PendingLimits::default(),
    )
    .await;
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
    let first = orders::place_order(
        &store,
        &shopper,
        &key(),
        request(Some(&[(&a, 1)])),
        PendingLimits::default(),
    )
    .await
    .unwrap();
    let second = orders::place_order(
        &store,
        &shopper,
        &key(),
        request(Some(&[(&a, 2)])),
        PendingLimits::default(),
    )
    .await
    .unwrap();
    let page = orders::list_orders(&store, &shopper, 1, None)
        .await
        .unwrap();
    assert_eq!(page.items[0].id, second.order_id);
    let rest = orders::list_orders(&store, &shopper, 1, page.next_cursor.as_deref())
        .await
        .unwrap();
    assert_eq!(rest.items[0].id, first.order_id);

    let stranger = caller(&[Role::Customer]);
    let peek = orders::get_order(&store, &stranger, &first.order_id).await;
    assert!(matches!(peek, Err(ShopError::NotFound(_))), "{peek:?}");
    assert!(orders::list_orders(&store, &stranger, 10, None)
        .await
        .unwrap()
        .items
        .is_empty());
    let admin = caller(&[Role::Admin]);
    assert_eq!(
        orders::get_order(&store, &admin, &first.order_id)
            .await
            .unwrap()
            .id,
        first.order_id
    );
}

/// Ten to twenty concurrent copies of one request (same key, same body) for the last unit:
/// exactly one order, and every copy is answered with it — never "out of stock" to a
/// customer whose order exists — whatever order the transaction's conditions fail in.
#[tokio::test]
async fn concurrent_copies_of_one_request_all_get_the_order_never_a_stock_refusal() {
    let Bench {
        store,
        shoes,
        seller,
        ..
    } = bench().await;
    for round in 0..5 {
        // A customer of its own each round: its order stays pending, within the limits.
        let shopper = caller(&[Role::Customer]);
        let s = sku("LAST");
        let product = listed(&store, &seller, &shoes, &[(&s, 1500, "USD", 1)])
            .await
            .id;
        let key = key();
        let copies: Vec<_> = (0..10 + 2 * round)
            .map(|_| {
                let (store, shopper, key, s) =
                    (store.clone(), shopper.clone(), key.clone(), s.clone());
                tokio::spawn(async move {
                    orders::place_order(
                        &store,
                        &shopper,
                        &key,
                        request(Some(&[(&s, 1)])),
                        PendingLimits::default(),
                    )
                    .await
                })
            })
            .collect();
        let mut answers = Vec::new();
        for copy in copies {
            match copy.await.unwrap() {
                Ok(p) => answers.push((p.status, p.order_id, p.body)),
                Err(other) => panic!("round {round}: a copy of the request got {other:?}"),
            }
        }
        let first = answers[0].clone();
        assert_eq!(first.0, 201, "round {round}");
        assert!(
            answers.iter().all(|a| *a == first),
            "round {round}: copies answered differently: {answers:?}"
        );
        assert_eq!(stock(&store, &product, &s).await, (1, 1), "round {round}");
    }
}

/// One customer holds at most `limits` awaiting payment — also when its requests race —
/// and a settled order gives its room back.
#[tokio::test]
async fn a_customer_holds_at_most_the_pending_limits_and_a_settled_order_frees_room() {
    let Bench {
        store,
        shoes,
        seller,
        shopper,
    } = bench().await;
    let limits = PendingLimits {
        orders: 3,
        units: 5,
    };
    let s = sku("HOLD");
    let product = listed(&store, &seller, &shoes, &[(&s, 1500, "USD", 100)])
        .await
        .id;
    let too_big =
        orders::place_order(&store, &shopper, &key(), request(Some(&[(&s, 6)])), limits).await;
    assert!(
        matches!(&too_big, Err(ShopError::Conflict(m)) if m.contains("split it")),
        "{too_big:?}"
    );

    // Ten different requests at once: exactly three are placed.
    let racing: Vec<_> = (0..10)
        .map(|_| {
            let (store, shopper, s) = (store.clone(), shopper.clone(), s.clone());
            tokio::spawn(async move {
                orders::place_order(&store, &shopper, &key(), request(Some(&[(&s, 1)])), limits)
                    .await
            })
        })
        .collect();
    let mut placed = Vec::new();
    for r in racing {
        match r.await.unwrap() {
            Ok(p) => placed.push(p.order_id),
            Err(ShopError::Conflict(m)) => assert!(m.contains("awaiting payment"), "{m}"),
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(placed.len(), 3);
    assert_eq!(stock(&store, &product, &s).await, (100, 3));
    // Units count too: two more units fit under five only after an order leaves.
    let over_units =
        orders::place_order(&store, &shopper, &key(), request(Some(&[(&s, 3)])), limits).await;
    assert!(
        matches!(over_units, Err(ShopError::Conflict(_))),
        "{over_units:?}"
    );

    shop::services::checkout::cancel(
        &store,
        &FakeGateway::default(),
        &placed[0],
        "States.Timeout",
    )
    .await
    .unwrap();
    // Two orders of one unit each are left: four more units would be six.
    let over =
        orders::place_order(&store, &shopper, &key(), request(Some(&[(&s, 4)])), limits).await;
    assert!(
        matches!(over, Err(ShopError::Conflict(_))),
        "2 + 4 units > 5: {over:?}"
    );
    orders::place_order(&store, &shopper, &key(), request(Some(&[(&s, 3)])), limits)
        .await
        .unwrap();
    // Another customer is not held by this one's orders.
    let other = caller(&[Role::Customer]);
    orders::place_order(&store, &other, &key(), request(Some(&[(&s, 5)])), limits)
        .await
        .unwrap();
}
