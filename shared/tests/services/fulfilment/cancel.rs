//! Cancelling shipments by their sellers: only before hand-over, once; the lines refunded
//! exactly (claimed in the same transaction), the units back on sale unless lost, the
//! customer told, the order's status following — also when two are cancelled at once.
//!
//! The order (`two_sellers`): A 1 × 15.00, B 2 × 25.00 USD to France (20 %): subtotal
//! 6,500, shipping 0 (free from 5,000), tax 1,300, total 7,800. Tax shares: A 300, B 1,000.

use shop::domain::fulfilment::ShipmentStatus;
use shop::domain::ids::{OrderId, SellerId, ShipmentId, Sku};
use shop::domain::mail::Mail;
use shop::domain::order::{CancelReason, Order, OrderStatus};
use shop::domain::refund::{Refund, RefundCause, RefundId, RefundStatus};
use shop::services::fulfilment;
use shop::store::{keys, Store};
use shop::ShopError;

use super::fakes::Mails;
use super::{parcels, raw_item, set_pickup, two_sellers};
use crate::refunds::claims;

/// `onHand` of the order's `line`-th line's variant.
pub(crate) async fn on_hand(store: &Store, order: &Order, line: usize) -> i64 {
    let l = &order.lines[line];
    let (_, variants) = store.get_product(&l.product_id).await.unwrap().unwrap();
    variants
        .into_iter()
        .find(|v| v.sku == l.sku)
        .unwrap()
        .on_hand
}

async fn order(store: &Store, id: &OrderId) -> Order {
    store.get_order(id).await.unwrap().unwrap()
}

fn ship_refund(order: &OrderId, seller: &ShipmentId) -> RefundId {
    RefundId::of(order, &RefundCause::Shipment(seller.seller().clone()))
}

#[tokio::test]
async fn a_cancelled_shipment_is_refunded_restocked_and_told_once() {
    let t = two_sellers().await;
    super::profile(&t.store, &t.shopper, "ada@example.com").await;
    let mails = Mails::default();
    let id = t.shipment_of(&t.b);
    let reason = "the last unit was damaged".to_owned();
    let before = order(&t.store, &t.order).await;
    assert_eq!(
        (before.total.amount, on_hand(&t.store, &before, 1).await),
        (7_800, 3)
    );
    assert!(matches!(
        fulfilment::cancel(&t.store, &mails, &t.a, &id, reason.clone(), false).await,
        Err(ShopError::NotFound(_))
    ));
    let cancelled = fulfilment::cancel(&t.store, &mails, &t.b, &id, reason.clone(), false)
        .await
        .unwrap();
    assert_eq!(cancelled.status, ShipmentStatus::Cancelled);
    assert!(cancelled.restocked);
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
    // B's 2 units back on sale; its goods and their share of the tax claimed: 5,000 + 1,000.
    let after = order(&t.store, &t.order).await;
    assert_eq!(on_hand(&t.store, &after, 1).await, 5);
    let [claim]: [Refund; 1] = claims(&t.store, &t.order).await.try_into().unwrap();
    assert_eq!(
        (
            claim.id.clone(),
            claim.amount.amount,
            claim.status,
            claim.shipping
        ),
        (
            ship_refund(&t.order, &id),
            6_000,
            RefundStatus::Pending,
            false
        )
    );
    assert_eq!(claim.payment_intent_id, "pi_1");
    assert_eq!(
        (
            after.payment.refund_claimed,
            after.refunded.units.get(&after.lines[1].sku)
        ),
        (6_000, Some(&2))
    );
    // A's shipment still awaits: the order stays confirmed (counted once per move).
    assert_eq!(
        (after.status, after.fulfilment_rev),
        (OrderStatus::Confirmed, 1)
    );
    let queued = mails.queued.lock().unwrap().clone();
    assert!(
        matches!(&queued[..], [Mail::ShipmentCancelled { refunded: 6_000, shipment_id, .. }] if *shipment_id == id.to_string()),
        "{queued:?}"
    );
    // Again: nothing changes, nothing more is claimed or mailed.
    let again = fulfilment::cancel(&t.store, &mails, &t.b, &id, "other".into(), false)
        .await
        .unwrap();
    assert_eq!(
        (again.history.len(), again.cancel_reason),
        (2, Some(reason))
    );
    assert_eq!(claims(&t.store, &t.order).await.len(), 1);
    assert_eq!(mails.queued.lock().unwrap().len(), 1);
    assert_eq!(on_hand(&t.store, &after, 1).await, 5);
    // Nothing leaves `cancelled`, and the carrier's queue never sees it.
    set_pickup(&t.store, &t.b).await;
    assert!(matches!(
        fulfilment::ready(&t.store, &t.b, &id, parcels(500)).await,
        Err(ShopError::Conflict(_))
    ));
    assert!(!raw_item(&t.store, &id).await.contains_key(keys::GSI1PK));
}

