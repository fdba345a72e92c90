import json

from ringback.adapters.memory import MemoryDeliveryQueue
from ringback.clock import ManualClock
from ringback.calls.events import BACKOFF_SECONDS, MAX_QUEUE_DELAY, Events, sign, verify

SECRET = "whsec-0123456789abcdef0123"
SETTINGS = {"webhooks": [{"url": "https://crm.example/hooks", "secret": SECRET},
                         {"url": "https://other.example/in", "secret": "another-secret-of-24-chars"}]}


class Receiver:
    def __init__(self, statuses):
        self.statuses, self.received = list(statuses), []

    def __call__(self, url, body, headers):
        self.received.append((url, body, headers))
        return self.statuses.pop(0) if self.statuses else 200


def world(statuses=()):
    clock, queue, receiver = ManualClock(1_800_000_000_000), MemoryDeliveryQueue(), Receiver(statuses)
    return Events(queue, receiver, clock), clock, queue, receiver


def test_each_subscribed_endpoint_gets_the_event_signed_so_the_receiver_can_verify_it():
    events, clock, queue, receiver = world()
    assert events.publish("call.missed", "tw:CA1", "t1", "s1", SETTINGS, {"caller": "+14155550001"}) == 2
    results = [events.deliver(d) for d in queue.take_all()]
    assert results == ["delivered", "delivered"]
    url, body, headers = receiver.received[0]
    assert url == "https://crm.example/hooks" and headers["Ringback-Event-Id"] == "call.missed:tw:CA1"
    assert json.loads(body)["data"] == {"caller": "+14155550001"}
    assert verify(SECRET, headers["Ringback-Signature"], body, clock.now_ms() // 1000)
    assert not verify("wrong-secret-wrong-secret", headers["Ringback-Signature"], body, clock.now_ms() // 1000)
    assert not verify(SECRET, headers["Ringback-Signature"], body + b" ", clock.now_ms() // 1000)
    assert not verify(SECRET, headers["Ringback-Signature"], body, clock.now_ms() // 1000 + 3600)  # a replay


def test_a_failing_endpoint_is_retried_with_backoff_then_given_up():
    events, clock, queue, receiver = world(statuses=[500] * 10)
    events.publish("call.answered", "tw:CA1", "t1", "s1", {"webhooks": SETTINGS["webhooks"][:1]}, {})
    outcomes = []
    for _ in range(40):  # run the queue like the worker does, letting simulated time pass
        pending = queue.waiting[:]
        queue.waiting.clear()
        for delivery, delay in pending:
            clock.advance(seconds=delay)
            outcomes.append(events.deliver(delivery))
        if not queue.waiting:
            break
    attempts = [r for r in outcomes if r != "waiting"]
    assert attempts == ["retrying"] * len(BACKOFF_SECONDS) + ["given_up"]
    assert len(receiver.received) == len(BACKOFF_SECONDS) + 1
    assert {h["Ringback-Event-Id"] for _, _, h in receiver.received} == {"call.answered:tw:CA1"}


def test_no_queue_delay_exceeds_what_sqs_allows():
    events, clock, queue, receiver = world(statuses=[503] * 5)
    events.publish("call.answered", "tw:CA1", "t1", "s1", {"webhooks": SETTINGS["webhooks"][:1]}, {})
    for _ in range(30):
        pending = queue.waiting[:]
        queue.waiting.clear()
        for delivery, delay in pending:
            assert delay <= MAX_QUEUE_DELAY
            clock.advance(seconds=delay)
            events.deliver(delivery)


def test_the_signature_format():
    assert sign("k" * 24, 100, b"{}").startswith("t=100,v1=")
