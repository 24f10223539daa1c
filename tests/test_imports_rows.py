"""Catalog imports, row by row: what the import function makes of an uploaded CSV or JSONL file.

The upload's ObjectCreated event goes S3 -> ImportQueue -> import-catalog, which checks every
row by the rules of POST /products, writes one product per handle (its id derived from seller
and handle), counts each row (created, updated, unchanged, rejected) and writes an error report
(line,column,reason); these tests poll GET /seller/imports/{id} until it is done or failed.
They cover a clean 1,000-row file, importing it again, a changed copy, its upload event
delivered again or twice at once; stock against reservations; the 40-variant cap; 5% bad rows
(CSV and JSONL) and their report; the sample files; files that fail whole. Each import is a
fresh approved seller's, with SKUs unique to the run (the shared `other_seller` only owns SKUs
an import tries to take); state is checked through the API, in the table (SKU claims, the
import's record) and the bucket. Who may upload, and how: tests/test_imports_upload.py.
"""

import json
import os
import time

import pytest

import import_files as files
import imports as imp
import keys
from conftest import (approved_seller, assert_stock_while_pending, order_body, partition, place_order,
                      variant_stock)
from import_files import csv_file, jsonl_file, products_of
from imports import (assert_failed_whole, assert_finished, assert_listed, assert_served, by_line, product_ids,
                     spot_check, table_state)


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def clean():
    """A fresh seller's import of a clean 1,000-row CSV file (LF line ends, no BOM)."""
    seller = approved_seller()
    prefix = files.run_prefix("CLN")
    rows = files.catalog(prefix, 1000, seed=3)
    data, lines = csv_file(rows)
    started = time.monotonic()
    ticket, v = imp.run(seller, "csv", data)
    return {"seller": seller, "rows": rows, "data": data, "lines": lines, "ticket": ticket, "view": v,
            "seconds": time.monotonic() - started}


# ---------------------------------------------------------------- a clean file of 1,000 rows

def test_a_clean_file_of_1000_rows_lands_whole(clean, anon, dynamodb):
    seller, rows, v = clean["seller"], clean["rows"], clean["view"]
    c = assert_finished(v)
    assert c == {"read": 1000, "created": 1000, "updated": 0, "unchanged": 0, "rejected": 0}, v
    assert v["reportUrl"] is None and v["sizeBytes"] == len(clean["data"])
    assert clean["seconds"] < 120, f"1,000 rows took {clean['seconds']:.0f} s"
    products = products_of(rows)
    assert 300 < len(products) < 500
    ids = product_ids(dynamodb, products)
    assert_listed(seller, products, ids)
    spot_check(anon, seller, products, ids)
    item = imp.import_item(dynamodb, seller.seller_id, v["id"])
    assert item["status"]["S"] == "done" and item["attempts"]["N"] == "1", item
    listed = imp.imports_listed(seller)
    assert [i["id"] for i in listed] == [v["id"]] and listed[0] == {k: v[k] for k in imp.VIEW_FIELDS}


def test_the_same_upload_event_delivered_again_imports_nothing(clean, dynamodb):
    seller, v = clean["seller"], clean["view"]
    ids = product_ids(dynamodb, products_of(clean["rows"]))
    key = imp.object_key(seller.seller_id, v["id"], "csv")
    record = imp.import_item(dynamodb, seller.seller_id, v["id"])
    etag = record["sourceEtag"]["S"]  # as S3's own event carried it
    head = imp.s3().head_object(Bucket=imp.bucket(), Key=key)
    assert etag.strip('"') == head["ETag"].strip('"') and head["ContentLength"] == len(clean["data"])
    before = (imp.view(seller, v["id"]), imp.listing(seller), table_state(dynamodb, list(ids.values())[:40]))
    dlq = imp.queue_depth(os.environ["IMPORT_DLQ_URL"])

    sent = imp.sqs().send_message(QueueUrl=os.environ["IMPORT_QUEUE_URL"],
                                  MessageBody=json.dumps(imp.s3_event(key, len(clean["data"]), etag)))
    imp.wait_drained(os.environ["IMPORT_QUEUE_URL"])
    handled = imp.import_function_log(sent["MessageId"])
    assert (handled.get("key"), handled.get("outcome")) == (key, "Duplicate"), handled
    time.sleep(2)

    after = (imp.view(seller, v["id"]), imp.listing(seller), table_state(dynamodb, list(ids.values())[:40]))
    assert after == before
    assert imp.import_item(dynamodb, seller.seller_id, v["id"]) == record
    assert imp.queue_depth(os.environ["IMPORT_DLQ_URL"]) == dlq


