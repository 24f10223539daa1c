"""Cost per 1,000 orders, measured on the running local shop (infra/local/up.sh) and priced
with AWS's list prices (infra/bench/prices.py).

A realistic mix runs through the local gateway, per order: 20 product views, 5 searches,
3 cart adds, the cart, a quote and the order (paid by a card that succeeds, except one order
in 10 declined and one in 20 left in 3-D Secure until its reservation window ends); then the
paid orders' fulfilment (the seller packs each shipment, one carrier hand-off for the batch,
one carrier file collecting and delivering them) and one return in 20 orders (asked,
approved, received, refunded). Registration, products and payment methods are made before
the measured window (a customer registers once, not per order).

What AWS would bill is then counted from what the local stack recorded in that window:
- API requests: the mix's own requests through the gateway.
- Lambda: every function's invocations and billed milliseconds (its REPORT lines), priced at
  the template's memory sizes as arm64. The durations are this machine's (x86_64, local
  engines behind the functions, the build up.sh made: SHOP_BUILD_MODE=release for a release
  build): an upper bound of AWS's.
- DynamoDB: read and write request units as DynamoDB itself reported them on every call
  (the audit interceptor asks each for ReturnConsumedCapacity and logs it). Failed
  conditional writes also consume write units in AWS but report none here: not counted.
- Step Functions: state transitions, from each execution's history.
- SQS: the messages sent (by functions, by the state machine, by S3 notifications) and, for
  each, the receive and the delete of its consumer: 3 requests per message.
- SES: the mails moto received; EventBridge: PutEvents calls; S3: the functions' and the
  carrier's object calls; CloudWatch Logs: the bytes of every line AWS would ingest (the
  local-only audit lines left out); X-Ray: one trace per API request and per execution, at
  the default rule's sampled share.
Fixed monthly costs (search domain, alarms, dashboard, custom metrics, the SQS pollers' idle
long polls) are printed apart. Numbers are measurements, never assertions.

Usage: python infra/bench/cost.py [ORDERS]   (default 40; about 4 minutes)
"""

import json
import math
import os
import random
import re
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from functools import partialmethod
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "infra" / "monitoring"))
sys.path.append(str(Path(__file__).resolve().parent))  # after tests/: its checkout.py is not the bench one
import cloudwatch  # noqa: E402
import generate  # noqa: E402  (the template's functions and dead-letter queues)
import keys  # noqa: E402
import mailbox  # noqa: E402
import prices as P  # noqa: E402
from checkout import DECLINED, THREE_DS, VISA, payment_method  # noqa: E402
from conftest import SHIPPING_ADDRESS, TABLE, Api, approved_seller, product_body, register_many  # noqa: E402
from fulfilment import PARCEL, drop_events, event_line, invoke_handoff, set_pickup, slot, wait_inbox  # noqa: E402

VIEWS, SEARCHES, CART_ADDS = 20, 5, 3
PRODUCTS = 12
ORDERS_PER_BUYER = 2  # the fraud check's velocity rules (see checkout.py) stay far away
WORKERS = 4
SEARCH_WORDS = ["shoe", "trail", "acme", "grippy", "running", "boot", "sneaker", "sandal", "hiking", "waterproof"]
REPORT = re.compile(r"REPORT RequestId: \S+\s+Duration: ([\d.]+) ms\s+Billed Duration: (\d+) ms")


class CountingApi(Api):
    """An API client that counts its requests (the API Gateway requests of the mix)."""
    lock, count = threading.Lock(), 0

    def request(self, method, path, **kw):
        with CountingApi.lock:
            CountingApi.count += 1
        return super().request(method, path, **kw)

    get = partialmethod(request, "GET")
    post = partialmethod(request, "POST")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def kind_of(i):
    """The order's fate in the mix: 1 in 20 times out, 1 in 10 is declined, the rest pay."""
    return "timeout" if i % 20 == 19 else "declined" if i % 10 == 4 else "paid"


