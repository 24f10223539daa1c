"""The caller's own profile and address book (GET/PATCH /me, /me/addresses), and an order
placed to a saved address."""

import keys
from checkout import new_product
from conftest import (SHIPPING_ADDRESS, assert_problem, partition, pending_payment_method, place_order, quote,
                      register)


def profile_item(dynamodb, user):
    return [i for i in partition(dynamodb, keys.user_pk(user.user_id)) if i["SK"]["S"] == keys.PROFILE_SK][0]


def addresses(dynamodb, user):
    return [i for i in partition(dynamodb, keys.user_pk(user.user_id)) if i["SK"]["S"].startswith(keys.ADDRESS_PREFIX)]


def test_me_shows_the_profile_and_a_patch_changes_only_what_it_names(fresh_customer):
    me = fresh_customer.api.get("/me").json()
    assert me["email"] == fresh_customer.email and me["role"] == "customer"
    assert me["userId"] == fresh_customer.user_id
    assert me["preferences"] == {"language": "en", "currency": "USD", "marketingEmails": False}
    assert me["phone"] is None and me["defaultAddressId"] is None

    r = fresh_customer.api.patch("/me", json={"name": "Ada L.", "phone": "+33 1 23 45 67 89",
                                               "preferences": {"language": "fr-fr", "marketingEmails": True}})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Ada L." and r.json()["phone"] == "+33123456789"
    assert r.json()["preferences"] == {"language": "fr-FR", "currency": "USD", "marketingEmails": True}
    r = fresh_customer.api.patch("/me", json={"phone": None, "preferences": {"currency": "EUR"}})
    assert r.status_code == 200, r.text
    me = fresh_customer.api.get("/me").json()
    assert me["phone"] is None and me["name"] == "Ada L."
    assert me["preferences"] == {"language": "fr-FR", "currency": "EUR", "marketingEmails": True}
    assert me["email"] == fresh_customer.email, "PATCH /me never changes the email"


def test_bad_profile_input_is_refused_and_changes_nothing(fresh_customer, dynamodb, anon):
    before = profile_item(dynamodb, fresh_customer)
    api = fresh_customer.api
    assert_problem(api.patch("/me", json={"email": "someone@else.example"}), 400)
    assert_problem(api.patch("/me", json={"role": "admin"}), 400)
    assert_problem(api.patch("/me", data="nope"), 400)
    body = assert_problem(api.patch("/me", json={"name": " ", "phone": "12345",
                                                 "preferences": {"language": "<b>x</b>", "currency": "dollars"}}), 422)
    assert [e["field"] for e in body["errors"]] == ["name", "phone", "preferences.language", "preferences.currency"]
    assert_problem(api.patch("/me", json={"name": "x" * 20_000}), 422)
    assert_problem(api.patch("/me", json={"name": "x" * 101}), 422)
    assert_problem(api.patch("/me", json={"preferences": {"marketingEmails": "yes"}}), 400)
    assert profile_item(dynamodb, fresh_customer) == before
    assert anon.get("/me").status_code == 401
    assert anon.patch("/me", json={"name": "x"}).status_code == 401