#[tokio::test]
async fn lost_units_are_refunded_but_not_restocked() {
    let t = two_sellers().await;
    let id = t.shipment_of(&t.a);
    let cancelled = fulfilment::cancel(
        &t.store,
        &Mails::default(),
        &t.a,
        &id,
        "dropped".into(),
        true,
    )
    .await
    .unwrap();
    assert!(!cancelled.restocked);
    let after = order(&t.store, &t.order).await;
    assert_eq!(
        on_hand(&t.store, &after, 0).await,
        4,
        "sold, and lost: not back on sale"
    );
    let [claim]: [Refund; 1] = claims(&t.store, &t.order).await.try_into().unwrap();
    assert_eq!(claim.amount.amount, 1_500 + 300);
}

/// What the carrier hand-off leaves: B's shipment with the carrier and the order
/// `partially_shipped` (written directly: the hand-off is not what this test is about).
pub(crate) async fn hand_over(store: &Store, id: &ShipmentId) {
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
    let mails = Mails::default();
    hand_over(&t.store, &t.shipment_of(&t.b)).await;
    assert!(matches!(
        fulfilment::cancel(
            &t.store,
            &mails,
            &t.b,
            &t.shipment_of(&t.b),
            "too late".into(),
            false
        )
        .await,
        Err(ShopError::Conflict(_))
    ));
    fulfilment::cancel(
        &t.store,
        &mails,
        &t.a,
        &t.shipment_of(&t.a),
        "cannot source it".into(),
        false,
    )
    .await
    .unwrap();
    let order = order(&t.store, &t.order).await;
    assert_eq!(order.status, OrderStatus::Shipped);
    let entry = order.history.last().unwrap();
    assert_eq!(entry.status, OrderStatus::Shipped);
    assert_eq!(entry.by, format!("seller:{}", SellerId::of(&t.a.user_id)));
    assert_eq!(order.fulfilment_rev, 2);
    // B still ships: A's lines alone come back, no shipping (there was none to pay here).
    let [claim]: [Refund; 1] = claims(&t.store, &t.order).await.try_into().unwrap();
    assert_eq!((claim.amount.amount, claim.shipping), (1_800, false));
}

#[tokio::test]
async fn two_shipments_cancelled_at_once_cancel_the_order_and_refund_it_all() {
    for _ in 0..3 {
        let t = two_sellers().await;
        let mails = Mails::default();
        let (a, b) = (t.shipment_of(&t.a), t.shipment_of(&t.b));
        let (ra, rb) = tokio::join!(
            fulfilment::cancel(&t.store, &mails, &t.a, &a, "a".into(), false),
            fulfilment::cancel(&t.store, &mails, &t.b, &b, "b".into(), false),
        );
        assert_eq!(ra.unwrap().status, ShipmentStatus::Cancelled);
        assert_eq!(rb.unwrap().status, ShipmentStatus::Cancelled);
        let order = order(&t.store, &t.order).await;
        // Nothing goes ahead: the order is cancelled, each move counted once, and the two
        // claims (the second with the shipping) add up to the total exactly.
        assert_eq!(
            (order.status, order.cancel_reason, order.fulfilment_rev),
            (
                OrderStatus::Cancelled,
                Some(CancelReason::SellersCancelled),
                2
            )
        );
        let claims = claims(&t.store, &t.order).await;
        let mut ids: Vec<RefundId> = claims.iter().map(|c| c.id.clone()).collect();
        ids.sort_by(|x, y| x.as_str().cmp(y.as_str()));
        let mut expected = vec![ship_refund(&t.order, &a), ship_refund(&t.order, &b)];
        expected.sort_by(|x, y| x.as_str().cmp(y.as_str()));
        assert_eq!(ids, expected);
        assert_eq!(
            claims.iter().map(|c| c.amount.amount).sum::<i64>(),
            order.total.amount
        );
        assert_eq!(order.payment.refund_claimed, order.total.amount);
        assert!(order.refunded.shipping);
        let skus: Vec<&Sku> = order.lines.iter().map(|l| &l.sku).collect();
        assert_eq!(
            order.refunded.units.keys().collect::<Vec<_>>().len(),
            skus.len()
        );
    }
}
