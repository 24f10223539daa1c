"""Creates the local identity provider afresh — a Cognito user pool in moto with the
shop's app client and role groups — from template.yaml's own `UserPool`,
`UserPoolClient` and `AWS::Cognito::UserPoolGroup` resources, so the local pool has
the settings AWS gets (one source). Also makes the shop's mail sender a verified
SESv2 identity in moto (template parameter `MailFrom`). Prints the settings the
stack is deployed with, as JSON.

Afresh on every bring-up, because every bring-up deploys a fresh stack (a new, empty
table): a pool kept from the previous stack would hold accounts (the seed seller, the
administrator, test customers) whose profiles the new table never had, and the seed's
approval of its seller would find no seller. With moto's HASH id strategy the new pool
and client get the same ids as before.
"""

import json
import os
import sys
from pathlib import Path

import boto3
import yaml

ROOT = Path(__file__).resolve().parents[2]
POOL_NAME = "shop-local"
CLIENT_NAME = "shop-local-web"


class _CfnLoader(yaml.SafeLoader):
    pass


# Intrinsic functions (`!Ref`, `!If`, ...) become {"Fn::...": ...}; settings that use one
# depend on the stack and are left out here.
_CfnLoader.add_multi_constructor("!", lambda loader, suffix, node: {f"Fn::{suffix}": None})


def _plain(value):
    """True when a property value holds no intrinsic function."""
    if isinstance(value, dict):
        return not any(k.startswith("Fn::") or k == "Ref" for k in value) and all(map(_plain, value.values()))
    if isinstance(value, list):
        return all(map(_plain, value))
    return True


def template():
    return yaml.load((ROOT / "template.yaml").read_text(), Loader=_CfnLoader)


def api_settings(properties, drop=()):
    """CloudFormation properties of a Cognito resource as API parameters (same names),
    without the stack-dependent ones."""
    return {k: v for k, v in properties.items() if k not in drop and _plain(v)}


def main():
    endpoint = os.environ.get("MOTO_ENDPOINT", "http://127.0.0.1:5055")
    region = os.environ.get("AWS_REGION", "us-east-1")
    resources = template()["Resources"]
    pool_props = api_settings(resources["UserPool"]["Properties"], drop=("UserPoolName",))
    client_props = api_settings(resources["UserPoolClient"]["Properties"], drop=("UserPoolId", "ClientName"))
    groups = [r["Properties"]["GroupName"] for r in resources.values() if r["Type"] == "AWS::Cognito::UserPoolGroup"]

    idp = boto3.client("cognito-idp", endpoint_url=endpoint, region_name=region)
    for old in [p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == POOL_NAME]:
        idp.delete_user_pool(UserPoolId=old["Id"])
    pool_id = idp.create_user_pool(PoolName=POOL_NAME, **pool_props)["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool_id, ClientName=CLIENT_NAME,
                                            **client_props)["UserPoolClient"]["ClientId"]
    for group in groups:
        idp.create_group(UserPoolId=pool_id, GroupName=group)

    mail_from = os.environ.get("MAIL_FROM") or template()["Parameters"]["MailFrom"]["Default"]
    ses = boto3.client("sesv2", endpoint_url=endpoint, region_name=region)
    if mail_from not in {i["IdentityName"] for i in ses.list_email_identities()["EmailIdentities"]}:
        ses.create_email_identity(EmailIdentity=mail_from)

    json.dump({
        "userPoolId": pool_id,
        "clientId": client_id,
        # moto signs tokens with the issuer real Cognito would use, and serves the JWKS locally.
        "issuer": f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
        "jwksUrl": f"{endpoint}/{pool_id}/.well-known/jwks.json",
        "cognitoEndpoint": endpoint,
        "mailFrom": mail_from,
    }, sys.stdout)
    print()


if __name__ == "__main__":
    main()
