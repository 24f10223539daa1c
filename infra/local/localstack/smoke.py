"""Smoke test of a running local LocalStack (start.sh): the DynamoDB behaviours the shop relies on.

Run with the LocalStack venv:  .local/venv-localstack/bin/python infra/local/localstack/smoke.py
Checks: TransactWriteItems with a failing ConditionExpression returns per-item cancellation reasons
(with the old item); a NEW_AND_OLD_IMAGES stream is readable through dynamodbstreams; SQS queue URLs
use a host that resolves offline. Cleans up what it creates. Exit code 0 = all passed.
"""
import os
import sys
import time
import uuid
import urllib.parse

import boto3
from botocore.exceptions import ClientError

ENDPOINT = os.environ.get("LOCALSTACK_ENDPOINT", "http://127.0.0.1:%s" % os.environ.get("LOCALSTACK_PORT", "4566"))
KW = dict(endpoint_url=ENDPOINT, region_name="us-east-1", aws_access_key_id="test", aws_secret_access_key="test")
ddb = boto3.client("dynamodb", **KW)
streams = boto3.client("dynamodbstreams", **KW)
sqs = boto3.client("sqs", **KW)

table = "smoke-" + uuid.uuid4().hex[:8]
failures = []


def check(name, ok, detail=""):
    print(("PASS " if ok else "FAIL ") + name + (": " + detail if detail else ""))
    if not ok:
        failures.append(name)


ddb.create_table(
    TableName=table,
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
    BillingMode="PAY_PER_REQUEST",
    StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
)
try:
    ddb.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})
    ddb.put_item(TableName=table, Item={"pk": {"S": "sku-1"}, "stock": {"N": "1"}})

    # 1. transaction: the second item's condition fails -> whole transaction cancelled, reasons per item
    t = time.perf_counter()
    try:
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": "order-1"}}}},
                {"Update": {
                    "TableName": table, "Key": {"pk": {"S": "sku-1"}},
                    "UpdateExpression": "SET stock = stock - :n",
                    "ConditionExpression": "stock >= :n",
                    "ExpressionAttributeValues": {":n": {"N": "5"}},
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }},
            ]
        )
        check("TransactWriteItems cancelled", False, "no error raised")
    except ClientError as e:
        reasons = e.response.get("CancellationReasons", [])
        codes = [r.get("Code") for r in reasons]
        check("TransactWriteItems cancelled", e.response["Error"]["Code"] == "TransactionCanceledException",
              "%s in %.0f ms" % (e.response["Error"]["Code"], (time.perf_counter() - t) * 1000))
        check("cancellation reasons", codes == ["None", "ConditionalCheckFailed"], "codes=%s" % codes)
        check("old item returned", len(reasons) == 2 and reasons[1].get("Item", {}).get("stock") == {"N": "1"},
              "item=%s" % (reasons[1].get("Item") if len(reasons) == 2 else None))
    check("nothing written", "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "order-1"}}))

    # 2. stream with old and new images
    ddb.update_item(TableName=table, Key={"pk": {"S": "sku-1"}}, UpdateExpression="SET stock = :s",
                    ExpressionAttributeValues={":s": {"N": "0"}})
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    records = []
    for shard in shards:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records += streams.get_records(ShardIterator=it)["Records"]
    mods = [r for r in records if r["eventName"] == "MODIFY"]
    check("stream records", [r["eventName"] for r in records] == ["INSERT", "MODIFY"],
          "events=%s" % [r["eventName"] for r in records])
    check("NEW_AND_OLD_IMAGES", bool(mods) and mods[0]["dynamodb"]["OldImage"]["stock"] == {"N": "1"}
          and mods[0]["dynamodb"]["NewImage"]["stock"] == {"N": "0"},
          "old=%s new=%s" % ((mods[0]["dynamodb"].get("OldImage"), mods[0]["dynamodb"].get("NewImage")) if mods else (None, None)))
finally:
    ddb.delete_table(TableName=table)

# 3. SQS queue URLs must point at a host that resolves offline (SQS_ENDPOINT_STRATEGY=path)
q = sqs.create_queue(QueueName=table)["QueueUrl"]
try:
    host = urllib.parse.urlsplit(q).hostname
    check("queue URL resolvable", host in ("127.0.0.1", "localhost"), q)
    sqs.send_message(QueueUrl=q, MessageBody="ping")
    got = sqs.receive_message(QueueUrl=q, WaitTimeSeconds=1).get("Messages", [])
    check("queue URL usable", [m["Body"] for m in got] == ["ping"])
finally:
    sqs.delete_queue(QueueUrl=q)

sys.exit(1 if failures else 0)
