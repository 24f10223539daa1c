"""Synthetic catalog for the search benchmarks, written straight into the shop table.

Generates N products (default 50,000) with 1-3 variants each and writes them with
BatchWriteItem (25 items a call, from a thread pool, UnprocessedItems retried with backoff)
in exactly the stored format the Rust code writes for a product made through the API
(shared/src/store/catalog_writes.rs: product_item, variant_item, the SKU claim; `to_item` =
serde_dynamo of the camelCase structs of shared/src/domain/catalog/model.rs, None as NULL,
plus PK/SK/entity; GSI1 (category listing, active products) and GSI2 (the seller's products)
on the product item; keys from tests/keys.py, the mirror of keys.rs). So the table's stream
reaches index-products exactly as for API-made products, and the benchmark measures
indexing throughput through the stream path:

  first write starts -> ... -> GET $OPENSEARCH_URL/products/_count shows every product

The count is polled (every second) on this run's own description token, so products of
earlier runs do not count. Progress goes to stderr every ~10 s; a JSON summary to stdout.

Every generated product is findable and removable later:
  seller  "bench-seller" (a fixed fake sub)          brand   "Bx..." (300 made-up brands)
  description contains "benchgen" and "benchrun<tag>" (tag: this run)
  SKUs    "BENCH-<tag>-<n>-<j>" (n: product number, j: variant; upper case as Sku stores them)
`--clean` deletes every product that has all three marks (seller, Bx brand, benchgen), with
its variants and SKU claims; the stream then removes their documents.

Content (names, brands, categories, descriptions, prices, stock, ratings, ages) depends only
on --seed and the product number; ids, the run tag and so SKUs are fresh every run, so runs
never collide. Each product's items go into one BatchWriteItem call, never split between
calls: LocalStack publishes a call's stream records after the whole call, so the indexer
sees each product complete, as after the API's transaction. (If DynamoDB leaves some of a
product's items unprocessed, the retry rewrites the product item with version+1 beside
them, as an edit would, so the final document outranks any partial state indexed meanwhile.
One case it cannot repair: variants written while their product item was left over make the
indexer delete the id, and that tombstone refuses the product for the index's gc_deletes
window; the poll would then time out short. LocalStack only leaves items unprocessed when
throttling is configured.)

Pace seen locally (2 cores): LocalStack hands index-products one stream batch about every
1.2 s (~55 records, ~150 ms per invoke), about 18 products/s whatever the write rate; 50,000
products then need ~45-50 min, so give --timeout 4500 (the summary's steady_docs_per_s is the
indexer's pace even if the timeout cuts the run short).

The index is near-real-time (1 s refresh): "all indexed" includes up to one refresh.
Numbers are measurements, never assertions.

Usage (source .local/env first, or it is read from .local/env):
  python infra/bench/catalog_gen.py [--count 50000] [--workers 8] [--seed 42] [--timeout 1800]
  python infra/bench/catalog_gen.py --dry-run          # two sample products as DynamoDB JSON
  python infra/bench/catalog_gen.py --clean            # delete every generated product
"""

import argparse
import json
import os
import random
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
import keys  # noqa: E402  (the table's key schema, mirror of shared/src/store/keys.rs)
from catalog_items import MARK, SELLER, SKU_PREFIX, S, make_product  # noqa: E402
from catalog_vocab import BRANDS, LEAVES, vocabulary  # noqa: E402
from catalog_writer import MAX_ITEMS_PER_CALL, Writer, chunks  # noqa: E402

ENV_FILE = ROOT / ".local" / "env"

# --------------------------------------------------------------------------------------------
# Helpers shared with search.py
# --------------------------------------------------------------------------------------------

def load_env():
    """The local stack's endpoints from .local/env (as tests/conftest.py reads it); the
    environment wins."""
    if ENV_FILE.exists():
        for line in ENV_FILE.read_text().splitlines():
            for pair in line.removeprefix("export ").strip().split():
                if "=" in pair:
                    k, v = pair.split("=", 1)
                    os.environ.setdefault(k, v)


def pct(samples, p):
    """As in infra/bench/checkout.py: the sample at rank p% (seconds in, ms out)."""
    s = sorted(samples)
    return round(s[min(len(s) - 1, int(len(s) * p / 100))] * 1000, 1) if s else None


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------

def os_count(session, url, query):
    r = session.get(f"{url}/products/_count", params={"q": query}, timeout=10)
    if r.status_code == 404:  # no index yet (the indexer creates it at its cold start)
        return 0
    r.raise_for_status()
    return r.json()["count"]


def check_categories(ddb, table):
    missing = []
    for leaf in LEAVES:
        got = ddb.get_item(TableName=table, Key=keys.key(keys.CATALOG_PK, keys.category_sk(leaf)))
        if "Item" not in got:
            missing.append(leaf)
    return missing


def clients(args):
    """The table's name, the OpenSearch node's URL and a DynamoDB client pooled for the workers."""
    import boto3
    from botocore.config import Config

    load_env()
    cfg = Config(retries={"max_attempts": 8, "mode": "standard"}, read_timeout=120,
                 max_pool_connections=max(10, args.workers * 2))
    ddb = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=cfg)
    return os.environ["TABLE_NAME"], os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200").rstrip("/"), ddb


