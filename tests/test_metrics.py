"""Business metrics in CloudWatch Embedded Metric Format, as the functions write them.

A known scenario runs through the local stack (an order paid and confirmed that takes its
variant's last unit, an order declined, a search that finds nothing, an import with a
rejected row); the test then reads the functions' CloudWatch logs and checks each EMF
document it caused, found by its properties (order id, SKU, import id, query): the
namespace, the dimension set, the unit and the value. Then the logs' own fields: a request's
lines carry the correlation id, the request id and the X-Ray trace id; a saga step's carry
the order id."""

import json
import re
import sys
import time
import uuid

import pytest

import cloudwatch
import import_files as files
import imports as imp
from checkout import DECLINED, VISA, new_product, payment_method, place, wait_order
from conftest import ROOT, Api, approved_seller, order_body, place_order, quoted, register

sys.path.insert(0, str(ROOT / "infra" / "monitoring"))
import generate  # noqa: E402

NAMESPACE = "Shop"


def emf_documents(function, start_ms):
    """The EMF documents among a function's log lines since `start_ms`."""
    docs = []
    for message in cloudwatch.function_messages(cloudwatch.function_names()[function], start_ms):
        try:
            line = json.loads(message)
        except ValueError:
            continue
        if isinstance(line, dict) and "_aws" in line:
            docs.append(line)
    return docs


def wait_document(function, start_ms, match, what, timeout=60):
    """The first EMF document of `function` for which `match(doc)` holds, waited for."""
    deadline = time.time() + timeout
    while True:
        found = [d for d in emf_documents(function, start_ms) if match(d)]
        if found:
            assert len(found) == 1, f"{what}: {len(found)} documents {found}"
            return found[0]
        assert time.time() < deadline, f"no EMF document of {function} for {what} after {timeout} s"
        time.sleep(1)


def metrics_of(doc):
    """{metric name: (unit, value)} and the dimension set of one EMF document, checked against
    the format: one namespace, one dimension set, every dimension and metric a top-level key."""
    directive = doc["_aws"]["CloudWatchMetrics"]
    assert len(directive) == 1 and directive[0]["Namespace"] == NAMESPACE, doc
    assert isinstance(doc["_aws"]["Timestamp"], int)
    [dimensions] = directive[0]["Dimensions"]
    assert all(isinstance(doc[d], str) for d in dimensions), doc
    return {m["Name"]: (m.get("Unit"), doc[m["Name"]]) for m in directive[0]["Metrics"]}, dimensions


@pytest.fixture(scope="module")
def scenario(dynamodb):
    seller = approved_seller()
    start_ms = time.time() * 1000 - 2000
    # An order for the one unit of a variant: placed, paid, confirmed; the variant sells out.
    buyer = register("customer")
    product = new_product(seller, stock=1, n_variants=1, price=3100)
    sku = product["variants"][0]["sku"]
    body = quoted(buyer, order_body([{"sku": sku, "quantity": 1}], payment_method=payment_method(VISA)["id"]))
    r = place_order(buyer, body)
    assert r.status_code == 201, r.text
    confirmed = r.json()
    deadline = time.time() + 90
    while (order := buyer.api.get(f"/orders/{confirmed['id']}").json())["status"] == "pending_payment":
        assert time.time() < deadline, order
        time.sleep(0.5)
    assert order["status"] == "confirmed", order
    # An order the card's bank declines.
    declined = place(seller, dynamodb, DECLINED)
    declined_order, _ = wait_order(declined)
    assert declined_order["status"] == "cancelled", declined_order
    # A search that finds nothing.
    query = f"zqxj{uuid.uuid4().hex[:8]} headphones"
    r = Api().get("/search", params={"q": query})
    assert r.status_code == 200 and r.json()["total"] == 0, r.text
    # An import of three rows, one of them refused (a negative price).
    rows = files.catalog(files.run_prefix("EMF"), 3, variants=(1,), inactive_every=0, fancy_every=0)
    rows[2]["price"] = -5
    data, _ = files.csv_file(rows)
    ticket, view = imp.run(seller, "csv", data)
    counts = imp.counts(view)
    assert (view["status"], counts["created"], counts["rejected"]) == ("done", 2, 1), view
    return {"start": start_ms, "confirmed": order, "sku": sku, "declined": declined_order,
            "query": query, "import": ticket["id"]}


def test_the_dashboard_charts_exactly_the_metrics_the_code_writes():
    written = set(re.findall(r'pub const \w+: &str = "(\w+)";', (ROOT / "shared/src/telemetry.rs").read_text()))
    charted = {metric for _, series, _ in generate.BUSINESS_WIDGETS for metric, _, _ in series}
    assert written == charted and len(written) == 11


