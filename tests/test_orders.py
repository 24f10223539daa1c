"""Quoting orders (POST /orders/quote), placing them (POST /orders) at the quoted total and
reading them back (GET /orders, GET /orders/{id}).

Only placement is looked at here. Every order starts the checkout saga (fraud check,
payment, confirm or cancel); stock is checked with assert_stock_while_pending, which
also checks that the saga had not yet confirmed or released the order when it was read.
Each test has its own customer and its own products, so the tests run in any order.
"""

import uuid
from datetime import datetime, timedelta, timezone

import pytest

import keys
from conftest import (pending_payment_method, SHIPPING_ADDRESS, assert_problem, assert_stock_while_pending,
                      customer_orders, idempotency_items, order_body, partition, place_order, product_body, quote,
                      quoted, register, user_items, variant_stock)

PROBLEMS = "https://shop.example/problems/"
MAX_ORDER_LINES = 25
ORDER_FIELDS = {"id", "customerId", "status", "cancelReason", "createdAt", "currency", "lines", "subtotal",
                "shipping", "tax", "total", "shippingAddress", "paymentMethodId", "payment", "history"}
# What the checkout saga may change after placement (its confirmation creates the shipments
# GET /orders/{id} shows: test_fulfilment_shipments.py checks them); the rest never changes.
SAGA_FIELDS = {"status", "cancelReason", "payment", "history", "shipments"}


def new_product(seller, stock=5, price=2500, n_variants=2):
    r = seller.api.post("/products", json=product_body(stock=stock, price=price, n_variants=n_variants))
    assert r.status_code == 201, r.text
    return r.json()


def prices(product):
    """sku -> unit price (minor units) of a fresh product (no sale prices)."""
    return {v["sku"]: v["price"]["amount"] for v in product["variants"]}


def money(amount):
    return {"amount": amount, "currency": "USD"}


def add_to_cart(user, sku, quantity):
    r = user.api.post("/cart/items", json={"sku": sku, "quantity": quantity})
    assert r.status_code == 200, r.text


def cart_items(dynamodb, user):
    return user_items(dynamodb, user, keys.CART_PREFIX)


def set_on_hand(seller, product, sku, on_hand):
    r = seller.api.put(f"/products/{product['id']}/variants/{sku}",
                       json={"price": prices(product)[sku], "currency": "USD", "onHand": on_hand})
    assert r.status_code == 200, r.text


def deactivate(seller, product):
    """The seller takes the product off sale (as test_catalog's update does)."""
    r = seller.api.put(f"/products/{product['id']}", json={
        "name": product["name"], "description": "", "brand": "Acme", "categoryId": "shoes", "status": "inactive"})
    assert r.status_code == 200, r.text


def snapshot(dynamodb, user, products):
    """What a refused order must leave as it was."""
    return {
        "orders": customer_orders(dynamodb, user),
        "idempotency": idempotency_items(dynamodb, user),
        "cart": cart_items(dynamodb, user),
        "stock": {v["sku"]: variant_stock(dynamodb, p["id"], v["sku"]) for p in products for v in p["variants"]},
    }


def assert_nothing_written(dynamodb, user, products, before):
    after = snapshot(dynamodb, user, products)
    assert after["orders"] == [], "an order was written"
    assert after["idempotency"] == [], "the idempotency key was recorded"
    assert after == before


def field_errors(problem):
    return [e["field"] for e in problem.get("errors", [])]


def assert_invalid(r, field):
    problem = assert_problem(r, 422)
    assert problem["type"] == PROBLEMS + "validation-failed"
    assert field in field_errors(problem), problem
    return problem


def assert_malformed(r, names=None):
    """A 400 malformed-request; its detail names `names` when given (the missing field)."""
    problem = assert_problem(r, 400)
    assert problem["type"] == PROBLEMS + "malformed-request"
    assert names is None or names in problem["detail"], problem
    return problem


def assert_total_changed(r, sent_amount):
    """409 total-changed, naming the total the order comes to now (not the one sent)."""
    problem = assert_problem(r, 409)
    assert problem["type"] == PROBLEMS + "total-changed", problem
    assert problem["total"]["currency"] == "USD" and problem["total"]["amount"] != sent_amount, problem
    return problem


