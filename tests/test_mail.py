"""The mailer, fed by LocalStack's own SQS event-source mapping on the mail queue:
queued mails reach moto's SESv2; a poison message is retried alone and ends in the
dead-letter queue (redrive after MailMaxReceiveCount, 2 locally) without holding back
the good mails of its batch."""

import json
import os
import time
import uuid

import boto3
import pytest

import mailbox


@pytest.fixture(scope="module")
def sqs():
    return boto3.client("sqs", endpoint_url=os.environ["AWS_ENDPOINT_URL"])


def verify_mail(to, code="123456"):
    return json.dumps({"kind": "verify_email", "to": to, "name": "Mail Test", "code": code, "expires_in_minutes": 15})


def test_queued_mails_are_sent_through_sesv2(sqs):
    to = f"mail-{uuid.uuid4().hex[:8]}@example.com"
    sqs.send_message(QueueUrl=os.environ["MAIL_QUEUE_URL"], MessageBody=verify_mail(to, "424242"))
    (mail,) = mailbox.wait_for(os.environ["MOTO_ENDPOINT"], to)
    assert "424242" in mail["subject"] and "424242" in mail["body"] and "Mail Test" in mail["body"]
    assert mail["source"] == os.environ.get("MAIL_FROM", "no-reply@shop.example")


def test_a_poison_message_ends_in_the_dlq_without_blocking_its_batch(sqs):
    good = [f"good-{i}-{uuid.uuid4().hex[:8]}@example.com" for i in range(3)]
    marker = uuid.uuid4().hex
    poison = json.dumps({"kind": "not_a_mail", "marker": marker})
    entries = [{"Id": "p", "MessageBody": poison}] + [
        {"Id": f"g{i}", "MessageBody": verify_mail(to)} for i, to in enumerate(good)]
    out = sqs.send_message_batch(QueueUrl=os.environ["MAIL_QUEUE_URL"], Entries=entries)
    assert not out.get("Failed"), out

    # The good mails arrive, each exactly once.
    for to in good:
        mailbox.wait_for(os.environ["MOTO_ENDPOINT"], to)

    # The poison one is retried, then moved to the DLQ by the queue's redrive policy.
    dlq = os.environ["MAIL_DLQ_URL"]
    deadline, found = time.time() + 90, None
    while found is None and time.time() < deadline:
        for m in sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, WaitTimeSeconds=2,
                                     AttributeNames=["ApproximateReceiveCount"]).get("Messages", []):
            if marker in m["Body"]:
                found = m
                sqs.delete_message(QueueUrl=dlq, ReceiptHandle=m["ReceiptHandle"])
    assert found is not None, "the poison message never reached the DLQ"
    for to in good:
        assert len(mailbox.mails_to(os.environ["MOTO_ENDPOINT"], to)) == 1, f"{to} was sent more than once"
