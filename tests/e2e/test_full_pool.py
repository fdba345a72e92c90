"""A full pool through the local stack, each function under its deployed IAM policy: the
overflowing visitor shares a line (flagged, told apart by their code) instead of seeing
the site's own number, and a call with that code reaches that visitor."""
import json

import pytest

from devstack.demo import DEMO_DESTINATION, DEMO_POOL_NUMBERS
from tests.support.calls import call_item, http, open_around_the_clock, place_call, wait_for_hook

pytestmark = pytest.mark.e2e


def offer_for(stack, client, campaign):
    status, offer = http("POST", f"{stack.url}/v1/sessions", {
        "siteKey": stack.site_key, "clientId": client,
        "page": f"{stack.site_url}/?utm_source=google&utm_medium=cpc&utm_campaign={campaign}",
    }, {"Origin": stack.site_url})
    assert status == 200, offer
    return offer


def test_the_visitor_after_a_full_pool_shares_a_line_and_their_code_still_names_them(stack):
    open_around_the_clock(stack)
    held = [offer_for(stack, f"client-full-{i:04d}", "filler")["numbers"][0] for i in range(len(DEMO_POOL_NUMBERS))]
    assert sorted(n["number"] for n in held) == sorted(DEMO_POOL_NUMBERS)  # each line once

    late = offer_for(stack, "client-full-late", "overflow")
    [shown] = late["numbers"]
    assert shown["kind"] == "pool" and shown["number"] in DEMO_POOL_NUMBERS
    sharing = [n for n in held if n["number"] == shown["number"]]
    assert shown["extension"] not in [n["extension"] for n in sharing]

    http("POST", f"{stack.carrier_url}/_carrier/script",
         {"number": DEMO_DESTINATION, "party": {"answer_after": 1, "talk_for": 3}})
    sid = place_call(stack, "+14155550077", f"{shown['number']},,{shown['extension']}")
    wait_for_hook(stack, "/v1/carrier/dial-complete", sid)
    attribution = json.loads(call_item(stack, sid)["attribution"]["S"])
    assert (attribution["session_id"], attribution["campaign"]) == (late["sessionId"], "overflow")
    assert (attribution["method"], attribution["level"]) == ("code", "high")
    assert "shared" in attribution["candidates"][0]["reasons"]
