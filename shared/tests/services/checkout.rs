//! The saga's decisions against DynamoDB Local and an in-memory payment gateway: one
//! charge per order however often the payment step runs, stock sold or released once,
//! a payment that lands on a cancelled order refunded once.

use serde_json::json;
use shop::domain::auth::{Caller, Role};
use shop::domain::ids::{OrderId, ProductId, Sku};
use shop::domain::order::{
    CancelReason, IdempotencyKey, OrderStatus, PaymentStatus, PendingLimits,
};
use shop::domain::payment::IntentStatus;
use shop::services::checkout::{self, PaymentStep};
use shop::store::Store;

use crate::fake_gateway::FakeGateway;
use crate::support::*;

/// A placed order of `qty` units of a fresh SKU (stock 5), paid with `method`.
pub(crate) async fn placed(
    store: &Store,
    seller: &Caller,
    buyer: &Caller,
    method: &str,
    qty: u32,
    country: &str,
) -> (OrderId, ProductId, Sku) {
    let shoes = category(store, "shoes").await;
    let s = sku("SAGA");
    let product = listed(store, seller, &shoes, &[(&s, 2_000, "USD", 5)])
        .await
        .id;
    let body = json!({
        "lines": [{"sku": s, "quantity": qty}],
        "shippingAddress": {"name": "Ada", "line1": "1 Main St", "city": "Paris", "postalCode": "75001", "country": country},
        "paymentMethodId": method
    });
    let request = crate::orders::quoted_request(store, buyer, body).await;
    let key = IdempotencyKey::parse(Some(&uuid::Uuid::new_v4().to_string())).unwrap();
    let order = checkout::place_order(
        store,
        &Starts::default(),
        buyer,
        &key,
        request,
        PendingLimits::default(),
        &schedule(),
    )
    .await
    .unwrap();
    (order.order_id, product, Sku::parse(&s).unwrap())
}

/// One order's saga on a fresh bench: `qty` units of a fresh SKU (stock 5) placed by a
/// customer shipping to France, to be paid with `method` through its own fake gateway.
struct Saga {
    store: Store,
    gateway: FakeGateway,
    id: OrderId,
    product: ProductId,
    sku: Sku,
}

async fn saga(method: &str, qty: u32) -> Saga {
    let Bench {
        store,
        seller,
        shopper,
        ..
    } = bench().await;
    let (id, product, sku) = placed(&store, &seller, &shopper, method, qty, "FR").await;
    Saga {
        store,
        gateway: FakeGateway::default(),
        id,
        product,
        sku,
    }
}

async fn stock(store: &Store, product: &ProductId, sku: &Sku) -> (i64, i64) {
    let (_, variants) = store.get_product(product).await.unwrap().unwrap();
    let v = variants.into_iter().find(|v| &v.sku == sku).unwrap();
    (v.on_hand, v.reserved)
}

#[tokio::test]
async fn a_redelivered_payment_message_never_charges_twice() {
    let Saga {
        store, gateway, id, ..
    } = saga("pm_ok", 2).await;
    assert_eq!(
        checkout::start_payment(&store, &gateway, &id, "token-1")
            .await
            .unwrap(),
        PaymentStep::Waiting
    );
    // The same message again, and once more with a retried task's new token.
    let again = checkout::start_payment(&store, &gateway, &id, "token-1")
        .await
        .unwrap();
    assert!(matches!(again, PaymentStep::Succeeded { .. }), "{again:?}");
    checkout::start_payment(&store, &gateway, &id, "token-2")
        .await
        .unwrap();
    assert_eq!(gateway.created(), 1);
    let (order, token) = store.order_and_token(&id).await.unwrap().unwrap();
    assert_eq!(
        token.as_deref(),
        Some("token-2"),
        "the latest task's token wins"
    );
    assert_eq!(order.payment.payment_intent_id.as_deref(), Some("pi_1"));
}

#[tokio::test]
async fn paid_orders_sell_their_stock_once() {
    let Saga {
        store,
        gateway,
        id,
        product,
        sku,
    } = saga("pm_ok", 2).await;
    checkout::start_payment(&store, &gateway, &id, "t")
        .await
        .unwrap();
    assert_eq!(stock(&store, &product, &sku).await, (5, 2));
    checkout::confirm(&store, &gateway, &id, Some("pi_1"))
        .await
        .unwrap();
    checkout::confirm(&store, &gateway, &id, Some("pi_1"))
        .await
        .unwrap();
    assert_eq!(stock(&store, &product, &sku).await, (3, 0));
    let order = store.get_order(&id).await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Confirmed);
    assert_eq!(order.payment.status, PaymentStatus::Succeeded);
    assert_eq!(order.history.len(), 2);
    // A late cancel (a confirm that answered too late) leaves a confirmed order alone.
    checkout::cancel(&store, &gateway, &id, "States.TaskFailed")
        .await
        .unwrap();
    assert_eq!(
        store.get_order(&id).await.unwrap().unwrap().status,
        OrderStatus::Confirmed
    );
    assert_eq!(stock(&store, &product, &sku).await, (3, 0));
    assert!(gateway.refunds().is_empty());
}

