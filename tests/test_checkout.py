"""The checkout saga end to end: POST /orders -> Step Functions (FraudCheck -> Pay -> Confirm |
Cancel -> Mail) with the payment worker, Stripe's webhook (localstripe) and the mailer.

Each test has its own customer, its own fresh product and its own PaymentMethod, created at
localstripe as Stripe.js would (the shop only ever sees the pm_ id). It places an order through
the gateway, waits for the outcome by polling GET /orders/{id}, and then checks every side:
the order (status, cancelReason, payment, history), the stock of every variant it touched
(DynamoDB), the PaymentIntent(s) and refunds at localstripe, the execution's path (Step
Functions history) and the mail moto received. Helpers: tests/checkout.py.

The cases that wait for the reservation window (RESERVATION_WINDOW_SECONDS, the Pay state's
TimeoutSeconds) run concurrently: a module fixture starts them, each in its own thread, as
soon as the module starts; their tests (at the end of the file) collect and check the facts.
Timings are printed (`pytest -s` or `-rP`). A payment whose webhook loses the race with the
timeout is test_checkout_race.py's: it takes the webhook out of the race, which no test here may.
"""

import json
import os
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

import keys
from checkout import (DECLINED, STOCK, THREE_DS, VISA, WEBHOOK_SECRET, WINDOW, amount, aws_clients,
                      assert_execution, assert_history, assert_one_mail, authenticate, charges_for, event_body,
                      fingerprint, intent, intents_for, new_product, order_item, pay_events, payment, payment_method, place,
                      post_webhook, refunds_for, settle, sign, stripe, wait_intent_recorded, wait_intent_status,
                      wait_order, wait_pay_entered, wait_refunds_made, wait_until, worker_handled)
from conftest import (SHIPPING_ADDRESS, TABLE, assert_problem, customer_orders, order_body, place_order, register,
                      register_many, variant_stock)

PAYMENT_QUEUE = os.environ["PAYMENT_QUEUE_URL"]
MAX_PENDING_ORDERS = 3  # template.yaml's MaxPendingOrders, which the local stack keeps
PROBLEMS = "https://shop.example/problems/"
GB_ADDRESS = {**SHIPPING_ADDRESS, "line1": "1 Main St", "city": "London", "postalCode": "N1 9GU", "country": "GB"}


# ---------------------------------------------------------------- clients

@pytest.fixture(scope="module")
def aws():
    return aws_clients()


# ---------------------------------------------------------------- the concurrent (timed) cases
# Each runs in a thread started with the module; it drives its order and gathers facts, and its
# test (below) checks them. Only the selected tests' scenarios are started.

def scenario_timeout(seller, aws):
    """A 3-D Secure card the customer never authenticates."""
    placed = place(seller, aws.dynamodb, THREE_DS)
    f = placed.facts
    f["pi"], f["pi_recorded_at"] = wait_intent_recorded(placed)
    f["pay_at"] = wait_pay_entered(aws, placed.id)
    f["pending_stock"] = placed.stock(aws.dynamodb)
    f["pending_status"] = placed.get()["status"]
    f["final"], f["settled_at"], f["execution"], f["events"] = settle(placed, aws)
    return placed


def scenario_authenticated(seller, aws, before_timeout):
    """A 3-D Secure card authenticated `before_timeout` seconds before the window ends."""
    placed = place(seller, aws.dynamodb, THREE_DS)
    f = placed.facts
    f["pi"], f["pi_recorded_at"] = wait_intent_recorded(placed)
    f["pay_at"] = wait_pay_entered(aws, placed.id)
    wait_intent_status(f["pi"], "requires_action")
    target = f["pay_at"] + WINDOW - before_timeout
    assert time.time() < target - 0.05, (
        f"the PaymentIntent was ready {time.time() - f['pay_at']:.2f} s after Pay was entered: "
        f"too late to authenticate at {WINDOW - before_timeout:.2f} s")
    time.sleep(target - time.time())
    f["auth_at"] = time.time()
    f["authenticated"] = authenticate(f["pi"])
    f["final"], f["settled_at"], f["execution"], f["events"] = settle(placed, aws)
    # Stripe's webhook leaves ~1 s after the authentication; let it arrive and be handled.
    time.sleep(max(0.0, f["auth_at"] + 6 - time.time()))
    f["late"] = placed.get()
    return placed


