//! Placement under pressure: copies of one request racing for the last unit (the key
//! wins), and one customer's orders awaiting payment held within their limits.

use shop::domain::auth::Role;
use shop::domain::order::PendingLimits;
use shop::services::checkout;
use shop::ShopError;

use crate::fake_gateway::FakeGateway;
use crate::orders::{key, place, request, stock};
use crate::support::*;

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
        let order = request(&store, &shopper, Some(&[(&s, 1)])).await;
        let copies: Vec<_> = (0..10 + 2 * round)
            .map(|_| {
                let (store, shopper, key, order) =
                    (store.clone(), shopper.clone(), key.clone(), order.clone());
                tokio::spawn(async move {
                    checkout::place_order(
                        &store,
                        &Starts::default(),
                        &shopper,
                        &key,
                        order,
                        PendingLimits::default(),
                        &schedule(),
                    )
                    .await
                })
            })
            .collect();
        let mut answers = Vec::new();
        for copy in copies {
            match copy.await.unwrap() {
                Ok(p) => answers.push((p.replayed, p.order_id, p.body)),
                Err(other) => panic!("round {round}: a copy of the request got {other:?}"),
            }
        }
        let placed: Vec<_> = answers.iter().filter(|(replayed, ..)| !replayed).collect();
        assert_eq!(
            placed.len(),
            1,
            "round {round}: exactly one copy placed the order"
        );
        let (_, id, body) = placed[0];
        assert!(
            answers.iter().all(|(_, i, b)| (i, b) == (id, body)),
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
    let too_big = place(&store, &shopper, &[(&s, 6)], limits).await;
    assert!(
        matches!(&too_big, Err(ShopError::Conflict(m)) if m.contains("split it")),
        "{too_big:?}"
    );

    // Ten different requests at once: exactly three are placed.
    let racing: Vec<_> = (0..10)
        .map(|_| {
            let (store, shopper, s) = (store.clone(), shopper.clone(), s.clone());
            tokio::spawn(async move { place(&store, &shopper, &[(&s, 1)], limits).await })
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
    let over_units = place(&store, &shopper, &[(&s, 3)], limits).await;
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
    let over = place(&store, &shopper, &[(&s, 4)], limits).await;
    assert!(
        matches!(over, Err(ShopError::Conflict(_))),
        "2 + 4 units > 5: {over:?}"
    );
    place(&store, &shopper, &[(&s, 3)], limits).await.unwrap();
    // Another customer is not held by this one's orders.
    let other = caller(&[Role::Customer]);
    place(&store, &other, &[(&s, 5)], limits).await.unwrap();
}
