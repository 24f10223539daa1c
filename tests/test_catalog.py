"""Catalog routes: browsing (anonymous) and seller-owned writes."""

import base64
import json

import keys
from conftest import assert_problem, partition, product_body


def test_categories_form_a_tree(anon):
    r = anon.get("/categories")
    assert r.status_code == 200
    cats = {c["id"]: c for c in r.json()["items"]}
    assert cats["shoes"]["parentId"] == "fashion"
    assert cats["fashion"]["parentId"] is None
    assert all(c["parentId"] is None or c["parentId"] in cats for c in cats.values())


def test_category_products_page_through_with_a_cursor(anon):
    seen, cursor, pages = [], None, 0
    while True:
        r = anon.get("/categories/shoes/products", params={"limit": 7, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        page = r.json()
        assert len(page["items"]) <= 7
        seen += [p["id"] for p in page["items"]]
        pages += 1
        cursor = page.get("nextCursor")
        if not cursor:
            break
    assert pages >= 3
    assert len(seen) == len(set(seen)), "a product appeared on two pages"
    assert all(p for p in seen)


def test_category_products_bad_input(anon):
    assert_problem(anon.get("/categories/no-such-category/products"), 404)
    assert_problem(anon.get("/categories/shoes/products", params={"limit": 0}), 400)
    assert_problem(anon.get("/categories/shoes/products", params={"limit": "many"}), 400)
    assert_problem(anon.get("/categories/shoes/products", params={"cursor": "not-a-cursor"}), 400)
    other = anon.get("/categories/phones/products", params={"limit": 1}).json()["nextCursor"]
    assert_problem(anon.get("/categories/shoes/products", params={"cursor": other}), 400)
    partial_key = json.dumps({keys.GSI1PK: keys.category_products_pk("shoes")}).encode()
    partial = base64.urlsafe_b64encode(partial_key).decode().rstrip("=")
    assert_problem(anon.get("/categories/shoes/products", params={"cursor": partial}), 400)


def test_get_product_shows_variants_and_money_in_minor_units(anon, product):
    pid, body = product
    r = anon.get(f"/products/{pid}")
    assert r.status_code == 200
    p = r.json()
    assert p["name"] == body["name"] and p["status"] == "active"
    assert [v["sku"] for v in p["variants"]] == sorted(v["sku"] for v in body["variants"])
    assert p["variants"][0]["price"] == {"amount": 4999, "currency": "USD"}
    assert p["variants"][0]["available"] == 5


def test_get_product_bad_input(anon):
    assert_problem(anon.get("/products/00000000-0000-7000-8000-000000000000"), 404)
    assert_problem(anon.get("/products/bad%23id"), 400)


def test_create_product_as_seller(seller, anon, dynamodb):
    body = product_body(stock=3)
    r = seller.api.post("/products", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert r.headers["location"] == f"/products/{created['id']}"
    # Shoppers see the seller's public id, never its account id (the Cognito sub).
    assert created["sellerId"].startswith("s") and len(created["sellerId"]) == 21
    assert created["sellerId"] != seller.user_id and seller.user_id not in r.text
    again = seller.api.post("/products", json=product_body()).json()
    assert again["sellerId"] == created["sellerId"], "one seller, one public id"
    items = partition(dynamodb, keys.product_pk(created["id"]))
    assert [i["SK"]["S"] for i in items] == [keys.PRODUCT_SK] + sorted(keys.variant_sk(v["sku"]) for v in body["variants"])
    listed = anon.get(f"/products/{created['id']}").json()
    assert listed["variants"][1]["price"]["amount"] == 5099


def test_create_product_rejects_bad_input_and_writes_nothing(seller, customer, dynamodb):
    body = product_body()
    sku_pk = keys.sku_pk(body["variants"][0]["sku"])
    bad_price = {**body, "variants": [{**body["variants"][0], "price": -1}]}
    problem = assert_problem(seller.api.post("/products", json=bad_price), 422)
    assert problem["errors"][0]["field"] == "variants[0].price"
    assert_problem(seller.api.post("/products", data="{not json"), 400)
    assert_problem(seller.api.post("/products", json={k: v for k, v in body.items() if k != "name"}), 400)
    assert_problem(seller.api.post("/products", json={**body, "sellerId": "someone-else"}), 400)
    assert_problem(seller.api.post("/products", json={**body, "categoryId": "no-such-category"}), 422)
    assert_problem(customer.api.post("/products", json=body), 403)
    assert partition(dynamodb, sku_pk) == []


def test_duplicate_sku_is_a_conflict_and_leaves_the_owner_intact(seller, other_seller, product, dynamodb):
    pid, body = product
    before = partition(dynamodb, keys.product_pk(pid))
    clash = product_body()
    clash["variants"][0]["sku"] = body["variants"][0]["sku"]
    assert_problem(other_seller.api.post("/products", json=clash), 409)
    assert partition(dynamodb, keys.product_pk(pid)) == before
    assert partition(dynamodb, keys.sku_pk(clash["variants"][1]["sku"])) == [], "half-written product"


def update_body(body, **changes):
    return {"name": body["name"], "description": "", "brand": body["brand"], "categoryId": body["categoryId"],
            "status": "active", **changes}


def test_update_product_by_owner(seller, anon, product):
    pid, body = product
    r = seller.api.put(f"/products/{pid}", json=update_body(body, name="Renamed Shoe", status="inactive"))
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Renamed Shoe" and r.json()["version"] == 2
    # Inactive products are hidden from shoppers.
    assert_problem(anon.get(f"/products/{pid}"), 404)


def test_update_product_refused_for_others_and_bad_input(seller, other_seller, customer, product, dynamodb):
    pid, body = product
    before = partition(dynamodb, keys.product_pk(pid))
    assert_problem(other_seller.api.put(f"/products/{pid}", json=update_body(body, name="Hijacked")), 403)
    assert_problem(customer.api.put(f"/products/{pid}", json=update_body(body, name="Hijacked")), 403)
    assert_problem(seller.api.put(f"/products/{pid}", json=update_body(body, name="")), 422)
    assert_problem(seller.api.put(f"/products/{pid}", json=update_body(body, status="out_of_stock")), 400)
    assert_problem(seller.api.put(f"/products/{pid}", json=update_body(body, categoryId="nope")), 422)
    assert_problem(seller.api.put("/products/00000000-0000-7000-8000-000000000000", json=update_body(body)), 404)
    assert partition(dynamodb, keys.product_pk(pid)) == before


def test_admin_may_edit_any_product(admin, product):
    pid, body = product
    r = admin.api.put(f"/products/{pid}", json=update_body(body, name="Moderated"))
    assert r.status_code == 200, r.text


def test_delete_product_by_owner_frees_its_skus(seller, anon, product, dynamodb):
    pid, body = product
    r = seller.api.delete(f"/products/{pid}")
    assert r.status_code == 204
    assert_problem(anon.get(f"/products/{pid}"), 404)
    assert partition(dynamodb, keys.sku_pk(body["variants"][0]["sku"])) == []
    assert_problem(seller.api.delete(f"/products/{pid}"), 404)


def test_delete_product_refused_for_others(other_seller, customer, product, dynamodb):
    pid, _ = product
    before = partition(dynamodb, keys.product_pk(pid))
    assert_problem(other_seller.api.delete(f"/products/{pid}"), 403)
    assert_problem(customer.api.delete(f"/products/{pid}"), 403)
    assert_problem(other_seller.api.delete("/products/bad%23id"), 400)
    assert partition(dynamodb, keys.product_pk(pid)) == before


def test_put_variant_creates_then_updates(seller, anon, product):
    pid, _ = product
    variant = {"attributes": {"size": "46"}, "price": 6000, "salePrice": 5000, "currency": "USD", "onHand": 4}
    r = seller.api.put(f"/products/{pid}/variants/NEW-{pid[-6:]}", json=variant)
    assert r.status_code == 201, r.text
    r = seller.api.put(f"/products/{pid}/variants/NEW-{pid[-6:]}", json={**variant, "onHand": 9})
    assert r.status_code == 200, r.text
    v = [v for v in anon.get(f"/products/{pid}").json()["variants"] if v["sku"] == f"NEW-{pid[-6:]}".upper()][0]
    assert (v["available"], v["unitPrice"]["amount"]) == (9, 5000)


def test_put_variant_refused_for_others_and_bad_input(seller, other_seller, product, dynamodb):
    pid, body = product
    sku = body["variants"][0]["sku"]
    before = partition(dynamodb, keys.product_pk(pid))
    ok = {"price": 100, "currency": "USD", "onHand": 1}
    assert_problem(other_seller.api.put(f"/products/{pid}/variants/{sku}", json=ok), 403)
    assert_problem(seller.api.put(f"/products/{pid}/variants/{sku}", json={**ok, "onHand": -1}), 422)
    assert_problem(seller.api.put(f"/products/{pid}/variants/{sku}", json={**ok, "salePrice": 200}), 422)
    assert_problem(seller.api.put(f"/products/{pid}/variants/{sku}", json={**ok, "currency": "EUR"}), 422)
    assert_problem(seller.api.put(f"/products/{pid}/variants/{sku}", json={"price": 1}), 400)
    assert partition(dynamodb, keys.product_pk(pid)) == before


def test_put_variant_cannot_take_another_products_sku(seller, product):
    pid, _ = product
    other = seller.api.post("/products", json=product_body()).json()
    taken = other["variants"][0]["sku"]
    assert_problem(seller.api.put(f"/products/{pid}/variants/{taken}", json={"price": 1, "currency": "USD", "onHand": 1}), 409)
