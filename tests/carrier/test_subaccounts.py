"""Subaccounts as a self-service product uses them: one per customer, each with its own
credentials, numbers and calls, managed by the main account."""
from __future__ import annotations

import json
import urllib.request

import pytest
from twilio.rest import Client

from devstack.carrier import client
from tests.carrier.conftest import ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER
from tests.carrier.test_refusals import refusal

CUSTOMER = "+14155550177"


def buy_local(tenant, area_code: str = "415") -> str:
    [offer] = tenant.twilio.available_phone_numbers("US").local.list(area_code=area_code, sms_enabled=True, limit=1)
    return tenant.twilio.incoming_phone_numbers.create(phone_number=offer.phone_number).phone_number


def test_a_subaccount_has_its_own_credentials_which_its_parent_sees(main_twilio, open_subaccount):
    acme = open_subaccount("Acme Plumbing")

    fetched = main_twilio.api.v2010.accounts(acme.sid).fetch()
    assert fetched.sid.startswith("AC") and len(fetched.sid) == 34 and fetched.sid != ACCOUNT_SID
    assert (fetched.auth_token, fetched.owner_account_sid) == (acme.auth_token, ACCOUNT_SID)
    assert (fetched.friendly_name, fetched.status, fetched.type) == ("Acme Plumbing", "active", "Full")
    assert fetched.auth_token != AUTH_TOKEN
    assert {a.sid for a in main_twilio.api.v2010.accounts.list()} == {ACCOUNT_SID, acme.sid}
    # A subaccount sees itself only.
    assert [a.sid for a in acme.twilio.api.v2010.accounts.list()] == [acme.sid]
    assert [a.sid for a in main_twilio.api.v2010.accounts.list(friendly_name="Acme Plumbing")] == [acme.sid]


def test_a_subaccount_named_by_nobody_gets_twilios_default_name(main_twilio):
    account = main_twilio.api.v2010.accounts.create()

    assert account.friendly_name.startswith("SubAccount Created at ")


def test_a_subaccount_buys_a_number_and_calls_from_it(carrier, main_twilio, open_subaccount):
    acme = open_subaccount("Acme")
    number = buy_local(acme)

    call = acme.twilio.calls.create(to=CUSTOMER, from_=number, twiml="<Response><Hangup/></Response>")
    text = acme.twilio.messages.create(to=CUSTOMER, from_=number, body="Sorry we missed you")

    assert call.account_sid == acme.sid and text.account_sid == acme.sid
    assert [n.phone_number for n in acme.twilio.incoming_phone_numbers.list()] == [number]
    assert acme.twilio.incoming_phone_numbers.list()[0].account_sid == acme.sid
    # The main account's own lists hold none of it.
    assert number not in [n.phone_number for n in main_twilio.incoming_phone_numbers.list()]
    assert main_twilio.calls.list() == [] and main_twilio.messages.list() == []
    refused = refusal(lambda: main_twilio.calls.create(to=CUSTOMER, from_=number, twiml="<Response/>"))
    assert refused.code == 21210


def test_a_sibling_cannot_call_or_text_from_a_subaccounts_number(carrier, open_subaccount):
    acme, rival = open_subaccount("Acme"), open_subaccount("Rival")
    number = buy_local(acme)

    call = refusal(lambda: rival.twilio.calls.create(to=CUSTOMER, from_=number, twiml="<Response/>"))
    text = refusal(lambda: rival.twilio.messages.create(to=CUSTOMER, from_=number, body="hi"))

    assert (call.code, call.status) == (21210, 400) and (text.code, text.status) == (21606, 400)
    assert carrier.calls == {} and carrier.messages() == []


def test_a_subaccounts_credentials_open_no_other_account(main_twilio, open_subaccount):
    acme, rival = open_subaccount("Acme"), open_subaccount("Rival")
    accounts = acme.twilio.api.v2010.accounts

    for other in (ACCOUNT_SID, rival.sid):
        listed = refusal(lambda other=other: accounts(other).calls.list())
        fetched = refusal(lambda other=other: accounts(other).fetch())
        assert (listed.code, listed.status) == (fetched.code, fetched.status) == (20003, 401)
    assert refusal(lambda: accounts(rival.sid).update(friendly_name="mine now")).code == 20003


def test_the_parent_acts_inside_its_subaccount_with_its_own_credentials(carrier, open_subaccount):
    acme = open_subaccount("Acme")
    number = buy_local(acme)
    # Twilio docs (Subaccounts): the main SID and token, and the subaccount SID as the third credential.
    inside = Client(ACCOUNT_SID, AUTH_TOKEN, acme.sid)
    inside.api.base_url = carrier.url

    call = inside.calls.create(to=CUSTOMER, from_=number, twiml="<Response><Hangup/></Response>")

    assert call.account_sid == acme.sid and call.uri.startswith(f"/2010-04-01/Accounts/{acme.sid}/")
    assert [n.phone_number for n in inside.incoming_phone_numbers.list()] == [number]
    # Inside the subaccount, the main account's numbers are not the subaccount's to call from.
    assert refusal(lambda: inside.calls.create(to=CUSTOMER, from_=OUR_NUMBER, twiml="<Response/>")).code == 21210


