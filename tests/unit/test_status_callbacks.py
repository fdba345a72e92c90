"""The carrier's status callbacks, as Twilio sends them: a call's final status and
duration, and a text's delivery. Either may arrive before or after the <Dial> action and
may be retried; none of that may change what the call log says happened."""
import json
from urllib.parse import urlencode

import pytest
from chalice.test import Client
from twilio.request_validator import RequestValidator

from infra.catalog import load_app
from ringback import bootstrap
from ringback.accounts.provisioning import Directories, set_alert_contacts
from ringback.accounts.tenants import Membership
from ringback.settings import Settings
from tests.support.authorizer import PrincipalFromHeader

from .code_prompt import past_the_gather
from .tracking_world import page, world

TOKEN = "carrier-auth-token"
BASE = "https://calls.example"
SETTINGS = Settings(stage="test", region="us-east-1", aws_endpoint_url=None, table_prefix="t-",
                    public_base_url=BASE, twilio_account_sid="AC123", twilio_auth_token=TOKEN)
CONTACT = "+14155550198"


@pytest.fixture
def svc():
    services, _, _, _ = world()
    services = services.__class__(**{**services.__dict__, "settings": SETTINGS})
    site = services.sites.get("s1")
    services.sites.save(site.__class__(**{**site.__dict__, "destination_numbers": ("+14155550199",)}))
    set_alert_contacts(Directories(services.tenants, services.sites, services.pools), "s1", [CONTACT])
    bootstrap.install(services)
    yield services
    bootstrap.install(None)


def post(path, params, token=TOKEN):
    """A signed webhook; the voice webhook's code prompt is skipped, as a caller who keys nothing."""
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "X-Twilio-Signature": RequestValidator(token).compute_signature(BASE + path, params)}
    with Client(load_app("dialer")) as client:
        response = client.http.post(path, body=urlencode(params), headers=headers)
    if path == "/v1/carrier/voice":
        return past_the_gather(response, lambda then, form: post(then, form, token), params)
    return response


def ringing_call(svc, sid="CA0001"):
    offer = svc.tracking.start(page())
    voice = post("/v1/carrier/voice", {"CallSid": sid, "From": "+14155550001", "To": offer.numbers[0].number,
                                       "CallStatus": "ringing"})
    assert voice.status_code == 200
    return f"tw:{sid}"


def dial_complete(status="completed", seconds="62"):
    return post("/v1/carrier/dial-complete", {"CallSid": "CA0001", "DialCallStatus": status,
                                              "DialCallDuration": seconds, "RecordingSid": "RE1"})


def call_status(status="completed", seconds="75"):
    return post("/v1/carrier/call-status", {"CallSid": "CA0001", "CallStatus": status, "CallDuration": seconds})


def test_the_calls_end_is_kept_beside_the_outcome_and_a_retry_changes_nothing(svc):
    call_id = ringing_call(svc)
    svc.clock.advance(seconds=70)
    dial_complete()
    assert call_status().status_code == 204
    assert call_status("completed", "999").status_code == 204  # the carrier retries
    call = svc.calls.get(call_id)[1]
    # The caller was on the line 75 s; 62 of them with the operator.
    assert (call.status, call.carrier_status, call.call_seconds) == ("answered", "completed", 75)
    assert call.outcome == {"ring_seconds": 8, "talk_seconds": 62, "recording_sid": "RE1"}


def test_an_end_reported_before_the_outcome_does_not_take_its_place(svc):
    call_id = ringing_call(svc)
    svc.clock.advance(seconds=30)
    call_status("completed", "30")
    assert svc.calls.get(call_id)[1].status == "abandoned"
    dial_complete("no-answer", "0")  # the <Dial> action lands late: it still tells what happened
    call = svc.calls.get(call_id)[1]
    assert (call.status, call.call_seconds, call.outcome["ring_seconds"]) == ("no-answer", 30, 30)
    assert [sms["to"] for sms in svc.notifier.sent] == [CONTACT]


def test_a_caller_who_hangs_up_before_any_outcome_leaves_an_abandoned_call_that_rings_no_more(svc):
    call_id = ringing_call(svc)
    call_status("completed", "4")
    call = svc.calls.get(call_id)[1]
    assert (call.status, call.call_seconds) == ("abandoned", 4) and svc.notifier.sent == []
    offer_number = call.tracking_number
    replay = post("/v1/carrier/voice", {"CallSid": "CA0001", "From": "+14155550001", "To": offer_number})
    assert replay.status_code == 403


def test_progress_statuses_are_accepted_and_change_nothing(svc):
    call_id = ringing_call(svc)
    assert call_status("in-progress", "0").status_code == 204
    assert svc.calls.get(call_id)[1].status == "ringing" and svc.calls.get(call_id)[1].carrier_status is None


def test_the_end_of_a_call_we_never_took_is_a_404(svc):
    assert call_status().status_code == 404


def missed_call_text(svc):
    call_id = ringing_call(svc)
    dial_complete("busy", "0")
    [message_id] = svc.calls.get(call_id)[1].alerts
    return call_id, message_id.removeprefix("tw:")


def sms_status(sid, status, error_code=None, token=TOKEN):
    params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC123",
              **({"ErrorCode": error_code} if error_code else {})}
    return post("/v1/carrier/sms-status", params, token=token)


def test_a_failed_text_and_its_error_code_reach_the_call_record(svc):
    call_id, sid = missed_call_text(svc)
    assert sms_status(sid, "sent").status_code == 204
    assert sms_status(sid, "failed", "30003").status_code == 204
    assert sms_status(sid, "sent").status_code == 204  # late, out of order: ignored
    alert = svc.calls.get(call_id)[1].alerts[f"tw:{sid}"]
    assert (alert["status"], alert["error_code"], alert["to"]) == ("failed", "30003", CONTACT)


def test_a_delivered_text_is_kept_as_delivered(svc):
    call_id, sid = missed_call_text(svc)
    for status in ("sent", "delivered", "delivered"):
        sms_status(sid, status)
    assert svc.calls.get(call_id)[1].alerts[f"tw:{sid}"]["status"] == "delivered"


def test_a_text_status_that_is_unsigned_or_unknown_is_refused(svc):
    call_id, sid = missed_call_text(svc)
    assert sms_status(sid, "delivered", token="someone-elses").status_code == 403
    refused = sms_status(sid, "exploded")
    assert refused.status_code == 400 and json.loads(refused.body)["error"]["code"] == "invalid_webhook"
    assert svc.calls.get(call_id)[1].alerts[f"tw:{sid}"]["status"] == "queued"


def test_the_dashboards_call_log_shows_a_missed_call_whose_text_failed(svc):
    call_id, sid = missed_call_text(svc)
    sms_status(sid, "undelivered", "30005")
    svc.tenants.add_member(Membership("t1", "u1", "u1@test", "owner"))
    with Client(load_app("reports")) as client:
        client.http._local_gateway._authorizer = PrincipalFromHeader()
        response = client.http.get("/v1/calls", headers={"Authorization": "u1"})
    assert response.status_code == 200
    [call] = json.loads(response.body)["calls"]
    assert call["call_id"] == call_id and call["status"] == "busy"
    assert call["alerts"][f"tw:{sid}"]["status"] == "undelivered"
    assert call["alerts"][f"tw:{sid}"]["error_code"] == "30005"
