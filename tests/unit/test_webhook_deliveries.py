"""The webhook delivery log, as a customer's admin reads it: every attempt of a call event
and every test delivery is there, newest first, with its outcome, status and duration;
nothing of the body or secret is kept; a log that cannot be written never changes a
delivery; and the list is the endpoint's own tenant's only."""
import json
from dataclasses import replace

import pytest

from ringback.accounts.webhook_endpoints import WebhookEndpoints
from ringback.adapters.memory import MemoryDeliveryQueue
from ringback.adapters.memory_deliveries import MemoryDeliveryLog
from ringback.calls.deliveries import KEPT_MS
from ringback.calls.events import BACKOFF_SECONDS, EVENT_TYPES, Events
from ringback.clock import ManualClock
from ringback.url_guard import RefusedDestination
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

NOW = 1_780_000_000_000
SECRET = "whsec-0123456789abcdef0123"
HOOK = {"id": "wh_crm", "url": "https://crm.example/hooks", "secret": SECRET}


class Receiver:
    """The customer's endpoint: answers each request with the next of `answers` (a status,
    or an OSError raised), 200 when they run out; each takes `takes_ms` of the stopwatch."""

    def __init__(self, *answers, takes_ms=0):
        self.answers, self.received, self.takes_ms, self.now = list(answers), [], takes_ms, 0.0

    def stopwatch(self):
        return self.now

    def __call__(self, url, body, headers):
        self.received.append((url, body, headers))
        self.now += self.takes_ms / 1000
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, OSError):
            raise answer
        return answer


def events_world(*answers, takes_ms=0):
    clock, queue, log = ManualClock(NOW), MemoryDeliveryQueue(), MemoryDeliveryLog()
    receiver = Receiver(*answers, takes_ms=takes_ms)
    return Events(queue, receiver, clock, deliveries=log, stopwatch=receiver.stopwatch), clock, queue, log


def attempts(log, endpoint="wh_crm", site="s1", tenant="t1"):
    return log.of_endpoint(tenant, site, endpoint, 0, 100, None)[0]


def run_queue(events, clock, queue):
    """Deliver what is queued as the worker does, letting the queue's delays pass."""
    results = []
    while queue.waiting:
        pending, queue.waiting[:] = queue.waiting[:], []
        for delivery, delay in pending:
            clock.advance(seconds=delay)
            results.append(events.deliver(delivery))
    return results


def test_each_attempt_of_an_event_is_kept_with_its_outcome_status_and_duration():
    events, clock, queue, log = events_world(503, takes_ms=120)
    events.publish("call.missed", "tw:CA1", "t1", "s1", {"webhooks": [HOOK]}, {"caller": "+14155550001"})
    assert run_queue(events, clock, queue) == ["retrying", "delivered"]
    newest, first = attempts(log)
    assert (first.event_id, first.event_type, first.attempt, first.at) == ("call.missed:tw:CA1", "call.missed", 1, NOW)
    assert (first.outcome, first.http_status, first.duration_ms, first.error) == ("failed", 503, 120,
                                                                                 "answered HTTP 503")
    assert (newest.attempt, newest.outcome, newest.http_status, newest.error) == (2, "delivered", 200, None)
    assert newest.at == NOW + BACKOFF_SECONDS[0] * 1000 and newest.delivery_id > first.delivery_id
    # Neither the body nor the secret nor the caller's number is in the log.
    kept = json.dumps([a.as_json() for a in attempts(log)])
    assert SECRET not in kept and "4155550001" not in kept and "https://crm.example" not in kept


@pytest.mark.parametrize("error,outcome,text", [
    (RefusedDestination("crm.example resolves to a private address; we reach public hosts only",
                        "crm.example resolves to a private address"), "refused", "private address"),
    (TimeoutError("timed out"), "timed_out", "no answer in time"),
    (ConnectionRefusedError(111, "Connection refused"), "failed", "Connection refused"),
])
def test_no_answer_is_told_apart_refused_timed_out_or_failed(error, outcome, text):
    events, clock, queue, log = events_world(error)
    events.publish("call.answered", "tw:CA2", "t1", "s1", {"webhooks": [HOOK]}, {})
    assert events.deliver(queue.take_all()[0]) == "retrying"  # retried as before, whatever the outcome
    (attempt,) = attempts(log)
    assert (attempt.outcome, attempt.http_status) == (outcome, None) and text in attempt.error


