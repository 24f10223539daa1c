"""Wishlist routes: the signed-in customer's own list of products."""

import keys
from conftest import assert_problem, user_items


def wishlist_items(dynamodb, user):
    return user_items(dynamodb, user, keys.WISHLIST_PREFIX)


def test_add_list_and_remove(customer, product):
    pid, body = product
    r = customer.api.post("/wishlist", json={"productId": pid})
    assert r.status_code == 201, r.text
    assert customer.api.post("/wishlist", json={"productId": pid}).status_code == 200, "adding twice is idempotent"
    items = customer.api.get("/wishlist").json()["items"]
    mine = [i for i in items if i["productId"] == pid]
    assert len(mine) == 1 and mine[0]["product"]["name"] == body["name"]
    assert customer.api.delete(f"/wishlist/{pid}").status_code == 204
    assert pid not in [i["productId"] for i in customer.api.get("/wishlist").json()["items"]]


def test_bad_input_changes_nothing(customer, dynamodb):
    before = wishlist_items(dynamodb, customer)
    assert_problem(customer.api.post("/wishlist", json={"productId": "00000000-0000-7000-8000-000000000000"}), 404)
    assert_problem(customer.api.post("/wishlist", json={}), 400)
    assert_problem(customer.api.post("/wishlist", data="nope"), 400)
    assert_problem(customer.api.post("/wishlist", json={"productId": "a b"}), 422)
    assert_problem(customer.api.delete("/wishlist/00000000-0000-7000-8000-000000000000"), 404)
    assert wishlist_items(dynamodb, customer) == before


def test_wishlists_are_private(customer, other_customer, product, dynamodb, anon):
    pid, _ = product
    customer.api.post("/wishlist", json={"productId": pid})
    before = wishlist_items(dynamodb, customer)
    assert pid not in [i["productId"] for i in other_customer.api.get("/wishlist").json()["items"]]
    assert_problem(other_customer.api.delete(f"/wishlist/{pid}"), 404)
    assert anon.get("/wishlist").status_code == 401
    assert wishlist_items(dynamodb, customer) == before


def test_products_off_sale_cannot_be_wished_for_and_are_hidden(customer, seller, product):
    pid, body = product
    assert customer.api.post("/wishlist", json={"productId": pid}).status_code == 201
    off_sale = {"name": body["name"], "description": "", "brand": body["brand"], "categoryId": body["categoryId"],
                "status": "inactive"}
    assert seller.api.put(f"/products/{pid}", json=off_sale).status_code == 200
    entry = [i for i in customer.api.get("/wishlist").json()["items"] if i["productId"] == pid]
    assert entry and entry[0]["product"] is None, "an inactive product's details leaked"
    customer.api.delete(f"/wishlist/{pid}")
    assert_problem(customer.api.post("/wishlist", json={"productId": pid}), 404)
