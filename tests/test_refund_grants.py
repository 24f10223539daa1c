"""An admin's refund outside any cancellation or return (`POST /admin/orders/{id}/refunds`),
with localstripe's money and moto's mails read back: the units of a parcel the carrier could
not deliver (goods and their exact tax share), a goodwill amount, never more than is left of
the capture — and a later cancellation gives back only what the goodwill left."""

import time
import uuid

import pytest

import keys
import mailbox
from checkout import MOTO, amount, wait_refunds_made
from conftest import assert_problem, partition
from fulfilment import drop_events, event_line, paid_order, sellers_with_pickup, shipped_order, wait_inbox
from refunds import stripe_money


@pytest.fixture(scope="module")
def sellers():
    return sellers_with_pickup()


def grant(admin, order_id, **body):
    return admin.api.post(f"/admin/orders/{order_id}/refunds", json=body)


def refund_mails(paid, timeout=60):
    deadline = time.time() + timeout
    while not (mails := [m for m in mailbox.mails_to(MOTO, paid.customer.email)
                         if m["subject"].endswith(f"a refund for order {paid.id}")]):
        assert time.time() < deadline, f"no refund mail within {timeout} s"
        time.sleep(0.5)
    return mails


def test_an_undelivered_parcel_is_refunded_exactly_then_a_goodwill_amount_within_what_is_left(
        sellers, admin, dynamodb):
    a, b = sellers
    shipped = shipped_order(a, b)  # A 1 x 25.00, B 2 x 25.00, 20 % tax, free shipping: 90.00
    total = shipped.order["total"]["amount"]
    a_id, b_id = shipped.shipment_id(a), shipped.shipment_id(b)
    tracking = f"CR{uuid.uuid4().int % 10**9:09d}FR"
    etag = drop_events(f"{shipped.id}.jsonl", [
        event_line(a_id, "delivered", tracking, f"{a_id}-1", minutes_ago=20),
        event_line(b_id, "delivery_failed", tracking, f"{b_id}-1", minutes_ago=10)])
    wait_inbox(dynamodb, etag)
    assert [s["status"] for s in shipped.get()["shipments"]] == ["delivered", "delivery_failed"]

    # B's parcel came back: its 2 units (50.00) and their share of the tax (10.00).
    b_sku = shipped.order["lines"][1]["sku"]
    r = grant(admin, shipped.id, reason="the carrier could not deliver the parcel",
              lines=[{"sku": b_sku, "quantity": 2}])
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["id"], first["amount"]["amount"], first["status"]) == (f"{shipped.id}.grant-1", 6_000, "pending")
    order = wait_refunds_made(shipped)
    (made,) = order["payment"]["refunds"]
    assert (made["id"], made["status"]) == (first["id"], "succeeded")
    assert order["payment"]["status"] == "partially_refunded"
    assert stripe_money(shipped.id) == (total - 6_000, [(6_000, {"shopRefundId": first["id"], "orderId": shipped.id})])
    (mail,) = refund_mails(shipped)
    assert f"refunded {amount(6_000)} of your order {shipped.id}" in mail["body"], mail["body"]

    # The same units twice, or more than is left of the capture: 422, nothing written.
    before = partition(dynamodb, keys.order_pk(shipped.id))
    again = assert_problem(grant(admin, shipped.id, reason="twice", lines=[{"sku": b_sku, "quantity": 1}]), 422)
    assert "refunded already" in again["errors"][0]["message"], again
    over = assert_problem(grant(admin, shipped.id, reason="too much", amount=total - 6_000 + 1), 422)
    assert f"only {total - 6_000}" in over["errors"][0]["message"], over
    assert partition(dynamodb, keys.order_pk(shipped.id)) == before

    # A goodwill amount within what is left.
    r = grant(admin, shipped.id, reason="sorry for the wait", amount=500)
    assert r.status_code == 201, r.text
    assert r.json()["id"] == f"{shipped.id}.grant-2"
    order = wait_refunds_made(shipped, count=2)
    assert order["payment"]["refunded"]["amount"] == 6_500
    assert stripe_money(shipped.id)[0] == total - 6_500


def test_a_cancellation_after_a_goodwill_amount_gives_back_only_what_is_left(sellers, admin):
    a, b = sellers
    paid = paid_order(a, b)
    total = paid.order["total"]["amount"]
    r = grant(admin, paid.id, reason="a price match", amount=total - 200)
    assert r.status_code == 201, r.text
    wait_refunds_made(paid)
    r = paid.customer.api.post(f"/orders/{paid.id}/cancel", json={"reason": "changed my mind"})
    assert r.status_code == 200, r.text
    order = wait_refunds_made(paid, count=2)
    cancel = next(x for x in order["payment"]["refunds"] if x["id"] == f"{paid.id}.cancel")
    assert (cancel["amount"]["amount"], cancel["status"]) == (200, "succeeded")
    assert order["payment"]["refunded"]["amount"] == total
    assert stripe_money(paid.id)[0] == 0


def test_only_an_admin_grants_and_bad_bodies_are_refused(sellers, customer, anon, admin, dynamodb):
    a, b = sellers
    paid = paid_order(a, b)
    before = partition(dynamodb, keys.order_pk(paid.id))
    body = {"reason": "x", "amount": 100}
    assert_problem(grant(paid.customer, paid.id, **body), 403)
    assert_problem(grant(customer, paid.id, **body), 403)
    assert_problem(grant(a, paid.id, **body), 403)
    assert anon.post(f"/admin/orders/{paid.id}/refunds", json=body).status_code == 401
    assert_problem(grant(admin, paid.id, reason="x"), 422)
    assert_problem(grant(admin, paid.id, reason="x", amount=100, shipping=True), 422)
    assert_problem(grant(admin, paid.id, reason="", amount=0), 422)
    assert_problem(grant(admin, paid.id, reason="x", lines=[{"sku": "NOPE-1", "quantity": 1}]), 422)
    assert_problem(grant(admin, paid.id, amount=100), 400)
    assert_problem(grant(admin, paid.id, reason="x", amount="100"), 400)
    assert partition(dynamodb, keys.order_pk(paid.id)) == before
    assert_problem(grant(admin, "0192f1c4-aaaa-7bbb-8ccc-000000000000", **body), 404)
