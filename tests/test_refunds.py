"""The refund protocol on the local stack, with localstripe's refunds read back: a refund
worker that dies between the claim and Stripe, or between Stripe and the record, is finished
by the queue's redelivery with exactly one refund at Stripe; a refund Stripe refuses stays on
the order as failed and is reported on the dead-letter queue.

The crashes are injected (SHOP_FAULT on the refund worker, which the template never sets):
the worker's process aborts on a claim's first attempt, as a killed function would; the
message comes back after the queue's visibility timeout (30 s)."""

import pytest

import keys
from checkout import wait_refunds_made
from conftest import TABLE, approved_seller, assert_problem
from fulfilment import paid_order
from refunds import claim_item, dead_letters, refund_worker_fault, stripe_money


@pytest.fixture(scope="module")
def sellers():
    return approved_seller(), approved_seller()


def cancel_b(paid):
    r = paid.b.api.post(f"/seller/shipments/{paid.shipment_id(paid.b)}/cancel", json={"reason": "out of stock"})
    assert r.status_code == 200, r.text
    return f"{paid.id}.ship-{paid.b.seller_id}"


@pytest.mark.parametrize("point", ["refund-before-stripe", "refund-after-stripe"])
def test_a_worker_that_dies_midway_is_finished_with_one_refund(sellers, dynamodb, point):
    paid = paid_order(*sellers)
    total = paid.order["total"]["amount"]
    with refund_worker_fault(point):
        refund_id = cancel_b(paid)
        order = wait_refunds_made(paid, timeout=150)
    (claim,) = order["payment"]["refunds"]
    assert (claim["id"], claim["amount"]["amount"], claim["status"]) == (refund_id, 6_000, "succeeded")
    # One refund at Stripe, tagged with the claim, however many attempts there were.
    assert stripe_money(paid.id) == (total - 6_000, [(6_000, {"shopRefundId": refund_id, "orderId": paid.id})])
    item = claim_item(dynamodb, paid.id, refund_id)
    assert int(item["attempt"]["N"]) == 2, "the first attempt died; the redelivery finished it"
    assert order["payment"]["refunded"]["amount"] == 6_000


def test_a_refund_stripe_refuses_stays_failed_is_reported_and_an_admin_retries_it(sellers, dynamodb, admin):
    paid = paid_order(*sellers)
    total = paid.order["total"]["amount"]
    real_intent = paid.get()["payment"]["paymentIntentId"]
    # The charge is gone at Stripe (the intent the claim copies no longer exists there).
    dynamodb.update_item(TableName=TABLE, Key=keys.key(keys.order_pk(paid.id), keys.ORDER_SK),
                         UpdateExpression="SET payment.paymentIntentId = :gone",
                         ExpressionAttributeValues={":gone": {"S": "pi_gone0000000000000000"}})
    refund_id = cancel_b(paid)
    order = wait_refunds_made(paid)
    (claim,) = order["payment"]["refunds"]
    assert (claim["id"], claim["status"]) == (refund_id, "failed"), claim
    # Kept claimed (nothing else may promise that money), nothing refunded, a person told.
    assert order["payment"]["refunded"]["amount"] == 0
    (letter,) = dead_letters(refund_id)
    assert letter == {"orderId": paid.id, "refundId": refund_id, "failureCode": "resource_missing"}
    item = claim_item(dynamodb, paid.id, refund_id)
    assert (item["failureCode"]["S"], item[keys.GSI1PK]["S"]) == ("resource_missing", keys.REFUNDS_FAILED_PK)
    assert stripe_money(paid.id)[1] == []

    # The runbook: the intent is put right, an admin retries; a customer may not.
    dynamodb.update_item(TableName=TABLE, Key=keys.key(keys.order_pk(paid.id), keys.ORDER_SK),
                         UpdateExpression="SET payment.paymentIntentId = :pi",
                         ExpressionAttributeValues={":pi": {"S": real_intent}})
    path = f"/admin/orders/{paid.id}/refunds/{refund_id}"
    retry = {"action": "retry", "note": "intent corrected"}
    assert_problem(paid.customer.api.post(path, json=retry), 403)
    r = admin.api.post(path, json=retry)
    assert r.status_code == 200 and r.json()["status"] == "pending", r.text
    assert_problem(admin.api.post(path, json=retry), 409)
    order = wait_refunds_made(paid)
    (claim,) = order["payment"]["refunds"]
    assert (claim["id"], claim["status"]) == (refund_id, "succeeded"), claim
    assert stripe_money(paid.id) == (total - 6_000, [(6_000, {"shopRefundId": refund_id, "orderId": paid.id})])
    item = claim_item(dynamodb, paid.id, refund_id)
    assert (int(item["round"]["N"]), keys.GSI1PK in item) == (2, False)
    assert order["history"][-2]["reason"] == f"refund {refund_id} retried: intent corrected"