def test_a_suspended_subaccount_is_refused_until_its_parent_reactivates_it(carrier, main_twilio, open_subaccount):
    acme = open_subaccount("Acme")
    number = buy_local(acme)

    suspended = main_twilio.api.v2010.accounts(acme.sid).update(status="suspended")
    refused = refusal(lambda: acme.twilio.calls.create(to=CUSTOMER, from_=number, twiml="<Response/>"))
    listed = refusal(lambda: acme.twilio.incoming_phone_numbers.list())
    reactivated = main_twilio.api.v2010.accounts(acme.sid).update(status="active")

    assert suspended.status == "suspended" and reactivated.status == "active"
    assert (refused.code, listed.code) == (20005, 20005)
    assert acme.twilio.calls.create(to=CUSTOMER, from_=number, twiml="<Response/>").account_sid == acme.sid


def test_only_the_parent_changes_a_subaccounts_status(open_subaccount):
    acme = open_subaccount("Acme")

    refused = refusal(lambda: acme.twilio.api.v2010.accounts(acme.sid).update(status="closed"))
    renamed = acme.twilio.api.v2010.accounts(acme.sid).update(friendly_name="Acme & Sons")

    assert refused.code == 20003 and (renamed.status, renamed.friendly_name) == ("active", "Acme & Sons")


def test_a_closed_subaccount_stays_closed_and_its_numbers_are_for_sale_again(carrier, main_twilio, open_subaccount):
    acme = open_subaccount("Acme")
    number = buy_local(acme)

    main_twilio.api.v2010.accounts(acme.sid).update(status="closed")
    reopened = refusal(lambda: main_twilio.api.v2010.accounts(acme.sid).update(status="active"))

    assert reopened.code == 21479
    assert refusal(lambda: acme.twilio.calls.list()).code == 20005
    assert number in [n.phone_number for n in main_twilio.available_phone_numbers("US").local.list(area_code=415)]


def test_a_subaccount_cannot_open_subaccounts(open_subaccount):
    acme = open_subaccount("Acme")

    assert refusal(lambda: acme.twilio.api.v2010.accounts.create(friendly_name="nested")).code == 21101


def test_the_parent_moves_a_number_to_a_sibling_subaccount(carrier, main_twilio, open_subaccount):
    acme, other = open_subaccount("Acme"), open_subaccount("Acme West")
    number = buy_local(acme)
    [owned] = acme.twilio.incoming_phone_numbers.list()
    inside = main_twilio.api.v2010.accounts(acme.sid)

    refused = refusal(lambda: acme.twilio.incoming_phone_numbers(owned.sid).update(account_sid=other.sid))
    moved = inside.incoming_phone_numbers(owned.sid).update(account_sid=other.sid)

    assert refused.code == 21474
    assert (moved.sid, moved.account_sid, moved.phone_number) == (owned.sid, other.sid, number)
    assert acme.twilio.incoming_phone_numbers.list() == []
    assert other.twilio.calls.create(to=CUSTOMER, from_=number, twiml="<Response/>").account_sid == other.sid


def test_the_control_surface_gives_a_number_to_a_subaccount(carrier, open_subaccount):
    acme = open_subaccount("Acme")
    body = json.dumps({"number": "+14155550133", "account_sid": acme.sid}).encode()
    request = urllib.request.Request(carrier.url + "/_carrier/numbers", body, {"Content-Type": "application/json"})

    with urllib.request.urlopen(request, timeout=10) as response:
        given = json.loads(response.read())

    assert given["account_sid"] == acme.sid
    assert [n.sid for n in acme.twilio.incoming_phone_numbers.list()] == [given["sid"]]
    assert "+14155550133" not in [n.phone_number for n in client(carrier.port, ACCOUNT_SID, AUTH_TOKEN)
                                  .incoming_phone_numbers.list()]


@pytest.mark.parametrize("status", ["suspended", "closed"])
def test_calls_to_the_number_of_an_account_that_is_not_active_do_not_reach_its_application(
        carrier, app, main_twilio, open_subaccount, status):
    acme = open_subaccount("Acme")
    carrier.add_number("+14155550133", voice_url=app.on("/voice", "<Response/>"), account_sid=acme.sid)
    main_twilio.api.v2010.accounts(acme.sid).update(status=status)

    if status == "closed":  # its numbers went with it
        with pytest.raises(LookupError):
            carrier.inbound_call(CUSTOMER, "+14155550133")
        return
    call = carrier.inbound_call(CUSTOMER, "+14155550133")

    assert call.status == "failed" and app.requests_to("/voice") == []
    assert [e.code for e in carrier.errors] == [10003]
