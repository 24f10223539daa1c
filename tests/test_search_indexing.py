"""Product search, the indexing side: the table's stream -> index-products -> OpenSearch.

Every change goes the real way: an API write (POST /products, PUT /products/{id}[/variants/{sku}],
DELETE /products/{id}, POST /orders) -> the table -> its stream -> LocalStack's event source
mapping -> index-products -> OpenSearch, and is read back through the gateway: a price change
moves the product between price bands, no stock (selling the last unit included) hides it unless
asked for, and a deleted or inactive product leaves every search. The index is near-real-time, so
every expectation about it is polled with wait_for (at most 60 s each). The OpenSearch node
(OPENSEARCH_URL) is only read, to observe a document's _version, _seq_no and _source; nothing here
writes to it. The deployed index-products function is also invoked directly (the `indexer`
fixture) with stream batches built from the table's items: redelivered and stale records must
leave the document alone.

Each test makes its own products. Their names and brands carry a fresh word made from a uuid,
and the tests filter or search by that word. The query side is tests/test_search.py; the helpers
are tests/search.py.
"""

import json
import os
import time
import uuid

import boto3
import pytest
from botocore.config import Config

import keys
from checkout import VISA, WINDOW, payment_method
from conftest import TABLE, order_body, partition, place_order, variant_stock
from search import (bands, expected_bands, find, money, must_find, new_product, node_doc, search, set_variant,
                    suggest, variant, wait_for, wait_indexed, word)


# ---------------------------------------------------------------- helpers

def table_items(dynamodb, pid):
    """The product's items now, by sort key: one state of it, for a stream record's images."""
    return {i[keys.SK]["S"]: i for i in partition(dynamodb, keys.product_pk(pid))}


# ---------------------------------------------------------------- the indexer, invoked directly

@pytest.fixture(scope="module")
def indexer():
    """Invokes the deployed index-products function with an event; its JSON answer."""
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    cfn = boto3.client("cloudformation", endpoint_url=endpoint)
    function = cfn.describe_stack_resource(StackName=os.environ["SHOP_STACK"],
                                           LogicalResourceId="IndexProductsFunction")["StackResourceDetail"]
    lam = boto3.client("lambda", endpoint_url=endpoint,
                       config=Config(read_timeout=300, retries={"max_attempts": 0}))

    def invoke(event):
        out = lam.invoke(FunctionName=function["PhysicalResourceId"], Payload=json.dumps(event).encode())
        payload = out["Payload"].read()
        assert "FunctionError" not in out, payload
        return json.loads(payload)

    return invoke


@pytest.fixture(scope="module")
def stream_arn(dynamodb):
    return dynamodb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]


