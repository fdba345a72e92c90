"""Rotating the carrier's auth token on a running local stack, as an operator does in
production: the token is rotated at the carrier (Twilio's "promote the secondary token":
the old one stops signing and authenticating at once), and the new one is put into the
application secret (PutSecretValue). No function is restarted: the stack's function
processes run on, and the first webhook signed with the new token is accepted, the REST
client authenticates with it, and so on for a tenant's subaccount token."""
import json

import pytest
from twilio.request_validator import RequestValidator

from devstack import aws
from devstack.demo import DEMO_ALERT_CONTACT, DEMO_DESTINATION
from tests.support.calls import aws_client, http, place_call, wait_for_hook
from tests.support.visits import open_site, shown_number  # noqa: F401 - open_site: a fixture the tests use

pytestmark = pytest.mark.e2e

SECRET_NAME = "ringback-local-app-secrets"
MAIN_NUMBER = "+14155550188"  # a number of our main carrier account, not a tenant's


def rotate_at_the_carrier(stack, account_sid=None):
    status, rotated = http("POST", f"{stack.carrier_url}/_carrier/auth-token",
                           {"account_sid": account_sid} if account_sid else {})
    assert status == 200, rotated
    return rotated["auth_token"]


def put_in_the_secret(stack, token):
    secrets = aws_client(stack, "secretsmanager")
    value = json.loads(secrets.get_secret_value(SecretId=SECRET_NAME)["SecretString"])
    value["twilio_auth_token"] = token
    secrets.put_secret_value(SecretId=SECRET_NAME, SecretString=json.dumps(value))


def first_voice_webhook(stack, call_sid):
    """The carrier's first voice webhook of the call, as it was answered (the carrier's
    log is in the order sent; the carrier sends a voice webhook once, as Twilio does)."""
    return wait_for_hook(stack, "/v1/carrier/voice", call_sid)


@pytest.mark.usefixtures("open_site")
def test_the_main_token_rotated_in_the_secret_is_used_without_a_restart(stack):
    status, owned = http("POST", f"{stack.carrier_url}/_carrier/numbers", {
        "number": MAIN_NUMBER, "voice_url": f"{stack.url}/v1/carrier/voice"})
    assert status == 201 and owned["account_sid"] == aws.CARRIER_ACCOUNT_SID, owned
    new = rotate_at_the_carrier(stack)
    assert new != aws.CARRIER_AUTH_TOKEN
    put_in_the_secret(stack, new)

    # A webhook of the main account is signed with the new token, and its first request
    # passes the signature check (the number is not a tracking number: 404, not 403).
    sid = place_call(stack, "+14155550044", MAIN_NUMBER)
    exchange = first_voice_webhook(stack, sid)
    signature = exchange["headers"]["X-Twilio-Signature"]
    assert RequestValidator(new).validate(exchange["url"], exchange["params"], signature)
    assert not RequestValidator(aws.CARRIER_AUTH_TOKEN).validate(exchange["url"], exchange["params"], signature)
    assert exchange["status"] == 404 and "unknown_number" in exchange["body"], exchange

    # A tenant's number: the dialer asks the carrier for its subaccount's token with the
    # main credentials (the old token is refused there now), and a missed call's text goes
    # out through the REST client: both with the new token, in the same processes.
    http("POST", f"{stack.carrier_url}/_carrier/script", {"number": DEMO_DESTINATION,
                                                           "party": {"outcome": "no-answer"}})
    number = shown_number(stack, "client-rotation-0001")
    sid = place_call(stack, "+14155550055", number)
    assert first_voice_webhook(stack, sid)["status"] == 200
    wait_for_hook(stack, "/v1/carrier/dial-complete", sid)
    _, messages = http("GET", f"{stack.carrier_url}/_carrier/messages?to={DEMO_ALERT_CONTACT.replace('+', '%2B')}")
    assert any("+14155550055" in m["body"] for m in messages), messages


@pytest.mark.usefixtures("open_site")
def test_a_subaccount_token_rotated_at_the_carrier_is_asked_for_again_on_its_first_webhook(stack):
    number = shown_number(stack, "client-rotation-0002")
    sid = place_call(stack, "+14155550066", number)
    before = first_voice_webhook(stack, sid)
    assert before["status"] == 200
    subaccount = before["params"]["AccountSid"]
    assert subaccount != aws.CARRIER_ACCOUNT_SID  # the tenant's numbers are in its own subaccount

    new = rotate_at_the_carrier(stack, subaccount)
    sid = place_call(stack, "+14155550077", number)
    exchange = first_voice_webhook(stack, sid)
    assert RequestValidator(new).validate(exchange["url"], exchange["params"],
                                          exchange["headers"]["X-Twilio-Signature"])
    assert exchange["status"] == 200, exchange
