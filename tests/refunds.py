"""What the refund tests read: the money Stripe (localstripe) holds for an order, the shop's
refund claims as stored, the refund worker's dead-letter queue, and a crash point set on the
refund worker for one test (SHOP_FAULT, which the template never sets)."""

import contextlib
import json
import os
import time

import boto3

import keys
from checkout import intents_for, refunds_for
from conftest import TABLE


def stripe_money(order_id):
    """(kept, refunds) of every payment Stripe holds for the order: what its succeeded charges
    took minus what was refunded of them, and each refund as (amount, metadata)."""
    kept, refunds = 0, []
    for pi in intents_for(order_id):
        charge = pi["latest_charge"]
        if charge and charge["status"] == "succeeded":
            kept += charge["amount"] - charge["amount_refunded"]
        refunds += [(r["amount"], r["metadata"]) for r in refunds_for(pi)]
    return kept, refunds


def claim_item(dynamodb, order_id, refund_id):
    return dynamodb.get_item(TableName=TABLE, Key=keys.key(keys.order_pk(order_id), keys.refund_sk(refund_id)),
                             ConsistentRead=True).get("Item")


def dead_letters(refund_id, timeout=60):
    """The refund's messages on the refund worker's dead-letter queue (deleted once read),
    waiting until one arrives."""
    sqs = boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    url = os.environ["REFUND_DLQ_URL"]
    found, deadline = [], time.time() + timeout
    while not found:
        assert time.time() < deadline, f"no dead letter for refund {refund_id} within {timeout} s"
        out = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=5)
        for m in out.get("Messages", []):
            body = json.loads(m["Body"])
            if body.get("refundId") == refund_id:
                found.append(body)
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return found


@contextlib.contextmanager
def refund_worker_fault(point):
    """The refund worker dies at `point` (`refund-before-stripe`, `refund-after-stripe`) on a
    claim's first attempt, as a killed process would, until the block ends."""
    lam = boto3.client("lambda", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    name = os.environ["REFUND_WORKER_FUNCTION"]

    def set_env(update):
        config = lam.get_function_configuration(FunctionName=name)
        env = dict(config.get("Environment", {}).get("Variables", {}))
        update(env)
        lam.update_function_configuration(FunctionName=name, Environment={"Variables": env})
        deadline = time.time() + 60
        while lam.get_function_configuration(FunctionName=name).get("LastUpdateStatus") not in (None, "Successful"):
            assert time.time() < deadline, "the refund worker's configuration was not applied"
            time.sleep(0.5)

    set_env(lambda env: env.update(SHOP_FAULT=point))
    try:
        yield
    finally:
        set_env(lambda env: env.pop("SHOP_FAULT", None))
