"""Identity: registration and sign-in (anonymous routes), and the JWT authorizer
in front of every other route (missing, forged, expired, wrong-audience tokens)."""

import gzip
import json
import os
import time
import uuid
from pathlib import Path

import jwt
import pytest

import keys
import mailbox
from conftest import ROOT, Api, assert_problem, partition


def _moto_signing_key():
    """moto signs every pool's tokens with a key it ships; we use it to mint tokens
    that are correctly signed but wrong in one other way."""
    found = list(Path(ROOT, ".local").glob("venv-moto/lib/python*/site-packages/moto/cognitoidp/resources/jwks-private.json.gz"))
    if not found:
        pytest.fail("moto's signing key not found under .local/venv-moto")
    jwk = json.load(gzip.open(found[0]))
    return jwk["kid"], jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))


def mint(claims, key=None, kid=None):
    default_kid, default_key = _moto_signing_key()
    return jwt.encode(claims, key or default_key, algorithm="RS256", headers={"kid": kid or default_kid})


def good_claims(user, **changes):
    now = int(time.time())
    claims = {"sub": user.user_id, "iss": os.environ["SHOP_ISSUER"], "aud": os.environ["USER_POOL_CLIENT_ID"],
              "token_use": "id", "iat": now, "exp": now + 600, "cognito:groups": ["customer"]}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _moto():
    return os.environ["MOTO_ENDPOINT"]


