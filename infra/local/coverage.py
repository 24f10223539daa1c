"""Loads the carrier's sample coverage into a running local shop, as an operator does in AWS:
uploads infra/local/carrier/coverage.csv to the carrier bucket (`carrier/coverage.csv`) and
waits until the shop made it current (the `CARRIER` / `COVERAGE` pointer names its ETag).
Without coverage the carrier serves nowhere, so no order could be placed: up.sh runs this on
every bring-up. Uploading the same content again changes nothing (the version is its ETag).
"""

import json
import os
import sys
import time
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
import keys  # noqa: E402  (the table's key schema)

SAMPLE = Path(__file__).resolve().parent / "carrier" / "coverage.csv"


def main(timeout=60):
    endpoint = os.environ["AWS_ENDPOINT_URL"]
    s3 = boto3.client("s3", endpoint_url=endpoint)
    dynamodb = boto3.client("dynamodb", endpoint_url=endpoint)
    etag = s3.put_object(Bucket=os.environ["CARRIER_BUCKET"], Key="carrier/coverage.csv",
                         Body=SAMPLE.read_bytes(), ContentType="text/csv")["ETag"].strip('"')
    deadline = time.monotonic() + timeout
    while True:
        pointer = dynamodb.get_item(TableName=os.environ["TABLE_NAME"], ConsistentRead=True,
                                    Key=keys.key(keys.CARRIER_PK, keys.COVERAGE_SK)).get("Item", {})
        if pointer.get("version", {}).get("S") == etag:
            countries = [c["S"] for c in pointer["countries"]["L"]]
            print(json.dumps({"coverage": etag, "countries": countries}))
            return
        if time.monotonic() > deadline:
            sys.exit(f"the coverage upload {etag} was not made current within {timeout} s: {pointer}")
        time.sleep(0.3)


if __name__ == "__main__":
    main()
