"""A carrier auth token rotated in Secrets Manager, as a running function sees it: the
secret is read through a TTL cache (Powertools Parameters), a webhook signed with the new
token is accepted on its first request, and the REST client uses the new token, all
without a new container. Against a real moto server and the local carrier."""
import json
import time
import uuid
from urllib.parse import urlencode

import pytest
from chalice.test import Client
from twilio.request_validator import RequestValidator

from devstack import aws
from devstack.carrier import Carrier
from infra.catalog import load_app
from ringback import bootstrap
from ringback.adapters.carrier import TwilioCarrier
from ringback.adapters.secrets import AppSecret, CarrierCredentials
from ringback.adapters.twilio_numbers import TwilioNumbers
from ringback.bootstrap import build_memory_services
from ringback.clock import ManualClock
from ringback.settings import Settings

SID = "AC" + "5" * 32
BASE = "https://calls.example"


@pytest.fixture
def secret(local_aws):
    """An application secret holding the carrier's first token; `rotate(token)` puts a new
    version, as an operator (or a rotation function) does with PutSecretValue."""
    sm = aws.client("secretsmanager", local_aws)
    arn = sm.create_secret(Name=f"app-{uuid.uuid4().hex[:8]}", SecretString=json.dumps(
        {"twilio_account_sid": SID, "twilio_auth_token": "first-token", "analytics_key": "k"}))["ARN"]

    def rotate(token):
        sm.put_secret_value(SecretId=arn, SecretString=json.dumps(
            {"twilio_account_sid": SID, "twilio_auth_token": token, "analytics_key": "k"}))

    return arn, rotate


def app_secret(local_aws, arn, **kwargs):
    return AppSecret(arn, local_aws.region, local_aws.aws_endpoint_url, client=aws.client("secretsmanager", local_aws),
                     **kwargs)


def test_a_rotated_secret_is_seen_once_its_cache_expires(local_aws, secret):
    arn, rotate = secret
    values = app_secret(local_aws, arn, max_age=1)
    assert values.get("twilio_auth_token") == "first-token"
    rotate("second-token")
    assert values.get("twilio_auth_token") == "first-token"  # cached: not a call per request
    time.sleep(1.2)
    assert values.get("twilio_auth_token") == "second-token"


def test_a_refresh_reads_the_new_value_at_once_but_not_again_within_seconds(local_aws, secret):
    arn, rotate = secret
    values = app_secret(local_aws, arn)
    assert values.get("twilio_auth_token") == "first-token"
    rotate("second-token")
    assert values.refresh() is True and values.get("twilio_auth_token") == "second-token"
    rotate("third-token")
    # Forged signatures in a row must not become Secrets Manager calls in a row.
    assert values.refresh() is False and values.get("twilio_auth_token") == "second-token"


@pytest.fixture
def dialer(local_aws, secret):
    """The dialer's webhooks on in-memory services whose carrier credentials follow the secret."""
    arn, rotate = secret
    settings = Settings(stage="test", region="us-east-1", aws_endpoint_url=None, table_prefix="t-",
                        public_base_url=BASE, twilio_account_sid=SID)
    services = build_memory_services(ManualClock(1_800_000_000_000), settings)
    credentials = CarrierCredentials(SID, "first-token", app_secret(local_aws, arn))
    bootstrap.install(services.__class__(**{**services.__dict__, "carrier_credentials": credentials}))
    yield rotate
    bootstrap.install(None)


def status_webhook(token=None, signature=None):
    path, params = "/v1/carrier/call-status", {"CallSid": "CA1", "CallStatus": "completed", "AccountSid": SID,
                                               "CallDuration": "3"}
    signature = signature or RequestValidator(token).compute_signature(BASE + path, params)
    with Client(load_app("dialer")) as client:
        return client.http.post(path, body=urlencode(params), headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature})


def read(response) -> bool:
    """Past the signature check: the status of a call these services never saw is read
    and answered as unknown, where a refused signature is a 403."""
    return response.status_code == 404 and json.loads(response.body)["error"]["code"] == "unknown_call"


def test_a_webhook_signed_with_a_rotated_token_is_accepted_on_its_first_request(dialer):
    assert read(status_webhook("first-token"))
    dialer("rotated-token")
    # The cached token no longer matches: the secret is read again once, and the webhook passes.
    assert read(status_webhook("rotated-token"))
    assert read(status_webhook("rotated-token"))


def test_a_forged_signature_is_still_refused_after_the_refresh(dialer):
    dialer("rotated-token")
    refused = status_webhook(signature="Zm9yZ2Vk")
    assert refused.status_code == 403 and json.loads(refused.body)["error"]["code"] == "bad_signature"
    assert status_webhook("first-token").status_code == 403  # the old token signs nothing any more


def test_the_rest_client_uses_a_token_rotated_at_the_carrier_and_in_the_secret(local_aws, secret):
    arn, rotate = secret
    with Carrier(port=0, auth_token="first-token", account_sid=SID, time_scale=0.01) as carrier:
        carrier.add_number("+14155550100")
        credentials = CarrierCredentials(SID, "first-token", app_secret(local_aws, arn))
        numbers = TwilioNumbers(SID, credentials, carrier.url)
        texts = TwilioCarrier(SID, credentials, carrier.url)
        assert numbers.owned(SID, "+14155550100") is not None
        new = carrier.rotate_auth_token(SID)
        rotate(new)
        # The same clients, made with the old token: the carrier answers 401, the secret is
        # read again, and the request goes through with the new token.
        assert numbers.owned(SID, "+14155550100") is not None
        assert texts.send_sms("+14155550123", "+14155550100", "hello", f"{BASE}/v1/carrier/sms-status")
        assert numbers.auth_token(SID) == new
