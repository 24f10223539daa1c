"""Returns (RMA) through the gateway, the carrier's delivery played by event files and the
money read back from localstripe: a customer returns 2 units of a delivered shipment, the
seller approves and receives them (one damaged), one unit goes back on sale and both are
refunded to the minor unit; a request outside the window or for more than was delivered is
422; two requests for the same units at once: one 201, one 409; every route refuses the
wrong callers without changing anything.

The orders (fulfilment.paid_order): A 1 × 25.00, B 2 × 25.00 USD to France (20 %): total
90.00, B's tax share 10.00 (5.00 a unit)."""

import threading
import uuid

import pytest

import keys
import mailbox
from checkout import MOTO, amount, wait_refunds_made, wait_until
from conftest import assert_problem, partition, variant_stock
from fulfilment import drop_events, event_line, sellers_with_pickup, shipped_order, wait_inbox
from refunds import stripe_money


@pytest.fixture(scope="module")
def sellers():
    return sellers_with_pickup()


def delivered_order(a, b, dynamodb, days_ago=1):
    """A paid order whose two shipments the carrier collected and delivered `days_ago` days
    ago (its event file says so)."""
    paid = shipped_order(a, b)
    lines = []
    for seller in (a, b):
        sid = paid.shipment_id(seller)
        tracking = f"CR{uuid.uuid4().int % 10**9:09d}FR"
        lines += [event_line(sid, "collected", tracking, f"{sid}-c", minutes_ago=days_ago * 1440 + 60),
                  event_line(sid, "delivered", tracking, f"{sid}-d", minutes_ago=days_ago * 1440)]
    wait_inbox(dynamodb, drop_events(f"{paid.id}-delivered.jsonl", lines))
    assert paid.get()["status"] == "delivered"
    return paid


def ask(paid, lines):
    return paid.customer.api.post(f"/orders/{paid.id}/returns", json={"lines": lines})


def mail_to(user, subject_end):
    def found():
        return [m for m in mailbox.mails_to(MOTO, user.email) if m["subject"].endswith(subject_end)]
    return wait_until(found, 60, f"a mail '{subject_end}' to {user.email}")


def test_two_units_back_one_damaged_one_restocked_both_refunded_exactly(sellers, dynamodb):
    a, b = sellers
    paid = delivered_order(a, b, dynamodb)
    total = paid.order["total"]["amount"]
    b_line = paid.order["lines"][1]
    r = ask(paid, [{"sku": paid.b_sku, "quantity": 2, "reason": "too small"}])
    assert r.status_code == 201, r.text
    (ret,) = r.json()
    rid = f"{paid.shipment_id(b)}.r1"
    assert (ret["id"], ret["status"], [(l["sku"], l["quantity"]) for l in ret["lines"]]) == \
        (rid, "requested", [(paid.b_sku, 2)])
    mail_to(b, f"return {rid} requested (order {paid.id})")

    r = b.api.post(f"/returns/{rid}/decision", json={"decision": "approve", "reason": "within the policy"})
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text
    mail_to(paid.customer, f"return {rid} approved (order {paid.id})")

    on_hand, reserved = variant_stock(dynamodb, b_line["productId"], paid.b_sku)
    r = b.api.post(f"/returns/{rid}/receipt",
                   json={"lines": [{"sku": paid.b_sku, "receivedQuantity": 2, "damagedQuantity": 1}]})
    assert r.status_code == 200 and r.json()["status"] == "received", r.text
    assert variant_stock(dynamodb, b_line["productId"], paid.b_sku) == (on_hand + 1, reserved), "the undamaged one"

    # Both units came back: 2 × 25.00 and their 10.00 of tax; shipping (none here) is never refunded.
    order = wait_refunds_made(paid)
    (claim,) = order["payment"]["refunds"]
    assert (claim["id"], claim["amount"]["amount"], claim["status"]) == (f"{paid.id}.rma-{rid}", 6_000, "succeeded")
    assert (order["status"], order["payment"]["status"], order["payment"]["refunded"]["amount"]) == \
        ("partially_returned", "partially_refunded", 6_000)
    assert stripe_money(paid.id) == (total - 6_000, [(6_000, {"shopRefundId": claim["id"], "orderId": paid.id})])
    (mail,) = mail_to(paid.customer, f"return {rid} received (order {paid.id})")
    assert f"{amount(6_000)} is refunded" in mail["body"], mail["body"]

    listed = paid.customer.api.get(f"/orders/{paid.id}/returns").json()
    assert [(x["id"], x["status"]) for x in listed] == [(rid, "refunded")]
    mine = b.api.get("/seller/returns", params={"status": "refunded", "limit": 50}).json()
    assert rid in [x["id"] for x in mine["items"]]
    received = [(l["sku"], l["receivedQuantity"], l["damagedQuantity"]) for l in listed[0]["lines"]]
    assert received == [(paid.b_sku, 2, 1)]


