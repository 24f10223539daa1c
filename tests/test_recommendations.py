"""Recommendations on the local stack: confirmed orders (real sagas, paid at localstripe) reach
the co-purchase counter through the order stream and its queue; related products and a
customer's recommendations come from those counts, never with sold-out or inactive products."""

import json
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest

import keys
from checkout import VISA, payment_method, wait_until
from conftest import TABLE, assert_problem, order_body, place_order, product_body, register, register_many

CATEGORY = "puzzles"


def confirmed_order(buyer, skus):
    body = order_body([{"sku": s, "quantity": 1} for s in skus], payment_method=payment_method(VISA)["id"])
    r = place_order(buyer, body, str(uuid.uuid4()))
    assert r.status_code == 201, r.text
    order_id = r.json()["id"]
    deadline = time.time() + 180
    while buyer.api.get(f"/orders/{order_id}").json()["status"] != "confirmed":
        assert time.time() < deadline, f"order {order_id} not confirmed"
        time.sleep(0.3)
    return order_id


def counted(dynamodb, order_id):
    return "Item" in dynamodb.get_item(TableName=TABLE, Key=keys.key(keys.copurchase_pk(order_id), keys.COUNTED_SK),
                                       ConsistentRead=True)


def top_list(dynamodb, pk):
    item = dynamodb.get_item(TableName=TABLE, Key=keys.key(pk, keys.RELATED_TOP_SK), ConsistentRead=True).get("Item")
    return {} if not item else {r["M"]["productId"]["S"]: int(r["M"]["count"]["N"]) for r in item["items"]["L"]}


@pytest.fixture(scope="module")
def shop(seller, admin, dynamodb):
    """Products a..e of one seller (d has one unit, e goes off sale), and four customers'
    confirmed orders: a+b, a+b+c, a+d, a+e."""
    products = {}
    for name in "abcde":
        # A category no other module orders from: its popularity list is this module's alone.
        r = seller.api.post("/products", json=product_body(category=CATEGORY, stock=1 if name == "d" else 20,
                                                           n_variants=1))
        assert r.status_code == 201, r.text
        products[name] = r.json()
    sku = {name: p["variants"][0]["sku"] for name, p in products.items()}
    buyers = register_many(4)
    baskets = [("a", "b"), ("a", "b", "c"), ("a", "d"), ("a", "e")]
    with ThreadPoolExecutor(4) as pool:
        orders = list(pool.map(lambda bb: confirmed_order(bb[0], [sku[n] for n in bb[1]]), zip(buyers, baskets)))
    ids = {name: p["id"] for name, p in products.items()}
    # Every order counted, and a's list holding every partner, before anything is asserted.
    wait_until(lambda: all(counted(dynamodb, o) for o in orders), 120, "every order counted")
    wait_until(lambda: top_list(dynamodb, keys.related_pk(ids["a"])) == {ids["b"]: 2, ids["c"]: 1, ids["d"]: 1,
                                                                           ids["e"]: 1}, 120, "a's partner list")
    r = admin.api.post(f"/admin/products/{ids['e']}/deactivate")
    assert r.status_code == 200, r.text
    return ids, buyers, orders


def test_related_products_come_from_orders_that_share_them(shop, anon):
    ids, _, _ = shop
    related = anon.get(f"/products/{ids['a']}/related").json()["items"]
    # d sold out (its one unit bought), e off sale: neither is offered, though both count.
    assert [(i["id"], i["score"], i["reason"]) for i in related] == [(ids["b"], 2, "bought_together"),
                                                                       (ids["c"], 1, "bought_together")]
    assert [i["id"] for i in anon.get(f"/products/{ids['c']}/related").json()["items"]] == [ids["a"], ids["b"]]
    assert_problem(anon.get(f"/products/{ids['e']}/related"), 404)
    assert_problem(anon.get("/products/a%23b/related"), 400)


def counter_said(order_id, counted_now):
    """Whether count-co-purchases logged its work on `order_id` with `counted` = `counted_now`."""
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    resources = boto3.client("cloudformation", endpoint_url=endpoint).describe_stack_resources(
        StackName=os.environ["SHOP_STACK"])["StackResources"]
    name = next(r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == "CountCoPurchasesFunction")
    events = boto3.client("logs", endpoint_url=endpoint).filter_log_events(
        logGroupName=f"/aws/lambda/{name}", filterPattern=f'"{order_id}"')["events"]
    for event in events:
        try:
            fields = json.loads(event["message"]).get("fields", {})
        except ValueError:
            continue
        if fields.get("message") == "co-purchases counted" and fields.get("counted") is counted_now:
            return fields
    return None


def test_a_redelivered_order_counts_nothing_twice(shop, dynamodb):
    ids, _, orders = shop
    assert counter_said(orders[0], True), "the order was counted once"
    sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    sqs.send_message(QueueUrl=os.environ["COPURCHASE_QUEUE_URL"], MessageBody=json.dumps({"orderId": orders[0]}))
    # The counter took the repeat and counted nothing (its marker exists) ...
    repeat = wait_until(lambda: counter_said(orders[0], False), 120, "the repeat's handling")
    assert repeat["counts_written"] == 0
    # ... and the counts are as they were.
    pair = dynamodb.get_item(TableName=TABLE, Key=keys.key(keys.related_pk(ids["a"]), keys.related_with_sk(ids["b"])),
                             ConsistentRead=True)["Item"]
    assert pair["count"]["N"] == "2"


def test_recommendations_say_why_and_leave_out_what_was_bought(shop, anon):
    ids, buyers, _ = shop
    first = buyers[0]  # bought a and b
    mine = first.api.get("/me/recommendations").json()["items"]
    assert [(i["id"], i["reason"]) for i in mine] == [(ids["c"], "bought_together")]

    wisher = register("customer")
    assert wisher.api.post("/wishlist", json={"productId": ids["b"]}).status_code == 201
    wished = wisher.api.get("/me/recommendations").json()["items"]
    assert [(i["id"], i["reason"]) for i in wished] == [(ids["a"], "wishlist"), (ids["c"], "wishlist")]

    newcomer = register("customer")
    in_category = newcomer.api.get("/me/recommendations", params={"category": CATEGORY}).json()["items"]
    assert [(i["id"], i["score"], i["reason"]) for i in in_category] == [
        (ids["a"], 4, "popular"), (ids["b"], 2, "popular"), (ids["c"], 1, "popular")]
    # The shop-wide list: the suite's orders too, so only its shape is certain here.
    popular = newcomer.api.get("/me/recommendations").json()["items"]
    assert popular and all(i["reason"] == "popular" for i in popular)
    assert [i["score"] for i in popular] == sorted((i["score"] for i in popular), reverse=True)
    assert ids["d"] not in [i["id"] for i in popular] and ids["e"] not in [i["id"] for i in popular]
    assert anon.get("/me/recommendations").status_code == 401
    assert_problem(newcomer.api.get("/me/recommendations", params={"category": "a#b"}), 400)
