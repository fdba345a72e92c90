import json

from ringback.adapters.memory import MemoryDeliveryQueue
from ringback.calls.events import BACKOFF_SECONDS, MAX_QUEUE_DELAY, Events, sign, verify
from ringback.clock import ManualClock

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


# -- endpoints managed through the API: subscriptions, rotation, removal --------------------

from ringback.accounts.sites import Site  # noqa: E402
from ringback.adapters.memory import MemorySites  # noqa: E402
from ringback.calls.events import ROTATION_OVERLAP_MS, Delivery, Endpoint, endpoints_of  # noqa: E402

OLD, NEW = "whsec_old-0123456789abcdef", "whsec_new-0123456789abcdef"


def test_during_a_rotation_a_receiver_holding_either_secret_verifies():
    header = sign([NEW, OLD], 100, b"{}")
    assert header.count("v1=") == 2 and header.startswith("t=100,v1=")
    assert verify(NEW, header, b"{}", 100) and verify(OLD, header, b"{}", 100)
    assert not verify("whsec_someone-else-0123456789", header, b"{}", 100)
    assert verify(OLD, header + ",v2=unknown-scheme", b"{}", 100)  # schemes a receiver does not know are ignored
    assert not verify(OLD, "v1=abc", b"{}", 100) and not verify(OLD, "t=x,v1=abc", b"{}", 100)


def test_the_old_secret_signs_only_until_its_overlap_ends():
    endpoint = Endpoint("https://crm.example/hooks", NEW, previous_secret=OLD, previous_until=5_000)
    assert endpoint.secrets_at(4_999) == (NEW, OLD)
    assert endpoint.secrets_at(5_000) == (NEW,)
    assert "previous_secret" not in endpoint.as_stored(5_000)  # and is dropped with the next write


def test_only_enabled_endpoints_subscribed_to_the_type_are_sent_it():
    events, clock, queue, receiver = world()
    settings = {"webhooks": [
        {"id": "wh_all", "url": "https://a.example/in", "secret": SECRET},
        {"id": "wh_missed", "url": "https://b.example/in", "secret": SECRET, "events": ["call.missed"]},
        {"id": "wh_off", "url": "https://c.example/in", "secret": SECRET, "enabled": False},
    ]}
    assert events.publish("call.answered", "tw:CA1", "t1", "s1", settings, {}) == 1
    assert events.publish("call.missed", "tw:CA2", "t1", "s1", settings, {}) == 2
    assert sorted(d.endpoint.webhook_id for d in queue.take_all()) == ["wh_all", "wh_all", "wh_missed"]


def _site_with(endpoint: dict) -> tuple[MemorySites, Site]:
    sites = MemorySites()
    site = Site("s1", "t1", "Shop", "pk_x", frozenset({"shop.example"}), settings={"webhooks": [endpoint]})
    sites.save(site)
    return sites, site


def test_a_retry_after_a_rotation_is_signed_with_the_secrets_of_then():
    sites, site = _site_with({"id": "wh_1", "url": "https://crm.example/hooks", "secret": OLD})
    clock, queue, receiver = ManualClock(1_800_000_000_000), MemoryDeliveryQueue(), Receiver([500])
    events = Events(queue, receiver, clock, sites)
    events.publish("call.missed", "tw:CA1", "t1", "s1", site.settings, {})
    assert events.deliver(queue.take_all()[0]) == "retrying"
    rotated = {"id": "wh_1", "url": "https://crm.example/hooks", "secret": NEW, "previous_secret": OLD,
               "previous_until": clock.now_ms() + ROTATION_OVERLAP_MS}
    sites.save(Site(**{**sites.get("s1").__dict__, "settings": {"webhooks": [rotated]}}))
    [(retry, delay)] = queue.waiting
    clock.advance(seconds=delay)
    assert events.deliver(retry) == "delivered"
    _, body, headers = receiver.received[-1]
    now_s = clock.now_ms() // 1000
    assert verify(NEW, headers["Ringback-Signature"], body, now_s)
    assert verify(OLD, headers["Ringback-Signature"], body, now_s)


def test_an_endpoint_removed_or_disabled_since_the_event_gets_no_more_attempts():
    sites, site = _site_with({"id": "wh_1", "url": "https://crm.example/hooks", "secret": OLD})
    clock, queue, receiver = ManualClock(1_800_000_000_000), MemoryDeliveryQueue(), Receiver([])
    events = Events(queue, receiver, clock, sites)
    events.publish("call.missed", "tw:CA1", "t1", "s1", site.settings, {})
    queued = queue.take_all()[0]
    sites.save(Site(**{**sites.get("s1").__dict__, "settings": {"webhooks": [
        {"id": "wh_1", "url": "https://crm.example/hooks", "secret": OLD, "enabled": False}]}}))
    assert events.deliver(queued) == "dropped"
    sites.save(Site(**{**sites.get("s1").__dict__, "settings": {"webhooks": []}}))
    assert events.deliver(queued) == "dropped"
    assert receiver.received == []


def test_deliveries_queued_before_endpoints_had_ids_still_go_out():
    sites, _ = _site_with({"url": "https://crm.example/hooks", "secret": OLD})
    clock, queue, receiver = ManualClock(1_800_000_000_000), MemoryDeliveryQueue(), Receiver([])
    events = Events(queue, receiver, clock, sites)
    old_message = {"event_id": "call.missed:tw:CA1", "event_type": "call.missed", "tenant_id": "t1",
                   "site_id": "s1", "occurred_at": 1, "data": {},
                   "endpoint": {"url": "https://crm.example/hooks", "secret": OLD}}
    assert events.deliver(Delivery.from_message(old_message)) == "delivered"
    # A stored endpoint without an id gets a stable one, so the API can name it.
    [endpoint] = endpoints_of(sites.get("s1").settings)
    assert endpoint.webhook_id and endpoint.webhook_id.startswith("wh_")


def test_a_queued_delivery_names_its_endpoint_by_id_and_carries_no_secret_or_url():
    delivery = Delivery("call.missed:tw:CA1", "call.missed", "t1", "s1", 1, {"caller": "+14155550123"},
                        Endpoint("https://crm.example/hooks", NEW, "wh_1", ("call.missed",), previous_secret=OLD,
                                 previous_until=10), attempt=2, not_before=5)
    message = json.dumps(delivery.as_message())
    assert NEW not in message and OLD not in message and "crm.example" not in message
    back = Delivery.from_message(json.loads(message))
    assert (back.webhook_id, back.endpoint, back.attempt, back.not_before, back.data) == (
        "wh_1", None, 2, 5, {"caller": "+14155550123"})


def test_the_readmes_receiver_code_verifies_what_we_send():
    import re
    import time
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    code = re.search(r"Verify it\s+like this.*?```python\n(.*?)```", readme, re.S).group(1)
    scope: dict = {}
    exec(code, scope)  # noqa: S102 - the README's own example
    body, now = b'{"id":"x"}', int(time.time())
    assert scope["verify"](OLD, sign([NEW, OLD], now, body), body)
    assert scope["verify"](NEW, sign([NEW, OLD], now, body), body)
    assert not scope["verify"]("whsec_other-0123456789abcdef", sign([NEW, OLD], now, body), body)
    assert not scope["verify"](NEW, sign(NEW, now - 3600, body), body)
