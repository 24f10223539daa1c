"""Low-stock alerts: once per crossing, from the table's stream.

A change taking a variant's available units (onHand - reserved) from above its threshold to
at or below it flags it (`lowStockSince`, a conditional write) and alerts its seller once: a mail (read back from
moto) and a `stock.low` event on the shop's EventBridge bus (read back from an SQS queue this
test subscribes with a rule, as a seller's purchasing system would). Restocked above the
threshold, the flag is cleared and the next fall alerts again.

The flag's clearing is the barrier these tests wait for before counting: the restock is a
later write of the same item, the stream hands the indexer a variant's records in order and
the watcher's FIFO queue keeps that order, so once the restock cleared the flag every record
before it (each of the 20 orders included) has been watched.
"""

import json
import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

import keys
import mailbox
import checkout
from checkout import VISA, payment_method
from conftest import (TABLE, approved_seller, assert_problem, order_body, place_order, product_body,
                      register_many)

MOTO = os.environ["MOTO_ENDPOINT"]
BUS = os.environ["EVENT_BUS_NAME"]
THRESHOLD, REORDER, STOCK, BUYERS = 10, 40, 25, 20


def wait_until(what, check, timeout=120):
    return checkout.wait_until(check, timeout, what)


def variant_item(dynamodb, product_id, sku):
    return dynamodb.get_item(TableName=TABLE, Key=keys.key(keys.product_pk(product_id), keys.variant_sk(sku)),
                             ConsistentRead=True)["Item"]


def alerts(dynamodb, seller_id, sku):
    """The seller's stored alerts of `sku`, oldest first."""
    items = dynamodb.query(
        TableName=TABLE, ConsistentRead=True,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
        ExpressionAttributeValues={":pk": {"S": f"SELLER#{seller_id}"}, ":sk": {"S": f"STOCKALERT#{sku}#"}},
    )["Items"]
    return items


def delivered(dynamodb, seller_id, sku, count):
    found = alerts(dynamodb, seller_id, sku)
    done = all("mailedAt" in a and "publishedAt" in a for a in found)
    return found if len(found) == count and done else None


def low_stock_mails(address, sku):
    return [m for m in mailbox.mails_to(MOTO, address) if "low stock" in m["subject"] and sku in m["subject"]]


