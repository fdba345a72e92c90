"""Closing a subaccount, as the fake carrier and the Twilio adapter against the local
carrier both do it: for good, its numbers back on sale, nothing more bought into it. The
loser of two first purchases at once closes the subaccount it opened
(ringback.accounts.purchases)."""
import pytest

from devstack.carrier import Carrier
from ringback.adapters.memory_numbers import MemoryNumberCarrier
from ringback.adapters.twilio_numbers import TwilioNumbers
from ringback.errors import Unavailable

MAIN_SID = "AC" + "6" * 32
MAIN_TOKEN = "closing-main-token"
HOOKS = "https://ringback.example/v1/carrier"


@pytest.fixture(params=["memory", "twilio"])
def numbers(request):
    if request.param == "memory":
        yield MemoryNumberCarrier(MAIN_SID, MAIN_TOKEN)
        return
    with Carrier(port=0, auth_token=MAIN_TOKEN, account_sid=MAIN_SID, time_scale=0.005) as carrier:
        yield TwilioNumbers(MAIN_SID, MAIN_TOKEN, carrier.url)


def test_a_closed_subaccount_gives_its_numbers_back_and_buys_no_more(numbers):
    loser, kept = numbers.open_subaccount("Acme (t1)"), numbers.open_subaccount("Acme (t1)")
    offer, other = numbers.search(loser, "US", "local", area_code="312", limit=2)
    numbers.buy(loser, offer.number, f"{HOOKS}/voice", f"{HOOKS}/call-status", None)

    numbers.close_subaccount(loser)

    assert offer.number in [n.number for n in numbers.search(kept, "US", "local", area_code="312", limit=100)]
    with pytest.raises(Unavailable) as refused:  # Twilio's 20005, "Account not active"
        numbers.buy(loser, other.number, f"{HOOKS}/voice", f"{HOOKS}/call-status", None)
    assert refused.value.code == "carrier_refused"
    bought = numbers.buy(kept, offer.number, f"{HOOKS}/voice", f"{HOOKS}/call-status", None)
    assert numbers.owned(kept, offer.number) == bought
