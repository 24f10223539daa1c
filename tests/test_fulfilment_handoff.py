"""The carrier hand-off through the deployed stack, the carrier played by the test: it
invokes the hand-off for a collection slot as the schedule would (the local schedule is
disabled) and reads the run's manifest from S3 as the carrier would.

A hand-off takes every shipment packed before its slot, other tests' too: each test
asserts only about its own shipments, never that a manifest holds only them."""

import json
import os
import threading
from datetime import date, timedelta

import boto3
import pytest

from conftest import approved_seller, assert_problem
from fulfilment import (PARCEL, PICKUP, clone, invoke_handoff, manifest, paid_order, ready, run_id, set_pickup,
                        slot)

MANIFEST_FIELDS = {"runId", "shipmentId", "serviceLevel", "parcels", "pickup", "destination", "readyAt"}
CARRIER = "Colis Rapide"


@pytest.fixture(scope="module")
def sellers():
    a, b = approved_seller(), approved_seller()
    set_pickup(a)
    return a, b


def own_lines(lines, *shipment_ids):
    return [l for l in lines if l["shipmentId"] in shipment_ids]


def handovers(shipment):
    return [h for h in shipment["history"] if (h["from"], h["to"]) == ("ready", "handed_over")]


def test_the_schedule_is_deployed_disabled():
    events = boto3.client("events", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    lam = boto3.client("lambda", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    arn = lam.get_function(FunctionName=os.environ["CARRIER_HANDOFF_FUNCTION"])["Configuration"]["FunctionArn"]
    (name,) = events.list_rule_names_by_target(TargetArn=arn)["RuleNames"]
    rule = events.describe_rule(Name=name)
    assert (rule["ScheduleExpression"], rule["State"]) == ("cron(0 6 ? * TUE,FRI *)", "DISABLED")


def working_days_after(day, n):
    """`day` (YYYY-MM-DD) plus `n` working days (Monday to Friday)."""
    d = date.fromisoformat(day)
    while n:
        d += timedelta(days=1)
        n -= d.weekday() < 5
    return d.isoformat()


def test_two_sellers_ship_separately(sellers):
    a, b = sellers
    paid = paid_order(a, b)
    a_id, b_id = paid.shipment_id(a), paid.shipment_id(b)
    ready(a, a_id)

    first = slot()
    out = invoke_handoff(first)
    assert (out["runId"], out["outcome"], out["manifestKey"]) == (
        run_id(first), "written", f"carrier/outbox/{run_id(first)}.jsonl")
    lines, _ = manifest(run_id(first))
    assert out["shipments"] == len(lines)
    (line,) = own_lines(lines, a_id, b_id)
    assert set(line) == MANIFEST_FIELDS
    assert (line["runId"], line["shipmentId"], line["serviceLevel"], line["parcels"], line["pickup"]) == (
        run_id(first), a_id, "standard", [PARCEL], PICKUP)
    assert line["destination"] == paid.order["shippingAddress"]
    text = json.dumps(line)
    for secret in (paid.customer.email, paid.customer.user_id, paid.order["paymentMethodId"], paid.b_sku):
        assert secret not in text

    order = paid.get()
    assert order["status"] == "partially_shipped"
    shipped, waiting = order["shipments"]
    assert (shipped["status"], shipped["carrier"], waiting["status"]) == ("handed_over", CARRIER, "awaiting_fulfilment")
    # The collection refines the estimate: the slot's date plus the 2 working days of FR's coverage;
    # the shipment still waiting keeps the order's.
    assert shipped["estimatedDelivery"] == working_days_after(first[:10], 2)
    assert waiting["estimatedDelivery"] == order["estimatedDelivery"] is not None
    assert [(h["by"], h["why"]) for h in handovers(shipped)] == [
        ("system:carrier-handoff", f"on {CARRIER}'s manifest {run_id(first)}")]
    assert order["history"][-1]["status"] == "partially_shipped"
    listed = paid.customer.api.get("/orders", params={"status": "partially_shipped"}).json()["items"]
    assert [o["id"] for o in listed] == [paid.id]
    seen_by_a = a.api.get(f"/seller/shipments/{a_id}").json()
    assert (seen_by_a["status"], seen_by_a["handoffRunId"]) == ("handed_over", run_id(first))
    assert_problem(a.api.post(f"/seller/shipments/{a_id}/cancel", json={"reason": "too late"}), 409)
    assert_problem(a.api.post(f"/seller/shipments/{a_id}/ready", json={"parcels": [PARCEL]}), 409)

    set_pickup(b)
    ready(b, b_id)
    second = slot()
    assert invoke_handoff(second)["outcome"] == "written"
    lines, _ = manifest(run_id(second))
    assert [l["shipmentId"] for l in own_lines(lines, a_id, b_id)] == [b_id], "A went on the first run only"
    order = paid.get()
    assert order["status"] == "shipped"
    assert [s["status"] for s in order["shipments"]] == ["handed_over", "handed_over"]
    assert [h["status"] for h in order["history"][-2:]] == ["partially_shipped", "shipped"]


def test_the_same_slot_twice_hands_over_once(sellers):
    a, b = sellers
    paid = paid_order(a, b)
    a_id = paid.shipment_id(a)
    ready(a, a_id)
    at = slot()
    first = invoke_handoff(at)
    lines, head = manifest(run_id(at))
    assert first["outcome"] == "written" and own_lines(lines, a_id)
    again = invoke_handoff(at)
    assert again == {**first, "outcome": "already_done"}
    assert manifest(run_id(at)) == (lines, head), "the manifest was not written again"
    assert len(handovers(paid.get()["shipments"][0])) == 1

    # Two invocations of one new slot at once (a duplicated delivery): one runs it.
    other = paid_order(a, b)
    other_id = other.shipment_id(a)
    ready(a, other_id)
    at = slot()
    outcomes = []
    threads = [threading.Thread(target=lambda: outcomes.append(invoke_handoff(at)["outcome"])) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("written") == 1, outcomes
    lines, _ = manifest(run_id(at))
    assert [l["shipmentId"] for l in own_lines(lines, other_id)] == [other_id]
    assert len(handovers(other.get()["shipments"][0])) == 1


def test_500_ready_shipments_in_one_run(sellers, dynamodb):
    a, b = sellers
    paid = paid_order(a, b)
    ready(a, paid.shipment_id(a))
    ids = clone(dynamodb, paid, a, 500) + [paid.shipment_id(a)]
    at = slot()
    out = invoke_handoff(at)
    lines, _ = manifest(run_id(at))
    assert out["outcome"] == "written" and out["shipments"] == len(lines)
    mine = own_lines(lines, *ids)
    assert sorted(l["shipmentId"] for l in mine) == sorted(ids), "every one, each once"
    # The next slot finds none of them ready any more.
    later = slot()
    invoke_handoff(later)
    assert own_lines(manifest(run_id(later))[0], *ids) == []
