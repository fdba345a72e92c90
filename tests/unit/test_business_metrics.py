"""The business metrics an operator watches, as the product's own flows count them (on the
in-memory adapters, through the metrics port's in-memory implementation), and the doors
that publish them at the end of each invocation."""
import json

import pytest
from chalice.test import Client

from infra.catalog import load_app
from ringback import bootstrap
from ringback.adapters.memory import MemoryDeliveryQueue
from ringback.adapters.observability import observe
from ringback.calls.events import Events
from ringback.calls.inbound import IncomingCall
from ringback.clock import ManualClock
from ringback.metrics import CountedMetrics, Metric

from .code_prompt import receive
from .test_alerts import POOL_NUMBER, missed_call, site_with
from .test_callbacks import ORIGIN, VISITOR, callback_world, form, ring_round, run_plan
from .tracking_world import page, world


def test_a_new_visit_counts_a_session_and_its_lease_and_a_page_view_of_it_counts_neither():
    svc, _, _, _ = world(pool_size=2)
    offer = svc.tracking.start(page())
    svc.tracking.start(page(session=offer.session_id))
    svc.tracking.touch(page(session=offer.session_id))
    assert svc.metrics.total(Metric.SESSIONS_STARTED) == 1
    assert svc.metrics.total(Metric.LEASES_GRANTED) == 1
    assert svc.metrics.total(Metric.POOL_OVERFLOW) == 0


def test_a_full_pool_counts_an_overflow_for_its_tenant_and_no_lease():
    svc, _, _, _ = world(pool_size=1)
    svc.tracking.start(page(client="visitor-0001"))
    offer = svc.tracking.start(page(client="visitor-0002"))
    assert offer.numbers[0].kind == "default"  # the site's own number: nobody to attribute to
    assert svc.metrics.total(Metric.SESSIONS_STARTED) == 2
    assert svc.metrics.total(Metric.LEASES_GRANTED) == 1
    assert svc.metrics.total(Metric.POOL_OVERFLOW, tenant="t1") == 1


def test_a_full_pool_that_shares_its_oldest_line_counts_the_lease_and_the_overflow():
    svc, _, _, _ = world(pool_size=1, policy="share_oldest")
    svc.tracking.start(page(client="visitor-0001"))
    offer = svc.tracking.start(page(client="visitor-0002"))
    assert offer.numbers[0].kind == "pool"
    assert svc.metrics.total(Metric.LEASES_GRANTED) == 2
    assert svc.metrics.total(Metric.POOL_OVERFLOW, tenant="t1") == 1


def test_a_call_counts_once_with_how_surely_it_was_attributed():
    svc, _ = site_with()
    call = IncomingCall("tw:CA1", POOL_NUMBER, "+14155550001")
    receive(svc.inbound, call)
    receive(svc.inbound, call)  # the carrier retried the webhook: the same call
    assert svc.metrics.total(Metric.CALLS_RECEIVED) == 1
    [confidence] = svc.metrics.observations[Metric.ATTRIBUTION_CONFIDENCE]
    stored = svc.calls.get("tw:CA1")[1].attribution
    assert confidence == pytest.approx(stored["confidence"]) and 0.0 <= confidence <= 1.0


def test_a_call_to_a_static_number_is_counted_but_its_confidence_is_not_measured():
    svc, _ = site_with()
    receive(svc.inbound, IncomingCall("tw:CA2", "+14155550150", "+14155550001"))
    assert svc.metrics.total(Metric.CALLS_RECEIVED) == 1
    assert Metric.ATTRIBUTION_CONFIDENCE not in svc.metrics.observations


def test_a_text_sent_then_undelivered_counts_one_sent_and_one_failed_however_often_reported():
    svc, _ = site_with()
    call_id = missed_call(svc)
    assert svc.metrics.total(Metric.SMS_SENT) == 1 and svc.metrics.total(Metric.SMS_FAILED) == 0
    [message_id] = svc.calls.get(call_id)[1].alerts
    svc.alerts.status(message_id, "sent", None)
    svc.alerts.status(message_id, "undelivered", "30003")
    svc.alerts.status(message_id, "undelivered", "30003")  # the carrier's retry
    assert svc.metrics.total(Metric.SMS_FAILED) == 1


def test_a_text_the_carrier_refuses_and_one_with_no_number_to_send_from_count_as_failed():
    svc, _ = site_with()
    svc.notifier.sms_numbers = {"+14155550999"}  # the carrier's view: none of the site's numbers texts
    missed_call(svc, sid="CA1")
    svc.pools.numbers[POOL_NUMBER]["sms"] = False
    svc.pools.numbers["+14155550150"]["sms"] = False
    missed_call(svc, sid="CA2")
    assert svc.metrics.total(Metric.SMS_FAILED) == 2 and svc.metrics.total(Metric.SMS_SENT) == 0


def test_a_callback_request_counts_once_and_a_repeat_that_merges_into_it_does_not():
    svc, _ = callback_world()
    svc.callbacks.request(form())
    _, merged = svc.callbacks.request(form())
    assert merged and svc.metrics.total(Metric.CALLBACKS_REQUESTED) == 1


