//! Fulfilment against DynamoDB Local: a confirmed order split into one shipment per
//! seller, in the confirming transaction, with a new-order mail per seller; a seller
//! packing only its own shipments (cancelling them: [`cancel`]).

use serde_json::json;
use shop::domain::auth::{Caller, Role};
use shop::domain::fulfilment::{ReadyInput, ShipmentStatus};
use shop::domain::ids::{OrderId, SellerId, ShipmentId};
use shop::domain::mail::Mail;
use shop::domain::order::{OrderStatus, PendingLimits};
use shop::domain::seller::ProfilePatchInput;
use shop::services::{checkout, fulfilment, orders, sellers};
use shop::store::{keys, Store};
use shop::ShopError;

use crate::fake_gateway::FakeGateway;
use crate::support::*;

pub(crate) mod cancel;
mod coverage;
pub(crate) mod fakes;
mod handoff;
mod tracking;

/// A paid order of one unit from each of two sellers (A's line first). Only A has a
/// profile (the address its account was verified with).
pub(crate) struct TwoSellers {
    pub(crate) store: Store,
    pub(crate) a: Caller,
    pub(crate) b: Caller,
    pub(crate) shopper: Caller,
    pub(crate) order: OrderId,
    /// What each of the two confirm steps answered.
    pub(crate) mails: Vec<checkout::ConfirmMails>,
    /// The payment provider that took the order's payment (`pi_1`).
    pub(crate) gateway: FakeGateway,
}

impl TwoSellers {
    pub(crate) fn shipment_of(&self, seller: &Caller) -> ShipmentId {
        ShipmentId::new(self.order.clone(), SellerId::of(&seller.user_id))
    }
}

pub(crate) async fn two_sellers() -> TwoSellers {
    let Bench {
        store,
        seller: a,
        shopper,
        ..
    } = bench().await;
    let b = approved_seller(&store).await;
    profile(&store, &a, "seller-a@example.com").await;
    let (order, mails, gateway) = paid(&store, &a, &b, &shopper).await;
    TwoSellers {
        store,
        a,
        b,
        shopper,
        order,
        mails,
        gateway,
    }
}

/// `shopper` buys a new product of `a` (1 unit) and one of `b` (2 units) and pays; the
/// confirm step runs twice, as a retried saga step would (one set of shipments). Answers
/// the order and what each confirm answered.
pub(crate) async fn paid(
    store: &Store,
    a: &Caller,
    b: &Caller,
    shopper: &Caller,
) -> (OrderId, Vec<checkout::ConfirmMails>, FakeGateway) {
    let shoes = category(store, "shoes").await;
    let (sku_a, sku_b) = (sku("SHIPA"), sku("SHIPB"));
    listed(store, a, &shoes, &[(&sku_a, 1_500, "USD", 5)]).await;
    listed(store, b, &shoes, &[(&sku_b, 2_500, "USD", 5)]).await;
    let body = json!({
        "lines": [{"sku": sku_a, "quantity": 1}, {"sku": sku_b, "quantity": 2}],
        "shippingAddress": {"name": "Ada", "line1": "1 Rue de Rivoli", "city": "Paris",
                            "postalCode": "75001", "country": "FR"},
        "paymentMethodId": "pm_card_visa"
    });
    let request = crate::orders::quoted_request(store, shopper, body).await;
    let placed = crate::orders::place_request(store, shopper, request, PendingLimits::default())
        .await
        .unwrap();
    let gateway = FakeGateway::default();
    // The payment worker's step records the order's intent (`pi_1`), as a paid order has.
    checkout::start_payment(store, &gateway, &placed.order_id, "token")
        .await
        .unwrap();
    let mut mails = Vec::new();
    for _ in 0..2 {
        mails.push(
            checkout::confirm(store, &gateway, &placed.order_id, Some("pi_1"))
                .await
                .unwrap(),
        );
    }
    (placed.order_id, mails, gateway)
}

