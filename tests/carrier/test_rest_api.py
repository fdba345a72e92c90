"""The real twilio client works against the carrier with only its base URL changed."""
from __future__ import annotations

import io
import urllib.request
import wave

import pytest
from twilio.base.exceptions import TwilioRestException

from devstack.carrier import Party, client
from tests.carrier.conftest import ACCOUNT_SID, AUTH_TOKEN


def test_client_creates_and_fetches_a_call(carrier, app):
    carrier.script("+14155550199", Party(answer_after=1, talk_for=2))
    twilio = client(carrier.port, ACCOUNT_SID, AUTH_TOKEN)
    url = app.on("/outbound", "<Response><Say>hello</Say></Response>")

    call = twilio.calls.create(to="+14155550199", from_="+14155550100", url=url)

    assert call.sid.startswith("CA") and len(call.sid) == 34
    assert call.status == "queued" and call.direction == "outbound-api"
    assert call.uri == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{call.sid}.json"
    assert "recordings" in call.subresource_uris
    carrier.wait_idle()
    fetched = twilio.calls(call.sid).fetch()
    assert fetched.status == "completed" and fetched.duration == "1"
    assert fetched.date_created is not None  # the client parsed the RFC 2822 date
    assert [c.sid for c in twilio.calls.list(to="+14155550199")] == [call.sid]
    assert app.requests_to("/outbound")[0]["Direction"] == "outbound-api"


def test_client_sends_a_message_that_the_carrier_keeps(carrier):
    twilio = client(carrier.port, ACCOUNT_SID, AUTH_TOKEN)

    message = twilio.messages.create(to="+14155550123", from_="+14155550100", body="Sorry we missed you")

    assert message.sid.startswith("SM") and message.status == "queued"
    assert [m.body for m in carrier.messages(to="+14155550123")] == ["Sorry we missed you"]
    assert twilio.messages(message.sid).fetch().to == "+14155550123"
    assert len(twilio.messages.list(to="+14155550123")) == 1


def test_client_fetches_downloads_and_deletes_a_recording(carrier):
    recording = carrier.new_recording("CA" + "2" * 32, 3, "DialVerb", carrier.clock.now())
    twilio = client(carrier.port, ACCOUNT_SID, AUTH_TOKEN)

    fetched = twilio.recordings(recording.sid).fetch()
    assert fetched.duration == "3" and fetched.source == "DialVerb"
    with (urllib.request.urlopen(carrier.recording_url(recording) + ".wav") as response,
          wave.open(io.BytesIO(response.read())) as audio):
        assert audio.getnframes() / audio.getframerate() == pytest.approx(3)
    assert twilio.recordings(recording.sid).delete() is True
    with pytest.raises(TwilioRestException) as missing:
        twilio.recordings(recording.sid).fetch()
    assert missing.value.code == 20404 and missing.value.status == 404


def test_wrong_credentials_are_refused_with_20003(carrier):
    twilio = client(carrier.port, ACCOUNT_SID, "not-the-token")

    with pytest.raises(TwilioRestException) as refused:
        twilio.messages.create(to="+14155550123", from_="+14155550100", body="hi")

    assert refused.value.status == 401 and refused.value.code == 20003


def test_invalid_to_number_is_refused_with_21211(carrier):
    twilio = client(carrier.port, ACCOUNT_SID, AUTH_TOKEN)

    with pytest.raises(TwilioRestException) as refused:
        twilio.calls.create(to="555-0199", from_="+14155550100", twiml="<Response/>")

    assert refused.value.code == 21211 and refused.value.status == 400


@pytest.mark.parametrize(
    ("create", "code", "message"),
    [
        (dict(to="+14155550199", from_="+14155550100"), 21200, "url"),
        (dict(to="+14155550199", from_="+14155550100", url="ftp://example.com/voice"), 21205, "Invalid URL"),
    ],
)
def test_a_call_without_usable_instructions_is_refused(carrier, create, code, message):
    twilio = client(carrier.port, ACCOUNT_SID, AUTH_TOKEN)

    with pytest.raises(TwilioRestException) as refused:
        twilio.calls.create(**create)

    assert refused.value.code == code and refused.value.status == 400
    assert message in refused.value.msg
    assert carrier.calls == {}


def test_a_message_without_a_sender_is_refused_with_21603(carrier):
    twilio = client(carrier.port, ACCOUNT_SID, AUTH_TOKEN)

    with pytest.raises(TwilioRestException) as refused:
        twilio.messages.create(to="+14155550123", body="hi")

    assert refused.value.code == 21603
    assert refused.value.msg.endswith("A 'From' or 'MessagingServiceSid' parameter is required to send a message")
    assert carrier.messages(to="+14155550123") == []
