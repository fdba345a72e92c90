"""The carrier's webhooks, as Twilio calls them: signed form posts answered with TwiML."""
import json
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from chalice.test import Client
from twilio.request_validator import RequestValidator

from infra.catalog import load_app
from ringback import bootstrap
from ringback.accounts.sites import Site
from ringback.bootstrap import build_memory_services
from ringback.clock import ManualClock
from ringback.settings import Settings

from .code_prompt import past_the_gather
from .tracking_world import START, page, world

TOKEN = "carrier-auth-token"
BASE = "https://calls.example"
SETTINGS = Settings(stage="test", region="us-east-1", aws_endpoint_url=None, table_prefix="t-",
                    recordings_bucket="r", analytics_bucket="a", frontend_bucket="f", public_base_url=BASE,
                    twilio_account_sid="AC123", twilio_auth_token=TOKEN)


@pytest.fixture
def svc():
    services, clock, _, _ = world()
    services = services.__class__(**{**services.__dict__, "settings": SETTINGS})
    site = services.sites.get("s1")
    services.sites.save(Site(**{**site.__dict__, "destination_numbers": ("+14155550199",),
                                "settings": {"calls": {"record": True}}}))
    bootstrap.install(services)
    yield services
    bootstrap.install(None)


def post(path, params, token=TOKEN, signature=None, code=None, follow=True):
    """A signed webhook. The voice webhook's code prompt is answered as the carrier would:
    with `code` keyed, or (None) skipped; follow=False returns the prompt itself."""
    if signature is None:
        signature = RequestValidator(token).compute_signature(BASE + path, params)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature:
        headers["X-Twilio-Signature"] = signature
    with Client(load_app("dialer")) as client:
        response = client.http.post(path, body=urlencode(params), headers=headers)
    if path == "/v1/carrier/voice" and follow and "Digits" not in params:
        return past_the_gather(response, lambda then, form: post(then, form, token, follow=False), params, code)
    return response


def call_params(to, sid="CA0001", caller="+14155550001"):
    return {"CallSid": sid, "AccountSid": "AC123", "From": caller, "To": to, "CallStatus": "ringing",
            "Direction": "inbound", "ApiVersion": "2010-04-01"}


def test_a_signed_call_is_recorded_and_answered_with_a_dial(svc):
    offer = svc.tracking.start(page())
    response = post("/v1/carrier/voice", call_params(offer.numbers[0].number))
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/xml"
    twiml = ET.fromstring(response.body)
    dial = twiml.find("Dial")
    assert dial.get("record") == "record-from-answer" and dial.get("action") == f"{BASE}/v1/carrier/dial-complete"
    number = dial.find("Number")
    assert number.text == "+14155550199" and number.get("url") == f"{BASE}/v1/carrier/whisper"
    _, record = svc.calls.get("tw:CA0001")
    assert record.attribution["session_id"] == offer.session_id


def test_a_call_to_a_pool_number_is_first_asked_for_the_visits_four_digit_code(svc):
    offer = svc.tracking.start(page())
    response = post("/v1/carrier/voice", call_params(offer.numbers[0].number), follow=False)
    assert response.status_code == 200
    twiml = ET.fromstring(response.body)
    gather = twiml.find("Gather")
    assert (gather.get("numDigits"), gather.get("finishOnKey"), gather.get("action")) == (
        "4", "#", f"{BASE}/v1/carrier/voice")
    assert gather.find("Say").text == "Enter your four digit code, or press hash."
    # Nothing keyed: the carrier goes on to the next verb, and the call is put through.
    assert twiml.find("Redirect").text == f"{BASE}/v1/carrier/voice-without-code"
    assert twiml.find("Dial") is None and svc.calls.get("tw:CA0001") is None


def test_the_code_keyed_at_the_prompt_attributes_the_call_to_the_visit_shown_it(svc):
    offer = svc.tracking.start(page())
    shown = offer.numbers[0]
    response = post("/v1/carrier/voice", call_params(shown.number), code=shown.extension)
    assert ET.fromstring(response.body).find("Dial") is not None
    attribution = svc.calls.get("tw:CA0001")[1].attribution
    assert (attribution["session_id"], attribution["method"], attribution["level"]) == (
        offer.session_id, "code", "high")


