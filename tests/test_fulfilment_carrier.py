"""Tracking back from the carrier, played by the test: it reads its manifest from S3 and drops
event files in `carrier/inbox/`, as the real carrier does. Each file goes through S3's event,
the carrier inbox queue and LocalStack's mapping to `carrier-events`. Events come in order,
twice, reversed (`delivered` first), for an unknown shipment and malformed: the shipments end
exact, the orders follow, bad lines are reported and never stop the file, each piece of news is
mailed once, and the same file again changes nothing."""

import json
import os
import time
import uuid

import boto3
import pytest

import mailbox
from conftest import approved_seller
from fulfilment import (carrier_report, drop_events, event_line, inbox_record, set_pickup, shipped_order,
                        wait_inbox)
from imports import queue_depth, wait_drained

SHIPMENT_MAIL = {"shipped": "has shipped", "out_for_delivery": "out for delivery today",
                 "delivered": "delivered (order", "delivery_failed": "could not deliver"}


@pytest.fixture(scope="module")
def dynamodb():
    return boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"])


@pytest.fixture(scope="module")
def orders():
    """Two orders of the same two sellers, every shipment handed to the carrier."""
    a, b = approved_seller(), approved_seller()
    set_pickup(a)
    set_pickup(b)
    return shipped_order(a, b), shipped_order(a, b)


def shipment_mails(paid, timeout=60, count=None):
    """(kind, shipment id in the body) of each shipment mail to `paid`'s customer about its order;
    with `count`: once that many have arrived."""
    deadline = time.time() + timeout
    while True:
        mails = []
        for m in mailbox.mails_to(os.environ["MOTO_ENDPOINT"], paid.customer.email):
            if paid.id not in m["subject"]:
                continue
            kinds = [k for k, words in SHIPMENT_MAIL.items() if words in m["subject"]]
            if kinds:
                shipment = next(s for s in (paid.shipment_id(paid.a), paid.shipment_id(paid.b)) if s in m["body"])
                mails.append((kinds[0], shipment))
        if count is None or len(mails) >= count:
            return sorted(mails)
        assert time.time() < deadline, f"{len(mails)} of {count} shipment mails within {timeout} s: {mails}"
        time.sleep(0.5)


