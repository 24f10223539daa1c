//! Cancelling a whole order (its customer, an admin): while it awaits payment through the
//! checkout's own path, whichever step sees the request first; once paid, in one
//! transaction with its shipments, stock, refund claim and mails; never once any of it is
//! with the carrier.

use shop::adapters::saga::{TaskAnswer, TaskTokens};
use shop::adapters::stripe::PaymentGateway;
use shop::domain::auth::{Caller, Role};
use shop::domain::fulfilment::ShipmentStatus;
use shop::domain::ids::OrderId;
use shop::domain::mail::Mail;
use shop::domain::order::{CancelReason, OrderStatus, CUSTOMER_CANCELLED};
use shop::domain::payment::{IntentStatus, PaymentEvent};
use shop::domain::refund::{Refund, RefundCause, RefundId};
use shop::services::checkout::{self, PaymentStep};
use shop::services::{fulfilment, orders};
use shop::ShopError;
use std::sync::Mutex;

use crate::fake_gateway::FakeGateway;
use crate::fulfilment::cancel::{hand_over, on_hand};
use crate::fulfilment::fakes::Mails;
use crate::fulfilment::two_sellers;
use crate::refunds::claims;
use crate::support::*;

/// The saga's task tokens as the tests read them: (token, error) of every failure sent.
#[derive(Default)]
struct Tasks(Mutex<Vec<(String, String)>>);