def assert_short(r, shortages):
    problem = assert_problem(r, 409)
    assert problem["type"] == PROBLEMS + "insufficient-stock"
    named = sorted(({k: s[k] for k in ("sku", "requested", "available")} for s in problem["shortages"]),
                   key=lambda s: s["sku"])
    assert named == sorted(shortages, key=lambda s: s["sku"]), problem
    return problem


def is_money(m):
    return set(m) == {"amount", "currency"} and type(m["amount"]) is int and m["currency"] == "USD"


def rfc3339(text):
    at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert at.tzinfo is not None, text
    return at


def stable(order):
    return {k: v for k, v in order.items() if k not in SAGA_FIELDS}


def test_an_order_from_the_cart_reserves_stock_and_clears_those_cart_lines(
        seller, fresh_customer, other_customer, admin, dynamodb):
    user = fresh_customer
    p = new_product(seller, stock=5, price=2500)
    price = prices(p)
    a, b = sorted(price)
    assert (price[a], price[b]) == (2500, 2600)
    add_to_cart(user, a, 2)
    add_to_cart(user, b, 1)
    key = str(uuid.uuid4())

    r = place_order(user, order_body(), key)

    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith("application/json")
    order = r.json()
    assert r.headers["location"] == f"/orders/{order['id']}"
    assert ORDER_FIELDS <= set(order), ORDER_FIELDS - set(order)
    assert uuid.UUID(order["id"]).version == 7
    assert order["customerId"] == user.user_id
    assert (order["status"], order["cancelReason"], order["currency"]) == ("pending_payment", None, "USD")
    created = rfc3339(order["createdAt"])
    assert abs(datetime.now(timezone.utc) - created) < timedelta(minutes=5)
    assert order["shippingAddress"] == SHIPPING_ADDRESS
    assert order["paymentMethodId"] == pending_payment_method()
    assert order["payment"] == {"paymentIntentId": None, "status": "none", "captured": None,
                                "refunded": {"amount": 0, "currency": "USD"}}
    (placed,) = order["history"]
    assert (placed["status"], placed["by"]) == ("pending_payment", f"customer:{user.user_id}")
    assert placed["reason"] is None or isinstance(placed["reason"], str)
    rfc3339(placed["at"])

    # Lines are frozen copies: the product, its seller's public id and the price paid.
    lines = {l["sku"]: l for l in order["lines"]}
    assert len(order["lines"]) == 2 and set(lines) == {a, b}
    for sku, quantity in ((a, 2), (b, 1)):
        line = lines[sku]
        assert line["quantity"] == quantity
        assert (line["productId"], line["productName"]) == (p["id"], p["name"])
        assert line["sellerId"] == p["sellerId"] and line["sellerId"] != seller.user_id
        assert line["unitPrice"] == money(price[sku])
        assert line["lineTotal"] == money(price[sku] * quantity)
    assert order["subtotal"] == money(2 * 2500 + 2600)
    for part in ("subtotal", "shipping", "tax", "total"):
        assert is_money(order[part]) and order[part]["amount"] >= 0, order[part]
    assert order["total"]["amount"] == sum(order[part]["amount"] for part in ("subtotal", "shipping", "tax"))
    assert seller.user_id not in r.text, "the seller's account id leaked"

    # The table: the order and its lines, indexed for the customer and the seller.
    items = partition(dynamodb, keys.order_pk(order["id"]))
    assert [i["SK"]["S"] for i in items] == sorted([keys.ORDER_SK, keys.order_line_sk(a), keys.order_line_sk(b)])
    head = next(i for i in items if i["SK"]["S"] == keys.ORDER_SK)
    assert head[keys.ENTITY] == {"S": "order"}
    assert head[keys.GSI1PK] == {"S": keys.customer_orders_pk(user.user_id)}
    assert head[keys.GSI1SK] == {"S": keys.customer_orders_sk(order["createdAt"], order["id"])}
    for item in items:
        if item is head:
            continue
        sku = item["SK"]["S"].removeprefix(keys.ORDER_LINE_PREFIX)
        assert item[keys.ENTITY] == {"S": "orderLine"}
        assert item[keys.GSI2PK] == {"S": keys.seller_products_pk(seller.user_id)}
        assert item[keys.GSI2SK] == {"S": keys.seller_order_line_sk(order["createdAt"], order["id"], sku)}
    assert [i["PK"]["S"] for i in customer_orders(dynamodb, user)] == [keys.order_pk(order["id"])]
    (idem,) = idempotency_items(dynamodb, user)
    assert idem["SK"]["S"] == keys.idempotency_sk(keys.idempotency_key_hash(key))
    assert idem[keys.ENTITY] == {"S": "idempotencyKey"} and idem["orderId"] == {"S": order["id"]}
    assert key not in str(idem), "the Idempotency-Key itself was stored"
    expires = datetime.fromtimestamp(int(idem["expiresAt"]["N"]), timezone.utc)
    assert abs(expires - (created + timedelta(hours=24))) < timedelta(minutes=5)
    assert_stock_while_pending(dynamodb, p["id"], {a: (5, 2), b: (5, 1)}, [(user, order["id"])])
    assert cart_items(dynamodb, user) == [], "the ordered lines are still in the cart"

    # Reading it back: the owner and admins see it, nobody else learns it exists.
    got = user.api.get(f"/orders/{order['id']}")
    assert got.status_code == 200, got.text
    assert stable(got.json()) == stable(order)
    assert got.json()["history"][0] == placed
    assert_problem(other_customer.api.get(f"/orders/{order['id']}"), 404)
    assert_problem(user.api.get("/orders/01900000-0000-7000-8000-000000000000"), 404)
    by_admin = admin.api.get(f"/orders/{order['id']}")
    assert by_admin.status_code == 200, by_admin.text
    assert stable(by_admin.json()) == stable(order)

    # A later price change leaves the order's prices alone.
    r = seller.api.put(f"/products/{p['id']}/variants/{a}", json={"price": 9900, "currency": "USD", "onHand": 5})
    assert r.status_code == 200, r.text
    assert stable(user.api.get(f"/orders/{order['id']}").json()) == stable(order)


