"""Integration tests against the running local shop (infra/local/up.sh).

Every request goes through the local gateway (JWT authorizer) into the deployed
Lambda functions in LocalStack; state is checked straight in DynamoDB Local.
"""

import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import partialmethod
from pathlib import Path

import boto3
import pytest
import requests

import accounts
import keys
import mailbox

ROOT = Path(__file__).resolve().parent.parent
ENV_FILE = ROOT / ".local" / "env"


def _load_env():
    if not ENV_FILE.exists():
        raise RuntimeError(f"{ENV_FILE} is missing: start the shop with infra/local/up.sh first")
    for line in ENV_FILE.read_text().splitlines():
        line = line.removeprefix("export ").strip()
        for pair in line.split():
            if "=" in pair:
                k, v = pair.split("=", 1)
                os.environ.setdefault(k, v)


_load_env()
API = os.environ["SHOP_API_URL"]
TABLE = os.environ["TABLE_NAME"]


# Every password the suite sends the shop and every token the shop hands out (not the forged
# ones tests send): test_log_secrets.py checks, after the suite, that none reached a log.
SECRETS = {"passwords": set(), "tokens": set()}
_PASSWORD_FIELDS = ("password", "newPassword", "currentPassword")
_TOKEN_FIELDS = ("idToken", "accessToken", "refreshToken")


def remember_secrets(sent=None, answer=None):
    if isinstance(sent, dict):
        SECRETS["passwords"].update(v for k, v in sent.items() if k in _PASSWORD_FIELDS and isinstance(v, str) and v)
    if answer is not None and "Token" in answer.text:
        try:
            body = answer.json()
        except ValueError:
            return
        if isinstance(body, dict):
            SECRETS["tokens"].update(v for k, v in body.items() if k in _TOKEN_FIELDS and isinstance(v, str) and v)


class Api:
    """A client of the shop's HTTP API, optionally signed in."""

    def __init__(self, token=None):
        self.session = requests.Session()
        if token:
            self.session.headers["authorization"] = f"Bearer {token}"

    def request(self, method, path, **kw):
        kw.setdefault("timeout", 60)
        answer = self.session.request(method, API + path, **kw)
        remember_secrets(kw.get("json"), answer)
        return answer

    get = partialmethod(request, "GET")
    post = partialmethod(request, "POST")
    put = partialmethod(request, "PUT")
    patch = partialmethod(request, "PATCH")
    delete = partialmethod(request, "DELETE")


@pytest.fixture(scope="session")
def anon():
    return Api()


@pytest.fixture(scope="session")
def dynamodb():
    return boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"])


@pytest.fixture(scope="session")
def cognito():
    return boto3.client("cognito-idp", endpoint_url=os.environ["MOTO_ENDPOINT"])


class User:
    def __init__(self, email, password, user_id, token):
        self.email, self.password, self.user_id, self.token = email, password, user_id, token
        self.api = Api(token)


