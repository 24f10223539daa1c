#!/usr/bin/env python3
"""Writes infra/monitoring/monitoring.json, the nested stack of the shop's per-resource alarms
and its dashboard, from template.yaml.

Why generated, and why a nested stack: every function gets an Errors and a Throttles alarm and
every dead-letter queue a depth alarm, so the alarms grow with the template (85 functions: 190
alarms). Written by hand they would drift from the functions; in the main template they would
push it past CloudFormation's 500 resources per stack (about 300 today). The generator reads the
template's functions and dead-letter queues, so a new function or queue gets its alarms on the
next run, and tests/test_monitoring.py fails while the committed file differs from what this
script writes.

Usage: python infra/monitoring/generate.py [--check]
  --check  exit 1 (printing the first difference) instead of writing, when the file is stale.
"""
import difflib
import json
import re
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "template.yaml"
OUTPUT = REPO / "infra" / "monitoring" / "monitoring.json"

# The business metrics the functions write in CloudWatch Embedded Metric Format
# (shared/src/telemetry.rs names them; tests/test_metrics.py checks a known scenario's values).
# (title, [(metric, statistic, dimension or None)], unit label)
BUSINESS_WIDGETS = [
    ("Orders placed, confirmed", [("OrdersPlaced", "Sum", None), ("OrdersConfirmed", "Sum", None)], "orders"),
    ("Orders cancelled, by reason", [("OrdersCancelled", "Sum", "Reason")], "orders"),
    ("Revenue by currency (minor units)", [("Revenue", "Sum", "Currency")], "minor units"),
    ("Placement to confirmation (ms)", [("TimeToConfirm", "p50", None), ("TimeToConfirm", "p99", None)], "ms"),
    ("Payment outcomes", [("PaymentOutcome", "Sum", "Outcome")], "payments"),
    ("Stock-outs (variants sold out)", [("StockOuts", "Sum", None)], "variants"),
    ("Import rows, by outcome", [("ImportRows", "Sum", "Outcome")], "rows"),
    ("Search latency (ms)", [("SearchLatency", "p50", None), ("SearchLatency", "p99", None)], "ms"),
    ("Searches, zero-result searches", [("Searches", "Sum", None), ("ZeroResultSearches", "Sum", None)], "searches"),
]
# Alarms of the main template (one each, written there), shown on the dashboard beside these.
MAIN_ALARMS = ["CheckoutFailedAlarm", "CheckoutTimedOutAlarm", "Api5xxRateAlarm", "ApiLatencyP99Alarm"]


def _any_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node)}
    return {suffix: loader.construct_mapping(node)}


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_multi_constructor("!", _any_tag)


def load_template(path=TEMPLATE):
    return yaml.load(path.read_text(), Loader=_Loader)


def functions(template):
    """(logical id, binary name) of every function, in template order."""
    return [
        (name, res["Metadata"]["BuildProperties"]["Binary"])
        for name, res in template["Resources"].items()
        if res["Type"] == "AWS::Serverless::Function"
    ]