def test_a_callback_put_through_counts_as_connected_once_and_never_as_failed():
    svc, clock = callback_world()
    rid = svc.callbacks.request(form())[0].request_id
    ring_round(svc, rid, "token-1")
    [placed] = svc.callbacks._dialer.placed
    svc.callbacks.operator_answered(rid, "01#operator#00", placed["call_id"])
    svc.callbacks.leg_status(rid, "01#visitor#00", "CA-visitor", "in-progress", None)
    svc.callbacks.leg_status(rid, "01#visitor#00", "CA-visitor", "in-progress", None)  # retried
    clock.advance(seconds=60)
    svc.callbacks.bridge_complete(rid, 1, "completed", "CA-visitor", 58, True)
    assert run_plan(svc, rid, {"result": "connected", "round": 1}).status == "completed"
    assert svc.metrics.total(Metric.CALLBACKS_CONNECTED) == 1
    assert svc.metrics.total(Metric.CALLBACKS_FAILED) == 0


def test_a_callback_nobody_could_put_through_counts_as_failed():
    svc, _ = callback_world()
    rid = svc.callbacks.request(form(phone=VISITOR))[0].request_id
    ring_round(svc, rid, "token-1")
    svc.callbacks.abandon(rid, {"Error": "States.TaskFailed"})
    svc.callbacks.abandon(rid, {"Error": "States.TaskFailed"})  # the state machine's retry: already final
    assert svc.metrics.total(Metric.CALLBACKS_FAILED) == 1
    assert svc.metrics.total(Metric.CALLBACKS_CONNECTED) == 0


def test_webhook_posts_count_as_delivered_or_failed_attempt_by_attempt():
    answers = [500, 200]
    metrics = CountedMetrics()
    clock, queue = ManualClock(1_780_000_000_000), MemoryDeliveryQueue()
    events = Events(queue, lambda url, body, headers: answers.pop(0), clock, metrics=metrics)
    hook = {"id": "wh_crm", "url": "https://crm.example/hooks", "secret": "whsec-0123456789abcdef0123"}
    events.publish("call.missed", "tw:CA1", "t1", "s1", {"webhooks": [hook]}, {})
    results = []
    while queue.waiting:
        pending, queue.waiting[:] = queue.waiting[:], []
        for delivery, delay in pending:
            clock.advance(seconds=delay)
            results.append(events.deliver(delivery))
    assert [r for r in results if r != "waiting"] == ["retrying", "delivered"]
    assert metrics.total(Metric.WEBHOOK_DELIVERY_FAILURES) == 1
    assert metrics.total(Metric.WEBHOOK_DELIVERIES) == 1


# -- publication: once per invocation, by the handlers ------------------------------------


@pytest.fixture
def installed():
    svc, _ = callback_world()
    bootstrap.install(svc)
    yield svc
    bootstrap.install(None)


def test_the_widget_door_publishes_what_its_request_counted_when_it_answers(installed):
    with Client(load_app("widget")) as client:
        response = client.http.post("/v1/sessions", headers={"Content-Type": "application/json", "Origin": ORIGIN},
                                    body=json.dumps({"siteKey": "pk_1", "clientId": "visitor-0001",
                                                     "page": f"{ORIGIN}/pricing?utm_medium=cpc"}))
    assert response.status_code == 200
    assert installed.metrics.published == {(Metric.SESSIONS_STARTED, None): 1, (Metric.LEASES_GRANTED, None): 1}
    assert installed.metrics.pending == {}


def test_a_worker_publishes_what_its_invocation_counted_when_it_returns(installed):
    import sys

    load_app("dialer")
    workflow = sys.modules["ringback_function_dialer"].dial_workflow
    rid = installed.callbacks.request(form())[0].request_id
    installed.metrics.flush()
    workflow({"op": "abandon", "request_id": rid, "error": {"Error": "States.TaskFailed"}}, None)
    assert installed.metrics.published[(Metric.CALLBACKS_FAILED, None)] == 1
    assert installed.metrics.pending == {}


def test_a_traced_handler_answers_as_the_handler_does_and_still_publishes_on_an_error():
    from aws_lambda_powertools import Tracer

    metrics = CountedMetrics()

    def handler(event, context):
        metrics.count(Metric.SMS_SENT)
        if event.get("fail"):
            raise RuntimeError("carrier down")
        return {"ok": True}

    traced = observe(handler, metrics, Tracer(service="dialer", disabled=True))
    assert traced({}, None) == {"ok": True}
    with pytest.raises(RuntimeError):
        traced({"fail": True}, None)
    assert metrics.published == {(Metric.SMS_SENT, None): 2} and traced.__name__ == "handler"


def test_each_function_counts_under_the_namespace_and_service_its_catalog_entry_gives_it():
    from infra.catalog import function_environment, function_spec
    from ringback.settings import Settings, load_settings

    base = Settings(stage="prod", region="us-east-1", aws_endpoint_url=None, table_prefix="ringback-prod-",
                    public_base_url="https://calls.example", events_queue_url="https://sqs/q")
    lambda_sets = {"AWS_REGION": "us-east-1"}
    worker = load_settings({**function_environment(base, function_spec("dialer"), "events"), **lambda_sets})
    assert (worker.metrics_namespace, worker.service, worker.tracing) == ("Ringback", "dialer-events", True)
    local = load_settings({**function_environment(base, function_spec("widget")), **lambda_sets,
                           "POWERTOOLS_TRACE_DISABLED": "true"})
    assert (local.service, local.tracing) == ("widget", False)
