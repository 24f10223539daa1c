"""Cancellations through the gateway, with localstripe's money and moto's mails read back:
a customer cancels an order awaiting 3-D Secure (the checkout ends it through its own path),
races the payment (one outcome, refunded once if charged), cancels a paid order (everything
refunded, stock back, sellers told) and is refused once the carrier has any of it; a seller
cancels its shipment of a two-seller order (its lines refunded exactly, the other shipment
delivered as usual); the route refuses everyone but the order's customer and admins."""

import threading
import time
import uuid

import pytest

import keys
import mailbox
from checkout import (MOTO, THREE_DS, amount, assert_execution, assert_history, assert_one_mail, aws_clients,
                      intent, pay_events, payment, place, settle, stripe, wait_intent_recorded, wait_intent_status,
                      wait_refunds_made)
from conftest import assert_problem, partition, variant_stock
from fulfilment import (drop_events, event_line, invoke_handoff, manifest, paid_order, ready, sellers_with_pickup,
                        shipped_order, slot, wait_inbox)
from refunds import stripe_money


@pytest.fixture(scope="module")
def aws():
    return aws_clients()


@pytest.fixture(scope="module")
def sellers():
    return sellers_with_pickup()


def cancel(user, order_id, reason="changed my mind"):
    return user.api.post(f"/orders/{order_id}/cancel", json={"reason": reason})


def stock(dynamodb, paid):
    """(onHand, reserved) of each line's variant, in line order."""
    return [variant_stock(dynamodb, l["productId"], l["sku"]) for l in paid.order["lines"]]


def customer_mails(paid, subject_end, timeout=60):
    """The customer's mails whose subject ends so, once one arrived."""
    deadline = time.time() + timeout
    while not (mails := [m for m in mailbox.mails_to(MOTO, paid.customer.email) if m["subject"].endswith(subject_end)]):
        assert time.time() < deadline, f"no mail '{subject_end}' within {timeout} s"
        time.sleep(0.5)
    return mails


def seller_mails(seller, order_id, subject_end):
    return [m for m in mailbox.mails_to(MOTO, seller.email)
            if f"order {order_id}" in m["subject"] and m["subject"].endswith(subject_end)]


def test_a_customer_cancels_while_3ds_waits_and_the_checkout_ends_once(seller, aws):
    placed = place(seller, aws.dynamodb, THREE_DS)
    pi_id, _ = wait_intent_recorded(placed)
    wait_intent_status(pi_id, "requires_action")

    r = cancel(placed.user, placed.id)
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "pending_payment", "the checkout finishes it"
    order, _, ex, events = settle(placed, aws)

    assert (order["status"], order["cancelReason"]) == ("cancelled", "customer_cancelled"), order
    assert intent(pi_id)["status"] == "canceled", "the intent can no longer charge"
    assert placed.stock(aws.dynamodb) == placed.released_stock(), "the reservation released once"
    assert_execution(ex, events, ["FraudCheck", "Pay", "Cancel"])
    pay = pay_events(events)
    assert "TaskFailed" in pay and "TaskTimedOut" not in pay, pay
    assert_history(placed, order,
                   ("pending_payment", f"customer:{placed.user.user_id}", "cancellation requested: changed my mind"),
                   ("cancelled", "system:checkout", "customer_cancelled (CustomerCancelled)"))
    assert order["payment"] == payment(pi_id, "canceled", refunds=[]), order["payment"]
    assert stripe_money(placed.id) == (0, [])
    assert_one_mail(placed, "cancelled", "because you asked us to", "You have not been charged.")
    again = cancel(placed.user, placed.id, "again")
    assert again.status_code == 200 and again.json()["status"] == "cancelled", again.text


