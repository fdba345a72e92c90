"""A site's inbound routing changed through the management API, over HTTP on the local
stack, is what the next call to its tracking number does at the carrier: the first
destination rings alone and, unanswered, passes the call to the next; the operator hears
the site's own whisper; the call is not recorded."""
import json

import pytest

from devstack.demo import DEMO_DESTINATION
from tests.support.accounts import call, etag_of
from tests.support.calls import call_item, http, open_around_the_clock, place_call, wait_for_hook
from tests.support.stack import id_token

pytestmark = pytest.mark.e2e

AWAY = "+14155550196"  # a colleague who is out: their phone rings out


def test_a_routing_change_made_through_the_api_is_what_the_next_call_does(stack):
    open_around_the_clock(stack)
    owner = id_token(stack)
    path = f"/v1/sites/{stack.site_id}/routing"
    status, routing = call(stack, "PUT", path, owner, {
        "destinations": [AWAY, DEMO_DESTINATION], "strategy": "in_order", "ringSeconds": 10,
        "whisper": {"enabled": True, "text": "Routing test: a {source} caller, {keyword|no keyword}."},
        "recording": {"enabled": False}, "voicemail": {"enabled": True}, "offHours": {"action": "voicemail"},
    }, if_match=etag_of(stack, path, owner))
    assert status == 200, routing
    assert call(stack, "GET", path, owner)[1] == routing

    http("POST", f"{stack.carrier_url}/_carrier/script", {"number": AWAY, "party": {"outcome": "no-answer"}})
    http("POST", f"{stack.carrier_url}/_carrier/script",
         {"number": DEMO_DESTINATION, "party": {"answer_after": 1, "talk_for": 8}})
    status, offer = http("POST", f"{stack.url}/v1/sessions", {
        "siteKey": stack.site_key, "clientId": "client-routing-01",
        "page": f"{stack.site_url}/?utm_source=google&utm_medium=cpc&utm_term=burst+pipe",
    }, {"Origin": stack.site_url})
    assert status == 200, offer
    sid = place_call(stack, "+14155550031", offer["numbers"][0]["number"])

    # Asked for the visit's code first; dialled by hand, the caller skips it.
    prompt = wait_for_hook(stack, "/v1/carrier/voice", sid)
    assert "<Gather" in prompt["body"] and AWAY not in prompt["body"]
    voice = wait_for_hook(stack, "/v1/carrier/voice-without-code", sid)
    assert 'record="do-not-record"' in voice["body"] and AWAY in voice["body"]
    assert DEMO_DESTINATION not in voice["body"]  # in order: one destination at a time
    passed = wait_for_hook(stack, "/v1/carrier/dial-complete?next=1", sid)
    assert passed["params"]["DialCallStatus"] == "no-answer" and DEMO_DESTINATION in passed["body"]
    answered = wait_for_hook(stack, "/v1/carrier/dial-complete", sid)
    assert answered["params"]["DialCallStatus"] == "completed" and "<Hangup" in answered["body"]
    whisper = wait_for_hook(stack, "/v1/carrier/whisper", sid)
    assert "Routing test: a google caller, burst pipe." in whisper["body"]

    item = call_item(stack, sid)
    assert item["status"]["S"] == "answered" and json.loads(item["outcome"]["S"])["talk_seconds"] == 8
    assert "recordings" not in item or not item["recordings"]["M"]
    _, log = http("GET", f"{stack.carrier_url}/_carrier/webhooks")
    assert not [e for e in log if e["url"].endswith("/v1/carrier/recording") and sid in json.dumps(e)]