def test_the_same_event_delivered_twice_at_once_imports_once(dynamodb):
    """S3 and SQS deliver at least once, and the queue's poller runs several invocations at a
    time (in AWS; LocalStack's poller runs one at a time). Two copies of an upload's event,
    the second handled while the first is still running (the function invoked with it, as a
    second poller would), import the file once: the import counts each row once, as created."""
    seller = approved_seller()
    rows = files.catalog(files.run_prefix("TWN"), 1000, seed=72)
    data, _ = csv_file(rows)
    t = imp.start(seller, "csv", data)
    etag = imp.upload(t, data).headers["ETag"].strip('"')
    key = imp.object_key(seller.seller_id, t["id"], "csv")
    deadline = time.monotonic() + imp.DEADLINE
    while imp.view(seller, t["id"])["status"] == "waiting_upload":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    imp.invoke_import_function(imp.s3_event(key, len(data), etag))  # done, or left for a later delivery
    imp.wait_finished(seller, t["id"])
    imp.wait_drained(os.environ["IMPORT_QUEUE_URL"])
    time.sleep(2)
    v = imp.view(seller, t["id"])
    assert assert_finished(v) == {"read": 1000, "created": 1000, "updated": 0, "unchanged": 0, "rejected": 0}, v
    products = products_of(rows)
    assert len(imp.listing(seller)) == len(products)


def test_the_same_file_imported_again_changes_nothing(clean, dynamodb):
    seller = clean["seller"]
    ids = product_ids(dynamodb, products_of(clean["rows"]))
    before = (imp.listing(seller), table_state(dynamodb, list(ids.values())[::7]))
    _, v = imp.run(seller, "csv", clean["data"])
    c = assert_finished(v)
    assert c == {"read": 1000, "created": 0, "updated": 0, "unchanged": 1000, "rejected": 0}, v
    assert v["reportUrl"] is None
    assert (imp.listing(seller), table_state(dynamodb, list(ids.values())[::7])) == before, "a product was written"
    assert [i["id"] for i in imp.imports_listed(seller, limit=1)] == [v["id"], clean["view"]["id"]], "newest first"


def test_a_changed_file_updates_exactly_the_changed_rows(clean, anon, dynamodb):
    seller, rows = clean["seller"], [dict(r, attributes=dict(r["attributes"])) for r in clean["rows"]]
    original = products_of(clean["rows"])
    ids = product_ids(dynamodb, original)
    before_listing = imp.listing(seller)
    before_items = table_state(dynamodb, ids.values())
    handles = list(original)
    multi = [h for h in handles if len(original[h]) >= 3 and original[h][0]["status"] == "active"]
    single = [h for h in handles if len(original[h]) == 1 and original[h][0]["status"] == "active"]
    inactive = [h for h in handles if original[h][0]["status"] == "inactive"]
    index = {r["sku"]: i for i, r in enumerate(rows)}

    def row(handle, j):
        return rows[index[original[handle][j]["sku"]]]

    for n, h in enumerate(multi[:4]):  # a price each, in one variant of a product
        row(h, 1)["price"] += 500 + n
        row(h, 1)["salePrice"] = None
    for h in multi[4:8]:  # stock
        row(h, 2)["onHand"] += 5
    for h in multi[8:10]:  # a sale starts
        row(h, 0)["salePrice"] = row(h, 0)["price"] - 100
    row(multi[10], 0)["attributes"]["colour"] = "midnight"
    for r in original[multi[11]]:  # renamed: each of its rows says so
        rows[index[r["sku"]]]["name"] = r["name"] + " (2nd Edition)"
    rows[index[original[single[0]][0]["sku"]]]["description"] = "Now with a longer warranty."
    for r in original[inactive[0]]:  # back on sale
        rows[index[r["sku"]]]["status"] = "active"
    new_variant = dict(row(multi[12], 0), sku=row(multi[12], 0)["sku"] + "-NEW", onHand=9,
                       attributes={"colour": "limited"})
    rows.insert(index[original[multi[12]][-1]["sku"]] + 1, new_variant)
    changed = [r for r in rows if r["sku"] in index and r != clean["rows"][index[r["sku"]]]]
    variant_fields = ("price", "salePrice", "onHand", "attributes")
    rewritten = {r["sku"] for r in changed
                 if any(r[f] != clean["rows"][index[r["sku"]]][f] for f in variant_fields)} | {new_variant["sku"]}
    touched = {r["handle"] for r in changed} | {new_variant["handle"]}
    assert len(changed) == 4 + 4 + 2 + 1 + len(original[multi[11]]) + 1 + len(original[inactive[0]])

    data, _ = csv_file(rows)
    _, v = imp.run(seller, "csv", data)
    c = assert_finished(v)
    assert c == {"read": 1001, "created": 1, "updated": len(changed), "unchanged": 1000 - len(changed),
                 "rejected": 0}, v

    after_listing = imp.listing(seller)
    after_items = table_state(dynamodb, ids.values())
    for h, pid in ids.items():
        if h in touched:
            assert after_listing[pid]["version"] == before_listing[pid]["version"] + 1, h
            assert after_listing[pid]["updatedAt"] > before_listing[pid]["updatedAt"], h
            # Only variants whose own cells changed were written (a renamed product's were not).
            old = {i["SK"]["S"]: i for i in before_items[pid]}
            for item in after_items[pid]:
                sk = item["SK"]["S"]
                if sk.startswith(keys.VARIANT_PREFIX) and sk[len(keys.VARIANT_PREFIX):] not in rewritten:
                    assert item == old[sk], f"{h}: {sk} was rewritten"
                elif sk.startswith(keys.VARIANT_PREFIX) and sk in old:
                    assert int(item["version"]["N"]) == int(old[sk]["version"]["N"]) + 1, f"{h}: {sk}"
                    assert item.get("reserved") == old[sk].get("reserved"), f"{h}: {sk}"
            assert_served(anon, seller, pid, products_of(rows)[h])
        else:
            assert after_listing[pid] == before_listing[pid], h
            assert after_items[pid] == before_items[pid], h
    assert imp.sku_products(dynamodb, [new_variant["sku"]]) == {new_variant["sku"]: ids[new_variant["handle"]]}