def generate(args):
    import requests

    table, os_url, ddb = clients(args)
    missing = check_categories(ddb, table)
    if missing:
        sys.exit(f"catalog_gen: categories missing from the table (seed them with infra/local/seed.py): {missing}")

    run_tag = os.urandom(3).hex()
    token = f"benchrun{run_tag}"
    session = requests.Session()
    before_all = os_count(session, os_url, f"description:{MARK}")
    log(f"run {run_tag}: {args.count} products, seed {args.seed}, {args.workers} writers; "
        f"{before_all} generated products already indexed (earlier runs)")

    writer = Writer(ddb, table)
    now_ns = time.time_ns()
    state = {"write_end": None, "indexed_at": None, "indexed": 0, "error": None, "stop": False,
             "first": None, "polled_at": None}
    t_start = time.perf_counter()
    wall_start = time.time()

    def poller():
        last_log = 0.0
        while True:
            elapsed = time.perf_counter() - t_start
            try:
                state["indexed"] = os_count(session, os_url, f"description:{token}")
                state["polled_at"] = time.perf_counter() - t_start
                if state["indexed"] and state["first"] is None:
                    state["first"] = (state["polled_at"], state["indexed"])
            except Exception as e:  # the node may be briefly busy: keep polling
                state["error"] = str(e)[:200]
            if state["indexed"] >= args.count and state["write_end"] is not None:
                state["indexed_at"] = time.perf_counter() - t_start
                return
            if elapsed > args.timeout or state["stop"]:
                return
            if elapsed - last_log >= 10:
                last_log = elapsed
                rate = writer.items / elapsed if elapsed else 0
                log(f"{elapsed:6.0f} s: written {writer.products}/{args.count} products ({writer.items} items, "
                    f"{rate:.0f} items/s); indexed {state['indexed']}/{args.count}")
            time.sleep(1.0)

    poll_thread = threading.Thread(target=poller, daemon=True)
    poll_thread.start()

    failure = None
    with ThreadPoolExecutor(args.workers) as pool:
        pending = set()
        for batch in chunks(args.seed, args.count, run_tag, now_ns):
            if len(pending) >= args.workers * 4:  # bounded: products are generated as they are written
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    if f.exception():
                        failure = f.exception()
                if failure:
                    break
            pending.add(pool.submit(writer.write, batch))
        done, _ = wait(pending)
        for f in done:
            if f.exception() and not failure:
                failure = f.exception()
    state["write_end"] = time.perf_counter() - t_start
    if failure:
        state["stop"] = True  # the count cannot be reached: report what was indexed
        log(f"writing failed: {failure!r}")
    write_s = state["write_end"]
    log(f"writes done in {write_s:.1f} s: {writer.products} products, {writer.items} items, {writer.calls} calls "
        f"({writer.retries} retries); waiting for the index (timeout {args.timeout} s)")
    poll_thread.join()

    indexed_at = state["indexed_at"]
    # The indexer's pace once documents flow (first poll that saw one .. last poll), also
    # meaningful when the timeout cut the run short.
    steady = None
    if state["first"] and state["polled_at"] and state["polled_at"] > state["first"][0]:
        steady = (state["indexed"] - state["first"][1]) / (state["polled_at"] - state["first"][0])
    summary = {
        "run": run_tag,
        "seed": args.seed,
        "workers": args.workers,
        "products_requested": args.count,
        "products_written": writer.products,
        "items_written": writer.items,
        "batch_calls": writer.calls,
        "unprocessed_retries": writer.retries,
        "products_rewritten_after_split": writer.bumped,
        "write_s": round(write_s, 2),
        "items_per_s_ddb": round(writer.items / write_s, 1) if write_s else None,
        "products_per_s_ddb": round(writer.products / write_s, 1) if write_s else None,
        "indexed": state["indexed"],
        "all_indexed_s": round(indexed_at, 2) if indexed_at else None,
        "index_lag_after_writes_s": round(indexed_at - write_s, 2) if indexed_at else None,
        "docs_per_s_end_to_end": round(writer.products / indexed_at, 1) if indexed_at else None,
        "first_indexed_s": round(state["first"][0], 2) if state["first"] else None,
        "steady_docs_per_s": round(steady, 1) if steady else None,
        "timed_out": indexed_at is None,
        "first_write_utc": datetime.fromtimestamp(wall_start, tz=timezone.utc).isoformat(timespec="seconds"),
        "generated_products_indexed_total": os_count(session, os_url, f"description:{MARK}"),
        "write_error": repr(failure) if failure else None,
        "last_poll_error": state["error"],
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(summary, indent=2))
    return 1 if failure or indexed_at is None else 0


# --------------------------------------------------------------------------------------------
# Cleaning
# --------------------------------------------------------------------------------------------

