"""Catalog imports, the way in: who may ask for an upload, the ticket POST /seller/imports
hands out, and the presigned PUT URL as the only way a file gets into the import bucket.

POST /seller/imports signs a PUT for one key (imports/<sellerId>/<importId>.<ext>), the file's
exact size and its content type, for 15 minutes; LocalStack checks signatures and expiry as S3
does (S3_SKIP_SIGNATURE_VALIDATION=0). Only approved sellers get a ticket, a bad request
records nothing, any upload but the signed one is refused (another key, size or content type;
an expired URL), an upload a seller makes after its suspension imports nothing, and a seller
sees and lists only its own imports, newest first.

Tickets, refused requests and privacy checks use one fresh approved seller of this module
(`importer`); the suite's shared `other_seller` stands for another seller. State is checked
through the API, straight in the table (the import's record) and in the bucket. What an
import does with a file's rows is tests/test_imports_rows.py's.
"""

import json
import time
import uuid

import pytest
import requests

import import_files as files
import imports as imp
import keys
from conftest import approved_seller, assert_problem, partition, register
from import_files import csv_file
from imports import assert_failed_whole, assert_finished

UNKNOWN_IMPORT = "00000000-0000-7000-8000-000000000000"


MAX_OPEN = 3  # shared/src/domain/import/mod.rs: MAX_OPEN_IMPORTS

# ---------------------------------------------------------------- fixtures

@pytest.fixture
def importer():
    """A fresh approved seller for each test's tickets, refused requests and privacy checks
    (a seller may have only MAX_OPEN imports waiting for their upload or running at once)."""
    return approved_seller()


# ---------------------------------------------------------------- who may import, and what they ask for

def test_only_approved_sellers_may_request_an_upload(customer, anon, admin, dynamodb):
    pending = register("seller")
    r = pending.api.get("/seller/profile")
    assert r.status_code == 200 and r.json()["status"] == "pending", r.text
    pending_id = r.json()["id"]
    suspended = approved_seller()
    r = admin.api.post(f"/admin/sellers/{suspended.seller_id}/suspend")
    assert r.status_code == 200, r.text

    for user in (pending, suspended, customer):
        for fmt in ("csv", "jsonl"):
            assert_problem(imp.request(user, fmt, 100), 403)
    assert_problem(anon.post("/seller/imports", json={"format": "csv", "sizeBytes": 100}), 401)
    for sid in (pending_id, suspended.seller_id):
        records = [i for i in partition(dynamodb, keys.seller_account_pk(sid))
                   if i["SK"]["S"].startswith(keys.IMPORT_PREFIX)]
        assert records == [], f"a refused request left an import record for {sid}"
    for user in (pending, suspended):
        assert imp.imports_listed(user) == []
    assert_problem(customer.api.get("/seller/imports"), 403)
    assert_problem(customer.api.get(f"/seller/imports/{UNKNOWN_IMPORT}"), 403)
    assert_problem(anon.get("/seller/imports"), 401)
    assert_problem(anon.get(f"/seller/imports/{UNKNOWN_IMPORT}"), 401)


def test_bad_import_requests_are_refused_and_record_nothing(importer):
    before = imp.imports_listed(importer)
    for body in ("{not json", "[]", "null"):
        assert_problem(importer.api.post("/seller/imports", data=body), 400)
    for body in ({}, {"format": "csv"}, {"sizeBytes": 10}, {"format": "csv", "sizeBytes": "10"},
                 {"format": "csv", "sizeBytes": 10.5}, {"format": 1, "sizeBytes": 10},
                 {"format": None, "sizeBytes": 10}, {"format": "csv", "sizeBytes": 10, "sellerId": "s" + "0" * 20},
                 {"format": "csv", "sizeBytes": 10, "key": "imports/x.csv"}):
        assert_problem(importer.api.post("/seller/imports", json=body), 400)
    for body, fields in (({"format": "xlsx", "sizeBytes": 10}, {"format"}),
                         ({"format": "CSV", "sizeBytes": 10}, {"format"}),
                         ({"format": "", "sizeBytes": 10}, {"format"}),
                         ({"format": "csv", "sizeBytes": 0}, {"sizeBytes"}),
                         ({"format": "jsonl", "sizeBytes": -1}, {"sizeBytes"}),
                         ({"format": "csv", "sizeBytes": imp.MAX_BYTES + 1}, {"sizeBytes"}),
                         ({"format": "json", "sizeBytes": imp.MAX_BYTES + 1}, {"format", "sizeBytes"})):
        problem = assert_problem(importer.api.post("/seller/imports", json=body), 422)
        assert {e["field"] for e in problem["errors"]} == fields, (body, problem)
    assert imp.imports_listed(importer) == before, "a refused request left an import"
    # The cap itself may be asked for.
    r = imp.request(importer, "csv", imp.MAX_BYTES)
    assert r.status_code == 201, r.text
    assert r.json()["upload"]["headers"]["content-length"] == str(imp.MAX_BYTES)


