"""No log holds a password, a token, a card number or a secret key.

Runs after the rest of the suite (conftest orders it last) over everything the local stack
logged: every function's CloudWatch log group, the checkout state machine's, and the files
of .local/logs (the gateway's access log, LocalStack's, the engines'). It looks for each
password the suite sent (conftest records them), the local accounts' passwords, the Stripe
keys the functions hold, the test card numbers, and anything shaped like a JWT or a
Cognito refresh token: a signed-in request carries one in its Authorization header, and a
line that logged a header map or a sign-in answer would show it."""

import os
import re

import pytest

import cloudwatch
from checkout import DECLINED, VISA
from conftest import ROOT, SECRETS

# A JWT (header.payload.signature) or a JWE (five parts), base64url, as Cognito issues them.
TOKEN_SHAPE = re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}")
# moto's Cognito issues its refresh tokens as UUIDs (AWS's are JWEs).
UUID_SHAPE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CARDS = [VISA, DECLINED, "4000000000003220", "4000000000000002"]
LOCAL_ACCOUNTS = ["Admin-Passw0rd", "Seed-Passw0rd"]


@pytest.fixture(scope="module")
def logs():
    """(where, text) of every log the local stack wrote."""
    found = [(f"function {fn}", "\n".join(messages)) for fn, messages in cloudwatch.every_function_message().items()]
    found.append(("state machine", "\n".join(cloudwatch.group_messages(f"/aws/vendedlogs/states/{os.environ['SHOP_STACK']}-checkout"))))
    for path in sorted((ROOT / ".local" / "logs").glob("*.log")):
        found.append((str(path.relative_to(ROOT)), path.read_text(errors="replace")))
    return found


def test_the_suite_made_logs_and_secrets_to_look_for(logs):
    # The checks below are only as good as what they search: the suite signed users in
    # (tokens recorded), sent passwords, and the functions logged.
    assert len(SECRETS["tokens"]) > 50 and SECRETS["passwords"], {k: len(v) for k, v in SECRETS.items()}
    assert sum(len(text) for where, text in logs if where.startswith("function")) > 1_000_000


def test_no_log_holds_a_password_a_card_number_or_a_stripe_key(logs):
    # Passwords the shop accepts (8 characters at least); the too-short ones tests send to be
    # refused ("short") are words a log may well hold.
    passwords = {p for p in SECRETS["passwords"] if len(p) >= 8}
    assert passwords
    needles = passwords | set(LOCAL_ACCOUNTS) | set(CARDS)
    needles |= {os.environ["STRIPE_API_KEY"], os.environ["STRIPE_WEBHOOK_SECRET"]}
    leaks = sorted({(where, needle) for where, text in logs for needle in needles if needle in text})
    assert leaks == []


def test_no_log_holds_a_token(logs):
    leaks = {}
    for where, text in logs:
        for token in TOKEN_SHAPE.findall(text):
            leaks.setdefault(where, set()).add(token[:24] + "...")
    assert leaks == {}
    # The local refresh tokens, UUIDs: every UUID in the logs (request ids, order ids...)
    # against them. Between the two shapes, every token the shop handed out is searched for.
    refresh = {t for t in SECRETS["tokens"] if UUID_SHAPE.fullmatch(t)}
    assert all(TOKEN_SHAPE.fullmatch(t) for t in SECRETS["tokens"] - refresh)
    assert refresh, "no refresh token was handed out: the search below would be empty"
    leaked = {(where, u) for where, text in logs for u in set(UUID_SHAPE.findall(text)) & refresh}
    assert leaked == set()