def scenario_forged(seller, aws):
    """Forged, stale and unsigned payment_intent.succeeded deliveries for a pending order."""
    placed = place(seller, aws.dynamodb, THREE_DS)
    f = placed.facts
    f["pi"], _ = wait_intent_recorded(placed)
    pi = wait_intent_status(f["pi"], "requires_action")
    snapshot = lambda: (placed.get(), placed.stock(aws.dynamodb), intent(f["pi"])["status"],
                        order_item(aws.dynamodb, placed.id))
    f["before"] = snapshot()
    # What a forger would send: the real intent, claimed succeeded.
    claimed = {**pi, "status": "succeeded", "next_action": None}
    body = event_body("payment_intent.succeeded", claimed)
    now = int(time.time())
    f["refused"] = {
        "unsigned": post_webhook(body),
        "wrong secret": post_webhook(body, sign(body, now, "whsec_not_the_shops")),
        "stale (10 min)": post_webhook(body, sign(body, now - 600, WEBHOOK_SECRET)),
        "future (10 min)": post_webhook(body, sign(body, now + 600, WEBHOOK_SECRET)),
        "signed other body": post_webhook(body, sign(body.replace(b"succeeded", b"processing"), now)),
        "malformed header": post_webhook(body, "v1=abc,t=notanumber"),
    }
    f["after_refused"] = snapshot()
    # The positive control for the verifier: correctly signed, fresh, a type the shop ignores.
    ignored = event_body("charge.refunded", {"id": "ch_x", "object": "charge", "payment_intent": f["pi"]})
    f["accepted"] = post_webhook(ignored, sign(ignored, int(time.time())))
    f["after_accepted"] = snapshot()
    f["final"], f["settled_at"], f["execution"], f["events"] = settle(placed, aws)
    return placed


def scenario_signed_claim(seller, aws):
    """A correctly signed payment_intent.succeeded for the order's own intent while Stripe
    shows it unpaid (requires_action): the event says succeeded, Stripe does not."""
    placed = place(seller, aws.dynamodb, THREE_DS)
    f = placed.facts
    f["pi"], _ = wait_intent_recorded(placed)
    pi = wait_intent_status(f["pi"], "requires_action")
    claimed = {**pi, "status": "succeeded", "next_action": None}
    body = event_body("payment_intent.succeeded", claimed)
    f["answer"] = post_webhook(body, sign(body, int(time.time())))
    # The webhook answers the task (or not) before it answers Stripe: what it did is done now.
    f["after"] = (placed.get()["status"], intent(f["pi"])["status"])
    f["final"], f["settled_at"], f["execution"], f["events"] = settle(placed, aws)
    return placed


def scenario_stray_payment(seller, aws):
    """A second PaymentIntent, not the order's, whose metadata names the order, succeeds for
    the order's amount while the order's own intent waits for 3-D Secure. Stripe sends its
    (correctly signed) payment_intent.succeeded to the shop as for any intent."""
    placed = place(seller, aws.dynamodb, THREE_DS)
    f = placed.facts
    f["pi"], _ = wait_intent_recorded(placed)
    wait_intent_status(f["pi"], "requires_action")
    total = placed.order["total"]
    r = stripe("POST", "/v1/payment_intents", data={
        "amount": total["amount"], "currency": total["currency"].lower(), "confirm": "true",
        "payment_method": payment_method(VISA)["id"], "metadata[orderId]": placed.id})
    assert r.status_code == 200, r.text
    f["stray"] = r.json()

    def refunded():
        pi = intent(f["stray"]["id"])
        return (pi, refunds_for(pi)) if pi["latest_charge"] and pi["latest_charge"]["amount_refunded"] else None

    f["stray_after"], f["stray_refunds"] = wait_until(refunded, 60, "the stray payment refunded")
    f["after"] = wait_refunds_made(placed)
    f["final"], f["settled_at"], f["execution"], f["events"] = settle(placed, aws)
    return placed


