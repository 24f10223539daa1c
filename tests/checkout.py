"""What tests/test_checkout.py uses to drive and read the checkout saga: localstripe (as
Stripe.js and Stripe's dashboard would see it), orders placed through the gateway, Step
Functions executions, the payment worker's log, and Stripe-style webhook signing.

localstripe facts used here: webhooks leave ~1 s after the API call that caused them and are
never retried; a 3-D Secure card (4000000000003220) stays requires_action until
POST /v1/payment_intents/<id>/_authenticate; every card's country is FR; the card fingerprint
is sha1(number)[:16]; Idempotency-Key is ignored (so "one PaymentIntent" is the shop's doing);
GET /v1/payment_intents lists every intent in one page when asked (no metadata filter).
LocalStack facts: TimeoutSeconds counts from the Pay state's TaskStateEntered; CloudWatch Logs'
filter_log_events honours startTime but not filterPattern.
"""

import hashlib
import hmac
import json
import os
import time
import uuid
from dataclasses import dataclass, field

import boto3
import requests

import keys
import mailbox
from conftest import (SHIPPING_ADDRESS, TABLE, order_body, place_order, product_body, quoted, register,
                      variant_stock)

API = os.environ["SHOP_API_URL"]
STRIPE = os.environ["STRIPE_API_BASE"]
STRIPE_KEY = os.environ["STRIPE_API_KEY"]
WEBHOOK_SECRET = os.environ["STRIPE_WEBHOOK_SECRET"]
WINDOW = int(os.environ["RESERVATION_WINDOW_SECONDS"])
STATE_MACHINE = os.environ["CHECKOUT_STATE_MACHINE_ARN"]
MOTO = os.environ["MOTO_ENDPOINT"]

VISA = "4242424242424242"        # succeeds
DECLINED = "4000000000000341"    # declined when charged (402)
THREE_DS = "4000000000003220"    # requires_action until authenticated
STOCK = 5
QUANTITIES = (2, 1)  # every order: 2 of the product's first variant, 1 of its second


@dataclass
class Aws:
    """The boto3 clients the checkout tests read LocalStack with."""
    dynamodb: object
    sfn: object
    sqs: object
    logs: object


def aws_clients():
    """The boto3 clients the checkout tests read LocalStack with."""
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    return Aws(dynamodb=boto3.client("dynamodb", endpoint_url=endpoint),
               sfn=boto3.client("stepfunctions", endpoint_url=endpoint),
               sqs=boto3.client("sqs", endpoint_url=endpoint),
               logs=boto3.client("logs", endpoint_url=endpoint))


# ---------------------------------------------------------------- localstripe

def stripe(method, path, **kw):
    """A call to localstripe with the shop's secret key."""
    return requests.request(method, STRIPE + path, headers={"authorization": f"Bearer {STRIPE_KEY}"}, timeout=30, **kw)


def payment_method(number):
    """A PaymentMethod made at Stripe from card details, as Stripe.js does in the browser."""
    r = stripe("POST", "/v1/payment_methods", data={"type": "card", "card[number]": number, "card[exp_month]": "12",
                                                    "card[exp_year]": "2030", "card[cvc]": "123"})
    assert r.status_code == 200, r.text
    pm = r.json()
    assert pm["card"]["fingerprint"] == fingerprint(number) and pm["card"]["country"] == "FR", pm
    return pm


def fingerprint(number):
    return hashlib.sha1(number.encode()).hexdigest()[:16]


def intent(pi_id):
    r = stripe("GET", f"/v1/payment_intents/{pi_id}")
    assert r.status_code == 200, r.text
    return r.json()


def intents_for(order_id):
    """Every PaymentIntent at localstripe whose metadata names the order (localstripe lists
    all of them in one page when asked; it has no metadata filter or search)."""
    r = stripe("GET", "/v1/payment_intents", params={"limit": 1_000_000})
    assert r.status_code == 200, r.text
    return [pi for pi in r.json()["data"] if pi.get("metadata", {}).get("orderId") == order_id]


