"""Search latency through the handler: GET /search and GET /search/suggest on the local shop.

Every request goes gateway -> Lambda Invoke (search-products / suggest-products) -> OpenSearch.
Beside the client's latency it reads the node's own time, which the functions return as
`Server-Timing: search;dur=<ms>` (OpenSearch's `took`), and reports the difference: what the
gateway, the Lambda invoke and the handler add around the search itself.

A fixed list of queries built from infra/bench/catalog_gen.py's vocabulary (so their
selectivity is that of the generated catalog): single words, 2-3 word queries, a model code,
a typo, filters (category, brand, price range, attr.colour/size, rating, stock), sorts, a browse
without q, deep pages reached by following nextCursor; and type-ahead prefixes for /search/suggest.
One warm-up round (not counted), then N rounds, sequential; with --concurrency C > 1 the same
rounds are also sent from C threads at once (after a warm-up at that concurrency), with throughput.

Numbers are measurements, never assertions. Run it after catalog_gen.py has filled and the index
has caught up (its summary says so). Usage (reads .local/env if not sourced):
  python infra/bench/search.py [--rounds 5] [--concurrency 1] [--seed 42] [--json-only]
"""

import argparse
import json
import os
import re
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import catalog_gen as gen  # noqa: E402  (the generator's vocabulary, env and percentile helpers)

pct, log = gen.pct, gen.log
TIMING = re.compile(r"(?:^|,)\s*search;dur=([0-9.]+)")
DEEP_PAGE = 6  # the deep-page queries ask for this page (1-based), following nextCursor


def queries(seed):
    """(label, path, [(param, value)]) of the benchmark; "cursor:<page>" values are resolved later."""
    b = gen.BRANDS  # Zipf-weighted in the generator: b[0] is the commonest brand, b[40] a rare one
    # A real model code of the generated catalog (product 0 of this seed): a one-product lookup.
    name = gen.make_product(seed, 0, "000000", time.time_ns())[0]["name"]["S"]
    model = next(w for w in name.split() if re.fullmatch(r"[A-Z]{2}[0-9]+", w))
    s = "/search"
    out = [
        # single words: a noun, materials (common / rare), a feature word, a brand, a model code
        ("word: headphones", s, [("q", "headphones")]),
        ("word: walnut", s, [("q", "walnut")]),
        ("word: cashmere", s, [("q", "cashmere")]),
        ("word: titanium", s, [("q", "titanium")]),
        ("word: skillet", s, [("q", "skillet")]),
        ("word: thriller", s, [("q", "thriller")]),
        ("word: durable (copy)", s, [("q", "durable")]),
        (f"brand as text: {b[0]}", s, [("q", b[0])]),
        (f"model code: {model}", s, [("q", model)]),
        # 2-3 words
        ("wireless headphones", s, [("q", "wireless headphones")]),
        ("walnut side table", s, [("q", "walnut side table")]),
        ("cast iron skillet", s, [("q", "cast iron skillet")]),
        ("noise cancelling headphones", s, [("q", "noise cancelling headphones")]),
        ("mirrorless camera 4k", s, [("q", "mirrorless camera 4k")]),
        ("linen oxford shirt", s, [("q", "linen oxford shirt")]),
        ("running shoes cushioning", s, [("q", "running shoes cushioning")]),
        ("yoga mat non-slip", s, [("q", "yoga mat non-slip")]),
        ("ultralight sleeping bag", s, [("q", "ultralight sleeping bag")]),
        ("strategy board game", s, [("q", "strategy board game")]),
        ("rugged waterproof boots", s, [("q", "rugged waterproof boots")]),
        ("typo: wireles hedphones", s, [("q", "wireles hedphones")]),
        # filters
        ("q + category (parent)", s, [("q", "headphones"), ("category", "electronics")]),
        ("category leaf, browse", s, [("category", "shoes")]),
        ("q + 2 brands", s, [("q", "shirt"), ("brand", b[0]), ("brand", b[1])]),
        (f"brand browse: {b[2]}", s, [("brand", b[2])]),
        (f"rare brand browse: {b[40]}", s, [("brand", b[40])]),
        ("q + price range", s, [("q", "laptop"), ("min_price", "50000"), ("max_price", "150000")]),
        ("q + attr.colour", s, [("q", "dress"), ("attr.colour", "black")]),
        ("category + colour + size", s, [("category", "mens-shirts"), ("attr.colour", "navy"), ("attr.size", "M")]),
        ("q + min_rating 4", s, [("q", "novel"), ("min_rating", "4")]),
        ("q + sold out only", s, [("q", "tent"), ("in_stock", "false")]),
        ("q + out of stock too, 50", s, [("q", "headphones"), ("include_out_of_stock", "true"), ("limit", "50")]),
        # sorts and browsing
        ("q sort price_asc", s, [("q", "camera"), ("sort", "price_asc")]),
        ("q sort price_desc", s, [("q", "oak"), ("sort", "price_desc")]),
        ("category sort newest", s, [("category", "home"), ("sort", "newest")]),
        ("q sort rating", s, [("q", "puzzle"), ("sort", "rating")]),
        ("browse, no q", s, []),
        # deep pages: the cursor of page DEEP_PAGE, found by following nextCursor first
        (f"deep page {DEEP_PAGE}: electronics price_asc", s,
         [("category", "electronics"), ("sort", "price_asc"), ("cursor", f"cursor:{DEEP_PAGE}")]),
        (f"deep page {DEEP_PAGE}: q shirt relevance", s, [("q", "shirt"), ("cursor", f"cursor:{DEEP_PAGE}")]),
    ]
    g = "/search/suggest"
    out += [
        ("suggest: he", g, [("q", "he")]),
        ("suggest: head", g, [("q", "head")]),
        ("suggest: wal", g, [("q", "wal")]),
        (f"suggest: brand {b[0][:4]}", g, [("q", b[0][:4].lower())]),
        ("suggest: cast ir", g, [("q", "cast ir")]),
        ("suggest: mirr", g, [("q", "mirr")]),
        ("suggest: sleeping b", g, [("q", "sleeping b")]),
        ("suggest: z (rare start)", g, [("q", "z")]),
    ]
    return out


