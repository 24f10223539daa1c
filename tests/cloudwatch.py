"""The functions' logs as LocalStack's CloudWatch Logs holds them, read once per session
(test_iam.py and test_log_secrets.py both read every line the suite made)."""

import functools
import os

import boto3


def _clients():
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    return boto3.client("cloudformation", endpoint_url=endpoint), boto3.client("logs", endpoint_url=endpoint)


@functools.lru_cache(maxsize=1)
def function_names():
    """Function logical id -> its deployed name (the stack's, read once)."""
    cfn, _ = _clients()
    resources = cfn.describe_stack_resources(StackName=os.environ["SHOP_STACK"])["StackResources"]
    return {r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in resources if r["ResourceType"] == "AWS::Lambda::Function"}


def group_messages(group, start_ms=None):
    """Every message of a log group (oldest first), from `start_ms` on if given."""
    _, logs = _clients()
    kwargs = {"logGroupName": group}
    if start_ms is not None:
        kwargs["startTime"] = int(start_ms)
    messages = []
    while True:
        try:
            page = logs.filter_log_events(**kwargs)
        except logs.exceptions.ResourceNotFoundException:
            return messages
        messages += [e["message"] for e in page["events"]]
        if not page.get("nextToken"):
            return messages
        kwargs["nextToken"] = page["nextToken"]


def function_messages(name, start_ms=None):
    return group_messages(f"/aws/lambda/{name}", start_ms)


@functools.lru_cache(maxsize=1)
def every_function_message():
    """Function logical id -> every message it logged during the session (read once)."""
    return {logical: function_messages(name) for logical, name in function_names().items()}
