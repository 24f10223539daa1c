"""Smoke test of the local moto server for what the shop uses it for: SESv2 mail and Cognito IdP auth.

Run with the moto venv against a running server (infra/local/moto/start.sh):
    .local/venv-moto/bin/python infra/local/moto/smoke_test.py [--endpoint http://127.0.0.1:5055]
Prints what it sees (token headers and claims, the sent mail as moto stores it) and exits non-zero on a failed check.
"""
import argparse
import json
import sys
import time
import urllib.request
import uuid

import boto3
import jwt
from botocore.exceptions import ClientError

ap = argparse.ArgumentParser()
ap.add_argument("--endpoint", default="http://127.0.0.1:5055")
ap.add_argument("--region", default="us-east-1")
args = ap.parse_args()
EP, REGION = args.endpoint, args.region
kw = dict(endpoint_url=EP, region_name=REGION, aws_access_key_id="test", aws_secret_access_key="test")
failures = []


def check(cond, what):
    print(("  ok   " if cond else "  FAIL ") + what)
    if not cond:
        failures.append(what)


def get_json(path):
    with urllib.request.urlopen(EP + path, timeout=5) as r:
        return json.load(r)


def expect_error(code, fn, **params):
    try:
        fn(**params)
    except ClientError as e:
        got = e.response["Error"]["Code"]
        check(got == code, f"{fn.__name__} -> {got}: {e.response['Error'].get('Message')}")
        return
    check(False, f"{fn.__name__} -> no error (wanted {code})")


run = uuid.uuid4().hex[:8]

# ---------------------------------------------------------------- SESv2
print("== SESv2")
ses = boto3.client("sesv2", **kw)
sender = "no-reply@shop.example"
ses.create_email_identity(EmailIdentity=sender)
subject = f"Order {run} confirmed"
resp = ses.send_email(
    FromEmailAddress=sender,
    Destination={"ToAddresses": [f"buyer-{run}@example.com"]},
    Content={"Simple": {"Subject": {"Data": subject},
                        "Body": {"Text": {"Data": f"Thanks for order {run}."},
                                 "Html": {"Data": f"<p>Thanks for order <b>{run}</b>.</p>"}}}},
)
print("  SendEmail MessageId:", resp["MessageId"])
data = get_json("/moto-api/data.json")
sent = [m for m in data.get("ses", {}).get("Message", []) if m.get("subject") == subject]
print("  data.json ses.Message entry:", json.dumps(sent[-1] if sent else None, indent=2))
check(len(sent) == 1, "sent mail readable at /moto-api/data.json -> ses -> Message[] (matched by subject)")
expect_error("MessageRejected", ses.send_email, FromEmailAddress=f"unknown-{run}@nowhere.example",
             Destination={"ToAddresses": ["x@example.com"]},
             Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}})

# ---------------------------------------------------------------- Cognito
print("== Cognito IdP")
idp = boto3.client("cognito-idp", **kw)
pool = idp.create_user_pool(
    PoolName=f"shop-{run}",
    UsernameAttributes=["email"],
    AutoVerifiedAttributes=["email"],
    Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireUppercase": True, "RequireLowercase": True,
                                 "RequireNumbers": True, "RequireSymbols": False}},
    Schema=[{"Name": "shop_role", "AttributeDataType": "String", "Mutable": True}],
)["UserPool"]
pool_id = pool["Id"]
print("  pool id:", pool_id, " arn:", pool["Arn"])
client = idp.create_user_pool_client(
    UserPoolId=pool_id, ClientName="web", GenerateSecret=False,
    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
)["UserPoolClient"]
client_id = client["ClientId"]
print("  client id:", client_id)
for g in ("customer", "seller", "admin"):
    idp.create_group(UserPoolId=pool_id, GroupName=g)

email, password = f"alice-{run}@example.com", "Correct-horse-9"
su = idp.sign_up(ClientId=client_id, Username=email, Password=password,
                 UserAttributes=[{"Name": "email", "Value": email}, {"Name": "custom:shop_role", "Value": "buyer"}])
print("  SignUp UserSub:", su["UserSub"], " UserConfirmed:", su["UserConfirmed"])
idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=email)
idp.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName="customer")
idp.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName="seller")
user = idp.admin_get_user(UserPoolId=pool_id, Username=email)
print("  AdminGetUser Username:", user["Username"], " status:", user["UserStatus"],
      " attrs:", {a["Name"]: a["Value"] for a in user["UserAttributes"]})

