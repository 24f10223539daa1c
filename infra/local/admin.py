"""Makes the local stack's administrator (tests/accounts.py LOCAL_ADMIN): registered and
verified through the shop's API like anyone, then added to the `admin` group with
Cognito's admin API, which is how an operator makes one in AWS (README, "Sellers").
Idempotent: an existing account is only put in the group again."""

import os
import sys
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
import accounts  # noqa: E402


def main():
    moto = os.environ["MOTO_ENDPOINT"]
    cognito = boto3.client("cognito-idp", endpoint_url=moto)
    accounts.ensure_admin(os.environ["SHOP_API_URL"], moto, os.environ["USER_POOL_ID"], cognito)
    print(accounts.LOCAL_ADMIN["email"])


if __name__ == "__main__":
    main()
