"""The dialer acts in the tenant's own carrier account: a tenant's numbers and caller IDs
are its subaccount's, which the carrier refuses in any other account (21210, 21606), so
every call, cancel, text and recording request for that tenant names the subaccount (our
main account for a tenant that has none). And the webhook check: a token lookup the
carrier refused is asked again next time, one it answered is kept."""
import json
from urllib.parse import urlencode

import pytest
from chalice.test import Client
from twilio.request_validator import RequestValidator

from infra.catalog import load_app
from ringback import bootstrap
from ringback.accounts.sites import Site
from ringback.callbacks.model import CallbackForm
from ringback.settings import Settings

from .code_prompt import past_the_gather
from .tracking_world import ORIGIN, page, world

TOKEN = "carrier-auth-token"
BASE = "https://calls.example"
SETTINGS = Settings(stage="test", region="us-east-1", aws_endpoint_url=None, table_prefix="t-",
                    recordings_bucket="r", analytics_bucket="a", frontend_bucket="f", public_base_url=BASE,
                    twilio_account_sid="AC123", twilio_auth_token=TOKEN)
OPERATORS = ("+14155550199", "+14155550198")
VISITOR = "+14155550123"


def services_with(subaccount: bool, **callback):
    svc, clock, _, _ = world()
    svc = svc.__class__(**{**svc.__dict__, "settings": SETTINGS})
    clock.advance(ms=10 * 3_600_000)  # daytime in San Francisco
    site = svc.sites.get("s1")
    svc.sites.save(Site(**{**site.__dict__, "destination_numbers": OPERATORS, "alert_contacts": ("+14155550177",),
                           "settings": {"callback": {"visitor_hours": ["00:00", "24:00"], **callback}}}))
    account = None
    if subaccount:
        account = svc.number_carrier.open_subaccount("Plumbing")
        svc.tenants.save(svc.tenants.get("t1").__class__(**{**svc.tenants.get("t1").__dict__,
                                                            "carrier_account": account}))
    return svc, account


def rung(svc, hunt_token="token-1"):
    request, _ = svc.callbacks.request(CallbackForm("pk_1", ORIGIN, VISITOR, country="US"))
    rid = request.request_id
    step = svc.callbacks.plan(rid, None)
    ring = step.ring
    svc.callbacks.ring(rid, {"round": ring.round, "leg_seq": ring.leg_seq, "operators": list(ring.operators),
                             "ring_seconds": ring.ring_seconds}, hunt_token)
    return rid


@pytest.mark.parametrize("subaccount", [True, False], ids=["subaccount", "main account"])
def test_a_callbacks_legs_are_placed_and_cancelled_in_the_tenants_account(subaccount):
    svc, account = services_with(subaccount, hunt="simultaneous")
    rid = rung(svc)
    dialer = svc.callbacks._dialer
    assert [p["account"] for p in dialer.placed] == [account, account]

    first, second = svc.callbacks._store.legs_of(rid)
    svc.callbacks.operator_answered(rid, first.leg, first.call_id)

    assert dialer.cancelled == [second.call_id] and dialer.cancelled_in == [account]


def test_legs_placed_before_the_tenants_first_purchase_are_cancelled_where_they_were_placed():
    svc, _ = services_with(False, hunt="simultaneous")
    rid = rung(svc)
    # The tenant buys its first number (its subaccount opens) while the round rings.
    svc.tenants.save(svc.tenants.get("t1").__class__(**{**svc.tenants.get("t1").__dict__,
                                                        "carrier_account": svc.number_carrier.open_subaccount("P")}))
    first, second = svc.callbacks._store.legs_of(rid)

    svc.callbacks.operator_answered(rid, first.leg, first.call_id)

    assert svc.callbacks._dialer.cancelled_in == [None]


def test_a_missed_callbacks_text_goes_from_the_tenants_account():
    svc, account = services_with(True, hunt="simultaneous", max_rounds=1)
    rid = rung(svc)
    for leg in svc.callbacks._store.legs_of(rid):
        svc.callbacks.leg_status(rid, leg.leg, leg.call_id, "no-answer", None)

    step = svc.callbacks.plan(rid, {"Error": "Callback.OperatorNoAnswer"})

    assert (step.action, step.status) == ("done", "missed")
    [sms] = svc.notifier.sent
    assert sms["account"] == account


def signed(path, params, token):
    """A signed webhook; the voice webhook's code prompt is skipped, as a caller who keys nothing."""
    signature = RequestValidator(token).compute_signature(BASE + path, params)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    with Client(load_app("dialer")) as client:
        response = client.http.post(path, body=urlencode(params), headers=headers)
    if path == "/v1/carrier/voice":
        return past_the_gather(response, lambda then, form: signed(then, form, token), params)
    return response


@pytest.fixture
def installed():
    svc, account = services_with(True)
    bootstrap.install(svc)
    yield svc, account
    bootstrap.install(None)


def test_a_calls_recording_is_fetched_and_deleted_in_the_account_that_signed_its_webhook(installed):
    svc, account = installed
    token = svc.number_carrier.auth_token(account)
    offer = svc.tracking.start(page())
    call = {"CallSid": "CA0001", "AccountSid": account, "From": "+14155550001", "To": offer.numbers[0].number,
            "CallStatus": "ringing", "Direction": "inbound"}
    assert signed("/v1/carrier/voice", call, token).status_code == 200
    svc.recordings._carrier.recordings["RE9"] = b"audio"

    response = signed("/v1/carrier/recording", {"CallSid": "CA0001", "RecordingSid": "RE9",
                                                "RecordingStatus": "completed", "AccountSid": account}, token)

    assert response.status_code == 204
    assert svc.recordings._carrier.accounts["RE9"] == account and "RE9" in svc.recordings._carrier.deleted


def test_a_recording_without_an_account_on_its_webhook_is_the_tenants(installed):
    svc, account = installed
    rid = rung(svc)
    svc.callbacks._carrier_recordings.recordings["RE10"] = b"audio"

    svc.callbacks.archive_recording(rid, "RE10")

    assert svc.callbacks._carrier_recordings.accounts["RE10"] == account


def test_a_refused_token_lookup_is_asked_again_and_an_answered_one_is_kept(installed):
    svc, account = installed
    carrier, asked = svc.number_carrier, []
    real = carrier.auth_token
    answer = {"token": None}  # the carrier does not know the account yet (it is being opened)

    def auth_token(sid):
        asked.append(sid)
        return answer["token"] if sid == account else real(sid)

    carrier.auth_token = auth_token
    token = real(account)
    offer = svc.tracking.start(page())
    call = {"CallSid": "CA0002", "AccountSid": account, "From": "+14155550001", "To": offer.numbers[0].number,
            "CallStatus": "ringing", "Direction": "inbound"}

    refused = signed("/v1/carrier/voice", call, token)
    assert refused.status_code == 403
    assert json.loads(refused.body)["error"]["code"] == "unknown_carrier_account"
    answer["token"] = token
    assert signed("/v1/carrier/voice", call, token).status_code == 200
    assert signed("/v1/carrier/voice", call, token).status_code == 200

    assert asked == [account, account]  # refused once, then answered once and kept