def test_the_address_book_keeps_one_default_and_is_private(fresh_customer, other_customer, dynamodb, anon):
    api = fresh_customer.api
    r = api.post("/me/addresses", json={"label": "Home", "address": SHIPPING_ADDRESS})
    assert r.status_code == 201, r.text
    home = r.json()
    assert home["isDefault"], "the first address is the default"
    assert r.headers["location"] == f"/me/addresses/{home['id']}"
    assert home["address"]["country"] == "FR" and home["label"] == "Home"
    work_address = {**SHIPPING_ADDRESS, "line1": "2 Place du Louvre", "postalCode": "75001"}
    work = api.post("/me/addresses", json={"label": "Work", "address": work_address}).json()
    assert not work["isDefault"]

    r = api.patch(f"/me/addresses/{work['id']}", json={"isDefault": True, "label": None})
    assert r.status_code == 200, r.text
    assert r.json()["isDefault"] and "label" not in r.json()
    book = api.get("/me/addresses").json()["items"]
    assert [(a["id"], a["isDefault"]) for a in book] == [(home["id"], False), (work["id"], True)]
    assert api.get("/me").json()["defaultAddressId"] == work["id"]

    # Another customer finds none of it, and changes none of it.
    before = addresses(dynamodb, fresh_customer)
    assert other_customer.api.get("/me/addresses").json()["items"] == []
    assert_problem(other_customer.api.patch(f"/me/addresses/{home['id']}", json={"label": "mine"}), 404)
    assert_problem(other_customer.api.delete(f"/me/addresses/{home['id']}"), 404)
    assert anon.get("/me/addresses").status_code == 401
    assert anon.delete(f"/me/addresses/{home['id']}").status_code == 401
    assert addresses(dynamodb, fresh_customer) == before

    # Bad input changes nothing either.
    body = assert_problem(api.post("/me/addresses", json={"address": {**SHIPPING_ADDRESS, "country": "France",
                                                                          "name": ""}}), 422)
    assert [e["field"] for e in body["errors"]] == ["address.name", "address.country"]
    assert_problem(api.post("/me/addresses", json={"address": SHIPPING_ADDRESS, "extra": 1}), 400)
    assert_problem(api.post("/me/addresses", json={"label": "x" * 41, "address": SHIPPING_ADDRESS}), 422)
    assert_problem(api.patch(f"/me/addresses/{home['id']}", json={"address": {"city": "Lyon"}}), 400)
    assert_problem(api.patch("/me/addresses/a%23b", json={"label": "x"}), 400)
    assert addresses(dynamodb, fresh_customer) == before

    # Deleting the default leaves the book without one.
    assert api.delete(f"/me/addresses/{work['id']}").status_code == 204
    assert_problem(api.delete(f"/me/addresses/{work['id']}"), 404)
    book = api.get("/me/addresses").json()["items"]
    assert [(a["id"], a["isDefault"]) for a in book] == [(home["id"], False)]
    assert api.get("/me").json()["defaultAddressId"] is None


def test_text_is_stored_as_sent_never_as_markup(fresh_customer):
    script = "<script>alert(1)</script>"
    r = fresh_customer.api.post("/me/addresses", json={"label": script, "address": {**SHIPPING_ADDRESS,
                                                                                     "line2": script}})
    assert r.status_code == 201, r.text
    assert r.headers["content-type"] == "application/json"
    saved = fresh_customer.api.get("/me/addresses").json()["items"][0]
    assert saved["label"] == script and saved["address"]["line2"] == script


def test_an_order_goes_to_a_saved_address(seller, dynamodb):
    buyer, stranger = register("customer"), register("customer")
    saved = buyer.api.post("/me/addresses", json={"address": {**SHIPPING_ADDRESS, "name": "Ada at home"}}).json()
    theirs = stranger.api.post("/me/addresses", json={"address": SHIPPING_ADDRESS}).json()
    product = new_product(seller)
    line = [{"sku": product["variants"][0]["sku"], "quantity": 1}]

    q = quote(buyer, {"lines": line, "shippingAddressId": saved["id"]})
    assert q.status_code == 200, q.text
    # Someone else's address id is refused as unknown, before anything is reserved.
    before = partition(dynamodb, keys.product_pk(product["id"]))
    body = assert_problem(place_order(buyer, {"lines": line, "shippingAddressId": theirs["id"],
                                              "paymentMethodId": pending_payment_method(),
                                              "expectedTotal": q.json()["total"]}), 422)
    assert body["errors"][0]["field"] == "shippingAddressId"
    assert partition(dynamodb, keys.product_pk(product["id"])) == before
    assert_problem(place_order(buyer, {"lines": line, "shippingAddressId": saved["id"],
                                       "shippingAddress": SHIPPING_ADDRESS}), 400)

    r = place_order(buyer, {"lines": line, "shippingAddressId": saved["id"],
                            "paymentMethodId": pending_payment_method(), "expectedTotal": q.json()["total"]})
    assert r.status_code == 201, r.text
    order = buyer.api.get(f"/orders/{r.json()['id']}").json()
    assert order["shippingAddress"]["name"] == "Ada at home"
    assert order["shippingAddress"]["postalCode"] == SHIPPING_ADDRESS["postalCode"]