def charges_for(pi_ids):
    r = stripe("GET", "/v1/charges", params={"limit": 1_000_000})
    assert r.status_code == 200, r.text
    return [c for c in r.json()["data"] if c.get("payment_intent") in pi_ids]


def refunds_for(pi):
    """The refunds of a PaymentIntent (localstripe answers 500 for one without a charge)."""
    if pi["latest_charge"] is None:
        return []
    r = stripe("GET", "/v1/refunds", params={"payment_intent": pi["id"], "limit": 100})
    assert r.status_code == 200, r.text
    return r.json()["data"]


def authenticate(pi_id):
    """The customer passes 3-D Secure (what Stripe.js does after the bank's challenge)."""
    secret = intent(pi_id)["client_secret"]
    r = stripe("POST", f"/v1/payment_intents/{pi_id}/_authenticate", data={"client_secret": secret, "success": "true"})
    assert r.status_code == 200, r.text
    return r.json()


# ---------------------------------------------------------------- the shop

@dataclass
class Placed:
    """An order placed by a test, and what it needs to check it."""
    user: object
    product: dict
    pm: dict
    body: dict
    key: str
    response: requests.Response
    placed_at: float
    facts: dict = field(default_factory=dict)

    @property
    def order(self):
        return self.response.json()

    @property
    def id(self):
        return self.order["id"]

    @property
    def skus(self):
        return [v["sku"] for v in self.product["variants"]]

    def stock(self, dynamodb):
        return {sku: variant_stock(dynamodb, self.product["id"], sku) for sku in self.skus}

    def reserved_stock(self):
        return {sku: (STOCK, q) for sku, q in zip(self.skus, QUANTITIES)}

    def sold_stock(self):
        return {sku: (STOCK - q, 0) for sku, q in zip(self.skus, QUANTITIES)}

    def released_stock(self):
        return {sku: (STOCK, 0) for sku in self.skus}

    def get(self):
        r = self.user.api.get(f"/orders/{self.id}")
        assert r.status_code == 200, r.text
        return r.json()


def new_product(seller, stock=STOCK, n_variants=2, price=2500):
    r = seller.api.post("/products", json=product_body(stock=stock, n_variants=n_variants, price=price))
    assert r.status_code == 201, r.text
    return r.json()


def place(seller, dynamodb, card, user=None, address=SHIPPING_ADDRESS, pm=None):
    """A fresh customer (unless given), product and PaymentMethod; the order placed."""
    user = user or register("customer")
    product = new_product(seller)
    pm = pm or payment_method(card)
    skus = [v["sku"] for v in product["variants"]]
    assert {sku: variant_stock(dynamodb, product["id"], sku) for sku in skus} == {sku: (STOCK, 0) for sku in skus}
    body = quoted(user, order_body([{"sku": sku, "quantity": q} for sku, q in zip(skus, QUANTITIES)],
                                    address=address, payment_method=pm["id"]))
    key = str(uuid.uuid4())
    t0 = time.time()
    r = place_order(user, body, key)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "pending_payment", r.text
    return Placed(user, product, pm, body, key, r, t0)


def wait_order(placed, until=lambda o: o["status"] != "pending_payment", timeout=WINDOW + 60, what="settled"):
    deadline = time.time() + timeout
    while True:
        order = placed.get()
        if until(order):
            return order, time.time()
        assert time.time() < deadline, f"order {placed.id} not {what} after {timeout} s: {json.dumps(order)}"
        time.sleep(0.25)


def wait_intent_recorded(placed, timeout=WINDOW):
    """The PaymentIntent id the payment worker recorded on the order."""
    order, at = wait_order(placed, lambda o: o["payment"]["paymentIntentId"] or o["status"] != "pending_payment",
                           timeout=timeout, what="given a PaymentIntent")
    pi_id = order["payment"]["paymentIntentId"]
    assert pi_id, f"the order moved on without a PaymentIntent: {json.dumps(order)}"
    return pi_id, at


