"""What the fulfilment tests use: a paid order of two sellers' products (placed through the
gateway, paid at localstripe, confirmed by the real checkout saga), the sellers' pickup
addresses and their shipment ids; and the carrier's side, played by the test: a collection
slot's hand-off invoked as the schedule would, and the manifest read from S3 as the carrier
reads it."""

import json
import math
import os
import time
import uuid
from datetime import datetime, timezone

import boto3
from botocore.config import Config

from checkout import VISA, new_product, payment_method
import keys
from conftest import ROOT, TABLE, approved_seller, order_body, place_order, register

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


def sellers_with_pickup():
    """Two approved sellers, each with a pickup address: the two sides of `paid_order`."""
    a, b = approved_seller(), approved_seller()
    for s in (a, b):
        set_pickup(s)
    return a, b


def set_pickup(seller, address=PICKUP):
    r = seller.api.patch("/seller/profile", json={"pickupAddress": address})
    assert r.status_code == 200, r.text
    assert r.json()["pickupAddress"] == address


# ---------------------------------------------------------------- the carrier's side

def slot():
    """A collection slot of this test alone: the next whole second after now, once it has
    passed. Every shipment packed before the call is packed before the slot; no two calls
    share a slot (a run id)."""
    at = math.floor(time.time()) + 1
    time.sleep(max(0.0, at - time.time()) + 0.05)
    return datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def run_id(slot_time):
    return slot_time.replace("-", "").replace(":", "")


_lambda = None


def invoke_handoff(slot_time):
    """The schedule's invocation of the hand-off for `slot_time`, made by the test (the local
    schedule is disabled): events/carrier-handoff.json with that time."""
    global _lambda
    if _lambda is None:
        _lambda = boto3.client("lambda", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                               config=Config(read_timeout=900, retries={"total_max_attempts": 1}))
    event = json.loads((ROOT / "events/carrier-handoff.json").read_text())
    event["time"] = slot_time
    out = _lambda.invoke(FunctionName=os.environ["CARRIER_HANDOFF_FUNCTION"], Payload=json.dumps(event).encode())
    payload = out["Payload"].read()
    assert "FunctionError" not in out, payload
    return json.loads(payload)


def manifest(run):
    """The run's manifest as the carrier reads it: its lines, and the object's head."""
    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    obj = s3.get_object(Bucket=os.environ["CARRIER_BUCKET"], Key=f"carrier/outbox/{run}.jsonl")
    text = obj["Body"].read().decode()
    assert text == "" or text.endswith("\n"), "newline-terminated lines"
    lines = [json.loads(line) for line in text.split("\n")[:-1]] if text else []
    ids = [l["shipmentId"] for l in lines]
    assert len(ids) == len(set(ids)), "a shipment twice on one manifest"
    return lines, {"etag": obj["ETag"], "lastModified": obj["LastModified"]}


def ready(seller, shipment_id, parcels=None):
    r = seller.api.post(f"/seller/shipments/{shipment_id}/ready", json={"parcels": parcels or [PARCEL]})
    assert r.status_code == 200, r.text
    return r.json()


def clone(dynamodb, paid, seller, n):
    """`n` copies of the order's item and of `seller`'s ready shipment, each under a new order
    id (the stored items as Rust wrote them, the id replaced throughout): n ready shipments
    without n sagas. The copies are confirmed orders, which the checkout's stream starter
    leaves alone (it starts only orders inserted awaiting payment)."""
    source = [dynamodb.get_item(TableName=TABLE, Key=keys.key(keys.order_pk(paid.id), sk), ConsistentRead=True)["Item"]
              for sk in (keys.ORDER_SK, keys.shipment_sk(seller.seller_id))]
    ids = []
    for start in range(0, n, 12):  # 12 orders = 24 items, under BatchWriteItem's 25
        batch = []
        for _ in range(min(12, n - start)):
            new_id = str(uuid.uuid4())
            ids.append(f"{new_id}.{seller.seller_id}")
            # Marked: copies no saga paid for, which the reconciliation leaves aside.
            batch += [{"PutRequest": {"Item": {**json.loads(json.dumps(item).replace(paid.id, new_id)),
                                               "clonedFrom": {"S": paid.id}}}}
                      for item in source]
        while batch:
            left = dynamodb.batch_write_item(RequestItems={TABLE: batch}).get("UnprocessedItems", {})
            batch = left.get(TABLE, [])
    return ids


def shipped_order(a, b):
    """A paid order of `a` and `b` (both with a pickup address) whose two shipments are packed
    and handed to the carrier by a slot of its own."""
    paid = paid_order(a, b)
    for seller in (a, b):
        ready(seller, paid.shipment_id(seller))
    out = invoke_handoff(slot())
    assert out["outcome"] == "written", out
    lines, _ = manifest(out["runId"])
    assert {paid.shipment_id(a), paid.shipment_id(b)} <= {l["shipmentId"] for l in lines}
    return paid


def event_line(shipment_id, event, tracking, event_id, minutes_ago=60):
    """One line of a carrier event file, as README's contract spells it."""
    at = datetime.fromtimestamp(time.time() - minutes_ago * 60, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"shipmentId": shipment_id, "event": event, "at": at, "trackingNumber": tracking,
                       "eventId": event_id}, separators=(",", ":"))


def drop_events(name, lines):
    """The carrier puts an event file in its inbox; answers the object's ETag (bare)."""
    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    out = s3.put_object(Bucket=os.environ["CARRIER_BUCKET"], Key=f"carrier/inbox/{name}",
                        Body="\n".join(lines).encode(), ContentType="application/x-ndjson")
    return out["ETag"].strip('"')


def inbox_record(dynamodb, etag):
    """The shop's record of an event file's content (its lease, outcome and repeats)."""
    return dynamodb.get_item(TableName=TABLE, Key=keys.key(keys.CARRIER_PK, keys.inbox_file_sk(etag)),
                             ConsistentRead=True).get("Item")


def wait_inbox(dynamodb, etag, done=lambda item: item["status"]["S"] == "done", timeout=120):
    """The file's record once `done` holds of it (by default: applied)."""
    deadline = time.monotonic() + timeout
    while True:
        item = inbox_record(dynamodb, etag)
        if item and done(item):
            return item
        assert time.monotonic() < deadline, f"carrier file {etag}: {item} after {timeout} s"
        time.sleep(0.3)


def carrier_report(name, suffix):
    """A report the shop wrote for event file `name` (`summary.json`, `errors.csv`), with its
    head; `None` when there is none."""
    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    try:
        obj = s3.get_object(Bucket=os.environ["CARRIER_BUCKET"], Key=f"carrier/reports/{name}.{suffix}")
    except s3.exceptions.NoSuchKey:
        return None
    return obj["Body"].read().decode(), {"etag": obj["ETag"], "lastModified": obj["LastModified"]}