#[tokio::test]
async fn a_decline_is_reported_and_cancelling_releases_the_stock_once() {
    let Saga {
        store,
        gateway,
        id,
        product,
        sku,
    } = saga("pm_decline", 3).await;
    let step = checkout::start_payment(&store, &gateway, &id, "t")
        .await
        .unwrap();
    assert_eq!(
        step,
        PaymentStep::Declined {
            code: "card_declined".into()
        }
    );
    checkout::cancel(&store, &gateway, &id, "PaymentDeclined")
        .await
        .unwrap();
    checkout::cancel(&store, &gateway, &id, "PaymentDeclined")
        .await
        .unwrap();
    assert_eq!(stock(&store, &product, &sku).await, (5, 0));
    let order = store.get_order(&id).await.unwrap().unwrap();
    assert_eq!(
        (order.status, order.cancel_reason),
        (OrderStatus::Cancelled, Some(CancelReason::PaymentDeclined))
    );
    assert_eq!(gateway.status("pi_1"), IntentStatus::Canceled);
    assert!(gateway.refunds().is_empty());
}

#[tokio::test]
async fn a_payment_method_stripe_refuses_declines_at_once_without_an_intent() {
    let Saga {
        store,
        gateway,
        id,
        product,
        sku,
    } = saga("pm_unknown", 2).await;
    assert_eq!(stock(&store, &product, &sku).await, (5, 2));
    let step = checkout::start_payment(&store, &gateway, &id, "t")
        .await
        .unwrap();
    assert_eq!(
        step,
        PaymentStep::Declined {
            code: "resource_missing".into()
        },
        "a refusal of the request is a decline, not an error to retry"
    );
    assert_eq!(gateway.created(), 0);
    let order = store.get_order(&id).await.unwrap().unwrap();
    assert_eq!(order.payment.status, PaymentStatus::Failed);
    checkout::cancel(&store, &gateway, &id, "PaymentDeclined")
        .await
        .unwrap();
    assert_eq!(stock(&store, &product, &sku).await, (5, 0));
}

#[tokio::test]
async fn a_payment_that_succeeds_as_the_order_times_out_is_refunded_once() {
    let Saga {
        store,
        gateway,
        id,
        product,
        sku,
    } = saga("pm_3ds", 1).await;
    assert_eq!(
        checkout::start_payment(&store, &gateway, &id, "t")
            .await
            .unwrap(),
        PaymentStep::Waiting
    );
    // The customer finishes 3-D Secure just as the reservation times out.
    gateway.authenticate("pi_1");
    let mail = checkout::cancel(&store, &gateway, &id, "States.Timeout")
        .await
        .unwrap();
    assert!(
        matches!(
            mail,
            None | Some(shop::domain::mail::Mail::OrderCancelled {
                refunded: Some(_),
                ..
            })
        ),
        "{mail:?}"
    );
    // The cancel step retried, and the confirm step reached late: still one refund.
    checkout::cancel(&store, &gateway, &id, "States.Timeout")
        .await
        .unwrap();
    checkout::confirm(&store, &gateway, &id, Some("pi_1"))
        .await
        .unwrap();
    let order = store.get_order(&id).await.unwrap().unwrap();
    assert_eq!(
        (order.status, order.cancel_reason),
        (OrderStatus::Cancelled, Some(CancelReason::PaymentTimeout))
    );
    // Claimed once; the refund worker makes it (services/refunds.rs tests the execution).
    assert!(gateway.refunds().is_empty());
    crate::refunds::execute_claims(&store, &gateway, &id).await;
    let order = store.get_order(&id).await.unwrap().unwrap();
    assert_eq!(gateway.refunds(), [("pi_1".to_owned(), order.total.amount)]);
    assert_eq!(order.payment.refunded_total, order.total.amount);
    assert_eq!(order.payment.status, PaymentStatus::Refunded);
    assert_eq!(stock(&store, &product, &sku).await, (5, 0));
}

#[tokio::test]
async fn card_velocity_with_a_foreign_address_is_reviewed() {
    let Bench { store, seller, .. } = bench().await;
    let gateway = FakeGateway::default();
    let method = format!(
        "pm_velocity{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    for _ in 0..5 {
        let buyer = caller(&[Role::Customer]);
        let (id, _, _) = placed(&store, &seller, &buyer, &method, 1, "FR").await;
        let verdict = checkout::fraud_check(&store, &gateway, &id).await.unwrap();
        assert!(!verdict.review, "{verdict:?}");
    }
    // A brand-new account (its profile written today), shipping abroad from the card.
    let buyer = caller(&[Role::Customer]);
    let email = format!("{}@example.com", buyer.user_id);
    crate::support::verified_profile(&store, &buyer, &email, "New", Role::Customer).await;
    let (id, _, _) = placed(&store, &seller, &buyer, &method, 1, "GB").await;
    let verdict = checkout::fraud_check(&store, &gateway, &id).await.unwrap();
    assert!(verdict.review && verdict.score >= 70, "{verdict:?}");
    let rules: Vec<_> = verdict.factors.iter().map(|f| f.rule).collect();
    assert!(
        rules.contains(&"card_5_orders_in_an_hour")
            && rules.contains(&"shipping_country_differs_from_card"),
        "{rules:?}"
    );
}
