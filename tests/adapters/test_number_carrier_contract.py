"""One contract, two implementations of NumberCarrier: the in-memory fake, and the Twilio
adapter over the official twilio client against a running local carrier."""
import pytest

from devstack.carrier import Carrier, client
from ringback.adapters.memory_numbers import MemoryNumberCarrier
from ringback.adapters.twilio_numbers import TwilioNumbers
from ringback.errors import Conflict, InvalidInput, NotFound

MAIN_SID = "AC" + "7" * 32
MAIN_TOKEN = "contract-main-token"
STRANGER = "AC" + "9" * 32
HOOKS = "https://ringback.example/v1/carrier"


@pytest.fixture(params=["memory", "twilio"])
def numbers(request):
    if request.param == "memory":
        yield MemoryNumberCarrier(MAIN_SID, MAIN_TOKEN)
        return
    with Carrier(port=0, auth_token=MAIN_TOKEN, account_sid=MAIN_SID, time_scale=0.005) as carrier:
        yield TwilioNumbers(MAIN_SID, MAIN_TOKEN, carrier.url)


def buy(numbers, account, offer):
    return numbers.buy(account, offer.number, f"{HOOKS}/voice", f"{HOOKS}/call-status", None)


def test_local_numbers_in_an_area_code_come_with_their_place(numbers):
    account = numbers.open_subaccount("Joe's Plumbing")

    found = numbers.search(account, "US", "local", area_code="415", limit=5)

    assert len(found) == 5 and all(n.number.startswith("+1415") for n in found)
    assert (found[0].locality, found[0].region, found[0].country) == ("San Francisco", "CA", "US")
    assert all(n.capabilities.voice for n in found)


def test_sms_and_contains_narrow_a_search(numbers):
    account = numbers.open_subaccount("Acme")

    texting = numbers.search(account, "US", "local", area_code="415", sms=True, limit=100)
    landlines = numbers.search(account, "US", "local", area_code="415", sms=False, limit=100)
    matching = numbers.search(account, "US", "local", area_code="415", contains="0155$")

    assert texting and all(n.capabilities.sms for n in texting)
    assert landlines and not any(n.capabilities.sms for n in landlines)
    assert [n.number for n in matching] == ["+14155550155"]


def test_toll_free_numbers_are_searched_apart(numbers):
    account = numbers.open_subaccount("Acme")

    found = numbers.search(account, "US", "toll_free", limit=3)

    assert len(found) == 3 and all(n.locality is None for n in found)


def test_a_search_the_carrier_cannot_answer_is_refused(numbers):
    account = numbers.open_subaccount("Acme")

    with pytest.raises(NotFound):
        numbers.search(account, "US", "mobile")
    with pytest.raises(InvalidInput):
        numbers.search(account, "US", "local", contains="5")
    with pytest.raises(InvalidInput):
        numbers.search(account, "US", "landline")


def test_a_bought_number_is_the_accounts_alone_and_no_longer_offered(numbers):
    acme, rival = numbers.open_subaccount("Acme"), numbers.open_subaccount("Rival")
    offer = numbers.search(acme, "US", "local", area_code="415", sms=True, limit=1)[0]

    bought = buy(numbers, acme, offer)

    assert bought.sid.startswith("PN") and bought.number == offer.number
    assert bought.capabilities.voice and bought.capabilities.sms
    assert numbers.owned(acme, offer.number) == bought
    assert numbers.owned(rival, offer.number) is None
    assert offer.number not in [n.number for n in numbers.search(rival, "US", "local", area_code="415", limit=100)]
    with pytest.raises(Conflict) as refused:
        buy(numbers, rival, offer)
    assert refused.value.code == "number_not_available"


def test_a_number_not_for_sale_is_not_available(numbers):
    account = numbers.open_subaccount("Acme")

    with pytest.raises(Conflict) as refused:
        numbers.buy(account, "+14155559999", f"{HOOKS}/voice", f"{HOOKS}/call-status", None)

    assert refused.value.code == "number_not_available"


def test_a_released_number_is_for_sale_again(numbers):
    account = numbers.open_subaccount("Acme")
    offer = numbers.search(account, "US", "local", area_code="212", limit=1)[0]
    bought = buy(numbers, account, offer)

    numbers.release(account, bought.sid)

    assert numbers.owned(account, offer.number) is None
    assert offer.number in [n.number for n in numbers.search(account, "US", "local", area_code="212", limit=100)]
    with pytest.raises(NotFound):
        numbers.release(account, bought.sid)


def test_each_subaccount_signs_with_its_own_token_and_a_stranger_has_none(numbers):
    acme, rival = numbers.open_subaccount("Acme"), numbers.open_subaccount("Rival")

    tokens = {numbers.auth_token(acme), numbers.auth_token(rival), numbers.auth_token(MAIN_SID)}

    assert len(tokens) == 3 and None not in tokens and numbers.auth_token(MAIN_SID) == MAIN_TOKEN
    assert numbers.auth_token(STRANGER) is None
    assert numbers.auth_token("not-an-account") is None