def test_a_ticket_names_the_import_and_one_signed_upload(importer):
    r = imp.request(importer, "jsonl", 1234)
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith("application/json")
    t = r.json()
    assert set(t) == imp.VIEW_FIELDS | {"upload", "uploadExpiresInSeconds"}, t
    assert r.headers["location"] == f"/seller/imports/{t['id']}"
    uuid.UUID(t["id"])
    assert (t["format"], t["status"], t["sizeBytes"], t["reason"], t["startedAt"], t["finishedAt"],
            t["reportUrl"]) == ("jsonl", "waiting_upload", 1234, None, None, None, None)
    assert t["counts"] == {k: 0 for k in imp.COUNT_FIELDS}
    assert t["uploadExpiresInSeconds"] == 900
    upload = t["upload"]
    assert upload["method"] == "PUT"
    assert {k.lower(): v for k, v in upload["headers"].items()} == upload["headers"], "header names in lower case"
    assert upload["headers"]["content-type"] == "application/x-ndjson"
    assert upload["headers"]["content-length"] == "1234"
    key = imp.object_key(importer.seller_id, t["id"], "jsonl")
    assert f"/{imp.bucket()}/{key}?" in upload["url"], upload["url"]
    assert "X-Amz-Expires=900" in upload["url"] and "X-Amz-Signature=" in upload["url"]
    assert importer.user_id not in json.dumps(t), "never the seller's Cognito sub"

    got = imp.view(importer, t["id"])
    assert got == {k: t[k] for k in imp.VIEW_FIELDS}
    assert imp.imports_listed(importer)[0] == got
    assert not imp.object_exists(key), "nothing is uploaded yet"


# ---------------------------------------------------------------- the signed URL is the only way in

def _swap_key(url, old_key, new_key):
    assert old_key in url
    return url.replace(old_key, new_key)


def test_s3_refuses_an_upload_that_is_not_exactly_the_signed_one(importer, other_seller):
    prefix = files.run_prefix("URL")
    rows = files.catalog(prefix, 3, seed=5)
    data, _ = csv_file(rows)
    t = imp.start(importer, "csv", data)
    sibling = imp.start(importer, "csv", data)
    theirs = imp.start(other_seller, "csv", data)
    key = imp.object_key(importer.seller_id, t["id"], "csv")
    url, headers = t["upload"]["url"], t["upload"]["headers"]
    tampered = {
        "another seller's prefix": imp.object_key(other_seller.seller_id, t["id"], "csv"),
        "another seller's import": imp.object_key(other_seller.seller_id, theirs["id"], "csv"),
        "another import of the seller": imp.object_key(importer.seller_id, sibling["id"], "csv"),
        "another extension": imp.object_key(importer.seller_id, t["id"], "jsonl"),
        "outside imports/": f"uploads/{importer.seller_id}/{t['id']}.csv",
    }
    for what, other_key in tampered.items():
        r = imp.put(t, data, url=_swap_key(url, key, other_key))
        assert r.status_code == 403, f"{what}: {r.status_code} {r.text[:300]}"
        assert not imp.object_exists(other_key), what
    for what, body, hdrs in (
            ("one byte more", data + b"\n", {**headers, "content-length": str(len(data) + 1)}),
            ("one byte less", data[:-1], {**headers, "content-length": str(len(data) - 1)}),
            ("another content type", data, {**headers, "content-type": "text/plain"}),
            ("no content type", data, {k: v for k, v in headers.items() if k != "content-type"})):
        r = imp.put(t, body, headers=hdrs)
        assert r.status_code == 403, f"{what}: {r.status_code} {r.text[:300]}"
    assert not imp.object_exists(key)
    assert imp.view(importer, t["id"])["status"] == "waiting_upload"
    assert imp.view(other_seller, theirs["id"])["status"] == "waiting_upload"

    # The genuine upload is taken, and runs.
    imp.upload(t, data)
    v = imp.wait_finished(importer, t["id"])
    assert assert_finished(v)["created"] == 3


