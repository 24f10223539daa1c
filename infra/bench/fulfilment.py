"""The carrier at volume: N shipments packed and waiting, then one run of `carrier-handoff`
for a new slot, invoked as the schedule would; then (with --events) one carrier event file of
a `collected` line for each of them, dropped in the inbox as the carrier does, through S3's
event, the queue and `carrier-events`.

One real order (placed through the gateway, paid at localstripe, confirmed by the saga) has
its first seller's shipment packed through the API; its order and shipment items are then
copied N-1 times under new order ids (tests/fulfilment.py's `clone`), so the run meets N
ready shipments as Rust wrote them. It reports the invocation's wall time, the run's own
`seconds` and the function's peak resident memory (`peak_rss_kib`, which the function
resets and reads around the run and logs), read from LocalStack's CloudWatch Logs; and
checks the manifest holds every one of the N once. For the event file it reports events per
second from the file's summary (its `startedAt` to `finishedAt`), the function's own
`seconds` and peak memory, and checks every line was applied. Each applied `collected`
queues a "shipped" mail (N of them reach moto). Numbers are measurements, never assertions.
The copies stay in the table (handed over, then in transit): run it on a stack you then take
down, or before nothing else.

Usage (reads .local/env if not sourced):
  python infra/bench/fulfilment.py [--handoff 10000] [--events]
"""

import argparse
import json
import os
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from conftest import approved_seller  # noqa: E402  (loads .local/env)
from fulfilment import (carrier_report, clone, drop_events, event_line, invoke_handoff, manifest,  # noqa: E402
                        paid_order, ready, run_id, set_pickup, slot, wait_inbox)
from function_logs import logged_fields, physical_name  # noqa: E402


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def seconds_between(start, end):
    """Seconds from one sortable time (`2026-12-07T10:00:00.123456Z`) to another."""
    parse = lambda t: datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def events_file(dynamodb, ids):
    """One event file with a `collected` line per shipment; its summary and the function's log."""
    lines = [event_line(s, "collected", f"CRB{i:09d}", f"bench-{uuid.uuid4().hex[:8]}-{i}", 30)
             for i, s in enumerate(ids)]
    name = f"bench-{uuid.uuid4()}.jsonl"
    t0 = time.time()
    etag = drop_events(name, lines)
    wait_inbox(dynamodb, etag, timeout=900)
    wall = time.time() - t0
    summary = json.loads(carrier_report(name, "summary.json")[0])
    applying = seconds_between(summary["startedAt"], summary["finishedAt"])
    fields = logged_fields(physical_name("CarrierEventsFunction"), "upload handled",
                           lambda f: name in f.get("key", ""), time.time() + 60)
    return {
        "lines": len(lines), "applied": summary["applied"], "rejected": summary["rejected"],
        "dropToDoneSeconds": round(wall, 1), "applySeconds": round(applying, 1),
        "eventsPerSecond": round(summary["read"] / applying, 1),
        "functionSeconds": fields.get("seconds") and round(fields["seconds"], 1),
        "peakRssMiB": fields.get("peak_rss_kib") and round(fields["peak_rss_kib"] / 1024, 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--handoff", type=int, default=10_000, help="shipments packed before the slot")
    parser.add_argument("--events", action="store_true", help="then one event file with a line per shipment")
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
    fields = logged_fields(os.environ["CARRIER_HANDOFF_FUNCTION"], "hand-off run",
                           lambda f: f.get("run_id") == run_id(at), time.time() + 60)
    seconds, peak_kib = fields.get("seconds"), fields.get("peak_rss_kib")
    result = {"handoff": {
        "shipments": len(ids), "outcome": out["outcome"], "manifestLines": len(lines),
        "allOnceOnTheManifest": len(mine) == len(ids), "invokeSeconds": round(wall, 1),
        "runSeconds": seconds and round(seconds, 1),
        "shipmentsPerSecond": seconds and round(len(ids) / seconds, 1),
        "peakRssMiB": peak_kib and round(peak_kib / 1024, 1)}}
    log(json.dumps(result))
    if args.events:
        result["events"] = events_file(dynamodb, ids)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