@pytest.mark.parametrize("head_start", [-0.2, 0.0, 0.2], ids=["cancel-first", "together", "pay-first"])
def test_a_cancel_racing_the_payment_has_one_outcome(seller, aws, head_start):
    """The customer passes 3-D Secure and cancels at (nearly) the same moment: whichever
    wins, the order ends cancelled, its stock released once, and Stripe keeps nothing — a
    charge that went through is refunded exactly once."""
    placed = place(seller, aws.dynamodb, THREE_DS)
    pi_id, _ = wait_intent_recorded(placed)
    wait_intent_status(pi_id, "requires_action")
    secret = intent(pi_id)["client_secret"]
    answers = {}

    def pay():
        time.sleep(max(0.0, head_start))
        answers["pay"] = stripe("POST", f"/v1/payment_intents/{pi_id}/_authenticate",
                                data={"client_secret": secret, "success": "true"}).status_code

    def cancel_it():
        time.sleep(max(0.0, -head_start))
        answers["cancel"] = cancel(placed.user, placed.id).status_code

    threads = [threading.Thread(target=pay), threading.Thread(target=cancel_it)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Cancelled while it waited (202), or once it was paid (200): both end cancelled.
    assert answers["cancel"] in (200, 202), answers
    order, _, _, _ = settle(placed, aws)
    charged = intent(pi_id)["status"] == "succeeded"
    if charged:
        order = wait_refunds_made(placed)
    print(f"\nrace ({head_start:+.1f} s): cancel answered {answers['cancel']}, payment "
          f"{'went through and was refunded' if charged else 'never charged'}")
    assert (order["status"], order["cancelReason"]) == ("cancelled", "customer_cancelled"), order
    assert placed.stock(aws.dynamodb) == placed.released_stock()
    kept, refunds = stripe_money(placed.id)
    assert kept == 0, f"Stripe keeps {kept} of a cancelled order"
    assert len(refunds) == (1 if charged else 0), refunds
    assert [r["status"] for r in order["payment"]["refunds"]] == (["succeeded"] if charged else [])


def test_a_paid_order_cancelled_before_hand_over_is_refunded_whole_and_restocked(sellers, aws):
    a, b = sellers
    paid = paid_order(a, b)
    sold = stock(aws.dynamodb, paid)
    total = paid.order["total"]["amount"]

    r = cancel(paid.customer, paid.id, "found it cheaper")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["status"], body["cancelReason"]) == ("cancelled", "customer_cancelled")
    assert [s["status"] for s in body["shipments"]] == ["cancelled", "cancelled"]
    after = stock(aws.dynamodb, paid)
    assert after == [(on + l["quantity"], res) for (on, res), l in zip(sold, paid.order["lines"])], (sold, after)

    order = wait_refunds_made(paid)
    (claim,) = order["payment"]["refunds"]
    assert (claim["id"], claim["amount"]["amount"], claim["status"]) == (f"{paid.id}.cancel", total, "succeeded")
    pi_id = order["payment"]["paymentIntentId"]
    assert order["payment"] == payment(pi_id, "refunded", captured=total, refunded=total, refunds=[claim])
    assert stripe_money(paid.id) == (0, [(total, {"shopRefundId": f"{paid.id}.cancel", "orderId": paid.id})])
    (mail,) = customer_mails(paid, f"order {paid.id} cancelled")
    for phrase in ("because you asked us to", f"The {amount(total)} you paid has been refunded"):
        assert phrase in mail["body"], mail["body"]
    for seller in (a, b):
        mailbox.wait_for(MOTO, seller.email, 1)
        deadline = time.time() + 60
        while not (told := seller_mails(seller, paid.id, "cancelled, do not ship")):
            assert time.time() < deadline, f"seller {seller.email} not told"
            time.sleep(0.5)
        assert len(told) == 1, told
        view = seller.api.get(f"/seller/shipments/{paid.shipment_id(seller)}").json()
        assert (view["status"], view["restocked"]) == ("cancelled", True), view


def test_once_the_carrier_has_any_of_it_the_order_is_not_cancelled(sellers, dynamodb):
    a, b = sellers
    shipped = shipped_order(a, b)
    before = partition(dynamodb, keys.order_pk(shipped.id))
    problem = assert_problem(cancel(shipped.customer, shipped.id, "too late"), 409)
    assert "handed_over" in problem["detail"] and "/returns" in problem["detail"], problem
    assert partition(dynamodb, keys.order_pk(shipped.id)) == before
    assert stripe_money(shipped.id)[1] == []