def scenario_pending_limit(seller, aws):
    """One customer's orders awaiting payment (3-D Secure never completed) up to the limit:
    one more is refused until the window has cancelled them."""
    user, pm = register("customer"), payment_method(THREE_DS)
    held = [place(seller, aws.dynamodb, THREE_DS, user=user, pm=pm) for _ in range(MAX_PENDING_ORDERS)]
    f = held[0].facts
    extra = new_product(seller)
    sku = extra["variants"][0]["sku"]
    body = order_body([{"sku": sku, "quantity": 1}], payment_method=pm["id"])
    f["refused"] = place_order(user, body)
    f["extra_stock"] = variant_stock(aws.dynamodb, extra["id"], sku)
    f["finals"] = [wait_order(p)[0] for p in held]
    f["after"] = place_order(user, body)
    return held[0]


def scenario_redelivered_pending(seller, aws):
    """The payment message delivered again while the order waits for 3-D Secure."""
    placed = place(seller, aws.dynamodb, THREE_DS)
    f = placed.facts
    f["pi"], _ = wait_intent_recorded(placed)
    wait_intent_status(f["pi"], "requires_action")
    item = order_item(aws.dynamodb, placed.id)
    f["token"] = item["taskToken"]["S"]
    f["sent_at"] = time.time()
    sent = aws.sqs.send_message(QueueUrl=PAYMENT_QUEUE,
                                MessageBody=json.dumps({"orderId": placed.id, "taskToken": f["token"]}))
    f["handled"] = worker_handled(aws, sent["MessageId"], f["sent_at"])
    f["handled_after"] = time.time() - f["sent_at"]
    time.sleep(1)
    f["intents_after"] = intents_for(placed.id)
    f["order_after"] = placed.get()
    f["item_after"] = order_item(aws.dynamodb, placed.id)
    f["final"], f["settled_at"], f["execution"], f["events"] = settle(placed, aws)
    return placed


TIMED = {
    "test_an_unauthenticated_payment_times_out_and_releases_the_stock": scenario_timeout,
    "test_a_payment_just_before_the_timeout_confirms": lambda s, a: scenario_authenticated(s, a, 4.0),
    "test_forged_stale_and_unsigned_webhooks_change_nothing": scenario_forged,
    "test_a_payment_message_redelivered_while_pending_reuses_the_intent": scenario_redelivered_pending,
    "test_a_signed_success_stripe_does_not_confirm_changes_nothing": scenario_signed_claim,
    "test_a_stray_intent_paying_for_the_order_is_refunded_and_never_confirms_it": scenario_stray_payment,
    "test_a_customer_holds_at_most_three_orders_awaiting_payment": scenario_pending_limit,
}


@pytest.fixture(scope="module", autouse=True)
def timed(request, seller, aws):
    """Starts the selected timed scenarios at once, in threads; name -> Future of a Placed."""
    selected = [item.name for item in request.session.items
                if getattr(item, "module", None) is request.module and item.name in TIMED]
    if not selected:
        yield {}
        return
    pool = ThreadPoolExecutor(len(selected), thread_name_prefix="checkout")
    futures = {name: pool.submit(TIMED[name], seller, aws) for name in selected}
    yield futures
    pool.shutdown(wait=True)


def timed_result(timed, request):
    return timed[request.node.name].result(timeout=WINDOW + 240)


# ---------------------------------------------------------------- sequential cases

