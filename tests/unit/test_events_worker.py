"""The dialer's events worker, as Lambda's SQS event source drives it: one message is one
delivery, and a delivery that cannot be attempted is reported alone (a partial batch
response), so the rest of its batch is neither lost nor posted twice."""
import json
from dataclasses import replace

import pytest
from chalice.test import Client

from infra.catalog import load_app
from ringback import bootstrap
from ringback.accounts.sites import Site
from ringback.adapters.memory import MemoryDeliveryQueue
from ringback.bootstrap import build_memory_services
from ringback.calls.events import Endpoint, Events, verify_standard
from ringback.clock import ManualClock

NOW = 1_800_000_000_000
SECRET = "whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


class Receiver:
    def __init__(self):
        self.received = []

    def __call__(self, url, body, headers):
        self.received.append((url, body, headers))
        return 200


@pytest.fixture
def worker():
    clock, receiver = ManualClock(NOW), Receiver()
    services = build_memory_services(clock)
    endpoint = Endpoint("https://crm.example/hooks", SECRET, "wh_1", scheme="standard-webhooks")
    services.sites.save(Site("s1", "t1", "Main", "pk_1", frozenset({"plumbing.example"}),
                             settings={"webhooks": [endpoint.as_stored(NOW)]}))
    queue = MemoryDeliveryQueue()
    bootstrap.install(replace(services, events=Events(queue, receiver, clock, services.sites)))
    yield queue, receiver
    bootstrap.install(None)


def message(call: str) -> str:
    return json.dumps({"event_id": f"call.missed:tw:{call}", "event_type": "call.missed", "tenant_id": "t1",
                       "site_id": "s1", "occurred_at": NOW, "data": {"call": call}, "webhook_id": "wh_1"})


def test_one_bad_delivery_is_retried_alone(worker):
    queue, receiver = worker
    with Client(load_app("dialer")) as client:
        event = client.events.generate_sqs_event(message_bodies=[message("CA1"), "{not a delivery", message("CA2")])
        answer = client.lambda_.invoke("deliver_events", event).payload
    bad = event["Records"][1]["messageId"]
    assert answer == {"batchItemFailures": [{"itemIdentifier": bad}]}
    # The two good ones went out once each, signed with the secret the worker read itself.
    assert [json.loads(body)["data"]["call"] for _, body, _ in receiver.received] == ["CA1", "CA2"]
    assert all(verify_standard(SECRET, headers, body, NOW // 1000) for _, body, headers in receiver.received)
    assert queue.waiting == []


def test_a_batch_that_all_went_out_reports_no_failures(worker):
    _, receiver = worker
    with Client(load_app("dialer")) as client:
        event = client.events.generate_sqs_event(message_bodies=[message("CA1")])
        assert client.lambda_.invoke("deliver_events", event).payload == {"batchItemFailures": []}
    assert len(receiver.received) == 1