auth = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                         AuthParameters={"USERNAME": email, "PASSWORD": password})["AuthenticationResult"]
print("  AuthenticationResult keys:", sorted(auth), " ExpiresIn:", auth.get("ExpiresIn"), " TokenType:", auth.get("TokenType"))
now = int(time.time())
toks = {}
for name in ("IdToken", "AccessToken"):
    hdr = jwt.get_unverified_header(auth[name])
    claims = jwt.decode(auth[name], options={"verify_signature": False})
    toks[name] = (hdr, claims)
    print(f"  {name} header: {json.dumps(hdr)}")
    print(f"  {name} claims: {json.dumps(claims, indent=None)}")
    print(f"  {name} lifetime exp-iat = {claims['exp'] - claims['iat']} s (exp - now = {claims['exp'] - now} s)")
print("  RefreshToken (first 40 chars):", auth["RefreshToken"][:40], "... JWT?", auth["RefreshToken"].count(".") == 2)

# JWKS and signature check
jwks_path = f"/{pool_id}/.well-known/jwks.json"
jwks = get_json(jwks_path)
print(f"  JWKS at {EP}{jwks_path}: kids={[k['kid'] for k in jwks['keys']]} alg={[k.get('alg') for k in jwks['keys']]}")
try:
    oidc = get_json(f"/{pool_id}/.well-known/openid-configuration")
    print("  openid-configuration:", json.dumps(oidc))
except Exception as e:  # noqa: BLE001
    print("  openid-configuration: not served:", e)
jwk_client_keys = {k["kid"]: jwt.PyJWK(k) for k in jwks["keys"]}
id_hdr, id_claims = toks["IdToken"]
ac_hdr, ac_claims = toks["AccessToken"]
verified = jwt.decode(auth["IdToken"], jwk_client_keys[id_hdr["kid"]].key, algorithms=["RS256"],
                      audience=client_id, issuer=id_claims["iss"])
check(verified["sub"] == su["UserSub"], "IdToken RS256 signature verifies against the JWKS (aud=client id, iss checked)")
jwt.decode(auth["AccessToken"], jwk_client_keys[ac_hdr["kid"]].key, algorithms=["RS256"],
           issuer=ac_claims["iss"], options={"verify_aud": False})
check(True, "AccessToken RS256 signature verifies against the JWKS")
tampered = auth["IdToken"].rsplit(".", 1)[0] + "." + auth["AccessToken"].rsplit(".", 1)[1]
try:
    jwt.decode(tampered, jwk_client_keys[id_hdr["kid"]].key, algorithms=["RS256"], audience=client_id)
    check(False, "tampered token rejected")
except jwt.InvalidSignatureError as e:
    check(True, f"tampered token rejected ({type(e).__name__}: {e})")
check("cognito:groups" in id_claims, f"cognito:groups in IdToken: {id_claims.get('cognito:groups')}")
check("cognito:groups" in ac_claims, f"cognito:groups in AccessToken: {ac_claims.get('cognito:groups')}")
check(id_claims.get("email") == email, "email in IdToken")
print("  email in AccessToken:", "email" in ac_claims)

# GetUser with the access token (what an authorizer-less API would do)
gu = idp.get_user(AccessToken=auth["AccessToken"])
print("  GetUser(AccessToken) Username:", gu["Username"])

# Refresh
ref = idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                        AuthParameters={"REFRESH_TOKEN": auth["RefreshToken"]})["AuthenticationResult"]
print("  REFRESH_TOKEN_AUTH keys:", sorted(ref))

print("== Cognito errors")
expect_error("NotAuthorizedException", idp.initiate_auth, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
             AuthParameters={"USERNAME": email, "PASSWORD": "Wrong-password-9"})
expect_error("UserNotFoundException", idp.initiate_auth, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
             AuthParameters={"USERNAME": f"nobody-{run}@example.com", "PASSWORD": password})
expect_error("UsernameExistsException", idp.sign_up, ClientId=client_id, Username=email, Password=password,
             UserAttributes=[{"Name": "email", "Value": email}])
expect_error("InvalidPasswordException", idp.sign_up, ClientId=client_id, Username=f"bob-{run}@example.com",
             Password="short", UserAttributes=[{"Name": "email", "Value": f"bob-{run}@example.com"}])
expect_error("InvalidPasswordException", idp.sign_up, ClientId=client_id, Username=f"carol-{run}@example.com",
             Password="alllowercase99", UserAttributes=[{"Name": "email", "Value": f"carol-{run}@example.com"}])
# unconfirmed user
dave = f"dave-{run}@example.com"
idp.sign_up(ClientId=client_id, Username=dave, Password=password, UserAttributes=[{"Name": "email", "Value": dave}])
expect_error("UserNotConfirmedException", idp.initiate_auth, ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
             AuthParameters={"USERNAME": dave, "PASSWORD": password})

print(json.dumps({"pool_id": pool_id, "client_id": client_id, "kid": id_hdr["kid"],
                  "jwks_n_prefix": jwks["keys"][0]["n"][:24]}))
if failures:
    print("FAILED:", *failures, sep="\n  ")
    sys.exit(1)
print("all checks passed")