def test_a_paid_order_is_confirmed_and_its_stock_sold(seller, aws):
    placed = place(seller, aws.dynamodb, VISA)

    order, settled_at, ex, events = settle(placed, aws)
    print(f"\npaid: confirmed {settled_at - placed.placed_at:.2f} s after POST /orders")

    pi_id = order["payment"]["paymentIntentId"]
    assert (order["status"], order["cancelReason"]) == ("confirmed", None), json.dumps(order)
    assert order["payment"] == payment(pi_id, "succeeded", captured=order["total"]["amount"], refunds=[]), \
        order["payment"]
    assert_history(placed, order, ("confirmed", "system:checkout", f"paid ({pi_id})"))
    assert {k: v for k, v in order.items() if k not in ("status", "payment", "history", "shipments")} == \
        {k: v for k, v in placed.order.items() if k not in ("status", "payment", "history")}
    # Confirmed with its shipment (one seller): all the order's lines, awaiting the seller.
    (shipment,) = order["shipments"]
    assert (shipment["id"], shipment["status"]) == (f"{placed.id}.{seller.seller_id}", "awaiting_fulfilment")
    assert [(l["sku"], l["quantity"]) for l in shipment["lines"]] == [(l["sku"], l["quantity"]) for l in order["lines"]]
    assert placed.stock(aws.dynamodb) == placed.sold_stock()
    (pi,) = intents_for(placed.id)
    assert pi["id"] == pi_id and pi["status"] == "succeeded"
    assert (pi["amount"], pi["currency"].lower(), pi["payment_method"]) == (order["total"]["amount"], "usd",
                                                                            placed.pm["id"])
    assert pi["latest_charge"]["amount_refunded"] == 0 and refunds_for(pi) == []
    assert len(charges_for({pi_id})) == 1
    assert_execution(ex, events, ["FraudCheck", "Pay", "Confirm"])
    assert "TaskSucceeded" in pay_events(events)
    assert_one_mail(placed, "confirmed", f"payment of {amount(order['total']['amount'])}", "the order is confirmed")


def test_a_payment_method_stripe_does_not_know_is_declined_at_once(seller, aws):
    """Stripe refuses to create the PaymentIntent (no such PaymentMethod): that is a decline,
    answered at once — the order is cancelled and its stock released, never held until the
    window ends while the worker retries."""
    placed = place(seller, aws.dynamodb, None, pm={"id": f"pm_unknown{uuid.uuid4().hex[:12]}"})

    order, settled_at, ex, events = settle(placed, aws)
    print(f"\nunknown payment method: cancelled {settled_at - placed.placed_at:.2f} s after POST /orders")

    assert (order["status"], order["cancelReason"]) == ("cancelled", "payment_declined"), json.dumps(order)
    assert order["payment"] == payment(None, "failed", refunds=[]), order["payment"]
    assert_history(placed, order, ("cancelled", "system:checkout", "payment_declined (PaymentDeclined)"))
    assert placed.stock(aws.dynamodb) == placed.released_stock()
    assert intents_for(placed.id) == []
    assert_execution(ex, events, ["FraudCheck", "Pay", "Cancel"])
    assert "TaskFailed" in pay_events(events) and "TaskTimedOut" not in pay_events(events), pay_events(events)


def test_a_declined_card_cancels_and_releases_the_stock(seller, aws):
    placed = place(seller, aws.dynamodb, DECLINED)

    order, settled_at, ex, events = settle(placed, aws)
    print(f"\ndeclined: cancelled {settled_at - placed.placed_at:.2f} s after POST /orders")

    pi_id = order["payment"]["paymentIntentId"]
    assert (order["status"], order["cancelReason"]) == ("cancelled", "payment_declined"), json.dumps(order)
    assert pi_id, order["payment"]
    assert (order["payment"]["refunded"]["amount"], order["payment"]["refunds"]) == (0, [])
    assert order["payment"]["status"] in ("failed", "canceled"), order["payment"]
    assert_history(placed, order, ("cancelled", "system:checkout", "payment_declined (PaymentDeclined)"))
    assert placed.stock(aws.dynamodb) == placed.released_stock()
    (pi,) = intents_for(placed.id)
    assert pi["id"] == pi_id and pi["status"] != "succeeded", pi["status"]
    assert pi["latest_charge"]["status"] == "failed" and pi["latest_charge"]["amount_refunded"] == 0
    assert (pi["last_payment_error"] or {}).get("code") == "card_declined", pi
    assert refunds_for(pi) == []
    print(f"declined: PaymentIntent {pi['status']}, order payment.status {order['payment']['status']}")
    assert_execution(ex, events, ["FraudCheck", "Pay", "Cancel"])
    failed = next(e for e in events if e["type"] == "TaskFailed")
    assert failed["taskFailedEventDetails"]["error"] == "PaymentDeclined", failed
    assert_one_mail(placed, "cancelled", "the payment was declined", "You have not been charged.")


