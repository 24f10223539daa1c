"""Accounts the local shop and its tests need beyond a plain registration: the local
administrator (the operator's step is Cognito's admin API, as in AWS) and sellers an
administrator approved. Used by infra/local (bring-up, seed) and by the tests."""

import requests

import mailbox

# The local stack's one administrator (infra/local/up.sh creates it; README names it).
LOCAL_ADMIN = {"email": "admin@shop.example", "password": "Admin-Passw0rd", "name": "Shop Admin"}


def sign_in(api_url, email, password):
    """An id token for the account."""
    r = requests.post(f"{api_url}/auth/login", json={"email": email, "password": password}, timeout=30)
    assert r.status_code == 200, f"sign-in of {email}: {r.status_code} {r.text}"
    return r.json()["idToken"]


def ensure_admin(api_url, moto_endpoint, pool_id, cognito, account=LOCAL_ADMIN):
    """Registers and verifies the account if it is new, and puts it in the `admin` group
    (the operator's step: only the identity provider's admin API grants the role)."""
    r = mailbox.register_verified(api_url, moto_endpoint, account["email"], account["password"], account["name"])
    assert r.status_code in (201, 409), f"registering {account['email']}: {r.status_code} {r.text}"
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=account["email"], GroupName="admin")
    return sign_in(api_url, account["email"], account["password"])


def seller_id(api_url, seller_token):
    """The public id of the signed-in seller's account."""
    r = requests.get(f"{api_url}/seller/profile", headers={"authorization": f"Bearer {seller_token}"}, timeout=30)
    assert r.status_code == 200, f"GET /seller/profile: {r.status_code} {r.text}"
    return r.json()["id"]


def approve(api_url, admin_token, seller_token):
    """An administrator approves the signed-in seller's application; returns its public id."""
    sid = seller_id(api_url, seller_token)
    r = requests.post(f"{api_url}/admin/sellers/{sid}/approve",
                      headers={"authorization": f"Bearer {admin_token}"}, timeout=60)
    assert r.status_code == 200, f"approving {sid}: {r.status_code} {r.text}"
    return sid