def test_s3_refuses_an_expired_upload_url():
    """The shop's URLs live 15 minutes; LocalStack enforces expiry as S3 does, shown with a URL
    signed the same way (boto3, path style, content type and length signed) for 1 second."""
    client = imp.s3()
    data = b"handle,name\n"
    key = f"presign-check/{uuid.uuid4()}.csv"  # outside imports/: no upload event
    params = {"Bucket": imp.bucket(), "Key": key, "ContentType": "text/csv", "ContentLength": len(data)}
    headers = {"content-type": "text/csv", "content-length": str(len(data))}
    short = client.generate_presigned_url("put_object", Params=params, ExpiresIn=1, HttpMethod="PUT")
    time.sleep(2.5)
    r = requests.put(short, data=data, headers=headers, timeout=30)
    assert r.status_code == 403, f"{r.status_code} {r.text[:300]}"
    assert "expired" in r.text.lower(), r.text[:300]
    assert not imp.object_exists(key)
    fresh = client.generate_presigned_url("put_object", Params=params, ExpiresIn=300, HttpMethod="PUT")
    r = requests.put(fresh, data=data, headers=headers, timeout=30)
    assert r.status_code == 200, f"the control upload was refused: {r.status_code} {r.text[:300]}"
    client.delete_object(Bucket=imp.bucket(), Key=key)


# ---------------------------------------------------------------- a seller suspended before its upload

def test_an_upload_after_the_seller_was_suspended_imports_nothing(admin, dynamodb):
    seller = approved_seller()
    rows = files.catalog(files.run_prefix("SUS"), 5, seed=51)
    data, _ = csv_file(rows)
    t = imp.start(seller, "csv", data)
    r = admin.api.post(f"/admin/sellers/{seller.seller_id}/suspend")
    assert r.status_code == 200, r.text
    imp.upload(t, data)
    v = imp.wait_finished(seller, t["id"])
    assert_failed_whole(v, "suspended")
    assert imp.listing(seller) == {}
    assert imp.sku_products(dynamodb, [r["sku"] for r in rows]) == {}


# ---------------------------------------------------------------- privacy and listing

def test_imports_are_private_and_listed_newest_first(importer, other_seller, anon):
    mine = [imp.start(importer, fmt, b"x" * (10 + i)) for i, fmt in enumerate(["csv", "jsonl", "csv"])]
    theirs = imp.start(other_seller, "csv", b"y" * 10)
    for t in mine:
        assert_problem(other_seller.api.get(f"/seller/imports/{t['id']}"), 404)
    assert_problem(importer.api.get(f"/seller/imports/{theirs['id']}"), 404)
    assert_problem(importer.api.get(f"/seller/imports/{UNKNOWN_IMPORT}"), 404)
    for bad in ("not-a-uuid%23x", "a%20b", "-x"):
        assert_problem(importer.api.get(f"/seller/imports/{bad}"), 400)

    listed = imp.imports_listed(importer, limit=1)
    ids = [i["id"] for i in listed]
    assert ids[:3] == [t["id"] for t in reversed(mine)], "newest first"
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids))
    assert theirs["id"] not in ids and all(i["id"] not in ids for i in imp.imports_listed(other_seller))
    assert [i["sizeBytes"] for i in listed[:3]] == [12, 11, 10]
    first = importer.api.get("/seller/imports", params={"limit": 1}).json()
    assert first["nextCursor"]
    assert_problem(other_seller.api.get("/seller/imports", params={"limit": 1, "cursor": first["nextCursor"]}), 400)
    for params in ({"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"cursor": "not-a-cursor"}):
        assert_problem(importer.api.get("/seller/imports", params=params), 400)


def test_a_seller_has_at_most_three_imports_open_at_once(importer):
    """Waiting for their upload or running: a fourth is refused with 409 until one finishes."""
    data = b"handle,name,brand,categoryId,sku,price,currency,onHand\n"
    waiting = [imp.start(importer, "csv", data) for _ in range(MAX_OPEN)]
    problem = assert_problem(imp.request(importer, "csv", len(data)), 409)
    assert f"at most {MAX_OPEN} imports" in problem["detail"], problem
    assert len(imp.imports_listed(importer)) == MAX_OPEN, "the refused request left an import"
    imp.upload(waiting[0], data)
    assert imp.wait_finished(importer, waiting[0]["id"])["status"] == "failed"  # a header and no rows
    assert imp.request(importer, "csv", len(data)).status_code == 201
