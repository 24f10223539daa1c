"""What the import tests (tests/test_imports_*.py) use besides the files they upload
(tests/import_files.py): an import's round trip (POST /seller/imports, the PUT to its signed
URL, polling GET /seller/imports/{id}), the error report, the import bucket and queue through
boto3 (LocalStack), the import function (its CloudWatch log lines; an invocation as the queue's
poller makes one), the table's SKU claims and the seller's listing; and what a finished import
must show (its view, and the products it wrote as the API serves and the table stores them).
"""

import csv
import hashlib
import io
import json
import os
import time
import uuid

import boto3
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

import keys
from conftest import TABLE, assert_problem, partition

VIEW_FIELDS = {"id", "format", "status", "sizeBytes", "counts", "reason", "createdAt", "startedAt", "finishedAt",
               "reportUrl"}
COUNT_FIELDS = {"read", "created", "updated", "unchanged", "rejected"}
CONTENT_TYPES = {"csv": "text/csv", "jsonl": "application/x-ndjson"}
REPORT_HEADER = ["line", "column", "reason"]
MAX_BYTES = 50 * 1024 * 1024
DEADLINE = 180  # seconds an import may take before a test gives up on it


# ---------------------------------------------------------------- the import's round trip

def request(user, fmt, size):
    """POST /seller/imports; the response."""
    return user.api.post("/seller/imports", json={"format": fmt, "sizeBytes": size})


def start(user, fmt, data):
    """An import ticket for `data` (the 201 body)."""
    r = request(user, fmt, len(data))
    assert r.status_code == 201, f"{r.status_code} {r.text}"
    return r.json()


def put(ticket, data, url=None, headers=None):
    """The upload: PUT `data` to the ticket's signed URL (or `url`) with exactly its headers
    (or `headers`). requests sends the body's real length whatever the headers say."""
    upload = ticket["upload"]
    assert upload["method"] == "PUT"
    return requests.put(url or upload["url"], data=data, headers=upload["headers"] if headers is None else headers,
                        timeout=60)


def upload(ticket, data):
    r = put(ticket, data)
    assert r.status_code == 200, f"the upload was refused: {r.status_code} {r.text}"
    return r


def view(user, import_id):
    r = user.api.get(f"/seller/imports/{import_id}")
    assert r.status_code == 200, f"{r.status_code} {r.text}"
    return r.json()


def wait_finished(user, import_id, timeout=DEADLINE):
    """Polls GET /seller/imports/{id} until the import is done or failed; its view, with the
    statuses seen on the way in `_seen`."""
    deadline, seen = time.monotonic() + timeout, []
    while True:
        v = view(user, import_id)
        if not seen or seen[-1] != v["status"]:
            seen.append(v["status"])
        if v["status"] in ("done", "failed"):
            v["_seen"] = seen
            return v
        assert time.monotonic() < deadline, f"import {import_id} still {v['status']} after {timeout} s ({v})"
        time.sleep(0.3 if v["status"] == "waiting_upload" else 0.5)


def run(user, fmt, data):
    """Requests an import, uploads `data` and waits until it ends: (ticket, final view)."""
    ticket = start(user, fmt, data)
    upload(ticket, data)
    return ticket, wait_finished(user, ticket["id"])


def counts(v):
    c = v["counts"]
    assert set(c) == COUNT_FIELDS, c
    assert c["read"] == c["created"] + c["updated"] + c["unchanged"] + c["rejected"], c
    return c


def report(v):
    """The error report of a finished import: its rows as dicts (line as int)."""
    assert v["reportUrl"], f"no report: {v}"
    r = requests.get(v["reportUrl"], timeout=30)
    assert r.status_code == 200, f"{r.status_code} {r.text}"
    text = r.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == REPORT_HEADER, rows[0]
    out = []
    for cells in rows[1:]:
        assert len(cells) == 3, cells
        out.append({"line": int(cells[0]), "column": cells[1], "reason": cells[2]})
    return out


def by_line(problems):
    """{line: [(column, reason), ...]}."""
    out = {}
    for p in problems:
        out.setdefault(p["line"], []).append((p["column"], p["reason"]))
    return out


# ---------------------------------------------------------------- AWS (LocalStack) and the table

def s3():
    return boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                        config=Config(s3={"addressing_style": "path"}, signature_version="s3v4"))


def sqs():
    return boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"])


def bucket():
    return os.environ["IMPORT_BUCKET"]


def object_key(seller_id, import_id, fmt):
    return f"imports/{seller_id}/{import_id}.{fmt}"


def object_exists(key):
    try:
        s3().head_object(Bucket=bucket(), Key=key)
        return True
    except ClientError as e:
        if e.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return False
        raise


