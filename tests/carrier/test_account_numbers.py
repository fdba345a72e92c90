"""The account's numbers and verified caller IDs, as Twilio's read API shows them."""
from __future__ import annotations

import json
import urllib.request

from devstack.carrier import client
from tests.carrier.conftest import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER

TRACKING, OWN_MOBILE = "+14155550101", "+14155550142"


def control(carrier, path: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(carrier.url + path, json.dumps(body).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, json.loads(response.read())


def test_the_accounts_numbers_are_listed_with_their_capabilities_and_urls(carrier, app):
    carrier.add_number(TRACKING, voice_url=app.url + "/voice", status_callback=app.url + "/status",
                       sms_url=app.url + "/sms")
    twilio = client(carrier.port, ACCOUNT_SID, AUTH_TOKEN)

    listed = {n.phone_number: n for n in twilio.incoming_phone_numbers.list()}

    assert set(listed) == {OUR_NUMBER, TRACKING}
    tracking = listed[TRACKING]
    assert tracking.sid.startswith("PN") and len(tracking.sid) == 34 and tracking.account_sid == ACCOUNT_SID
    assert tracking.capabilities == {"voice": True, "sms": True, "mms": False, "fax": False}
    assert (tracking.voice_url, tracking.sms_url, tracking.status_callback) == (
        app.url + "/voice", app.url + "/sms", app.url + "/status")
    assert tracking.friendly_name == "(415) 555-0101"
    assert [n.sid for n in twilio.incoming_phone_numbers.list(phone_number=TRACKING)] == [tracking.sid]
    assert twilio.incoming_phone_numbers(tracking.sid).fetch().phone_number == TRACKING


def test_a_number_configured_again_keeps_its_sid(carrier, app):
    first = carrier.add_number(TRACKING)
    again = carrier.add_number(TRACKING, voice_url=app.url + "/voice")

    assert again.sid == first.sid and carrier.numbers[TRACKING].voice_url == app.url + "/voice"


def test_the_control_surface_sets_a_numbers_capabilities(carrier):
    status, body = control(carrier, "/_carrier/numbers", {"number": TRACKING, "capabilities": {"sms": False}})
    twilio = client(carrier.port, ACCOUNT_SID, AUTH_TOKEN)

    assert status == 201 and body["capabilities"] == {"voice": True, "sms": False, "mms": False, "fax": False}
    (number,) = twilio.incoming_phone_numbers.list(phone_number=TRACKING)
    assert number.sid == body["sid"] and number.capabilities["sms"] is False


def test_a_caller_id_verified_through_the_control_surface_is_an_outgoing_caller_id(carrier):
    status, body = control(carrier, "/_carrier/caller-ids",
                           {"number": OWN_MOBILE, "friendly_name": "Front desk mobile"})
    twilio = client(carrier.port, ACCOUNT_SID, AUTH_TOKEN)

    assert status == 201 and body["phone_number"] == OWN_MOBILE
    (caller_id,) = twilio.outgoing_caller_ids.list()
    assert (caller_id.sid, caller_id.phone_number, caller_id.friendly_name) == (
        body["sid"], OWN_MOBILE, "Front desk mobile")
    assert twilio.outgoing_caller_ids(caller_id.sid).fetch().phone_number == OWN_MOBILE
    # A caller ID is not a number the account owns.
    assert [n.phone_number for n in twilio.incoming_phone_numbers.list()] == [OUR_NUMBER]
