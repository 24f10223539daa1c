//! Returns against DynamoDB Local: asked within the window for what was delivered and not
//! yet returned (two requests for the same units: one wins), decided by the return's seller,
//! received with the undamaged units back on sale, refunded exactly and once, the order's
//! status following.
//!
//! The order (`two_sellers`): A 1 × 15.00, B 2 × 25.00 USD to France (20 %): total 7,800,
//! tax shares A 300, B 1,000 (500 a unit).

use serde_json::json;
use shop::domain::auth::Role;

use shop::domain::mail::Mail;
use shop::domain::order::OrderStatus;
use shop::domain::refund::RefundStatus;
use shop::domain::returns::{Decision, ReceiptInput, ReturnId, ReturnRequestInput, ReturnStatus};
use shop::services::returns::{self, ReturnWindow};
use shop::store::{keys, Store};
use shop::ShopError;

use crate::fulfilment::cancel::on_hand;
use crate::fulfilment::fakes::Mails;
use crate::fulfilment::{two_sellers, TwoSellers};
use crate::refunds::{claims, execute_claims};
use crate::support::*;

const WINDOW: ReturnWindow = ReturnWindow { days: 30 };

/// The carrier delivered every shipment of the order `days_ago` days ago (written directly:
/// tracking is not what these tests are about), and the order is `delivered`.
pub(crate) async fn delivered(t: &TwoSellers, days_ago: i64) {
    use aws_sdk_dynamodb::types::AttributeValue::{N, S};
    let at = shop::clock::sortable(shop::clock::now() - time::Duration::days(days_ago));
    for seller in [&t.a, &t.b] {
        let id = t.shipment_of(seller);
        t.store
            .client()
            .update_item()
            .table_name(t.store.table())
            .set_key(Some(shop::store::key(
                keys::order_pk(id.order()),
                keys::shipment_sk(id.seller()),
            )))
            .update_expression("SET #s = :to, deliveredAt = :at ADD rev :one")
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":to", S("delivered".into()))
            .expression_attribute_values(":at", S(at.clone()))
            .expression_attribute_values(":one", N("1".into()))
            .send()
            .await
            .unwrap();
    }
    t.store
        .client()
        .update_item()
        .table_name(t.store.table())
        .set_key(Some(shop::store::key(
            keys::order_pk(&t.order),
            keys::ORDER_SK,
        )))
        .update_expression("SET #s = :to ADD fulfilmentRev :one")
        .expression_attribute_names("#s", "status")
        .expression_attribute_values(":to", S("delivered".into()))
        .expression_attribute_values(":one", N("1".into()))
        .send()
        .await
        .unwrap();
}

fn request(lines: serde_json::Value) -> ReturnRequestInput {
    serde_json::from_value(json!({ "lines": lines })).unwrap()
}

fn receipt(lines: serde_json::Value) -> ReceiptInput {
    serde_json::from_value(json!({ "lines": lines })).unwrap()
}

async fn sku_of(store: &Store, t: &TwoSellers, line: usize) -> String {
    store.get_order(&t.order).await.unwrap().unwrap().lines[line]
        .sku
        .to_string()
}

fn field_errors(err: &ShopError) -> Vec<(String, String)> {
    match err {
        ShopError::Invalid(errors) => errors
            .iter()
            .map(|e| (e.field.clone(), e.message.clone()))
            .collect(),
        other => panic!("expected 422, got {other:?}"),
    }
}

