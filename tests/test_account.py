"""Recovering and changing an account on the local stack (Cognito played by moto, mail read
back from moto): a forgotten password's reset, a change of sign-in address, and deleting a
customer's account, whose orders stay without the person."""

import os
import re
import time
import uuid

import boto3

import keys
import mailbox
from conftest import Api, TABLE, assert_problem, partition, register
from fulfilment import sellers_with_pickup
from reviews import delivered_buyers

MOTO = os.environ["MOTO_ENDPOINT"]
ACCOUNT_CODE = re.compile(r"Your code is (\d{6})")


def code_in(mail):
    match = ACCOUNT_CODE.search(mail["body"])
    assert match, mail["body"]
    return match.group(1)


def mails(address, subject_part):
    return [m for m in mailbox.mails_to(MOTO, address) if subject_part in m["subject"]]


def wait_mails(address, subject_part, count=1, timeout=60):
    deadline = time.time() + timeout
    while True:
        found = mails(address, subject_part)
        if len(found) >= count:
            return found
        assert time.time() < deadline, f"{len(found)} of {count} mails '{subject_part}' to {address}"
        time.sleep(0.3)


def login(email, password):
    return Api().post("/auth/login", json={"email": email, "password": password})


def wrong(code):
    return ("1" if code[0] == "0" else "0") + code[1:]


def test_forgot_answers_the_same_for_any_address_and_mails_only_an_account(anon):
    user = register("customer")
    nobody = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    for email in (user.email, nobody, "not-an-address"):
        r = anon.post("/auth/password/forgot", json={"email": email})
        if email == "not-an-address":
            assert_problem(r, 422)
        else:
            assert r.status_code == 202 and "detail" in r.json(), r.text
    assert len(wait_mails(user.email, "password reset code")) == 1
    assert anon.post("/auth/password/forgot", json={"email": user.email}).status_code == 202
    time.sleep(2)
    assert len(mails(user.email, "password reset code")) == 1, "at most one code a minute"
    assert mailbox.mails_to(MOTO, nobody) == []


