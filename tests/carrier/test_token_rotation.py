"""The local carrier rotates an account's auth token as Twilio does when its secondary
token is promoted: from then on the new token signs the account's webhooks and
authenticates its API requests, and the old one does neither."""
import json
import urllib.request

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

from devstack.carrier import client

from .conftest import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, wait_for


def test_after_a_rotation_the_new_token_signs_and_authenticates_and_the_old_one_does_neither(carrier, app):
    carrier.add_number(OUR_NUMBER, voice_url=app.on("/voice", "<Response><Hangup/></Response>"))
    request = urllib.request.Request(f"{carrier.url}/_carrier/auth-token", data=b"{}", method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        rotated = json.loads(answer.read())
    new = rotated["auth_token"]
    assert rotated["account_sid"] == ACCOUNT_SID and new != AUTH_TOKEN

    carrier.inbound_call("+14155550123", OUR_NUMBER)
    exchange = wait_for(lambda: next((e for e in carrier.webhook_log if e.url.endswith("/voice")), None))
    signature = exchange.headers["X-Twilio-Signature"]
    assert RequestValidator(new).validate(exchange.url, exchange.params, signature)
    assert not RequestValidator(AUTH_TOKEN).validate(exchange.url, exchange.params, signature)

    assert client(carrier.port, ACCOUNT_SID, new).api.v2010.accounts(ACCOUNT_SID).fetch().auth_token == new
    with pytest.raises(TwilioRestException) as refused:
        client(carrier.port, ACCOUNT_SID, AUTH_TOKEN).api.v2010.accounts(ACCOUNT_SID).fetch()
    assert refused.value.status == 401


def test_a_subaccount_token_rotates_alone(carrier, open_subaccount):
    tenant = open_subaccount("Acme")
    new = carrier.rotate_auth_token(tenant.sid)
    assert carrier.accounts.token_of(tenant.sid) == new and carrier.accounts.token_of(ACCOUNT_SID) == AUTH_TOKEN
    assert client(carrier.port, tenant.sid, new).api.v2010.accounts(tenant.sid).fetch().sid == tenant.sid
