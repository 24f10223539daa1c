"""Every sample event in events/ (the files developers use with `sam local invoke`
and `cargo lambda invoke`) is invoked against its deployed function through
LocalStack's Lambda Invoke, and its response checked."""

import json
import os

import boto3
import pytest

from conftest import ROOT
from test_routes import _Loader

import yaml

EVENTS = ROOT / "events"
EXPECTED = json.loads((EVENTS / "expected-status.json").read_text())


def binaries():
    """Binary name -> logical id, from each function's Metadata in template.yaml."""
    template = yaml.load((ROOT / "template.yaml").read_text(), Loader=_Loader)
    return {r["Metadata"]["BuildProperties"]["Binary"]: lid for lid, r in template["Resources"].items()
            if r["Type"] == "AWS::Serverless::Function"}


@pytest.fixture(scope="module")
def deployed():
    """(Lambda client, binary name -> deployed function name), looked up once."""
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    cfn = boto3.client("cloudformation", endpoint_url=endpoint)
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"]
                for r in cfn.describe_stack_resources(StackName=os.environ["SHOP_STACK"])["StackResources"]}
    names = {binary: physical[logical] for binary, logical in binaries().items()}
    return boto3.client("lambda", endpoint_url=endpoint), names


def test_every_function_has_an_event_and_every_event_an_expectation():
    files = {p.name for p in EVENTS.glob("*.json")} - {"expected-status.json"}
    assert files == {f"{b}.json" for b in binaries()}
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
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
