"""The carrier drives the application's voice webhooks as Twilio documents."""
from __future__ import annotations

import io
import urllib.request
import wave

import pytest
from twilio.request_validator import RequestValidator

from devstack.carrier import Party, client
from tests.carrier.conftest import AUTH_TOKEN

CALLER, OUR_NUMBER, OPERATOR = "+14155550123", "+14155550100", "+14155550199"


def dial_twiml(app) -> str:
    return (
        '<Response><Say>hi</Say><Dial timeout="5" record="record-from-answer" '
        f'action="{app.url}/after"><Number>{OPERATOR}</Number></Dial></Response>'
    )


def call_in(carrier, app, twiml: str) -> dict:
    carrier.add_number(OUR_NUMBER, voice_url=app.on("/voice", twiml), status_callback=app.url + "/status")
    carrier.inbound_call(CALLER, OUR_NUMBER)
    carrier.wait_idle()
    return app.requests_to("/voice")[0]


def test_inbound_call_posts_twilio_parameters(carrier, app):
    params = call_in(carrier, app, "<Response><Hangup/></Response>")

    assert params["CallSid"].startswith("CA")
    assert params["CallStatus"] == "ringing" and params["Direction"] == "inbound"
    assert params["From"] == params["Caller"] == CALLER and params["To"] == params["Called"] == OUR_NUMBER
    assert params["ApiVersion"] == "2010-04-01" and params["FromCountry"] == "US"
    assert app.requests_to("/status")[0]["CallStatus"] == "completed"


def test_every_webhook_is_signed_and_a_forged_token_does_not_validate(carrier, app):
    carrier.script(OPERATOR, Party(answer_after=1, talk_for=3))
    call_in(carrier, app, dial_twiml(app))
    app.on("/after", "<Response><Hangup/></Response>")

    assert len(carrier.webhook_log) >= 3
    genuine, forged = RequestValidator(AUTH_TOKEN), RequestValidator("forged-token")
    for exchange in carrier.webhook_log:
        signature = exchange.headers["X-Twilio-Signature"]
        assert genuine.validate(exchange.url, exchange.params, signature), exchange.kind
        assert not forged.validate(exchange.url, exchange.params, signature)
    for path, params, headers in app.received:
        assert genuine.validate(app.url + path, params, headers["X-Twilio-Signature"])


def test_answered_dial_reports_completed_with_a_downloadable_recording(carrier, app):
    carrier.script(OPERATOR, Party(answer_after=1, talk_for=4))
    call_in(carrier, app, dial_twiml(app))

    (after,) = app.requests_to("/after")
    assert after["DialCallStatus"] == "completed"
    assert after["DialCallDuration"] == "4" and after["RecordingDuration"] == "4"
    assert after["DialCallSid"].startswith("CA") and after["RecordingSid"].startswith("RE")
    with urllib.request.urlopen(after["RecordingUrl"]) as response:
        assert response.headers["Content-Type"] == "audio/x-wav"
        with wave.open(io.BytesIO(response.read())) as audio:
            assert audio.getnchannels() == 1 and audio.getnframes() / audio.getframerate() == pytest.approx(4)


@pytest.mark.parametrize(
    ("operator", "dial_status"),
    [(Party.no_answer(), "no-answer"), (Party(answer_after=8), "no-answer"), (Party.busy(), "busy"),
     (Party.fails(), "failed")],
)
def test_unanswered_dial_reports_why(carrier, app, operator, dial_status):
    carrier.script(OPERATOR, operator)
    call_in(carrier, app, dial_twiml(app))

    (after,) = app.requests_to("/after")
    assert after["DialCallStatus"] == dial_status
    assert "RecordingUrl" not in after and "DialCallDuration" not in after


