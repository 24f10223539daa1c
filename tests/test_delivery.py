"""Where the carrier delivers, and when: the coverage the operator uploads to the carrier bucket
(infra/local/carrier/coverage.csv, loaded by up.sh) decides which addresses an order may ship to,
and `GET /delivery/estimate` answers whether a postcode is served and when an order placed now
would arrive. An unserved postcode is refused at POST /orders (and its quote) before anything is
reserved or written. The estimate's date arithmetic is unit-tested (domain/fulfilment/schedule.rs);
here, what the routes answer."""

import csv
import io
import os
import time
import uuid
from datetime import date, datetime

import boto3
import pytest

import keys
from checkout import new_product
from conftest import (ROOT, SHIPPING_ADDRESS, TABLE, Api, approved_seller, assert_problem, customer_orders,
                      order_body, place_order, quote, register, variant_stock)

OVERSEAS = {**SHIPPING_ADDRESS, "city": "Fort-de-France", "postalCode": "97200"}
SAMPLE = ROOT / "infra/local/carrier/coverage.csv"


@pytest.fixture(scope="module")
def seller():
    return approved_seller()


def test_an_unserved_postcode_is_refused_and_nothing_is_reserved(seller, dynamodb):
    customer = register("customer")
    product = new_product(seller)
    sku = product["variants"][0]["sku"]
    before = variant_stock(dynamodb, product["id"], sku)
    body = order_body([{"sku": sku, "quantity": 2}], address=OVERSEAS, payment_method="pm_card_visa")
    problem = assert_problem(quote(customer, body), 422)
    assert [e["field"] for e in problem["errors"]] == ["shippingAddress.postalCode"], problem
    key = str(uuid.uuid4())
    problem = assert_problem(place_order(customer, {**body, "expectedTotal": {"amount": 5000, "currency": "USD"}},
                                         key), 422)
    assert [e["field"] for e in problem["errors"]] == ["shippingAddress.postalCode"], problem
    assert "does not deliver" in problem["errors"][0]["message"]
    assert variant_stock(dynamodb, product["id"], sku) == before, "stock was reserved"
    assert customer_orders(dynamodb, customer) == []
    record = dynamodb.get_item(TableName=TABLE, ConsistentRead=True, Key=keys.key(
        keys.user_pk(customer.user_id), keys.idempotency_sk(keys.idempotency_key_hash(key))))
    assert "Item" not in record, "the refusal was recorded as the key's answer"
    # The same customer and product to a served address: placed, with its estimate.
    served = quote(customer, order_body([{"sku": sku, "quantity": 2}]))
    assert served.status_code == 200, served.text
    placed = place_order(customer, order_body([{"sku": sku, "quantity": 2}], payment_method="pm_card_visa"))
    assert placed.status_code == 201, placed.text
    assert placed.json()["estimatedDelivery"] == served.json()["estimatedDelivery"]
    assert date.fromisoformat(placed.json()["estimatedDelivery"]) > date.today()


def estimate(**params):
    return Api().get("/delivery/estimate", params=params)


def test_the_estimate_route_answers_anyone(seller):
    r = estimate(country="FR", postalCode="75001")
    assert r.status_code == 200, r.text
    answer = r.json()
    assert set(answer) == {"serviceable", "transitDays", "nextCollection", "estimatedDelivery"}
    assert (answer["serviceable"], answer["transitDays"]) == (True, 2)
    collection = datetime.fromisoformat(answer["nextCollection"].replace("Z", "+00:00"))
    assert collection.weekday() in (1, 4) and (collection.hour, collection.minute) == (6, 0), "a Tue/Fri 06:00 slot"
    assert date.fromisoformat(answer["estimatedDelivery"]) > collection.date()
    assert estimate(country="gb", postalCode="bt1 5gs").json() == {
        "serviceable": False, "transitDays": None, "nextCollection": None, "estimatedDelivery": None}
    assert estimate(country="DE", postalCode="10115").json()["transitDays"] == 3

    # A seller who packs in 10 working days: its product's estimate is later.
    slow = approved_seller()
    r = slow.api.patch("/seller/profile", json={"handlingDays": 10})
    assert r.status_code == 200 and r.json()["handlingDays"] == 10, r.text
    sku = new_product(slow)["variants"][0]["sku"]
    with_sku = estimate(country="FR", postalCode="75001", sku=sku).json()
    assert with_sku["estimatedDelivery"] > answer["estimatedDelivery"], (with_sku, answer)

    assert_problem(estimate(country="FR", postalCode="75001", sku=f"NOPE-{uuid.uuid4().hex[:8]}"), 404)
    assert_problem(estimate(country="FR"), 400)
    assert_problem(estimate(country="FR", postalCode="75001", zip="1"), 400)
    problem = assert_problem(estimate(country="France", postalCode="75<01"), 422)
    assert sorted(e["field"] for e in problem["errors"]) == ["country", "postalCode"]
    assert_problem(slow.api.patch("/seller/profile", json={"handlingDays": 11}), 422)


def upload_coverage(dynamodb, content):
    """The operator uploads a coverage file; waits until the shop made it current."""
    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    etag = s3.put_object(Bucket=os.environ["CARRIER_BUCKET"], Key="carrier/coverage.csv", Body=content,
                         ContentType="text/csv")["ETag"].strip('"')
    deadline = time.monotonic() + 60
    while True:
        pointer = dynamodb.get_item(TableName=TABLE, ConsistentRead=True,
                                    Key=keys.key(keys.CARRIER_PK, keys.COVERAGE_SK)).get("Item", {})
        if pointer.get("version", {}).get("S") == etag:
            return etag
        assert time.monotonic() < deadline, f"coverage {etag} not current after 60 s: {pointer}"
        time.sleep(0.3)


def test_a_new_coverage_file_takes_over_and_a_bad_one_changes_nothing(dynamodb):
    sample = SAMPLE.read_bytes()
    rows = list(csv.reader(io.StringIO(sample.decode())))
    assert rows[0] == ["country", "postalPrefix", "transitDays"]
    try:
        # Paris (75…) excluded, the rest as before.
        v2 = sample + b"FR,75,none\n"
        upload_coverage(dynamodb, v2)
        assert estimate(country="FR", postalCode="75001").json()["serviceable"] is False
        assert estimate(country="FR", postalCode="69001").json()["serviceable"] is True
        # A file with a bad row: refused whole, v2 stays current, the report names the row.
        s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
        bad = s3.put_object(Bucket=os.environ["CARRIER_BUCKET"], Key="carrier/coverage.csv",
                            Body=b"country,postalPrefix,transitDays\nFR,,2\nFR,20,forty\n")["ETag"].strip('"')
        deadline = time.monotonic() + 60
        while True:
            summary = s3.get_object(Bucket=os.environ["CARRIER_BUCKET"],
                                    Key="carrier/reports/coverage.csv.summary.json")["Body"].read()
            if bad.encode() in summary:
                break
            assert time.monotonic() < deadline, summary
            time.sleep(0.3)
        assert b'"outcome":"refused"' in summary, summary
        errors = s3.get_object(Bucket=os.environ["CARRIER_BUCKET"],
                               Key="carrier/reports/coverage.csv.errors.csv")["Body"].read().decode()
        assert errors.splitlines()[1].startswith("3,transitDays,"), errors
        assert estimate(country="FR", postalCode="75001").json()["serviceable"] is False, "the bad file changed it"
    finally:
        # The sample again (a later upload of it): current again, for the rest of the suite.
        upload_coverage(dynamodb, sample)
    assert estimate(country="FR", postalCode="75001").json()["serviceable"] is True
