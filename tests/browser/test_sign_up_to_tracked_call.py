"""Issue 13's acceptance, as a new customer lives it: no code of ours, no table writes.
They sign up, confirm, sign in, create a site and read its snippet, search and buy numbers
into a pool with a rule, point the calls at their office; the snippet on their own page
swaps in one of the numbers they bought, and a call to it rings the voice URL set at
purchase and is attributed to the visit."""
import urllib.parse

import pytest

from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.support.accounts import call, etag_of, sign_up
from tests.support.calls import http, place_call, wait_for_hook
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

OWN_NUMBER = "+12065550100"   # printed on the customer's page
OFFICE = "+13035550190"       # where the customer's calls should ring
CALLER = "+14155550061"


@pytest.fixture(scope="module")
def stack(swap_script, tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"))
    yield stack
    stack.stop()


def test_a_new_customer_goes_from_sign_up_to_a_tracked_call_through_the_api_alone(stack, page, customer_site):
    pages, origin = customer_site
    token = sign_up(stack, "owner@leak-fixers.example")
    status, me = call(stack, "GET", "/v1/me", token)
    assert status == 200 and [m["role"] for m in me["memberships"]] == ["owner"], me

    status, site = call(stack, "POST", "/v1/sites", token, {
        "name": "Leak Fixers", "domains": ["127.0.0.1"], "ownNumbers": [OWN_NUMBER],
        "timezone": "America/Denver", "workingHours": {}})
    assert status == 201, site
    status, snippet = call(stack, "GET", f"/v1/sites/{site['siteId']}/snippet", token)
    assert status == 200, snippet

    status, found = call(stack, "GET", "/v1/numbers/available?country=US&kind=local&areaCode=212&smsEnabled=true",
                         token)
    assert status == 200 and len(found["numbers"]) >= 2, found
    status, pool = call(stack, "POST", f"/v1/sites/{site['siteId']}/pools", token, {
        "name": "Google Ads", "leaseSeconds": 1800, "rule": {"utm_source": ["google"]},
        "numbers": {"count": 2, "areaCode": "212"}})
    assert status == 201, pool
    bought = set(pool["numbers"])
    assert len(bought) == 2 and all(n.startswith("+1212") for n in bought)

    status, routing = call(stack, "GET", f"/v1/sites/{site['siteId']}/routing", token)
    assert status == 200, routing
    status, routing = call(stack, "PUT", f"/v1/sites/{site['siteId']}/routing", token,
                           {**routing, "destinations": [OFFICE]},
                           if_match=etag_of(stack, f"/v1/sites/{site['siteId']}/routing", token))
    assert status == 200, routing
    http("POST", f"{stack.carrier_url}/_carrier/script",
         {"number": OFFICE, "party": {"answer_after": 1, "talk_for": 8}})

    (pages / "index.html").write_text(
        "<!doctype html><html><head><meta charset=utf-8>" + snippet["snippet"] + "</head><body>"
        f'<header><a href="tel:{OWN_NUMBER}">(206) 555-0100</a></header><p>Burst pipe? Call us.</p></body></html>')
    page.goto(f"{origin}/?utm_source=google&utm_medium=cpc&utm_campaign=burst-pipes&utm_term=emergency+plumber")
    page.wait_for_function("() => window.__ringback && window.__ringback.swappedAt !== null",
                           timeout=EVENT_TIMEOUT_MS)
    dialled = page.locator("header a[href^='tel:']").get_attribute("href").removeprefix("tel:")
    shown, _, code = dialled.partition(",,")
    assert shown in bought and len(code) == 4, (dialled, bought)
    page.screenshot(path=str(pages.parent / "customer-site-swapped.png"))

    sid = place_call(stack, CALLER, dialled)  # a tap: the phone sends the code after the number
    # The carrier rang the voice URL the purchase set on that number, not a hard-wired one.
    voice = wait_for_hook(stack, "/v1/carrier/voice", sid)
    assert voice["url"] == f"{stack.url}/v1/carrier/voice"
    wait_for_hook(stack, "/v1/carrier/dial-complete", sid)

    status, listed = call(stack, "GET", "/v1/calls", token)
    assert status == 200, listed
    [tracked] = [c for c in listed["calls"] if c["call_id"] == f"tw:{sid}"]
    attribution = tracked["attribution"]
    assert (attribution["source"], attribution["medium"], attribution["campaign"], attribution["keyword"]) == (
        "google", "cpc", "burst-pipes", "emergency plumber")
    assert (attribution["method"], attribution["level"]) == ("code", "high")
    assert urllib.parse.urlsplit(attribution["landing_page"]).path == "/"
    assert tracked["tracking_number"] == shown and tracked["site_id"] == site["siteId"]

