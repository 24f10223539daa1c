"""Shipments through the gateway: a paid order split into one shipment per seller by the
checkout saga's confirmation, shown to its customer with the order and to each seller
without anything of the customer's or of the other seller; a seller packing (ready) and
cancelling its own shipments, the order's status following; every new route refusing
other sellers, customers and anonymous callers without changing anything."""

import os
import time

import pytest

import keys
import mailbox
from conftest import approved_seller, assert_problem, partition, register
from fulfilment import PARCEL, PICKUP, paid_order, set_pickup

SELLER_VIEW_FIELDS = {"id", "orderId", "status", "createdAt", "lines", "shippingAddress", "serviceLevel", "parcels",
                      "pickupAddress", "readyAt", "handoffRunId", "carrier", "trackingNumber", "estimatedDelivery",
                      "outForDeliveryAt", "deliveredAt", "cancelReason", "restocked", "history"}
CUSTOMER_SHIPMENT_FIELDS = {"id", "sellerId", "status", "lines", "carrier", "trackingNumber", "estimatedDelivery",
                            "outForDeliveryAt", "deliveredAt", "cancelReason", "history"}


@pytest.fixture(scope="module")
def paid():
    """An order of two sellers of this module alone (no pickup address set yet)."""
    return paid_order(approved_seller(), approved_seller())


@pytest.fixture(scope="module")
def untouched(seller, other_seller):
    """An order whose shipments only refused requests are sent to."""
    return paid_order(seller, other_seller)


