"""Writing of the synthetic catalog of infra/bench/catalog_gen.py into the shop table:
BatchWriteItem of whole products (never split between calls), UnprocessedItems retried with
backoff; catalog_gen's docstring says why.
"""

import random
import sys
import threading
import time
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[2] / "tests")
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
import keys  # noqa: E402  (the table's key schema, mirror of shared/src/store/keys.rs)
from catalog_items import N, S, make_product, rfc3339  # noqa: E402

MAX_ITEMS_PER_CALL = 25


class Writer:
    """BatchWriteItem of whole products (never split between calls), with retries."""

    def __init__(self, ddb, table):
        self.ddb, self.table = ddb, table
        self.lock = threading.Lock()
        self.items = self.calls = self.retries = self.bumped = self.products = 0

    def write(self, products):
        """products: [(product item, variants, claims)]; returns when all are written."""
        product_of = {product[keys.PK]["S"]: product for product, _, _ in products}
        reqs = [{"PutRequest": {"Item": item}}
                for product, variants, claims in products for item in (*variants, *claims, product)]
        attempt = 0
        while True:
            out = self.ddb.batch_write_item(RequestItems={self.table: reqs})
            left = out.get("UnprocessedItems", {}).get(self.table, [])
            with self.lock:
                self.calls += 1
                self.items += len(reqs) - len(left)
            if not left:
                break
            attempt += 1
            if attempt > 12:
                raise RuntimeError(f"{len(left)} items still unprocessed after {attempt} attempts")
            time.sleep(min(5.0, 0.05 * 2 ** attempt) * random.uniform(0.5, 1.0))
            # Products split between calls may have been indexed in part: each is sent again
            # with its product item one version up (as an edit would write it), so the state
            # after the retry outranks whatever the indexer saw meanwhile.
            def owner(item):
                if item[keys.ENTITY]["S"] == "sku":
                    return keys.product_pk(item["productId"]["S"])
                return item[keys.PK]["S"]
            split = sorted({owner(r["PutRequest"]["Item"]) for r in left})
            reqs = [r for r in left if r["PutRequest"]["Item"][keys.ENTITY]["S"] != "product"]
            for pk in split:
                bumped = dict(product_of[pk])
                bumped["version"] = N(int(bumped["version"]["N"]) + 1)
                bumped["updatedAt"] = S(rfc3339(time.time_ns()))
                product_of[pk] = bumped
                reqs.append({"PutRequest": {"Item": bumped}})
            with self.lock:
                self.retries += 1
                self.bumped += len(split)
        with self.lock:
            self.products += len(products)


def chunks(seed, count, run_tag, now_ns):
    """Whole products packed into calls of at most 25 items."""
    batch, size = [], 0
    for n in range(count):
        p = make_product(seed, n, run_tag, now_ns)
        k = 1 + len(p[1]) + len(p[2])
        if size + k > MAX_ITEMS_PER_CALL:
            yield batch
            batch, size = [], 0
        batch.append(p)
        size += k
    if batch:
        yield batch