def test_card_velocity_with_a_foreign_address_is_cancelled_for_review(seller, aws):
    """The card's fingerprint is this test's own (a random card number), so the count of its
    uses in the hour is exactly what the test makes it: 5 orders by 5 other customers."""
    number = "4" + "".join(random.choice("0123456789") for _ in range(15))
    fp = fingerprint(number)
    others = register_many(5)
    warmup = new_product(seller, stock=10, n_variants=1)
    for user in others:
        r = place_order(user, order_body([{"sku": warmup["variants"][0]["sku"], "quantity": 1}],
                                         payment_method=payment_method(number)["id"]))
        assert r.status_code == 201, r.text
    # The fraud check records each order's card use: wait for all five.
    deadline = time.time() + 60
    while len(uses := aws.dynamodb.query(
            TableName=TABLE, KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.card_pk(fp)}}, ConsistentRead=True)["Items"]) < 5:
        assert time.time() < deadline, f"{len(uses)} of 5 card uses recorded"
        time.sleep(0.3)
    assert len(uses) == 5

    placed = place(seller, aws.dynamodb, number, address=GB_ADDRESS)
    order, settled_at, ex, events = settle(placed, aws)
    print(f"\nfraud review: cancelled {settled_at - placed.placed_at:.2f} s after POST /orders")

    assert (order["status"], order["cancelReason"]) == ("cancelled", "fraud_review"), json.dumps(order)
    assert order["payment"] == payment(None, "none", refunds=[]), order["payment"]
    assert_history(placed, order, ("cancelled", "system:checkout", "fraud_review (FraudReview)"))
    assert placed.stock(aws.dynamodb) == placed.released_stock()
    assert intents_for(placed.id) == [], "a PaymentIntent was created for an order under review"
    assert_execution(ex, events, ["FraudCheck", "Cancel"])
    failed = next(e for e in events if e["type"] == "LambdaFunctionFailed")
    details = failed["lambdaFunctionFailedEventDetails"]
    assert details["error"] == "FraudReview", details
    cause = json.loads(details["cause"])
    assessment = json.loads(cause["errorMessage"]) if isinstance(cause, dict) and "errorMessage" in cause else cause
    print(f"fraud review: {assessment}")
    assert assessment["score"] == 75 and assessment["review"] is True, assessment
    assert [f["rule"] for f in assessment["factors"]] == [
        "account_younger_than_a_day", "card_5_orders_in_an_hour", "shipping_country_differs_from_card"], assessment
    assert_one_mail(placed, "cancelled", "we could not verify the payment", "You have not been charged.")
    # The five orders before it (FR addresses) were not reviewed.
    for user in others:
        (mine,) = customer_orders(aws.dynamodb, user)
        assert mine.get("cancelReason", {}).get("S") != "fraud_review", mine


def test_a_retried_order_after_confirmation_replays_the_first_answer_and_charges_once(seller, aws):
    placed = place(seller, aws.dynamodb, VISA)
    order, *_ = settle(placed, aws)
    assert order["status"] == "confirmed", json.dumps(order)

    again = place_order(placed.user, placed.body, placed.key)

    assert again.status_code == 201, again.text
    assert again.content == placed.response.content
    assert again.headers["location"] == f"/orders/{placed.id}"
    assert again.json()["status"] == "pending_payment"
    time.sleep(2)  # a second start or charge would have happened by now
    assert placed.get()["status"] == "confirmed"
    (pi,) = intents_for(placed.id)
    assert pi["id"] == order["payment"]["paymentIntentId"] and pi["status"] == "succeeded"
    assert len(charges_for({pi["id"]})) == 1 and refunds_for(pi) == []
    assert placed.stock(aws.dynamodb) == placed.sold_stock()
    assert [i["PK"]["S"] for i in customer_orders(aws.dynamodb, placed.user)] == [keys.order_pk(placed.id)]
    assert_one_mail(placed, "confirmed")


