"""Co-purchase counting cost per order, measured on the running local shop (infra/local/up.sh).

For an order of 5 lines and one of 25 (distinct new products of one seller), each placed through
the gateway and confirmed by the real checkout saga: the items the counter wrote for it, as
`count-co-purchases` logged them (the counting transaction: its marker, the pair counts and the
order counts; then the top lists it rewrote), and the write units that costs in DynamoDB on-demand
(a transaction's item costs 2 WCU per KB; a list's put 1 WCU per KB, its size read back from the
table). An order counts at most 8 distinct products (domain/recommend.rs), so 25 lines cost what
8 do. Numbers are measurements, never assertions. Usage: .local/venv-tools/bin/python infra/bench/copurchase.py
"""

import math
import sys
import time
import uuid
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.append(str(ROOT / "infra" / "bench"))  # after tests/: both have a checkout module
import keys  # noqa: E402
from conftest import TABLE, approved_seller, order_body, place_order, product_body, register  # noqa: E402  (loads .local/env)
from checkout import payment_method  # noqa: E402
from function_logs import logged_fields, physical_name  # noqa: E402

MASTERCARD = "5555555555554444"
import os  # noqa: E402


def item_size(item):
    """DynamoDB's item size: attribute names and values, in bytes (strings, numbers; lists and maps
    of them with their 3-byte overheads)."""
    def size(value):
        (kind, v), = value.items()
        if kind == "S":
            return len(v.encode())
        if kind == "N":
            return len(v.strip("-").lstrip("0")) // 2 + 1
        if kind == "L":
            return 3 + sum(1 + size(x) for x in v)
        if kind == "M":
            return 3 + sum(1 + len(k.encode()) + size(x) for k, x in v.items())
        return 1
    return sum(len(name.encode()) + size(value) for name, value in item.items())


def measure(seller, lines, dynamodb, counter):
    products = []
    for _ in range(lines):
        r = seller.api.post("/products", json=product_body(category="fiction", stock=5, n_variants=1))
        assert r.status_code == 201, r.text
        products.append(r.json())
    buyer = register("customer")
    # A card of its own: the suite's and other benchmarks' uses of Stripe's test Visa count
    # towards the fraud check's card velocity.
    body = order_body([{"sku": p["variants"][0]["sku"], "quantity": 1} for p in products],
                      payment_method=payment_method(MASTERCARD)["id"])
    r = place_order(buyer, body, str(uuid.uuid4()))
    assert r.status_code == 201, r.text
    order_id = r.json()["id"]
    deadline = time.time() + 180
    fields = logged_fields(counter, "co-purchases counted", lambda f: f.get("order_id") == order_id, deadline,
                           filter_pattern=f'"{order_id}"')
    assert fields, f"order {order_id} was not counted within 180 s"
    counted = [p["id"] for p in products][:8]
    list_wcu = 0
    for pid in counted:
        item = dynamodb.get_item(TableName=TABLE, Key=keys.key(keys.related_pk(pid), keys.RELATED_TOP_SK),
                                 ConsistentRead=True).get("Item")
        list_wcu += math.ceil(item_size(item) / 1024) if item else 0
    popular = [keys.popular_pk("fiction"), keys.popular_pk(keys.POPULAR_EVERYWHERE)]
    for pk in popular:
        item = dynamodb.get_item(TableName=TABLE, Key=keys.key(pk, keys.RELATED_TOP_SK), ConsistentRead=True)["Item"]
        list_wcu += math.ceil(item_size(item) / 1024)
    return fields, 2 * fields["counts_written"] + list_wcu


def main():
    dynamodb = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    counter = physical_name("CountCoPurchasesFunction")
    seller = approved_seller()
    print(f"{'lines':>5} {'products counted':>16} {'counts written':>14} {'lists written':>13} "
          f"{'items written':>13} {'WCU':>5}")
    for lines in (5, 25):
        fields, wcu = measure(seller, lines, dynamodb, counter)
        print(f"{lines:>5} {fields['products']:>16} {fields['counts_written']:>14} {fields['lists_written']:>13} "
              f"{fields['items_written']:>13} {wcu:>5}")


if __name__ == "__main__":
    main()