def test_the_twilio_adapter_sets_the_webhooks_on_the_number_in_the_subaccount():
    with Carrier(port=0, auth_token=MAIN_TOKEN, account_sid=MAIN_SID, time_scale=0.005) as carrier:
        numbers = TwilioNumbers(MAIN_SID, MAIN_TOKEN, carrier.url)
        account = numbers.open_subaccount("Acme")
        offer = numbers.search(account, "US", "local", area_code="415", limit=1)[0]

        numbers.buy(account, offer.number, f"{HOOKS}/voice", f"{HOOKS}/call-status", f"{HOOKS}/sms")

        inside = client(carrier.port, MAIN_SID, MAIN_TOKEN).api.v2010.accounts(account)
        [config] = inside.incoming_phone_numbers.list()
    assert (config.phone_number, config.account_sid) == (offer.number, account)
    assert (config.voice_url, config.status_callback, config.sms_url) == (
        f"{HOOKS}/voice", f"{HOOKS}/call-status", f"{HOOKS}/sms")


# -- caller IDs: verified by a call on which the person at the number keys in the code ------

OFFICE = "+14155550142"


@pytest.fixture(params=["memory", "twilio"])
def verifier(request):
    """(the carrier of numbers, key_in(validation, digits)): the person at the number
    answers the validation call and keys in the digits; returns once the call is over."""
    if request.param == "memory":
        fake = MemoryNumberCarrier(MAIN_SID, MAIN_TOKEN)
        yield fake, lambda account, validation, digits: fake.press(validation.call_sid, digits)
        return
    from devstack.carrier import Party
    from tests.carrier.conftest import wait_for

    # Slow enough that the code is keyed in while the phone rings, on a busy machine too.
    with Carrier(port=0, auth_token=MAIN_TOKEN, account_sid=MAIN_SID, time_scale=0.05) as carrier:
        numbers = TwilioNumbers(MAIN_SID, MAIN_TOKEN, carrier.url)
        carrier.script(OFFICE, Party.interactive())  # rings until the test answers

        def key_in(account, validation, digits):
            wait_for(lambda: any(c["sid"] == validation.call_sid and c["awaiting_decision"]
                                 for c in carrier.state()["calls"]), what="the validation call to ring")
            carrier.caller_presses(validation.call_sid, digits)
            carrier.answer(validation.call_sid)
            wait_for(lambda: not numbers.validation_in_progress(account, validation.call_sid),
                     what="the validation call to end")

        yield numbers, key_in


def test_a_caller_id_is_verified_once_its_code_is_keyed_in_on_the_validation_call(verifier):
    numbers, key_in = verifier
    account = numbers.open_subaccount("Acme")

    validation = numbers.start_caller_id_validation(account, OFFICE, "Front desk")

    assert validation.number == OFFICE and len(validation.validation_code) == 6
    assert validation.validation_code.isdigit() and validation.call_sid.startswith("CA")
    assert numbers.validation_in_progress(account, validation.call_sid)
    assert numbers.caller_ids(account) == []
    key_in(account, validation, validation.validation_code)
    [verified] = numbers.caller_ids(account)
    assert (verified.number, verified.friendly_name) == (OFFICE, "Front desk") and verified.sid.startswith("PN")
    assert not numbers.validation_in_progress(account, validation.call_sid)


def test_a_wrong_code_verifies_nothing(verifier):
    numbers, key_in = verifier
    account = numbers.open_subaccount("Acme")
    validation = numbers.start_caller_id_validation(account, OFFICE, None)

    key_in(account, validation, "000000" if validation.validation_code != "000000" else "111111")

    assert numbers.caller_ids(account) == []


def test_a_verified_caller_id_is_the_accounts_alone_and_is_removed_once(verifier):
    numbers, key_in = verifier
    acme, rival = numbers.open_subaccount("Acme"), numbers.open_subaccount("Rival")
    validation = numbers.start_caller_id_validation(acme, OFFICE, None)
    key_in(acme, validation, validation.validation_code)
    [verified] = numbers.caller_ids(acme)

    assert numbers.caller_ids(rival) == []
    with pytest.raises(Conflict) as refused:
        numbers.start_caller_id_validation(acme, OFFICE, None)
    assert refused.value.code == "caller_id_already_verified"
    numbers.remove_caller_id(acme, verified.sid)
    assert numbers.caller_ids(acme) == []
    with pytest.raises(NotFound):
        numbers.remove_caller_id(acme, verified.sid)


def test_a_number_the_carrier_cannot_call_is_refused(verifier):
    numbers, _ = verifier
    account = numbers.open_subaccount("Acme")

    with pytest.raises(InvalidInput) as refused:
        numbers.start_caller_id_validation(account, "12345", None)

    assert refused.value.code == "invalid_phone"
