"""What the carrier refuses, end to end: the account's numbers change at the carrier
behind our tables' back (a number released in Twilio's Console, a number whose SMS was
switched off), and the callback and the missed-call text then fail exactly as Twilio
would fail them, with Twilio's codes on the records the dashboard reads.

The default configuration working end to end (legs from a number the account owns, the
text from an SMS-capable one, delivered) is shown by test_callbacks and test_inbound_calls.
"""
import time
import urllib.parse

import pytest

from devstack import aws
from devstack.carrier import client
from devstack.demo import DEMO_ALERT_CONTACT, DEMO_DESTINATION, DEMO_STATIC_NUMBER
from tests.support.callbacks import configure, dashboard, script, wait_for
from tests.support.calls import call_item, http, open_around_the_clock, place_call, wait_for_hook
from tests.support.stack import EVENT_SECONDS, Stack

pytestmark = pytest.mark.e2e

SCALE = 0.01


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"), clock_scale=SCALE)
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def twilio(stack):
    """Twilio's REST API as the account's owner sees it (the Console's actions)."""
    return client(stack.carrier_port, aws.CARRIER_ACCOUNT_SID, aws.CARRIER_AUTH_TOKEN)


def demo_account(stack, twilio) -> str:
    """The demo tenant's own subaccount, opened at its first purchase: its numbers are there."""
    [subaccount] = [a for a in twilio.api.v2010.accounts.list() if stack.tenant_id in a.friendly_name]
    return subaccount.sid


def demo_numbers(stack, twilio):
    return twilio.api.v2010.accounts(demo_account(stack, twilio)).incoming_phone_numbers


def eventually(read, done, timeout=EVENT_SECONDS):
    """`read()` once `done(value)` holds; the carrier's status callbacks trail the call."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def messages_to(stack, number):
    return http("GET", f"{stack.carrier_url}/_carrier/messages?to={urllib.parse.quote(number)}")[1]


def test_a_missed_call_text_from_a_number_that_cannot_text_is_refused_with_21606(stack, twilio):
    open_around_the_clock(stack)
    script(stack, DEMO_DESTINATION, outcome="no-answer")
    status, offer = http("POST", f"{stack.url}/v1/sessions", {
        "siteKey": stack.site_key, "clientId": "refusal-client-0001",
        "page": f"{stack.site_url}/?utm_source=google&utm_medium=cpc&utm_campaign=winter",
    }, {"Origin": stack.site_url})
    assert status == 200, offer
    number = offer["numbers"][0]["number"]
    # SMS is switched off on the number at the carrier; its calls still reach us.
    [owned] = demo_numbers(stack, twilio).list(phone_number=number)
    assert owned.capabilities["sms"] is True
    assert http("POST", f"{stack.carrier_url}/_carrier/numbers", {
        "account_sid": demo_account(stack, twilio), "number": number, "voice_url": owned.voice_url,
        "status_callback": owned.status_callback, "sms_url": owned.sms_url,
        "capabilities": {"voice": True, "sms": False}})[0] == 201

    sid = place_call(stack, "+14155550031", number)
    wait_for_hook(stack, "/v1/carrier/dial-complete", sid)
    # Twilio took no text from that number: none was created, so none reached the contact.
    assert [m for m in messages_to(stack, DEMO_ALERT_CONTACT) if "+14155550031" in m["body"]] == []
    item = eventually(lambda: call_item(stack, sid), lambda i: i.get("alerts", {}).get("M"))
    [alert] = [a["M"] for a in item["alerts"]["M"].values()]
    assert (alert["to"]["S"], alert["from"]["S"]) == (DEMO_ALERT_CONTACT, number)
    assert (alert["status"]["S"], alert["error_code"]["S"]) == ("failed", "21606")
    assert item["status"]["S"] == "no-answer"


def test_a_callback_from_a_caller_id_the_account_no_longer_owns_fails_with_21210(stack, twilio):
    configure(stack)
    script(stack, DEMO_DESTINATION, answer_after=1, talk_for=30)
    # The static number the legs call from is released in the Console (Twilio's DELETE).
    numbers = demo_numbers(stack, twilio)
    [owned] = numbers.list(phone_number=DEMO_STATIC_NUMBER)
    assert numbers(owned.sid).delete() is True
    assert numbers.list(phone_number=DEMO_STATIC_NUMBER) == []
    called_before = len(http("GET", f"{stack.carrier_url}/_carrier/created-calls")[1])

    visitor = "+14155550032"
    status, accepted = http("POST", f"{stack.url}/v1/callbacks", {
        "siteKey": stack.site_key, "phone": visitor, "country": "US", "page": f"{stack.site_url}/pricing"},
        {"Origin": stack.site_url})
    assert status == 202, accepted
    rid = accepted["requestId"]
    final, seen = wait_for(stack, rid, ("completed", "missed", "failed"))
    # Failed at the first refusal, not after two days of rounds into the same refusal.
    assert final["status"] == "failed" and "retry_scheduled" not in seen, seen
    assert len(http("GET", f"{stack.carrier_url}/_carrier/created-calls")[1]) == called_before

    detail = eventually(lambda: dashboard(stack, f"/v1/callback-requests/{rid}"), lambda d: d["alerts"])
    assert detail["outcome"]["result"] == "caller_id_refused"
    [leg] = detail["legs"]
    assert (leg["number"], leg["status"], leg["error_code"]) == (DEMO_DESTINATION, "failed", "21210")
    assert [r["result"] for r in detail["rounds"]] == ["caller_id_refused"]
    # The site is to be told it missed the visitor, but the text would go from the same
    # released number: Twilio refuses that too (21606), and the request shows it.
    assert [(a["to"], a["from"], a["status"], a["error_code"]) for a in detail["alerts"].values()] == [
        (DEMO_ALERT_CONTACT, DEMO_STATIC_NUMBER, "failed", "21606")]
    assert [m for m in messages_to(stack, DEMO_ALERT_CONTACT) if visitor in m["body"]] == []
