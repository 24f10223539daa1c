//! What decisions and receipts leave for later requests: a rejection, or units that never
//! came, make units returnable again; a full return returns the order.

use super::*;

#[tokio::test]
async fn a_rejected_return_gives_its_units_back_and_a_full_return_returns_the_order() {
    let t = two_sellers().await;
    delivered(&t, 1).await;
    let mails = Mails::default();
    let (a_sku, b_sku) = (sku_of(&t.store, &t, 0).await, sku_of(&t.store, &t, 1).await);
    let everything = request(json!([
        {"sku": a_sku, "quantity": 1, "reason": "not needed"},
        {"sku": b_sku, "quantity": 2, "reason": "not needed"}
    ]));
    let first = returns::request(&t.store, &mails, &t.shopper, &t.order, &everything, WINDOW)
        .await
        .unwrap();
    assert_eq!(first.len(), 2, "one return per shipment");
    let b1 = ReturnId::new(&t.shipment_of(&t.b), 1);
    let admin = caller(&[Role::Admin]);
    returns::decide(
        &t.store,
        &mails,
        &admin,
        &b1,
        Decision::Reject,
        "worn".into(),
    )
    .await
    .unwrap();
    assert!(matches!(
        returns::decide(
            &t.store,
            &mails,
            &t.b,
            &b1,
            Decision::Approve,
            "changed".into()
        )
        .await,
        Err(ShopError::Conflict(_))
    ));
    // B's units may be asked back again: a second return of that shipment.
    let again = request(json!([{"sku": b_sku, "quantity": 2, "reason": "not needed"}]));
    let [second]: [_; 1] = returns::request(&t.store, &mails, &t.shopper, &t.order, &again, WINDOW)
        .await
        .unwrap()
        .try_into()
        .unwrap();
    assert_eq!(second.id, ReturnId::new(&t.shipment_of(&t.b), 2));
    let a1 = ReturnId::new(&t.shipment_of(&t.a), 1);
    for (seller, id, sku, q) in [(&t.a, &a1, &a_sku, 1), (&t.b, &second.id, &b_sku, 2)] {
        returns::decide(&t.store, &mails, seller, id, Decision::Approve, "ok".into())
            .await
            .unwrap();
        returns::receive(
            &t.store,
            &mails,
            seller,
            id,
            &receipt(json!([{"sku": sku, "receivedQuantity": q, "damagedQuantity": 0}])),
        )
        .await
        .unwrap();
    }
    let order = t.store.get_order(&t.order).await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Returned);
    let shipment = t
        .store
        .get_shipment(&t.shipment_of(&t.b))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            shipment.return_requested.values().sum::<u32>(),
            shipment.returned.values().sum::<u32>()
        ),
        (2, 2)
    );
    // Everything but the shipping (0 here) came back: the claims add up to the total.
    let claimed: i64 = claims(&t.store, &t.order)
        .await
        .iter()
        .map(|c| c.amount.amount)
        .sum();
    assert_eq!(
        (claimed, order.payment.refund_claimed),
        (order.total.amount, order.total.amount)
    );
}

#[tokio::test]
async fn units_asked_back_that_never_came_may_be_asked_for_again() {
    let t = two_sellers().await;
    delivered(&t, 1).await;
    let mails = Mails::default();
    let b_sku = sku_of(&t.store, &t, 1).await;
    let ask =
        |quantity: u32| request(json!([{"sku": b_sku, "quantity": quantity, "reason": "both"}]));
    returns::request(&t.store, &mails, &t.shopper, &t.order, &ask(2), WINDOW)
        .await
        .unwrap();
    let id = ReturnId::new(&t.shipment_of(&t.b), 1);
    returns::decide(&t.store, &mails, &t.b, &id, Decision::Approve, "ok".into())
        .await
        .unwrap();
    returns::receive(
        &t.store,
        &mails,
        &t.b,
        &id,
        &receipt(json!([{"sku": b_sku, "receivedQuantity": 1, "damagedQuantity": 0}])),
    )
    .await
    .unwrap();
    let shipment = t
        .store
        .get_shipment(&t.shipment_of(&t.b))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            shipment.return_requested.values().sum::<u32>(),
            shipment.returned.values().sum::<u32>()
        ),
        (1, 1),
        "the unit that never came is freed"
    );
    returns::request(&t.store, &mails, &t.shopper, &t.order, &ask(1), WINDOW)
        .await
        .unwrap();
    let [claim]: [_; 1] = claims(&t.store, &t.order).await.try_into().unwrap();
    assert_eq!(
        claim.amount.amount,
        2_500 + 500,
        "one unit received, one refunded"
    );
}