def shop_one_order(i, buyer, product_ids, skus, card):
    """One customer's visit that ends in an order: views, searches, cart, quote, order."""
    api = CountingApi(buyer.token)
    rng = random.Random(i)
    for _ in range(VIEWS):
        assert api.get(f"/products/{rng.choice(product_ids)}").status_code == 200
    for _ in range(SEARCHES):
        assert api.get("/search", params={"q": rng.choice(SEARCH_WORDS), "limit": 20}).status_code == 200
    for sku in rng.sample(skus, CART_ADDS):
        r = api.post("/cart/items", json={"sku": sku, "quantity": 1})
        assert r.status_code in (200, 201), r.text
    assert api.get("/cart").status_code == 200
    r = api.post("/orders/quote", json={"shippingAddress": SHIPPING_ADDRESS})
    assert r.status_code == 200, r.text
    body = {"shippingAddress": SHIPPING_ADDRESS, "paymentMethodId": card, "expectedTotal": r.json()["total"]}
    r = api.post("/orders", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def order_status(ddb, order_id):
    item = ddb.get_item(TableName=TABLE, Key=keys.key(keys.order_pk(order_id), keys.ORDER_SK),
                        ConsistentRead=True).get("Item", {})
    return item.get("status", {}).get("S")


def wait_statuses(ddb, order_ids, done, timeout):
    deadline = time.time() + timeout
    while True:
        statuses = {o: order_status(ddb, o) for o in order_ids}
        if all(done(s) for s in statuses.values()):
            return statuses
        assert time.time() < deadline, Counter(statuses.values())
        time.sleep(1)


def settle_quietly(sfn, machine, mails_before, started_ms):
    """Waits until every execution of the window ended and the mail count stopped moving."""
    deadline = time.time() + 300
    while any(e["startDate"].timestamp() * 1000 >= started_ms
              for e in sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING")["executions"]):
        assert time.time() < deadline, "executions still running"
        time.sleep(1)
    last, stable_since = -1, time.time()
    while time.time() - stable_since < 10:
        now = len(mailbox.sent(os.environ["MOTO_ENDPOINT"])) - mails_before
        if now != last:
            last, stable_since = now, time.time()
        time.sleep(1)


def template_memory():
    """Function logical id -> MemorySize (MB) as deployed."""
    template = generate.load_template()
    default = template["Globals"]["Function"].get("MemorySize", 128)
    return {name: r["Properties"].get("MemorySize", default)
            for name, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}


def measure_functions(start_ms, end_ms):
    """Per function: invocations, billed ms, GB-s; and the window's DynamoDB units, AWS calls
    and log bytes."""
    memory = template_memory()
    per_fn, calls = {}, Counter()
    units, log_bytes = {"read": 0.0, "write": 0.0}, 0
    for logical, name in cloudwatch.function_names().items():
        invocations, billed_ms, fn_units = 0, 0, {"read": 0.0, "write": 0.0}
        for message in cloudwatch.function_messages(name, start_ms):
            if m := REPORT.search(message):
                invocations += 1
                billed_ms += int(m.group(2))
            if message.startswith("{"):
                try:
                    line = json.loads(message)
                except ValueError:
                    line = {}
                fields = line.get("fields", {}) if isinstance(line, dict) else {}
                if "iam_action" in fields:
                    calls[fields["iam_action"]] += 1
                    continue  # local-only audit lines: AWS would not ingest them
                if "dynamodb_units" in fields:
                    units[fields["unit_kind"]] += float(fields["dynamodb_units"])
                    fn_units[fields["unit_kind"]] += float(fields["dynamodb_units"])
                    continue
            log_bytes += len(message.encode()) + 26  # CloudWatch adds 26 bytes of metadata per event
        if invocations:
            per_fn[logical] = {"invocations": invocations, "billed_ms": billed_ms,
                               "gb_s": billed_ms / 1000 * memory[logical] / 1024,
                               "wru": fn_units["write"], "rru": fn_units["read"]}
    return per_fn, calls, units, log_bytes


def state_transitions(sfn, machine, start_ms):
    """Transitions billed (states entered, Map iterations' states included) and the
    messages the state machine sent to SQS itself, over the window's executions."""
    transitions, sends, executions = 0, 0, 0
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=machine):
        for e in page["executions"]:
            if e["startDate"].timestamp() * 1000 < start_ms:
                continue
            executions += 1
            for page2 in sfn.get_paginator("get_execution_history").paginate(executionArn=e["executionArn"]):
                for event in page2["events"]:
                    if event["type"].endswith("StateEntered"):
                        transitions += 1
                    if event["type"] == "TaskScheduled" and event["taskScheduledEventDetails"]["resourceType"] == "sqs":
                        sends += 1
    return transitions, sends, executions


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    ddb, sfn = boto3.client("dynamodb", endpoint_url=endpoint), boto3.client("stepfunctions", endpoint_url=endpoint)
    machine = os.environ["CHECKOUT_STATE_MACHINE_ARN"]

    # ---- setup, outside the window -------------------------------------------------------
    t = time.time()
    seller = approved_seller()
    set_pickup(seller)
    product_ids, skus = [], []
    for _ in range(PRODUCTS):
        r = seller.api.post("/products", json=product_body(stock=100_000, n_variants=2, price=2_500))
        assert r.status_code == 201, r.text
        product_ids.append(r.json()["id"])
        skus += [v["sku"] for v in r.json()["variants"]]
    buyers = register_many(math.ceil(n / ORDERS_PER_BUYER))
    cards = {"paid": payment_method(VISA)["id"], "declined": payment_method(DECLINED)["id"]}
    three_ds = [payment_method(THREE_DS)["id"] for i in range(n) if kind_of(i) == "timeout"]
    log(f"setup: 1 seller, {PRODUCTS} products, {len(buyers)} buyers in {time.time() - t:.0f} s")
    time.sleep(3)  # the setup's own stream records and mails settle before the window opens

    mails_before = len(mailbox.sent(os.environ["MOTO_ENDPOINT"]))
    start_ms = time.time() * 1000
    carrier_s3 = Counter()

    # ---- the mix -------------------------------------------------------------------------
    def one(i):
        card = three_ds.pop() if kind_of(i) == "timeout" else cards[kind_of(i)]
        return shop_one_order(i, buyers[i // ORDERS_PER_BUYER], product_ids, skus, card), kind_of(i)

    def buyer_orders(b):
        # One buyer's orders one after the other: each order takes that buyer's cart.
        return [one(i) for i in range(b * ORDERS_PER_BUYER, min(n, (b + 1) * ORDERS_PER_BUYER))]

    with ThreadPoolExecutor(WORKERS) as pool:
        orders = [o for batch in pool.map(buyer_orders, range(len(buyers))) for o in batch]
    log(f"{n} orders placed ({Counter(k for _, k in orders)}); waiting for their checkouts")
    window = int(os.environ.get("RESERVATION_WINDOW_SECONDS", "60"))
    statuses = wait_statuses(ddb, [o for o, _ in orders], lambda s: s != "pending_payment", window + 120)
    paid = [o for o, _ in orders if statuses[o] == "confirmed"]
    log(f"settled: {Counter(statuses.values())}")

    # Fulfilment: each paid order's one shipment packed, one hand-off, one carrier file.
    seller_api = CountingApi(seller.token)
    for order_id in paid:
        shipment = f"{order_id}.{seller.seller_id}"
        r = seller_api.post(f"/seller/shipments/{shipment}/ready", json={"parcels": [PARCEL]})
        assert r.status_code == 200, r.text
    out = invoke_handoff(slot())
    assert out["outcome"] == "written", out
    carrier_s3["get"] += 1  # the carrier reads the manifest
    lines = []
    for order_id in paid:
        sid, tracking = f"{order_id}.{seller.seller_id}", f"CR{uuid.uuid4().int % 10**9:09d}FR"
        lines += [event_line(sid, "collected", tracking, f"{sid}-c", minutes_ago=120),
                  event_line(sid, "delivered", tracking, f"{sid}-d", minutes_ago=60)]
    wait_inbox(ddb, drop_events(f"cost-{uuid.uuid4().hex[:8]}.jsonl", lines), timeout=300)
    carrier_s3["put"] += 1
    wait_statuses(ddb, paid, lambda s: s == "delivered", 120)

    # Returns: one order in 20, its first line, approved and received back in full.
    returned = paid[: max(1, n // 20)]
    buyer_of = {o: buyers[i // ORDERS_PER_BUYER] for i, (o, _) in enumerate(orders)}
    for order_id in returned:
        customer = CountingApi(buyer_of[order_id].token)
        line = customer.get(f"/orders/{order_id}").json()["lines"][0]
        r = customer.post(f"/orders/{order_id}/returns",
                          json={"lines": [{"sku": line["sku"], "quantity": line["quantity"], "reason": "too small"}]})
        assert r.status_code == 201, r.text
        rid = r.json()[0]["id"]
        assert seller_api.post(f"/returns/{rid}/decision", json={"decision": "approve", "reason": "within the policy"}).status_code == 200
        r = seller_api.post(f"/returns/{rid}/receipt", json={"lines": [
            {"sku": line["sku"], "receivedQuantity": line["quantity"], "damagedQuantity": 0}]})
        assert r.status_code == 200, r.text
    wait_statuses(ddb, returned, lambda s: s in ("partially_returned", "returned"), 120)
    settle_quietly(sfn, machine, mails_before, start_ms)
    end_ms = time.time() * 1000
    log(f"window closed after {(end_ms - start_ms) / 1000:.0f} s; reading what the stack recorded")

    # ---- what AWS would bill -------------------------------------------------------------
    per_fn, calls, units, log_bytes = measure_functions(start_ms, end_ms)
    transitions, sfn_sends, executions = state_transitions(sfn, machine, start_ms)
    mails = mailbox.sent(os.environ["MOTO_ENDPOINT"])[mails_before:]
    # FIFO queues (the stock watch) cost a little more per request: priced as standard here.
    sqs_sends = calls["sqs:SendMessage"] + sfn_sends + 1  # + the carrier file's S3 notification
    s3_put = sum(v for k, v in calls.items() if k in ("s3:PutObject", "s3:CopyObject", "s3:ListBucket")) + carrier_s3["put"]
    s3_get = sum(v for k, v in calls.items() if k in ("s3:GetObject", "s3:HeadObject")) + carrier_s3["get"]
    invocations = sum(f["invocations"] for f in per_fn.values())
    gb_s = sum(f["gb_s"] for f in per_fn.values())
    api_requests = CountingApi.count
    per_k = 1000 / n
    lines_out = [
        ("API Gateway (HTTP API) requests", api_requests, api_requests * P.API_GATEWAY_HTTP_PER_MILLION / 1e6),
        ("Lambda requests", invocations, invocations * P.LAMBDA_REQUEST_PER_MILLION / 1e6),
        ("Lambda GB-seconds (arm64)", round(gb_s, 2), gb_s * P.LAMBDA_ARM64_PER_GB_SECOND),
        ("DynamoDB write request units", round(units["write"], 1), units["write"] * P.DYNAMODB_WRU_PER_MILLION / 1e6),
        ("DynamoDB read request units", round(units["read"], 1), units["read"] * P.DYNAMODB_RRU_PER_MILLION / 1e6),
        ("Step Functions state transitions", transitions,
         transitions * P.STEP_FUNCTIONS_PER_THOUSAND_TRANSITIONS / 1e3),
        ("SQS requests (send + receive + delete)", 3 * sqs_sends,
         3 * sqs_sends * P.SQS_STANDARD_PER_MILLION / 1e6),
        ("SES mails", len(mails), len(mails) * P.SES_PER_THOUSAND_MAILS / 1e3),
        ("EventBridge events", calls["events:PutEvents"], calls["events:PutEvents"] * P.EVENTBRIDGE_PER_MILLION_EVENTS / 1e6),
        ("S3 PUT/LIST requests", s3_put, s3_put * P.S3_PUT_PER_THOUSAND / 1e3),
        ("S3 GET/HEAD requests", s3_get, s3_get * P.S3_GET_PER_THOUSAND / 1e3),
        ("CloudWatch Logs ingested (bytes)", log_bytes, log_bytes / 2**30 * P.CLOUDWATCH_LOGS_INGESTED_PER_GB),
        ("X-Ray traces recorded", round((api_requests + executions) * P.XRAY_SAMPLED_SHARE, 1),
         (api_requests + executions) * P.XRAY_SAMPLED_SHARE * P.XRAY_PER_MILLION_TRACES / 1e6),
    ]
    total = sum(cost for _, _, cost in lines_out) * per_k
    print(f"\nCost per 1,000 orders: {n} orders measured, prices {P.REGION} {P.PRICED_ON} (infra/bench/prices.py)")
    print(f"{'line':42} {'measured':>12} {'per 1,000 orders':>17} {'USD per 1,000':>14}")
    for label, quantity, cost in lines_out:
        print(f"{label:42} {quantity:>12} {quantity * per_k:>17,.1f} {cost * per_k:>14.4f}")
    print(f"{'total variable cost':42} {'':>12} {'':>17} {total:>14.4f}")

    subjects = Counter(re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}[\w.-]*|\d+", "#", m.get("subject", "")) for m in mails)
    print("\nMails per order, by subject:")
    for subject, count in subjects.most_common():
        print(f"  {count / n:5.2f}  {subject}")
    print("\nPer order, by function:")
    print(f"  {'function':36} {'invocations':>11} {'billed ms':>9} {'WRU':>7} {'RRU':>7}")
    for fn, f in sorted(per_fn.items(), key=lambda kv: -kv[1]["wru"] - kv[1]["billed_ms"] / 1000):
        print(f"  {fn:36} {f['invocations'] / n:11.2f} {f['billed_ms'] / n:9.1f} {f['wru'] / n:7.1f} {f['rru'] / n:7.1f}")
    print(f"\nState transitions per execution: {transitions / max(executions, 1):.1f} over {executions} executions")

    template = generate.load_template()
    alarms = 2 * len(generate.functions(template)) + len(generate.dead_letter_queues(template)) + 5
    polled_queues = sum(1 for r in template["Resources"].values()
                        if r["Type"] == "AWS::Serverless::Function"
                        and any(e.get("Type") == "SQS" for e in r["Properties"].get("Events", {}).values()))
    idle_polls = polled_queues * 5 * 3 * 60 * P.HOURS_PER_MONTH  # 5 pollers, 20 s long polls
    fixed = [
        ("OpenSearch t3.small.search + 10 GB gp3",
         P.OPENSEARCH_T3_SMALL_PER_HOUR * P.HOURS_PER_MONTH + 10 * P.OPENSEARCH_GP3_PER_GB_MONTH),
        (f"CloudWatch alarm metrics ({alarms})", alarms * P.CLOUDWATCH_ALARM_METRIC_PER_MONTH),
        ("CloudWatch dashboard", P.CLOUDWATCH_DASHBOARD_PER_MONTH),
        ("Custom metrics (about 25 names x dimension values)", 25 * P.CLOUDWATCH_CUSTOM_METRIC_PER_MONTH),
        (f"SQS pollers' idle long polls ({polled_queues} queues)", idle_polls * P.SQS_STANDARD_PER_MILLION / 1e6),
    ]
    print("\nFixed monthly cost:")
    for label, cost in fixed:
        print(f"  {label:52} {cost:8.2f}")
    print(f"  {'total':52} {sum(c for _, c in fixed):8.2f}")
    print(json.dumps({"orders": n, "usd_per_1000_orders": round(total, 4),
                      "lines": {label: round(cost * per_k, 4) for label, _, cost in lines_out}}))


if __name__ == "__main__":
    main()