def clean(args):
    import requests

    table, os_url, ddb = clients(args)
    t0 = time.perf_counter()
    segments = max(1, args.workers)

    def scan(segment):
        """Keys of generated products' items and their SKU claims in one scan segment."""
        found, start = [], None
        while True:
            page = ddb.scan(
                TableName=table, Segment=segment, TotalSegments=segments,
                ProjectionExpression="PK, SK, sku",
                FilterExpression="(#e = :product AND sellerId = :seller AND begins_with(brand, :bx) "
                                 "AND contains(description, :mark)) "
                                 "OR (#e = :variant AND begins_with(sku, :skup))",
                ExpressionAttributeNames={"#e": keys.ENTITY},
                ExpressionAttributeValues={":product": S("product"), ":seller": S(SELLER), ":bx": S("Bx"),
                                           ":mark": S(MARK), ":variant": S("variant"), ":skup": S(SKU_PREFIX)},
                **({"ExclusiveStartKey": start} if start else {}))
            found.extend(page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if not start:
                return found

    with ThreadPoolExecutor(segments) as pool:
        found = [i for part in pool.map(scan, range(segments)) for i in part]
    products = {i[keys.PK]["S"] for i in found if i[keys.SK]["S"] == keys.PRODUCT_SK}
    # Only variants of generated products (a variant's PK is its product's).
    variants = [i for i in found if i[keys.SK]["S"].startswith(keys.VARIANT_PREFIX) and i[keys.PK]["S"] in products]
    deletes = [keys.key(i[keys.PK]["S"], i[keys.SK]["S"]) for i in variants]
    deletes += [keys.key(keys.sku_pk(i["sku"]["S"]), keys.SKU_SK) for i in variants]
    deletes += [keys.key(pk, keys.PRODUCT_SK) for pk in sorted(products)]
    log(f"clean: {len(products)} generated products, {len(variants)} variants found "
        f"in {time.perf_counter() - t0:.1f} s")

    def delete(batch):
        reqs = [{"DeleteRequest": {"Key": k}} for k in batch]
        attempt = 0
        while reqs:
            out = ddb.batch_write_item(RequestItems={table: reqs})
            reqs = out.get("UnprocessedItems", {}).get(table, [])
            if reqs:
                attempt += 1
                time.sleep(min(5.0, 0.05 * 2 ** attempt))
        return len(batch)

    t1 = time.perf_counter()
    with ThreadPoolExecutor(args.workers) as pool:
        deleted = sum(pool.map(delete, [deletes[i:i + MAX_ITEMS_PER_CALL]
                                        for i in range(0, len(deletes), MAX_ITEMS_PER_CALL)]))
    delete_s = time.perf_counter() - t1
    log(f"clean: {deleted} items deleted in {delete_s:.1f} s; waiting for the index to drop them")
    session = requests.Session()
    left = os_count(session, os_url, f"description:{MARK}")
    t2 = time.perf_counter()
    last_log = 0.0
    while left and time.perf_counter() - t2 < args.timeout:
        time.sleep(1.0)
        left = os_count(session, os_url, f"description:{MARK}")
        if time.perf_counter() - last_log >= 10:
            last_log = time.perf_counter()
            log(f"clean: {left} generated documents still in the index")
    emptied = round(time.perf_counter() - t1, 2) if not left else None
    print(json.dumps({"products_deleted": len(products), "items_deleted": deleted, "delete_s": round(delete_s, 2),
                      "documents_left": left, "index_emptied_s": emptied}, indent=2))
    return 0 if not left else 1


def dry_run(args):
    now_ns = time.time_ns()
    for n in range(2):
        product, variants, claims = make_product(args.seed, n, "000000", now_ns)
        print(json.dumps({"product": product, "variants": variants, "skuClaims": claims}, indent=2))
    rng = random.Random(args.seed)
    sample = [make_product(args.seed, rng.randrange(10**6), "000000", now_ns)[0] for _ in range(2000)]
    distinct = {w.lower().strip(".,:") for p in sample for f in ("name", "description") for w in p[f]["S"].split()}
    print(json.dumps({"vocabulary_words": len(vocabulary()), "brands": len(BRANDS),
                      "distinct_tokens_in_2000_products": len(distinct),
                      "note": "dry run: nothing written; SKUs/ids of a real run carry its run tag"}, indent=2),
          file=sys.stderr)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=50_000, help="products to generate (default 50000)")
    ap.add_argument("--workers", type=int, default=8, help="concurrent BatchWriteItem callers (default 8)")
    ap.add_argument("--seed", type=int, default=42, help="content seed (default 42)")
    ap.add_argument("--timeout", type=float, default=4500, help="seconds to wait for the index (default 4500)")
    ap.add_argument("--dry-run", action="store_true", help="print 2 sample products as DynamoDB JSON, write nothing")
    ap.add_argument("--clean", action="store_true",
                    help="delete every generated product (seller bench-seller, brand Bx*, 'benchgen') instead")
    args = ap.parse_args()
    if args.count < 1 or args.workers < 1:
        ap.error("--count and --workers must be at least 1")
    if args.dry_run:
        return dry_run(args)
    if args.clean:
        return clean(args)
    return generate(args)


if __name__ == "__main__":
    sys.exit(main())
