"""The carrier hand-off at volume: N shipments packed and waiting, then one run of
`carrier-handoff` for a new slot, invoked as the schedule would.

One real order (placed through the gateway, paid at localstripe, confirmed by the saga) has
its first seller's shipment packed through the API; its order and shipment items are then
copied N-1 times under new order ids (tests/fulfilment.py's `clone`), so the run meets N
ready shipments as Rust wrote them. It reports the invocation's wall time, the run's own
`seconds` and the function's peak resident memory (`peak_rss_kib`, which the function
resets and reads around the run and logs), read from LocalStack's CloudWatch Logs; and
checks the manifest holds every one of the N once. Numbers are measurements, never
assertions. The copies stay in the table (handed over): run it on a stack you then take
down, or before nothing else.

Usage (reads .local/env if not sourced):
  python infra/bench/fulfilment.py [--handoff 10000]
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from conftest import approved_seller  # noqa: E402  (loads .local/env)
from fulfilment import clone, invoke_handoff, manifest, paid_order, ready, run_id, set_pickup, slot  # noqa: E402


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def logged_run(run, deadline):
    """(seconds, peak KiB) the hand-off function logged for `run`."""
    logs = boto3.client("logs", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    group = f"/aws/lambda/{os.environ['CARRIER_HANDOFF_FUNCTION']}"
    while time.time() < deadline:
        kwargs = {"logGroupName": group}
        while True:
            page = logs.filter_log_events(**kwargs)
            for event in page["events"]:
                try:
                    fields = json.loads(event["message"]).get("fields", {})
                except (ValueError, AttributeError):
                    continue
                if fields.get("message") == "hand-off run" and fields.get("run_id") == run:
                    return fields.get("seconds"), fields.get("peak_rss_kib")
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        time.sleep(2)
    return None, None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--handoff", type=int, default=10_000, help="shipments packed before the slot")
    args = parser.parse_args()
    dynamodb = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    a, b = approved_seller(), approved_seller()
    set_pickup(a)
    paid = paid_order(a, b)
    ready(a, paid.shipment_id(a))
    t0 = time.time()
    ids = clone(dynamodb, paid, a, args.handoff - 1) + [paid.shipment_id(a)]
    log(f"{len(ids)} packed shipments in place ({time.time() - t0:.0f} s of copying)")
    at = slot()
    t0 = time.time()
    out = invoke_handoff(at)
    wall = time.time() - t0
    lines, _ = manifest(run_id(at))
    mine = {l["shipmentId"] for l in lines} & set(ids)
    seconds, peak_kib = logged_run(run_id(at), time.time() + 60)
    print(json.dumps({
        "shipments": len(ids), "outcome": out["outcome"], "manifestLines": len(lines),
        "allOnceOnTheManifest": len(mine) == len(ids), "invokeSeconds": round(wall, 1),
        "runSeconds": seconds and round(seconds, 1),
        "shipmentsPerSecond": seconds and round(len(ids) / seconds, 1),
        "peakRssMiB": peak_kib and round(peak_kib / 1024, 1)}))


if __name__ == "__main__":
    main()
