"""Webhook endpoints and alert contacts set up over HTTP on the local stack, as a customer
does it: a new user points an endpoint at their own receiver, sends a test delivery and
verifies it with the secret shown once, rotates the secret and verifies with either; the
demo owner subscribes an endpoint to missed calls only and a missed call reaches it."""
import json
import time

import pytest

from devstack.demo import DEMO_DESTINATION, DEMO_EMAIL, DEMO_PASSWORD
from ringback.calls.events import verify_standard
from tests.support.accounts import call, new_user_token
from tests.support.calls import http, place_call, wait_for_hook
from tests.support.receivers import webhook_receiver
from tests.support.stack import EVENT_SECONDS, id_token

pytestmark = pytest.mark.e2e


@pytest.fixture
def receiver():
    """The customer's endpoint on 127.0.0.1: keeps what it is sent, answers 200."""
    with webhook_receiver("/hooks") as (url, received):
        yield url, received


def etag(stack, token, site):
    return f'"v{call(stack, "GET", f"/v1/sites/{site}", token)[1]["version"]}"'


def test_a_new_user_adds_an_endpoint_tests_it_and_rotates_its_secret(stack, receiver):
    url, received = receiver
    token = new_user_token(stack, "dev@crm-shop.example")
    assert call(stack, "GET", "/v1/me", token)[0] == 200
    status, site = call(stack, "POST", "/v1/sites", token, {"name": "CRM Shop", "domains": ["crm-shop.example"]})
    assert status == 201, site
    hooks = f"/v1/sites/{site['siteId']}/webhooks"

    status, refused = call(stack, "POST", hooks, token, {"url": "http://10.0.0.7/hooks"},
                           if_match=etag(stack, token, site["siteId"]))
    assert status == 400 and refused["error"]["details"]["field"] == "url", refused
    status, hook = call(stack, "POST", hooks, token, {"url": url}, if_match=etag(stack, token, site["siteId"]))
    assert status == 201, hook
    secret = hook["secret"]
    status, listed = call(stack, "GET", hooks, token)
    assert status == 200 and secret not in json.dumps(listed) and listed["webhooks"][0]["url"] == url

    status, result = call(stack, "POST", f"{hooks}/{hook['webhookId']}/test", token)
    assert status == 200 and result["delivered"] is True and result["status"] == 200, result
    headers, body = received[-1]
    assert json.loads(body)["type"] == "webhook.test" and headers["Ringback-Event-Id"] == result["eventId"]
    assert verify_standard(secret, headers, body, int(time.time()))

    status, rotated = call(stack, "POST", f"{hooks}/{hook['webhookId']}/secret", token,
                           if_match=etag(stack, token, site["siteId"]))
    assert status == 200 and rotated["secret"] != secret and rotated["previousSecretExpiresAt"], rotated
    status, result = call(stack, "POST", f"{hooks}/{hook['webhookId']}/test", token)
    assert result["delivered"] is True, result
    headers, body = received[-1]
    assert verify_standard(secret, headers, body, int(time.time()))
    assert verify_standard(rotated["secret"], headers, body, int(time.time()))

    status, audit = call(stack, "GET", "/v1/audit", token)
    assert {"webhook.created", "webhook.secret_rotated"} <= {e["action"] for e in audit["entries"]}
    assert secret not in json.dumps(audit) and rotated["secret"] not in json.dumps(audit)

    # Its site has no number that can text yet, so nobody can be texted from it.
    contacts = f"/v1/sites/{site['siteId']}/alert-contacts"
    status, refused = call(stack, "PUT", contacts, token, {"contacts": [{"number": "+14155550198"}]},
                           if_match=etag(stack, token, site["siteId"]))
    assert status == 409 and refused["error"]["code"] == "no_sms_number", refused


def test_an_endpoint_subscribed_to_missed_calls_gets_those_only(stack, receiver):
    url, received = receiver
    owner = id_token(stack, DEMO_EMAIL, DEMO_PASSWORD)
    status, hook = call(stack, "POST", f"/v1/sites/{stack.site_id}/webhooks", owner,
                        {"url": url, "events": ["call.missed"]}, if_match=etag(stack, owner, stack.site_id))
    assert status == 201, hook
    http("POST", f"{stack.carrier_url}/_carrier/script", {"number": DEMO_DESTINATION, "party": {"outcome": "busy"}})
    status, offer = http("POST", f"{stack.url}/v1/sessions", {
        "siteKey": stack.site_key, "clientId": "client-hooks-0001", "page": f"{stack.site_url}/?utm_medium=cpc"},
        {"Origin": stack.site_url})
    assert status == 200, offer
    sid = place_call(stack, "+14155550067", offer["numbers"][0]["number"])
    wait_for_hook(stack, "/v1/carrier/dial-complete", sid)
    deadline = time.monotonic() + EVENT_SECONDS
    while time.monotonic() < deadline and not received:
        time.sleep(0.2)
    time.sleep(1)  # a ringing event, were it sent, is queued before the missed one
    types = [json.loads(body)["type"] for _, body in received]
    assert types == ["call.missed"], types
    headers, body = received[0]
    assert verify_standard(hook["secret"], headers, body, int(time.time()))
