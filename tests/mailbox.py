"""The shop's outgoing mail as the local stack delivers it: the mailer function
(fed by LocalStack's SQS event-source mapping) sends through SESv2 to moto, which
keeps every sent message (`GET /moto-api/data.json`, `ses` → `Message`).

Used by the tests and by infra/local/seed.py to complete a registration the way a
customer does: read the code from the mail, send it back to `POST /auth/verify`.
"""

import re
import time

import requests

CODE = re.compile(r"verification code is (\d{6})")


def sent(moto_endpoint):
    """Every mail moto has accepted so far: dicts with destinations, subject, body."""
    data = requests.get(f"{moto_endpoint}/moto-api/data.json", timeout=30).json()
    return list(data.get("ses", {}).get("Message", []))


def mails_to(moto_endpoint, address):
    return [m for m in sent(moto_endpoint) if address in m.get("destinations", {}).get("ToAddresses", [])]


def wait_for(moto_endpoint, address, count=1, timeout=60):
    """The first `count` mails to `address`, waiting for the mailer to deliver them."""
    deadline = time.time() + timeout
    while True:
        mails = mails_to(moto_endpoint, address)
        if len(mails) >= count:
            return mails
        if time.time() > deadline:
            raise AssertionError(f"{len(mails)} of {count} mails to {address} arrived within {timeout} s")
        time.sleep(0.3)


def latest_code(moto_endpoint, address, count=1, timeout=60):
    """The code in the `count`-th verification mail to `address`."""
    body = wait_for(moto_endpoint, address, count, timeout)[count - 1]["body"]
    match = CODE.search(body)
    assert match, body
    return match.group(1)


def register_verified(api_url, moto_endpoint, email, password, name, role="customer", timeout=60):
    """Registers and verifies an account through the shop's API; returns the registration
    answer. An address already verified answers 409, returned as is."""
    before = len(mails_to(moto_endpoint, email))
    r = requests.post(f"{api_url}/auth/register", timeout=30,
                      json={"email": email, "password": password, "name": name, "role": role})
    if r.status_code != 201:
        return r
    code = latest_code(moto_endpoint, email, before + 1, timeout)
    v = requests.post(f"{api_url}/auth/verify", json={"email": email, "code": code}, timeout=30)
    assert v.status_code == 200, v.text
    return r
