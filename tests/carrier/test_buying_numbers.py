"""Buying, configuring and releasing numbers through IncomingPhoneNumbers, as a customer
signing up does: the number leaves the stock, rings the URL set on it, and comes back to
the stock when released."""
from __future__ import annotations

import pytest

from tests.carrier.conftest import ACCOUNT_SID, OUR_NUMBER, wait_for
from tests.carrier.test_refusals import refusal

CALLER = "+14155550123"


def offered(twilio, area_code: int) -> list[str]:
    return [n.phone_number for n in twilio.available_phone_numbers("US").local.list(area_code=area_code,
                                                                                     page_size=1000)]


def test_a_bought_number_is_the_accounts_and_no_longer_offered(main_twilio, app):
    number = offered(main_twilio, 312)[0]

    bought = main_twilio.incoming_phone_numbers.create(
        phone_number=number, friendly_name="Google Ads line", voice_url=app.url + "/voice",
        status_callback=app.url + "/status", sms_url=app.url + "/sms")

    assert bought.sid.startswith("PN") and bought.account_sid == ACCOUNT_SID
    assert (bought.phone_number, bought.friendly_name, bought.voice_url) == (number, "Google Ads line",
                                                                              app.url + "/voice")
    assert bought.capabilities == {"voice": True, "sms": True, "mms": True, "fax": False}
    assert number not in offered(main_twilio, 312)
    assert main_twilio.incoming_phone_numbers(bought.sid).fetch().status_callback == app.url + "/status"


@pytest.mark.parametrize(
    ("number", "code"),
    [
        pytest.param(OUR_NUMBER, 21422, id="owned by an account"),
        pytest.param("+14155559999", 21422, id="not in the carrier's stock"),
        pytest.param("415-555-0142", 21421, id="not E.164"),
    ],
)
def test_a_number_that_cannot_be_bought_is_refused(main_twilio, number, code):
    refused = refusal(lambda: main_twilio.incoming_phone_numbers.create(phone_number=number))

    assert (refused.code, refused.status) == (code, 400)


def test_a_number_another_subaccount_bought_is_not_available(main_twilio, open_subaccount):
    acme, rival = open_subaccount("Acme"), open_subaccount("Rival")
    number = offered(acme.twilio, 206)[0]
    acme.twilio.incoming_phone_numbers.create(phone_number=number)

    refused = refusal(lambda: rival.twilio.incoming_phone_numbers.create(phone_number=number))

    assert refused.code == 21422 and refused.msg.endswith(f"{number} is not available")


def test_buying_by_area_code_takes_a_free_number_there(carrier, main_twilio):
    first = main_twilio.incoming_phone_numbers.create(area_code="617")
    second = main_twilio.incoming_phone_numbers.create(area_code="617")

    assert first.phone_number.startswith("+1617") and second.phone_number.startswith("+1617")
    assert first.phone_number != second.phone_number
    assert refusal(lambda: main_twilio.incoming_phone_numbers.create(area_code="17")).code == 21451
    # The whole area code sold out: nothing left to take.
    for number in offered(main_twilio, 617):
        carrier.add_number(number)
    assert refusal(lambda: main_twilio.incoming_phone_numbers.create(area_code="617")).code == 21452
    assert refusal(lambda: main_twilio.incoming_phone_numbers.create(friendly_name="any")).status == 400


def test_the_typed_subresources_buy_their_own_type_only(main_twilio):
    toll_free = main_twilio.incoming_phone_numbers.toll_free.create(phone_number="+18445550120")

    assert toll_free.phone_number == "+18445550120"
    assert [n.phone_number for n in main_twilio.incoming_phone_numbers.toll_free.list()] == ["+18445550120"]
    wrong_type = refusal(lambda: main_twilio.incoming_phone_numbers.local.create(phone_number="+18445550121"))
    assert wrong_type.code == 21422


def test_a_released_number_is_for_sale_again(main_twilio):
    number = offered(main_twilio, 303)[0]
    bought = main_twilio.incoming_phone_numbers.create(phone_number=number)

    assert main_twilio.incoming_phone_numbers(bought.sid).delete() is True

    assert number in offered(main_twilio, 303)
    assert main_twilio.incoming_phone_numbers.list(phone_number=number) == []
    again = main_twilio.incoming_phone_numbers.create(phone_number=number)
    assert again.sid != bought.sid


def test_an_inbound_call_rings_the_voice_url_set_on_the_number(carrier, main_twilio, app):
    bought = main_twilio.incoming_phone_numbers.create(phone_number=offered(main_twilio, 512)[0])

    # Bought without a voice URL: the caller hears Twilio's default message, the application nothing.
    carrier.inbound_call(CALLER, bought.phone_number)
    carrier.wait_idle(timeout=60)
    updated = main_twilio.incoming_phone_numbers(bought.sid).update(
        voice_url=app.on("/voice", "<Response><Hangup/></Response>"), status_callback=app.url + "/status")
    carrier.inbound_call(CALLER, bought.phone_number)
    wait_for(lambda: app.requests_to("/status"), what="the end of the second call")

    assert updated.voice_url == app.url + "/voice"
    [voice] = app.requests_to("/voice")
    assert (voice["To"], voice["From"], voice["AccountSid"]) == (bought.phone_number, CALLER, ACCOUNT_SID)
    calls = main_twilio.calls.list(to=bought.phone_number)
    assert [c.status for c in calls] == ["completed", "completed"]
    # An empty VoiceUrl removes it again.
    cleared = main_twilio.incoming_phone_numbers(bought.sid).update(voice_url="")
    assert cleared.voice_url is None
