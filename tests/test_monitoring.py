"""Alarms, logs and traces as template.yaml declares them, and alarms that really fire.

The per-function and per-dead-letter-queue alarms and the dashboard are a nested stack that
infra/monitoring/generate.py writes from template.yaml; the static tests fail when it is
stale or misses a function or a queue. The live tests use LocalStack's own CloudWatch: it
records Lambda's Errors metric per invocation and SQS's queue depth (every 10 s locally),
evaluates simple metric alarms each period and publishes their state changes to SNS."""

import json
import os
import subprocess
import sys
import time
import uuid

import boto3
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "infra" / "monitoring"))
import generate  # noqa: E402

MAIN_ALARMS = {"CheckoutFailedAlarm", "CheckoutTimedOutAlarm", "Api5xxRateAlarm", "ApiLatencyP99Alarm"}


@pytest.fixture(scope="module")
def template():
    return generate.load_template()


@pytest.fixture(scope="module")
def nested():
    return json.loads((ROOT / "infra" / "monitoring" / "monitoring.json").read_text())


def test_the_committed_nested_stack_is_what_the_generator_writes():
    run = subprocess.run([sys.executable, str(ROOT / "infra" / "monitoring" / "generate.py"), "--check"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_function_and_dead_letter_queue_has_its_alarms(template, nested):
    resources = nested["Resources"]
    fns = [name for name, _ in generate.functions(template)]
    dlqs = generate.dead_letter_queues(template)
    assert len(fns) == sum(1 for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::Function")
    # Every queue some other resource names as its dead-letter target, by a naming rule too.
    assert set(dlqs) == {n for n, r in template["Resources"].items()
                         if r["Type"] == "AWS::SQS::Queue" and n.endswith("DeadLetterQueue")}
    for fn in fns:
        for metric in ("Errors", "Throttles"):
            alarm = resources[f"{fn}{metric}"]["Properties"]
            assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", metric)
            assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": fn}}]
    for q in dlqs:
        alarm = resources[f"{q}Depth"]["Properties"]
        assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"]) == (
            "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum")
        assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Ref": q}}]
    alarms = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert len(alarms) == 2 * len(fns) + len(dlqs)
    for alarm in alarms:
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopicArn"}] and alarm["OKActions"] == alarm["AlarmActions"]
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")


def test_the_main_template_passes_every_parameter_the_nested_stack_takes(template, nested):
    passed = template["Resources"]["Monitoring"]["Properties"]["Parameters"]
    assert set(passed) == set(nested["Parameters"])
    for name, _ in generate.functions(template):
        assert passed[name] == {"Ref": name}
    for q in generate.dead_letter_queues(template):
        assert passed[q] == {"GetAtt": f"{q}.QueueName"}
    for alarm in MAIN_ALARMS:
        assert template["Resources"][alarm]["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_every_function_logs_to_a_group_with_a_retention_and_is_traced(template):
    resources = template["Resources"]
    globals_ = template["Globals"]["Function"]
    assert globals_["Tracing"] == "Active"
    assert globals_["LoggingConfig"] == {"LogGroup": {"Ref": "FunctionLogGroup"}}
    assert resources["FunctionLogGroup"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    # No function opts out of the shared group or of tracing.
    for name, r in resources.items():
        if r["Type"] == "AWS::Serverless::Function":
            assert "LoggingConfig" not in r["Properties"] and "Tracing" not in r["Properties"], name
    # Every log group the template declares expires.
    for name, r in resources.items():
        if r["Type"] == "AWS::Logs::LogGroup":
            assert "RetentionInDays" in r["Properties"], name
    machine = resources["CheckoutStateMachine"]["Properties"]
    assert machine["Logging"]["Level"] == "ERROR" and machine["Logging"]["IncludeExecutionData"] is False
    assert machine["Tracing"] == {"Enabled": True}


def test_the_dashboard_shows_every_alarm(nested):
    body = nested["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(body)["widgets"]
    shown = [arn for w in widgets if w["type"] == "alarm" for arn in w["properties"]["alarms"]]
    alarms = [n for n, r in nested["Resources"].items() if r["Type"] == "AWS::CloudWatch::Alarm"]
    assert sorted(shown) == sorted(["${%s}" % a for a in MAIN_ALARMS] + ["${%s.Arn}" % a for a in alarms])


# ---- live, on the local stack ----

@pytest.fixture(scope="module")
def aws():
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    return {s: boto3.client(s, endpoint_url=endpoint) for s in ("cloudformation", "cloudwatch", "sns", "sqs", "lambda")}


def _physical(aws, logical):
    return aws["cloudformation"].describe_stack_resource(
        StackName=os.environ["SHOP_STACK"], LogicalResourceId=logical)["StackResourceDetail"]["PhysicalResourceId"]


def test_the_deployed_stack_has_every_alarm_on_its_topic(aws, template):
    topic = _physical(aws, "AlarmTopic")
    stack = os.environ["SHOP_STACK"]
    alarms = []
    for page in aws["cloudwatch"].get_paginator("describe_alarms").paginate(AlarmNamePrefix=f"{stack}-"):
        alarms += page["MetricAlarms"]
    expected = 2 * len(generate.functions(template)) + len(generate.dead_letter_queues(template)) + len(MAIN_ALARMS)
    assert len(alarms) == expected
    assert all(a["AlarmActions"] == [topic] for a in alarms)


def _alarm_state(aws, name):
    return aws["cloudwatch"].describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"]


def test_a_dead_letter_message_and_a_function_error_raise_their_alarms_on_the_topic(aws):
    """A message left in CoPurchaseDeadLetterQueue and a failed invocation of list-categories
    (an event it cannot read) each move their alarm to ALARM, and SNS delivers both changes
    to a queue subscribed to the alarm topic, as it would page an operator."""
    stack = os.environ["SHOP_STACK"]
    dlq_alarm, fn_alarm = f"{stack}-co-purchase-dead-letter-queue-depth", f"{stack}-list-categories-errors"
    # Neither alarm fired earlier in the suite: no other test leaves this queue a message or
    # fails this function, so the ALARM below is this test's doing.
    assert _alarm_state(aws, dlq_alarm) != "ALARM" and _alarm_state(aws, fn_alarm) != "ALARM"
    inbox = aws["sqs"].create_queue(QueueName=f"alarm-inbox-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    inbox_arn = aws["sqs"].get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    subscription = aws["sns"].subscribe(TopicArn=_physical(aws, "AlarmTopic"), Protocol="sqs",
                                        Endpoint=inbox_arn)["SubscriptionArn"]
    dlq = aws["sqs"].get_queue_url(QueueName=_physical(aws, "CoPurchaseDeadLetterQueue").rsplit("/", 1)[-1])["QueueUrl"]
    try:
        aws["sqs"].send_message(QueueUrl=dlq, MessageBody=json.dumps({"orderId": "o-alarm-test"}))
        failed = aws["lambda"].invoke(FunctionName=_physical(aws, "ListCategoriesFunction"),
                                      Payload=json.dumps("not an API Gateway event"))
        assert failed.get("FunctionError") == "Unhandled", failed
        notified, deadline = {}, time.time() + 240
        while set(notified) != {dlq_alarm, fn_alarm} and time.time() < deadline:
            for m in aws["sqs"].receive_message(QueueUrl=inbox, WaitTimeSeconds=5,
                                                MaxNumberOfMessages=10).get("Messages", []):
                alarm = json.loads(json.loads(m["Body"])["Message"])
                if alarm["NewStateValue"] == "ALARM":
                    notified[alarm["AlarmName"]] = alarm
        assert set(notified) == {dlq_alarm, fn_alarm}, f"alarms notified: {sorted(notified)}"
        assert _alarm_state(aws, dlq_alarm) == "ALARM" and _alarm_state(aws, fn_alarm) == "ALARM"
        assert notified[fn_alarm]["Trigger"]["MetricName"] == "Errors"
        assert notified[dlq_alarm]["Trigger"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    finally:
        aws["sqs"].purge_queue(QueueUrl=dlq)
        aws["sns"].unsubscribe(SubscriptionArn=subscription)
        aws["sqs"].delete_queue(QueueUrl=inbox)
