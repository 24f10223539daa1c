"""What the review tests use: customers whose orders of one product the carrier delivered
(ordered through the gateway, paid at localstripe, confirmed by the saga, packed by the seller,
handed over by a collection slot, and delivered by the carrier's event file), and the reviews
of a product read back from the table."""

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import keys
from checkout import VISA, new_product, payment_method
from conftest import TABLE, order_body, place_order, register_many
from fulfilment import drop_events, event_line, invoke_handoff, ready, slot, wait_inbox


class Delivered:
    """`buyers[i]` bought one unit of `product` (a new product of `seller`) in
    `orders[i]`, shipped as `shipments[i]` and delivered."""

    def __init__(self, seller, product, buyers, orders):
        self.seller, self.product, self.buyers, self.orders = seller, product, buyers, orders
        self.id = product["id"]
        self.shipments = [f"{o}.{seller.seller_id}" for o in orders]


def _confirmed(buyer, order_id, timeout=180):
    deadline = time.time() + timeout
    while True:
        order = buyer.api.get(f"/orders/{order_id}").json()
        if order["status"] == "confirmed":
            return
        assert order["status"] == "pending_payment", order
        assert time.time() < deadline, f"order {order_id} not confirmed after {timeout} s"
        time.sleep(0.3)


def delivered_buyers(seller, dynamodb, n):
    """`n` fresh customers, each with a delivered order of one unit of one new product of
    `seller` (who has a pickup address)."""
    product = new_product(seller, stock=n + 5, n_variants=1)
    sku = product["variants"][0]["sku"]
    buyers = register_many(n)

    def order(buyer):
        body = order_body([{"sku": sku, "quantity": 1}], payment_method=payment_method(VISA)["id"])
        r = place_order(buyer, body, str(uuid.uuid4()))
        assert r.status_code == 201, r.text
        _confirmed(buyer, r.json()["id"])
        return r.json()["id"]

    with ThreadPoolExecutor(8) as pool:
        orders = list(pool.map(order, buyers))
    delivered = Delivered(seller, product, buyers, orders)
    for shipment in delivered.shipments:
        ready(seller, shipment)
    out = invoke_handoff(slot())
    assert out["outcome"] == "written", out
    lines = []
    for shipment in delivered.shipments:
        tracking = f"CR{uuid.uuid4().int % 10**9:09d}FR"
        lines += [event_line(shipment, "collected", tracking, f"{shipment}-c", minutes_ago=120),
                  event_line(shipment, "delivered", tracking, f"{shipment}-d", minutes_ago=60)]
    wait_inbox(dynamodb, drop_events(f"reviews-{uuid.uuid4().hex}.jsonl", lines))
    for buyer, order_id in zip(buyers, orders):
        assert buyer.api.get(f"/orders/{order_id}").json()["status"] == "delivered"
    return delivered


def stored_reviews(dynamodb, partition_key):
    """Every review item of a subject (keys.product_reviews_pk or keys.seller_reviews_pk)."""
    items, start = [], {}
    while True:
        page = dynamodb.query(TableName=TABLE, KeyConditionExpression="PK = :pk AND begins_with(SK, :r)",
                              ExpressionAttributeValues={":pk": {"S": partition_key}, ":r": {"S": keys.REVIEW_PREFIX}},
                              ConsistentRead=True, **start)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def histogram_of(items):
    """The 1-to-5-star histogram the approved reviews among `items` make."""
    histogram = [0] * 5
    for item in items:
        if item["status"]["S"] == "approved":
            histogram[int(item["content"]["M"]["stars"]["N"]) - 1] += 1
    return histogram