def test_a_call_whose_caller_skips_the_code_is_still_attributed_and_put_through(svc):
    offer = svc.tracking.start(page())
    response = post("/v1/carrier/voice-without-code", call_params(offer.numbers[0].number))
    assert ET.fromstring(response.body).find("Dial/Number").text == "+14155550199"
    attribution = svc.calls.get("tw:CA0001")[1].attribution
    assert (attribution["session_id"], attribution["code"]["entered"]) == (offer.session_id, None)


@pytest.mark.parametrize("signature", ["", "bm90LWEtc2lnbmF0dXJl"])
def test_unsigned_and_forged_webhooks_are_refused_and_record_nothing(svc, signature):
    offer = svc.tracking.start(page())
    response = post("/v1/carrier/voice", call_params(offer.numbers[0].number), signature=signature)
    assert response.status_code == 403
    assert svc.calls.get("tw:CA0001") is None


def test_a_request_signed_with_another_token_is_refused(svc):
    response = post("/v1/carrier/voice", call_params("+14155550150"), token="someone-elses-token")
    assert response.status_code == 403


def test_tampered_parameters_break_the_signature(svc):
    params = call_params("+14155550150")
    signature = RequestValidator(TOKEN).compute_signature(BASE + "/v1/carrier/voice", params)
    response = post("/v1/carrier/voice", {**params, "From": "+19995550000"}, signature=signature)
    assert response.status_code == 403


def test_a_webhook_sent_twice_makes_one_call_record(svc):
    offer = svc.tracking.start(page())
    first = post("/v1/carrier/voice", call_params(offer.numbers[0].number))
    second = post("/v1/carrier/voice", call_params(offer.numbers[0].number))
    assert first.body == second.body
    assert len(svc.calls.between("t1", 0, START + 10**9, 10, None).items) == 1


def test_the_operator_hears_the_source_before_the_bridge(svc):
    offer = svc.tracking.start(page())
    post("/v1/carrier/voice", call_params(offer.numbers[0].number))
    response = post("/v1/carrier/whisper", {"CallSid": "CA0002", "ParentCallSid": "CA0001", "AccountSid": "AC123"})
    assert ET.fromstring(response.body).find("Say").text == "Call from google, keyword leak."


def test_an_unknown_number_is_a_404_in_our_error_shape(svc):
    response = post("/v1/carrier/voice", call_params("+19995550000"))
    assert response.status_code == 404


def test_without_a_configured_token_every_webhook_is_refused():
    services = build_memory_services(ManualClock(START), Settings(**{**SETTINGS.__dict__, "twilio_auth_token": None}))
    bootstrap.install(services)
    try:
        assert post("/v1/carrier/voice", call_params("+14155550150")).status_code == 403
    finally:
        bootstrap.install(None)


def answered_call(svc):
    offer = svc.tracking.start(page())
    post("/v1/carrier/voice", call_params(offer.numbers[0].number))
    return offer


def test_an_answered_call_keeps_ring_and_talk_time_and_alerts_nobody(svc):
    answered_call(svc)
    svc.clock.advance(seconds=70)
    response = post("/v1/carrier/dial-complete", {"CallSid": "CA0001", "DialCallStatus": "completed",
                                                  "DialCallDuration": "62", "RecordingSid": "RE1"})
    assert ET.fromstring(response.body).find("Hangup") is not None
    _, call = svc.calls.get("tw:CA0001")
    assert call.status == "answered"
    assert call.outcome == {"ring_seconds": 8, "talk_seconds": 62, "recording_sid": "RE1"}
    assert svc.notifier.sent == []


