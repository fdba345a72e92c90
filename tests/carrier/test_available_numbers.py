"""Searching the carrier's stock of numbers as Twilio's AvailablePhoneNumbers resource
does: by country and type, area code, pattern and capability."""
from __future__ import annotations

import phonenumbers
import pytest

from devstack.carrier.inventory import stock
from tests.carrier.conftest import OUR_NUMBER
from tests.carrier.test_refusals import refusal


def test_the_countries_for_sale_are_the_us_and_great_britain_with_their_number_types(main_twilio):
    countries = {c.country_code: c for c in main_twilio.available_phone_numbers.list()}

    assert set(countries) == {"US", "GB"}
    assert set(countries["US"].subresource_uris) == {"local", "toll_free"}
    assert set(countries["GB"].subresource_uris) == {"local", "toll_free", "mobile"}
    assert main_twilio.available_phone_numbers("GB").fetch().country == "United Kingdom"


def test_local_numbers_in_an_area_code_come_with_their_place(main_twilio):
    found = main_twilio.available_phone_numbers("US").local.list(area_code=212, limit=20)

    assert len(found) == 20 and all(n.phone_number.startswith("+1212555") for n in found)
    first = found[0]
    assert (first.locality, first.region, first.iso_country) == ("New York", "NY", "US")
    assert first.friendly_name == "(212) 555-0100"


def test_a_number_an_account_owns_is_not_offered(main_twilio):
    offered = [n.phone_number for n in main_twilio.available_phone_numbers("US").local.list(area_code=415)]

    # The fixture's account owns OUR_NUMBER (+1 415 555 0100).
    assert OUR_NUMBER not in offered and offered[0] == "+14155550101"


@pytest.mark.parametrize(
    ("contains", "expected"),
    [
        pytest.param("555018*", [f"+1212555018{d}" for d in range(10)], id="star is one digit"),
        pytest.param("+1212%0199", ["+12125550199"], id="plus anchors the start, percent any run"),
        pytest.param("0155$", ["+12125550155"], id="dollar anchors the end"),
        pytest.param("JKL0177", ["+12125550177"], id="letters are keypad digits"),
    ],
)
def test_contains_matches_as_twilio_defines_its_pattern(main_twilio, contains, expected):
    found = main_twilio.available_phone_numbers("US").local.list(area_code=212, contains=contains)

    assert [n.phone_number for n in found] == expected


def test_a_malformed_pattern_is_refused(main_twilio):
    refused = refusal(lambda: main_twilio.available_phone_numbers("US").local.list(contains="5"))

    assert refused.status == 400


def test_sms_enabled_leaves_out_the_landlines_and_voice_enabled_keeps_everything(main_twilio):
    local = main_twilio.available_phone_numbers("US").local
    texting = local.list(area_code=305, sms_enabled=True, page_size=1000)
    landlines = local.list(area_code=305, sms_enabled=False, page_size=1000)

    assert len(texting) == 80 and all(n.capabilities["sms"] for n in texting)
    assert len(landlines) == 20 and not any(n.capabilities["sms"] for n in landlines)
    assert len(local.list(area_code=305, voice_enabled=True, page_size=1000)) == 100
    assert local.list(area_code=305, voice_enabled=False) == []


def test_page_size_bounds_one_search(main_twilio):
    page = main_twilio.available_phone_numbers("US").toll_free.page(page_size=7)

    assert len(list(page)) == 7 and page.next_page_url is None


def test_toll_free_and_mobile_numbers(main_twilio):
    toll_free = main_twilio.available_phone_numbers("US").toll_free.list(area_code=888, limit=3)
    mobile = main_twilio.available_phone_numbers("GB").mobile.list(sms_enabled=True, limit=3)

    assert [n.phone_number for n in toll_free] == ["+18885550100", "+18885550101", "+18885550102"]
    assert all(n.phone_number.startswith("+447700900") and n.capabilities["sms"] for n in mobile)


@pytest.mark.parametrize("search", [
    pytest.param(lambda t: t.available_phone_numbers("FR").local.list(), id="a country not sold"),
    pytest.param(lambda t: t.available_phone_numbers("US").mobile.list(), id="US mobile numbers"),
    pytest.param(lambda t: t.available_phone_numbers("ZZ").fetch(), id="fetching an unknown country"),
])
def test_what_the_carrier_does_not_sell_is_20404(main_twilio, search):
    refused = refusal(lambda: search(main_twilio))

    assert (refused.code, refused.status) == (20404, 404)


def test_every_number_for_sale_is_fictional_and_parses_as_the_product_parses_it():
    numbers = list(stock().values())

    assert len(numbers) > 500
    for offer in numbers:
        parsed = phonenumbers.parse(offer.phone_number, None)
        assert phonenumbers.is_possible_number(parsed), offer.phone_number
        # Ofcom's drama mobile range is never assigned: phonenumbers knows it is not valid.
        assert phonenumbers.is_valid_number(parsed) == (not offer.phone_number.startswith("+447700900"))
        assert offer.phone_number.startswith(("+1", "+44207946", "+44161496", "+44808157", "+447700900"))
        if offer.phone_number.startswith("+1"):
            assert offer.phone_number[5:9] == "5550" and 100 <= int(offer.phone_number[8:]) <= 199
