"""Checkout benchmark against the running local shop (infra/local/up.sh).

1. POST /orders latency, p50/p99 over N sequential one-line orders (fresh Idempotency-Keys) of:
     gateway - HTTP through the local gateway (JWT check + Lambda Invoke + place-order)
     invoke  - LocalStack Lambda Invoke of place-order with the same payload-2.0 event
               (the gateway's own event builder, the buyer's verified id-token claims)
     engine  - the DynamoDB calls place-order makes, straight from boto3: GetItem (idempotency
               record), BatchGetItem (SKU claim), BatchGetItem (product + variant), and the
               TransactWriteItems (order Put, idempotency Put, line Put, variant Update
               reserving 1 unit, product ConditionCheck), with items copied from a real order
2. Throughput through the gateway: orders/s, statuses and p50/p99 for orders on one hot SKU
   and for orders spread over many SKUs, from concurrent buyers.
3. Time from an order's 201 to GET /orders/{id} showing `confirmed`, and one order's checkout
   execution broken down from its Step Functions history.

Every order placed through the API starts the checkout saga in the background (fraud check,
payment through localstripe and its webhook, confirm, mail): realistic load for what runs
after it. Numbers are measurements, never assertions. Bounded (about 3-4 minutes with the
defaults). Usage: python infra/bench/checkout.py [N]
"""

import json
import math
import os
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import boto3
import requests
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "infra" / "local" / "gateway"))
sys.path.insert(0, str(ROOT / "tests"))
import gateway  # noqa: E402  (the gateway's own event builder and JWT check)
import keys  # noqa: E402  (the table's key schema)
from conftest import approved_seller, order_body, product_body, quoted, register, register_many  # noqa: E402  (loads .local/env)

# The fraud check adds 40 points once the card (pm_card_visa: one fingerprint for everyone) was
# used 5 times in the hour and 15 for an account younger than a day; a customer's 3rd earlier
# order in the hour would add 20 more and reach the review threshold (70). So no buyer places
# more than 3 orders, and every saga goes the whole way (fraud check, payment, confirm, mail).
ORDERS_PER_BUYER = 3
PAYMENT_METHOD = "pm_card_visa"
THROUGHPUT_ORDERS, THROUGHPUT_WORKERS, SPREAD_SKUS = 100, 20, 50
CONFIRM_ORDERS = 10
POLL_SECONDS = 0.1
DRAIN_CAP_SECONDS = 90
# An order still pending this long after the reservation window is reported as pending.
CONFIRM_CAP_SECONDS = int(os.environ.get("RESERVATION_WINDOW_SECONDS", "12")) + 5


def pct(samples, p):
    s = sorted(samples)
    return round(s[min(len(s) - 1, int(len(s) * p / 100))] * 1000, 1) if s else None


