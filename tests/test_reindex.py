"""The reindex command (tools/src/bin/reindex.rs) rebuilds the search index from the table:
a paginated scan of the products, bulk writes, progress on stderr, a JSON summary on stdout.

Recovery is what it is for, so this test loses the index the way an incident would (the
node's index gone, as after a wiped data volume) and checks that the command rebuilds it:
the alias is back, and the documents are back with their content and versions.
(A single deleted document is not a realistic loss: OpenSearch keeps a deletion's tombstone,
with a version above the document's, for a minute, and refuses the older version until then.)"""

import json
import os
import subprocess

import requests

from conftest import ROOT, TABLE
from search import ALIAS, OPENSEARCH, new_product, node_doc, variant, wait_for, word


def reindex():
    """Runs the command against the local stack; (summary, progress lines)."""
    env = {**os.environ, "TABLE_NAME": TABLE, "OPENSEARCH_URL": OPENSEARCH, "SEARCH_INDEX": ALIAS,
           "RUST_LOG": "warn"}
    run = subprocess.run(["cargo", "run", "-q", "-p", "shop-tools", "--bin", "reindex"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1]), run.stderr.splitlines()


def test_reindex_rebuilds_a_lost_index(seller, anon):
    w = word()
    products = [new_product(seller, f"{w.title()} {kind} Lantern", w.title(), "camping", [variant(price)])
                for kind, price in (("Brass", 1500), ("Steel", 1700))]
    before = {p["id"]: wait_for(lambda p=p: node_doc(p["id"]), what="both documents indexed") for p in products}

    # The incident: the index behind the alias is gone.
    targets = requests.get(f"{OPENSEARCH}/_alias/{ALIAS}", timeout=10).json()
    for index in targets:
        assert requests.delete(f"{OPENSEARCH}/{index}", timeout=30).status_code == 200
    assert all(node_doc(p["id"]) is None for p in products)
    assert anon.get("/search", params={"brand": w}).json()["items"] == []

    summary, progress = reindex()

    for p in products:
        restored = node_doc(p["id"])
        assert restored is not None, "the document is back"
        assert restored["_source"] == before[p["id"]]["_source"]
        assert restored["_version"] == before[p["id"]]["_version"], "written at the product's own version"
    # Searchable again after the index's next refresh (a second).
    wanted = sorted(p["id"] for p in products)
    wait_for(lambda: sorted(i["id"] for i in anon.get("/search", params={"brand": w}).json()["items"]) == wanted,
             what="the rebuilt index to serve the products")
    # The command first made sure of the alias (an empty index from the definition file, which
    # the stream writes to from then on), then filled it in one pass: every product written,
    # nothing failed, progress after every page.
    assert summary["failed"] == 0 and summary["written"] >= len(products), summary
    assert progress and all(line.startswith("pass 1:") for line in progress), progress
    assert list(requests.get(f"{OPENSEARCH}/_alias/{ALIAS}", timeout=10).json()) != []


def test_reindex_repairs_stale_documents_and_sweeps_out_deleted_products(seller):
    """Two kinds of damage the stream cannot repair, which the rebuild does: a document whose
    content is stale at the product's own version (as after a category rename or a fix in the
    rules that build documents, which no version counts), and a document of a product the table
    no longer has (a deletion that went to another index, or to the dead-letter queue)."""
    w = word()
    product = new_product(seller, f"{w.title()} Tarp Shelter", w.title(), "camping", [variant(2900)])
    indexed = wait_for(lambda: node_doc(product["id"]), what="the document indexed")

    # Stale content at the same version, and a document of a product that does not exist.
    stale = {**indexed["_source"], "name": "Stale Name"}
    r = requests.put(f"{OPENSEARCH}/{ALIAS}/_doc/{product['id']}", json=stale, timeout=10,
                     params={"version": indexed["_version"], "version_type": "external_gte", "refresh": "true"})
    assert r.status_code == 200, r.text
    ghost_id = f"ghost-{w}"
    ghost = {**indexed["_source"], "id": ghost_id, "name": f"{w.title()} Ghost"}
    r = requests.put(f"{OPENSEARCH}/{ALIAS}/_doc/{ghost_id}", json=ghost, timeout=10,
                     params={"version": 1, "version_type": "external", "refresh": "true"})
    assert r.status_code == 201, r.text

    summary, progress = reindex()

    repaired = node_doc(product["id"])
    assert repaired["_source"] == indexed["_source"] and repaired["_version"] == indexed["_version"]
    assert node_doc(ghost_id) is None, "the ghost was swept out"
    assert summary["failed"] == 0 and summary["deleted"] >= 1, summary
