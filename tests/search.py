"""What tests/test_search.py, tests/test_search_indexing.py and tests/test_reindex.py use to make
products and read product search: products made through the API (POST /products, PUT
/products/{id}/variants/{sku}), GET /search and GET /search/suggest through the gateway, and the
OpenSearch node (OPENSEARCH_URL), only ever read, for a document's _version, _seq_no and _source.

A test's products carry a fresh word made from a uuid in their names and brands (letters only,
so no analyzer splits it at a letter/digit boundary), and the test filters or searches by that
word. The index is near-real-time, so every expectation about it is polled with wait_for (at
most 60 s each); wait_indexed waits until the node holds a product's current table state.
"""

import os
import time
import uuid

import requests

import keys
from conftest import partition

OPENSEARCH = os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200")
ALIAS = "products"
# (min, max) of the price bands, minor units, max exclusive; every search lists all six.
BANDS = [(0, 2500), (2500, 5000), (5000, 10000), (10000, 20000), (20000, 50000), (50000, None)]
ITEM_FIELDS = {"id", "name", "brand", "categoryId", "sellerId", "priceFrom", "priceTo", "inStock", "ratingCount",
               "ratingAverageX100"}


# ---------------------------------------------------------------- helpers

def wait_for(predicate, timeout=60, what="the search index to catch up"):
    """Calls `predicate` until it returns something truthy, and returns that; fails after
    `timeout` seconds. The one way these tests wait for the index."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.5)


def word():
    """A fresh lower-case word of 10 letters, from a uuid."""
    return "".join(chr(ord("a") + b % 26) for b in uuid.uuid4().bytes[:10])


def variant(price, on_hand=5, sale_price=None, **attributes):
    """A variant as POST /products takes it (SKU unique per call)."""
    v = {"sku": f"SR-{uuid.uuid4().hex[:12].upper()}", "attributes": attributes, "price": price, "currency": "USD",
         "onHand": on_hand}
    if sale_price is not None:
        v["salePrice"] = sale_price
    return v


def new_product(seller, name, brand, category, variants):
    """POST /products as `seller`; the created product (its variants are the dicts given, which
    set_variant keeps up to date)."""
    r = seller.api.post("/products", json={"name": name, "description": "Made for the search tests.",
                                           "brand": brand, "categoryId": category, "variants": variants})
    assert r.status_code == 201, r.text
    return {**r.json(), "sent": variants}


def set_variant(seller, product, index=0, **changes):
    """PUT /products/{id}/variants/{sku} with the variant as last sent, `changes` applied
    (price=, salePrice=, onHand=)."""
    v = product["sent"][index]
    v.update(changes)
    body = {k: v[k] for k in ("attributes", "price", "salePrice", "currency", "onHand") if k in v}
    r = seller.api.put(f"/products/{product['id']}/variants/{v['sku']}", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def search(anon, params=()):
    """GET /search; the 200 answer's body."""
    r = anon.get("/search", params=params)
    assert r.status_code == 200, f"{r.status_code} {r.text}"
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def params_of(params):
    return list(params.items()) if isinstance(params, dict) else list(params)


def find(anon, pid, params):
    """The product's hit on the first page of a search, or None."""
    return next((item for item in search(anon, params)["items"] if item["id"] == pid), None)


def must_find(anon, pid, params):
    """The product's hit, which must be on the first page of the search."""
    hit = find(anon, pid, params)
    assert hit, f"{pid} not found with {params}"
    return hit


def suggest(anon, q, **params):
    r = anon.get("/search/suggest", params={"q": q, **params})
    assert r.status_code == 200, f"{r.status_code} {r.text}"
    assert r.headers["content-type"].startswith("application/json")
    return r.json()["suggestions"]


def node_doc(pid):
    """The product's document as the node holds it now (realtime GET), or None."""
    r = requests.get(f"{OPENSEARCH}/{ALIAS}/_doc/{pid}", timeout=10)
    if r.status_code == 404:
        return None
    assert r.status_code == 200, r.text
    return r.json()


def table_version(dynamodb, pid):
    """The document version the contract derives from the table: product.version + sum of
    the variants' rev."""
    items = partition(dynamodb, keys.product_pk(pid))
    (product,) = [i for i in items if i[keys.SK]["S"] == keys.PRODUCT_SK]
    revs = [int(i.get("rev", {"N": "0"})["N"]) for i in items if i[keys.SK]["S"].startswith(keys.VARIANT_PREFIX)]
    return int(product["version"]["N"]) + sum(revs)


def wait_indexed(dynamodb, pid):
    """Waits until the node holds the product's current table state; its document."""
    want = table_version(dynamodb, pid)

    def current():
        doc = node_doc(pid)
        return doc if doc and doc["_version"] == want else None

    return wait_for(current, what=f"product {pid} indexed at _version {want}")


def money(amount):
    return {"amount": amount, "currency": "USD"}


def bands(result):
    """priceBands as {(min, max): count}, after checking all six are listed in order."""
    listed = result["facets"]["priceBands"]
    assert [(b["min"], b["max"]) for b in listed] == BANDS, listed
    return {(b["min"], b["max"]): b["count"] for b in listed}


def expected_bands(counts):
    return {band: counts.get(band, 0) for band in BANDS}
