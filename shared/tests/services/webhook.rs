//! Stripe's webhook decided against DynamoDB Local, the in-memory gateway and a task-token
//! fake that records every answer: the event names an intent, Stripe says what happened.

use std::sync::Mutex;

use shop::adapters::saga::{TaskAnswer, TaskTokens};
use shop::adapters::stripe::{IntentAnswer, IntentRequest, PaymentGateway};
use shop::domain::ids::OrderId;
use shop::domain::order::OrderStatus;
use shop::domain::payment::{IntentStatus, PaymentEvent, PaymentIntent};
use shop::domain::refund::{Refund, RefundCause, RefundId};
use shop::services::checkout::{self, PaymentStep};
use shop::ShopError;

use crate::checkout::placed;
use crate::fake_gateway::FakeGateway;
use crate::support::*;

/// Every task answer: (token, succeeded).
#[derive(Default)]
struct RecordedTasks(Mutex<Vec<(String, bool)>>);

impl RecordedTasks {
    fn answers(&self) -> Vec<(String, bool)> {
        self.0.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl TaskTokens for RecordedTasks {
    async fn succeed(&self, token: &str, _: &serde_json::Value) -> Result<TaskAnswer, ShopError> {
        self.0.lock().unwrap().push((token.to_owned(), true));
        Ok(TaskAnswer::Taken)
    }

    async fn fail(&self, token: &str, _: &str, _: &str) -> Result<TaskAnswer, ShopError> {
        self.0.lock().unwrap().push((token.to_owned(), false));
        Ok(TaskAnswer::Taken)
    }
}

/// An order paid by 3-D Secure, its intent waiting for the customer (`pi_1`).
async fn waiting_order(bench: &Bench, gateway: &FakeGateway) -> OrderId {
    let Bench {
        store,
        seller,
        shopper,
        ..
    } = bench;
    let (id, _, _) = placed(store, seller, shopper, "pm_3ds", 1, "FR").await;
    let step = checkout::start_payment(store, gateway, &id, "token-1")
        .await
        .unwrap();
    assert_eq!(step, PaymentStep::Waiting);
    assert_eq!(gateway.status("pi_1"), IntentStatus::RequiresAction);
    id
}

/// What an event claims about an intent: `status` whatever Stripe holds.
fn claim(intent: &PaymentIntent, status: IntentStatus) -> PaymentIntent {
    PaymentIntent {
        status,
        ..intent.clone()
    }
}

#[tokio::test]
async fn a_signed_success_that_stripe_does_not_show_answers_no_task() {
    let bench = bench().await;
    let store = &bench.store;
    let (gateway, tasks) = (FakeGateway::default(), RecordedTasks::default());
    let id = waiting_order(&bench, &gateway).await;
    let real = gateway.intent("pi_1").await.unwrap();

    let event = PaymentEvent::Succeeded(claim(&real, IntentStatus::Succeeded));
    checkout::payment_event(store, &gateway, &tasks, event)
        .await
        .unwrap();
    assert_eq!(
        tasks.answers(),
        [],
        "the event said succeeded, Stripe did not"
    );
    let failed = PaymentEvent::Failed(claim(&real, IntentStatus::RequiresPaymentMethod));
    checkout::payment_event(store, &gateway, &tasks, failed)
        .await
        .unwrap();
    assert_eq!(tasks.answers(), [], "the event said failed, Stripe did not");

    // Once Stripe shows it succeeded, the same event completes the task.
    gateway.authenticate("pi_1");
    let event = PaymentEvent::Succeeded(claim(&real, IntentStatus::Succeeded));
    checkout::payment_event(store, &gateway, &tasks, event)
        .await
        .unwrap();
    assert_eq!(tasks.answers(), [("token-1".to_owned(), true)]);
    assert!(gateway.refunds().is_empty());
    let order = store.get_order(&id).await.unwrap().unwrap();
    assert_eq!(
        order.status,
        OrderStatus::PendingPayment,
        "Confirm is the saga's step"
    );
}

#[tokio::test]
async fn a_stray_intent_that_paid_for_the_order_is_refunded_once_and_answers_no_task() {
    let bench = bench().await;
    let store = &bench.store;
    let (gateway, tasks) = (FakeGateway::default(), RecordedTasks::default());
    let id = waiting_order(&bench, &gateway).await;
    let order = store.get_order(&id).await.unwrap().unwrap();

    // A second intent whose metadata names the order, for its amount, paid.
    let request = IntentRequest {
        order_id: id.as_str(),
        amount: order.total.amount,
        currency: "usd",
        payment_method: "pm_ok",
    };
    let IntentAnswer::Intent(stray) = gateway.create_intent(&request, "k").await.unwrap() else {
        panic!("the fake creates intents for pm_ok");
    };
    gateway.confirm_intent(&stray.id, "k").await.unwrap();
    assert_eq!(gateway.status(&stray.id), IntentStatus::Succeeded);

    for _ in 0..2 {
        let event = PaymentEvent::Succeeded(claim(&stray, IntentStatus::Succeeded));
        checkout::payment_event(store, &gateway, &tasks, event)
            .await
            .unwrap();
    }
    assert_eq!(
        tasks.answers(),
        [],
        "a stray intent never completes the order's task"
    );
    let [stray_claim]: [Refund; 1] = crate::refunds::claims(store, &id).await.try_into().unwrap();
    assert_eq!(
        (
            stray_claim.id.clone(),
            stray_claim.amount.amount,
            stray_claim.payment_intent_id.as_str(),
            stray_claim.of_capture
        ),
        (
            RefundId::of(&id, &RefundCause::Stray(stray.id.clone())),
            order.total.amount,
            stray.id.as_str(),
            false
        ),
        "claimed once, not against the order's own capture"
    );
    let done = crate::refunds::execute_claims(store, &gateway, &id).await;
    assert_eq!(done.len(), 1);
    assert_eq!(
        gateway.refunds(),
        [(stray.id.clone(), order.total.amount)],
        "refunded once"
    );
    let after = store.get_order(&id).await.unwrap().unwrap();
    assert_eq!(after.status, OrderStatus::PendingPayment);
    assert_eq!(
        (after.payment.refund_claimed, after.payment.refunded_total),
        (0, 0),
        "the order's own payment is untouched"
    );
    let last = after.history.last().unwrap();
    assert_eq!(
        last.reason.as_deref(),
        Some(
            format!(
                "refund {} of {} USD made (re_1): a payment {} that is not this order's own succeeded",
                stray_claim.id, order.total.amount, stray.id
            )
            .as_str()
        )
    );
    assert_eq!(
        after.history.len(),
        order.history.len() + 1,
        "recorded once"
    );

    // A success event for a stray intent Stripe shows unpaid refunds nothing.
    let IntentAnswer::Intent(unpaid) = gateway.create_intent(&request, "k2").await.unwrap() else {
        panic!("the fake creates intents for pm_ok");
    };
    let lie = PaymentEvent::Succeeded(claim(&unpaid, IntentStatus::Succeeded));
    checkout::payment_event(store, &gateway, &tasks, lie)
        .await
        .unwrap();
    assert_eq!(crate::refunds::claims(store, &id).await.len(), 1);
    assert_eq!(gateway.refunds().len(), 1);
    assert_eq!(tasks.answers(), []);
}