def test_gather_posts_the_digits_the_caller_pressed(carrier, app):
    carrier.caller_presses(None, "123")
    app.on("/menu", "<Response><Say>thanks</Say></Response>")
    call_in(carrier, app, '<Response><Gather numDigits="3" action="/menu"><Say>press</Say></Gather>'
                          '<Say>nothing pressed</Say></Response>')

    assert app.requests_to("/menu")[0]["Digits"] == "123"


def test_gather_without_input_continues_with_the_next_verb(carrier, app):
    call_in(carrier, app, '<Response><Gather timeout="2" action="/menu"><Say>press</Say></Gather>'
                          '<Redirect>/fallthrough</Redirect></Response>')

    assert app.requests_to("/menu") == []
    assert len(app.requests_to("/fallthrough")) == 1


def test_record_posts_the_recording_to_action_and_status_callback(carrier, app):
    carrier.script(CALLER, Party(talk_for=None, speaks_for=6))
    call_in(carrier, app, '<Response><Record maxLength="5" action="/recorded" '
                          'recordingStatusCallback="/recording-status"/></Response>')

    (recorded,) = app.requests_to("/recorded")
    (status,) = app.requests_to("/recording-status")
    assert recorded["RecordingDuration"] == "5" and status["RecordingStatus"] == "completed"
    assert status["RecordingSid"] == recorded["RecordingSid"] and status["RecordingSource"] == "RecordVerb"


def test_outbound_call_reports_each_status_in_sequence(carrier, app):
    carrier.script(OPERATOR, Party(answer_after=2, talk_for=3))
    twilio = client(carrier.port, carrier.account_sid, AUTH_TOKEN)
    call = twilio.calls.create(
        to=OPERATOR, from_=OUR_NUMBER, url=app.on("/outbound", "<Response><Pause length='10'/></Response>"),
        status_callback=app.url + "/status",
        status_callback_event=["initiated", "ringing", "answered", "completed"],
    )
    carrier.wait_idle()

    statuses = app.requests_to("/status")
    assert [s["CallStatus"] for s in statuses] == ["initiated", "ringing", "in-progress", "completed"]
    assert [s["SequenceNumber"] for s in statuses] == ["0", "1", "2", "3"]
    assert {s["CallSid"] for s in statuses} == {call.sid}
    assert statuses[-1]["CallDuration"] == "3" and "CallDuration" not in statuses[2]
    assert all(s["Timestamp"].endswith("+0000") for s in statuses)


def test_dialled_leg_reports_status_events_to_number_status_callback(carrier, app):
    carrier.script(OPERATOR, Party(answer_after=1, talk_for=2))
    call_in(carrier, app, f'<Response><Dial><Number statusCallback="/leg" '
                          f'statusCallbackEvent="initiated ringing answered completed">{OPERATOR}</Number>'
                          '</Dial></Response>')

    legs = app.requests_to("/leg")
    assert [s["CallStatus"] for s in legs] == ["initiated", "ringing", "in-progress", "completed"]
    assert legs[0]["Direction"] == "outbound-dial"
    assert legs[0]["ParentCallSid"] == app.requests_to("/voice")[0]["CallSid"]


@pytest.mark.parametrize(("reject", "status"), [("<Reject/>", "no-answer"),
                                                ('<Reject reason="rejected"/>', "no-answer"),
                                                ('<Reject reason="busy"/>', "busy")])
def test_reject_ends_an_unanswered_call_as_its_reason_says(carrier, app, reject, status):
    call_in(carrier, app, f"<Response>{reject}</Response>")

    (final,) = app.requests_to("/status")
    assert final["CallStatus"] == status and final["CallDuration"] == "0"


def test_a_dialled_leg_starts_at_initiated_not_queued(carrier, app):
    carrier.script(OPERATOR, Party(answer_after=1, talk_for=1))
    call_in(carrier, app, dial_twiml(app))

    (leg,) = [c for c in carrier.calls.values() if c.parent_call_sid]
    assert leg.direction == "outbound-dial"
    assert not any(e.params.get("CallStatus") == "queued" for e in carrier.webhook_log)