impl Tasks {
    fn failed(&self) -> Vec<(String, String)> {
        self.0.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl TaskTokens for Tasks {
    async fn succeed(&self, _: &str, _: &serde_json::Value) -> Result<TaskAnswer, ShopError> {
        Ok(TaskAnswer::Taken)
    }

    async fn fail(&self, token: &str, error: &str, _: &str) -> Result<TaskAnswer, ShopError> {
        self.0
            .lock()
            .unwrap()
            .push((token.to_owned(), error.to_owned()));
        Ok(TaskAnswer::Taken)
    }
}

fn requested(answer: orders::CancelAnswer) -> orders::OrderDetail {
    match answer {
        orders::CancelAnswer::Requested(detail) => detail,
        other => panic!("expected a request, got {other:?}"),
    }
}

fn cancelled(answer: orders::CancelAnswer) -> orders::OrderDetail {
    match answer {
        orders::CancelAnswer::Cancelled(detail) => detail,
        other => panic!("expected a cancellation, got {other:?}"),
    }
}

#[tokio::test]
async fn a_paid_order_cancelled_by_its_customer_is_refunded_whole_and_restocked() {
    let t = two_sellers().await;
    crate::fulfilment::profile(&t.store, &t.shopper, "ada@example.com").await;
    let (tasks, mails) = (Tasks::default(), Mails::default());
    let reason = "ordered the wrong size".to_owned();
    let stranger = caller(&[Role::Customer]);
    assert!(matches!(
        orders::cancel_order(
            &t.store,
            &tasks,
            &mails,
            &stranger,
            &t.order,
            reason.clone()
        )
        .await,
        Err(ShopError::NotFound(_))
    ));
    let detail = cancelled(
        orders::cancel_order(
            &t.store,
            &tasks,
            &mails,
            &t.shopper,
            &t.order,
            reason.clone(),
        )
        .await
        .unwrap(),
    );
    assert_eq!(
        (detail.order.status, detail.order.cancel_reason),
        (
            OrderStatus::Cancelled,
            Some(CancelReason::CustomerCancelled)
        )
    );
    assert!(detail
        .shipments
        .iter()
        .all(|s| s.status == ShipmentStatus::Cancelled));
    let order = t.store.get_order(&t.order).await.unwrap().unwrap();
    assert_eq!(
        (
            on_hand(&t.store, &order, 0).await,
            on_hand(&t.store, &order, 1).await
        ),
        (5, 5)
    );
    let [claim]: [Refund; 1] = claims(&t.store, &t.order).await.try_into().unwrap();
    assert_eq!(
        (claim.id, claim.amount.amount, claim.shipping),
        (RefundId::of(&t.order, &RefundCause::Cancel), 7_800, true)
    );
    assert_eq!(order.payment.refund_claimed, 7_800);
    let last = order.history.last().unwrap();
    assert_eq!(
        (last.status, last.by.clone(), last.reason.clone()),
        (
            OrderStatus::Cancelled,
            format!("customer:{}", t.shopper.user_id),
            Some(format!("customer_cancelled: {reason}"))
        )
    );
    // The customer, and the seller who has an address (A), are told; B has no profile.
    let queued = mails.queued.lock().unwrap().clone();
    assert_eq!(queued.len(), 2, "{queued:?}");
    assert!(queued.iter().any(|m| matches!(m,
        Mail::OrderCancelled { to, reason, refunded: Some(7_800), .. }
            if reason == "customer_cancelled" && to == "ada@example.com")));
    assert!(queued.iter().any(|m| matches!(m,
        Mail::SellerShipmentCancelled { to, .. } if to == "seller-a@example.com")));
    // Again: the same answer, nothing more.
    cancelled(
        orders::cancel_order(
            &t.store,
            &tasks,
            &mails,
            &t.shopper,
            &t.order,
            "again".into(),
        )
        .await
        .unwrap(),
    );
    assert_eq!(claims(&t.store, &t.order).await.len(), 1);
    assert_eq!(mails.queued.lock().unwrap().len(), 2);
    assert_eq!(on_hand(&t.store, &order, 0).await, 5);
    assert!(tasks.failed().is_empty());
    // Stripe's success event again, and the saga's Confirm retried, after the cancellation:
    // the order's own cancellation refunds it; nothing more is claimed, nothing fails.
    let intent = t.gateway.intent("pi_1").await.unwrap();
    checkout::payment_event(
        &t.store,
        &t.gateway,
        &tasks,
        PaymentEvent::Succeeded(intent),
    )
    .await
    .unwrap();
    checkout::confirm(&t.store, &t.gateway, &t.order, Some("pi_1"))
        .await
        .unwrap();
    assert_eq!(claims(&t.store, &t.order).await.len(), 1);
}

#[tokio::test]
async fn after_a_seller_cancelled_the_order_cancel_refunds_the_rest_and_an_admin_may() {
    let t = two_sellers().await;
    let (tasks, mails) = (Tasks::default(), Mails::default());
    fulfilment::cancel(
        &t.store,
        &mails,
        &t.b,
        &t.shipment_of(&t.b),
        "none left".into(),
        false,
    )
    .await
    .unwrap();
    let admin = caller(&[Role::Admin]);
    let detail = cancelled(
        orders::cancel_order(
            &t.store,
            &tasks,
            &mails,
            &admin,
            &t.order,
            "fraud report".into(),
        )
        .await
        .unwrap(),
    );
    assert_eq!(
        detail.order.cancel_reason,
        Some(CancelReason::AdminCancelled)
    );
    let claims = claims(&t.store, &t.order).await;
    let amounts: Vec<(String, i64)> = claims
        .iter()
        .map(|c| (c.id.to_string(), c.amount.amount))
        .collect();
    assert_eq!(
        amounts,
        [
            (
                RefundId::of(
                    &t.order,
                    &RefundCause::Shipment(t.shipment_of(&t.b).seller().clone())
                )
                .to_string(),
                6_000
            ),
            (
                RefundId::of(&t.order, &RefundCause::Cancel).to_string(),
                1_800
            ),
        ]
    );
    let order = t.store.get_order(&t.order).await.unwrap().unwrap();
    assert_eq!(order.payment.refund_claimed, order.total.amount);
}

#[tokio::test]
async fn an_order_any_of_which_the_carrier_has_is_not_cancelled() {
    let t = two_sellers().await;
    hand_over(&t.store, &t.shipment_of(&t.b)).await;
    let before = t.store.get_order(&t.order).await.unwrap().unwrap();
    let err = orders::cancel_order(
        &t.store,
        &Tasks::default(),
        &Mails::default(),
        &t.shopper,
        &t.order,
        "too late".into(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, ShopError::Conflict(m) if m.contains("handed_over") && m.contains("/returns")),
        "{err:?}"
    );
    assert_eq!(t.store.get_order(&t.order).await.unwrap().unwrap(), before);
    assert!(claims(&t.store, &t.order).await.is_empty());
}

mod pending;