def test_events_in_any_order_end_exact_and_bad_lines_are_reported(orders, dynamodb):
    x, y = orders
    xa, xb, ya, yb = (x.shipment_id(x.a), x.shipment_id(x.b), y.shipment_id(y.a), y.shipment_id(y.b))
    track = {s: f"CR{uuid.uuid4().int % 10**9:09d}FR" for s in (xa, xb, ya, yb)}
    e = lambda s, kind, n, ago=60: event_line(s, kind, track[s], f"{s}-{n}", ago)  # noqa: E731
    unknown = f"{uuid.uuid4()}.{x.a.seller_id}"
    lines = [
        e(xa, "collected", 1, 300),            # 1 applied: X/A shipped
        e(xa, "collected", 1, 300),            # 2 duplicate
        e(xb, "delivered", 3, 10),             # 3 applied: X/B delivered first
        e(xb, "in_transit", 2, 200),           # 4 stale (B is delivered)
        e(xb, "collected", 1, 300),            # 5 stale
        e(xa, "in_transit", 2, 200),           # 6 stale (A is in transit)
        e(xa, "out_for_delivery", 3, 100),     # 7 applied
        e(xa, "out_for_delivery", 3, 100),     # 8 duplicate
        event_line(unknown, "delivered", "CR1234FR", "u-1"),   # 9 rejected: shipmentId
        "this is not json",                    # 10 rejected
        json.dumps({"shipmentId": xa, "event": "collected"}),  # 11 rejected: fields missing
        e(xa, "lost_in_space", 9),             # 12 rejected: event
        e(xa, "delivered", 4, 5),              # 13 applied: X delivered
        e(ya, "collected", 1, 300),            # 14 applied: Y/A shipped
        e(ya, "delivery_failed", 2, 20),       # 15 applied: Y/A returned to its seller
        e(ya, "delivered", 3, 10),             # 16 stale: an end is never left
        e(yb, "delivered", 1, 10),             # 17 applied: Y/B delivered
        e(xa, "delivered", 4, 5),              # 18 duplicate
    ]
    name = f"events-{uuid.uuid4()}.jsonl"
    etag = drop_events(name, lines)
    record = wait_inbox(dynamodb, etag)

    summary_text, _ = carrier_report(name, "summary.json")
    summary = json.loads(summary_text)
    assert summary["etag"] == etag and summary["file"] == f"carrier/inbox/{name}"
    counts = {k: summary[k] for k in ("read", "applied", "duplicate", "stale", "rejected")}
    assert counts == {"read": 18, "applied": 7, "duplicate": 3, "stale": 4, "rejected": 4}
    assert {k: int(record["summary"]["M"][k]["N"]) for k in counts} == counts
    errors, _ = carrier_report(name, "errors.csv")
    rows = [row.split(",", 2) for row in errors.strip().splitlines()[1:]]
    assert [(int(r[0]), r[1]) for r in rows] == [(9, "shipmentId"), (10, ""), (11, ""), (12, "event")], errors
    assert "missing field" in rows[2][2], errors

    got = {o.id: o.get() for o in (x, y)}
    assert got[x.id]["status"] == "delivered"
    assert got[y.id]["status"] == "partially_delivered"
    shipments = {s["id"]: s for o in got.values() for s in o["shipments"]}
    assert {s: shipments[s]["status"] for s in (xa, xb, ya, yb)} == {
        xa: "delivered", xb: "delivered", ya: "delivery_failed", yb: "delivered"}
    for s in (xa, xb, ya, yb):
        assert shipments[s]["trackingNumber"] == track[s]
        assert shipments[s]["carrier"] == "Colis Rapide"
    assert [(h["from"], h["to"], h["by"]) for h in shipments[xa]["history"][2:]] == [
        ("ready", "handed_over", "system:carrier-handoff"), ("handed_over", "in_transit", "carrier"),
        ("in_transit", "delivered", "carrier")]
    assert [h["to"] for h in shipments[xb]["history"]][-1:] == ["delivered"]
    assert "in_transit" not in [h["to"] for h in shipments[xb]["history"]], "a delivered shipment went back"
    assert shipments[xa]["outForDeliveryAt"] and shipments[xa]["deliveredAt"]
    assert shipments[ya]["deliveredAt"] is None
    assert [h["status"] for h in got[x.id]["history"]][-3:] == ["shipped", "partially_delivered", "delivered"]

    # Each piece of news once, to each order's customer: the mail queue drained, nothing more came.
    # X/A was collected, out for delivery and delivered in this one file: its customer is told
    # once, that it was delivered (with the tracking number). Y/A's first end here is a failed
    # delivery, so its shipping is told too.
    expected_x = sorted([("delivered", xa), ("delivered", xb)])
    expected_y = sorted([("shipped", ya), ("delivery_failed", ya), ("delivered", yb)])
    assert shipment_mails(x, count=2) == expected_x
    assert shipment_mails(y, count=3) == expected_y
    wait_drained(os.environ["MAIL_QUEUE_URL"])
    assert (shipment_mails(x), shipment_mails(y)) == (expected_x, expected_y)
    body = next(m["body"] for m in mailbox.mails_to(os.environ["MOTO_ENDPOINT"], y.customer.email)
                if "has shipped" in m["subject"])
    assert "Colis Rapide" in body and track[ya] in body, body
    body = next(m["body"] for m in mailbox.mails_to(os.environ["MOTO_ENDPOINT"], x.customer.email)
                if xa in m["body"] and "delivered (order" in m["subject"])
    assert "Colis Rapide" in body and track[xa] in body, body

    # Nothing failed on the way: the inbox queue and its dead-letter queue are empty.
    wait_drained(os.environ["CARRIER_INBOX_QUEUE_URL"])
    assert queue_depth(os.environ["CARRIER_INBOX_DLQ_URL"]) == 0


def test_the_same_file_twice_is_applied_once(orders, dynamodb):
    x, _ = orders
    s = x.shipment_id(x.b)
    # X/B is delivered (the test above: this event is stale), or, run alone, handed over (it
    # moves): either way, what the first delivery did is all that happens.
    tracking = next(sh["trackingNumber"] for sh in x.get()["shipments"] if sh["id"] == s) or "CRTWICE1"
    name = f"twice-{uuid.uuid4()}.jsonl"
    lines = [event_line(s, "in_transit", tracking, f"twice-{uuid.uuid4()}", 1)]
    etag = drop_events(name, lines)
    wait_inbox(dynamodb, etag)
    summary, head = carrier_report(name, "summary.json")
    after_first = x.get()
    mails = shipment_mails(x)

    assert drop_events(name, lines) == etag  # the same content again: S3's event, the queue, the function
    record = wait_inbox(dynamodb, etag, done=lambda item: int(item.get("repeats", {"N": "0"})["N"]) == 1)
    assert record["status"]["S"] == "done"
    assert carrier_report(name, "summary.json") == (summary, head), "the report was written again"
    assert x.get() == after_first, "the second delivery changed the order"
    wait_drained(os.environ["MAIL_QUEUE_URL"])
    assert shipment_mails(x) == mails
    assert json.loads(summary)["read"] == 1 and json.loads(summary)["rejected"] == 0
    assert inbox_record(dynamodb, etag)["summary"] == record["summary"]
