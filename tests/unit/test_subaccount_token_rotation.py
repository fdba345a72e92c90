"""A tenant's carrier subaccount token rotated at the carrier: the dialer keeps the token it
was given, so the first webhook signed with the new one does not match; it asks the
carrier again, once, and accepts it. Forged signatures cannot make it ask more often than
every few seconds."""
import json
from urllib.parse import urlencode

import pytest
from chalice.test import Client
from twilio.request_validator import RequestValidator

from infra.catalog import load_app
from ringback import bootstrap
from ringback.accounts.carrier_numbers import REFRESH_MS
from ringback.bootstrap import build_memory_services
from ringback.clock import ManualClock
from ringback.settings import Settings

BASE = "https://calls.example"
MAIN = "AC" + "7" * 32


@pytest.fixture
def dialer():
    settings = Settings(stage="test", region="us-east-1", aws_endpoint_url=None, table_prefix="t-",
                        public_base_url=BASE, twilio_account_sid=MAIN, twilio_auth_token="main-token")
    clock = ManualClock(1_800_000_000_000)
    services = build_memory_services(clock, settings)
    bootstrap.install(services)
    yield services.number_carrier, clock
    bootstrap.install(None)


def status_webhook(account, token=None, signature=None):
    path = "/v1/carrier/call-status"
    params = {"CallSid": "CA1", "CallStatus": "completed", "AccountSid": account, "CallDuration": "3"}
    signature = signature or RequestValidator(token).compute_signature(BASE + path, params)
    with Client(load_app("dialer")) as client:
        response = client.http.post(path, body=urlencode(params), headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})
    return response.status_code, json.loads(response.body)["error"]["code"]


# Past the signature check, the status of a call these services never saw is unknown.
READ = (404, "unknown_call")
REFUSED = (403, "bad_signature")


def test_the_first_webhook_signed_with_a_rotated_subaccount_token_is_accepted(dialer):
    carrier, _ = dialer
    tenant = carrier.open_subaccount("Acme")
    assert status_webhook(tenant, carrier.auth_token(tenant)) == READ
    old, new = carrier.auth_token(tenant), carrier.rotate_auth_token(tenant)
    assert status_webhook(tenant, new) == READ
    assert status_webhook(tenant, old) == REFUSED


def test_forged_signatures_ask_the_carrier_at_most_every_few_seconds(dialer):
    carrier, clock = dialer
    tenant = carrier.open_subaccount("Acme")
    assert status_webhook(tenant, carrier.auth_token(tenant)) == READ
    assert status_webhook(tenant, signature="Zm9yZ2Vk") == REFUSED  # asks the carrier: nothing new
    new = carrier.rotate_auth_token(tenant)
    assert status_webhook(tenant, new) == REFUSED  # asked a moment ago: not again yet
    clock.advance(seconds=REFRESH_MS // 1000)
    assert status_webhook(tenant, new) == READ
