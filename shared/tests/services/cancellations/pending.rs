//! Cancelling an order that awaits payment: the checkout ends it, whichever step sees the
//! request first, and a payment that succeeded meanwhile is refunded once.

use super::*;

/// A 3-D Secure order whose payment worker stored its token ("t") and waits for the
/// customer.
async fn waiting() -> (shop::store::Store, FakeGateway, Caller, OrderId) {
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
    (store, gateway, shopper, id)
}

#[tokio::test]
async fn a_pending_order_is_cancelled_through_the_checkout_once() {
    let (store, gateway, shopper, id) = waiting().await;
    let (tasks, mails) = (Tasks::default(), Mails::default());
    let detail = requested(
        orders::cancel_order(
            &store,
            &tasks,
            &mails,
            &shopper,
            &id,
            "changed my mind".into(),
        )
        .await
        .unwrap(),
    );
    assert_eq!(detail.order.status, OrderStatus::PendingPayment);
    assert_eq!(
        tasks.failed(),
        [("t".to_owned(), CUSTOMER_CANCELLED.to_owned())]
    );
    // Asked again: recorded once, the task failed again (a failure that moved on is a no-op).
    requested(
        orders::cancel_order(&store, &tasks, &mails, &shopper, &id, "really".into())
            .await
            .unwrap(),
    );
    let order = store.get_order(&id).await.unwrap().unwrap();
    assert_eq!(
        order.cancel_request.as_ref().unwrap().reason,
        "changed my mind"
    );
    // The saga's Cancel, caught from the failed task: the customer's reason, the intent cancelled.
    checkout::cancel(&store, &gateway, &id, CUSTOMER_CANCELLED)
        .await
        .unwrap();
    let order = store.get_order(&id).await.unwrap().unwrap();
    assert_eq!(
        (order.status, order.cancel_reason),
        (
            OrderStatus::Cancelled,
            Some(CancelReason::CustomerCancelled)
        )
    );
    assert_eq!(gateway.status("pi_1"), IntentStatus::Canceled);
    assert!(claims(&store, &id).await.is_empty(), "nothing was charged");
}

#[tokio::test]
async fn a_request_before_the_payment_worker_is_answered_by_it_without_a_charge() {
    let Bench {
        store,
        seller,
        shopper,
        ..
    } = bench().await;
    let (gateway, tasks) = (FakeGateway::default(), Tasks::default());
    let (id, _, _) = crate::checkout::placed(&store, &seller, &shopper, "pm_ok", 1, "FR").await;
    requested(
        orders::cancel_order(
            &store,
            &tasks,
            &Mails::default(),
            &shopper,
            &id,
            "oops".into(),
        )
        .await
        .unwrap(),
    );
    assert!(tasks.failed().is_empty(), "no token yet: no one to fail");
    checkout::pay(&store, &gateway, &tasks, &id, "t2")
        .await
        .unwrap();
    assert_eq!(
        tasks.failed(),
        [("t2".to_owned(), CUSTOMER_CANCELLED.to_owned())]
    );
    assert_eq!(gateway.created(), 0, "no intent, no charge");
}

#[tokio::test]
async fn a_payment_confirmed_after_the_request_is_cancelled_and_refunded_once() {
    let (store, gateway, shopper, id) = waiting().await;
    crate::fulfilment::profile(&store, &shopper, "ada@example.com").await;
    let tasks = Tasks::default();
    requested(
        orders::cancel_order(
            &store,
            &tasks,
            &Mails::default(),
            &shopper,
            &id,
            "oops".into(),
        )
        .await
        .unwrap(),
    );
    // The customer passed 3-D Secure as the request was written; the webhook's success
    // reached the saga before the failure did: Confirm runs.
    gateway.authenticate("pi_1");
    let mails = checkout::confirm(&store, &gateway, &id, Some("pi_1"))
        .await
        .unwrap();
    assert!(mails.sellers.is_empty());
    let order = store.get_order(&id).await.unwrap().unwrap();
    assert!(
        matches!(&mails.customer, Some(Mail::OrderCancelled { reason, refunded: Some(paid), .. })
            if reason == "customer_cancelled" && *paid == order.total.amount),
        "{:?}",
        mails.customer
    );
    assert_eq!(
        (order.status, order.cancel_reason),
        (
            OrderStatus::Cancelled,
            Some(CancelReason::CustomerCancelled)
        )
    );
    let [claim]: [Refund; 1] = claims(&store, &id).await.try_into().unwrap();
    assert_eq!(
        (claim.id, claim.amount),
        (RefundId::of(&id, &RefundCause::Payment), order.total)
    );
    // The Cancel the failed task routes to, late: nothing more.
    checkout::cancel(&store, &gateway, &id, CUSTOMER_CANCELLED)
        .await
        .unwrap();
    assert_eq!(claims(&store, &id).await.len(), 1);
}
