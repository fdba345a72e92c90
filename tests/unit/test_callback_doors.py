"""The callback's doors, as a browser and the carrier call them: the public request with its
idempotency key, the progress poll, the signed leg webhooks, and the workflow's handler."""
import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from chalice.test import Client
from twilio.request_validator import RequestValidator

from infra.catalog import load_app
from ringback import bootstrap
from ringback.accounts.provisioning import Directories, add_site, add_static_number, enable_callbacks, open_tenant
from ringback.accounts.sites import Site
from ringback.accounts.tenants import Tenant
from ringback.bootstrap import build_memory_services
from ringback.clock import ManualClock
from ringback.settings import Settings

TOKEN = "carrier-auth-token"
BASE = "https://calls.example"
ORIGIN = "https://www.plumbing.example"
# Friday 18:00 UTC: 10:00 in San Francisco, where the visitor's number is.
NOW = 1_800_000_000_000 + 10 * 3_600_000
SETTINGS = Settings(stage="test", region="us-east-1", aws_endpoint_url=None, table_prefix="t-",
                    recordings_bucket="r", analytics_bucket="a", frontend_bucket="f", public_base_url=BASE,
                    twilio_account_sid="AC123", twilio_auth_token=TOKEN, time_scale=0.01)


@pytest.fixture
def svc():
    services = build_memory_services(ManualClock(NOW), SETTINGS)
    dirs = Directories(services.tenants, services.sites, services.pools)
    open_tenant(dirs, Tenant("t1", "Plumbing", retention_days=30), None)
    site = add_site(dirs, Site("s1", "t1", "Plumbing Co", "pk_1", frozenset({"plumbing.example"}),
                               own_numbers=("+14155550100",), destination_numbers=("+14155550199",)))
    # The number the legs call from, then callbacks: the order sign-up follows.
    add_static_number(dirs, site, "+14155550150", {}, NOW)
    enable_callbacks(dirs, "s1")
    bootstrap.install(services)
    yield services
    bootstrap.install(None)


def ask(body, key=None, origin=ORIGIN):
    headers = {"Content-Type": "application/json", "Origin": origin, **({"Idempotency-Key": key} if key else {})}
    with Client(load_app("widget")) as client:
        return client.http.post("/v1/callbacks", body=json.dumps({"siteKey": "pk_1", **body}), headers=headers)


def test_a_retried_post_with_the_same_key_gets_the_first_answer(svc):
    first = ask({"phone": "(415) 555-0123", "country": "US"}, key="widget-key-0001")
    assert first.status_code == 202
    again = ask({"phone": "(415) 555-0123", "country": "US"}, key="widget-key-0001")
    assert again.status_code == 202 and json.loads(again.body) == json.loads(first.body)
    assert svc.callbacks._workflow.started == [json.loads(first.body)["requestId"]]


def test_a_key_reused_for_another_number_is_refused(svc):
    assert ask({"phone": "(415) 555-0123", "country": "US"}, key="widget-key-0002").status_code == 202
    reused = ask({"phone": "(415) 555-0124", "country": "US"}, key="widget-key-0002")
    assert reused.status_code == 409 and json.loads(reused.body)["error"]["code"] == "idempotency_key_reused"


@pytest.mark.parametrize(("body", "key", "origin", "status", "code"), [
    ({"phone": "(415) 555-0123"}, "bad key!", ORIGIN, 400, "invalid_idempotency_key"),
    ({"phone": "call me"}, None, ORIGIN, 400, "invalid_phone"),
    ({"phone": "(415) 555-0123"}, None, "https://evil.example", 403, "origin_not_allowed"),
])
def test_bad_requests_get_a_4xx_in_our_error_shape(svc, body, key, origin, status, code):
    response = ask(body, key=key, origin=origin)
    assert response.status_code == status
    assert json.loads(response.body)["error"]["code"] == code
    assert svc.callbacks._workflow.started == []


def test_the_widget_polls_progress_and_learns_nothing_else(svc):
    rid = json.loads(ask({"phone": "(415) 555-0123", "country": "US"}).body)["requestId"]
    with Client(load_app("widget")) as client:
        progress = client.http.get(f"/v1/callbacks/{rid}?siteKey=pk_1", headers={"Origin": ORIGIN})
        assert progress.status_code == 200
        body = json.loads(progress.body)
        assert body["status"] == "accepted" and "phone" not in body and "+1415" not in progress.body.decode()
        assert client.http.get("/v1/callbacks/cb_nope?siteKey=pk_1", headers={"Origin": ORIGIN}).status_code == 404


def signed(path, params, token=TOKEN):
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Twilio-Signature": RequestValidator(token).compute_signature(BASE + path, params)}
    with Client(load_app("dialer")) as client:
        return client.http.post(path, body=urlencode(params), headers=headers)


def _handler():
    import sys

    load_app("dialer")
    return sys.modules["ringback_function_dialer"].dial_workflow


def test_the_operator_hears_the_whisper_then_the_visitor_is_dialled(svc):
    rid = json.loads(ask({"phone": "(415) 555-0123", "country": "US"}).body)["requestId"]
    plan = _handler()({"op": "plan", "request_id": rid, "last": {}}, None)
    assert plan["action"] == "ring" and plan["operators"] == ["+14155550199"] and plan["timeout_seconds"] > 60
    _handler()({"op": "ring", "request_id": rid, "ring": plan, "task_token": "token-1"}, None)
    [placed] = svc.callbacks._dialer.placed
    path = placed["answer_url"].removeprefix(BASE)
    assert path.startswith("/v1/carrier/callbacks/operator?leg=01%23operator%2300&request=")

    response = signed(path, {"CallSid": placed["call_id"], "CallStatus": "in-progress"})
    assert response.status_code == 200
    twiml = ET.fromstring(response.body)
    assert twiml.find("Say").text.startswith("Callback request from Plumbing Co.")
    dial = twiml.find("Dial")
    # The visitor sees the number the operator's leg came from: a tracking number the account
    # owns, never the site's own (+14155550100), which the carrier would refuse (21210).
    assert dial.get("callerId") == "+14155550150" and dial.get("record") == "record-from-answer"
    assert dial.find("Number").text == "+14155550123"
    # A forged signature on the same URL is refused.
    assert signed(path, {"CallSid": placed["call_id"]}, token="forged").status_code == 403


def test_the_plan_step_shortens_waits_only_by_the_configured_scale(svc):
    rid = json.loads(ask({"phone": "(415) 555-0123", "country": "US"}).body)["requestId"]
    svc.callbacks._workflow.answers.clear()
    plan = _handler()({"op": "plan", "request_id": rid, "last": {}}, None)
    _handler()({"op": "ring", "request_id": rid, "ring": plan, "task_token": "token-1"}, None)
    wait = _handler()({"op": "plan", "request_id": rid, "last": {"Error": "Callback.VisitorBusy"}}, None)
    # Two minutes of product time at 0.01 real seconds per product second.
    assert wait == {"action": "wait", "wait_seconds": 2}
