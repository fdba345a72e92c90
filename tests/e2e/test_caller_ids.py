"""Which number a tenant's callbacks call from, over HTTP on the local stack, as a new
customer sets it up through the API alone: a number bought into the tenant's own carrier
subaccount, or its office line verified there as a caller ID (the carrier rings the line,
and the code the API gave is keyed in on the call). Either way the operator is rung from
the tenant's subaccount showing that number, as Twilio requires (21210 from any other
account), and an unverified number is refused when it is chosen."""
import time
import urllib.parse

import pytest

from devstack import aws
from devstack.carrier import client
from tests.support.accounts import call, etag_of, sign_up
from tests.support.calls import http
from tests.support.stack import EVENT_SECONDS

pytestmark = pytest.mark.e2e

VISITOR_HOURS = ["00:00", "24:00"]  # the visitor may be called whenever the test runs
FINAL = ("completed", "missed", "failed")


def new_customer(stack, email, domain):
    """A user who signed up, with a site on `domain` and a number bought for it."""
    token = sign_up(stack, email)
    assert call(stack, "GET", "/v1/me", token)[0] == 200
    status, site = call(stack, "POST", "/v1/sites", token, {"name": domain, "domains": [domain]})
    assert status == 201, site
    status, found = call(stack, "GET", "/v1/numbers/available?country=US&kind=local&areaCode=415&smsEnabled=true",
                         token)
    assert status == 200, found
    number = found["numbers"][0]["number"]
    status, bought = call(stack, "POST", f"/v1/sites/{site['siteId']}/numbers", token,
                          {"number": number, "channel": {"utm_source": ["google"]}})
    assert status == 201, bought
    return token, site, number


def subaccount_of(stack, number):
    """The carrier subaccount holding `number`, as our main account sees it."""
    main = client(stack.carrier_port, aws.CARRIER_ACCOUNT_SID, aws.CARRIER_AUTH_TOKEN)
    [owner] = [a.sid for a in main.api.v2010.accounts.list() if a.sid != aws.CARRIER_ACCOUNT_SID
               and number in [n.phone_number for n in main.api.v2010.accounts(a.sid).incoming_phone_numbers.list()]]
    return main.api.v2010.accounts(owner)


def set_callbacks(stack, token, site_id, settings):
    path = f"/v1/sites/{site_id}/callbacks"
    return call(stack, "PUT", path, token, settings, if_match=etag_of(stack, path, token))


def script(stack, number, **party):
    assert http("POST", f"{stack.carrier_url}/_carrier/script", {"number": number, "party": party})[0] == 200


def carrier_calls(stack):
    status, state = http("GET", f"{stack.carrier_url}/_carrier/state")
    assert status == 200, state
    return state["calls"]