def test_an_import_sets_stock_on_hand_and_leaves_reservations_alone(fresh_customer, dynamodb):
    """Stock is onHand; what open checkouts reserved stays theirs, and a row that would set
    onHand below it is rejected (column onHand) while the product's other rows are written."""
    seller = approved_seller()
    rows = files.catalog(files.run_prefix("RSV"), 2, seed=61, variants=(2,), inactive_every=0, fancy_every=0)
    for r in rows:
        r.update(price=1999, salePrice=None, onHand=10)
    a, b = (r["sku"] for r in rows)
    _, v = imp.run(seller, "csv", csv_file(rows)[0])
    assert assert_finished(v)["created"] == 2, v
    pid = product_ids(dynamodb, products_of(rows))[rows[0]["handle"]]
    r = place_order(fresh_customer, order_body([{"sku": a, "quantity": 3}]))
    assert r.status_code == 201, r.text
    order = [(fresh_customer, r.json()["id"])]
    assert variant_stock(dynamodb, pid, a) == (10, 3)

    rows[0]["onHand"], rows[1]["price"] = 12, 2499
    data, lines = csv_file(rows)
    _, v = imp.run(seller, "csv", data)
    assert assert_finished(v) == {"read": 2, "created": 0, "updated": 2, "unchanged": 0, "rejected": 0}, v
    assert_stock_while_pending(dynamodb, pid, {a: (12, 3), b: (10, 0)}, order)

    rows[0]["onHand"], rows[1]["onHand"] = 2, 4
    data, lines = csv_file(rows)
    _, v = imp.run(seller, "csv", data)
    assert assert_finished(v) == {"read": 2, "created": 0, "updated": 1, "unchanged": 0, "rejected": 1}, v
    problems = imp.report(v)
    assert [(p["line"], p["column"]) for p in problems] == [(lines[0], "onHand")], problems
    assert "reserved" in problems[0]["reason"], problems
    assert_stock_while_pending(dynamodb, pid, {a: (12, 3), b: (4, 0)}, order)