def test_a_payment_message_redelivered_after_confirmation_never_charges_twice(seller, aws):
    placed = place(seller, aws.dynamodb, VISA)
    order, *_ = settle(placed, aws)
    assert order["status"] == "confirmed", json.dumps(order)
    item = order_item(aws.dynamodb, placed.id)
    token = item["taskToken"]["S"]

    sent_at = time.time()
    sent = aws.sqs.send_message(QueueUrl=PAYMENT_QUEUE,
                                MessageBody=json.dumps({"orderId": placed.id, "taskToken": token}))
    handled = worker_handled(aws, sent["MessageId"], sent_at)
    print(f"\nredelivered after confirmation: the worker handled it {time.time() - sent_at:.2f} s later: {handled}")
    assert handled["order_id"] == placed.id and handled["answer"] == "None", handled
    time.sleep(1)

    assert placed.get() == order
    assert order_item(aws.dynamodb, placed.id) == item, "the redelivered message changed the order"
    (pi,) = intents_for(placed.id)
    assert pi["id"] == order["payment"]["paymentIntentId"] and pi["status"] == "succeeded"
    assert len(charges_for({pi["id"]})) == 1 and refunds_for(pi) == []
    assert placed.stock(aws.dynamodb) == placed.sold_stock()
    assert_one_mail(placed, "confirmed")


# ---------------------------------------------------------------- the timed cases' checks

def test_an_unauthenticated_payment_times_out_and_releases_the_stock(timed, request, aws):
    placed = timed_result(timed, request)
    f, order = placed.facts, placed.facts["final"]
    pay = pay_events(f["events"])
    print(f"\ntimeout: Pay entered {f['pay_at'] - placed.placed_at:.2f} s after POST, timed out "
          f"{pay.get('TaskTimedOut', float('nan')) - f['pay_at']:.2f} s after it (window {WINDOW} s); "
          f"order cancelled {f['settled_at'] - placed.placed_at:.2f} s after POST")

    assert f["pending_status"] == "pending_payment" and f["pending_stock"] == placed.reserved_stock()
    assert (order["status"], order["cancelReason"]) == ("cancelled", "payment_timeout"), json.dumps(order)
    assert order["payment"] == payment(f["pi"], "canceled", refunds=[]), order["payment"]
    assert_history(placed, order, ("cancelled", "system:checkout", "payment_timeout (States.Timeout)"))
    assert placed.stock(aws.dynamodb) == placed.released_stock()
    assert_execution(f["execution"], f["events"], ["FraudCheck", "Pay", "Cancel"])
    assert "TaskTimedOut" in pay and WINDOW - 0.1 <= pay["TaskTimedOut"] - f["pay_at"] <= WINDOW + 5, pay
    (pi,) = intents_for(placed.id)
    assert pi["id"] == f["pi"] and pi["status"] == "canceled" and pi["latest_charge"] is None, pi
    assert_one_mail(placed, "cancelled", "the payment was not completed in time", "You have not been charged.")


