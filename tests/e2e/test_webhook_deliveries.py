"""The recent deliveries of a webhook endpoint, over HTTP on the local stack: the demo
owner points an endpoint at their receiver, which fails the ringing event and takes the
missed one; a missed call and a test delivery follow, and the endpoint's delivery list
shows each attempt with its status, newest first, written by the dialer's events worker
and the pool function under their own IAM policies (a denied write fails the module)."""
import json
import time

import pytest

from devstack.demo import DEMO_DESTINATION
from tests.support.accounts import call
from tests.support.calls import http, place_call, wait_for_hook
from tests.support.receivers import webhook_receiver
from tests.support.stack import EVENT_SECONDS, id_token

pytestmark = pytest.mark.e2e


@pytest.fixture
def receiver():
    """A CRM that answers 500 to a ringing event and 200 to anything else."""
    def answer(body: bytes) -> int:
        return 500 if json.loads(body)["type"] == "call.ringing" else 200

    with webhook_receiver("/hooks", answer) as (url, received):
        yield url, received


def wait_for(check, what):
    deadline = time.monotonic() + EVENT_SECONDS
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    pytest.fail(f"no {what} within {EVENT_SECONDS} s")


def test_a_call_events_deliveries_and_a_test_delivery_are_listed_with_their_status(stack, receiver):
    url, received = receiver
    owner = id_token(stack)
    hooks = f"/v1/sites/{stack.site_id}/webhooks"
    version = call(stack, "GET", f"/v1/sites/{stack.site_id}", owner)[1]["version"]
    status, hook = call(stack, "POST", hooks, owner, {"url": url, "events": ["call.ringing", "call.missed"]},
                        if_match=f'"v{version}"')
    assert status == 201, hook
    deliveries = f"{hooks}/{hook['webhookId']}/deliveries"
    assert call(stack, "GET", deliveries, owner) == (200, {"deliveries": [], "cursor": None})

    http("POST", f"{stack.carrier_url}/_carrier/script", {"number": DEMO_DESTINATION, "party": {"outcome": "busy"}})
    status, offer = http("POST", f"{stack.url}/v1/sessions", {
        "siteKey": stack.site_key, "clientId": "client-deliveries-0001", "page": f"{stack.site_url}/?utm_medium=cpc"},
        {"Origin": stack.site_url})
    assert status == 200, offer
    sid = place_call(stack, "+14155550068", offer["numbers"][0]["number"])
    wait_for_hook(stack, "/v1/carrier/dial-complete", sid)
    wait_for(lambda: any(json.loads(body)["type"] == "call.missed" for _, body in received),
             "missed call at the receiver")
    status, tested = call(stack, "POST", f"{hooks}/{hook['webhookId']}/test", owner)
    assert status == 200 and tested["delivered"] is True, tested

    def listed():
        status, page = call(stack, "GET", deliveries, owner)
        assert status == 200, page
        types = {d["eventType"] for d in page["deliveries"]}
        return page["deliveries"] if {"call.ringing", "call.missed", "webhook.test"} <= types else None

    found = wait_for(listed, "delivery of each kind in the list")
    assert [d["at"] for d in found] == sorted((d["at"] for d in found), reverse=True)
    by_event = {(d["eventId"], d["attempt"]): d for d in found}
    ringing = by_event[(f"call.ringing:tw:{sid}", 1)]
    assert (ringing["outcome"], ringing["httpStatus"], ringing["error"]) == ("failed", 500, "answered HTTP 500")
    missed = by_event[(f"call.missed:tw:{sid}", 1)]
    assert (missed["outcome"], missed["httpStatus"], missed["error"]) == ("delivered", 200, None)
    test = by_event[(tested["eventId"], 1)]
    assert (test["eventType"], test["outcome"], test["httpStatus"]) == ("webhook.test", "delivered", 200)
    assert all(isinstance(d["durationMs"], int) and d["durationMs"] >= 0 for d in found)
    # What the list shows is ours to show: no secret, no caller's number, no body.
    assert hook["secret"] not in json.dumps(found) and "4155550068" not in json.dumps(found)

    # Paged one at a time, newest first, to the end (the ringing event's retry may land meanwhile).
    paged, cursor = [], None
    while True:
        status, page = call(stack, "GET", deliveries + "?limit=1" + (f"&cursor={cursor}" if cursor else ""), owner)
        assert status == 200 and len(page["deliveries"]) <= 1, page
        paged += page["deliveries"]
        cursor = page["cursor"]
        if cursor is None:
            break
    assert {d["deliveryId"] for d in found} <= {d["deliveryId"] for d in paged}
    assert [d["at"] for d in paged] == sorted((d["at"] for d in paged), reverse=True)

    # The dashboard's list of event types is the API's.
    status, types = call(stack, "GET", "/v1/webhook-event-types", owner)
    assert status == 200 and {"call.ringing", "call.missed"} <= {t["type"] for t in types["eventTypes"]}
