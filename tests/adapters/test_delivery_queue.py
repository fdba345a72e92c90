"""Webhook retries on a real SQS queue (moto server): a failed delivery comes back later, not
at once, and a retry longer than SQS allows is held back in steps until its time."""
from __future__ import annotations

import pytest

from devstack import aws
from ringback.accounts.sites import Site
from ringback.adapters.memory import MemorySites
from ringback.adapters.sqs import SqsDeliveryQueue, deliveries_of
from ringback.calls.events import MAX_QUEUE_DELAY, Events
from ringback.clock import ManualClock

SECRET = "whsec-0123456789abcdef0123"
SITE = {"webhooks": [{"url": "https://crm.example/hooks", "secret": SECRET}]}


def sites():
    """The site the worker reads each endpoint from: the queue carries its id only."""
    directory = MemorySites()
    directory.save(Site("s1", "t1", "Main", "pk_1", frozenset({"crm.example"}), settings=SITE))
    return directory


@pytest.fixture
def queue(local_aws, uid):
    sqs = aws.client("sqs", local_aws)
    url = sqs.create_queue(QueueName=uid("call-events"))["QueueUrl"]
    yield sqs, url
    sqs.delete_queue(QueueUrl=url)


def counts(sqs, url) -> tuple[int, int]:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesDelayed"])


def take(sqs, url):
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
    for message in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return deliveries_of([{"body": m["Body"]} for m in messages])


def test_a_failed_delivery_is_back_on_the_queue_after_thirty_seconds_not_at_once(queue):
    sqs, url = queue
    clock = ManualClock(1_800_000_000_000)
    events = Events(SqsDeliveryQueue(url, client=sqs), lambda *_: 503, clock, sites())

    events.publish("call.missed", "tw:CA1", "t1", "s1", SITE, {"caller": "+14155550001"})
    [first] = take(sqs, url)
    assert events.deliver(first) == "retrying"

    assert take(sqs, url) == []  # held back by the queue, not handed out again at once
    assert counts(sqs, url) == (0, 1)


def test_a_six_hour_retry_waits_on_the_queue_in_fifteen_minute_steps(queue):
    sqs, url = queue
    clock = ManualClock(1_800_000_000_000)
    delays: list[int] = []
    posts: list[str] = []

    class VisibleAtOnce(SqsDeliveryQueue):
        """Records the delay asked for, then queues without it so the test need not wait."""

        def send(self, delivery, delay_seconds):
            delays.append(delay_seconds)
            super().send(delivery, 0)

    events = Events(VisibleAtOnce(url, client=sqs), lambda url, *_: posts.append(url) or 500, clock, sites())
    events.publish("call.missed", "tw:CA1", "t1", "s1", SITE, {})
    [delivery] = take(sqs, url)
    for attempt in range(1, 6):  # every attempt fails; the fifth schedules the 6-hour retry
        assert events.deliver(delivery) == "retrying"
        [delivery] = take(sqs, url)
        if attempt < 5:
            clock.advance(seconds=(delivery.not_before - clock.now_ms()) // 1000)
    assert delivery.attempt == 6 and len(posts) == 5
    # 30 s, 2 min and 10 min fit one SQS delay; 1 h and 6 h are held in 15-minute steps.
    assert delays == [0, 30, 120, 600, MAX_QUEUE_DELAY, MAX_QUEUE_DELAY]

    clock.advance(seconds=MAX_QUEUE_DELAY)  # back from one 15-minute hold, 5 h 45 min early
    assert events.deliver(delivery) == "waiting"
    [again] = take(sqs, url)
    assert (again.event_id, again.attempt, again.not_before) == ("call.missed:tw:CA1", 6, delivery.not_before)
    assert len(posts) == 5 and delays[-1] == MAX_QUEUE_DELAY and len(delays) == 7


def test_a_queued_delivery_carries_no_secret_and_no_url(queue):
    sqs, url = queue
    events = Events(SqsDeliveryQueue(url, client=sqs), lambda *_: 200, ManualClock(1_800_000_000_000), sites())
    events.publish("call.missed", "tw:CA1", "t1", "s1", SITE, {"caller": "+14155550001"})
    [message] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)["Messages"]
    assert SECRET not in message["Body"] and "crm.example" not in message["Body"]
    [delivery] = deliveries_of([{"body": message["Body"]}])
    assert events.deliver(delivery) == "delivered"  # the worker reads the endpoint from the site
