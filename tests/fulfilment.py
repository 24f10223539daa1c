"""What the fulfilment tests use: a paid order of two sellers' products (placed through the
gateway, paid at localstripe, confirmed by the real checkout saga), the sellers' pickup
addresses, and their shipment ids."""

import time
import uuid

from checkout import VISA, new_product, payment_method
from conftest import order_body, place_order, register

PICKUP = {"name": "Acme Outdoor", "line1": "4 Quai de Bercy", "line2": None, "city": "Paris",
          "region": None, "postalCode": "75012", "country": "FR"}
PARCEL = {"weightGrams": 1200, "lengthMm": 300, "widthMm": 200, "heightMm": 100}


class PaidOrder:
    """A confirmed order: `a_sku` (1 unit) of seller `a`, `b_sku` (2 units) of seller `b`."""

    def __init__(self, customer, a, b, order):
        self.customer, self.a, self.b, self.order = customer, a, b, order
        self.id = order["id"]
        self.a_sku, self.b_sku = (line["sku"] for line in order["lines"])

    def shipment_id(self, seller):
        return f"{self.id}.{seller.seller_id}"

    def get(self):
        r = self.customer.api.get(f"/orders/{self.id}")
        assert r.status_code == 200, r.text
        return r.json()


def paid_order(a, b, timeout=120):
    """A fresh customer orders one product of `a` and one of `b`, pays with a card that
    succeeds, and waits until the saga confirmed the order (shipments and all)."""
    customer = register("customer")
    pa, pb = new_product(a), new_product(b)
    lines = [{"sku": pa["variants"][0]["sku"], "quantity": 1}, {"sku": pb["variants"][0]["sku"], "quantity": 2}]
    r = place_order(customer, order_body(lines, payment_method=payment_method(VISA)["id"]), str(uuid.uuid4()))
    assert r.status_code == 201, r.text
    order_id = r.json()["id"]
    deadline = time.time() + timeout
    while True:
        got = customer.api.get(f"/orders/{order_id}")
        assert got.status_code == 200, got.text
        order = got.json()
        if order["status"] == "confirmed":
            return PaidOrder(customer, a, b, order)
        assert order["status"] == "pending_payment", order
        assert time.time() < deadline, f"order {order_id} not confirmed after {timeout} s"
        time.sleep(0.25)


def set_pickup(seller, address=PICKUP):
    r = seller.api.patch("/seller/profile", json={"pickupAddress": address})
    assert r.status_code == 200, r.text
    assert r.json()["pickupAddress"] == address