@pytest.mark.parametrize("dial_status", ["no-answer", "busy", "failed"])
def test_a_missed_call_texts_the_sites_contacts_once_and_offers_voicemail(svc, dial_status):
    site = svc.sites.get("s1")
    svc.sites.save(Site(**{**site.__dict__, "alert_contacts": ("+14155550198",)}))
    answered_call(svc)
    params = {"CallSid": "CA0001", "DialCallStatus": dial_status, "DialCallDuration": "0"}
    first = post("/v1/carrier/dial-complete", params)
    post("/v1/carrier/dial-complete", params)  # the carrier retries
    assert ET.fromstring(first.body).find("Record") is not None
    assert svc.calls.get("tw:CA0001")[1].status == dial_status
    [sms] = svc.notifier.sent
    assert sms["to"] == "+14155550198" and "+14155550001" in sms["body"] and "google" in sms["body"]


def test_an_operator_who_hangs_up_during_the_whisper_leaves_a_missed_call(svc):
    # The operator's phone answered (DialCallStatus=completed) but the caller was never put
    # through (DialBridged=false): for the business this is a caller nobody spoke to.
    site = svc.sites.get("s1")
    svc.sites.save(Site(**{**site.__dict__, "alert_contacts": ("+14155550198",)}))
    answered_call(svc)
    response = post("/v1/carrier/dial-complete", {"CallSid": "CA0001", "DialCallStatus": "completed",
                                                  "DialBridged": "false", "DialCallDuration": "0"})
    assert ET.fromstring(response.body).find("Record") is not None
    assert svc.calls.get("tw:CA0001")[1].status == "no-answer"
    [sms] = svc.notifier.sent
    assert sms["to"] == "+14155550198" and "+14155550001" in sms["body"]


def test_a_replayed_voice_webhook_for_an_ended_call_is_refused(svc):
    offer = answered_call(svc)
    post("/v1/carrier/dial-complete", {"CallSid": "CA0001", "DialCallStatus": "completed", "DialCallDuration": "5"})
    replay = post("/v1/carrier/voice", call_params(offer.numbers[0].number))
    assert replay.status_code == 403


def test_a_recording_is_copied_to_the_tenants_prefix_then_deleted_at_the_carrier(svc):
    answered_call(svc)
    carrier_side = svc.recordings._carrier
    carrier_side.recordings["RE77"] = b"RIFF....WAVEfmt "
    params = {"CallSid": "CA0001", "RecordingSid": "RE77", "RecordingStatus": "completed"}
    assert post("/v1/carrier/recording", params).status_code == 204
    assert post("/v1/carrier/recording", params).status_code == 204  # a retry copies nothing twice
    [(key, body)] = svc.recordings._store.objects.items()
    assert key.startswith("tenants/t1/recordings/") and key.endswith("/RE77.wav") and body == b"RIFF....WAVEfmt "
    assert carrier_side.recordings == {} and "RE77" in carrier_side.deleted
    assert svc.calls.get("tw:CA0001")[1].recordings == {"RE77": key}


def test_recording_links_go_only_to_the_owning_tenant(svc):
    from ringback.accounts.tenants import TenantScope
    from ringback.errors import NotFound

    answered_call(svc)
    svc.recordings._carrier.recordings["RE77"] = b"audio"
    post("/v1/carrier/recording", {"CallSid": "CA0001", "RecordingSid": "RE77", "RecordingStatus": "completed"})
    [url] = svc.recordings.link(TenantScope("t1", "owner", frozenset({"t1"})), "tw:CA0001")
    assert "RE77.wav" in url and "expires=300" in url
    with pytest.raises(NotFound):
        svc.recordings.link(TenantScope("t2", "owner", frozenset({"t2"})), "tw:CA0001")


