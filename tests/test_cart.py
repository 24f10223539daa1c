"""Cart routes: the signed-in customer's own cart, priced server-side."""

import keys
from conftest import assert_problem, product_body, user_items


def fresh_product(seller, stock=3, price=2500):
    r = seller.api.post("/products", json=product_body(stock=stock, price=price))
    assert r.status_code == 201, r.text
    return r.json()


def cart_items(dynamodb, user):
    return user_items(dynamodb, user, keys.CART_PREFIX)


def test_totals_are_computed_from_current_prices(seller, other_customer):
    p = fresh_product(seller, stock=10)
    a, b = (v["sku"] for v in p["variants"])
    api = other_customer.api
    for sku in (a, b):
        api.delete(f"/cart/items/{sku}")
    assert api.post("/cart/items", json={"sku": a, "quantity": 2}).status_code == 200
    r = api.post("/cart/items", json={"sku": b, "quantity": 1})
    assert r.status_code == 200
    cart = api.get("/cart").json()
    mine = {l["sku"]: l for l in cart["lines"] if l["sku"] in (a, b)}
    assert mine[a]["lineTotal"]["amount"] == 2 * 2500
    assert mine[b]["lineTotal"]["amount"] == 2600
    # The seller puts one variant on sale: the cart follows the current price.
    seller.api.put(f"/products/{p['id']}/variants/{a}", json={"price": 2500, "salePrice": 2000, "currency": "USD", "onHand": 10})
    cart = api.get("/cart").json()
    mine = {l["sku"]: l for l in cart["lines"] if l["sku"] in (a, b)}
    assert mine[a]["unitPrice"]["amount"] == 2000
    assert cart["subtotal"]["amount"] == sum(l["unitPrice"]["amount"] * l["purchasable"] for l in cart["lines"] if l["purchasable"])


def test_adding_more_than_in_stock_is_refused(seller, customer, dynamodb):
    sku = fresh_product(seller, stock=3)["variants"][0]["sku"]
    assert customer.api.post("/cart/items", json={"sku": sku, "quantity": 2}).status_code == 200
    before = cart_items(dynamodb, customer)
    problem = assert_problem(customer.api.post("/cart/items", json={"sku": sku, "quantity": 2}), 409)
    assert problem["available"] == 3
    assert cart_items(dynamodb, customer) == before


def test_add_item_bad_input(customer, dynamodb):
    before = cart_items(dynamodb, customer)
    assert_problem(customer.api.post("/cart/items", json={"sku": "X", "quantity": -1}), 422)
    assert_problem(customer.api.post("/cart/items", json={"sku": "X", "quantity": 0}), 422)
    assert_problem(customer.api.post("/cart/items", json={"sku": "NO-SUCH-SKU", "quantity": 1}), 404)
    assert_problem(customer.api.post("/cart/items", json={"sku": "X"}), 400)
    assert_problem(customer.api.post("/cart/items", data="[1,"), 400)
    assert_problem(customer.api.post("/cart/items", json={"sku": "bad#sku", "quantity": 1}), 422)
    assert cart_items(dynamodb, customer) == before


def test_patch_sets_quantity_within_stock(seller, customer, dynamodb):
    sku = fresh_product(seller, stock=5)["variants"][0]["sku"]
    customer.api.post("/cart/items", json={"sku": sku, "quantity": 1})
    r = customer.api.patch(f"/cart/items/{sku}", json={"quantity": 4})
    assert r.status_code == 200
    assert [l["quantity"] for l in r.json()["lines"] if l["sku"] == sku] == [4]
    before = cart_items(dynamodb, customer)
    assert_problem(customer.api.patch(f"/cart/items/{sku}", json={"quantity": 6}), 409)
    assert_problem(customer.api.patch(f"/cart/items/{sku}", json={"quantity": -2}), 422)
    assert_problem(customer.api.patch(f"/cart/items/{sku}", json={}), 400)
    assert_problem(customer.api.patch("/cart/items/NOT-IN-CART", json={"quantity": 1}), 404)
    assert cart_items(dynamodb, customer) == before