def test_an_order_placed_and_confirmed(scenario):
    order = scenario["confirmed"]
    placed = wait_document("PlaceOrderFunction", scenario["start"], lambda d: d.get("orderId") == order["id"], "placed")
    assert metrics_of(placed) == ({"OrdersPlaced": ("Count", 1)}, [])
    assert placed["correlationId"] and placed["requestId"] and placed["xrayTraceId"].startswith("Root=1-")
    docs = [d for d in emf_documents("CheckoutSettleFunction", scenario["start"]) if d.get("orderId") == order["id"]]
    by_dimensions = {tuple(metrics_of(d)[1]): metrics_of(d)[0] for d in docs}
    assert set(by_dimensions) == {(), ("Currency",)}, docs
    plain, revenue = by_dimensions[()], by_dimensions[("Currency",)]
    assert plain["OrdersConfirmed"] == ("Count", 1)
    unit, [ms] = plain["TimeToConfirm"]
    assert unit == "Milliseconds" and 0 < ms < 90_000, plain
    assert revenue == {"Revenue": (None, order["total"]["amount"])}
    [with_currency] = [d for d in docs if "Currency" in d]
    assert with_currency["Currency"] == order["total"]["currency"] == "USD"
    paid = wait_document("PaymentWorkerFunction", scenario["start"], lambda d: d.get("orderId") == order["id"], "paid")
    # The test card succeeds at once (no 3-D Secure): Stripe's first answer is `succeeded`.
    assert metrics_of(paid) == ({"PaymentOutcome": ("Count", 1)}, ["Outcome"]) and paid["Outcome"] == "succeeded"


def test_the_last_unit_sold_is_a_stock_out(scenario):
    doc = wait_document("IndexProductsFunction", scenario["start"], lambda d: scenario["sku"] in d.get("soldOut", []),
                        "stock-out")
    assert metrics_of(doc) == ({"StockOuts": ("Count", len(doc["soldOut"]))}, [])


def test_a_declined_order(scenario):
    order_id = scenario["declined"]["id"]
    paid = wait_document("PaymentWorkerFunction", scenario["start"], lambda d: d.get("orderId") == order_id, "declined")
    assert metrics_of(paid) == ({"PaymentOutcome": ("Count", 1)}, ["Outcome"]) and paid["Outcome"] == "declined"
    cancelled = wait_document("CheckoutSettleFunction", scenario["start"], lambda d: d.get("orderId") == order_id,
                              "cancelled")
    assert metrics_of(cancelled) == ({"OrdersCancelled": ("Count", 1)}, ["Reason"])
    assert cancelled["Reason"] == "payment_declined"


def test_a_zero_result_search_keeps_its_query(scenario):
    doc = wait_document("SearchProductsFunction", scenario["start"], lambda d: d.get("query") == scenario["query"],
                        "zero-result search")
    metrics, dimensions = metrics_of(doc)
    assert dimensions == [] and set(metrics) == {"Searches", "SearchLatency", "ZeroResultSearches"}
    assert metrics["Searches"] == metrics["ZeroResultSearches"] == ("Count", 1)
    unit, [took] = metrics["SearchLatency"]
    assert unit == "Milliseconds" and took >= 0


def test_an_import_counts_its_rows_by_outcome(scenario):
    docs = []
    deadline = time.time() + 60
    while len(docs) < 2 and time.time() < deadline:
        docs = [d for d in emf_documents("ImportCatalogFunction", scenario["start"])
                if d.get("importId") == scenario["import"]]
        time.sleep(1)
    rows = {d["Outcome"]: metrics_of(d)[0]["ImportRows"] for d in docs}
    assert rows == {"created": ("Count", 2), "rejected": ("Count", 1)}, docs


def test_log_lines_carry_the_correlation_request_trace_and_order_ids(scenario):
    order_id = scenario["confirmed"]["id"]
    lines = [json.loads(m) for m in cloudwatch.function_messages(cloudwatch.function_names()["PlaceOrderFunction"],
                                                                 scenario["start"]) if m.startswith("{")]
    [placed] = [l for l in lines if l.get("fields", {}).get("message") == "order placed"
                and l["fields"].get("order_id") == order_id]
    spans = {k: v for s in placed["spans"] for k, v in s.items()}
    assert spans["correlation_id"] and spans["requestId"] and spans["xrayTraceId"].startswith("Root=1-"), placed
    settle = [json.loads(m) for m in cloudwatch.function_messages(
        cloudwatch.function_names()["CheckoutSettleFunction"], scenario["start"]) if m.startswith("{")]
    in_span = [l for l in settle if "spans" in l and any(s.get("order_id") == order_id for s in l["spans"])]
    assert in_span and all(any("xrayTraceId" in s for s in l["spans"]) for l in in_span), settle[-5:]