def check_vocabulary(qs):
    """Every word of a query (but the typo) comes from the generator's vocabulary."""
    vocab = gen.vocabulary()
    unknown = []
    for label, path, params in qs:
        for k, v in params:
            if k == "q" and not label.startswith(("typo", "model code", "suggest")):
                unknown += [w for w in v.lower().split() if w not in vocab]
    return unknown


class Client:
    """One session per thread; every call returns (seconds, status, node ms or None, body)."""

    def __init__(self, api):
        self.api, self.local = api, threading.local()

    def get(self, path, params):
        if not hasattr(self.local, "s"):
            self.local.s = requests.Session()
        t0 = time.perf_counter()
        r = self.local.s.get(self.api + path, params=params, timeout=60)
        body = r.content
        elapsed = time.perf_counter() - t0
        m = TIMING.search(r.headers.get("server-timing", ""))
        return elapsed, r.status_code, float(m.group(1)) if m else None, body


def resolve_cursors(client, qs):
    """Follows nextCursor to page DEEP_PAGE for each deep-page query (untimed). A catalog with fewer
    pages gives its last page's cursor; the label says which page it really is."""
    out = []
    for label, path, params in qs:
        want = next((v for k, v in params if k == "cursor"), None)
        if not want:
            out.append((label, path, params))
            continue
        page_no = int(want.split(":")[1])
        base = [(k, v) for k, v in params if k != "cursor"]
        cursor, reached = None, 1
        for _ in range(page_no - 1):
            _, status, _, body = client.get(path, base + ([("cursor", cursor)] if cursor else []))
            nxt = json.loads(body).get("nextCursor") if status == 200 else None
            if not nxt:
                break
            cursor, reached = nxt, reached + 1
        if reached != page_no:
            label = f"{label} (only page {reached} exists)"
        out.append((label, path, base + ([("cursor", cursor)] if cursor else [])))
    return out


def run(client, qs, rounds, concurrency):
    """rounds x qs requests, from `concurrency` threads; returns (samples, wall seconds).
    A sample: (query index, seconds, status, node ms)."""
    jobs = [i for _ in range(rounds) for i in range(len(qs))]

    def one(i):
        elapsed, status, took, _ = client.get(qs[i][1], qs[i][2])
        return i, elapsed, status, took

    t0 = time.perf_counter()
    if concurrency == 1:
        samples = [one(i) for i in jobs]
    else:
        with ThreadPoolExecutor(concurrency) as pool:
            samples = list(pool.map(one, jobs))
    return samples, time.perf_counter() - t0


def stats(samples):
    ok = [s for s in samples if s[2] == 200]
    lat = [s[1] for s in ok]
    took = [s[3] / 1000 for s in ok if s[3] is not None]
    over = [s[1] - s[3] / 1000 for s in ok if s[3] is not None]
    return {
        "n": len(samples),
        "non_200": len(samples) - len(ok),
        "statuses": dict(Counter(str(s[2]) for s in samples)),
        "latency_ms": {"p50": pct(lat, 50), "p90": pct(lat, 90), "p99": pct(lat, 99),
                       "max": round(max(lat) * 1000, 1) if lat else None},
        "node_took_ms": {"p50": pct(took, 50), "p99": pct(took, 99)},
        "overhead_ms": {"p50": pct(over, 50), "p99": pct(over, 99),
                        "note": "per request: client latency - node took (gateway + Lambda invoke + handler)"},
    }