def test_an_error_text_that_holds_a_phone_number_is_kept_masked():
    events, clock, queue, log = events_world(OSError("crm.example said: call +1 415 555 0142 for help"))
    events.publish("call.answered", "tw:CA3", "t1", "s1", {"webhooks": [HOOK]}, {})
    events.deliver(queue.take_all()[0])
    (attempt,) = attempts(log)
    assert "555 0142" not in attempt.error and "42" in attempt.error and len(attempt.error) <= 200


@pytest.mark.parametrize("status,result", [(200, "delivered"), (500, "retrying")])
def test_a_log_that_cannot_be_written_changes_nothing_about_the_delivery(status, result, caplog):
    events, clock, queue, log = events_world(status)
    log.failing = RuntimeError("AccessDeniedException: not authorized to perform dynamodb:PutItem")
    events.publish("call.missed", "tw:CA4", "t1", "s1", {"webhooks": [HOOK]}, {})
    assert events.deliver(queue.take_all()[0]) == result
    assert len(queue.waiting) == (1 if status == 500 else 0)  # one retry, as without a log
    assert "webhook delivery not recorded" in caplog.text and "call.missed:tw:CA4" in caplog.text


def test_an_endpoint_stored_without_an_id_is_logged_under_the_id_the_api_shows():
    events, clock, queue, log = events_world()
    events.publish("call.missed", "tw:CA5", "t1", "s1", {"webhooks": [{"url": HOOK["url"], "secret": SECRET}]}, {})
    run_queue(events, clock, queue)
    from ringback.calls.events import legacy_id

    assert [a.outcome for a in attempts(log, endpoint=legacy_id(HOOK["url"]))] == ["delivered"]


# -- through the API -----------------------------------------------------------------------


@pytest.fixture
def world():
    receiver, log, queue = Receiver(takes_ms=35), MemoryDeliveryLog(), MemoryDeliveryQueue()

    def with_receiver(services):
        return replace(
            services,
            webhooks=WebhookEndpoints(services.sites, services.audit, receiver, deliveries=log,
                                      stopwatch=receiver.stopwatch),
            events=Events(queue, receiver, services.clock, services.sites, log, stopwatch=receiver.stopwatch))

    with shop_and_other(NOW, with_receiver) as services:
        yield services, receiver, queue


def call(method, path, user="u-admin", body=None, etag=None):
    return call_function("pool", method, path, user, body, {"If-Match": etag} if etag else None)


@pytest.fixture
def hook(world):
    status, site, _ = call("POST", "/v1/sites", body={"name": "Joe's Plumbing", "domains": ["joes.example"]})
    assert status == 201, site
    etag = call("GET", f"/v1/sites/{site['siteId']}/webhooks")[2]["ETag"]
    status, created, _ = call("POST", f"/v1/sites/{site['siteId']}/webhooks",
                              body={"url": "https://crm.example/hooks"}, etag=etag)
    assert status == 201, created
    return site["siteId"], created["webhookId"]


def deliver_event(world, site, call_id, event_type="call.missed"):
    svc, _, queue = world
    svc.events.publish(event_type, call_id, "shop", site, svc.sites.get(site).settings, {})
    for delivery in queue.take_all():
        svc.events.deliver(delivery)


def test_an_admin_sees_a_call_events_delivery_and_a_test_delivery_newest_first(world, hook):
    svc, receiver, _ = world
    site, webhook_id = hook
    receiver.answers = [502]
    deliver_event(world, site, "tw:CA1")
    svc.clock.advance(seconds=5)
    status, tested, _ = call("POST", f"/v1/sites/{site}/webhooks/{webhook_id}/test")
    assert status == 200 and tested["delivered"] is True
    status, listed, _ = call("GET", f"/v1/sites/{site}/webhooks/{webhook_id}/deliveries", "u-analyst")
    assert status == 200, listed
    assert listed == {"cursor": None, "deliveries": [
        {"deliveryId": listed["deliveries"][0]["deliveryId"], "eventId": tested["eventId"],
         "eventType": "webhook.test", "attempt": 1, "at": NOW + 5000, "outcome": "delivered", "httpStatus": 200,
         "durationMs": 35, "error": None},
        {"deliveryId": listed["deliveries"][1]["deliveryId"], "eventId": "call.missed:tw:CA1",
         "eventType": "call.missed", "attempt": 1, "at": NOW, "outcome": "failed", "httpStatus": 502,
         "durationMs": 35, "error": "answered HTTP 502"},
    ]}
    assert listed["deliveries"][0]["deliveryId"] != listed["deliveries"][1]["deliveryId"]


