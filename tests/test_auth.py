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


def test_register_and_login(anon, dynamodb):
    email = f"new-{uuid.uuid4().hex[:8]}@Example.com"
    r = anon.post("/auth/register", json={"email": email, "password": "Good-Passw0rd", "name": " Ada "})
    assert r.status_code == 201, r.text
    profile = r.json()
    assert profile["email"] == email.lower() and profile["role"] == "customer" and profile["name"] == "Ada"
    stored = partition(dynamodb, keys.user_pk(profile["userId"]))
    assert [i["SK"]["S"] for i in stored] == [keys.PROFILE_SK]
    assert "Good-Passw0rd" not in json.dumps(stored), "a password reached the shop's table"
    r = anon.post("/auth/login", json={"email": email, "password": "Good-Passw0rd"})
    assert r.status_code == 200
    tokens = r.json()
    claims = jwt.decode(tokens["idToken"], options={"verify_signature": False})
    assert claims["sub"] == profile["userId"] and "customer" in claims["cognito:groups"]
    assert Api(tokens["idToken"]).get("/cart").status_code == 200


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
