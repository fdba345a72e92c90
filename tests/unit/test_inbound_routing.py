"""A site's inbound routing as the caller and the operators meet it, through the carrier's
signed webhooks: destinations rung one after another, a custom whisper, no recording, no
voicemail, and closing off hours."""
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from ringback import bootstrap
from ringback.calls.routing import InboundRouting

from .test_carrier_webhooks import BASE, SETTINGS, call_params, post
from .tracking_world import page, world

FIRST, SECOND, THIRD = "+14155550199", "+14155550198", "+14155550197"


@pytest.fixture
def svc():
    services = world()[0]
    services = replace(services, settings=SETTINGS)
    bootstrap.install(services)
    yield services
    bootstrap.install(None)


def route(svc, destinations=(FIRST, SECOND, THIRD), working_hours=None, **routing):
    site = svc.sites.get("s1")
    svc.sites.save(replace(site, destination_numbers=destinations,
                           working_hours=working_hours if working_hours is not None else site.working_hours,
                           settings={**site.settings, "calls": InboundRouting(**routing).stored()}))


def twiml(response):
    assert response.status_code == 200, response.body
    return ET.fromstring(response.body)


def dial_ended(status, next_leg=None, **extra):
    path = "/v1/carrier/dial-complete" + (f"?next={next_leg}" if next_leg is not None else "")
    return twiml(post(path, {"CallSid": "CA0001", "AccountSid": "AC123", "DialCallStatus": status, **extra}))


def test_in_order_each_destination_rings_alone_and_passes_the_call_on_when_it_does_not_answer(svc):
    route(svc, strategy="in_order", ring_seconds=12, recording_notice="This call is recorded.")
    offer = svc.tracking.start(page())
    first = twiml(post("/v1/carrier/voice", call_params(offer.numbers[0].number)))
    assert first.find("Say").text == "This call is recorded."
    dial = first.find("Dial")
    assert [n.text for n in dial.findall("Number")] == [FIRST] and dial.get("timeout") == "12"
    assert dial.get("action") == f"{BASE}/v1/carrier/dial-complete?next=1"

    second = dial_ended("no-answer", 1)
    assert second.find("Say") is None  # the notice was said once
    assert [n.text for n in second.find("Dial").findall("Number")] == [SECOND]
    assert second.find("Dial").get("action") == f"{BASE}/v1/carrier/dial-complete?next=2"
    assert svc.calls.get("tw:CA0001")[1].status == "ringing"  # still looking for someone

    # The operator answered but hung up during the whisper: the caller is passed on too.
    third = dial_ended("completed", 2, DialBridged="false", DialCallDuration="0")
    dial = third.find("Dial")
    assert [n.text for n in dial.findall("Number")] == [THIRD]
    assert dial.get("action") == f"{BASE}/v1/carrier/dial-complete"  # the last one

    assert dial_ended("completed", DialCallDuration="40", DialBridged="true").find("Hangup") is not None
    call = svc.calls.get("tw:CA0001")[1]
    assert call.status == "answered" and call.outcome["talk_seconds"] == 40


def test_in_order_a_caller_who_hangs_up_is_not_passed_on(svc):
    route(svc, strategy="in_order")
    offer = svc.tracking.start(page())
    post("/v1/carrier/voice", call_params(offer.numbers[0].number))
    assert dial_ended("canceled", 1).find("Dial") is None
    assert svc.calls.get("tw:CA0001")[1].status == "canceled"


def test_all_at_once_every_destination_rings_together(svc):
    route(svc, ring_seconds=25)
    offer = svc.tracking.start(page())
    dial = twiml(post("/v1/carrier/voice", call_params(offer.numbers[0].number))).find("Dial")
    assert [n.text for n in dial.findall("Number")] == [FIRST, SECOND, THIRD]
    assert dial.get("action") == f"{BASE}/v1/carrier/dial-complete" and dial.get("timeout") == "25"


def test_the_operator_hears_the_sites_whisper_text_and_an_unrecorded_call_has_no_notice(svc):
    route(svc, whisper_text="{site} call from {source}, {keyword|no keyword}. {campaign|}", record=False,
          recording_notice="This call is recorded.")
    offer = svc.tracking.start(page())
    answer = twiml(post("/v1/carrier/voice", call_params(offer.numbers[0].number)))
    assert answer.find("Say") is None
    assert answer.find("Dial").get("record") == "do-not-record"
    whisper = twiml(post("/v1/carrier/whisper", {"CallSid": "CA0002", "ParentCallSid": "CA0001",
                                                 "AccountSid": "AC123"}))
    assert whisper.find("Say").text == "Main call from google, leak."


def test_without_whisper_the_operator_is_put_through_at_once(svc):
    route(svc, whisper=False)
    offer = svc.tracking.start(page())
    number = twiml(post("/v1/carrier/voice", call_params(offer.numbers[0].number))).find("Dial/Number")
    assert number.get("url") is None


def test_voicemail_off_ends_a_missed_call_with_the_sites_message(svc):
    route(svc, voicemail=False, voicemail_prompt="Sorry we missed you. We will call you back.")
    offer = svc.tracking.start(page())
    post("/v1/carrier/voice", call_params(offer.numbers[0].number))
    after = dial_ended("busy")
    assert after.find("Say").text == "Sorry we missed you. We will call you back."
    assert after.find("Hangup") is not None and after.find("Record") is None
    assert svc.calls.get("tw:CA0001")[1].status == "busy"


def test_voicemail_on_takes_a_message_after_the_sites_prompt(svc):
    route(svc, voicemail_prompt="Leave us a message and we will call back.")
    offer = svc.tracking.start(page())
    post("/v1/carrier/voice", call_params(offer.numbers[0].number))
    after = dial_ended("no-answer")
    assert after.find("Say").text == "Leave us a message and we will call back."
    assert after.find("Record").get("action") == f"{BASE}/v1/carrier/voicemail-saved"


CLOSED = {"sun": [["00:00", "00:01"]]}  # the world's clock starts on a Friday


@pytest.mark.parametrize("routing,verb", [
    ({}, "Record"),
    ({"off_hours_action": "hangup", "off_hours_prompt": "We open at nine."}, "Hangup"),
    ({"off_hours_action": "forward", "off_hours_number": "+14155550177"}, "Dial"),
])
def test_off_hours_the_site_takes_a_message_hangs_up_or_forwards(svc, routing, verb):
    route(svc, working_hours=CLOSED, **routing)
    offer = svc.tracking.start(page())
    answer = twiml(post("/v1/carrier/voice", call_params(offer.numbers[0].number)))
    assert answer.find(verb) is not None
    status = svc.calls.get("tw:CA0001")[1].status
    if verb == "Hangup":
        assert answer.find("Say").text == "We open at nine."
        assert status == "no-answer"  # missed at once, not left to look abandoned
    else:
        assert status == "ringing"


def test_no_destinations_and_no_voicemail_is_a_missed_call_that_says_so(svc):
    route(svc, destinations=(), voicemail=False)
    offer = svc.tracking.start(page())
    answer = twiml(post("/v1/carrier/voice", call_params(offer.numbers[0].number)))
    assert answer.find("Hangup") is not None and answer.find("Say").text
    assert svc.calls.get("tw:CA0001")[1].status == "no-answer"
