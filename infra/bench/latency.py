"""Latency benchmark against the running local shop (infra/local/up.sh).

For GET /products/{id} and POST /cart/items it reports p50/p99 of:
  gateway  - HTTP through the local gateway (JWT check + Lambda Invoke + function)
  invoke   - LocalStack Lambda Invoke of the function with the same payload-2.0 event
  engine   - the DynamoDB calls that handler makes, straight from boto3
so the shop's own overhead is visible beside the engine's. Bounded: N requests each.
Numbers are measurements, never assertions. Usage: python infra/bench/latency.py [N]
"""

import json
import os
import sys
import time
import uuid
from pathlib import Path

import boto3
import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "infra" / "local" / "gateway"))
sys.path.insert(0, str(ROOT / "tests"))
import gateway  # noqa: E402  (the gateway's own event builder)
import keys  # noqa: E402  (the table's key schema)
from conftest import approved_seller, product_body, register  # noqa: E402


def pct(samples, p):
    s = sorted(samples)
    return round(s[min(len(s) - 1, int(len(s) * p / 100))] * 1000, 1)


def timed(n, fn):
    fn()  # warm: the first call may meet a cold function
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return {"p50_ms": pct(out, 50), "p99_ms": pct(out, 99), "n": n}


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    api, table, endpoint = os.environ["SHOP_API_URL"], os.environ["TABLE_NAME"], os.environ["AWS_ENDPOINT_URL"]
    ddb = boto3.client("dynamodb", endpoint_url=endpoint)
    lam = boto3.client("lambda", endpoint_url=endpoint)
    cfn = boto3.client("cloudformation", endpoint_url=endpoint)
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                for r in cfn.describe_stack_resources(StackName=os.environ["SHOP_STACK"])["StackResources"]}
    routes = {r.function: r for r in gateway.load_routes(str(ROOT / "template.yaml"))}
    gw = gateway.Gateway(list(routes.values()), physical, None, lam)

    seller, buyer = approved_seller(), register("customer")
    body = product_body(stock=1_000_000)
    pid = seller.api.post("/products", json=body).json()["id"]
    sku = body["variants"][0]["sku"]
    claims = {"sub": buyer.user_id, "cognito:groups": "[customer]", "token_use": "id"}
    session = requests.Session()
    session.headers["authorization"] = f"Bearer {buyer.token}"

    def event(function, path, params=None, payload=None, with_claims=None):
        raw = json.dumps(payload).encode() if payload is not None else b""
        return gw.event(routes[function], params, routes[function].method, path, "", {"content-type": "application/json"}, raw, with_claims)

    get_event = event("GetProductFunction", f"/products/{pid}", {"id": pid})
    add_event = event("AddCartItemFunction", "/cart/items", None, {"sku": sku, "quantity": 1}, claims)

    cart_key = keys.key(keys.user_pk(buyer.user_id), keys.cart_sk(sku))

    def reset_cart():
        ddb.delete_item(TableName=table, Key=cart_key)

    def add_via_gateway():
        reset_cart()
        r = session.post(f"{api}/cart/items", json={"sku": sku, "quantity": 1}, timeout=30)
        assert r.status_code == 200, r.text

    def add_via_invoke():
        reset_cart()
        gw.invoke(routes["AddCartItemFunction"], add_event)

    def add_engine_calls():
        # What add-cart-item does: SKU claim, cart query, batch get of offers, conditional put.
        reset_cart()
        ddb.get_item(TableName=table, Key=keys.key(keys.sku_pk(sku), keys.SKU_SK))
        ddb.query(TableName=table, KeyConditionExpression="PK = :pk AND begins_with(SK, :c)", ConsistentRead=True,
                  ExpressionAttributeValues={":pk": {"S": keys.user_pk(buyer.user_id)}, ":c": {"S": keys.CART_PREFIX}})
        ddb.batch_get_item(RequestItems={table: {"Keys": [
            keys.key(keys.product_pk(pid), keys.PRODUCT_SK),
            keys.key(keys.product_pk(pid), keys.variant_sk(sku))]}})
        ddb.put_item(TableName=table, ConditionExpression="attribute_not_exists(PK)",
                     Item={**cart_key, "quantity": {"N": "1"}})

    report = {
        "GET /products/{id}": {
            "gateway": timed(n, lambda: requests.get(f"{api}/products/{pid}", timeout=30).raise_for_status()),
            "invoke": timed(n, lambda: gw.invoke(routes["GetProductFunction"], get_event)),
            "engine": timed(n, lambda: ddb.query(TableName=table, KeyConditionExpression="PK = :pk", ConsistentRead=True,
                                                 ExpressionAttributeValues={":pk": {"S": keys.product_pk(pid)}})),
        },
        "POST /cart/items": {
            "gateway": timed(n, add_via_gateway),
            "invoke": timed(n, add_via_invoke),
            "engine": timed(n, add_engine_calls),
        },
        "note": "each POST sample includes one DeleteItem that resets the cart line (also in 'engine')",
        "run": str(uuid.uuid4())[:8],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
