"""Each function's IAM grants in template.yaml cover every AWS call its code makes.

LocalStack does not enforce IAM, so a call without a grant would pass every local
test and fail in AWS with AccessDenied. The local stack runs the functions with
`SHOP_AUDIT_SDK_CALLS=1`: each logs the IAM action of every AWS call it makes
(`shared/src/sdk/audit.rs`, an SDK interceptor). These tests run after the rest of the
suite (conftest orders them last), read every function's log from LocalStack's
CloudWatch Logs, and compare what each function did with what SAM's transform of
template.yaml grants its role."""

import fnmatch
import json

import pytest

import cloudwatch
from test_routes import transformed_template

# Cognito's sign-in is a public API: it needs no IAM grant.
UNSIGNED = {"cognito-idp:InitiateAuth"}


def _as_list(value):
    return value if isinstance(value, list) else [value]


def granted_actions():
    """Function logical id -> the IAM actions its role allows (patterns, as written)."""
    resources = transformed_template()["Resources"]
    granted = {}
    for lid, r in resources.items():
        if r["Type"] != "AWS::Lambda::Function":
            continue
        role = resources[r["Properties"]["Role"]["Fn::GetAtt"][0]]
        actions = set()
        for policy in role["Properties"].get("Policies", []):
            for statement in _as_list(policy["PolicyDocument"]["Statement"]):
                if statement.get("Effect") == "Allow":
                    actions.update(_as_list(statement["Action"]))
        granted[lid] = actions
    return granted


def missing_grants(used, granted):
    """Function -> the actions it used that no grant of its role allows."""
    missing = {}
    for function, actions in used.items():
        allowed = granted.get(function, set())
        lacking = {a for a in actions - UNSIGNED
                   if not any(fnmatch.fnmatchcase(a, pattern) for pattern in allowed)}
        if lacking:
            missing[function] = lacking
    return missing


@pytest.fixture(scope="module")
def used_actions():
    """Function logical id -> the IAM actions its invocations logged, over the whole suite."""
    used = {}
    for function, messages in cloudwatch.every_function_message().items():
        actions = set()
        for message in messages:
            try:
                line = json.loads(message)
            except ValueError:
                continue
            action = line.get("fields", {}).get("iam_action") if isinstance(line, dict) else None
            if action:
                actions.add(action)
        used[function] = actions
    return used


def test_every_function_was_audited(used_actions):
    # Every function makes at least one AWS call (its warm-up or its work): a function
    # with none logged means the audit did not run, and the comparison below would be empty.
    silent = sorted(f for f, actions in used_actions.items() if not actions)
    assert not silent, f"no AWS call logged by {silent}"
    assert set(used_actions) == set(granted_actions())


def test_every_call_is_granted(used_actions):
    assert missing_grants(used_actions, granted_actions()) == {}


def test_a_removed_grant_is_caught(used_actions):
    """The comparison can fail: take away one grant a function used, and it is reported."""
    granted = granted_actions()
    function, actions = next((f, a) for f, a in sorted(used_actions.items()) if a - UNSIGNED)
    action = sorted(actions - UNSIGNED)[0]
    granted[function] = {g for g in granted[function] if not fnmatch.fnmatchcase(action, g)}
    assert missing_grants(used_actions, granted) == {function: {action}}