def wait(what, probe, timeout=EVENT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def callback_from_a_visitor(stack, site, visitor, domain):
    """A visitor's callback request through the widget's endpoint, followed to its end."""
    origin = {"Origin": f"https://{domain}"}
    status, accepted = http("POST", f"{stack.url}/v1/callbacks",
                            {"siteKey": site["siteKey"], "phone": visitor, "country": "US"}, origin)
    assert status == 202, accepted
    path = f"{stack.url}/v1/callbacks/{accepted['requestId']}?siteKey={site['siteKey']}"

    def ended():
        status, progress = http("GET", path, None, origin)
        assert status == 200, progress
        return progress if progress["status"] in FINAL else None

    return accepted["requestId"], wait("the callback to end", ended)


def test_callbacks_of_a_tenant_who_bought_a_number_call_from_it_in_its_own_subaccount(stack):
    operator, visitor, domain = "+14155550171", "+14155550172", "bought-line.example"
    token, site, number = new_customer(stack, "owner@bought-line.example", domain)
    status, settings = set_callbacks(stack, token, site["siteId"], {
        "enabled": True, "operators": [operator], "countries": ["US"], "visitorHours": VISITOR_HOURS})
    assert status == 200 and settings["callingFrom"] == number, settings
    script(stack, operator, answer_after=1, talk_for=20)
    script(stack, visitor, answer_after=1, talk_for=5)

    rid, progress = callback_from_a_visitor(stack, site, visitor, domain)

    assert progress["status"] == "completed", progress
    account = subaccount_of(stack, number)
    [operator_leg] = account.calls.list(to=operator)
    assert operator_leg._from == number
    [visitor_leg] = account.calls.list(to=visitor)
    assert visitor_leg._from == number
    # The recording was made in the subaccount; it is fetched from there into our storage.

    def archived():
        status, detail = call(stack, "GET", f"/v1/callback-requests/{rid}", token)
        assert status == 200, detail
        return detail if detail["recordings"] else None

    wait("the recording to be archived", archived)
    assert account.recordings.list() == []  # deleted at the carrier once copied


def verify(stack, token, number):
    """The office line verified as the user does it: they ask, the carrier rings the line,
    they pick up and key in the code the API showed them. Again if a busy machine was too
    slow for the carrier's minute of ringing."""
    script(stack, number, outcome="interactive")
    for _ in range(3):
        status, started = call(stack, "POST", "/v1/caller-ids", token, {"number": number, "friendlyName": "Office"})
        assert status == 202 and started["status"] == "pending", started
        ringing = wait("the validation call to ring", lambda: next(
            (c for c in carrier_calls(stack) if c["to"] == number and c["awaiting_decision"]), None))
        http("POST", f"{stack.carrier_url}/_carrier/presses",
             {"call_sid": ringing["sid"], "digits": started["validationCode"]})
        http("POST", f"{stack.carrier_url}/_carrier/answer", {"call_sid": ringing["sid"]})

        def settled():
            status, listed = call(stack, "GET", "/v1/caller-ids", token)
            assert status == 200, listed
            mine = [c for c in listed["callerIds"] if c["number"] == number]
            return mine if mine and mine[0]["status"] != "pending" else None

        [caller_id] = wait("the validation to end", settled)
        if caller_id["status"] == "verified":
            return caller_id
    pytest.fail(f"{number} never got verified")


def test_a_caller_id_verified_through_the_api_is_what_the_operator_sees_and_an_unverified_one_is_refused(stack):
    operator, visitor, domain = "+14155550173", "+14155550174", "office-line.example"
    office, stranger = "+14155550175", "+14155550176"
    token, site, _ = new_customer(stack, "owner@office-line.example", domain)

    status, refused = set_callbacks(stack, token, site["siteId"], {
        "enabled": True, "operators": [operator], "callerId": stranger, "visitorHours": VISITOR_HOURS})
    assert status == 400, refused
    assert refused["error"]["code"] == "caller_id_not_verified" and refused["error"]["details"]["field"] == "callerId"

    assert verify(stack, token, office) == {"number": office, "friendlyName": "Office", "status": "verified"}
    status, settings = set_callbacks(stack, token, site["siteId"], {
        "enabled": True, "operators": [operator], "callerId": office, "visitorHours": VISITOR_HOURS})
    assert status == 200 and settings["callerId"] == office and settings["callingFrom"] == office, settings
    script(stack, operator, answer_after=1, talk_for=20)
    script(stack, visitor, answer_after=1, talk_for=5)

    _, progress = callback_from_a_visitor(stack, site, visitor, domain)

    assert progress["status"] == "completed", progress
    legs = [c for c in carrier_calls(stack) if c["to"] in (operator, visitor)]
    assert {c["to"] for c in legs} == {operator, visitor} and {c["from"] for c in legs} == {office}
    # Still in use by the site's callbacks: not removed.
    status, refused = call(stack, "DELETE", f"/v1/caller-ids/{urllib.parse.quote(office)}", token)
    assert status == 409 and refused["error"]["code"] == "caller_id_in_use", refused
