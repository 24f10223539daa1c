"""Integration tests against the running local shop (infra/local/up.sh).

Every request goes through the local gateway (JWT authorizer) into the deployed
Lambda functions in LocalStack; state is checked straight in DynamoDB Local.
"""

import os
import uuid
from functools import partialmethod
from pathlib import Path

import boto3
import pytest
import requests

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


class Api:
    """A client of the shop's HTTP API, optionally signed in."""

    def __init__(self, token=None):
        self.session = requests.Session()
        if token:
            self.session.headers["authorization"] = f"Bearer {token}"

    def request(self, method, path, **kw):
        return self.session.request(method, API + path, timeout=60, **kw)

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


@pytest.fixture(scope="session")
def seller():
    return register("seller")


@pytest.fixture(scope="session")
def other_seller():
    return register("seller")


@pytest.fixture(scope="session")
def admin(cognito):
    return register("customer", groups_after=["admin"], cognito=cognito)


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


def pytest_collection_modifyitems(items):
    """test_iam.py reads what every function did during the suite: it runs last."""
    items.sort(key=lambda item: item.nodeid.startswith("test_iam.py") or "/test_iam.py" in item.nodeid)