def test_a_reset_code_works_once_and_old_sessions_end(anon):
    user = register("customer")
    before = login(user.email, user.password).json()
    assert anon.post("/auth/password/forgot", json={"email": user.email}).status_code == 202
    code = code_in(wait_mails(user.email, "password reset code")[0])
    assert_problem(anon.post("/auth/password/reset", json={"email": user.email, "code": code,
                                                           "newPassword": "short"}), 422)
    r = anon.post("/auth/password/reset", json={"email": user.email, "code": code, "newPassword": "New-Passw0rd-1"})
    assert r.status_code == 204, r.text
    assert login(user.email, user.password).status_code == 401
    assert login(user.email, "New-Passw0rd-1").status_code == 200
    # A used code cannot be used again.
    again = anon.post("/auth/password/reset", json={"email": user.email, "code": code, "newPassword": "Other-Passw0rd-2"})
    assert assert_problem(again, 422)["errors"][0]["field"] == "code"
    assert login(user.email, "New-Passw0rd-1").status_code == 200
    # Every session was signed out: the old refresh token is refused by Cognito (moto).
    cognito = boto3.client("cognito-idp", endpoint_url=MOTO)
    try:
        cognito.initiate_auth(ClientId=os.environ["USER_POOL_CLIENT_ID"], AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": before["refreshToken"]})
        refreshed = True
    except cognito.exceptions.NotAuthorizedException:
        refreshed = False
    assert not refreshed, "the old session's refresh token still works"
    assert len(wait_mails(user.email, "your password was changed")) == 1


def test_five_wrong_codes_lock_the_reset(anon):
    user = register("customer")
    assert anon.post("/auth/password/forgot", json={"email": user.email}).status_code == 202
    code = code_in(wait_mails(user.email, "password reset code")[0])
    for _ in range(5):
        r = anon.post("/auth/password/reset", json={"email": user.email, "code": wrong(code),
                                                     "newPassword": "New-Passw0rd-1"})
        assert assert_problem(r, 422)["errors"][0]["field"] == "code"
    locked = anon.post("/auth/password/reset", json={"email": user.email, "code": code, "newPassword": "New-Passw0rd-1"})
    assert_problem(locked, 409)
    assert login(user.email, user.password).status_code == 200, "the password is unchanged"


def test_an_email_change_waits_for_the_new_address_and_tells_the_old(anon):
    user, other = register("customer"), register("customer")
    new = f"moved-{uuid.uuid4().hex[:10]}@example.org"
    assert anon.post("/me/email", json={"newEmail": new, "password": user.password}).status_code == 401
    assert user.api.post("/me/email", json={"newEmail": new, "password": "Wrong-Passw0rd"}).status_code == 401
    assert_problem(user.api.post("/me/email", json={"newEmail": other.email, "password": user.password}), 409)
    assert_problem(user.api.post("/me/email", json={"newEmail": "nope", "password": user.password}), 422)
    r = user.api.post("/me/email", json={"newEmail": new, "password": user.password})
    assert r.status_code == 202, r.text
    code = code_in(wait_mails(new, "Confirm your new")[0])
    # Until the code comes back, the old address signs in and the new one does not.
    assert login(user.email, user.password).status_code == 200
    assert login(new, user.password).status_code == 401
    assert user.api.get("/me").json()["email"] == user.email
    assert_problem(other.api.post("/me/email/verify", json={"code": code}), 422)
    assert_problem(user.api.post("/me/email/verify", json={"code": wrong(code)}), 422)

    r = user.api.post("/me/email/verify", json={"code": code})
    assert r.status_code == 200 and r.json() == {"email": new}, r.text
    assert login(new, user.password).status_code == 200
    assert login(user.email, user.password).status_code == 401
    assert user.api.get("/me").json()["email"] == new
    told = wait_mails(user.email, "sign-in address was changed")
    assert new not in told[0]["body"] and "m***@example.org" in told[0]["body"]


def test_deleting_an_account_keeps_its_orders_without_the_person(dynamodb, admin, anon):
    seller, _ = sellers_with_pickup()
    bought = delivered_buyers(seller, dynamodb, 1)
    buyer, order_id, pid = bought.buyers[0], bought.orders[0], bought.id
    r = buyer.api.post(f"/products/{pid}/reviews", json={"rating": 5, "title": "Great",
                                                         "body": "Comfortable from the first day on the trail."})
    assert r.status_code == 201 and r.json()["status"] == "approved", r.text
    assert buyer.api.post("/me/addresses", json={"address": {"name": "Ada", "line1": "1 Main St", "city": "Paris",
                                                             "postalCode": "75001", "country": "FR"}}).status_code == 201
    assert buyer.api.post("/wishlist", json={"productId": pid}).status_code == 201
    assert buyer.api.patch("/me", json={"phone": "+33 1 23 45 67 89"}).status_code == 200
    before = partition(dynamodb, keys.user_pk(buyer.user_id))
    assert {i["SK"]["S"].split("#")[0] for i in before} >= {"PROFILE", "ADDRESS", "WISHLIST", "REVIEWED"}

    r = buyer.api.delete("/me")
    assert r.status_code == 204, r.text
    # Every item of the partition, read back: only the tombstone, with nothing of the person.
    after = partition(dynamodb, keys.user_pk(buyer.user_id))
    assert [i["SK"]["S"] for i in after] == [keys.DELETED_SK]
    assert set(after[0]) == {"PK", "SK", "entity", "deletedAt"}
    # The order stays, without the person's name, street or email.
    order = dynamodb.get_item(TableName=TABLE, Key=keys.key(keys.order_pk(order_id), keys.ORDER_SK),
                              ConsistentRead=True)["Item"]
    text = str(order)
    assert buyer.email not in text and "Ada Lovelace" not in text and "Rue de Rivoli" not in text, text
    assert order["shippingAddress"]["M"]["name"]["S"] == "former customer"
    assert order["shippingAddress"]["M"]["postalCode"]["S"] == "75001"
    shown = admin.api.get(f"/orders/{order_id}").json()
    assert shown["total"] and shown["status"] == "delivered"
    assert all("Rue de Rivoli" not in str(s) for s in shown.get("shipments", []))
    # The review stays, by "former customer".
    reviews = anon.get(f"/products/{pid}/reviews").json()["items"]
    assert [i["authorName"] for i in reviews] == ["former customer"]
    # The account is gone: no sign-in; a second deletion answers the same.
    assert login(buyer.email, buyer.password).status_code == 401
    assert buyer.api.delete("/me").status_code == 204
    assert partition(dynamodb, keys.user_pk(buyer.user_id)) == after
    assert len(wait_mails(buyer.email, "your account was deleted")) == 1


def test_an_account_with_an_order_on_its_way_is_not_deleted(seller, dynamodb):
    from checkout import place, VISA  # noqa: E402 - the checkout helpers start a real saga
    placed = place(seller, dynamodb, VISA)
    before = partition(dynamodb, keys.user_pk(placed.user.user_id))
    body = assert_problem(placed.user.api.delete("/me"), 409)
    assert placed.id in body["detail"]
    assert partition(dynamodb, keys.user_pk(placed.user.user_id)) == before
    assert login(placed.user.email, placed.user.password).status_code == 200
    assert_problem(seller.api.delete("/me"), 409)