def test_register_verify_and_login(anon, dynamodb, cognito):
    email = f"new-{uuid.uuid4().hex[:8]}@Example.com"
    address = email.lower()
    r = anon.post("/auth/register", json={"email": email, "password": "Good-Passw0rd", "name": " Ada "})
    assert r.status_code == 201, r.text
    registered = r.json()
    assert registered["email"] == address and registered["role"] == "customer" and registered["name"] == "Ada"
    assert registered["status"] == "pending_verification"

    # Unverified: no sign-in, through the shop or straight through Cognito's public API.
    assert_problem(anon.post("/auth/login", json={"email": email, "password": "Good-Passw0rd"}), 401)
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.initiate_auth(ClientId=os.environ["USER_POOL_CLIENT_ID"], AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": address, "PASSWORD": "Good-Passw0rd"})
    assert partition(dynamodb, keys.user_pk(registered["userId"])) == [], "no profile before verification"

    # The code arrives by mail (queue -> mailer -> SESv2); the table holds only its digest.
    code = mailbox.latest_code(_moto(), address)
    pending = partition(dynamodb, keys.email_pk(address))
    assert code not in json.dumps(pending) and "Good-Passw0rd" not in json.dumps(pending)
    wrong = "000000" if code != "000000" else "111111"
    assert_problem(anon.post("/auth/verify", json={"email": email, "code": wrong}), 422)
    r = anon.post("/auth/verify", json={"email": email, "code": code})
    assert r.status_code == 200, r.text
    assert anon.post("/auth/verify", json={"email": email, "code": code}).status_code == 422, "a code works once"

    stored = partition(dynamodb, keys.user_pk(registered["userId"]))
    assert [i["SK"]["S"] for i in stored] == [keys.PROFILE_SK]
    assert "Good-Passw0rd" not in json.dumps(stored), "a password reached the shop's table"
    assert partition(dynamodb, keys.email_pk(address)) == [], "the pending verification is gone"
    r = anon.post("/auth/login", json={"email": email, "password": "Good-Passw0rd"})
    assert r.status_code == 200, r.text
    tokens = r.json()
    claims = jwt.decode(tokens["idToken"], options={"verify_signature": False})
    assert claims["sub"] == registered["userId"] and "customer" in claims["cognito:groups"]
    assert Api(tokens["idToken"]).get("/cart").status_code == 200


def test_guessing_codes_locks_the_verification(anon):
    email = f"guess-{uuid.uuid4().hex[:8]}@example.com"
    assert anon.post("/auth/register", json={"email": email, "password": "Good-Passw0rd", "name": "G"}).status_code == 201
    code = mailbox.latest_code(_moto(), email)
    wrong = [c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c != code][:5]
    for guess in wrong:
        assert_problem(anon.post("/auth/verify", json={"email": email, "code": guess}), 422)
    # Locked: even the right code is refused until a new one is sent.
    assert_problem(anon.post("/auth/verify", json={"email": email, "code": code}), 409)
    assert_problem(anon.post("/auth/login", json={"email": email, "password": "Good-Passw0rd"}), 401)


def test_registering_again_replaces_an_unverified_account(anon):
    email = f"squat-{uuid.uuid4().hex[:8]}@example.com"
    # A stranger registers the address first and never verifies it...
    first = anon.post("/auth/register", json={"email": email, "password": "Stranger-Passw0rd", "name": "S"})
    assert first.status_code == 201
    stale = mailbox.latest_code(_moto(), email)
    # ...the owner registers anyway, gets a fresh code and the account.
    second = anon.post("/auth/register", json={"email": email, "password": "Owner-Passw0rd", "name": "Owner"})
    assert second.status_code == 201, second.text
    assert second.json()["userId"] != first.json()["userId"]
    code = mailbox.latest_code(_moto(), email, count=2)
    if stale != code:
        assert_problem(anon.post("/auth/verify", json={"email": email, "code": stale}), 422)
    assert anon.post("/auth/verify", json={"email": email, "code": code}).status_code == 200
    assert_problem(anon.post("/auth/login", json={"email": email, "password": "Stranger-Passw0rd"}), 401)
    assert anon.post("/auth/login", json={"email": email, "password": "Owner-Passw0rd"}).status_code == 200
    # A verified account is not replaced.
    third = anon.post("/auth/register", json={"email": email, "password": "Stranger-Passw0rd", "name": "S"})
    assert_problem(third, 409)


def test_verify_and_resend_bad_input(anon):
    assert_problem(anon.post("/auth/verify", json={"email": "nobody@example.com", "code": "123456"}), 422)
    assert_problem(anon.post("/auth/verify", json={"email": "nobody@example.com", "code": "12x456"}), 422)
    assert_problem(anon.post("/auth/verify", json={"email": "nobody@example.com"}), 400)
    assert_problem(anon.post("/auth/verify", data="{"), 400)
    # Resend answers the same for unknown addresses: it tells nothing about accounts.
    assert anon.post("/auth/verify/resend", json={"email": "nobody@example.com"}).status_code == 202
    assert_problem(anon.post("/auth/verify/resend", json={"email": "not-an-email"}), 422)


def test_identity_settings_close_public_sign_up_and_email_edits(cognito):
    """The pool admits accounts only through the shop (admin-created, verified by the
    shop's code) and users may edit only their name, never their email claim.
    moto stores these settings but does not enforce them (its SignUp and
    UpdateUserAttributes ignore both), so this checks the settings the local pool got
    from template.yaml; Cognito enforces them in AWS."""
    pool = cognito.describe_user_pool(UserPoolId=os.environ["USER_POOL_ID"])["UserPool"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    client = cognito.describe_user_pool_client(UserPoolId=os.environ["USER_POOL_ID"],
                                               ClientId=os.environ["USER_POOL_CLIENT_ID"])["UserPoolClient"]
    assert client["WriteAttributes"] == ["name"]
    assert "email" not in client["WriteAttributes"] and "email_verified" not in client["WriteAttributes"]


def test_register_bad_input(anon, customer):
    ok = {"email": f"x-{uuid.uuid4().hex[:8]}@example.com", "password": "Good-Passw0rd", "name": "X"}
    assert_problem(anon.post("/auth/register", json={**ok, "email": "not-an-email"}), 422)
    assert_problem(anon.post("/auth/register", json={**ok, "password": "short"}), 422)
    assert_problem(anon.post("/auth/register", json={**ok, "password": "alllowercase"}), 422)
    assert_problem(anon.post("/auth/register", json={**ok, "role": "admin"}), 422)
    assert_problem(anon.post("/auth/register", json={"email": ok["email"]}), 400)
    assert_problem(anon.post("/auth/register", data="{"), 400)
    assert_problem(anon.post("/auth/register", json={**ok, "email": customer.email}), 409)
    # None of the rejected attempts created an account.
    assert_problem(anon.post("/auth/login", json={"email": ok["email"], "password": ok["password"]}), 401)


def test_login_bad_input(anon, customer):
    assert_problem(anon.post("/auth/login", json={"email": customer.email, "password": "Wrong-Passw0rd"}), 401)
    assert_problem(anon.post("/auth/login", json={"email": "nobody@example.com", "password": "Whatever-1"}), 401)
    assert_problem(anon.post("/auth/login", json={"email": customer.email}), 400)
    assert_problem(anon.post("/auth/login", data="nope"), 400)


def test_authorizer_accepts_a_correctly_minted_token(customer):
    # Guards the negative cases below: the minting itself is right.
    assert Api(mint(good_claims(customer))).get("/cart").status_code == 200


@pytest.mark.parametrize("case", ["missing", "garbage", "expired", "wrong-issuer", "wrong-audience", "foreign-key", "unknown-kid"])
def test_authorizer_rejects_bad_tokens(customer, case):
    from cryptography.hazmat.primitives.asymmetric import rsa

    token = {
        "missing": None,
        "garbage": "abc.def.ghi",
        "expired": lambda: mint(good_claims(customer, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)),
        "wrong-issuer": lambda: mint(good_claims(customer, iss="https://evil.example/pool")),
        "wrong-audience": lambda: mint(good_claims(customer, aud="some-other-client")),
        "foreign-key": lambda: mint(good_claims(customer), key=rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "unknown-kid": lambda: mint(good_claims(customer), kid="not-a-kid"),
    }[case]
    token = token() if callable(token) else token
    r = Api(token).get("/cart")
    assert r.status_code == 401, r.text
    assert r.json() == {"message": "Unauthorized"}


def test_a_token_cannot_choose_its_user_by_body_or_path(customer, other_customer, seller, product):
    pid, _ = product
    # The body names another seller: rejected as an unknown field, never trusted.
    r = customer.api.post("/wishlist", json={"productId": pid, "userId": other_customer.user_id})
    assert_problem(r, 400)


def test_resend_mails_a_new_code_once_the_interval_has_passed(anon, dynamodb):
    email = f"resend-{uuid.uuid4().hex[:8]}@example.com"
    assert anon.post("/auth/register", json={"email": email, "password": "Good-Passw0rd", "name": "R"}).status_code == 201
    first = mailbox.latest_code(_moto(), email)
    # Too soon: answered, nothing sent, the first code still the one.
    assert anon.post("/auth/verify/resend", json={"email": email}).status_code == 202
    # A minute on (the last mail's time moved back in the table, as the clock would).
    dynamodb.update_item(TableName=os.environ["TABLE_NAME"], Key=keys.key(keys.email_pk(email), keys.VERIFICATION_SK),
                         UpdateExpression="SET sentAt = sentAt - :minute",
                         ExpressionAttributeValues={":minute": {"N": "61"}})
    assert anon.post("/auth/verify/resend", json={"email": email}).status_code == 202
    second = mailbox.latest_code(_moto(), email, count=2)
    assert len(mailbox.mails_to(_moto(), email)) == 2, "the early resend sent nothing"
    if second != first:
        assert_problem(anon.post("/auth/verify", json={"email": email, "code": first}), 422)
    assert anon.post("/auth/verify", json={"email": email, "code": second}).status_code == 200