def wait_intent_status(pi_id, status, timeout=10):
    deadline = time.time() + timeout
    while (pi := intent(pi_id))["status"] != status:
        assert time.time() < deadline, f"{pi_id} is {pi['status']}, not {status}"
        time.sleep(0.1)
    return pi


def order_item(dynamodb, order_id):
    return dynamodb.get_item(TableName=TABLE, Key=keys.key(keys.order_pk(order_id), keys.ORDER_SK),
                             ConsistentRead=True)["Item"]


def wait_mail(user, order_id, outcome, timeout=60):
    """The mails about the order, once the one saying `outcome` arrived."""
    suffix = f": order {order_id} {outcome}"
    deadline = time.time() + timeout
    while True:
        mails = [m for m in mailbox.mails_to(MOTO, user.email) if f"order {order_id}" in m["subject"]]
        if any(m["subject"].endswith(suffix) for m in mails):
            return mails
        assert time.time() < deadline, f"no '{outcome}' mail for order {order_id} within {timeout} s: {mails}"
        time.sleep(0.5)


def assert_one_mail(placed, outcome, *phrases):
    mails = wait_mail(placed.user, placed.id, outcome)
    assert len(mails) == 1, f"{len(mails)} mails about order {placed.id}: {[m['subject'] for m in mails]}"
    (mail,) = mails
    assert mail["subject"].endswith(f": order {placed.id} {outcome}"), mail["subject"]
    for phrase in phrases:
        assert phrase in mail["body"], f"{phrase!r} not in the mail:\n{mail['body']}"
    return mail


def amount(minor):
    return f"{minor // 100}.{minor % 100:02d} USD"


def payment(pi, status, captured=None, refunded=0, refunds=None, currency="USD"):
    """An order's `payment` as GET /orders/{id} shows it (`refunds` is a list there; `None`:
    the key is absent, as in lists and POST /orders' answer)."""
    view = {"paymentIntentId": pi, "status": status,
            "captured": None if captured is None else {"amount": captured, "currency": currency},
            "refunded": {"amount": refunded, "currency": currency}}
    if refunds is not None:
        view["refunds"] = list(refunds)
    return view


def wait_until(predicate, timeout, what):
    deadline = time.time() + timeout
    while not (result := predicate()):
        assert time.time() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.5)
    return result


def wait_refunds_made(placed, count=1, timeout=60):
    """The order (GET /orders/{id}) once it has `count` refunds and none is pending any more:
    the refund worker has made them at Stripe, or recorded Stripe's refusal."""
    def settled():
        order = placed.get()
        refunds = order["payment"]["refunds"]
        return order if len(refunds) >= count and all(r["status"] != "pending" for r in refunds) else None
    return wait_until(settled, timeout, f"{count} refund(s) of order {placed.id} made")


def assert_history(placed, order, *later):
    """history = the placement entry, then `later` as (status, by, reason) in order."""
    placed_entry, *rest = order["history"]
    assert (placed_entry["status"], placed_entry["by"]) == ("pending_payment", f"customer:{placed.user.user_id}")
    assert [(e["status"], e["by"], e["reason"]) for e in rest] == list(later), json.dumps(order["history"], indent=1)
    ats = [e["at"] for e in order["history"]]
    assert ats == sorted(ats), ats


# ---------------------------------------------------------------- Step Functions

def execution_arn(order_id):
    return STATE_MACHINE.replace(":stateMachine:", ":execution:") + ":" + order_id


def history(aws, order_id):
    events, kw = [], {}
    while True:
        page = aws.sfn.get_execution_history(executionArn=execution_arn(order_id), maxResults=1000, **kw)
        events += page["events"]
        if not page.get("nextToken"):
            return events
        kw["nextToken"] = page["nextToken"]


def wait_execution(aws, order_id, timeout=60):
    deadline = time.time() + timeout
    while True:
        try:
            ex = aws.sfn.describe_execution(executionArn=execution_arn(order_id))
            if ex["status"] != "RUNNING":
                return ex, history(aws, order_id)
        except aws.sfn.exceptions.ExecutionDoesNotExist:
            pass
        assert time.time() < deadline, f"execution {order_id} still running after {timeout} s"
        time.sleep(0.5)


