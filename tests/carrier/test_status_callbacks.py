"""Status callbacks as Twilio sends them: a text's way to delivered (or not), and the end
of a call to one of the account's numbers. Each one signed with the auth token."""
from __future__ import annotations

import json
import time
import urllib.request

from twilio.request_validator import RequestValidator

from devstack.carrier import Party, client
from tests.carrier.conftest import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER

CUSTOMER, CALLER = "+14155550177", "+14155550123"
FINAL_TEXT = ("delivered", "undelivered", "failed")


def posted_until(app, path: str, done, within: float = 30.0) -> list[dict[str, str]]:
    """The requests the carrier made to `path` once `done(requests)` holds; waits for the
    carrier's own event (its callback arriving), up to `within` seconds."""
    deadline = time.monotonic() + within
    while not done(app.requests_to(path)):
        assert time.monotonic() < deadline, f"the carrier never finished posting to {path}: {app.requests_to(path)}"
        time.sleep(0.01)
    return app.requests_to(path)


def text_ended(requests) -> bool:
    return any(r["MessageStatus"] in FINAL_TEXT for r in requests)


def assert_signed(app, path: str) -> None:
    validator = RequestValidator(AUTH_TOKEN)
    signed = [(p, params, headers) for p, params, headers in app.received if p == path]
    assert signed
    for _, params, headers in signed:
        assert validator.validate(app.url + path, params, headers["X-Twilio-Signature"])


def send_text(carrier, app, **sender):
    """Texts CUSTOMER from OUR_NUMBER, or from what `sender` says (a Messaging Service)."""
    twilio = client(carrier.port, ACCOUNT_SID, AUTH_TOKEN)
    message = twilio.messages.create(to=CUSTOMER, body="Sorry we missed your call",
                                     status_callback=app.url + "/sms-status", **(sender or {"from_": OUR_NUMBER}))
    return twilio, message, posted_until(app, "/sms-status", text_ended)


def test_a_delivered_text_reports_sent_then_delivered_signed(carrier, app):
    twilio, message, posted = send_text(carrier, app)

    assert message.status == "queued"  # the initial status gets no callback
    assert [p["MessageStatus"] for p in posted] == ["sent", "delivered"]
    assert all(p["SmsStatus"] == p["MessageStatus"] for p in posted)
    assert {(p["MessageSid"], p["SmsSid"], p["AccountSid"], p["From"], p["To"], p["ApiVersion"]) for p in posted} == {
        (message.sid, message.sid, ACCOUNT_SID, OUR_NUMBER, CUSTOMER, "2010-04-01")}
    assert not any("ErrorCode" in p for p in posted)
    assert_signed(app, "/sms-status")
    fetched = twilio.messages(message.sid).fetch()
    assert (fetched.status, fetched.error_code, fetched.error_message) == ("delivered", None, None)
    assert fetched.date_sent is not None


def test_a_text_the_carrier_cannot_deliver_reports_undelivered_with_its_error_code(carrier, app):
    carrier.script(CUSTOMER, Party(sms="undelivered", sms_error=30005))

    twilio, message, posted = send_text(carrier, app)

    assert [p["MessageStatus"] for p in posted] == ["sent", "undelivered"]
    assert "ErrorCode" not in posted[0] and posted[1]["ErrorCode"] == "30005"
    assert_signed(app, "/sms-status")
    fetched = twilio.messages(message.sid).fetch()
    assert (fetched.status, fetched.error_code, fetched.error_message) == (
        "undelivered", 30005, "Unknown destination handset")


def test_a_text_to_a_landline_scripted_on_the_control_surface_ends_undelivered_with_30006(carrier, app):
    request = urllib.request.Request(carrier.url + "/_carrier/script",
                                     json.dumps({"number": CUSTOMER, "party": {"landline": True}}).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as answered:
        assert answered.status == 200

    _, _, posted = send_text(carrier, app)

    assert [(p["MessageStatus"], p.get("ErrorCode")) for p in posted] == [("sent", None), ("undelivered", "30006")]


def test_a_text_that_cannot_be_sent_fails_without_being_sent(carrier, app):
    carrier.script(CUSTOMER, Party(sms="failed"))

    twilio, message, posted = send_text(carrier, app)

    assert [(p["MessageStatus"], p["ErrorCode"]) for p in posted] == [("failed", "30008")]
    fetched = twilio.messages(message.sid).fetch()
    assert (fetched.status, fetched.error_code, fetched.date_sent) == ("failed", 30008, None)


def test_a_text_through_a_messaging_service_reports_queued_and_comes_from_the_accounts_number(carrier, app):
    _, message, posted = send_text(carrier, app, messaging_service_sid="MG" + "3" * 32)

    assert message.status == "accepted"
    assert [p["MessageStatus"] for p in posted] == ["queued", "sent", "delivered"]
    assert {p["From"] for p in posted} == {OUR_NUMBER}
    assert {p["MessagingServiceSid"] for p in posted} == {"MG" + "3" * 32}


def test_a_call_to_our_number_posts_its_final_status_once_with_its_duration(carrier, app):
    carrier.script(CALLER, Party(talk_for=4))
    carrier.add_number(OUR_NUMBER, voice_url=app.on("/voice", "<Response><Pause length='60'/></Response>"),
                       status_callback=app.url + "/status")

    call = carrier.inbound_call(CALLER, OUR_NUMBER)
    (final,) = posted_until(app, "/status", lambda requests: len(requests) >= 1)
    carrier.wait_idle()

    assert len(app.requests_to("/status")) == 1
    assert (final["CallSid"], final["AccountSid"], final["From"], final["To"]) == (
        call.sid, ACCOUNT_SID, CALLER, OUR_NUMBER)
    assert (final["Direction"], final["CallStatus"], final["CallDuration"]) == ("inbound", "completed", "4")
    assert (final["ApiVersion"], final["CallbackSource"], final["SequenceNumber"]) == (
        "2010-04-01", "call-progress-events", "0")
    assert final["Timestamp"].endswith("+0000")
    assert_signed(app, "/status")