/// The profile a seller's verified account has (written raw: verification is not what
/// these tests are about).
pub(crate) async fn profile(store: &Store, who: &Caller, email: &str) {
    use aws_sdk_dynamodb::types::AttributeValue::S;
    store
        .client()
        .put_item()
        .table_name(store.table())
        .item(keys::PK, S(keys::user_pk(&who.user_id)))
        .item(keys::SK, S(keys::PROFILE_SK.into()))
        .item("userId", S(who.user_id.to_string()))
        .item("email", S(email.into()))
        .item("name", S("Seller A".into()))
        .item("role", S("seller".into()))
        .item("createdAt", S("2026-12-07T00:00:00Z".into()))
        .send()
        .await
        .unwrap();
}

pub(crate) fn parcels(weight: i64) -> Vec<shop::domain::fulfilment::Parcel> {
    serde_json::from_value::<ReadyInput>(json!({"parcels": [
        {"weightGrams": weight, "lengthMm": 300, "widthMm": 200, "heightMm": 100}
    ]}))
    .unwrap()
    .parse()
    .unwrap()
}

pub(crate) async fn set_pickup(store: &Store, seller: &Caller) {
    let patch: ProfilePatchInput = serde_json::from_value(json!({"pickupAddress": {
        "name": "Acme Outdoor", "line1": "4 Quai de Bercy", "city": "Paris",
        "postalCode": "75012", "country": "FR"}}))
    .unwrap();
    sellers::update_profile(store, seller, patch.parse().unwrap())
        .await
        .unwrap();
}

#[tokio::test]
async fn a_confirmed_order_has_one_shipment_per_seller() {
    let t = two_sellers().await;
    let detail = orders::get_order(&t.store, &t.shopper, &t.order)
        .await
        .unwrap();
    assert_eq!(detail.order.status, OrderStatus::Confirmed);
    let ids: Vec<ShipmentId> = detail.shipments.iter().map(|s| s.id.clone()).collect();
    assert_eq!(
        ids,
        [t.shipment_of(&t.a), t.shipment_of(&t.b)],
        "one per seller, in line order"
    );
    for (shipment, line) in detail.shipments.iter().zip(&detail.order.lines) {
        assert_eq!(shipment.status, ShipmentStatus::AwaitingFulfilment);
        assert_eq!(shipment.lines.len(), 1);
        assert_eq!(
            (&shipment.lines[0].sku, shipment.lines[0].quantity),
            (&line.sku, line.quantity)
        );
        assert_eq!(shipment.seller_id, line.seller_id);
    }
    // Each seller lists its own shipment only, with only its own line.
    for (seller, other) in [(&t.a, &t.b), (&t.b, &t.a)] {
        let page = fulfilment::list(&t.store, seller, None, 10, None)
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].id, t.shipment_of(seller));
        let text = serde_json::to_string(&page.items[0]).unwrap();
        assert!(!text.contains(t.shopper.user_id.as_str()), "{text}");
        assert!(!text.contains(other.user_id.as_str()), "{text}");
        assert!(
            !text.contains(SellerId::of(&other.user_id).as_str()),
            "{text}"
        );
    }
    // Another customer is told the order does not exist.
    let stranger = caller(&[Role::Customer]);
    assert!(matches!(
        orders::get_order(&t.store, &stranger, &t.order).await,
        Err(ShopError::NotFound(_))
    ));
    // Each confirm answers the new-order mail of each seller it can write to: A's.
    for answer in &t.mails {
        match answer.sellers.as_slice() {
            [Mail::SellerNewOrder {
                to,
                name,
                shipment_id,
                lines,
                ..
            }] => {
                assert_eq!(
                    (to.as_str(), name.as_str()),
                    ("seller-a@example.com", "Test Shop")
                );
                assert_eq!(shipment_id, &t.shipment_of(&t.a).to_string());
                assert_eq!(lines.len(), 1);
                assert_eq!(lines[0].sku, detail.order.lines[0].sku.to_string());
            }
            other => panic!("expected A's mail alone, got {other:?}"),
        }
    }
    let confirmed =
        orders::list_orders(&t.store, &t.shopper, Some(OrderStatus::Confirmed), 10, None)
            .await
            .unwrap();
    assert_eq!(confirmed.items.len(), 1);
    let shipped = orders::list_orders(&t.store, &t.shopper, Some(OrderStatus::Shipped), 10, None)
        .await
        .unwrap();
    assert!(shipped.items.is_empty());
}

