//! The refund protocol against DynamoDB Local and the in-memory gateway: a claim is made
//! once however often its cause is told, executed once whatever crash comes between the
//! steps, and a refusal stays visible and is reported.

use shop::adapters::refunds::{RefundAlerts, RefundMessage};
use shop::domain::ids::OrderId;
use shop::domain::order::{OrderStatus, PaymentStatus};
use shop::domain::refund::{Refund, RefundCause, RefundId, RefundStatus};
use shop::services::checkout::{self, PaymentStep};
use shop::services::refunds::{execute, Executed, RefundSettings};
use shop::store::{RefundLease, Store};
use shop::ShopError;
use std::sync::Mutex;

use crate::fake_gateway::FakeGateway;
use crate::support::*;

/// The dead-letter queue as the tests read it: every refusal reported.
#[derive(Default)]
pub struct FakeAlerts(Mutex<Vec<(String, String)>>);

impl FakeAlerts {
    pub fn reported(&self) -> Vec<(String, String)> {
        self.0.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl RefundAlerts for FakeAlerts {
    async fn refused(&self, refund: &Refund, code: &str) -> Result<(), ShopError> {
        self.0
            .lock()
            .unwrap()
            .push((refund.id.to_string(), code.to_owned()));
        Ok(())
    }
}

pub fn settings() -> RefundSettings {
    RefundSettings {
        lease_seconds: 30,
        fault: None,
    }
}

/// The order's refund claims, as stored.
pub async fn claims(store: &Store, id: &OrderId) -> Vec<Refund> {
    store
        .order_with_shipments(id)
        .await
        .unwrap()
        .unwrap()
        .refunds
}

/// Executes every pending claim of the order, as the worker would once the stream
/// queued them.
pub async fn execute_claims(store: &Store, gateway: &FakeGateway, id: &OrderId) -> Vec<Executed> {
    let mut done = Vec::new();
    for claim in claims(store, id).await {
        if claim.status == RefundStatus::Pending {
            done.push(
                execute(
                    store,
                    gateway,
                    &FakeAlerts::default(),
                    &settings(),
                    &message(&claim),
                )
                .await
                .unwrap(),
            );
        }
    }
    done
}

fn message(claim: &Refund) -> RefundMessage {
    RefundMessage {
        order_id: claim.order_id.clone(),
        refund_id: claim.id.clone(),
        failure_code: None,
    }
}

/// An order whose 3-D Secure payment succeeded just as its reservation timed out: the
/// cancel step claimed its full refund (`<orderId>.payment`), nothing executed yet.
async fn late_payment() -> (Store, FakeGateway, OrderId, Refund) {
    let Bench {
        store,
        seller,
        shopper,
        ..
    } = bench().await;
    let gateway = FakeGateway::default();
    let (id, _, _) = crate::checkout::placed(&store, &seller, &shopper, "pm_3ds", 1, "FR").await;
    assert_eq!(
        checkout::start_payment(&store, &gateway, &id, "t")
            .await
            .unwrap(),
        PaymentStep::Waiting
    );
    gateway.authenticate("pi_1");
    checkout::cancel(&store, &gateway, &id, "States.Timeout")
        .await
        .unwrap();
    let [claim]: [Refund; 1] = claims(&store, &id).await.try_into().unwrap();
    (store, gateway, id, claim)
}

#[tokio::test]
async fn a_late_payment_is_claimed_once_and_refunded_once() {
    let (store, gateway, id, claim) = late_payment().await;
    let order = store.get_order(&id).await.unwrap().unwrap();
    assert_eq!(claim.id, RefundId::of(&id, &RefundCause::Payment));
    assert_eq!(
        (claim.status, claim.amount, claim.payment_intent_id.as_str()),
        (RefundStatus::Pending, order.total, "pi_1")
    );
    assert_eq!(
        (
            order.payment.captured_amount,
            order.payment.refund_claimed,
            order.payment.refunded_total
        ),
        (Some(order.total.amount), order.total.amount, 0),
        "claimed, not yet made"
    );
    assert!(gateway.refunds().is_empty(), "claiming calls no Stripe");
    // The cancel step again, the webhook's success event, the late confirm: no second claim.
    checkout::cancel(&store, &gateway, &id, "States.Timeout")
        .await
        .unwrap();
    checkout::confirm(&store, &gateway, &id, Some("pi_1"))
        .await
        .unwrap();
    assert_eq!(claims(&store, &id).await.len(), 1);

    let done = execute_claims(&store, &gateway, &id).await;
    assert_eq!(
        done,
        [Executed::Succeeded {
            stripe_refund_id: "re_1".into()
        }]
    );
    // The message delivered again: nothing more.
    let again = execute(
        &store,
        &gateway,
        &FakeAlerts::default(),
        &settings(),
        &message(&claim),
    )
    .await
    .unwrap();
    assert_eq!(again, Executed::Nothing);
    assert_eq!(gateway.refunds(), [("pi_1".to_owned(), order.total.amount)]);
    assert_eq!(gateway.refund_ids(), [claim.id.to_string()]);
    let order = store.get_order(&id).await.unwrap().unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(
        (order.payment.status, order.payment.refunded_total),
        (PaymentStatus::Refunded, order.total.amount)
    );
    let [made]: [Refund; 1] = claims(&store, &id).await.try_into().unwrap();
    assert_eq!(
        (made.status, made.stripe_refund_id.as_deref(), made.attempt),
        (RefundStatus::Succeeded, Some("re_1"), 1)
    );
}

/// An execution that died after Stripe made the refund left its lease; the redelivery
/// after the lease ended finds Stripe's refund by the claim's id and records it.
#[tokio::test]
async fn a_crash_after_stripe_is_finished_without_a_second_refund() {
    let (store, gateway, id, claim) = late_payment().await;
    let leased = store
        .lease_refund(&id, &claim.id, shop::clock::unix_now() - 60, 30, "dead")
        .await
        .unwrap();
    assert!(
        matches!(leased, RefundLease::Taken(ref r) if r.attempt == 1),
        "{leased:?}"
    );
    use shop::adapters::stripe::{PaymentGateway, RefundRequest};
    gateway
        .refund(
            &RefundRequest {
                intent_id: "pi_1",
                amount: claim.amount.amount,
                refund_id: claim.id.as_str(),
                order_id: id.as_str(),
            },
            &claim.idempotency_key(),
        )
        .await
        .unwrap();

    let done = execute(
        &store,
        &gateway,
        &FakeAlerts::default(),
        &settings(),
        &message(&claim),
    )
    .await
    .unwrap();
    assert_eq!(
        done,
        Executed::Succeeded {
            stripe_refund_id: "re_1".into()
        }
    );
    assert_eq!(gateway.refund_calls(), 1, "no second refund at Stripe");
    let [made]: [Refund; 1] = claims(&store, &id).await.try_into().unwrap();
    assert_eq!((made.status, made.attempt), (RefundStatus::Succeeded, 2));
    let order = store.get_order(&id).await.unwrap().unwrap();
    assert_eq!(order.payment.refunded_total, claim.amount.amount);
}

/// An execution that died before calling Stripe: the redelivery asks Stripe, finds
/// nothing, and makes the one refund.
#[tokio::test]
async fn a_crash_before_stripe_is_refunded_once_by_the_redelivery() {
    let (store, gateway, id, claim) = late_payment().await;
    store
        .lease_refund(&id, &claim.id, shop::clock::unix_now() - 60, 30, "dead")
        .await
        .unwrap();
    let done = execute(
        &store,
        &gateway,
        &FakeAlerts::default(),
        &settings(),
        &message(&claim),
    )
    .await
    .unwrap();
    assert!(matches!(done, Executed::Succeeded { .. }), "{done:?}");
    assert_eq!(gateway.refund_calls(), 1);
    assert_eq!(gateway.refund_ids(), [claim.id.to_string()]);
}

/// While another execution holds the claim, a second one does nothing and is retried.
#[tokio::test]
async fn a_claim_held_by_another_execution_is_left_alone() {
    let (store, gateway, id, claim) = late_payment().await;
    store
        .lease_refund(&id, &claim.id, shop::clock::unix_now(), 30, "alive")
        .await
        .unwrap();
    let err = execute(
        &store,
        &gateway,
        &FakeAlerts::default(),
        &settings(),
        &message(&claim),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ShopError::Unavailable(_)), "{err:?}");
    assert_eq!(gateway.refund_calls(), 0);
}

/// Stripe refuses: the claim is failed with Stripe's code, its amount stays claimed, the
/// refusal is reported once, and a redelivery changes nothing.
#[tokio::test]
async fn a_refused_refund_is_failed_kept_claimed_and_reported_once() {
    let (store, gateway, id, claim) = late_payment().await;
    gateway.refuse_refunds("charge_disputed");
    let alerts = FakeAlerts::default();
    let done = execute(&store, &gateway, &alerts, &settings(), &message(&claim))
        .await
        .unwrap();
    assert_eq!(
        done,
        Executed::Failed {
            code: "charge_disputed".into()
        }
    );
    let again = execute(&store, &gateway, &alerts, &settings(), &message(&claim))
        .await
        .unwrap();
    assert_eq!(again, Executed::Nothing);
    assert_eq!(
        alerts.reported(),
        [(claim.id.to_string(), "charge_disputed".to_owned())]
    );
    let [failed]: [Refund; 1] = claims(&store, &id).await.try_into().unwrap();
    assert_eq!(
        (failed.status, failed.failure_code.as_deref()),
        (RefundStatus::Failed, Some("charge_disputed"))
    );
    let order = store.get_order(&id).await.unwrap().unwrap();
    assert_eq!(
        (order.payment.refund_claimed, order.payment.refunded_total),
        (claim.amount.amount, 0)
    );
    assert!(gateway.refunds().is_empty());
}