#[tokio::test]
async fn a_return_of_two_with_one_damaged_restocks_one_and_refunds_both_exactly() {
    let t = two_sellers().await;
    crate::fulfilment::profile(&t.store, &t.shopper, "ada@example.com").await;
    crate::fulfilment::profile(&t.store, &t.b, "seller-b@example.com").await;
    delivered(&t, 1).await;
    let mails = Mails::default();
    let b_sku = sku_of(&t.store, &t, 1).await;
    let asked = returns::request(
        &t.store,
        &mails,
        &t.shopper,
        &t.order,
        &request(json!([{"sku": b_sku, "quantity": 2, "reason": "too small"}])),
        WINDOW,
    )
    .await
    .unwrap();
    let [ret]: [_; 1] = asked.try_into().unwrap();
    let id = ReturnId::new(&t.shipment_of(&t.b), 1);
    assert_eq!(
        (ret.id.clone(), ret.status),
        (id.clone(), ReturnStatus::Requested)
    );
    assert!(mails.queued.lock().unwrap().iter().any(|m| matches!(m,
        Mail::SellerReturnRequested { to, .. } if to == "seller-b@example.com")));

    // Only its seller (or an admin) decides; a customer is no seller.
    assert!(matches!(
        returns::decide(&t.store, &mails, &t.a, &id, Decision::Approve, "ok".into()).await,
        Err(ShopError::NotFound(_))
    ));
    assert!(matches!(
        returns::decide(
            &t.store,
            &mails,
            &t.shopper,
            &id,
            Decision::Approve,
            "ok".into()
        )
        .await,
        Err(ShopError::Forbidden(_))
    ));
    let approved = returns::decide(&t.store, &mails, &t.b, &id, Decision::Approve, "ok".into())
        .await
        .unwrap();
    assert_eq!(approved.status, ReturnStatus::Approved);

    let order = t.store.get_order(&t.order).await.unwrap().unwrap();
    let before = on_hand(&t.store, &order, 1).await;
    let received = returns::receive(
        &t.store,
        &mails,
        &t.b,
        &id,
        &receipt(json!([{"sku": b_sku, "receivedQuantity": 2, "damagedQuantity": 1}])),
    )
    .await
    .unwrap();
    assert_eq!(received.status, ReturnStatus::Received);
    assert_eq!(
        on_hand(&t.store, &order, 1).await,
        before + 1,
        "the undamaged unit back on sale"
    );
    let after = t.store.get_order(&t.order).await.unwrap().unwrap();
    assert_eq!(
        after.status,
        OrderStatus::PartiallyReturned,
        "A's unit stays with the customer"
    );
    // Both units came back: their goods and their tax share, no shipping.
    let [claim]: [_; 1] = claims(&t.store, &t.order).await.try_into().unwrap();
    assert_eq!(
        (claim.amount.amount, claim.shipping, claim.return_id.clone()),
        (2 * 2_500 + 1_000, false, Some(id.clone()))
    );
    assert!(mails.queued.lock().unwrap().iter().any(|m| matches!(
        m,
        Mail::ReturnUpdate {
            refunded: Some(6_000),
            ..
        }
    )));
    // The receipt again: nothing more.
    returns::receive(
        &t.store,
        &mails,
        &t.b,
        &id,
        &receipt(json!([{"sku": b_sku, "receivedQuantity": 2, "damagedQuantity": 0}])),
    )
    .await
    .unwrap();
    assert_eq!(claims(&t.store, &t.order).await.len(), 1);
    assert_eq!(on_hand(&t.store, &order, 1).await, before + 1);

    // The refund made: the return is settled with it.
    execute_claims(
        &t.store,
        &crate::fake_gateway::FakeGateway::default(),
        &t.order,
    )
    .await;
    let [made]: [_; 1] = claims(&t.store, &t.order).await.try_into().unwrap();
    assert_eq!(made.status, RefundStatus::Succeeded);
    let listed = returns::list_for_order(&t.store, &t.shopper, &t.order)
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|r| r.status).collect::<Vec<_>>(),
        [ReturnStatus::Refunded]
    );
    let mine = returns::list_for_seller(&t.store, &t.b, Some(ReturnStatus::Refunded), 10, None)
        .await
        .unwrap();
    assert_eq!(
        mine.items.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        [id]
    );
}

#[tokio::test]
async fn the_window_and_what_is_left_bound_a_request() {
    let t = two_sellers().await;
    let mails = Mails::default();
    let b_sku = sku_of(&t.store, &t, 1).await;
    let ask = |quantity: u32| {
        request(json!([{"sku": b_sku, "quantity": quantity, "reason": "wrong colour"}]))
    };
    let err = returns::request(&t.store, &mails, &t.shopper, &t.order, &ask(1), WINDOW)
        .await
        .unwrap_err();
    assert_eq!(field_errors(&err)[0].0, "lines[0].sku", "not delivered yet");
    delivered(&t, 31).await;
    let err = returns::request(&t.store, &mails, &t.shopper, &t.order, &ask(1), WINDOW)
        .await
        .unwrap_err();
    let (field, message) = field_errors(&err).remove(0);
    assert!(
        field == "lines[0].sku" && message.contains("window closed"),
        "{message}"
    );
    let wide = ReturnWindow { days: 60 };
    let err = returns::request(&t.store, &mails, &t.shopper, &t.order, &ask(3), wide)
        .await
        .unwrap_err();
    assert_eq!(
        field_errors(&err),
        [(
            "lines[0].quantity".to_owned(),
            "more than delivered: 2 delivered".to_owned()
        )]
    );
    returns::request(&t.store, &mails, &t.shopper, &t.order, &ask(1), wide)
        .await
        .unwrap();
    let err = returns::request(&t.store, &mails, &t.shopper, &t.order, &ask(2), wide)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ShopError::Conflict(m) if m.contains("1 left")),
        "{err:?}"
    );
    // Someone else's order does not exist for them.
    let stranger = caller(&[Role::Customer]);
    assert!(matches!(
        returns::request(&t.store, &mails, &stranger, &t.order, &ask(1), wide).await,
        Err(ShopError::NotFound(_))
    ));
}

#[tokio::test]
async fn two_requests_for_the_same_units_one_wins_the_other_is_refused() {
    for _ in 0..3 {
        let t = two_sellers().await;
        delivered(&t, 1).await;
        let b_sku = sku_of(&t.store, &t, 1).await;
        let ask = request(json!([{"sku": b_sku, "quantity": 2, "reason": "duplicate"}]));
        let (m1, m2) = (Mails::default(), Mails::default());
        let (r1, r2) = tokio::join!(
            returns::request(&t.store, &m1, &t.shopper, &t.order, &ask, WINDOW),
            returns::request(&t.store, &m2, &t.shopper, &t.order, &ask, WINDOW),
        );
        let outcomes = [r1.is_ok(), r2.is_ok()];
        assert_eq!(
            outcomes.iter().filter(|ok| **ok).count(),
            1,
            "{r1:?} {r2:?}"
        );
        let refused = if r1.is_ok() { r2 } else { r1 };
        assert!(
            matches!(refused, Err(ShopError::Conflict(_))),
            "{refused:?}"
        );
        let shipment = t
            .store
            .get_shipment(&t.shipment_of(&t.b))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(shipment.return_requested.values().sum::<u32>(), 2);
    }
}

mod decisions;