def test_a_payment_just_before_the_timeout_confirms(timed, request, aws):
    placed = timed_result(timed, request)
    f, order = placed.facts, placed.facts["final"]
    pay = pay_events(f["events"])
    print(f"\nrace (before): authenticated {f['auth_at'] - f['pay_at']:.2f} s after Pay was entered; task "
          f"succeeded at {pay.get('TaskSucceeded', float('nan')) - f['pay_at']:.2f} s (window {WINDOW} s)")

    assert (order["status"], order["cancelReason"]) == ("confirmed", None), json.dumps(order)
    assert f["late"] == order, "the order changed after it was confirmed"
    assert order["payment"] == payment(f["pi"], "succeeded", captured=order["total"]["amount"], refunds=[]), \
        order["payment"]
    assert_history(placed, order, ("confirmed", "system:checkout", f"paid ({f['pi']})"))
    assert placed.stock(aws.dynamodb) == placed.sold_stock()
    assert_execution(f["execution"], f["events"], ["FraudCheck", "Pay", "Confirm"])
    assert pay["TaskSucceeded"] - f["pay_at"] < WINDOW, pay
    (pi,) = intents_for(placed.id)
    assert pi["id"] == f["pi"] and pi["status"] == "succeeded"
    assert pi["latest_charge"]["amount_refunded"] == 0 and refunds_for(pi) == []
    assert_one_mail(placed, "confirmed", f"payment of {amount(order['total']['amount'])}")


def test_forged_stale_and_unsigned_webhooks_change_nothing(timed, request, aws):
    placed = timed_result(timed, request)
    f = placed.facts
    for case, r in f["refused"].items():
        problem = assert_problem(r, 400)
        assert problem["type"] == PROBLEMS + "malformed-request", (case, problem)
    before, after_refused, after_accepted = f["before"], f["after_refused"], f["after_accepted"]
    assert before[0]["status"] == "pending_payment" and before[2] == "requires_action"
    assert after_refused == before, "a refused webhook changed the order, the stock or the PaymentIntent"
    assert before[1] == placed.reserved_stock()
    assert f["accepted"].status_code == 200, f["accepted"].text
    assert f["accepted"].json() == {"received": True}
    assert after_accepted == before, "an ignored event changed something"
    # The forged success never completed the payment task: the window ran out.
    order = f["final"]
    assert (order["status"], order["cancelReason"]) == ("cancelled", "payment_timeout"), json.dumps(order)
    assert_history(placed, order, ("cancelled", "system:checkout", "payment_timeout (States.Timeout)"))
    assert placed.stock(aws.dynamodb) == placed.released_stock()
    assert_execution(f["execution"], f["events"], ["FraudCheck", "Pay", "Cancel"])
    (pi,) = intents_for(placed.id)
    assert pi["status"] == "canceled" and pi["latest_charge"] is None
    assert_one_mail(placed, "cancelled", "You have not been charged.")


def test_a_payment_message_redelivered_while_pending_reuses_the_intent(timed, request, aws):
    placed = timed_result(timed, request)
    f = placed.facts
    print(f"\nredelivered while pending: the worker handled it {f['handled_after']:.2f} s later: {f['handled']}")
    assert f["handled"]["order_id"] == placed.id and f["handled"]["answer"] == "None", f["handled"]
    assert [pi["id"] for pi in f["intents_after"]] == [f["pi"]], "a second PaymentIntent was created"
    assert f["order_after"]["status"] == "pending_payment"
    assert f["order_after"]["payment"]["paymentIntentId"] == f["pi"]
    assert f["item_after"]["taskToken"]["S"] == f["token"]
    order = f["final"]
    assert (order["status"], order["cancelReason"]) == ("cancelled", "payment_timeout"), json.dumps(order)
    assert placed.stock(aws.dynamodb) == placed.released_stock()
    (pi,) = intents_for(placed.id)
    assert pi["id"] == f["pi"] and pi["status"] == "canceled" and pi["latest_charge"] is None
    assert_execution(f["execution"], f["events"], ["FraudCheck", "Pay", "Cancel"])
    assert_one_mail(placed, "cancelled", "You have not been charged.")


