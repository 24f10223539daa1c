//! Cancelling shipments: only before hand-over, once, flagged for refund; the order's
//! status following, also when two shipments of one order are cancelled at once.

use shop::domain::fulfilment::ShipmentStatus;
use shop::domain::ids::{SellerId, ShipmentId};
use shop::domain::order::OrderStatus;
use shop::services::fulfilment;
use shop::store::{keys, Store};
use shop::ShopError;

use super::{parcels, raw_item, set_pickup, two_sellers};

#[tokio::test]
async fn a_cancelled_shipment_is_flagged_for_refund_and_ends_there() {
    let t = two_sellers().await;
    let id = t.shipment_of(&t.b);
    let reason = "the last unit was damaged".to_owned();
    assert!(matches!(
        fulfilment::cancel(&t.store, &t.a, &id, reason.clone()).await,
        Err(ShopError::NotFound(_))
    ));
    let cancelled = fulfilment::cancel(&t.store, &t.b, &id, reason.clone())
        .await
        .unwrap();
    assert_eq!(cancelled.status, ShipmentStatus::Cancelled);
    assert!(cancelled.refund_due);
    assert_eq!(cancelled.cancel_reason.as_deref(), Some(reason.as_str()));
    let last = cancelled.history.last().unwrap();
    assert_eq!(
        (last.from, last.to, last.by.clone()),
        (
            Some(ShipmentStatus::AwaitingFulfilment),
            ShipmentStatus::Cancelled,
            format!("seller:{}", SellerId::of(&t.b.user_id))
        )
    );
    // Again: nothing changes.
    let again = fulfilment::cancel(&t.store, &t.b, &id, "other".into())
        .await
        .unwrap();
    assert_eq!(
        (again.history.len(), again.cancel_reason),
        (2, Some(reason))
    );
    // Nothing leaves `cancelled`.
    set_pickup(&t.store, &t.b).await;
    assert!(matches!(
        fulfilment::ready(&t.store, &t.b, &id, parcels(500)).await,
        Err(ShopError::Conflict(_))
    ));
    let item = raw_item(&t.store, &id).await;
    assert_eq!(item["GSI1PK"].as_s().unwrap(), keys::REFUNDS_DUE_PK);
    // A's shipment still awaits: the order stays confirmed (counted once per move).
    let order = t.store.get_order(&t.order).await.unwrap().unwrap();
    assert_eq!(
        (order.status, order.fulfilment_rev),
        (OrderStatus::Confirmed, 1)
    );
}

/// What the carrier hand-off leaves: B's shipment with the carrier and the order
/// `partially_shipped` (written directly: the hand-off is not what this test is about).
async fn hand_over(store: &Store, id: &ShipmentId) {
    use aws_sdk_dynamodb::types::AttributeValue::{N, S};
    for (key, expression, status) in [
        (
            keys::shipment_sk(id.seller()),
            "SET #s = :to ADD rev :one",
            "handed_over",
        ),
        (
            keys::ORDER_SK.to_owned(),
            "SET #s = :to ADD fulfilmentRev :one",
            "partially_shipped",
        ),
    ] {
        store
            .client()
            .update_item()
            .table_name(store.table())
            .set_key(Some(shop::store::key(keys::order_pk(id.order()), key)))
            .update_expression(expression)
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":one", N("1".into()))
            .expression_attribute_values(":to", S(status.into()))
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn cancelling_the_last_unshipped_shipment_ships_the_order() {
    let t = two_sellers().await;
    hand_over(&t.store, &t.shipment_of(&t.b)).await;
    assert!(matches!(
        fulfilment::cancel(&t.store, &t.b, &t.shipment_of(&t.b), "too late".into()).await,
        Err(ShopError::Conflict(_))
    ));
    fulfilment::cancel(
        &t.store,
        &t.a,
        &t.shipment_of(&t.a),
        "cannot source it".into(),
    )
    .await
    .unwrap();
    let order = t.store.get_order(&t.order).await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Shipped);
    let entry = order.history.last().unwrap();
    assert_eq!(entry.status, OrderStatus::Shipped);
    assert_eq!(entry.by, format!("seller:{}", SellerId::of(&t.a.user_id)));
    assert_eq!(order.fulfilment_rev, 2);
}

#[tokio::test]
async fn two_shipments_cancelled_at_once_both_count() {
    for _ in 0..3 {
        let t = two_sellers().await;
        let (a, b) = (t.shipment_of(&t.a), t.shipment_of(&t.b));
        let (ra, rb) = tokio::join!(
            fulfilment::cancel(&t.store, &t.a, &a, "a".into()),
            fulfilment::cancel(&t.store, &t.b, &b, "b".into()),
        );
        assert_eq!(ra.unwrap().status, ShipmentStatus::Cancelled);
        assert_eq!(rb.unwrap().status, ShipmentStatus::Cancelled);
        let order = t.store.get_order(&t.order).await.unwrap().unwrap();
        // Every shipment cancelled: the order stays confirmed, each move counted once.
        assert_eq!(
            (order.status, order.fulfilment_rev),
            (OrderStatus::Confirmed, 2)
        );
    }
}
