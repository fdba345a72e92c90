"""The carrier refuses what Twilio refuses, with Twilio's codes, through the real client."""
from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from twilio.base.exceptions import TwilioException, TwilioRestException

from devstack.carrier import Party, client
from tests.carrier.conftest import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER

CUSTOMER, STRANGER, OWN_MOBILE = "+14155550177", "+14155550666", "+14155550142"


@pytest.fixture
def twilio(carrier):
    return client(carrier.port, ACCOUNT_SID, AUTH_TOKEN)


@dataclass
class Refusal:
    code: int
    status: int
    msg: str


def refusal(request) -> Refusal:
    """What the carrier answered to a request it refused. The client raises
    TwilioRestException for a create, fetch or update, and a plain TwilioException
    holding the response when a list's page cannot be fetched."""
    with pytest.raises(TwilioException) as refused:
        request()
    error = refused.value
    if isinstance(error, TwilioRestException):
        return Refusal(error.code, error.status, error.msg)
    response = error.args[1]
    body = json.loads(response.text)
    return Refusal(body["code"], response.status_code, body["message"])


def test_a_call_from_a_number_the_account_neither_owns_nor_verified_is_refused_with_21210(carrier, twilio):
    refused = refusal(lambda: twilio.calls.create(to=CUSTOMER, from_=STRANGER, twiml="<Response/>"))

    assert (refused.code, refused.status) == (21210, 400)
    assert f"The source phone number provided, {STRANGER}, is not yet verified for your account." in refused.msg
    assert carrier.calls == {} and list(carrier.created_calls) == []


def test_a_call_from_a_verified_caller_id_goes_through(carrier, twilio, app):
    carrier.verify_caller_id(OWN_MOBILE)
    carrier.script(CUSTOMER, Party(answer_after=1, talk_for=1))

    call = twilio.calls.create(to=CUSTOMER, from_=OWN_MOBILE, url=app.on("/outbound", "<Response/>"))
    carrier.wait_idle()

    assert carrier.calls[call.sid].from_ == OWN_MOBILE and twilio.calls(call.sid).fetch().status == "completed"
    assert app.requests_to("/outbound")[0]["From"] == OWN_MOBILE


def test_a_call_from_an_owned_number_without_voice_is_refused_with_21210(carrier, twilio):
    carrier.add_number(OWN_MOBILE, capabilities={"voice": False})

    refused = refusal(lambda: twilio.calls.create(to=CUSTOMER, from_=OWN_MOBILE, twiml="<Response/>"))

    assert (refused.code, refused.status) == (21210, 400)


@pytest.mark.parametrize(
    "sender",
    [pytest.param(STRANGER, id="not the account's"), pytest.param(OWN_MOBILE, id="a verified caller id")],
)
def test_a_text_from_a_number_that_is_not_the_accounts_is_refused_with_21606(carrier, twilio, sender):
    carrier.verify_caller_id(OWN_MOBILE)  # a caller ID may place calls, never send texts

    refused = refusal(lambda: twilio.messages.create(to=CUSTOMER, from_=sender, body="Sorry we missed you"))

    assert (refused.code, refused.status) == (21606, 400)
    assert refused.msg.endswith(f"The From phone number {sender} is not a valid, SMS-capable inbound phone "
                                "number or short code for your account.")
    assert carrier.messages() == []


def test_a_text_from_an_owned_number_that_cannot_text_is_refused_with_21606(carrier, twilio):
    carrier.add_number(OWN_MOBILE, voice_url="http://127.0.0.1:9/voice", capabilities={"sms": False})

    refused = refusal(lambda: twilio.messages.create(to=CUSTOMER, from_=OWN_MOBILE, body="hi"))

    assert (refused.code, refused.status) == (21606, 400)


@pytest.mark.parametrize(
    "create",
    [
        pytest.param(lambda t: t.calls.create(to="555-0199", from_=STRANGER, twiml="<Response/>"), id="call"),
        pytest.param(lambda t: t.messages.create(to="555-0199", from_=STRANGER, body="hi"), id="text"),
        pytest.param(lambda t: t.calls.create(to=OUR_NUMBER, from_=OUR_NUMBER, twiml="<Response/>"), id="call itself"),
        pytest.param(lambda t: t.messages.create(to=OUR_NUMBER, from_=OUR_NUMBER, body="hi"), id="text itself"),
    ],
)
def test_an_invalid_to_is_refused_with_21211(carrier, twilio, create):
    # The first two come from a stranger: To is looked at before the sender is.
    refused = refusal(lambda: create(twilio))

    assert (refused.code, refused.status) == (21211, 400)
    assert carrier.calls == {} and carrier.messages() == []


@pytest.mark.parametrize(
    "fetch",
    [
        pytest.param(lambda t: t.calls("CA" + "0" * 32).fetch(), id="call"),
        pytest.param(lambda t: t.messages("SM" + "0" * 32).fetch(), id="message"),
        pytest.param(lambda t: t.recordings("RE" + "0" * 32).fetch(), id="recording"),
        pytest.param(lambda t: t.incoming_phone_numbers("PN" + "0" * 32).fetch(), id="number"),
        pytest.param(lambda t: t.outgoing_caller_ids("PN" + "0" * 32).fetch(), id="caller id"),
        pytest.param(lambda t: t.queues.list(), id="collection the carrier does not serve"),
        pytest.param(lambda t: t.api.v2010.accounts("AC" + "2" * 32).calls.list(), id="another account"),
        pytest.param(lambda t: t.calls("CA" + "0" * 32).update(status="completed"), id="update a missing call"),
    ],
)
def test_an_unknown_resource_is_20404_not_found(twilio, fetch):
    refused = refusal(lambda: fetch(twilio))

    assert (refused.code, refused.status) == (20404, 404)
    assert refused.msg.endswith("was not found")


def test_another_accounts_path_with_wrong_credentials_is_still_20003(carrier):
    stranger = client(carrier.port, "AC" + "2" * 32, "their-token")

    refused = refusal(lambda: stranger.calls.list())

    assert (refused.code, refused.status) == (20003, 401)