def test_outside_the_window_or_more_than_delivered_is_refused(sellers, dynamodb):
    a, b = sellers
    old = delivered_order(a, b, dynamodb, days_ago=31)
    problem = assert_problem(ask(old, [{"sku": old.b_sku, "quantity": 1, "reason": "late"}]), 422)
    ((field, message),) = [(e["field"], e["message"]) for e in problem["errors"]]
    assert field == "lines[0].sku" and "return window closed" in message, problem
    recent = delivered_order(a, b, dynamodb)
    problem = assert_problem(ask(recent, [{"sku": recent.b_sku, "quantity": 3, "reason": "all"}]), 422)
    assert [(e["field"], e["message"]) for e in problem["errors"]] == \
        [("lines[0].quantity", "more than delivered: 2 delivered")]
    assert recent.customer.api.get(f"/orders/{recent.id}/returns").json() == []


def test_two_requests_for_the_same_units_at_once_one_201_one_409(sellers, dynamodb):
    a, b = sellers
    paid = delivered_order(a, b, dynamodb)
    barrier, statuses = threading.Barrier(2), []

    def request():
        barrier.wait()
        statuses.append(ask(paid, [{"sku": paid.b_sku, "quantity": 2, "reason": "both"}]).status_code)

    threads = [threading.Thread(target=request) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 409], statuses
    assert len(paid.customer.api.get(f"/orders/{paid.id}/returns").json()) == 1


def test_tenancy(sellers, customer, anon, dynamodb):
    """Another customer, another seller, the order's customer on a seller's route, anonymous
    callers: 404, 403 or 401, and the order's partition is byte-identical afterwards."""
    a, b = sellers
    paid = delivered_order(a, b, dynamodb)
    r = ask(paid, [{"sku": paid.b_sku, "quantity": 1, "reason": "tenancy"}])
    assert r.status_code == 201, r.text
    rid = r.json()[0]["id"]
    pk = keys.order_pk(paid.id)
    before = partition(dynamodb, pk)
    body = {"lines": [{"sku": paid.b_sku, "quantity": 1, "reason": "not mine"}]}
    decision = {"decision": "approve", "reason": "not mine"}
    receipt = {"lines": [{"sku": paid.b_sku, "receivedQuantity": 1, "damagedQuantity": 0}]}
    assert_problem(customer.api.post(f"/orders/{paid.id}/returns", json=body), 404)
    assert_problem(b.api.post(f"/orders/{paid.id}/returns", json=body), 404)
    assert_problem(anon.post(f"/orders/{paid.id}/returns", json=body), 401)
    assert_problem(customer.api.get(f"/orders/{paid.id}/returns"), 404)
    assert_problem(anon.get(f"/orders/{paid.id}/returns"), 401)
    assert_problem(customer.api.get("/seller/returns"), 403)
    assert_problem(anon.get("/seller/returns"), 401)
    for path, payload in ((f"/returns/{rid}/decision", decision), (f"/returns/{rid}/receipt", receipt)):
        assert_problem(a.api.post(path, json=payload), 404)
        assert_problem(paid.customer.api.post(path, json=payload), 403)
        assert_problem(anon.post(path, json=payload), 401)
    assert rid not in [x["id"] for x in a.api.get("/seller/returns").json()["items"]]
    assert partition(dynamodb, pk) == before
    assert stripe_money(paid.id)[1] == []
