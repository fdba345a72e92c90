"""Calls changed through the REST API while they run, recorded calls, and SMS."""
from __future__ import annotations

import json
import urllib.request

from devstack.carrier import Party, client
from tests.carrier.conftest import AUTH_TOKEN

OUR_NUMBER, CUSTOMER, CALLER = "+14155550100", "+14155550177", "+14155550123"


def long_call(carrier, app, **extra):
    carrier.script(CUSTOMER, Party(answer_after=1, talk_for=None))
    twilio = client(carrier.port, carrier.account_sid, AUTH_TOKEN)
    url = app.on("/outbound", "<Response><Pause length='600'/></Response>")
    call = twilio.calls.create(to=CUSTOMER, from_=OUR_NUMBER, url=url, status_callback=app.url + "/status", **extra)
    _wait_for(lambda: app.requests_to("/outbound"))
    return twilio, call


def _wait_for(predicate, timeout=5.0):
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_hanging_up_a_live_call_through_the_api_completes_it(carrier, app):
    twilio, call = long_call(carrier, app)

    updated = twilio.calls(call.sid).update(status="completed")
    carrier.wait_idle()

    assert updated.sid == call.sid
    assert twilio.calls(call.sid).fetch().status == "completed"
    assert [s["CallStatus"] for s in app.requests_to("/status")] == ["completed"]


def test_redirecting_a_live_call_runs_the_new_twiml(carrier, app):
    twilio, call = long_call(carrier, app)

    twilio.calls(call.sid).update(url=app.on("/moved", "<Response><Say>moved</Say></Response>"))
    carrier.wait_idle()

    (moved,) = app.requests_to("/moved")
    assert moved["CallSid"] == call.sid and moved["CallStatus"] == "in-progress"


def test_a_call_created_with_record_true_leaves_a_recording(carrier, app):
    carrier.script(CUSTOMER, Party(answer_after=1, talk_for=7))
    twilio = client(carrier.port, carrier.account_sid, AUTH_TOKEN)
    call = twilio.calls.create(
        to=CUSTOMER, from_=OUR_NUMBER, twiml="<Response><Pause length='60'/></Response>",
        record=True, recording_status_callback=app.url + "/recording",
    )
    carrier.wait_idle()

    (status,) = app.requests_to("/recording")
    assert status["CallSid"] == call.sid and status["RecordingDuration"] == "7"
    assert status["RecordingSource"] == "OutboundAPI"
    assert [r.sid for r in twilio.recordings.list(call_sid=call.sid)] == [status["RecordingSid"]]


def test_busy_callee_ends_an_api_call_as_busy(carrier, app):
    carrier.script(CUSTOMER, Party.busy())
    twilio = client(carrier.port, carrier.account_sid, AUTH_TOKEN)
    call = twilio.calls.create(to=CUSTOMER, from_=OUR_NUMBER, url=app.url + "/never",
                               status_callback=app.url + "/status")
    carrier.wait_idle()

    assert [s["CallStatus"] for s in app.requests_to("/status")] == ["busy"]
    assert app.requests_to("/never") == []
    assert twilio.calls(call.sid).fetch().status == "busy"


def test_caller_hanging_up_during_dial_still_reaches_the_action_url(carrier, app):
    carrier.script(CALLER, Party(talk_for=3))
    carrier.script(CUSTOMER, Party(answer_after=1, talk_for=20))
    dial = f'<Response><Dial action="/after">{CUSTOMER}</Dial></Response>'
    carrier.add_number(OUR_NUMBER, voice_url=app.on("/voice", dial), status_callback=app.url + "/status")
    carrier.inbound_call(CALLER, OUR_NUMBER)
    carrier.wait_idle()

    (after,) = app.requests_to("/after")
    assert after["DialCallStatus"] == "completed" and after["CallStatus"] == "completed"
    assert after["DialCallDuration"] == "2"
    (completed,) = app.requests_to("/status")
    assert completed["CallDuration"] == "3"


def test_inbound_sms_reply_is_sent_as_a_message(carrier, app):
    carrier.add_number(OUR_NUMBER, sms_url=app.on("/sms", "<Response><Message>Thanks!</Message></Response>"))

    carrier.inbound_message(CALLER, OUR_NUMBER, "hello")

    assert app.requests_to("/sms")[0]["Body"] == "hello"
    (reply,) = carrier.messages(to=CALLER)
    assert reply.body == "Thanks!" and reply.from_ == OUR_NUMBER


def test_control_surface_configures_a_number_and_places_an_inbound_call(carrier, app):
    def post(path, payload):
        request = urllib.request.Request(carrier.url + path, json.dumps(payload).encode(),
                                         {"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())

    post("/_carrier/numbers", {"number": OUR_NUMBER, "voice_url": app.on("/voice", "<Response><Hangup/></Response>")})
    call = post("/_carrier/inbound", {"from": CALLER, "to": OUR_NUMBER})
    carrier.wait_idle()

    assert call["sid"].startswith("CA") and call["direction"] == "inbound"
    with urllib.request.urlopen(carrier.url + "/_carrier/webhooks") as response:
        log = json.loads(response.read())
    assert [(e["kind"], e["params"]["CallSid"]) for e in log] == [("voice", call["sid"])]
