"""Verifying a caller ID as Twilio does: the account asks, the carrier calls the number,
the person there keys in the code they were shown, and the StatusCallback hears whether
it worked."""
from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from devstack.carrier import Carrier, Party, client
from tests.carrier.conftest import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, Tenant, wait_for
from tests.carrier.test_refusals import refusal

OWN_MOBILE, CUSTOMER = "+14155550142", "+14155550177"


@pytest.fixture
def carrier():
    # Slower than the other tests' carrier: the person answers by hand, and a minute of
    # ringing (Twilio's) is then three real seconds, time enough on a busy machine.
    with Carrier(port=0, auth_token=AUTH_TOKEN, account_sid=ACCOUNT_SID, time_scale=0.05) as running:
        running.add_number(OUR_NUMBER)
        yield running


@pytest.fixture
def acme(carrier, main_twilio) -> Tenant:
    account = main_twilio.api.v2010.accounts.create(friendly_name="Acme")
    return Tenant(account.sid, account.auth_token, client(carrier.port, account.sid, account.auth_token))


def ask_to_verify(carrier, app, tenant: Tenant):
    carrier.script(OWN_MOBILE, Party.interactive())
    return tenant.twilio.validation_requests.create(phone_number=OWN_MOBILE, friendly_name="Front desk mobile",
                                                    status_callback=app.url + "/verified")


def answer_and_key_in(carrier, call_sid: str, digits: str) -> None:
    """The person reads the code on the screen, picks up and types it."""
    wait_for(lambda: any(c["sid"] == call_sid and c["awaiting_decision"] for c in carrier.state()["calls"]),
             what="the verification call to ring")
    carrier.caller_presses(call_sid, digits)
    carrier.answer(call_sid)


def result(app) -> dict[str, str]:
    [posted] = wait_for(lambda: app.requests_to("/verified"), what="the verification result")
    return posted


def wrong(code: str) -> str:
    return "".join(str((int(d) + 1) % 10) for d in code)


def test_the_right_digits_verify_the_number_for_the_account(carrier, app, acme):
    request = ask_to_verify(carrier, app, acme)
    assert len(request.validation_code) == 6 and request.validation_code.isdigit()
    assert (request.account_sid, request.phone_number, request.call_sid[:2]) == (acme.sid, OWN_MOBILE, "CA")

    answer_and_key_in(carrier, request.call_sid, request.validation_code)
    posted = result(app)

    [caller_id] = acme.twilio.outgoing_caller_ids.list()
    assert (caller_id.phone_number, caller_id.friendly_name) == (OWN_MOBILE, "Front desk mobile")
    assert (posted["VerificationStatus"], posted["OutgoingCallerIdSid"]) == ("success", caller_id.sid)
    assert (posted["To"], posted["CallSid"], posted["AccountSid"]) == (OWN_MOBILE, request.call_sid, acme.sid)
    [(_, params, headers)] = [r for r in app.received if r[0] == "/verified"]
    assert RequestValidator(acme.auth_token).validate(app.url + "/verified", params, headers["X-Twilio-Signature"])
    assert not RequestValidator(AUTH_TOKEN).validate(app.url + "/verified", params, headers["X-Twilio-Signature"])
    # The verified number may now be the caller ID of the account's calls, and of no other account's.
    assert acme.twilio.calls.create(to=CUSTOMER, from_=OWN_MOBILE, twiml="<Response/>")._from == OWN_MOBILE
    main = client(carrier.port, ACCOUNT_SID, AUTH_TOKEN)
    assert refusal(lambda: main.calls.create(to=CUSTOMER, from_=OWN_MOBILE, twiml="<Response/>")).code == 21210


def test_wrong_digits_verify_nothing(carrier, app, acme):
    request = ask_to_verify(carrier, app, acme)

    answer_and_key_in(carrier, request.call_sid, wrong(request.validation_code))
    posted = result(app)

    assert posted["VerificationStatus"] == "failed" and "OutgoingCallerIdSid" not in posted
    assert acme.twilio.outgoing_caller_ids.list() == []
    assert refusal(lambda: acme.twilio.calls.create(to=CUSTOMER, from_=OWN_MOBILE, twiml="<Response/>")).code == 21210


def test_a_verification_call_nobody_answers_fails(carrier, app, acme):
    carrier.script(OWN_MOBILE, Party.no_answer())
    acme.twilio.validation_requests.create(phone_number=OWN_MOBILE, status_callback=app.url + "/verified")

    posted = result(app)

    assert (posted["VerificationStatus"], posted["CallStatus"]) == ("failed", "no-answer")
    assert acme.twilio.outgoing_caller_ids.list() == []


def test_a_scripted_phone_keys_in_digits_sent_to_its_call(carrier, app, acme):
    carrier.script(OWN_MOBILE, Party(answer_after=1, talk_for=None))
    request = acme.twilio.validation_requests.create(phone_number=OWN_MOBILE, status_callback=app.url + "/verified")

    carrier.caller_presses(request.call_sid, request.validation_code)

    assert result(app)["VerificationStatus"] == "success"


def test_a_number_verified_already_is_21450_and_deleting_it_unverifies_it(carrier, acme):
    carrier.verify_caller_id(OWN_MOBILE, account_sid=acme.sid)

    refused = refusal(lambda: acme.twilio.validation_requests.create(phone_number=OWN_MOBILE))
    [caller_id] = acme.twilio.outgoing_caller_ids.list()
    renamed = acme.twilio.outgoing_caller_ids(caller_id.sid).update(friendly_name="Owner's mobile")
    deleted = acme.twilio.outgoing_caller_ids(caller_id.sid).delete()

    assert (refused.code, refused.status) == (21450, 400)
    assert renamed.friendly_name == "Owner's mobile" and deleted is True
    assert acme.twilio.outgoing_caller_ids.list() == []


def test_a_request_without_a_phone_number_is_refused(acme):
    assert refusal(lambda: acme.twilio.validation_requests.create(phone_number="not a number")).code == 21401