def register(role="customer", groups_after=None, cognito=None):
    """A verified, signed-in user: registered through the API, its code read from the
    mail the mailer sent to moto and sent back to /auth/verify."""
    email = f"{role}-{uuid.uuid4().hex[:10]}@example.com"
    password = "Test-Passw0rd"
    SECRETS["passwords"].add(password)
    r = mailbox.register_verified(API, os.environ["MOTO_ENDPOINT"], email, password, f"Test {role}", role)
    assert r.status_code == 201, r.text
    user_id = r.json()["userId"]
    for group in groups_after or []:
        # The operator's step: only the identity provider's admin API grants admin.
        cognito.admin_add_user_to_group(UserPoolId=os.environ["USER_POOL_ID"], Username=email, GroupName=group)
    r = Api().post("/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return User(email, password, user_id, r.json()["idToken"])


@pytest.fixture(scope="session")
def customer():
    return register("customer")


@pytest.fixture(scope="session")
def other_customer():
    return register("customer")


def local_admin():
    """The local stack's administrator (infra/local/up.sh made it)."""
    a = accounts.LOCAL_ADMIN
    return User(a["email"], a["password"], None, accounts.sign_in(API, a["email"], a["password"]))


def approved_seller():
    """A verified seller whose application the local administrator approved; its public
    seller id is `seller_id`."""
    user = register("seller")
    user.seller_id = accounts.approve(API, local_admin().token, user.token)
    return user


@pytest.fixture(scope="session")
def seller():
    return approved_seller()


@pytest.fixture(scope="session")
def other_seller():
    return approved_seller()


@pytest.fixture(scope="session")
def admin():
    return local_admin()


def product_body(category="shoes", stock=5, n_variants=2, price=4999):
    tag = uuid.uuid4().hex[:8].upper()
    return {
        "name": f"Test Trail Shoe {tag}",
        "description": "Grippy.",
        "brand": "Acme",
        "categoryId": category,
        "variants": [
            {"sku": f"T-{tag}-{i}", "attributes": {"size": str(40 + i)}, "price": price + 100 * i,
             "currency": "USD", "onHand": stock}
            for i in range(n_variants)
        ],
    }


@pytest.fixture()
def product(seller):
    """A fresh product of `seller`: (id, body)."""
    body = product_body()
    r = seller.api.post("/products", json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"], body


def partition(dynamodb, pk):
    """Every item under one partition key, sorted: the state a failed request must not change."""
    items = dynamodb.query(TableName=TABLE, KeyConditionExpression="PK = :pk",
                           ExpressionAttributeValues={":pk": {"S": pk}}, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda i: i["SK"]["S"])


def user_items(dynamodb, user, sk_prefix):
    """A user's items of one kind (keys.CART_PREFIX, keys.WISHLIST_PREFIX), sorted."""
    return [i for i in partition(dynamodb, keys.user_pk(user.user_id)) if i["SK"]["S"].startswith(sk_prefix)]


def assert_problem(response, status):
    assert response.status_code == status, f"{response.status_code} {response.text}"
    if status != 401:  # 401s come from the authorizer, as in API Gateway
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == status and body["title"] and body["correlationId"]
    return response.json()


@pytest.fixture()
def fresh_customer():
    """A customer of this test alone: no cart, no orders, no idempotency keys yet."""
    return register("customer")


def register_many(n, role="customer", workers=16, timeout=300):
    """`n` verified, signed-in users, registered in parallel the way register() does one:
    register, read each code from the mail moto received, verify, sign in. One thread polls
    moto for every pending code (each poll returns all of moto's state, which grows with
    every account, so one poller instead of one per user)."""
    password = "Test-Passw0rd"
    emails = [f"{role}-{uuid.uuid4().hex[:12]}@example.com" for _ in range(n)]
    moto = os.environ["MOTO_ENDPOINT"]

    def call(path, body, expected):
        r = requests.post(f"{API}{path}", json=body, timeout=60)
        assert r.status_code == expected, f"{path}: {r.status_code} {r.text}"
        return r.json()

    with ThreadPoolExecutor(workers) as pool:
        user_ids = list(pool.map(lambda e: call("/auth/register", {"email": e, "password": password,
                                                                    "name": f"Test {role}", "role": role}, 201)["userId"],
                                 emails))
        codes, pending, deadline = {}, set(emails), time.time() + timeout
        while pending:
            for mail in mailbox.sent(moto):
                for to in set(mail.get("destinations", {}).get("ToAddresses", [])) & pending:
                    match = mailbox.CODE.search(mail["body"])
                    assert match, mail["body"]
                    codes[to] = match.group(1)
                    pending.discard(to)
            if pending:
                assert time.time() < deadline, f"{len(pending)} of {n} verification mails missing after {timeout} s"
                time.sleep(0.5)
        list(pool.map(lambda e: call("/auth/verify", {"email": e, "code": codes[e]}, 200), emails))
        tokens = list(pool.map(lambda e: call("/auth/login", {"email": e, "password": password}, 200)["idToken"], emails))
    return [User(e, password, uid, token) for e, uid, token in zip(emails, user_ids, tokens)]


def variant_stock(dynamodb, product_id, sku):
    """(onHand, reserved) of one variant, read consistently."""
    item = dynamodb.get_item(TableName=TABLE, Key=keys.key(keys.product_pk(product_id), keys.variant_sk(sku)),
                             ConsistentRead=True)["Item"]
    return int(item["onHand"]["N"]), int(item.get("reserved", {"N": "0"})["N"])


def customer_orders(dynamodb, user):
    """The customer's order items as GSI1 lists them (CUSTOMER#<sub>, ORDER#...), oldest first."""
    items, kwargs = [], {}
    while True:
        page = dynamodb.query(TableName=TABLE, IndexName=keys.GSI1,
                              KeyConditionExpression="GSI1PK = :pk AND begins_with(GSI1SK, :order)",
                              ExpressionAttributeValues={":pk": {"S": keys.customer_orders_pk(user.user_id)},
                                                         ":order": {"S": keys.ORDER_PREFIX}}, **kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def idempotency_items(dynamodb, user):
    return user_items(dynamodb, user, keys.IDEMPOTENCY_PREFIX)


def assert_stock_while_pending(dynamodb, product_id, expected, orders):
    """Asserts variant stock (`expected`: sku -> (onHand, reserved)) as placement left it.

    Each order starts the checkout saga, which may confirm it (onHand and reserved drop) or
    cancel it (reserved drops). The stock is read first, then every order in `orders`
    ((owner, order id) pairs) must still be pending_payment: so the read saw placement alone,
    and a failure says whether the saga had moved on."""
    actual = {sku: variant_stock(dynamodb, product_id, sku) for sku in expected}
    statuses = {oid: owner.api.get(f"/orders/{oid}").json()["status"] for owner, oid in orders}
    moved = {oid: s for oid, s in statuses.items() if s != "pending_payment"}
    assert not moved, f"the checkout saga moved orders on before the stock was read: {moved}"
    assert actual == expected, "(onHand, reserved) per SKU"


# French: localstripe's cards are all issued in FR, and the fraud check adds 20 points when the
# shipping country differs from the card's. With a GB address every order of a new account
# would score 15 + 20, and 75 (fraud_review) as soon as its card was used for 5 orders in the
# hour, which pm_card_visa is during a suite run.
SHIPPING_ADDRESS = {"name": "Ada Lovelace", "line1": "1 Rue de Rivoli", "line2": None, "city": "Paris",
                    "region": None, "postalCode": "75001", "country": "FR"}
_pending_payment_method = None


def pending_payment_method():
    """A Stripe PaymentMethod for card 4000 0000 0000 3220, made at the local Stripe engine as
    Stripe.js would (the shop never sees card numbers). Its payments wait for 3-D Secure, so an
    order paid with it stays pending_payment for the whole reservation window: placement tests
    read its reservation before the checkout saga can move it. (test_checkout.py pays with cards
    that succeed, fail or race the window.)"""
    global _pending_payment_method
    if _pending_payment_method is None:
        r = requests.post(f"{os.environ['STRIPE_API_BASE']}/v1/payment_methods",
                          headers={"Authorization": f"Bearer {os.environ['STRIPE_API_KEY']}"},
                          data={"type": "card", "card[number]": "4000000000003220", "card[exp_month]": "12",
                                "card[exp_year]": "2030", "card[cvc]": "123"}, timeout=10)
        r.raise_for_status()
        _pending_payment_method = r.json()["id"]
    return _pending_payment_method


def order_body(lines=None, address=SHIPPING_ADDRESS, payment_method=None, expected_total=None):
    """A POST /orders body; without `lines` the order takes the caller's cart. Without
    `expected_total`, place_order adds the total a quote shows when it sends the body."""
    body = {"shippingAddress": address, "paymentMethodId": payment_method or pending_payment_method()}
    if lines is not None:
        body["lines"] = lines
    if expected_total is not None:
        body["expectedTotal"] = expected_total
    return body


# The expectedTotal sent when the quote itself refused the body (a SKU not on sale, a bad
# address): placement must refuse such a body for that same reason before comparing totals.
NOT_QUOTED = {"amount": 0, "currency": "USD"}


def quote(user, body):
    """POST /orders/quote as `user` for an order body's lines (or cart) and address."""
    return user.api.post("/orders/quote", json={k: v for k, v in body.items()
                                                if k not in ("paymentMethodId", "expectedTotal")})


def quoted(user, body):
    """The order body as a customer's app sends it after showing the quote: with the quote's
    total as expectedTotal (or NOT_QUOTED when the quote refused the body)."""
    if "expectedTotal" in body or not isinstance(body.get("shippingAddress", {}), dict):
        return body
    r = quote(user, body)
    return {**body, "expectedTotal": r.json()["total"] if r.status_code == 200 else NOT_QUOTED}


def place_order(user, body=None, key=None):
    """POST /orders as `user` with the given Idempotency-Key, a fresh one when None, or none
    at all when False. A body without expectedTotal is quoted first (see quoted)."""
    headers = {} if key is False else {"Idempotency-Key": key or str(uuid.uuid4())}
    return user.api.post("/orders", json=quoted(user, order_body() if body is None else body), headers=headers)


def _module(item):
    return item.nodeid.split("::")[0].rsplit("/", 1)[-1]


def pytest_collection_modifyitems(items):
    """test_iam.py and test_log_secrets.py read what every function logged during the suite:
    they run last, after
    test_reconciliation.py, which checks every order's money and every variant's stock. Before
    them, the test_imports* modules: their thousands of imported products keep the search indexer busy for a
    few minutes afterwards, which must not delay the search modules' own documents."""
    def rank(item):
        module = _module(item)
        if module in ("test_iam.py", "test_log_secrets.py"):
            return 3
        if module == "test_reconciliation.py":  # over every order the suite made
            return 2
        return 1 if module.startswith("test_imports") else 0

    items.sort(key=rank)
