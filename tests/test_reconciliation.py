"""Money and stock reconcile, over everything the suite did (conftest runs this module after
every other but test_iam.py).

Once the stack is quiet — no order awaiting payment, no refund claim still pending — one
consistent scan of the table is compared with what localstripe holds:

- **money, per order**: what Stripe keeps of the payments naming the order (succeeded charges,
  less what was refunded of them) equals what the order says it kept (its capture less its
  refunds made); the order's refunded total is the sum of its own succeeded claims; every
  refund at Stripe is exactly one succeeded claim of the shop (same amount, tagged with the
  claim's id), strays included; money at Stripe for an order the table does not have is a
  mismatch too;
- **stock, per variant**: `onHand = stockSetTo − soldSinceSet + restockedSinceSet` (the ledger
  every stock write keeps), nothing is `reserved` any more, and for variants never set again
  since they were created, the sold and restocked counts equal what the orders (confirmed),
  cancellations (shipments put back) and returns (units received undamaged) imply.

One assertion over all of them: the mismatches found, none expected. Orders copied by the
hand-off test without a saga (`clonedFrom`) are left aside."""

import os
import time
from collections import defaultdict

from checkout import stripe
from conftest import TABLE

WINDOW = int(os.environ.get("RESERVATION_WINDOW_SECONDS", "60"))


def scan(dynamodb):
    items, start = [], None
    while True:
        page = dynamodb.scan(TableName=TABLE, ConsistentRead=True, **({"ExclusiveStartKey": start} if start else {}))
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return items


def s(item, name):
    return item.get(name, {}).get("S")


def num(item, path, default=0):
    """A number at `path` (a list of names into nested maps), `default` when absent or NULL."""
    value = item
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
        if value is None:
            return default
        value = value.get("M", value) if "M" in value else value
    return int(value["N"]) if isinstance(value, dict) and "N" in value else default


def quiet(items):
    """What still moves: orders awaiting payment, refund claims not yet made or refused."""
    return [(s(i, "PK"), s(i, "SK")) for i in items
            if (s(i, "entity") == "order" and s(i, "status") == "pending_payment")
            or (s(i, "entity") == "refund" and s(i, "status") == "pending")]


def stripe_all(path):
    r = stripe("GET", path, params={"limit": 1_000_000})
    assert r.status_code == 200, r.text
    return r.json()["data"]