def test_explicit_lines_order_without_touching_the_cart(seller, fresh_customer, dynamodb):
    user = fresh_customer
    p = new_product(seller, stock=5)
    a, b = sorted(prices(p))
    add_to_cart(user, a, 1)
    add_to_cart(user, b, 1)
    cart = cart_items(dynamodb, user)
    address = {**SHIPPING_ADDRESS, "line2": "Batiment B", "region": "Ile-de-France", "country": "fr"}

    r = place_order(user, order_body([{"sku": a, "quantity": 3}], address=address))

    assert r.status_code == 201, r.text
    order = r.json()
    assert [(l["sku"], l["quantity"], l["unitPrice"]) for l in order["lines"]] == [(a, 3, money(prices(p)[a]))]
    assert order["subtotal"] == money(3 * prices(p)[a])
    assert order["total"]["amount"] == order["subtotal"]["amount"] + order["shipping"]["amount"] + order["tax"]["amount"]
    assert order["shippingAddress"] == {**address, "country": "FR"}
    assert cart_items(dynamodb, user) == cart, "an order with explicit lines changed the cart"
    assert_stock_while_pending(dynamodb, p["id"], {a: (5, 3), b: (5, 0)}, [(user, order["id"])])
    assert [i["PK"]["S"] for i in customer_orders(dynamodb, user)] == [keys.order_pk(order["id"])]