def summarise(qs, samples, wall, concurrency, hits):
    by_path = {p: [s for s in samples if qs[s[0]][1] == p] for p in ("/search", "/search/suggest")}
    per_query = []
    for i, (label, path, _) in enumerate(qs):
        mine = [s for s in samples if s[0] == i]
        st = stats(mine)
        per_query.append({"query": label, "path": path, "results": hits.get(i), "p50_ms": st["latency_ms"]["p50"],
                          "max_ms": st["latency_ms"]["max"], "node_p50_ms": st["node_took_ms"]["p50"],
                          "non_200": st["non_200"]})
    return {
        "concurrency": concurrency,
        "requests": len(samples),
        "wall_s": round(wall, 2),
        "requests_per_s": round(len(samples) / wall, 1) if wall else None,
        "search": stats(by_path["/search"]),
        "suggest": stats(by_path["/search/suggest"]),
        "per_query": per_query,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5, help="counted rounds over all queries (default 5)")
    ap.add_argument("--concurrency", type=int, default=1,
                    help="also run the rounds from this many threads at once (default 1: sequential only)")
    ap.add_argument("--seed", type=int, default=42, help="catalog_gen's --seed (for the model-code query)")
    ap.add_argument("--json-only", action="store_true", help="print the JSON summary only")
    args = ap.parse_args()
    if args.rounds < 1 or args.concurrency < 1:
        ap.error("--rounds and --concurrency must be at least 1")

    gen.load_env()
    api = os.environ["SHOP_API_URL"].rstrip("/")
    os_url = os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200").rstrip("/")
    client = Client(api)

    qs = queries(args.seed)
    unknown = check_vocabulary(qs)
    if unknown:
        log(f"note: query words not in the generator's vocabulary: {sorted(set(unknown))}")
    _, status, _, body = client.get("/search", [])
    if status != 200:
        sys.exit(f"search: GET {api}/search answered {status}: {body[:300]!r}")
    catalog = {}
    try:
        s = requests.Session()
        catalog["documents"] = s.get(f"{os_url}/products/_count", timeout=10).json().get("count")
        catalog["generated"] = gen.os_count(s, os_url, f"description:{gen.MARK}")
        catalog["in_stock_active"] = s.get(f"{os_url}/products/_count", timeout=10, params={
            "q": "inStock:true AND status:active"}).json().get("count")
    except (requests.RequestException, ValueError) as e:
        catalog["error"] = str(e)[:200]
    log(f"index: {catalog}; {len(qs)} queries, 1 warm-up + {args.rounds} rounds"
        + (f", then at concurrency {args.concurrency}" if args.concurrency > 1 else ""))

    qs = resolve_cursors(client, qs)
    hits = {}
    for i, (label, path, params) in enumerate(qs):  # the warm-up round; notes each query's result size
        _, status, _, body = client.get(path, params)
        if status == 200:
            data = json.loads(body)
            hits[i] = data.get("total") if path == "/search" else len(data.get("suggestions", []))
        else:
            hits[i] = f"HTTP {status}"
            log(f"warm-up: {label}: {status} {body[:200]!r}")

    load_before = os.getloadavg()[0]
    samples, wall = run(client, qs, args.rounds, 1)
    report = {"catalog": catalog, "rounds": args.rounds, "sequential": summarise(qs, samples, wall, 1, hits)}
    if args.concurrency > 1:
        run(client, qs, 1, args.concurrency)  # warm-up at this concurrency (more function instances)
        samples, wall = run(client, qs, args.rounds, args.concurrency)
        report["concurrent"] = summarise(qs, samples, wall, args.concurrency, hits)
    report["load_average_1m"] = {"start": round(load_before, 2), "end": round(os.getloadavg()[0], 2)}
    report["note"] = ("latency: client wall time of GET through the local gateway; node took: OpenSearch's "
                      "own time from Server-Timing; results: /search total or number of suggestions")

    if not args.json_only:
        seq = report["sequential"]
        print(f"Search latency ({time.strftime('%Y-%m-%d')}): {catalog.get('documents')} documents "
              f"({catalog.get('generated')} generated), {args.rounds} rounds, sequential; {os.cpu_count()} cores",
              file=sys.stderr)
        print(f"| {'query':<52} | {'results':>7} | {'p50 ms':>7} | {'max ms':>7} | {'node p50':>8} |", file=sys.stderr)
        print(f"|{'-' * 54}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 10}|", file=sys.stderr)
        for row in seq["per_query"]:
            print(f"| {row['query'][:52]:<52} | {str(row['results']):>7} | {str(row['p50_ms']):>7} | "
                  f"{str(row['max_ms']):>7} | {str(row['node_p50_ms']):>8} |", file=sys.stderr)
        print(file=sys.stderr)
        for part in ("sequential", "concurrent"):
            if part not in report:
                continue
            r = report[part]
            for path in ("search", "suggest"):
                st = r[path]
                lat, took, over = st["latency_ms"], st["node_took_ms"], st["overhead_ms"]
                print(f"{part:>10} c={r['concurrency']:<3} {path:<8} n={st['n']:<5} "
                      f"p50/p90/p99/max {lat['p50']}/{lat['p90']}/{lat['p99']}/{lat['max']} ms; "
                      f"node p50/p99 {took['p50']}/{took['p99']} ms; overhead p50/p99 {over['p50']}/{over['p99']} ms"
                      + (f"; non-200: {st['statuses']}" if st["non_200"] else ""), file=sys.stderr)
            print(f"{'':>10} {r['requests']} requests in {r['wall_s']} s = {r['requests_per_s']} req/s",
                  file=sys.stderr)
        print(file=sys.stderr)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