def test_delete_removes_the_line(seller, customer):
    sku = fresh_product(seller)["variants"][0]["sku"]
    customer.api.post("/cart/items", json={"sku": sku, "quantity": 1})
    r = customer.api.delete(f"/cart/items/{sku}")
    assert r.status_code == 200
    assert sku not in [l["sku"] for l in r.json()["lines"]]
    assert_problem(customer.api.delete(f"/cart/items/{sku}"), 404)
    assert_problem(customer.api.delete("/cart/items/bad%23sku"), 400)


def test_a_customer_never_touches_another_customers_cart(seller, customer, other_customer, dynamodb):
    sku = fresh_product(seller, stock=5)["variants"][0]["sku"]
    customer.api.post("/cart/items", json={"sku": sku, "quantity": 1})
    before = cart_items(dynamodb, customer)
    assert sku not in [l["sku"] for l in other_customer.api.get("/cart").json()["lines"]]
    assert_problem(other_customer.api.patch(f"/cart/items/{sku}", json={"quantity": 3}), 404)
    assert_problem(other_customer.api.delete(f"/cart/items/{sku}"), 404)
    assert cart_items(dynamodb, customer) == before


def test_cart_needs_a_valid_token(anon, customer):
    assert anon.get("/cart").status_code == 401
    forged = customer.token[:-4] + ("AAAA" if not customer.token.endswith("AAAA") else "BBBB")
    from conftest import Api
    assert Api(forged).get("/cart").status_code == 401
    assert Api("not-a-jwt").post("/cart/items", json={"sku": "X", "quantity": 1}).status_code == 401


def test_a_line_over_stock_is_flagged_and_the_subtotal_counts_what_can_be_bought(seller, other_customer):
    p = fresh_product(seller, stock=3, price=2500)
    sku = p["variants"][0]["sku"]
    api = other_customer.api
    for line in api.get("/cart").json()["lines"]:
        api.delete(f"/cart/items/{line['sku']}")
    assert api.post("/cart/items", json={"sku": sku, "quantity": 3}).status_code == 200
    # The seller sells elsewhere: one unit left.
    r = seller.api.put(f"/products/{p['id']}/variants/{sku}", json={"price": 2500, "currency": "USD", "onHand": 1})
    assert r.status_code == 200, r.text
    cart = api.get("/cart").json()
    (line,) = cart["lines"]
    assert line["issue"] == "quantity_exceeds_stock" and line["available"] == 1 and line["purchasable"] == 1
    assert cart["subtotal"] == {"amount": 2500, "currency": "USD"} and cart["itemCount"] == 1
    assert cart["checkoutReady"] is False


def test_skus_are_case_insensitive_and_path_safe(seller, other_seller, customer):
    body = product_body()
    taken = body["variants"][0]["sku"]
    assert seller.api.post("/products", json=body).status_code == 201
    # Another seller cannot claim the same SKU in other letters.
    other = product_body()
    other["variants"][0]["sku"] = taken.lower()
    assert_problem(other_seller.api.post("/products", json=other), 409)
    # The cart finds it in any case.
    assert customer.api.post("/cart/items", json={"sku": taken.lower(), "quantity": 1}).status_code == 200
    assert taken in {l["sku"] for l in customer.api.get("/cart").json()["lines"]}
    customer.api.delete(f"/cart/items/{taken}")
    # SKUs a URL path cannot carry are refused.
    for bad in (".", "..", ".x"):
        dotted = product_body()
        dotted["variants"][0]["sku"] = bad
        assert_problem(seller.api.post("/products", json=dotted), 422)


def test_every_answer_carries_its_correlation_id(anon, customer):
    for r in (anon.get("/categories"), customer.api.get("/cart"), anon.get("/products/no-such-product")):
        assert r.headers["x-correlation-id"], r.headers
    problem = anon.get("/products/no-such-product")
    assert problem.headers["x-correlation-id"] == problem.json()["correlationId"]
