"""Creates (once) the local identity provider: a Cognito user pool in moto with the
shop's app client and role groups, mirroring UserPool/UserPoolClient/*Group in
template.yaml. Prints the settings the stack is deployed with, as JSON.

moto keeps state in memory: after a moto restart this runs again and, with moto's
HASH id strategy, yields the same ids.
"""

import json
import os
import sys

import boto3

POOL_NAME = "shop-local"
CLIENT_NAME = "shop-local-web"
GROUPS = ("customer", "seller", "admin")


def main():
    endpoint = os.environ.get("MOTO_ENDPOINT", "http://127.0.0.1:5055")
    region = os.environ.get("AWS_REGION", "us-east-1")
    idp = boto3.client("cognito-idp", endpoint_url=endpoint, region_name=region)
    pools = [p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == POOL_NAME]
    if pools:
        pool_id = pools[0]["Id"]
    else:
        pool_id = idp.create_user_pool(
            PoolName=POOL_NAME,
            UsernameAttributes=["email"],
            AutoVerifiedAttributes=["email"],
            Policies={"PasswordPolicy": {"MinimumLength": 8, "RequireLowercase": True, "RequireUppercase": True,
                                         "RequireNumbers": True, "RequireSymbols": False}},
        )["UserPool"]["Id"]
    clients = [c for c in idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
               if c["ClientName"] == CLIENT_NAME]
    if clients:
        client_id = clients[0]["ClientId"]
    else:
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName=CLIENT_NAME, GenerateSecret=False,
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
    existing = {g["GroupName"] for g in idp.list_groups(UserPoolId=pool_id)["Groups"]}
    for group in GROUPS:
        if group not in existing:
            idp.create_group(UserPoolId=pool_id, GroupName=group)
    json.dump({
        "userPoolId": pool_id,
        "clientId": client_id,
        # moto signs tokens with the issuer real Cognito would use, and serves the JWKS locally.
        "issuer": f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
        "jwksUrl": f"{endpoint}/{pool_id}/.well-known/jwks.json",
        "cognitoEndpoint": endpoint,
    }, sys.stdout)
    print()


if __name__ == "__main__":
    main()
