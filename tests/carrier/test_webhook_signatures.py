"""Webhooks about a subaccount's number are the subaccount's: its AccountSid, signed with
its own auth token, as Twilio signs them. An application serving many customers checks
each request with the token of the account it names."""
from __future__ import annotations

from twilio.request_validator import RequestValidator

from devstack.carrier import Party
from tests.carrier.conftest import ACCOUNT_SID, AUTH_TOKEN, wait_for

CALLER, OPERATOR, CUSTOMER = "+14155550123", "+14155550199", "+14155550177"
TRACKING = "+12125550111"


def dial_with_recording(app) -> str:
    return app.on("/voice", f'<Response><Dial timeout="5" record="record-from-answer" action="{app.url}/after" '
                            f'recordingStatusCallback="{app.url}/recording">'
                            f'<Number statusCallback="{app.url}/leg">{OPERATOR}</Number></Dial></Response>')


def signed_by(app, token: str) -> list[bool]:
    validator = RequestValidator(token)
    return [validator.validate(app.url + path, params, headers["X-Twilio-Signature"])
            for path, params, headers in app.received]


def test_a_call_to_a_subaccounts_number_is_signed_with_the_subaccounts_token(carrier, app, open_subaccount):
    acme = open_subaccount("Acme")
    acme.twilio.incoming_phone_numbers.create(phone_number=TRACKING, voice_url=dial_with_recording(app),
                                              status_callback=app.url + "/status")
    app.on("/after", "<Response><Hangup/></Response>")
    carrier.script(OPERATOR, Party(answer_after=1, talk_for=3))

    carrier.inbound_call(CALLER, TRACKING)
    wait_for(lambda: app.requests_to("/status") and app.requests_to("/recording"), what="the call's last webhooks")

    paths = {path for path, _, _ in app.received}
    assert {"/voice", "/leg", "/after", "/recording", "/status"} <= paths
    assert {params["AccountSid"] for _, params, _ in app.received} == {acme.sid}
    assert all(signed_by(app, acme.auth_token)) and not any(signed_by(app, AUTH_TOKEN))
    # The call and its recording are the subaccount's resources.
    [call] = acme.twilio.calls.list(to=TRACKING)
    assert call.account_sid == acme.sid
    [recording] = acme.twilio.recordings.list(call_sid=call.sid)
    assert recording.account_sid == acme.sid


def test_texts_to_and_from_a_subaccounts_number_are_signed_with_its_token(carrier, app, open_subaccount):
    acme = open_subaccount("Acme")
    acme.twilio.incoming_phone_numbers.create(phone_number=TRACKING, sms_url=app.on("/sms", "<Response/>"))

    carrier.inbound_message(CUSTOMER, TRACKING, "Are you open on Sunday?")
    acme.twilio.messages.create(to=CUSTOMER, from_=TRACKING, body="Yes, 9 to 5", status_callback=app.url + "/sent")
    wait_for(lambda: any(r["MessageStatus"] == "delivered" for r in app.requests_to("/sent")), what="delivery")

    assert app.requests_to("/sms")[0]["AccountSid"] == acme.sid
    assert {r["AccountSid"] for r in app.requests_to("/sent")} == {acme.sid}
    assert all(signed_by(app, acme.auth_token)) and not any(signed_by(app, AUTH_TOKEN))


def test_the_main_accounts_numbers_stay_signed_with_the_main_token(carrier, app, open_subaccount):
    open_subaccount("Acme")
    carrier.add_number("+14155550100", voice_url=app.on("/voice", "<Response><Hangup/></Response>"))

    carrier.inbound_call(CALLER, "+14155550100")
    wait_for(lambda: app.requests_to("/voice"), what="the voice webhook")

    assert app.requests_to("/voice")[0]["AccountSid"] == ACCOUNT_SID
    assert all(signed_by(app, AUTH_TOKEN))