def test_orders_list_newest_first_and_page_with_a_cursor(seller, fresh_customer, other_customer):
    user = fresh_customer
    p = new_product(seller, stock=5)
    a, b = sorted(prices(p))
    first = place_order(user, order_body([{"sku": a, "quantity": 1}]))
    assert first.status_code == 201, first.text
    second = place_order(user, order_body([{"sku": b, "quantity": 2}]))
    assert second.status_code == 201, second.text
    first, second = first.json(), second.json()

    r = user.api.get("/orders")
    assert r.status_code == 200, r.text
    page = r.json()
    assert [o["id"] for o in page["items"]] == [second["id"], first["id"]]
    assert page["nextCursor"] is None
    assert [stable(o) for o in page["items"]] == [stable(second), stable(first)]

    r = user.api.get("/orders", params={"limit": 1})
    assert r.status_code == 200, r.text
    page = r.json()
    assert [o["id"] for o in page["items"]] == [second["id"]]
    assert page["nextCursor"]
    seen, cursor = [second["id"]], page["nextCursor"]
    for _ in range(3):
        r = user.api.get("/orders", params={"limit": 1, "cursor": cursor})
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["items"]) <= 1
        seen += [o["id"] for o in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert seen == [second["id"], first["id"]] and cursor is None

    # Another customer's listing holds neither.
    theirs, cursor = [], None
    while True:
        r = other_customer.api.get("/orders", params={"cursor": cursor} if cursor else {})
        assert r.status_code == 200, r.text
        theirs += [o["id"] for o in r.json()["items"]]
        cursor = r.json()["nextCursor"]
        if not cursor:
            break
    assert not {first["id"], second["id"]} & set(theirs)

    assert_problem(user.api.get("/orders", params={"limit": 0}), 400)
    assert_problem(user.api.get("/orders", params={"limit": "many"}), 400)
    assert_problem(user.api.get("/orders", params={"cursor": "not-a-cursor"}), 400)


def test_a_retry_with_the_same_key_replays_the_answer_and_reserves_once(seller, fresh_customer, dynamodb):
    user = fresh_customer
    p = new_product(seller, stock=5)
    a, _ = sorted(prices(p))
    body = quoted(user, order_body([{"sku": a, "quantity": 2}]))
    key = str(uuid.uuid4())

    first = place_order(user, body, key)
    assert first.status_code == 201, first.text
    again = place_order(user, body, key)
    assert again.status_code == 201, again.text
    assert again.content == first.content
    reused = assert_problem(place_order(user, order_body([{"sku": a, "quantity": 3}]), key), 422)
    assert reused["type"] == PROBLEMS + "idempotency-key-reused"

    order_id = first.json()["id"]
    assert_stock_while_pending(dynamodb, p["id"], {a: (5, 2)}, [(user, order_id)])
    assert [i["PK"]["S"] for i in customer_orders(dynamodb, user)] == [keys.order_pk(order_id)]
    assert [i["SK"]["S"] for i in idempotency_items(dynamodb, user)] == [
        keys.idempotency_sk(keys.idempotency_key_hash(key))]

    # A key belongs to its customer: another customer's same key places their own order.
    other = register("customer")
    theirs = place_order(other, body, key)
    assert theirs.status_code == 201, theirs.text
    assert theirs.json()["id"] != order_id and theirs.json()["customerId"] == other.user_id
    assert_stock_while_pending(dynamodb, p["id"], {a: (5, 4)}, [(user, order_id), (other, theirs.json()["id"])])
    assert [i["PK"]["S"] for i in customer_orders(dynamodb, user)] == [keys.order_pk(order_id)]


def test_a_retry_from_the_cart_replays_after_the_cart_was_cleared(seller, fresh_customer, dynamodb):
    """The client timed out and retries the checkout: the first attempt had emptied the cart,
    the retry still gets the order, not a 422 for an empty cart."""
    user = fresh_customer
    p = new_product(seller, stock=5)
    a, _ = sorted(prices(p))
    add_to_cart(user, a, 1)
    key = str(uuid.uuid4())
    body = quoted(user, order_body())  # the checkout page's total, sent again by the retry

    first = place_order(user, body, key)
    assert first.status_code == 201, first.text
    assert cart_items(dynamodb, user) == []
    again = place_order(user, body, key)

    assert again.status_code == 201, again.text
    assert again.content == first.content
    assert_stock_while_pending(dynamodb, p["id"], {a: (5, 1)}, [(user, first.json()["id"])])
    assert len(customer_orders(dynamodb, user)) == 1


def test_every_short_line_is_named_and_nothing_is_written(seller, fresh_customer, dynamodb):
    user = fresh_customer
    p = new_product(seller, stock=3, n_variants=3)
    a, b, c = sorted(prices(p))
    add_to_cart(user, a, 3)
    add_to_cart(user, b, 2)
    add_to_cart(user, c, 1)
    # The seller sold elsewhere: a has 1 left, b none; c is still fine.
    set_on_hand(seller, p, a, 1)
    set_on_hand(seller, p, b, 0)
    before = snapshot(dynamodb, user, [p])
    assert before["stock"] == {a: (1, 0), b: (0, 0), c: (3, 0)}

    r = place_order(user, order_body())

    assert_short(r, [{"sku": a, "requested": 3, "available": 1}, {"sku": b, "requested": 2, "available": 0}])
    assert_nothing_written(dynamodb, user, [p], before)


def test_a_line_over_stock_is_refused_and_nothing_is_written(seller, fresh_customer, dynamodb):
    user = fresh_customer
    p = new_product(seller, stock=5)
    a, b = sorted(prices(p))
    add_to_cart(user, b, 1)
    before = snapshot(dynamodb, user, [p])

    r = place_order(user, order_body([{"sku": a, "quantity": 6}, {"sku": b, "quantity": 5}]))

    assert_short(r, [{"sku": a, "requested": 6, "available": 5}])
    assert_nothing_written(dynamodb, user, [p], before)


def test_an_inactive_products_sku_is_refused(seller, fresh_customer, dynamodb):
    user = fresh_customer
    on_sale, withdrawn = new_product(seller), new_product(seller)
    add_to_cart(user, sorted(prices(on_sale))[0], 1)
    deactivate(seller, withdrawn)
    before = snapshot(dynamodb, user, [on_sale, withdrawn])
    sku = sorted(prices(withdrawn))[0]

    r = place_order(user, order_body([{"sku": sorted(prices(on_sale))[1], "quantity": 1}, {"sku": sku, "quantity": 1}]))

    assert_invalid(r, "lines[1].sku")
    assert_nothing_written(dynamodb, user, [on_sale, withdrawn], before)


def test_more_than_max_distinct_lines_is_refused(seller, fresh_customer, dynamodb):
    user = fresh_customer
    products = [new_product(seller, stock=2, n_variants=13) for _ in range(2)]
    skus = sorted(s for p in products for s in prices(p))
    assert len(skus) == MAX_ORDER_LINES + 1
    add_to_cart(user, skus[0], 1)
    before = snapshot(dynamodb, user, products)

    r = place_order(user, order_body([{"sku": s, "quantity": 1} for s in skus]))

    assert_invalid(r, "lines")
    assert_nothing_written(dynamodb, user, products, before)
    # The limit itself is allowed.
    r = place_order(user, order_body([{"sku": s, "quantity": 1} for s in skus[:MAX_ORDER_LINES]]))
    assert r.status_code == 201, r.text
    assert len(r.json()["lines"]) == MAX_ORDER_LINES


def _without(mapping, key):
    return {k: v for k, v in mapping.items() if k != key}


# name -> (request(user, anon, sku), check(response)). Every case but "empty cart" runs with
# one good line in the cart, so a body without `lines` is otherwise a valid order.
BAD_REQUESTS = {
    "empty cart": (lambda u, anon, sku: place_order(u, order_body()),
                   lambda r: assert_invalid(r, "lines")),
    "no lines": (lambda u, anon, sku: place_order(u, order_body([])),
                 lambda r: assert_invalid(r, "lines")),
    "unknown sku": (lambda u, anon, sku: place_order(u, order_body([{"sku": f"NOPE-{uuid.uuid4().hex[:8].upper()}",
                                                                      "quantity": 1}])),
                    lambda r: assert_invalid(r, "lines[0].sku")),
    "no address": (lambda u, anon, sku: place_order(u, _without(order_body(), "shippingAddress")),
                   assert_malformed),
    "address without city": (
        lambda u, anon, sku: place_order(u, order_body(address=_without(SHIPPING_ADDRESS, "city"))),
        assert_malformed),
    "no expected total": (lambda u, anon, sku: u.api.post("/orders", json=order_body([{"sku": sku, "quantity": 1}]),
                                                          headers={"Idempotency-Key": str(uuid.uuid4())}),
                          lambda r: assert_malformed(r, "expectedTotal")),
    "a total other than the quote's": (
        lambda u, anon, sku: place_order(u, order_body([{"sku": sku, "quantity": 1}], expected_total=money(1))),
        lambda r: assert_total_changed(r, 1)),
    "bad country": (lambda u, anon, sku: place_order(u, order_body(address={**SHIPPING_ADDRESS, "country": "ZZZ"})),
                    lambda r: assert_invalid(r, "shippingAddress.country")),
    "no idempotency key": (lambda u, anon, sku: place_order(u, order_body(), key=False),
                           assert_malformed),
    "idempotency key too long": (lambda u, anon, sku: place_order(u, order_body(), key="k" * 256),
                                 assert_malformed),
    "card number for payment method": (lambda u, anon, sku: place_order(u, order_body(payment_method="card_4242")),
                                       lambda r: assert_invalid(r, "paymentMethodId")),
    "not json": (lambda u, anon, sku: u.api.post("/orders", data="{not json",
                                                 headers={"Idempotency-Key": str(uuid.uuid4()),
                                                          "content-type": "application/json"}),
                 assert_malformed),
    "unauthenticated": (lambda u, anon, sku: anon.post("/orders", json=order_body([{"sku": sku, "quantity": 1}]),
                                                       headers={"Idempotency-Key": str(uuid.uuid4())}),
                        lambda r: assert_problem(r, 401)),
}


@pytest.mark.parametrize("case", BAD_REQUESTS)
def test_bad_requests_are_refused_and_write_nothing(case, seller, fresh_customer, anon, dynamodb):
    request, check = BAD_REQUESTS[case]
    user = fresh_customer
    p = new_product(seller, stock=5)
    sku = sorted(prices(p))[0]
    if case != "empty cart":
        add_to_cart(user, sku, 1)
    before = snapshot(dynamodb, user, [p])
    assert before["stock"][sku] == (5, 0)

    check(request(user, anon, sku))

    assert_nothing_written(dynamodb, user, [p], before)


def test_an_order_is_placed_only_at_the_total_its_quote_showed(seller, fresh_customer, dynamodb):
    """The checkout page quotes (nothing reserved), the seller raises the price, the customer
    confirms the old total: refused with the new one, nothing reserved or charged; confirming
    the new total places the order at it."""
    user = fresh_customer
    p = new_product(seller, stock=5, price=2500)
    a, _ = sorted(prices(p))
    body = order_body([{"sku": a, "quantity": 2}], address={**SHIPPING_ADDRESS, "country": "GB"})

    r = quote(user, body)
    assert r.status_code == 200, r.text
    shown = r.json()
    # 2 x 2500 = 5000: free shipping from 50.00 USD; 20 % GB tax.
    assert (shown["subtotal"], shown["shipping"], shown["tax"], shown["total"]) == (
        money(5000), money(0), money(1000), money(6000))
    assert [(l["sku"], l["quantity"], l["unitPrice"], l["lineTotal"]) for l in shown["lines"]] == [
        (a, 2, money(2500), money(5000))]
    assert shown["shortages"] == []
    assert variant_stock(dynamodb, p["id"], a) == (5, 0), "a quote reserves nothing"

    r = seller.api.put(f"/products/{p['id']}/variants/{a}", json={"price": 2600, "currency": "USD", "onHand": 5})
    assert r.status_code == 200, r.text
    stale = place_order(user, {**body, "expectedTotal": shown["total"]})
    problem = assert_total_changed(stale, 6000)
    assert problem["total"] == money(6240), problem
    assert variant_stock(dynamodb, p["id"], a) == (5, 0)
    assert customer_orders(dynamodb, user) == []

    placed = place_order(user, {**body, "expectedTotal": problem["total"]})
    assert placed.status_code == 201, placed.text
    assert placed.json()["total"] == money(6240)
    assert_stock_while_pending(dynamodb, p["id"], {a: (5, 2)}, [(user, placed.json()["id"])])

    # Stock the order cannot have now is shown, not refused: the customer sees what is left.
    short = quote(user, order_body([{"sku": a, "quantity": 4}]))
    assert short.status_code == 200, short.text
    assert short.json()["shortages"] == [{"sku": a, "requested": 4, "available": 3}]


@pytest.mark.parametrize("case", ["unauthenticated", "not json", "no address", "unknown sku", "empty cart"])
def test_bad_quote_requests_are_refused(case, fresh_customer, anon):
    good = {"lines": [{"sku": "NOPE-1", "quantity": 1}], "shippingAddress": SHIPPING_ADDRESS}
    if case == "unauthenticated":
        assert_problem(anon.post("/orders/quote", json=good), 401)
    elif case == "not json":
        assert_malformed(fresh_customer.api.post("/orders/quote", data="{not json",
                                                 headers={"content-type": "application/json"}))
    elif case == "no address":
        assert_malformed(fresh_customer.api.post("/orders/quote", json={"lines": good["lines"]}), "shippingAddress")
    elif case == "unknown sku":
        assert_invalid(fresh_customer.api.post("/orders/quote", json=good), "lines[0].sku")
    else:
        assert_invalid(fresh_customer.api.post("/orders/quote", json={"shippingAddress": SHIPPING_ADDRESS}), "lines")
