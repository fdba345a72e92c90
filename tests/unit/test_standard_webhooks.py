"""Call events to a Standard Webhooks endpoint, as its receiver checks them with the
`standardwebhooks` library itself (on the real clock, which that library reads): through
the queue, where a delivery names its endpoint by id and the worker reads its secrets."""
import json

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from ringback.accounts.sites import Site
from ringback.accounts.webhook_endpoints import new_secret
from ringback.adapters.memory import MemoryDeliveryQueue, MemorySites
from ringback.calls.events import Endpoint, Events, is_standard_secret
from ringback.clock import SystemClock

FIRST, SECOND = new_secret(), new_secret()


class Receiver:
    def __init__(self):
        self.received = []

    def __call__(self, url, body, headers):
        self.received.append((url, body, headers))
        return 204


def site_with(*endpoints):
    sites = MemorySites()
    sites.save(Site("s1", "t1", "Main", "pk_1", frozenset({"plumbing.example"}),
                    settings={"webhooks": [e.as_stored(SystemClock().now_ms()) for e in endpoints]}))
    return sites


def through_the_queue(sites):
    """Publish a call.missed, pass each delivery through its queue message (what SQS
    carries), and deliver it as the events worker does."""
    from ringback.calls.events import Delivery

    clock, queue, receiver = SystemClock(), MemoryDeliveryQueue(), Receiver()
    events = Events(queue, receiver, clock, sites)
    events.publish("call.missed", "tw:CA1", "t1", "s1", sites.get("s1").settings, {"caller": "+14155550001"})
    for delivery in queue.take_all():
        message = json.dumps(delivery.as_message())
        assert events.deliver(Delivery.from_message(json.loads(message))) == "delivered"
    return receiver.received


def test_new_secrets_are_what_standard_webhooks_libraries_decode():
    assert is_standard_secret(FIRST) and FIRST.startswith("whsec_") and FIRST != SECOND
    assert not is_standard_secret("whsec_" + "-_" * 21 + "a")  # URL-safe, as secrets were made before


def test_a_receiver_verifies_a_delivery_with_the_standard_webhooks_library():
    [(url, body, headers)] = through_the_queue(site_with(
        Endpoint("https://crm.example/hooks", FIRST, "wh_1", scheme="standard-webhooks")))
    assert url == "https://crm.example/hooks"
    assert Webhook(FIRST).verify(body, headers)["data"] == {"caller": "+14155550001"}
    assert headers["webhook-id"] == "call.missed:tw:CA1"
    with pytest.raises(WebhookVerificationError):
        Webhook(SECOND).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(FIRST).verify(body + b" ", headers)


def test_during_a_rotation_a_receiver_holding_either_secret_verifies():
    now = SystemClock().now_ms()
    [(_, body, headers)] = through_the_queue(site_with(Endpoint(
        "https://crm.example/hooks", SECOND, "wh_1", scheme="standard-webhooks", previous_secret=FIRST,
        previous_until=now + 60_000)))
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(FIRST).verify(body, headers)
    Webhook(SECOND).verify(body, headers)


def test_after_the_overlap_only_the_new_secret_signs():
    now = SystemClock().now_ms()
    [(_, body, headers)] = through_the_queue(site_with(Endpoint(
        "https://crm.example/hooks", SECOND, "wh_1", scheme="standard-webhooks", previous_secret=FIRST,
        previous_until=now - 1)))
    Webhook(SECOND).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(FIRST).verify(body, headers)