def test_a_signed_success_stripe_does_not_confirm_changes_nothing(timed, request, aws):
    """The shop confirms only what Stripe, asked for the order's intent, says succeeded."""
    placed = timed_result(timed, request)
    f = placed.facts
    assert f["answer"].status_code == 200 and f["answer"].json() == {"received": True}, f["answer"].text
    assert f["after"] == ("pending_payment", "requires_action"), f["after"]
    order = f["final"]
    assert (order["status"], order["cancelReason"]) == ("cancelled", "payment_timeout"), json.dumps(order)
    assert_history(placed, order, ("cancelled", "system:checkout", "payment_timeout (States.Timeout)"))
    assert placed.stock(aws.dynamodb) == placed.released_stock()
    assert_execution(f["execution"], f["events"], ["FraudCheck", "Pay", "Cancel"])
    (pi,) = intents_for(placed.id)
    assert pi["id"] == f["pi"] and pi["status"] == "canceled" and pi["latest_charge"] is None
    assert_one_mail(placed, "cancelled", "You have not been charged.")


def test_a_stray_intent_paying_for_the_order_is_refunded_and_never_confirms_it(timed, request, aws):
    """Money taken through an intent that is not the order's own goes back in full, once, and is
    recorded on the order; the order is still paid only by its own intent (here: never)."""
    placed = timed_result(timed, request)
    f = placed.facts
    stray, total = f["stray"], placed.order["total"]["amount"]
    assert stray["status"] == "succeeded" and stray["id"] != f["pi"], stray
    assert [(r["amount"], r["payment_intent"]) for r in f["stray_refunds"]] == [(total, stray["id"])], f["stray_refunds"]
    assert f["stray_after"]["latest_charge"]["amount_refunded"] == total
    refund_id, claim_id = f["stray_refunds"][0]["id"], f"{placed.id}.stray-{stray['id']}"
    assert f["stray_refunds"][0]["metadata"] == {"shopRefundId": claim_id, "orderId": placed.id}
    reason = f"a payment {stray['id']} that is not this order's own succeeded"
    stray_entry = ("pending_payment", "system:refunds", f"refund {claim_id} of {total} USD made ({refund_id}): {reason}")
    assert f["after"]["status"] == "pending_payment", json.dumps(f["after"])
    (claim,) = f["after"]["payment"]["refunds"]
    assert (claim["id"], claim["amount"], claim["reason"], claim["status"]) == \
        (claim_id, {"amount": total, "currency": "USD"}, reason, "succeeded"), claim
    # Not the order's own payment: its captured and refunded totals are untouched.
    assert f["after"]["payment"] == payment(f["pi"], "processing", refunds=[claim]), f["after"]["payment"]
    assert_history(placed, f["after"], stray_entry)
    order = f["final"]
    assert (order["status"], order["cancelReason"]) == ("cancelled", "payment_timeout"), json.dumps(order)
    assert_history(placed, order, stray_entry, ("cancelled", "system:checkout", "payment_timeout (States.Timeout)"))
    assert placed.stock(aws.dynamodb) == placed.released_stock()
    assert_execution(f["execution"], f["events"], ["FraudCheck", "Pay", "Cancel"])
    own = intent(f["pi"])
    assert own["status"] == "canceled" and own["latest_charge"] is None, own
    item = aws.dynamodb.get_item(TableName=TABLE, Key=keys.key(keys.order_pk(placed.id), keys.refund_sk(claim_id)),
                                 ConsistentRead=True)["Item"]
    assert (item["stripeRefundId"]["S"], item["ofCapture"]["BOOL"], item["paymentIntentId"]["S"]) == \
        (refund_id, False, stray["id"]), item


def test_a_customer_holds_at_most_three_orders_awaiting_payment(timed, request, aws):
    """MaxPendingOrders (3): a fourth order awaiting payment is refused with 409 and reserves
    nothing; once the window has cancelled the three, the same order is placed."""
    placed = timed_result(timed, request)
    f = placed.facts
    problem = assert_problem(f["refused"], 409)
    assert "awaiting payment" in problem["detail"], problem
    assert f["extra_stock"] == (STOCK, 0), "the refused order reserved stock"
    assert [(o["status"], o["cancelReason"]) for o in f["finals"]] == \
        [("cancelled", "payment_timeout")] * MAX_PENDING_ORDERS, f["finals"]
    assert f["after"].status_code == 201, f["after"].text