def path(events):
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def pay_events(events):
    """The Pay task's events by type, with their epoch times (the first of each type)."""
    out, in_pay = {}, False
    for e in events:
        if "stateEnteredEventDetails" in e:
            in_pay = e["stateEnteredEventDetails"]["name"] == "Pay"
            if in_pay:
                out.setdefault("PayEntered", e["timestamp"].timestamp())
        elif in_pay and e["type"].startswith("Task"):
            out.setdefault(e["type"], e["timestamp"].timestamp())
    return out


def wait_pay_entered(aws, order_id, timeout=30):
    """When the execution entered the Pay state: LocalStack's TimeoutSeconds counts from there
    (TaskTimedOut comes 12.00-12.1 s after TaskStateEntered, while TaskScheduled can lag the
    entry by up to 2 s under load)."""
    deadline = time.time() + timeout
    while True:
        try:
            found = pay_events(history(aws, order_id))
            if "PayEntered" in found:
                return found["PayEntered"]
        except aws.sfn.exceptions.ExecutionDoesNotExist:
            pass
        assert time.time() < deadline, f"the Pay task of {order_id} not scheduled within {timeout} s"
        time.sleep(0.2)


def settle(placed, aws, timeout=WINDOW + 60):
    """Waits for the order to leave pending_payment and for its execution to end; the order
    is read again then, when the settling step has written everything (Cancel, for one, moves
    the status first and records the PaymentIntent's cancel or refund after)."""
    _, settled_at = wait_order(placed, timeout=timeout)
    ex, events = wait_execution(aws, placed.id)
    return placed.get(), settled_at, ex, events


def assert_execution(ex, events, expected_path):
    assert ex["status"] == "SUCCEEDED", ex
    assert path(events) == expected_path, path(events)
    assert json.loads(ex["input"]) == {"orderId": ex["name"]}


# ---------------------------------------------------------------- the payment worker's log

def worker_handled(aws, message_id, since, timeout=30):
    """The payment worker's "payment step done" log line for one SQS message (LocalStack's
    CloudWatch Logs: startTime is honoured, filterPattern is not, so the match is made here)."""
    # This stack's worker: log groups of earlier stacks outlive them in the same LocalStack.
    cfn = boto3.client("cloudformation", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    worker = cfn.describe_stack_resource(StackName=os.environ["SHOP_STACK"],
                                         LogicalResourceId="PaymentWorkerFunction")["StackResourceDetail"]
    group = f"/aws/lambda/{worker['PhysicalResourceId']}"
    deadline = time.time() + timeout
    while True:
        kw = {"logGroupName": group, "startTime": int((since - 5) * 1000)}
        while True:
            page = aws.logs.filter_log_events(**kw)
            for e in page["events"]:
                if message_id in e["message"] and "payment step done" in e["message"]:
                    return json.loads(e["message"])["fields"]
            if not page.get("nextToken") or page["nextToken"] == kw.get("nextToken"):
                break
            kw["nextToken"] = page["nextToken"]
        assert time.time() < deadline, f"the payment worker did not log message {message_id} within {timeout} s"
        time.sleep(1)


# ---------------------------------------------------------------- webhook signing

def sign(body: bytes, t: int, secret=WEBHOOK_SECRET):
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def post_webhook(body: bytes, signature=None):
    headers = {"content-type": "application/json; charset=utf-8"}
    if signature is not None:
        headers["stripe-signature"] = signature
    return requests.post(f"{API}/payments/webhook", data=body, headers=headers, timeout=60)


def event_body(event_type, obj):
    return json.dumps({"id": f"evt_{uuid.uuid4().hex[:14]}", "object": "event", "type": event_type,
                       "created": int(time.time()), "livemode": False, "data": {"object": obj}},
                      indent=2, sort_keys=True).encode()
