"""What a function logged about one piece of work, read back from LocalStack's CloudWatch Logs:
the benchmarks take a run's own `seconds` and `peak_rss_kib` (the function resets and reads its
peak memory around the work) from its log line."""

import json
import os
import time

import boto3


def physical_name(logical_id):
    """The deployed name of the stack's function `logical_id`."""
    cfn = boto3.client("cloudformation", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    resources = cfn.describe_stack_resources(StackName=os.environ["SHOP_STACK"])["StackResources"]
    return next(r["PhysicalResourceId"] for r in resources if r["LogicalResourceId"] == logical_id)


def logged_fields(function_name, message, matches, deadline, filter_pattern=None):
    """The fields of the first line `function_name` logged with `message` for which `matches(fields)`
    holds, waiting for it until `deadline` (time.time()); `{}` when none came."""
    logs = boto3.client("logs", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    while time.time() < deadline:
        kwargs = {"logGroupName": f"/aws/lambda/{function_name}"}
        if filter_pattern:
            kwargs["filterPattern"] = filter_pattern
        while True:
            try:
                page = logs.filter_log_events(**kwargs)
            except logs.exceptions.ResourceNotFoundException:
                break  # the function has not logged yet

            for event in page["events"]:
                try:
                    fields = json.loads(event["message"]).get("fields", {})
                except (ValueError, AttributeError):
                    continue
                if fields.get("message") == message and matches(fields):
                    return fields
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        time.sleep(2)
    return {}