#[tokio::test]
async fn a_seller_packs_only_its_own_shipment_and_only_once() {
    let t = two_sellers().await;
    let id = t.shipment_of(&t.a);
    match fulfilment::ready(&t.store, &t.a, &id, parcels(1_200)).await {
        Err(ShopError::Invalid(errors)) => assert_eq!(errors[0].field, "pickupAddress"),
        other => panic!("expected a 422 naming pickupAddress, got {other:?}"),
    }
    set_pickup(&t.store, &t.a).await;
    for (who, expected) in [(&t.b, "404"), (&t.shopper, "403")] {
        let refused = fulfilment::ready(&t.store, who, &id, parcels(1_200)).await;
        match (expected, refused) {
            ("404", Err(ShopError::NotFound(_))) | ("403", Err(ShopError::Forbidden(_))) => {}
            (_, other) => panic!("expected {expected}, got {other:?}"),
        }
    }
    let untouched = t.store.get_shipment(&id).await.unwrap().unwrap();
    assert_eq!(
        (untouched.status, untouched.rev),
        (ShipmentStatus::AwaitingFulfilment, 0)
    );

    let ready = fulfilment::ready(&t.store, &t.a, &id, parcels(1_200))
        .await
        .unwrap();
    assert_eq!(ready.status, ShipmentStatus::Ready);
    assert_eq!(ready.parcels, parcels(1_200));
    assert_eq!(ready.pickup_address.as_ref().unwrap().postal_code, "75012");
    let ready_at = ready.ready_at.clone().unwrap();
    let again = fulfilment::ready(&t.store, &t.a, &id, parcels(1_200))
        .await
        .unwrap();
    assert_eq!(
        (again.history.len(), again.ready_at.as_deref()),
        (2, Some(ready_at.as_str()))
    );
    let repacked = fulfilment::ready(&t.store, &t.a, &id, parcels(2_000))
        .await
        .unwrap();
    assert_eq!(repacked.parcels, parcels(2_000));
    assert_eq!(
        repacked.ready_at.as_deref(),
        Some(ready_at.as_str()),
        "keeps its place"
    );
    assert_eq!(repacked.history.len(), 3);
    let stored = t.store.get_shipment(&id).await.unwrap().unwrap();
    assert_eq!(stored.rev, 2);

    // On the queue of ready shipments, by the time it was packed.
    let item = raw_item(&t.store, &id).await;
    assert_eq!(item["GSI1PK"].as_s().unwrap(), keys::READY_SHIPMENTS_PK);
    assert_eq!(
        item["GSI1SK"].as_s().unwrap(),
        &keys::ready_shipment_sk(&ready_at, &id)
    );
    let listed = fulfilment::list(&t.store, &t.a, Some(ShipmentStatus::Ready), 10, None)
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    let awaiting = fulfilment::list(
        &t.store,
        &t.a,
        Some(ShipmentStatus::AwaitingFulfilment),
        10,
        None,
    )
    .await
    .unwrap();
    assert!(awaiting.items.is_empty());
    // Packing changes no order status.
    let order = t.store.get_order(&t.order).await.unwrap().unwrap();
    assert_eq!(
        (order.status, order.fulfilment_rev),
        (OrderStatus::Confirmed, 0)
    );
}

pub(crate) async fn raw_item(store: &Store, id: &ShipmentId) -> shop::store::Item {
    store
        .client()
        .get_item()
        .table_name(store.table())
        .set_key(Some(shop::store::key(
            keys::order_pk(id.order()),
            keys::shipment_sk(id.seller()),
        )))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item
        .unwrap()
}