def own_listing(seller, order_id, status=None):
    """The seller's shipments of one order, read through GET /seller/orders page by page."""
    found, cursor = [], None
    while True:
        params = {"limit": 50, **({"status": status} if status else {}), **({"cursor": cursor} if cursor else {})}
        r = seller.api.get("/seller/orders", params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        found += [s for s in page["items"] if s["orderId"] == order_id]
        cursor = page.get("nextCursor")
        if not cursor:
            return found


def test_a_paid_order_has_one_shipment_per_seller(paid):
    order = paid.get()
    assert order["status"] == "confirmed"
    shipments = order["shipments"]
    assert [s["id"] for s in shipments] == [paid.shipment_id(paid.a), paid.shipment_id(paid.b)]
    for shipment, line, seller in zip(shipments, order["lines"], (paid.a, paid.b)):
        assert set(shipment) == CUSTOMER_SHIPMENT_FIELDS
        assert shipment["sellerId"] == seller.seller_id == line["sellerId"]
        assert shipment["status"] == "awaiting_fulfilment"
        assert [(l["sku"], l["quantity"]) for l in shipment["lines"]] == [(line["sku"], line["quantity"])]
        assert [(h["from"], h["to"], h["by"]) for h in shipment["history"]] == [
            (None, "awaiting_fulfilment", "system:checkout")]
    listed = paid.customer.api.get("/orders", params={"status": "confirmed"}).json()["items"]
    assert [o["id"] for o in listed] == [paid.id]
    assert paid.customer.api.get("/orders", params={"status": "shipped"}).json()["items"] == []
    assert_problem(paid.customer.api.get("/orders", params={"status": "posted"}), 400)


def seller_mails(seller, order_id, timeout=60):
    """The new-order mails about `order_id` in `seller`'s mailbox, once there is one."""
    deadline = time.time() + timeout
    while True:
        mails = [m for m in mailbox.mails_to(os.environ["MOTO_ENDPOINT"], seller.email)
                 if f"new order {order_id} to ship" in m["subject"]]
        if mails:
            return mails
        assert time.time() < deadline, f"no new-order mail for {seller.email} within {timeout} s"
        time.sleep(0.5)


def test_each_seller_is_mailed_its_own_lines_once(paid):
    for seller, sku, other_sku in ((paid.a, paid.a_sku, paid.b_sku), (paid.b, paid.b_sku, paid.a_sku)):
        mails = seller_mails(seller, paid.id)
        assert len(mails) == 1, [m["subject"] for m in mails]
        body = mails[0]["body"]
        quantity = 1 if seller is paid.a else 2
        assert f"{quantity} x " in body and f"(SKU {sku})" in body, body
        assert f"/seller/shipments/{paid.shipment_id(seller)}/ready" in body, body
        for secret in (other_sku, paid.customer.email, paid.order["shippingAddress"]["line1"]):
            assert secret not in body, f"{secret} in {body}"


def test_a_seller_sees_only_its_lines(paid):
    for seller, other, sku, other_sku in ((paid.a, paid.b, paid.a_sku, paid.b_sku),
                                          (paid.b, paid.a, paid.b_sku, paid.a_sku)):
        listed = own_listing(seller, paid.id)
        assert [s["id"] for s in listed] == [paid.shipment_id(seller)]
        r = seller.api.get(f"/seller/shipments/{paid.shipment_id(seller)}")
        assert r.status_code == 200, r.text
        view = r.json()
        assert set(view) == SELLER_VIEW_FIELDS
        assert [l["sku"] for l in view["lines"]] == [sku]
        assert view["shippingAddress"] == paid.order["shippingAddress"]
        for text in (r.text, str(listed)):
            for secret in (paid.customer.email, paid.customer.user_id, other_sku, other.seller_id,
                           paid.order["paymentMethodId"]):
                assert secret not in text, f"{secret} in {text}"


def test_a_seller_packs_then_cancels_and_the_order_follows(paid):
    a_id, b_id = paid.shipment_id(paid.a), paid.shipment_id(paid.b)
    problem = assert_problem(paid.b.api.post(f"/seller/shipments/{b_id}/ready", json={"parcels": [PARCEL]}), 422)
    assert [e["field"] for e in problem["errors"]] == ["pickupAddress"], "B has no pickup address"
    set_pickup(paid.a)
    r = paid.a.api.post(f"/seller/shipments/{a_id}/ready", json={"parcels": [PARCEL]})
    assert r.status_code == 200, r.text
    ready = r.json()
    assert (ready["status"], ready["parcels"], ready["pickupAddress"]) == ("ready", [PARCEL], PICKUP)
    again = paid.a.api.post(f"/seller/shipments/{a_id}/ready", json={"parcels": [PARCEL]}).json()
    assert again == ready, "the same parcels again change nothing"
    assert [s["id"] for s in own_listing(paid.a, paid.id, "ready")] == [a_id]
    assert own_listing(paid.a, paid.id, "awaiting_fulfilment") == []

    bad = {"parcels": [{**PARCEL, "weightGrams": 40000}]}
    problem = assert_problem(paid.a.api.post(f"/seller/shipments/{a_id}/ready", json=bad), 422)
    assert [e["field"] for e in problem["errors"]] == ["parcels[0].weightGrams"]
    assert_problem(paid.a.api.post(f"/seller/shipments/{a_id}/cancel", json={}), 400)

    r = paid.b.api.post(f"/seller/shipments/{b_id}/cancel", json={"reason": "damaged in the warehouse"})
    assert r.status_code == 200, r.text
    cancelled = r.json()
    assert (cancelled["status"], cancelled["restocked"], cancelled["cancelReason"]) == (
        "cancelled", True, "damaged in the warehouse")
    again = paid.b.api.post(f"/seller/shipments/{b_id}/cancel", json={"reason": "another reason"}).json()
    assert again == cancelled
    set_pickup(paid.b)
    assert_problem(paid.b.api.post(f"/seller/shipments/{b_id}/ready", json={"parcels": [PARCEL]}), 409)
    order = paid.get()
    assert order["status"] == "confirmed", "A's shipment still waits for the carrier"
    assert [s["status"] for s in order["shipments"]] == ["ready", "cancelled"]
    assert order["shipments"][1]["cancelReason"] == "damaged in the warehouse"


ROUTES = [("get", "/seller/shipments/{id}", None),
          ("post", "/seller/shipments/{id}/ready", {"parcels": [PARCEL]}),
          ("post", "/seller/shipments/{id}/cancel", {"reason": "not mine to cancel"})]


@pytest.mark.parametrize("method,route,body", ROUTES, ids=[r[1].rsplit("/", 1)[-1] for r in ROUTES])
def test_tenancy(method, route, body, untouched, paid, anon, dynamodb):
    """Another seller (with a pickup address, so nothing but ownership refuses it): 404, as a
    shipment that does not exist; the order's own customer: 403; anonymous: 401. The order's
    partition is byte-identical afterwards."""
    stranger = paid.a
    set_pickup(stranger)
    for seller in (untouched.a, untouched.b):
        path = route.format(id=untouched.shipment_id(seller))
        before = partition(dynamodb, keys.order_pk(untouched.id))
        send = lambda api: getattr(api, method)(path, **({"json": body} if body is not None else {}))  # noqa: E731
        assert_problem(send(stranger.api), 404)
        assert_problem(send(untouched.customer.api), 403)
        assert_problem(send(anon), 401)
        assert partition(dynamodb, keys.order_pk(untouched.id)) == before


def test_listing_is_for_sellers_only(customer, anon):
    assert_problem(customer.api.get("/seller/orders"), 403)
    assert_problem(anon.get("/seller/orders"), 401)
    fresh = register("seller")  # an application, not approved: it has no shipments to list
    r = fresh.api.get("/seller/orders")
    assert r.status_code == 200 and r.json()["items"] == [], r.text
    assert_problem(fresh.api.get("/seller/orders", params={"status": "lost"}), 400)