def test_a_product_holds_at_most_40_variants(anon, dynamodb):
    seller = approved_seller()
    prefix = files.run_prefix("V40")
    base = files.catalog(prefix, 1, seed=81, fancy_every=0, inactive_every=0)[0]
    rows = [dict(base, sku=f"{prefix}-{j:02d}", attributes={"size": str(j)}, onHand=1) for j in range(42)]
    data, lines = csv_file(rows)
    _, v = imp.run(seller, "csv", data)
    assert assert_finished(v) == {"read": 42, "created": 40, "updated": 0, "unchanged": 0, "rejected": 2}, v
    assert [(p["line"], p["column"]) for p in imp.report(v)] == [(lines[40], "sku"), (lines[41], "sku")]
    pid = product_ids(dynamodb, {base["handle"]: rows[:40]})[base["handle"]]
    assert_served(anon, seller, pid, rows[:40])
    assert imp.sku_products(dynamodb, [r["sku"] for r in rows[40:]]) == {}
    stored = partition(dynamodb, keys.product_pk(pid))

    # A later file may not add a 41st either.
    rows = rows[:40] + [dict(base, sku=f"{prefix}-NEW", attributes={"size": "new"}, onHand=1)]
    data, lines = csv_file(rows)
    _, v = imp.run(seller, "csv", data)
    c = assert_finished(v)
    assert (c["read"], c["created"], c["updated"]) == (41, 0, 0), v
    reported = by_line(imp.report(v))
    assert [col for col, _ in reported[lines[40]]] == ["sku"], reported
    assert partition(dynamodb, keys.product_pk(pid)) == stored
    assert imp.sku_products(dynamodb, [f"{prefix}-NEW"]) == {}


# ---------------------------------------------------------------- a file with 5% bad rows

def test_a_file_with_5_percent_bad_rows_imports_the_good_ones_and_reports_the_bad(other_seller, anon, dynamodb):
    seller = approved_seller()
    prefix = files.run_prefix("BAD")
    foreign = [f"{prefix}-THEIRS-{k}" for k in range(8)]
    theirs = other_seller.api.post("/products", json={
        "name": f"Theirs {prefix}", "description": "Another seller's SKUs.", "brand": "Other", "categoryId": "shoes",
        "variants": [{"sku": s, "attributes": {"size": str(36 + k)}, "price": 5000, "currency": "USD", "onHand": 4}
                     for k, s in enumerate(foreign)]})
    assert theirs.status_code == 201, theirs.text
    theirs_id = theirs.json()["id"]
    theirs_items = partition(dynamodb, keys.product_pk(theirs_id))

    rows, columns, good = files.bad_file(prefix, foreign)
    assert len(rows) == 1000 and len(good) == 950
    # Another column order, a BOM, CRLF line ends; good rows hold quoted commas, quotes and line breaks.
    order = ["sku", "handle", "onHand", "price", "currency", "salePrice", "categoryId", "brand", "status", "name",
             "description"]
    data, lines = csv_file(rows, columns=order, attributes=["storage", "size", "colour"], bom=True, newline="\r\n")
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    assert any('"' in r["name"] and "," in r["name"] and "\n" in r["description"] for r in good)
    planted = {line: cols for line, cols in zip(lines, columns) if cols is not None}
    assert len(planted) == 50 and max(lines) > 1000, "quoted line breaks move later rows down"

    _, v = imp.run(seller, "csv", data)
    c = assert_finished(v)
    assert c == {"read": 1000, "created": 950, "updated": 0, "unchanged": 0, "rejected": 50}, v
    problems = imp.report(v)
    reported = by_line(problems)
    assert set(reported) == set(planted), (
        f"reported but not planted: {sorted(set(reported) - set(planted))}, "
        f"planted but not reported: {sorted(set(planted) - set(reported))}")
    for line, cols in planted.items():
        assert {col for col, _ in reported[line]} == cols, (line, reported[line])
        assert len(reported[line]) == len(cols), (line, reported[line])
    rows_at = dict(zip(lines, rows))
    for line, problems_of_line in reported.items():
        sku = rows_at[line].get("sku", "")
        if sku.upper() in {f.upper() for f in foreign}:
            assert "already used by another product" in problems_of_line[0][1], problems_of_line
        if rows_at[line].get("categoryId") == "gadgets":
            assert "not a known category" in problems_of_line[0][1], problems_of_line

    products = products_of(good)
    ids = product_ids(dynamodb, products)
    assert_listed(seller, products, ids)
    spot_check(anon, seller, products, ids)
    # The bad rows' own SKUs were never claimed; the foreign ones are still the other seller's.
    bad_skus = {r["sku"] for r in rows if "sku" in r and r["sku"].startswith(f"{prefix}-BAD-")}
    assert imp.sku_products(dynamodb, bad_skus) == {}
    assert imp.sku_products(dynamodb, foreign) == {s: theirs_id for s in foreign}
    assert partition(dynamodb, keys.product_pk(theirs_id)) == theirs_items


# ---------------------------------------------------------------- JSONL, and the sample files

