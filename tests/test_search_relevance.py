"""Search relevance (GET /search) measured on the seeded sample catalog.

tests/search_relevance.json lists queries, each with the one featured product
(infra/local/catalog/featured.json, created by infra/local/seed.py) that must come first.
The right answer is unambiguous across the whole seeded catalog, featured products and
the 300 generated filler ones ("Acme Wireless Headphones 017") alike. The queries mix
exact names, brand + product type, distinctive description words, misspellings, word
order ("dress shirt" vs "shirt dress") and plural/singular.

Every query runs through `GET /search?q=...&limit=3`. The test prints the hit rates and
each miss with what came first (past pytest's capture, so in every run's log), then requires:

    top-1 hit rate >= 0.90   (the expected product is the first result)
    top-3 hit rate >= 0.95   (it is among the first three)

The module creates nothing and relies on no other test: the `searchable` fixture (applied
to the whole module by `pytestmark`) first waits, up to 120 s, until a search for each
expected product's exact name finds it. The index is near-real-time and the seed may have
just run, so the test can run alone, first, last or in any order.
"""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import ROOT

CASES_FILE = ROOT / "tests" / "search_relevance.json"
FEATURED_FILE = ROOT / "infra" / "local" / "catalog" / "featured.json"
TOP1_MIN = 0.90
TOP3_MIN = 0.95
INDEX_WAIT_SECONDS = 120

pytestmark = pytest.mark.usefixtures("searchable")


@pytest.fixture(scope="module")
def cases():
    """The relevance cases, checked against the featured catalog: each expects a featured product
    that is in stock (search hides sold-out products by default)."""
    cases = json.loads(CASES_FILE.read_text(encoding="utf-8"))
    featured = {p["name"]: p for p in json.loads(FEATURED_FILE.read_text(encoding="utf-8"))}
    assert len(cases) >= 36, f"{CASES_FILE.name}: only {len(cases)} queries"
    queries = [c["q"] for c in cases]
    assert len(queries) == len(set(queries)), f"{CASES_FILE.name}: a query appears twice"
    for c in cases:
        assert c["q"].strip() and len(c["q"]) <= 200, c
        assert c["expected"] in featured, f"{c['q']!r} expects {c['expected']!r}, which is not a featured product"
        assert not featured[c["expected"]].get("soldOut"), f"{c['q']!r} expects a sold-out product"
    return cases


def search(anon, q, limit):
    """(status, names of the results in order) for one query."""
    r = anon.get("/search", params={"q": q, "limit": limit})
    if r.status_code != 200:
        return r.status_code, []
    return 200, [item["name"] for item in r.json()["items"]]


@pytest.fixture(scope="module")
def searchable(anon, cases):
    """Waits until every expected product is indexed: a search for its exact name lists it."""
    pending = {c["expected"] for c in cases}
    last = {}
    deadline = time.monotonic() + INDEX_WAIT_SECONDS
    with ThreadPoolExecutor(8) as pool:
        while True:
            names = sorted(pending)
            for name, (status, found) in zip(names, pool.map(lambda n: search(anon, n, 5), names)):
                last[name] = (status, found)
                if name in found:
                    pending.discard(name)
            if not pending:
                return
            if time.monotonic() > deadline:
                detail = "; ".join(f"{n!r}: status {last[n][0]}, found {last[n][1]}" for n in sorted(pending))
                pytest.fail(f"{len(pending)} expected products not searchable after {INDEX_WAIT_SECONDS} s "
                            f"(is the catalog seeded?): {detail}")
            time.sleep(2)


def test_search_relevance(anon, cases, capsys):
    top1 = top3 = 0
    misses, errors = [], []
    for c in cases:
        status, names = search(anon, c["q"], 3)
        if status != 200:
            errors.append(f"{c['q']!r}: status {status}")
        top1 += names[:1] == [c["expected"]]
        top3 += c["expected"] in names
        if names[:1] != [c["expected"]]:
            misses.append((c, names))
    n = len(cases)
    # Printed past pytest's capture: the figures belong in every run's log, passing or not.
    with capsys.disabled():
        report(n, top1, top3, misses)
    assert not errors, f"/search failed: {errors}"
    assert top1 / n >= TOP1_MIN, f"top-1 hit rate {top1 / n:.3f} < {TOP1_MIN}"
    assert top3 / n >= TOP3_MIN, f"top-3 hit rate {top3 / n:.3f} < {TOP3_MIN}"


def report(n, top1, top3, misses):
    print(f"\nsearch relevance over {n} queries: top-1 {top1}/{n} = {top1 / n:.3f} (min {TOP1_MIN}), "
          f"top-3 {top3}/{n} = {top3 / n:.3f} (min {TOP3_MIN})")
    for c, names in misses:
        where = f"rank {names.index(c['expected']) + 1}" if c["expected"] in names else "not in the top 3"
        print(f"  miss ({where}): {c['q']!r} expected {c['expected']!r} ({c['why']}); first: {names}")
