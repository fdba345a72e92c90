"""A tenant's carrier subaccount is opened once, however its first purchases race, and a
purchase that fails part way leaves nothing bought."""
import pytest

from ringback.accounts.purchases import Purchases
from ringback.accounts.tenants import Tenant
from ringback.adapters.memory_accounts import MemoryTenants
from ringback.adapters.memory_numbers import MemoryNumberCarrier
from ringback.adapters.memory_pools import MemoryQuarantine
from ringback.clock import ManualClock
from ringback.errors import Conflict

NOW = 1_780_000_000_000


class RacingCarrier(MemoryNumberCarrier):
    """A carrier during whose first subaccount opening a second first purchase of the same
    tenant runs, as two requests at once do."""

    def __init__(self) -> None:
        super().__init__()
        self.rival = None
        self.rival_bought = None
        self.opened: list[str] = []

    def open_subaccount(self, friendly_name: str) -> str:
        sid = super().open_subaccount(friendly_name)
        self.opened.append(sid)
        rival, self.rival = self.rival, None
        if rival is not None:
            self.rival_bought = rival()
        return sid


def shop(carrier):
    tenants = MemoryTenants()
    tenants.save(Tenant("shop", "Joe's Plumbing"))
    return tenants, Purchases(tenants, carrier, MemoryQuarantine(), ManualClock(NOW), carrier.main_sid,
                              "https://ringback.example")


def test_two_first_purchases_at_once_open_one_subaccount_and_the_other_is_closed():
    carrier = RacingCarrier()
    tenants, purchases = shop(carrier)
    carrier.rival = lambda: purchases.buy("shop", ["+14155550101"], NOW)

    [mine] = purchases.buy("shop", ["+14155550102"], NOW)

    kept = tenants.get("shop").carrier_account
    [rival] = carrier.rival_bought
    assert len(carrier.opened) == 2 and kept == carrier.opened[1]  # the rival's write landed first
    assert carrier.held[mine.number].account_sid == kept and carrier.held[rival.number].account_sid == kept
    assert carrier.closed == {carrier.opened[0]}
    # The next purchase goes straight into the kept subaccount.
    purchases.buy("shop", ["+14155550103"], NOW)
    assert len(carrier.opened) == 2 and carrier.held["+14155550103"].account_sid == kept


def test_a_purchase_that_fails_part_way_gives_back_what_it_bought():
    carrier = MemoryNumberCarrier()
    tenants, purchases = shop(carrier)
    stranger = carrier.open_subaccount("Someone else")
    carrier.buy(stranger, "+14155550105", "https://elsewhere.example/voice", "https://elsewhere.example/status", None)

    with pytest.raises(Conflict) as refused:
        purchases.buy("shop", ["+14155550104", "+14155550105"], NOW)

    assert refused.value.code == "number_not_available"

    assert "+14155550104" not in carrier.held and carrier.held["+14155550105"].account_sid == stranger