def test_every_call_event_is_queued_once_for_the_sites_webhook(svc):
    site = svc.sites.get("s1")
    hooks = {"webhooks": [{"url": "https://crm.example/in", "secret": "s" * 32}]}
    svc.sites.save(Site(**{**site.__dict__, "settings": {**site.settings, **hooks}}))
    answered_call(svc)
    post("/v1/carrier/voice", call_params(svc.calls.get("tw:CA0001")[1].tracking_number))  # a retry
    svc.recordings._carrier.recordings["RE5"] = b"audio"
    for _ in range(2):  # the carrier retries callbacks too
        post("/v1/carrier/dial-complete", {"CallSid": "CA0001", "DialCallStatus": "completed", "DialCallDuration": "9"})
        post("/v1/carrier/recording", {"CallSid": "CA0001", "RecordingSid": "RE5", "RecordingStatus": "completed"})
    queued = [d for d, _ in svc.events._queue.waiting]
    assert [d.event_type for d in queued] == ["call.ringing", "call.answered", "call.recording"]
    assert {d.endpoint.url for d in queued} == {"https://crm.example/in"}
    assert queued[1].data["attribution"]["source"] == "google" and queued[2].data["recordings"] == ["RE5"]


class RepeatedKeys(dict):
    """A form with a key given twice, as twilio's RequestValidator reads a multidict."""

    def __init__(self, pairs):
        super().__init__(pairs)
        self.pairs = pairs

    def getall(self, key):
        return [v for k, v in self.pairs if k == key]


def post_pairs(path, pairs, signed_over):
    """A form with repeated keys; the code prompt is skipped with the same form."""
    signature = RequestValidator(TOKEN).compute_signature(BASE + path, signed_over)
    with Client(load_app("dialer")) as client:
        response = client.http.post(path, body=urlencode(pairs), headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
    if path == "/v1/carrier/voice":
        return past_the_gather(response, lambda then, _: post_pairs(then, pairs, signed_over), pairs)
    return response


def test_a_repeated_key_signed_over_all_its_values_is_accepted(svc):
    offer = svc.tracking.start(page())
    pairs = [*call_params(offer.numbers[0].number).items(), ("StirPassportToken", "a"), ("StirPassportToken", "b")]
    response = post_pairs("/v1/carrier/voice", pairs, RepeatedKeys(pairs))
    assert response.status_code == 200
    assert svc.calls.get("tw:CA0001") is not None


def test_a_repeated_key_signed_over_only_one_of_its_values_is_refused(svc):
    # A signature that covers one value of the key (the one a collapsing parser keeps)
    # does not vouch for the other, which was added on the way.
    offer = svc.tracking.start(page())
    params = call_params(offer.numbers[0].number)
    pairs = [*params.items(), ("StirPassportToken", "forged"), ("StirPassportToken", "b")]
    response = post_pairs("/v1/carrier/voice", pairs, {**params, "StirPassportToken": "b"})
    assert response.status_code == 403
    assert json.loads(response.body)["error"]["code"] == "bad_signature"
    assert svc.calls.get("tw:CA0001") is None


def test_a_handler_reads_the_first_value_of_a_repeated_key():
    from ringback.adapters.carrier import form

    params = form(b"To=%2B14155550101&Digits=123&Digits=456")
    assert params["Digits"] == "123" and params.get("Digits") == "123" and params.getall("Digits") == ["123", "456"]
    assert dict(params) == {"To": "+14155550101", "Digits": "123"}


def test_a_call_to_a_subaccounts_number_is_checked_with_that_subaccounts_token(svc):
    subaccount = svc.number_carrier.open_subaccount("Acme")
    token = svc.number_carrier.auth_token(subaccount)
    offer = svc.tracking.start(page())
    params = {**call_params(offer.numbers[0].number), "AccountSid": subaccount}

    assert post("/v1/carrier/voice", params, token=TOKEN).status_code == 403  # not the main token
    response = post("/v1/carrier/voice", params, token=token)

    assert response.status_code == 200 and ET.fromstring(response.body).find("Dial") is not None


def test_a_webhook_naming_an_account_that_is_not_ours_is_refused(svc):
    offer = svc.tracking.start(page())
    params = {**call_params(offer.numbers[0].number), "AccountSid": "AC" + "9" * 32}

    response = post("/v1/carrier/voice", params, token="whatever-they-signed-with")

    assert response.status_code == 403
    assert json.loads(response.body)["error"]["code"] == "unknown_carrier_account"
    assert svc.calls.get("tw:CA0001") is None
