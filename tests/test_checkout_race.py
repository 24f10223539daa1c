"""A payment that succeeds at Stripe while its webhook loses the race with the reservation's
timeout: the saga cancels, finds the payment succeeded and refunds it, once; the webhook that
arrives after it refunds nothing more.

Which of a timeout and a webhook ~1 s apart comes first is up to LocalStack's timer and the
machine's load, so this module takes the webhook out of the race instead of timing it: while
its one order waits, localstripe's webhook for the shop is registered without
`payment_intent.succeeded` (Stripe's delivery lost, or arriving after the timeout), the
customer passes 3-D Secure well inside the window, and the event is delivered — signed, as
Stripe would — only after the order was cancelled. The other branch, a payment whose webhook
arrives in time, is test_checkout.py's `test_a_payment_just_before_the_timeout_confirms`.

The module runs alone (pytest runs modules one after another, and test_checkout.py's module
fixture waits for all its orders): nothing else waits for a webhook meanwhile, and the shop's
registration is restored however the test ends.
"""

import json
import os
import time

import pytest
import requests

from checkout import (THREE_DS, WEBHOOK_SECRET, WINDOW, amount, assert_execution, assert_history, aws_clients,
                      assert_one_mail, authenticate, event_body, intent, intents_for, pay_events, payment, place,
                      post_webhook, refunds_for, settle, sign, wait_intent_recorded, wait_intent_status,
                      wait_pay_entered, wait_refunds_made)


STRIPE = os.environ["STRIPE_API_BASE"]
WEBHOOK_URL = os.environ["SHOP_API_URL"] + "/payments/webhook"
EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed")  # what up.sh registers


def register_webhook(events):
    """(Re-)registers the shop's endpoint at localstripe under up.sh's id, for `events`."""
    form = [("url", WEBHOOK_URL), ("secret", WEBHOOK_SECRET)] + [("events[]", e) for e in events]
    r = requests.post(f"{STRIPE}/_config/webhooks/shop", data=form, timeout=10)
    assert r.status_code == 200, r.text


@pytest.fixture(scope="module")
def aws():
    return aws_clients()


@pytest.fixture
def no_success_webhook():
    register_webhook([e for e in EVENTS if e != "payment_intent.succeeded"])
    try:
        yield
    finally:
        register_webhook(EVENTS)


def test_a_payment_whose_webhook_loses_the_race_is_refunded_once(seller, aws, no_success_webhook):
    placed = place(seller, aws.dynamodb, THREE_DS)
    pi_id, _ = wait_intent_recorded(placed)
    pay_at = wait_pay_entered(aws, placed.id)
    wait_intent_status(pi_id, "requires_action")
    assert time.time() < pay_at + WINDOW - 5, "too late to pay inside the window"
    assert authenticate(pi_id)["status"] == "succeeded", "Stripe took the payment"
    paid_at = time.time()

    order, settled_at, ex, events = settle(placed, aws)
    pay = pay_events(events)
    print(f"\nwebhook lost: paid {paid_at - pay_at:.2f} s after Pay was entered; timed out "
          f"{pay.get('TaskTimedOut', float('nan')) - pay_at:.2f} s after it (window {WINDOW} s)")

    total = order["total"]["amount"]
    assert (order["status"], order["cancelReason"]) == ("cancelled", "payment_timeout"), json.dumps(order)
    assert "TaskTimedOut" in pay and "TaskSucceeded" not in pay, pay
    # The Cancel step claimed the refund; the refund worker makes it.
    order = wait_refunds_made(placed)
    claim_id = f"{placed.id}.payment"
    (claim,) = order["payment"]["refunds"]
    reason = "the order was cancelled after its payment succeeded"
    assert (claim["id"], claim["amount"], claim["reason"], claim["status"]) == \
        (claim_id, {"amount": total, "currency": "USD"}, reason, "succeeded"), claim
    # The saga has ended: the payment is not "processing" any more (it succeeded, and was refunded).
    assert order["payment"] == payment(pi_id, "refunded", captured=total, refunded=total, refunds=[claim]), \
        order["payment"]
    (pi,) = intents_for(placed.id)
    assert pi["id"] == pi_id and pi["status"] == "succeeded"
    ((refund_id, refunded, metadata),) = [(r["id"], r["amount"], r["metadata"]) for r in refunds_for(pi)]
    assert (refunded, metadata) == (total, {"shopRefundId": claim_id, "orderId": placed.id})
    assert pi["latest_charge"]["amount_refunded"] == total
    assert_history(placed, order,
                   ("cancelled", "system:checkout", "payment_timeout (States.Timeout)"),
                   ("cancelled", "system:checkout",
                    f"payment {pi_id} succeeded after the order was cancelled: refund {claim_id} of {total} claimed"),
                   ("cancelled", "system:refunds", f"refund {claim_id} of {total} USD made ({refund_id}): {reason}"))
    assert placed.stock(aws.dynamodb) == placed.released_stock()
    assert_execution(ex, events, ["FraudCheck", "Pay", "Cancel"])
    assert_one_mail(placed, "cancelled", "the payment was not completed in time",
                    f"The {amount(total)} you paid has been refunded")

    # Stripe's event, late: signed and true (Stripe shows the intent succeeded), it refunds nothing more.
    late = event_body("payment_intent.succeeded", intent(pi_id))
    r = post_webhook(late, sign(late, int(time.time())))
    assert r.status_code == 200 and r.json() == {"received": True}, r.text
    assert placed.get() == order, "the late webhook changed the order"
    assert [(x["id"], x["amount"]) for x in refunds_for(intent(pi_id))] == [(refund_id, total)]


def test_a_cancel_after_a_payment_stripe_has_not_told_yet_refunds_it_once(seller, aws, no_success_webhook):
    """The customer passes 3-D Secure, then cancels before Stripe's event arrives: the
    cancellation ends the checkout (the payment task fails), and the Cancel step, finding the
    intent succeeded, claims its refund — made once by the refund worker."""
    placed = place(seller, aws.dynamodb, THREE_DS)
    pi_id, _ = wait_intent_recorded(placed)
    wait_intent_status(pi_id, "requires_action")
    assert authenticate(pi_id)["status"] == "succeeded", "Stripe took the payment"
    r = placed.user.api.post(f"/orders/{placed.id}/cancel", json={"reason": "changed my mind"})
    assert r.status_code == 202, r.text

    order, _, ex, events = settle(placed, aws)
    assert (order["status"], order["cancelReason"]) == ("cancelled", "customer_cancelled"), json.dumps(order)
    assert "TaskFailed" in pay_events(events), pay_events(events)
    total = order["total"]["amount"]
    order = wait_refunds_made(placed)
    (claim,) = order["payment"]["refunds"]
    assert (claim["id"], claim["amount"]["amount"], claim["status"]) == (f"{placed.id}.payment", total, "succeeded")
    assert order["payment"] == payment(pi_id, "refunded", captured=total, refunded=total, refunds=[claim])
    refunds = refunds_for(intent(pi_id))
    assert [(x["amount"], x["metadata"]) for x in refunds] == [(total, {"shopRefundId": claim["id"],
                                                                        "orderId": placed.id})]
    assert placed.stock(aws.dynamodb) == placed.released_stock()
    assert_execution(ex, events, ["FraudCheck", "Pay", "Cancel"])
    assert_one_mail(placed, "cancelled", "because you asked us to", f"The {amount(total)} you paid has been refunded")