def stats(samples):
    return {"p50_ms": pct(samples, 50), "p99_ms": pct(samples, 99), "n": len(samples)}


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def uuid7():
    """An order id of the shape OrderId::generate makes (UUID v7)."""
    ms = time.time_ns() // 1_000_000
    r = int.from_bytes(os.urandom(10), "big")
    value = (ms << 80) | (0x7 << 76) | (((r >> 64) & 0xFFF) << 64) | (0b10 << 62) | (r & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


class Buyers:
    """Hands out registered buyers, each at most ORDERS_PER_BUYER times."""

    def __init__(self, users):
        self.users, self.next = users, 0

    def take(self, n_orders):
        n = math.ceil(n_orders / ORDERS_PER_BUYER)
        out = self.users[self.next:self.next + n]
        assert len(out) == n, "not enough registered buyers"
        self.next += n
        return out


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    started, load_before = time.perf_counter(), os.getloadavg()
    api, table, endpoint = os.environ["SHOP_API_URL"], os.environ["TABLE_NAME"], os.environ["AWS_ENDPOINT_URL"]
    cfg = Config(retries={"max_attempts": 1}, read_timeout=120, max_pool_connections=50)
    ddb = boto3.client("dynamodb", endpoint_url=endpoint, config=cfg)
    lam = boto3.client("lambda", endpoint_url=endpoint, config=cfg)
    sfn = boto3.client("stepfunctions", endpoint_url=endpoint, config=cfg)
    cfn = boto3.client("cloudformation", endpoint_url=endpoint, config=cfg)
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                for r in cfn.describe_stack_resources(StackName=os.environ["SHOP_STACK"])["StackResources"]}
    routes = {r.function: r for r in gateway.load_routes(str(ROOT / "template.yaml"))}
    authorizer = gateway.Authorizer(os.environ["SHOP_ISSUER"], [os.environ["USER_POOL_CLIENT_ID"]],
                                    os.environ["SHOP_JWKS_URL"])
    gw = gateway.Gateway(list(routes.values()), physical, authorizer, lam)
    place_route = routes["PlaceOrderFunction"]
    machine_arn = os.environ["CHECKOUT_STATE_MACHINE_ARN"]

    # ---- setup (untimed): users and products through the API -------------------------------
    # gateway and invoke (n + 1 orders each, with the warm-up), two bursts, the confirm run
    # (one order per buyer), the engine's buyer (who places nothing through the API).
    n_buyers = (2 * math.ceil((n + 1) / ORDERS_PER_BUYER) + 2 * math.ceil(THROUGHPUT_ORDERS / ORDERS_PER_BUYER)
                + CONFIRM_ORDERS + 1)
    t = time.perf_counter()
    seller = approved_seller()
    buyers = Buyers(register_many(n_buyers))
    quoter = buyers.users[0]  # a quote reads only: any signed-in buyer may ask for one
    log(f"setup: 1 seller + {n_buyers} buyers registered (verified by mail) in {time.perf_counter() - t:.1f} s")

    def create_product(body):
        r = seller.api.post("/products", json=body)
        assert r.status_code == 201, r.text
        return r.json()["id"], [v["sku"] for v in body["variants"]]

    t = time.perf_counter()
    latency_pid, (sku_api, sku_engine) = create_product(product_body(stock=1_000_000, n_variants=2))
    _, (hot_sku,) = create_product(product_body(stock=1_000_000, n_variants=1))
    _, (confirm_sku,) = create_product(product_body(stock=1_000, n_variants=1))
    with ThreadPoolExecutor(8) as pool:
        spread_skus = [s for _, (s,) in pool.map(create_product,
                                                 [product_body(stock=1_000, n_variants=1) for _ in range(SPREAD_SKUS)])]
    log(f"setup: {3 + SPREAD_SKUS} products created in {time.perf_counter() - t:.1f} s")

    placed = []  # (order id, part) of every order placed through the API, for the saga outcomes

    # What each SKU's checkout page showed: one quote per SKU (prices do not move during the
    # benchmark), sent as every order's expectedTotal.
    totals = {}

    def body_for(sku):
        body = order_body(lines=[{"sku": sku, "quantity": 1}], payment_method=PAYMENT_METHOD)
        if sku not in totals:
            totals[sku] = quoted(quoter, body)["expectedTotal"]
        return {**body, "expectedTotal": totals[sku]}

    # ---- 1. latency -----------------------------------------------------------------------------
    def sequential(label, users, call, warmed=False):
        """n + 1 calls, the first a warm-up that is not counted (already made when `warmed`),
        each buyer making ORDERS_PER_BUYER in turn."""
        samples, statuses = [], Counter()
        for i in range(1 if warmed else 0, n + 1):
            status, order_id, elapsed = call(users[i // ORDERS_PER_BUYER])
            statuses[str(status)] += 1
            if order_id:
                placed.append((order_id, label))
            if i:
                samples.append(elapsed)
        return {**stats(samples), "statuses": dict(statuses)}

    def via_gateway(user):
        key = str(uuid.uuid4())
        body = body_for(sku_api)
        t0 = time.perf_counter()
        r = user.api.post("/orders", json=body, headers={"Idempotency-Key": key})
        elapsed = time.perf_counter() - t0
        return r.status_code, r.json().get("id") if r.status_code == 201 else None, elapsed

    claims = {}

    def via_invoke(user):
        if user.user_id not in claims:
            claims[user.user_id] = authorizer.claims(f"Bearer {user.token}")
            assert claims[user.user_id], "the buyer's id token did not verify"
        raw = json.dumps(body_for(sku_api)).encode()
        headers = {"content-type": "application/json", "idempotency-key": str(uuid.uuid4()),
                   "authorization": f"Bearer {user.token}"}
        event = gw.event(place_route, None, "POST", "/orders", "", headers, raw, claims[user.user_id])
        t0 = time.perf_counter()
        status, _, data = gw.invoke(place_route, event)
        elapsed = time.perf_counter() - t0
        return status, json.loads(data)["id"] if status == 201 else None, elapsed

    log(f"1. POST /orders latency: {n} sequential orders each (+1 warm-up)")
    # The template for the engine's items: a real order, read right after its 201 (before its
    # saga has written to it), with the idempotency record and the line that placement wrote.
    template_buyer = buyers.take(n + 1)
    warm_key = str(uuid.uuid4())
    r = template_buyer[0].api.post("/orders", json=body_for(sku_api), headers={"Idempotency-Key": warm_key})
    assert r.status_code == 201, r.text
    tpl_id, tpl_created = r.json()["id"], r.json()["createdAt"]
    placed.append((tpl_id, "gateway"))
    tpl_order = ddb.get_item(TableName=table, Key=keys.key(keys.order_pk(tpl_id), keys.ORDER_SK), ConsistentRead=True)["Item"]
    tpl_line = ddb.get_item(TableName=table, Key=keys.key(keys.order_pk(tpl_id), keys.order_line_sk(sku_api)), ConsistentRead=True)["Item"]
    tpl_record = ddb.get_item(TableName=table, Key=keys.key(keys.user_pk(template_buyer[0].user_id),
                                                            keys.idempotency_sk(keys.idempotency_key_hash(warm_key))),
                              ConsistentRead=True)["Item"]
    tpl_touched = tpl_order["status"]["S"] != "pending_payment" or len(tpl_order["history"]["L"]) != 1

    # The template order was the gateway run's warm-up call.
    part1 = {"gateway": sequential("gateway", template_buyer, via_gateway, warmed=True),
             "invoke": sequential("invoke", buyers.take(n + 1), via_invoke)}

    # The engine: the same calls on the variant kept for it, as a buyer who places nothing else.
    engine_buyer = buyers.take(1)[0]
    tpl_buyer = template_buyer[0].user_id

    def clone(item, order_id, entity=None):
        text = json.dumps(item).replace(tpl_id, order_id).replace(tpl_buyer, engine_buyer.user_id)
        text = text.replace(sku_api, sku_engine)
        out = json.loads(text)
        if entity:
            out[keys.ENTITY] = {"S": entity}
        return out

    variant_key = keys.key(keys.product_pk(latency_pid), keys.variant_sk(sku_engine))

    def engine_once():
        """Returns (elapsed, order id, idempotency digest); the timed part is the four calls."""
        order_id, key = uuid7(), str(uuid.uuid4())
        digest = keys.idempotency_key_hash(key)
        # Copies of the template order's items, made before the clock starts. The order is
        # written as entity "benchOrder": same size and keys, but the table stream's filter
        # (entity "order") does not start a saga for it.
        order_item = clone(tpl_order, order_id, entity="benchOrder")
        line_item = clone(tpl_line, order_id)
        record_item = clone(tpl_record, order_id)
        record_item[keys.SK] = {"S": keys.idempotency_sk(digest)}
        t0 = time.perf_counter()
        ddb.get_item(TableName=table, ConsistentRead=True,
                     Key=keys.key(keys.user_pk(engine_buyer.user_id), keys.idempotency_sk(digest)))
        ddb.batch_get_item(RequestItems={table: {"Keys": [keys.key(keys.sku_pk(sku_engine), keys.SKU_SK)]}})
        got = ddb.batch_get_item(RequestItems={table: {"Keys": [
            keys.key(keys.product_pk(latency_pid), keys.PRODUCT_SK), variant_key]}})["Responses"][table]
        variant = next(i for i in got if i[keys.SK]["S"] == variant_key[keys.SK]["S"])
        on_hand = int(variant["onHand"]["N"])
        put = lambda item: {"Put": {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}  # noqa: E731
        ddb.transact_write_items(TransactItems=[
            put(order_item),
            put(record_item),
            put(line_item),
            {"Update": {"TableName": table, "Key": variant_key,
                        "UpdateExpression": "SET reserved = reserved + :qty",
                        "ConditionExpression": "attribute_exists(PK) AND version = :version AND onHand = :onHand AND reserved <= :maxReserved",
                        "ExpressionAttributeValues": {":qty": {"N": "1"}, ":version": variant["version"],
                                                      ":onHand": {"N": str(on_hand)}, ":maxReserved": {"N": str(on_hand - 1)}}}},
            {"ConditionCheck": {"TableName": table, "Key": keys.key(keys.product_pk(latency_pid), keys.PRODUCT_SK),
                                "ConditionExpression": "#status = :active", "ExpressionAttributeNames": {"#status": "status"},
                                "ExpressionAttributeValues": {":active": {"S": "active"}}}},
        ])
        return time.perf_counter() - t0, order_id, digest

    def engine_release(order_id, digest):
        """Outside the timed part: the unit goes back and the copied items go away."""
        ddb.update_item(TableName=table, Key=variant_key, UpdateExpression="SET reserved = reserved - :one",
                        ConditionExpression="reserved >= :one", ExpressionAttributeValues={":one": {"N": "1"}})
        ddb.batch_write_item(RequestItems={table: [{"DeleteRequest": {"Key": k}} for k in (
            keys.key(keys.order_pk(order_id), keys.ORDER_SK),
            keys.key(keys.order_pk(order_id), keys.order_line_sk(sku_engine)),
            keys.key(keys.user_pk(engine_buyer.user_id), keys.idempotency_sk(digest)))]})

    samples = []
    for i in range(n + 1):
        elapsed, order_id, digest = engine_once()
        engine_release(order_id, digest)
        if i:
            samples.append(elapsed)
    part1["engine"] = stats(samples)

    # What gateway and invoke do beyond the engine's calls: place-order then starts the order's
    # execution. Timed here as a repeat of the template order's start (same name and input):
    # Step Functions answers it without starting anything.
    samples = []
    for i in range(n + 1):
        t0 = time.perf_counter()
        try:
            sfn.start_execution(stateMachineArn=machine_arn, name=tpl_id, input=json.dumps({"orderId": tpl_id}))
        except sfn.exceptions.ExecutionAlreadyExists:
            pass
        if i:
            samples.append(time.perf_counter() - t0)
    part1["startExecution"] = stats(samples)
    for k in ("gateway", "invoke", "engine", "startExecution"):
        log(f"   {k:15} {part1[k]}")

    # ---- 2. throughput ----------------------------------------------------------------------------
    local = threading.local()

    def session():
        if not hasattr(local, "s"):
            local.s = requests.Session()
        return local.s

    def burst(label, skus):
        users = buyers.take(THROUGHPUT_ORDERS)
        jobs = [(users[i % len(users)], skus[i % len(skus)]) for i in range(THROUGHPUT_ORDERS)]

        def one(job):
            user, sku = job
            t0 = time.perf_counter()
            r = session().post(f"{api}/orders", json=body_for(sku), timeout=120,
                               headers={"authorization": f"Bearer {user.token}", "Idempotency-Key": str(uuid.uuid4())})
            elapsed = time.perf_counter() - t0
            try:
                problem = r.json().get("type", "") if r.status_code != 201 else ""
                order_id = r.json()["id"] if r.status_code == 201 else None
            except ValueError:
                problem, order_id = r.text[:80], None
            return r.status_code, problem, order_id, elapsed

        t0 = time.perf_counter()
        with ThreadPoolExecutor(THROUGHPUT_WORKERS) as pool:
            results = list(pool.map(one, jobs))
        wall = time.perf_counter() - t0
        statuses = Counter(str(s) if s == 201 else f"{s} {p.rsplit('/', 1)[-1]}" for s, p, _, _ in results)
        placed.extend((oid, label) for _, _, oid, _ in results if oid)
        ok = [e for s, _, _, e in results if s == 201]
        out = {"orders": THROUGHPUT_ORDERS, "skus": len(skus), "buyers": len(users), "concurrent": THROUGHPUT_WORKERS,
               "wall_s": round(wall, 2), "orders_per_s": round(len(ok) / wall, 1),
               "statuses": dict(statuses), **stats([e for _, _, _, e in results])}
        log(f"   {label:15} {out}")
        return out

    log(f"2. throughput through the gateway: {THROUGHPUT_ORDERS} orders, {THROUGHPUT_WORKERS} concurrent buyers")
    part2 = {"hot SKU": burst("hot SKU", [hot_sku]), "spread": burst("spread", spread_skus)}

    # ---- the sagas those orders started --------------------------------------------------------
    def outcomes(order_ids):
        found = {}
        for i in range(0, len(order_ids), 100):
            pending = {table: {"Keys": [keys.key(keys.order_pk(o), keys.ORDER_SK) for o in order_ids[i:i + 100]],
                               "ProjectionExpression": "PK, #s, cancelReason", "ExpressionAttributeNames": {"#s": "status"},
                               "ConsistentRead": True}}
            while pending:
                out = ddb.batch_get_item(RequestItems=pending)
                for item in out["Responses"].get(table, []):
                    reason = item.get("cancelReason", {}).get("S")
                    found[item["PK"]["S"].removeprefix(keys.ORDER_PREFIX)] = item["status"]["S"] + (f" ({reason})" if reason else "")
                pending = out.get("UnprocessedKeys") or None
        return found

    # Waits (bounded) until none of their executions is still running and the payment queue is
    # empty (the payment worker may still be working through messages of orders already
    # cancelled), so part 3 meets a settled stack; then counts how the orders ended.
    ids = [o for o, _ in placed]
    sqs = boto3.client("sqs", endpoint_url=endpoint, config=cfg)

    def payment_backlog():
        a = sqs.get_queue_attributes(QueueUrl=os.environ["PAYMENT_QUEUE_URL"],
                                     AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        return sum(int(v) for v in a["Attributes"].values())

    t0 = time.perf_counter()
    while True:
        running, token = set(), None
        while True:
            page = sfn.list_executions(stateMachineArn=machine_arn, statusFilter="RUNNING", maxResults=1000,
                                       **({"nextToken": token} if token else {}))
            running |= {e["name"] for e in page["executions"]}
            token = page.get("nextToken")
            if not token:
                break
        running &= set(ids)
        backlog = payment_backlog()
        if (not running and not backlog) or time.perf_counter() - t0 > DRAIN_CAP_SECONDS:
            break
        time.sleep(1)
    now = outcomes(ids)
    drain = {"orders": len(ids), "waited_s": round(time.perf_counter() - t0, 1), "still_running": len(running),
             "payment_backlog": backlog, "outcomes": dict(Counter(now.values()))}
    log(f"   sagas of the {len(ids)} orders above, {drain['waited_s']} s after the last: {drain['outcomes']}"
        f" ({len(running)} executions still running, {backlog} messages on the payment queue)")

    # ---- 3. order -> confirmed ---------------------------------------------------------------------
    log(f"3. time from the 201 to `confirmed`: {CONFIRM_ORDERS} orders, one at a time, polled every {int(POLL_SECONDS * 1000)} ms")
    confirm = []
    for user in buyers.take(CONFIRM_ORDERS * ORDERS_PER_BUYER):  # one order per buyer
        r = user.api.post("/orders", json=body_for(confirm_sku), headers={"Idempotency-Key": str(uuid.uuid4())})
        t201, wall201 = time.perf_counter(), time.time()
        assert r.status_code == 201, r.text
        order_id, status = r.json()["id"], "pending_payment"
        while status == "pending_payment" and time.perf_counter() - t201 < CONFIRM_CAP_SECONDS:
            time.sleep(POLL_SECONDS)
            got = user.api.get(f"/orders/{order_id}")
            if got.status_code != 200:
                status = f"GET {got.status_code}"
                break
            view = got.json()
            status = view["status"] + (f" ({view['cancelReason']})" if view.get("cancelReason") else "")
        confirm.append({"id": order_id, "status": status, "s": time.perf_counter() - t201, "wall201": wall201})
    confirmed = [c["s"] for c in confirm if c["status"] == "confirmed"]
    part3 = {"orders": CONFIRM_ORDERS, "outcomes": dict(Counter(c["status"] for c in confirm)),
             "p50_ms": pct(confirmed, 50), "max_ms": round(max(confirmed) * 1000, 1) if confirmed else None}
    log(f"   {part3}")

    # One execution, state by state (the confirmed order with the median time).
    breakdown = []
    if confirmed:
        pick = sorted((c for c in confirm if c["status"] == "confirmed"), key=lambda c: c["s"])[len(confirmed) // 2]
        name = machine_arn.split(":")[-1]
        execution = machine_arn.replace(":stateMachine:", ":execution:").removesuffix(name) + f"{name}:{pick['id']}"
        events, token = [], None
        while True:
            page = sfn.get_execution_history(executionArn=execution, maxResults=1000, **({"nextToken": token} if token else {}))
            events += page["events"]
            token = page.get("nextToken")
            if not token:
                break
        base = datetime.fromtimestamp(pick["wall201"], tz=timezone.utc)

        def at(ts):
            return round((ts - base).total_seconds() * 1000)
        for e in events:
            if e["type"] == "ExecutionStarted":
                breakdown.append(("execution started", at(e["timestamp"])))
            elif e["type"].endswith("StateEntered"):
                breakdown.append((f"{e['stateEnteredEventDetails']['name']} entered", at(e["timestamp"])))
            elif e["type"] in ("ExecutionSucceeded", "ExecutionFailed"):
                breakdown.append((e["type"].removeprefix("Execution").lower(), at(e["timestamp"])))
        breakdown.append(("confirmed seen by GET", round(pick["s"] * 1000)))
        log(f"   execution {pick['id']} (ms after the 201): " + ", ".join(f"{k} {v:+d}" for k, v in breakdown))

    # ---- the table ------------------------------------------------------------------------------------
    def row(name, value):
        print(f"| {name:<62} | {value:<40} |")

    print()
    print(f"Checkout benchmark ({time.strftime('%Y-%m-%d')}): {os.cpu_count()} cores, local engines (LocalStack host mode + "
          f"DynamoDB Local, localstripe, moto), {os.environ.get('SHOP_BUILD_MODE', 'debug')} builds; "
          f"total {time.perf_counter() - started:.0f} s; load average (1 min) {load_before[0]:.1f} at start, "
          f"{os.getloadavg()[0]:.1f} at end")
    row("", "p50 / p99 ms (n)")
    row("-" * 62, "-" * 40)
    for k, label in (("gateway", "POST /orders via gateway"), ("invoke", "POST /orders via Lambda Invoke"),
                     ("engine", "POST /orders engine: GetItem + 2 BatchGetItem + TransactWrite"),
                     ("startExecution", "StartExecution alone (a repeat: starts nothing)")):
        v = part1[k]
        row(label, f"{v['p50_ms']} / {v['p99_ms']} ({v['n']})")
    for k, v in part2.items():
        row(f"{k}: {v['orders']} orders, {v['skus']} SKU(s), {v['concurrent']} concurrent",
            f"{v['orders_per_s']} orders/s; {v['p50_ms']} / {v['p99_ms']}")
        row("   statuses", ", ".join(f"{s}: {c}" for s, c in v["statuses"].items()))
    row(f"sagas of those {drain['orders']} orders ({drain['waited_s']} s after)",
        ", ".join(f"{s}: {c}" for s, c in drain["outcomes"].items())
        + f"; {drain['still_running']} running, {drain['payment_backlog']} queued")
    row(f"201 -> confirmed ({CONFIRM_ORDERS} orders, poll {int(POLL_SECONDS * 1000)} ms)",
        f"p50 {part3['p50_ms']} / max {part3['max_ms']} ms; " + ", ".join(f"{s}: {c}" for s, c in part3["outcomes"].items()))
    if breakdown:
        row("   one execution, ms after the 201", ", ".join(f"{k.split()[0]} {v:+d}" for k, v in breakdown[:-1]))
    print()
    print("Notes: every order placed through the API (gateway, invoke, throughput, confirm) starts its checkout saga "
          f"({PAYMENT_METHOD}: fraud check, payment via localstripe and its webhook, confirm, mail) in the background, so "
          "later measurements run beside earlier orders' sagas. Each buyer places at most "
          f"{ORDERS_PER_BUYER} orders (the fraud velocity rule). The engine rows copy a real order's items "
          "(the order as entity 'benchOrder', so the stream starts no saga for it), reserve 1 unit each, and release "
          "it and delete the copies outside the timed part; they exclude place-order's StartExecution (timed alone above)."
          + (" The template order had already been touched by its saga when read." if tpl_touched else ""))


if __name__ == "__main__":
    main()
