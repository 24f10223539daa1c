"""Every sample event in events/ (the files developers use with `sam local invoke`
and `cargo lambda invoke`) is invoked against its deployed function through
LocalStack's Lambda Invoke, and its answer checked as its trigger type expects:
an HTTP response for `HttpApi` routes (the status listed in expected-status.json),
a partial-batch response with no failures for `SQS` and `DynamoDB` stream consumers,
and for a state machine's tasks (no trigger) an answer or one of the task errors the
state machine handles. The inventory is template.yaml's functions: nothing here counts them."""

import json
import os

import boto3
import pytest

import keys
from conftest import ROOT
from test_routes import _Loader

import yaml

EVENTS = ROOT / "events"
EXPECTED = json.loads((EVENTS / "expected-status.json").read_text())


def functions():
    """Binary name -> (logical id, trigger type), from template.yaml."""
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=_Loader)
    out = {}
    for lid, r in template["Resources"].items():
        if r["Type"] == "AWS::Serverless::Function":
            triggers = list(r["Properties"].get("Events", {}).values())
            kind = triggers[0]["Type"] if triggers else "Task"
            out[r["Metadata"]["BuildProperties"]["Binary"]] = (lid, kind)
    return out


def binaries():
    """Binary name -> logical id."""
    return {b: lid for b, (lid, _) in functions().items()}


def http_events():
    return sorted(f"{b}.json" for b, (_, kind) in functions().items() if kind == "HttpApi")


def sqs_events():
    return sorted(f"{b}.json" for b, (_, kind) in functions().items() if kind in ("SQS", "DynamoDB"))


def schedule_events():
    return sorted(f"{b}.json" for b, (_, kind) in functions().items() if kind == "Schedule")


def task_events():
    return sorted(f"{b}.json" for b, (_, kind) in functions().items() if kind == "Task")


@pytest.fixture(scope="module")
def deployed():
    """(Lambda client, binary name -> deployed function name), looked up once."""
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    cfn = boto3.client("cloudformation", endpoint_url=endpoint)
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                for r in cfn.describe_stack_resources(StackName=os.environ["SHOP_STACK"])["StackResources"]}
    names = {binary: physical[logical] for binary, logical in binaries().items()}
    return boto3.client("lambda", endpoint_url=endpoint), names


def test_every_function_has_an_event_and_every_route_an_expectation():
    files = {p.name for p in EVENTS.glob("*.json")} - {"expected-status.json"}
    assert files == {f"{b}.json" for b in binaries()}
    assert set(EXPECTED) == set(http_events())
    assert set(http_events()) | set(sqs_events()) | set(schedule_events()) | set(task_events()) == files, \
        "a trigger type without an event check"


@pytest.mark.parametrize("name", sqs_events())
def test_queue_event_invokes_its_function(name, deployed):
    lam, functions = deployed
    out = lam.invoke(FunctionName=functions[name.removesuffix(".json")], Payload=(EVENTS / name).read_bytes())
    assert "FunctionError" not in out, out["Payload"].read()
    assert json.loads(out["Payload"].read()) == {"batchItemFailures": []}


@pytest.mark.parametrize("name", http_events())
def test_event_invokes_its_function(name, deployed):
    lam, functions = deployed
    out = lam.invoke(FunctionName=functions[name.removesuffix(".json")], Payload=(EVENTS / name).read_bytes())
    assert "FunctionError" not in out, out["Payload"].read()
    response = json.loads(out["Payload"].read())
    assert response["statusCode"] in EXPECTED[name], response
    body = json.loads(response["body"]) if response.get("body") else None
    if response["statusCode"] >= 400:
        assert response["headers"]["content-type"] == "application/problem+json"
        assert body["status"] == response["statusCode"]
    else:
        assert response["headers"]["content-type"] == "application/json"


@pytest.mark.parametrize("name", schedule_events())
def test_schedule_event_invokes_its_function(name, deployed):
    """The sample names a slot long past (no shipment was packed before it): its run hands
    nothing over and its manifest is empty. The first invocation of the slot on this stack
    writes it; any later one finds the run done."""
    lam, functions = deployed
    event = json.loads((EVENTS / name).read_text())
    run_id = event["time"].replace("-", "").replace(":", "")
    dynamodb = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    run_key = keys.key(keys.CARRIER_PK, keys.handoff_run_sk(run_id))
    ran_before = "Item" in dynamodb.get_item(TableName=os.environ["TABLE_NAME"], Key=run_key, ConsistentRead=True)
    out = lam.invoke(FunctionName=functions[name.removesuffix(".json")], Payload=(EVENTS / name).read_bytes())
    assert "FunctionError" not in out, out["Payload"].read()
    manifest = f"carrier/outbox/{run_id}.jsonl"
    assert json.loads(out["Payload"].read()) == {
        "runId": run_id, "outcome": "already_done" if ran_before else "written", "shipments": 0,
        "manifestKey": manifest}
    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    assert s3.get_object(Bucket=os.environ["CARRIER_BUCKET"], Key=manifest)["Body"].read() == b""


@pytest.mark.parametrize("name", task_events())
def test_task_event_invokes_its_function(name, deployed):
    """A sample task names an order that does not exist: the fraud check fails with the
    error the state machine catches (not a crash), the cancel step has nothing to undo."""
    lam, functions = deployed
    out = lam.invoke(FunctionName=functions[name.removesuffix(".json")], Payload=(EVENTS / name).read_bytes())
    answer = json.loads(out["Payload"].read())
    if "FunctionError" in out:
        assert answer["errorType"] == "ShopError" and "order not found" in answer["errorMessage"], answer
    else:
        assert answer == {"mailsQueued": 0, "mailsFailed": 0}, answer
