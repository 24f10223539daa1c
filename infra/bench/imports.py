"""Catalog import throughput and memory: generated CSV files of N rows through the real path
(POST /seller/imports -> presigned PUT -> S3 -> SQS -> import-catalog -> DynamoDB).

For each size it reports the file's bytes, the time from the start of the upload until
GET /seller/imports/{id} says `done` (rows/s end to end), the function's own run (startedAt to
finishedAt), and the import function's peak resident memory for that run: the function resets
and reads its peak (`/proc/self/clear_refs`, `VmHWM`) around each import and logs it with the
import's key, which this script reads from LocalStack's CloudWatch Logs. Flat memory means the
file streams through: compare the sizes.

Every row creates a product variant (1-3 per product) of a fresh approved seller, so the table
grows by the rows; the stream indexer then indexes those products for a long while (locally
about 18 products/s): run this on a stack you then take down (`infra/local/down.sh`), not
before the test suite. Numbers are measurements, never assertions.
Usage (reads .local/env if not sourced):
  python infra/bench/imports.py [--rows 10000 100000] [--timeout 1800]
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
from conftest import API, approved_seller  # noqa: E402  (loads .local/env)
from function_logs import logged_fields, physical_name  # noqa: E402

LEAVES = ["phones", "laptops", "headphones", "cameras", "mens-shirts", "womens-dresses", "shoes", "cookware",
          "furniture", "bedding", "fiction", "non-fiction", "fitness", "camping", "board-games", "puzzles"]
HEADER = "handle,name,description,brand,categoryId,status,sku,price,salePrice,currency,onHand,attr:size\n"


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def write_file(path, rows, tag, rng):
    """`rows` CSV rows: products of 1-3 variants, every product in a seeded category."""
    written, product = 0, 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        while written < rows:
            variants = min(rng.randint(1, 3), rows - written)
            category = LEAVES[product % len(LEAVES)]
            price = rng.randrange(499, 99_999)
            for v in range(variants):
                sale = str(price * 9 // 10) if rng.random() < 0.2 else ""
                f.write(f"bench-{tag}-{product},\"Bench {category} {product}, model {tag}\",A generated product.,"
                        f"Benchbrand,{category},active,B{tag}-{product}-{v},{price + 100 * v},{sale},USD,"
                        f"{rng.randint(0, 500)},{40 + v}\n")
                written += 1
            product += 1
    return product


def peak_memory(import_id, deadline):
    """(peak KiB, seconds) the import function logged for this import."""
    fields = logged_fields(physical_name("ImportCatalogFunction"), "upload handled",
                           lambda f: import_id in f.get("key", ""), deadline, filter_pattern=import_id)
    return fields.get("peak_rss_kib"), fields.get("seconds")


def run(seller, rows, timeout):
    rng = random.Random(rows)
    tag = uuid.uuid4().hex[:6].upper()
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as tmp:
        path = tmp.name
    try:
        products = write_file(path, rows, tag, rng)
        size = os.path.getsize(path)
        r = seller.api.post("/seller/imports", json={"format": "csv", "sizeBytes": size})
        r.raise_for_status()
        ticket = r.json()
        log(f"{rows} rows ({products} products, {size} bytes): uploading as import {ticket['id']}")
        t0 = time.time()
        with open(path, "rb") as body:
            put = requests.put(ticket["upload"]["url"], data=body, headers=ticket["upload"]["headers"], timeout=300)
        put.raise_for_status()
        deadline = t0 + timeout
        while True:
            view = seller.api.get(f"/seller/imports/{ticket['id']}").json()
            if view["status"] in ("done", "failed"):
                break
            if time.time() > deadline:
                sys.exit(f"import {ticket['id']} not finished after {timeout} s: {view}")
            time.sleep(1)
        wall = time.time() - t0
        peak_kib, fn_seconds = peak_memory(ticket["id"], time.time() + 60)
        counts = view["counts"]
        return {"rows": rows, "products": products, "bytes": size, "status": view["status"], "counts": counts,
                "endToEndSeconds": round(wall, 1), "rowsPerSecond": round(counts["read"] / wall, 1),
                "functionSeconds": fn_seconds and round(fn_seconds, 1),
                "functionRowsPerSecond": fn_seconds and round(counts["read"] / fn_seconds, 1),
                "peakRssMiB": peak_kib and round(peak_kib / 1024, 1)}
    finally:
        os.unlink(path)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--timeout", type=int, default=1800)
    args = parser.parse_args()
    seller = approved_seller()
    results = [run(seller, rows, args.timeout) for rows in args.rows]
    for result in results:
        log(json.dumps(result))
    print(json.dumps({"api": API, "results": results}, indent=2))


if __name__ == "__main__":
    main()