class Subscription:
    """An SQS queue subscribed to the bus's `stock.low` events of one SKU."""

    def __init__(self, sku):
        self.sqs = boto3.client("sqs")
        self.events = boto3.client("events")
        name = f"stock-low-{uuid.uuid4().hex[:10]}"
        self.url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.rule = name
        self.events.put_rule(Name=name, EventBusName=BUS, EventPattern=json.dumps(
            {"source": ["shop.inventory"], "detail-type": ["stock.low"], "detail": {"sku": [sku]}}))
        self.events.put_targets(Rule=name, EventBusName=BUS, Targets=[{"Id": "queue", "Arn": arn}])
        self.received = []

    def drain(self):
        while True:
            got = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            if not got:
                return self.received
            for m in got:
                self.received.append(json.loads(m["Body"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=m["ReceiptHandle"])

    def wait(self, count, timeout=60):
        return wait_until(f"{count} stock.low event(s)", lambda: len(self.drain()) >= count and self.received, timeout)

    def close(self):
        self.events.remove_targets(Rule=self.rule, EventBusName=BUS, Ids=["queue"])
        self.events.delete_rule(Name=self.rule, EventBusName=BUS)
        self.sqs.delete_queue(QueueUrl=self.url)


@pytest.fixture()
def subscription():
    subs = []

    def subscribe(sku):
        subs.append(Subscription(sku))
        return subs[-1]

    yield subscribe
    for s in subs:
        s.close()


def put_variant(seller, product, on_hand, **rules):
    v = product["variants"][0]
    body = {"price": v["price"]["amount"], "currency": "USD", "onHand": on_hand,
            "attributes": v["attributes"], **rules}
    r = seller.api.put(f"/products/{product['id']}/variants/{v['sku']}", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_twenty_orders_across_the_threshold_alert_once_and_a_second_fall_alerts_again(dynamodb, subscription):
    seller = approved_seller()
    body = product_body(stock=STOCK, n_variants=1, price=1500)
    body["variants"][0].update(lowStockThreshold=THRESHOLD, reorderQuantity=REORDER)
    r = seller.api.post("/products", json=body)
    assert r.status_code == 201, r.text
    product = r.json()
    sku = product["variants"][0]["sku"]
    stock = product["variants"][0]["inventory"]
    assert (stock["lowStockThreshold"], stock["reorderQuantity"], stock["lowStock"]) == (THRESHOLD, REORDER, False)
    events = subscription(sku)

    buyers = register_many(BUYERS)
    cards = [payment_method(VISA)["id"] for _ in buyers]  # cards that pay at once
    with ThreadPoolExecutor(BUYERS) as pool:
        placed = list(pool.map(
            lambda u, card: place_order(u, order_body([{"sku": sku, "quantity": 1}], payment_method=card)),
            buyers, cards))
    assert [p.status_code for p in placed] == [201] * BUYERS, [p.text for p in placed if p.status_code != 201]

    # Every order is paid: 5 units left on hand, none reserved.
    def confirmed():
        statuses = [u.api.get(f"/orders/{p.json()['id']}").json()["status"] for u, p in zip(buyers, placed)]
        return statuses.count("confirmed") == BUYERS
    wait_until("every order confirmed", confirmed, timeout=240)
    item = variant_item(dynamodb, product["id"], sku)
    assert (int(item["onHand"]["N"]), int(item["reserved"]["N"])) == (STOCK - BUYERS, 0)
    (first,) = wait_until("the first alert delivered", lambda: delivered(dynamodb, seller.seller_id, sku, 1))
    assert "lowStockSince" in variant_item(dynamodb, product["id"], sku)

    # Restocked above the threshold: the flag is cleared (the barrier: every order was watched).
    put_variant(seller, product, 40, lowStockThreshold=THRESHOLD, reorderQuantity=REORDER)
    wait_until("the flag cleared", lambda: "lowStockSince" not in variant_item(dynamodb, product["id"], sku))
    assert len(alerts(dynamodb, seller.seller_id, sku)) == 1
    (mail,) = wait_until("the low-stock mail", lambda: low_stock_mails(seller.email, sku))
    assert f"threshold of {THRESHOLD}" in mail["body"] and f"reorder quantity for it is {REORDER}" in mail["body"]
    (event,) = events.wait(1)
    detail = event["detail"]
    assert (event["source"], event["detail-type"]) == ("shop.inventory", "stock.low")
    assert detail["alertId"] == f"{sku}.1" == json.loads(first["event"]["S"])["alertId"]
    assert (detail["productId"], detail["sellerId"]) == (product["id"], seller.seller_id)
    assert (detail["threshold"], detail["reorderQuantity"]) == (THRESHOLD, REORDER)
    assert 0 <= detail["available"] <= THRESHOLD

    # A second fall (a seller's edit counts as much as an order): a second alert.
    put_variant(seller, product, 8, lowStockThreshold=THRESHOLD, reorderQuantity=REORDER)
    second = wait_until("the second alert delivered", lambda: delivered(dynamodb, seller.seller_id, sku, 2))
    assert json.loads(second[1]["event"]["S"])["available"] == 8
    put_variant(seller, product, 30, lowStockThreshold=THRESHOLD, reorderQuantity=REORDER)
    wait_until("the flag cleared again", lambda: "lowStockSince" not in variant_item(dynamodb, product["id"], sku))
    assert len(alerts(dynamodb, seller.seller_id, sku)) == 2
    assert len(wait_until("two low-stock mails", lambda: len(low_stock_mails(seller.email, sku)) >= 2
                          and low_stock_mails(seller.email, sku))) == 2
    assert [e["detail"]["alertId"] for e in events.wait(2)] == [f"{sku}.1", f"{sku}.2"]


def test_a_variant_created_at_its_threshold_alerts_only_once_it_was_above_and_falls(dynamodb, seller, subscription):
    body = product_body(stock=3, n_variants=1)
    body["variants"][0]["lowStockThreshold"] = 3
    r = seller.api.post("/products", json=body)
    assert r.status_code == 201, r.text
    product = r.json()
    sku = product["variants"][0]["sku"]
    events = subscription(sku)
    # Restocked above, then edited back down: that is the first fall. Its alert is the
    # barrier: the creation's record came before it, and no alert was written for it.
    put_variant(seller, product, 20, lowStockThreshold=3)
    put_variant(seller, product, 2, lowStockThreshold=3)
    (alert,) = wait_until("the alert", lambda: delivered(dynamodb, seller.seller_id, sku, 1))
    assert json.loads(alert["event"]["S"])["alertId"] == f"{sku}.1"
    assert json.loads(alert["event"]["S"])["available"] == 2
    assert [e["detail"]["alertId"] for e in events.wait(1)] == [f"{sku}.1"]


@pytest.mark.parametrize("rules, field", [
    ({"lowStockThreshold": -1}, "variants[0].lowStockThreshold"),
    ({"lowStockThreshold": 1_000_001}, "variants[0].lowStockThreshold"),
    ({"reorderQuantity": 0}, "variants[0].reorderQuantity"),
])
def test_bad_stock_rules_are_422(seller, rules, field):
    body = product_body(n_variants=1)
    body["variants"][0].update(rules)
    r = seller.api.post("/products", json=body)
    assert_problem(r, 422)
    assert field in [e["field"] for e in r.json()["errors"]], r.text
