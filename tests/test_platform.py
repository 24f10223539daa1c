"""The local platform itself: LocalStack's own DynamoDB Streams event-source mapping
delivers the shop table's stream to a function run by the host executor, as the
search indexer (`index-products`) and the checkout's backstop starter (`start-checkout`) rely on. The probe function is a tiny shell
`bootstrap` speaking the Lambda Runtime API, so this test needs no extra build."""

import io
import json
import os
import time
import uuid
import zipfile

import boto3
import pytest

from conftest import ROOT

BOOTSTRAP = """#!/bin/bash
# Appends every event it receives to $PROBE_FILE, answers with no failures.
set -u
api=http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/invocation
while true; do
  headers=$(mktemp)
  event=$(curl -sS -D "$headers" "$api/next")
  id=$(grep -i '^lambda-runtime-aws-request-id:' "$headers" | cut -d' ' -f2 | tr -d '\\r')
  printf '%s\\n' "$event" >> "$PROBE_FILE"
  curl -sS -X POST "$api/$id/response" -d '{"batchItemFailures": []}' >/dev/null
  rm -f "$headers"
done
"""


@pytest.fixture()
def probe(tmp_path):
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    lam = boto3.client("lambda", endpoint_url=endpoint)
    name = f"platform-probe-{uuid.uuid4().hex[:8]}"
    out_file = tmp_path / "events.jsonl"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        z.writestr(info, BOOTSTRAP)
    lam.create_function(FunctionName=name, Runtime="provided.al2023", Handler="bootstrap",
                        Role="arn:aws:iam::000000000000:role/probe", Code={"ZipFile": buf.getvalue()},
                        Architectures=["x86_64"], Timeout=10,
                        Environment={"Variables": {"PROBE_FILE": str(out_file)}})
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    yield lam, name, out_file
    for m in lam.list_event_source_mappings(FunctionName=name)["EventSourceMappings"]:
        lam.delete_event_source_mapping(UUID=m["UUID"])
    lam.delete_function(FunctionName=name)


def test_table_stream_batches_reach_a_function(probe, dynamodb):
    lam, name, out_file = probe
    table = os.environ["TABLE_NAME"]
    stream_arn = dynamodb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    mapping = lam.create_event_source_mapping(FunctionName=name, EventSourceArn=stream_arn,
                                              StartingPosition="LATEST", BatchSize=10,
                                              FunctionResponseTypes=["ReportBatchItemFailures"])
    deadline = time.time() + 60
    while lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] != "Enabled":
        assert time.time() < deadline, "mapping never enabled"
        time.sleep(0.5)
    marker = f"PROBE#{uuid.uuid4().hex}"
    # Written until the mapping's first poll has picked up the stream (LATEST starts then).
    records, n = [], 0
    while time.time() < deadline and not records:
        dynamodb.put_item(TableName=table, Item={"PK": {"S": marker}, "SK": {"S": f"N#{n}"}, "entity": {"S": "probe"}})
        n += 1
        time.sleep(1)
        if out_file.exists():
            for line in out_file.read_text().splitlines():
                records += [r for r in json.loads(line)["Records"] if r["dynamodb"]["Keys"]["PK"]["S"] == marker]
    assert records, "no stream batch reached the function within 60 s"
    record = records[0]
    assert record["eventName"] == "INSERT" and record["eventSource"] == "aws:dynamodb"
    assert record["dynamodb"]["NewImage"]["entity"] == {"S": "probe"}
    for i in range(n):
        dynamodb.delete_item(TableName=table, Key={"PK": {"S": marker}, "SK": {"S": f"N#{i}"}})