def stream_event(arn, changes):
    """A DynamoDB stream batch: one MODIFY record per (old item, new item) pair, in order."""
    records = []
    for old, new in changes:
        records.append({
            "eventID": uuid.uuid4().hex,
            "eventName": "MODIFY",
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": os.environ.get("AWS_REGION", "us-east-1"),
            "dynamodb": {
                "ApproximateCreationDateTime": int(time.time()),
                "Keys": {keys.PK: new[keys.PK], keys.SK: new[keys.SK]},
                "NewImage": new,
                "OldImage": old,
                "SequenceNumber": f"{time.time_ns():024d}",
                "SizeBytes": 1,
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
            "eventSourceARN": arn,
        })
    return {"Records": records}


def state_change(before, after):
    """(old, new) image pairs for every item of the product, product item first."""
    return [(before[sk], after[sk]) for sk in sorted(after, key=lambda sk: sk != keys.PRODUCT_SK)]


# ---------------------------------------------------------------- indexing through the real path

def test_a_price_change_moves_the_product_between_price_bands(seller, anon):
    """Changing a variant's price (and then its sale price: the current unit price counts) moves
    the product from one price band to another, and min_price/max_price follow."""
    brand = word().title()
    p = new_product(seller, f"{word().title()} Desk Lamp", brand, "furniture", [variant(3000)])
    only = [("brand", brand)]

    def at(band):
        return lambda: bands(search(anon, only)) == expected_bands({band: 1})

    wait_for(at((2500, 5000)), what="the product in the 2500-5000 band")
    assert find(anon, p["id"], only + [("min_price", 2500), ("max_price", 5000)])
    assert find(anon, p["id"], only + [("min_price", 3000), ("max_price", 3000)]), "bounds are inclusive"
    assert not find(anon, p["id"], only + [("min_price", 10000)])

    set_variant(seller, p, price=12000)
    wait_for(at((10000, 20000)), what="the product moved to the 10000-20000 band")
    assert must_find(anon, p["id"], only)["priceFrom"] == money(12000)
    assert find(anon, p["id"], only + [("min_price", 10000), ("max_price", 20000)])
    assert find(anon, p["id"], only + [("min_price", 12000)])
    assert not find(anon, p["id"], only + [("min_price", 2500), ("max_price", 5000)])
    assert not find(anon, p["id"], only + [("max_price", 11999)])

    set_variant(seller, p, salePrice=8000)
    wait_for(at((5000, 10000)), what="the product moved to the 5000-10000 band by its sale price")
    assert must_find(anon, p["id"], only)["priceFrom"] == money(8000)
    assert find(anon, p["id"], only + [("max_price", 8000)])
    assert not find(anon, p["id"], only + [("min_price", 10000)])


def test_no_stock_hides_the_product_unless_asked_for(seller, anon):
    """With onHand 0 on every variant the product leaves the default results but is listed with
    include_out_of_stock=true and in_stock=false; stock put back brings it back."""
    w = word()
    p = new_product(seller, f"{w.title()} Trail Runner", word().title(), "shoes",
                    [variant(6000, on_hand=3, size="42"), variant(6100, on_hand=3, size="43")])
    q = [("q", w)]
    wait_for(lambda: find(anon, p["id"], q), what="the product listed")

    set_variant(seller, p, 0, onHand=0)
    set_variant(seller, p, 1, onHand=0)

    wait_for(lambda: not find(anon, p["id"], q), what="the sold-out product gone from default results")
    assert not find(anon, p["id"], q + [("in_stock", "true")])
    listed = wait_for(lambda: find(anon, p["id"], q + [("include_out_of_stock", "true")]))
    assert listed["inStock"] is False
    assert must_find(anon, p["id"], q + [("in_stock", "false")])["inStock"] is False

    set_variant(seller, p, 1, onHand=2)

    back = wait_for(lambda: find(anon, p["id"], q), what="the restocked product back in default results")
    assert back["inStock"] is True
    assert not find(anon, p["id"], q + [("in_stock", "false")])


def test_selling_the_last_unit_hides_the_product(seller, fresh_customer, anon, dynamodb):
    """A product with one unit: an order for it reserves the unit (available 0) and the product
    leaves the default results; the paid sale (onHand 0) does not bring it back."""
    w = word()
    p = new_product(seller, f"{w.title()} Camp Lantern", word().title(), "camping", [variant(2000, on_hand=1)])
    sku = p["variants"][0]["sku"]
    q = [("q", w)]
    wait_for(lambda: find(anon, p["id"], q), what="the product listed")

    r = place_order(fresh_customer, order_body([{"sku": sku, "quantity": 1}],
                                               payment_method=payment_method(VISA)["id"]))
    assert r.status_code == 201, r.text
    order_id = r.json()["id"]
    on_hand, reserved = variant_stock(dynamodb, p["id"], sku)
    assert on_hand - reserved == 0, (on_hand, reserved)

    wait_for(lambda: not find(anon, p["id"], q), what="the product with its last unit reserved gone")
    assert must_find(anon, p["id"], q + [("in_stock", "false")])["inStock"] is False

    def settled():
        order = fresh_customer.api.get(f"/orders/{order_id}").json()
        return order if order["status"] != "pending_payment" else None

    order = wait_for(settled, timeout=WINDOW + 60, what=f"order {order_id} settled")
    assert order["status"] == "confirmed", json.dumps(order)
    assert variant_stock(dynamodb, p["id"], sku) == (0, 0)
    wait_indexed(dynamodb, p["id"])
    assert not find(anon, p["id"], q), "the sale brought the product back"
    assert must_find(anon, p["id"], q + [("include_out_of_stock", "true")])["inStock"] is False


def test_a_deleted_product_leaves_the_index(seller, anon, dynamodb, indexer, stream_arn):
    """Deleting a product removes its document and every hit; a late redelivery of one of its
    changes answers no failures and does not bring the document back."""
    w = word()
    p = new_product(seller, f"{w.title()} Oak Stool", word().title(), "furniture", [variant(9000)])
    wait_for(lambda: find(anon, p["id"], [("q", w)]), what="the product listed")
    wait_indexed(dynamodb, p["id"])
    items = table_items(dynamodb, p["id"])

    r = seller.api.delete(f"/products/{p['id']}")
    assert r.status_code == 204, r.text

    wait_for(lambda: node_doc(p["id"]) is None, what="the document deleted from the node")
    wait_for(lambda: not find(anon, p["id"], [("q", w), ("include_out_of_stock", "true")]),
             what="no hit for the deleted product")
    assert not find(anon, p["id"], [("q", w), ("in_stock", "false")])

    late = stream_event(stream_arn, state_change(items, items))
    assert indexer(late) == {"batchItemFailures": []}
    assert node_doc(p["id"]) is None, "a redelivered change resurrected a deleted product"


def test_redelivered_and_stale_stream_records_leave_the_document_alone(seller, anon, dynamodb, indexer, stream_arn):
    """index-products invoked directly with a batch already applied (twice) and with one carrying
    an older state of the product answers no failures and leaves the newest document as it was:
    same _source, _version and _seq_no."""
    w = word()
    p = new_product(seller, f"{w.title()} Camp Stove", word().title(), "camping", [variant(3000)])
    oldest = table_items(dynamodb, p["id"])
    set_variant(seller, p, price=4000)
    older = table_items(dynamodb, p["id"])
    set_variant(seller, p, price=5000)
    newest = table_items(dynamodb, p["id"])
    assert newest[keys.PRODUCT_SK]["version"] != older[keys.PRODUCT_SK]["version"]

    before = wait_indexed(dynamodb, p["id"])
    assert before["_source"]["priceFrom"] == 5000

    replay = stream_event(stream_arn, state_change(older, newest))
    assert indexer(replay) == {"batchItemFailures": []}
    assert indexer(replay) == {"batchItemFailures": []}
    stale = stream_event(stream_arn, state_change(oldest, older))
    assert indexer(stale) == {"batchItemFailures": []}

    after = node_doc(p["id"])
    assert after["_source"] == before["_source"]
    assert (after["_version"], after["_seq_no"], after["_primary_term"]) == \
        (before["_version"], before["_seq_no"], before["_primary_term"]), "the document was rewritten"
    # Search sees a write only after the index's refresh interval (a read by id is realtime):
    # wait for the newest price to be searchable, not merely for the product to be found.
    hit = wait_for(lambda: (h := find(anon, p["id"], [("q", w)])) and h["priceFrom"] == money(5000) and h,
                   what="the newest price searchable")
    assert hit["priceFrom"] == money(5000)


def test_inactive_products_are_never_returned(seller, anon):
    """A product its seller takes off sale leaves every search, sold-out listings included,
    and comes back when put on sale again."""
    w, brand = word(), word().title()
    p = new_product(seller, f"{w.title()} Duvet", brand, "bedding", [variant(4000, size="double")])
    wait_for(lambda: find(anon, p["id"], [("q", w)]), what="the product listed")

    def status(value):
        r = seller.api.put(f"/products/{p['id']}", json={"name": p["name"], "description": "", "brand": brand,
                                                         "categoryId": "bedding", "status": value})
        assert r.status_code == 200, r.text

    status("inactive")
    wait_for(lambda: not find(anon, p["id"], [("q", w), ("include_out_of_stock", "true")]),
             what="the inactive product gone")
    assert not find(anon, p["id"], [("q", w), ("in_stock", "false")])
    assert not any(s.get("productId") == p["id"] for s in suggest(anon, w[:6]))

    status("active")
    wait_for(lambda: find(anon, p["id"], [("q", w)]), what="the product back on sale")