def s3_event(key, size, etag):
    """An S3 ObjectCreated event as S3 sends it to a queue (every field S3 sends; the shop's
    parser needs userIdentity and requestParameters too, as events/import-catalog.json has them)."""
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": os.environ.get("AWS_REGION", "us-east-1"),
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()), "eventName": "ObjectCreated:Put",
        "userIdentity": {"principalId": "AWS:000000000000"}, "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": uuid.uuid4().hex[:16].upper(), "x-amz-id-2": uuid.uuid4().hex},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "imports",
               "bucket": {"name": bucket(), "ownerIdentity": {"principalId": "000000000000"},
                          "arn": f"arn:aws:s3:::{bucket()}"},
               "object": {"key": key, "size": size, "eTag": etag, "sequencer": "0A1B2C3D4E5F678901"}}}]}


def import_function():
    """The import function's name in the deployed stack."""
    cfn = boto3.client("cloudformation", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    return cfn.describe_stack_resource(StackName=os.environ["SHOP_STACK"], LogicalResourceId="ImportCatalogFunction")[
        "StackResourceDetail"]["PhysicalResourceId"]


def import_function_log(message_id, timeout=30):
    """The import function's log line for one queue message ("upload handled" or the retry
    warning): its fields, read from LocalStack's CloudWatch Logs."""
    logs = boto3.client("logs", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    group = f"/aws/lambda/{import_function()}"
    deadline = time.monotonic() + timeout
    while True:
        kwargs = {"logGroupName": group, "startTime": int((time.time() - 600) * 1000)}
        while True:
            page = logs.filter_log_events(**kwargs)
            for event in page["events"]:
                if message_id not in event["message"]:
                    continue
                try:
                    fields = json.loads(event["message"]).get("fields", {})
                except ValueError:
                    continue
                if fields.get("message_id") == message_id:
                    return fields
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        assert time.monotonic() < deadline, f"no log of message {message_id} after {timeout} s"
        time.sleep(1)


def invoke_import_function(s3_event_body):
    """Invokes the import function with one SQS message holding `s3_event_body`, as the
    queue's poller does; its answer (the batch's item failures)."""
    queue = sqs().get_queue_attributes(QueueUrl=os.environ["IMPORT_QUEUE_URL"],
                                       AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    now = str(int(time.time() * 1000))
    body = json.dumps(s3_event_body)
    message = {"messageId": str(uuid.uuid4()), "receiptHandle": uuid.uuid4().hex, "body": body,
               "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": now, "SenderId": "AIDAS3",
                              "ApproximateFirstReceiveTimestamp": now},
               "messageAttributes": {}, "md5OfBody": hashlib.md5(body.encode()).hexdigest(), "eventSource": "aws:sqs",
               "eventSourceARN": queue, "awsRegion": os.environ.get("AWS_REGION", "us-east-1")}
    lam = boto3.client("lambda", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                       config=Config(read_timeout=DEADLINE, retries={"max_attempts": 0}))
    out = lam.invoke(FunctionName=import_function(), Payload=json.dumps({"Records": [message]}).encode())
    assert out["StatusCode"] == 200 and "FunctionError" not in out, out
    return json.loads(out["Payload"].read())


def queue_depth(url):
    """Messages in the queue, visible or in flight."""
    attrs = sqs().get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"])
    return sum(int(v) for v in attrs["Attributes"].values())


def wait_drained(url, timeout=60):
    """Waits until the queue holds no message, visible or in flight."""
    deadline = time.monotonic() + timeout
    while queue_depth(url):
        assert time.monotonic() < deadline, f"{url} still holds messages after {timeout} s"
        time.sleep(0.5)


def import_item(dynamodb, seller_id, import_id):
    """The import's record in the table (the seller account's partition)."""
    return dynamodb.get_item(TableName=TABLE, Key=keys.key(keys.seller_account_pk(seller_id),
                                                            keys.import_sk(import_id)),
                             ConsistentRead=True).get("Item")


def sku_products(dynamodb, skus):
    """{SKU: productId} of every claimed SKU among `skus` (claims are upper case)."""
    wanted = sorted({s.upper() for s in skus})
    out = {}
    for i in range(0, len(wanted), 100):
        request_items = {TABLE: {"Keys": [keys.key(keys.sku_pk(s), keys.SKU_SK) for s in wanted[i:i + 100]],
                                 "ConsistentRead": True}}
        while request_items:
            page = dynamodb.batch_get_item(RequestItems=request_items)
            for item in page["Responses"].get(TABLE, []):
                out[item["PK"]["S"][len(keys.SKU_PREFIX):]] = item["productId"]["S"]
            request_items = page.get("UnprocessedKeys") or {}
    return out


def listing(user):
    """GET /seller/products, every page: {id: item}."""
    items, cursor = [], None
    while True:
        r = user.api.get("/seller/products", params={"limit": 100, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, f"{r.status_code} {r.text}"
        items += r.json()["items"]
        cursor = r.json().get("nextCursor")
        if not cursor:
            break
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)), "a listing appeared on two pages"
    return {i["id"]: i for i in items}


def imports_listed(user, limit=100):
    """GET /seller/imports, every page: the items in order."""
    items, cursor = [], None
    while True:
        r = user.api.get("/seller/imports", params={"limit": limit, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, f"{r.status_code} {r.text}"
        assert len(r.json()["items"]) <= limit
        items += r.json()["items"]
        cursor = r.json().get("nextCursor")
        if not cursor:
            return items


# ---------------------------------------------------------------- what a finished import shows

def assert_finished(v, status="done"):
    """The final view of an import: its fields, its status and the times it kept."""
    assert set(v) - {"_seen"} == VIEW_FIELDS, v
    assert v["status"] == status, v
    assert v["createdAt"] <= v["startedAt"] <= v["finishedAt"], v
    assert (v["reason"] is None) == (status == "done"), v
    return counts(v)


def assert_failed_whole(v, *words):
    """A file refused whole: failed, a reason naming the problem, no row counted, no report."""
    c = assert_finished(v, "failed")
    for w in words:
        assert w.lower() in v["reason"].lower(), v["reason"]
    assert c == {k: 0 for k in COUNT_FIELDS}, v
    assert v["reportUrl"] is None, v


def money(amount):
    return None if amount is None else {"amount": amount, "currency": "USD"}


def expected_variant(row):
    return {"sku": row["sku"].upper(), "attributes": {k: v for k, v in row["attributes"].items() if v},
            "price": money(row["price"]), "salePrice": money(row["salePrice"]),
            "unitPrice": money(row["salePrice"] if row["salePrice"] is not None else row["price"]),
            "available": row["onHand"]}


def assert_served(anon, seller, pid, rows):
    """GET /products/{id} serves the product exactly as its rows say (an inactive one: 404)."""
    first = rows[0]
    r = anon.get(f"/products/{pid}")
    if first["status"] == "inactive":
        assert_problem(r, 404)
        return
    assert r.status_code == 200, r.text
    p = r.json()
    stock = sum(row["onHand"] for row in rows)
    assert (p["id"], p["sellerId"], p["name"], p["description"], p["brand"], p["categoryId"], p["status"]) == (
        pid, seller.seller_id, first["name"], first["description"], first["brand"], first["categoryId"],
        "active" if stock else "out_of_stock")
    assert sorted(p["variants"], key=lambda v: v["sku"]) == sorted(
        (expected_variant(row) for row in rows), key=lambda v: v["sku"])


def assert_listed(seller, products, ids):
    """The seller's listing holds exactly these products ({handle: rows}, ids {handle: id})."""
    mine = listing(seller)
    assert set(mine) == set(ids.values()), f"{len(mine)} listed, {len(ids)} imported"
    for handle, rows in products.items():
        item = mine[ids[handle]]
        low = min(r["salePrice"] if r["salePrice"] is not None else r["price"] for r in rows)
        assert (item["name"], item["brand"], item["categoryId"], item["status"], item["hold"], item["priceFrom"]) == (
            rows[0]["name"], rows[0]["brand"], rows[0]["categoryId"], rows[0]["status"], None, money(low)), handle
    return mine


def product_ids(dynamodb, products):
    """{handle: product id} from the table's SKU claims; every SKU of a product maps to one id
    and no two products share one."""
    claims = sku_products(dynamodb, [r["sku"] for rows in products.values() for r in rows])
    ids = {}
    for handle, rows in products.items():
        owners = {claims.get(r["sku"].upper()) for r in rows}
        assert len(owners) == 1 and None not in owners, f"{handle}: SKUs claimed by {owners}"
        ids[handle] = owners.pop()
    assert len(set(ids.values())) == len(ids), "two handles became one product"
    return ids


def spot_check(anon, seller, products, ids):
    """A few products of every shape: several variants, a sale price, none in stock, inactive,
    quoted commas and line breaks."""
    handles = list(products)
    picks = {handles[0], handles[-1], handles[len(handles) // 2]}
    for pred in (lambda rows: len(rows) == 4, lambda rows: any(r["salePrice"] for r in rows),
                 lambda rows: rows[0]["status"] == "inactive", lambda rows: "\n" in rows[0]["description"],
                 lambda rows: all(r["onHand"] == 0 for r in rows) and rows[0]["status"] == "active",
                 lambda rows: len(rows) == 1):
        picks.update([h for h in handles if pred(products[h])][:2])
    for h in sorted(picks):
        assert_served(anon, seller, ids[h], products[h])


def table_state(dynamodb, ids):
    """Every item of these products, as stored."""
    return {pid: partition(dynamodb, keys.product_pk(pid)) for pid in ids}