def test_a_test_delivery_that_got_no_answer_is_listed_as_such(world, hook):
    _, receiver, _ = world
    site, webhook_id = hook
    receiver.answers = [TimeoutError("timed out")]
    status, tested, _ = call("POST", f"/v1/sites/{site}/webhooks/{webhook_id}/test")
    assert status == 200 and (tested["delivered"], tested["status"]) == (False, None)
    (listed,) = call("GET", f"/v1/sites/{site}/webhooks/{webhook_id}/deliveries")[1]["deliveries"]
    assert (listed["outcome"], listed["httpStatus"], listed["error"]) == ("timed_out", None, "no answer in time")


def test_the_list_pages_with_an_opaque_cursor_until_the_end(world, hook):
    svc, _, _ = world
    site, webhook_id = hook
    for n in range(5):
        deliver_event(world, site, f"tw:CA{n}")
        svc.clock.advance(seconds=1)
    path = f"/v1/sites/{site}/webhooks/{webhook_id}/deliveries"
    seen, cursor = [], None
    while True:
        status, listed, _ = call("GET", path + "?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert status == 200 and len(listed["deliveries"]) <= 2, listed
        seen += [d["eventId"] for d in listed["deliveries"]]
        cursor = listed["cursor"]
        if cursor is None:
            break
        assert "#" not in cursor and "tw:" not in cursor
    assert seen == [f"call.missed:tw:CA{n}" for n in reversed(range(5))]
    assert len(call("GET", path)[1]["deliveries"]) == 5  # 50 by default


def test_attempts_older_than_thirty_days_are_not_listed(world, hook):
    svc, _, _ = world
    site, webhook_id = hook
    deliver_event(world, site, "tw:CA-old")
    svc.clock.advance(ms=KEPT_MS + 1)
    deliver_event(world, site, "tw:CA-new")
    listed = call("GET", f"/v1/sites/{site}/webhooks/{webhook_id}/deliveries")[1]["deliveries"]
    assert [d["eventId"] for d in listed] == ["call.missed:tw:CA-new"]


@pytest.mark.parametrize("query,field,code", [
    ("limit=0", "limit", "invalid_parameter"), ("limit=201", "limit", "invalid_parameter"),
    ("limit=ten", "limit", "invalid_parameter"), ("limit=", "limit", "invalid_parameter"),
    ("limit=1e3", "limit", "invalid_parameter"), ("cursor=bm90LWEtY3Vyc29y", "cursor", "invalid_cursor"),
    ("cursor=%25%25%25", "cursor", "invalid_cursor"),
])
def test_a_bad_page_request_is_refused_naming_the_field(world, hook, query, field, code):
    site, webhook_id = hook
    status, refused, _ = call("GET", f"/v1/sites/{site}/webhooks/{webhook_id}/deliveries?{query}")
    assert status == 400 and refused["error"]["code"] == code, refused
    assert refused["error"]["details"]["field"] == field


def test_another_tenant_or_a_removed_endpoint_gets_nothing(world, hook):
    site, webhook_id = hook
    deliver_event(world, site, "tw:CA1")
    path = f"/v1/sites/{site}/webhooks/{webhook_id}/deliveries"
    status, refused, _ = call("GET", path, "u-other")
    assert status == 404 and refused["error"]["code"] == "unknown_site"
    assert call("GET", path, None)[0] == 401
    status, refused, _ = call("GET", f"/v1/sites/{site}/webhooks/wh_nope/deliveries")
    assert status == 404 and refused["error"]["code"] == "unknown_webhook"
    etag = call("GET", f"/v1/sites/{site}/webhooks")[2]["ETag"]
    assert call("DELETE", f"/v1/sites/{site}/webhooks/{webhook_id}", etag=etag)[0] == 204
    assert call("GET", path)[0] == 404


def test_the_event_types_are_listed_with_what_each_means(world):
    status, listed, _ = call("GET", "/v1/webhook-event-types", "u-analyst")
    assert status == 200
    assert [t["type"] for t in listed["eventTypes"]] == list(EVENT_TYPES)
    assert all(t["description"] and t["description"].endswith(".") for t in listed["eventTypes"])
    assert call("GET", "/v1/webhook-event-types", None)[0] == 401