def dead_letter_queues(template):
    """Logical ids of the queues that are a dead-letter target: a queue's redrive target, or an
    event-source mapping's on-failure destination."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("deadLetterTargetArn", "Destination") and isinstance(value, dict) and "GetAtt" in value:
                    target = value["GetAtt"]
                    target = target.split(".")[0] if isinstance(target, str) else target[0]
                    if template["Resources"].get(target, {}).get("Type") == "AWS::SQS::Queue":
                        found.add(target)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(template["Resources"])
    return [name for name in template["Resources"] if name in found]


def _alarm(description, metric, namespace, dimension, value_ref, statistic="Sum"):
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            "Namespace": namespace,
            "MetricName": metric,
            "Dimensions": [{"Name": dimension, "Value": value_ref}],
            "Statistic": statistic,
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopicArn"}],
            "OKActions": [{"Ref": "AlarmTopicArn"}],
        },
    }


def _slug(logical_id):
    return re.sub(r"(?<!^)(?=[A-Z])", "-", logical_id).lower()


def dashboard_body(alarm_ids):
    """The dashboard's JSON as an Fn::Sub string: business metrics first, then every alarm."""
    widgets, x, y = [], 0, 0
    for title, series, label in BUSINESS_WIDGETS:
        metrics = []
        for metric, stat, dimension in series:
            if dimension:
                # Every value of the dimension (each reason, currency, outcome) as its own line.
                query = f"SEARCH('{{${{MetricsNamespace}},{dimension}}} MetricName=\"{metric}\"', '{stat}', 300)"
                metrics.append([{"expression": query, "label": f"{metric} by {dimension}", "id": f"e{len(metrics)}"}])
            else:
                metrics.append(["${MetricsNamespace}", metric, {"stat": stat, "label": f"{metric} {stat}"}])
        widgets.append({
            "type": "metric", "x": x, "y": y, "width": 8, "height": 6,
            "properties": {"title": title, "region": "${AWS::Region}", "view": "timeSeries", "stat": "Sum",
                           "period": 300, "metrics": metrics, "yAxis": {"left": {"label": label, "min": 0}}},
        })
        x = (x + 8) % 24
        y += 6 if x == 0 else 0
    y += 6 if x else 0
    widgets.append({
        "type": "log", "x": 0, "y": y, "width": 24, "height": 6,
        "properties": {
            "title": "Zero-result search queries (last period, most asked first)", "region": "${AWS::Region}",
            "query": "SOURCE '${FunctionLogGroupName}' | fields query | filter ZeroResultSearches > 0 "
                     "| stats count(*) as searches by query | sort searches desc | limit 20",
            "view": "table",
        },
    })
    y += 6
    # An alarm-status widget holds at most 100 alarms.
    arns = ["${%s}" % a for a in MAIN_ALARMS] + ["${%s.Arn}" % a for a in alarm_ids]
    for i in range(0, len(arns), 100):
        widgets.append({
            "type": "alarm", "x": 0, "y": y, "width": 24, "height": 8,
            "properties": {"title": f"Alarms ({i + 1}-{min(i + 100, len(arns))} of {len(arns)})",
                           "alarms": arns[i:i + 100], "sortBy": "stateUpdatedTimestamp"},
        })
        y += 8
    return json.dumps({"widgets": widgets}, separators=(",", ":"))


def build(template):
    fns, dlqs = functions(template), dead_letter_queues(template)
    parameters = {
        "StackName": {"Type": "String", "Description": "The shop's stack (alarm names start with it)."},
        "AlarmTopicArn": {"Type": "String", "Description": "Where every alarm and its recovery is sent."},
        "MetricsNamespace": {"Type": "String", "Description": "The business metrics' CloudWatch namespace."},
        "FunctionLogGroupName": {"Type": "String", "Description": "The log group every function writes to."},
    }
    for alarm in MAIN_ALARMS:
        parameters[alarm] = {"Type": "String", "Description": f"ARN of the main stack's {alarm}."}
    resources = {}
    for name, binary in fns:
        parameters[name] = {"Type": "String", "Description": f"Function name of {name} ({binary})."}
        for metric in ("Errors", "Throttles"):
            alarm = _alarm(
                f"{binary}: {metric.lower()} in the last minute (Lambda's {metric} metric).",
                metric, "AWS/Lambda", "FunctionName", {"Ref": name})
            alarm["Properties"]["AlarmName"] = {"Fn::Sub": f"${{StackName}}-{binary}-{metric.lower()}"}
            resources[f"{name}{metric}"] = alarm
    for name in dlqs:
        parameters[name] = {"Type": "String", "Description": f"Queue name of {name}."}
        alarm = _alarm(
            f"{name} holds a message: something failed after its retries and waits for an operator.",
            "ApproximateNumberOfMessagesVisible", "AWS/SQS", "QueueName", {"Ref": name}, statistic="Maximum")
        alarm["Properties"]["AlarmName"] = {"Fn::Sub": f"${{StackName}}-{_slug(name)}-depth"}
        resources[f"{name}Depth"] = alarm
    alarm_ids = list(resources)
    resources["Dashboard"] = {
        "Type": "AWS::CloudWatch::Dashboard",
        "Properties": {
            "DashboardName": {"Ref": "StackName"},
            "DashboardBody": {"Fn::Sub": dashboard_body(alarm_ids)},
        },
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "Generated by infra/monitoring/generate.py from template.yaml: do not edit. "
                       "Errors and Throttles alarms per function, a depth alarm per dead-letter queue, "
                       "and the dashboard.",
        "Parameters": parameters,
        "Resources": resources,
        "Outputs": {"DashboardName": {"Value": {"Ref": "Dashboard"}}},
    }


def render(template=None):
    return json.dumps(build(template or load_template()), indent=1) + "\n"


def main(argv):
    text = render()
    if "--check" in argv:
        current = OUTPUT.read_text() if OUTPUT.exists() else ""
        if current != text:
            diff = difflib.unified_diff(current.splitlines(), text.splitlines(), "committed", "generated", lineterm="")
            print("\n".join(list(diff)[:40]))
            print(f"{OUTPUT.relative_to(REPO)} is stale: run python infra/monitoring/generate.py")
            return 1
        return 0
    OUTPUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