def test_money_and_stock_reconcile(dynamodb):
    deadline = time.time() + WINDOW + 180
    while moving := quiet(items := scan(dynamodb)):
        assert time.time() < deadline, f"still moving after {WINDOW + 180} s: {moving[:10]}"
        time.sleep(2)

    by_pk = defaultdict(list)
    for item in items:
        by_pk[s(item, "PK")].append(item)
    orders, clones = {}, set()
    for item in items:
        if s(item, "entity") == "order":
            if "clonedFrom" in item:
                clones.add(s(item, "id"))
            else:
                orders[s(item, "id")] = item
    mismatches = {}

    # ---- money
    intents = stripe_all("/v1/payment_intents")
    refunds = stripe_all("/v1/refunds")
    kept_at_stripe = defaultdict(int)
    refunds_by_charge = defaultdict(list)
    for r in refunds:
        refunds_by_charge[r["charge"]].append(r)
    stripe_refunds = defaultdict(list)  # order id -> [(shopRefundId, amount)]
    for pi in intents:
        order_id = pi.get("metadata", {}).get("orderId")
        charge = pi.get("latest_charge")
        if not charge or charge.get("status") != "succeeded":
            continue
        kept_at_stripe[order_id] += charge["amount"] - charge["amount_refunded"]
        for r in refunds_by_charge[charge["id"]]:
            stripe_refunds[order_id].append((r.get("metadata", {}).get("shopRefundId"), r["amount"]))
    for order_id, kept in kept_at_stripe.items():
        if order_id not in orders and order_id not in clones and kept:
            mismatches[f"stripe {order_id}"] = (0, kept, "money at Stripe for an order the shop does not have")
    for order_id, order in orders.items():
        pk = s(order, "PK")
        claims = [i for i in by_pk[pk] if s(i, "entity") == "refund"]
        payment = order.get("payment", {}).get("M", {})
        captured = num(payment, ["capturedAmount"])
        refunded_total = num(payment, ["refundedTotal"])
        if captured - refunded_total != kept_at_stripe.get(order_id, 0):
            mismatches[f"order {order_id}"] = (captured - refunded_total, kept_at_stripe.get(order_id, 0),
                                               "kept by the order vs kept at Stripe")
        succeeded = [c for c in claims if s(c, "status") == "succeeded"]
        own = sum(num(c, ["amount", "amount"]) for c in succeeded if c.get("ofCapture", {}).get("BOOL"))
        if own != refunded_total:
            mismatches[f"order {order_id} refunded"] = (own, refunded_total, "succeeded claims vs refundedTotal")
        shop_side = sorted((s(c, "id"), num(c, ["amount", "amount"])) for c in succeeded)
        if shop_side != sorted(stripe_refunds.get(order_id, [])):
            mismatches[f"order {order_id} refunds"] = (shop_side, sorted(stripe_refunds.get(order_id, [])),
                                                       "succeeded claims vs Stripe's refunds")

    # ---- stock
    sold, restocked = defaultdict(int), defaultdict(int)
    for order_id, order in orders.items():
        history = [h["M"] for h in order.get("history", {}).get("L", [])]
        if not any(s(h, "status") == "confirmed" for h in history):
            continue
        for line in order["lines"]["L"]:
            line = line["M"]
            sold[(s(line, "productId"), s(line, "sku"))] += int(line["quantity"]["N"])
        for item in by_pk[s(order, "PK")]:
            if s(item, "entity") == "shipment" and s(item, "status") == "cancelled" \
                    and item.get("restocked", {}).get("BOOL"):
                for line in item["lines"]["L"]:
                    line = line["M"]
                    restocked[(s(line, "productId"), s(line, "sku"))] += int(line["quantity"]["N"])
            if s(item, "entity") == "return" and s(item, "status") in ("received", "refunded"):
                for line in item["lines"]["L"]:
                    line = line["M"]
                    back = num(line, ["receivedQuantity"]) - num(line, ["damagedQuantity"])
                    restocked[(s(line, "productId"), s(line, "sku"))] += back
    checked = 0
    for item in items:
        if s(item, "entity") != "variant" or "stockSetTo" not in item:
            continue
        key = (s(item, "productId"), s(item, "sku"))
        on_hand, reserved = num(item, ["onHand"]), num(item, ["reserved"])
        set_to, sold_since, back_since = (num(item, ["stockSetTo"]), num(item, ["soldSinceSet"]),
                                          num(item, ["restockedSinceSet"]))
        checked += 1
        if on_hand != set_to - sold_since + back_since:
            mismatches[f"variant {key}"] = (set_to - sold_since + back_since, on_hand, "the ledger vs onHand")
        if reserved != 0:
            mismatches[f"variant {key} reserved"] = (0, reserved, "units reserved with no order awaiting payment")
        if num(item, ["version"]) == 1 and (sold_since, back_since) != (sold[key], restocked[key]):
            mismatches[f"variant {key} moves"] = ((sold[key], restocked[key]), (sold_since, back_since),
                                                  "(sold, restocked) by the orders vs the variant's ledger")
    print(f"\nreconciled {len(orders)} orders ({len(clones)} copies left aside), "
          f"{sum(kept_at_stripe.values())} minor units kept at Stripe, {len(refunds)} refunds, {checked} variants")
    assert checked and orders
    assert mismatches == {}, "\n".join(f"{k}: expected {v[0]}, found {v[1]} ({v[2]})"
                                       for k, v in list(mismatches.items())[:20])