def test_a_seller_cancels_its_shipment_and_the_other_is_delivered(sellers, aws):
    a, b = sellers
    paid = paid_order(a, b)
    total = paid.order["total"]["amount"]
    (_, sold_b) = stock(aws.dynamodb, paid)
    b_id, a_id = paid.shipment_id(b), paid.shipment_id(a)

    r = b.api.post(f"/seller/shipments/{b_id}/cancel", json={"reason": "out of stock"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["restocked"]) == ("cancelled", True)
    assert stock(aws.dynamodb, paid)[1] == (sold_b[0] + 2, sold_b[1]), "B's 2 units back on sale"
    # B's goods (2 × 25.00) and their share of the 20 % tax (10.00); no shipping to give back.
    order = wait_refunds_made(paid)
    (claim,) = order["payment"]["refunds"]
    assert (claim["id"], claim["amount"]["amount"], claim["status"]) == (f"{paid.id}.ship-{b.seller_id}", 6_000,
                                                                        "succeeded")
    assert order["status"] == "confirmed" and order["payment"]["status"] == "partially_refunded", order
    assert stripe_money(paid.id) == (total - 6_000, [(6_000, {"shopRefundId": claim["id"], "orderId": paid.id})])
    (told,) = customer_mails(paid, f"part of order {paid.id} was cancelled")
    assert f"{amount(6_000)} is refunded" in told["body"], told["body"]

    # A's shipment goes on: packed, handed over, delivered.
    ready(a, a_id)
    out = invoke_handoff(slot())
    lines, _ = manifest(out["runId"])
    assert a_id in {l["shipmentId"] for l in lines} and b_id not in {l["shipmentId"] for l in lines}
    tracking = f"CR{uuid.uuid4().int % 10**9:09d}FR"
    etag = drop_events(f"{paid.id}.jsonl", [
        event_line(a_id, "collected", tracking, f"{a_id}-1", minutes_ago=30),
        event_line(a_id, "delivered", tracking, f"{a_id}-2", minutes_ago=10)])
    wait_inbox(aws.dynamodb, etag)
    order = paid.get()
    assert order["status"] == "delivered", order["status"]
    assert [s["status"] for s in order["shipments"]] == ["delivered", "cancelled"]
    assert stripe_money(paid.id)[0] == total - 6_000

    # Units the seller says are lost are refunded, not put back on sale.
    other = paid_order(a, b)
    sold = stock(aws.dynamodb, other)
    r = a.api.post(f"/seller/shipments/{other.shipment_id(a)}/cancel", json={"reason": "dropped", "lost": True})
    assert r.status_code == 200 and r.json()["restocked"] is False, r.text
    assert stock(aws.dynamodb, other)[0] == sold[0]
    (lost,) = wait_refunds_made(other)["payment"]["refunds"]
    assert lost["amount"]["amount"] == 2_500 + 500


def test_tenancy(sellers, customer, admin, anon, dynamodb):
    """Another customer and a seller of the order: 404, as an order that does not exist;
    anonymous: 401; a body without a reason: 400 before anything is read. Nothing changes."""
    a, b = sellers
    paid = paid_order(a, b)
    pk = keys.order_pk(paid.id)
    before = partition(dynamodb, pk)
    assert_problem(cancel(customer, paid.id), 404)
    assert_problem(cancel(a, paid.id), 404)
    assert_problem(anon.post(f"/orders/{paid.id}/cancel", json={"reason": "x"}), 401)
    assert_problem(paid.customer.api.post(f"/orders/{paid.id}/cancel", json={}), 400)
    problem = assert_problem(paid.customer.api.post(f"/orders/{paid.id}/cancel", json={"reason": " "}), 422)
    assert [e["field"] for e in problem["errors"]] == ["reason"]
    assert partition(dynamodb, pk) == before
    assert stripe_money(paid.id)[1] == []
    # An admin may, for any order (a reason is always required).
    r = admin.api.post(f"/orders/{paid.id}/cancel", json={"reason": "chargeback risk"})
    assert r.status_code == 200 and r.json()["cancelReason"] == "admin_cancelled", r.text