def test_a_jsonl_file_imports_and_reports_like_csv(anon, dynamodb):
    seller = approved_seller()
    prefix = files.run_prefix("JSL")
    good = files.catalog(prefix, 40, seed=21, fancy_every=3)
    base = good[0]
    bad = files.jsonl_bad_lines(prefix, base)
    rows, expected = [], {}
    for i, row in enumerate(good):
        rows.append(row)
        if i % 4 == 3 and bad:
            r, cols = bad.pop(0)
            rows.append(r)
            expected[len(rows)] = cols
    rows.insert(20, {"_line": "   "})  # a blank line is no row, and still a line
    expected = {(line + 1 if line > 20 else line): cols for line, cols in expected.items()}
    assert not bad and len(expected) == 10
    data, _ = jsonl_file(rows, newline="\r\n")

    _, v = imp.run(seller, "jsonl", data)
    c = assert_finished(v)
    assert c == {"read": 50, "created": 40, "updated": 0, "unchanged": 0, "rejected": 10}, v
    reported = by_line(imp.report(v))
    assert {line: {col for col, _ in p} for line, p in reported.items()} == expected
    products = products_of(good)
    ids = product_ids(dynamodb, products)
    assert_listed(seller, products, ids)
    for h in list(products)[:6]:
        assert_served(anon, seller, ids[h], products[h])
    assert imp.sku_products(dynamodb, [f"{prefix}-B{i}" for i in range(1, 9)]) == {}

    _, again = imp.run(seller, "jsonl", data)
    assert assert_finished(again) == {"read": 50, "created": 0, "updated": 0, "unchanged": 40, "rejected": 10}


@pytest.mark.parametrize("name,fmt,rows,products", [("import-sample.csv", "csv", 16, 8),
                                                    ("import-sample.jsonl", "jsonl", 14, 8)])
def test_the_sample_files_import_cleanly(name, fmt, rows, products, anon):
    seller = approved_seller()
    prefix = files.run_prefix("SMP")
    data = files.rekeyed_sample(name, prefix)
    _, v = imp.run(seller, fmt, data)
    assert assert_finished(v) == {"read": rows, "created": rows, "updated": 0, "unchanged": 0, "rejected": 0}, v
    mine = imp.listing(seller)
    assert len(mine) == products
    for pid, item in mine.items():
        r = anon.get(f"/products/{pid}")
        assert r.status_code == (404 if item["status"] == "inactive" else 200), r.text
        if r.status_code == 200:
            assert all(s["sku"].startswith(prefix) for s in r.json()["variants"])


# ---------------------------------------------------------------- files refused whole

def test_files_the_shop_cannot_read_fail_whole_and_import_nothing(dynamodb):
    seller = approved_seller()
    prefix = files.run_prefix("FAIL")
    cases = files.failing_files(prefix)
    # Uploaded three at a time (a seller's most open imports); each import runs on its own.
    for start in range(0, len(cases), 3):
        batch = cases[start:start + 3]
        tickets = []
        for what, fmt, data, _, _ in batch:
            t = imp.start(seller, fmt, data)
            imp.upload(t, data)
            tickets.append(t)
        for (what, fmt, data, words, skus), t in zip(batch, tickets):
            v = imp.wait_finished(seller, t["id"])
            assert v["status"] == "failed", f"{what}: {v}"
            assert_failed_whole(v, *words)
    assert imp.listing(seller) == {}
    assert imp.sku_products(dynamodb, {s for case in cases for s in case[4]}) == {}


@pytest.mark.parametrize("how,words", [("fields", "more than 64 fields"), ("quote", "longer than 65536 bytes"),
                                       ("jsonl", "longer than 65536 bytes")])
def test_a_file_cut_short_by_an_unreadable_row_imports_nothing(how, words, dynamodb):
    """A row the parser cannot read (more fields than a row may have; an unclosed quote that
    swallows the rest of the file; an overlong JSON line) fails the file, like the other
    failed files: a failed import imports nothing, wherever in the file its problem is (the
    shop's own FileProblem: "Why a whole file is refused: nothing of it is imported")."""
    seller = approved_seller()
    fmt, data, line, rows = files.cut_short(files.run_prefix("CUT"), how)
    _, v = imp.run(seller, fmt, data)
    assert v["status"] == "failed", v
    assert v["reason"] == f"line {line}: a row is longer than 65536 bytes (an unclosed quote?)" if how == "quote" \
        else (f"line {line}:" in v["reason"] and words in v["reason"]), v
    listed = imp.listing(seller)
    claimed = imp.sku_products(dynamodb, [r["sku"] for r in rows])
    assert (v["counts"]["created"], len(listed), len(claimed)) == (0, 0, 0), (
        f"the failed import ({v['reason']}) imported {len(listed)} of {len(products_of(rows))} products, "
        f"{len(claimed)} of {len(rows)} SKUs; its counts: {v['counts']}")
