"""Numbers bought from the carrier for a tenant, and given back: what a site's static
numbers (ringback.accounts.number_shop) and a pool's (ringback.tracking.pool_admin) share.

Each tenant's numbers live in a carrier subaccount of its own, opened on its first
purchase and kept on the tenant (`Tenant.carrier_account`): the carrier then signs the
number's webhooks with that subaccount's token (the dialer's check asks for it by the
request's AccountSid), and one tenant's numbers, calls and texts are never another's. Two
first purchases at once may each open one; one is kept, and the other is closed.

A bought number rings our voice webhook, reports the call's end to our status callback
and posts the texts it receives to our SMS webhook. A number that stops being tracked is
quarantined before it goes back: nobody buys it through us for QUARANTINE_DAYS, whatever
the carrier offers.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from ringback.accounts.carrier_numbers import KINDS, AvailableNumber, OwnedNumber
from ringback.errors import Conflict, InvalidInput, NotFound, RingbackError

if TYPE_CHECKING:
    from ringback.accounts.tenants import Tenant
    from ringback.clock import Clock
    from ringback.ports import NumberCarrier, NumberQuarantine, TenantDirectory

VOICE_PATH = "/v1/carrier/voice"
STATUS_PATH = "/v1/carrier/call-status"
# A visitor's text to the number (ringback.calls.texts).
SMS_PATH = "/v1/carrier/sms"

DAY_MS = 86_400_000
# Late callers of an old campaign (a printed flyer, a saved contact, a cached search
# result) go on dialling its number for weeks after it is released. Nobody may take the
# number through us for this long, so those calls are never attributed to whoever has it
# next.
QUARANTINE_DAYS = 30
SEARCH_LIMIT = 50
# A search asks the carrier for this many more than it answers: numbers in quarantine
# are still for sale at the carrier, and are left out here.
QUARANTINE_SLACK = 20

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_AREA_CODE = re.compile(r"^[0-9]{3}$")
CONTAINS_PATTERN = r"^\+?[0-9A-Za-z*%]{2,16}\$?$"
_CONTAINS = re.compile(CONTAINS_PATTERN)


def _bad(message: str, field: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_parameter", details={"field": field})


def check_search(country: str, kind: str, area_code: str | None, contains: str | None) -> None:
    if not _COUNTRY.match(country or ""):
        raise _bad("country is a two-letter code such as US", "country")
    if kind not in KINDS:
        raise _bad(f"kind is one of {', '.join(KINDS)}", "kind")
    if area_code is not None and not _AREA_CODE.match(area_code):
        raise _bad("areaCode is three digits", "areaCode")
    if contains is not None and not _CONTAINS.match(contains):
        raise _bad("contains is 2 to 16 digits, letters, * or %", "contains")


class Purchases:
    def __init__(self, tenants: TenantDirectory, carrier: NumberCarrier, quarantine: NumberQuarantine,
                 clock: Clock, main_account: str, base_url: str) -> None:
        self._tenants, self._carrier, self._quarantine, self._clock = tenants, carrier, quarantine, clock
        self._main, self._base = main_account, base_url.rstrip("/")

    # -- the tenant's subaccount -------------------------------------------------------------

    def account(self, tenant_id: str) -> str | None:
        """The tenant's subaccount, or None before its first purchase."""
        return self._tenant(tenant_id).carrier_account

    def account_of(self, tenant_id: str) -> str:
        """The tenant's subaccount, opened on first use."""
        tenant = self._tenant(tenant_id)
        if tenant.carrier_account:
            return tenant.carrier_account
        opened = self._carrier.open_subaccount(f"{tenant.name[:40]} ({tenant.tenant_id})"[:64])
        kept = self._tenants.keep_carrier_account(tenant_id, opened)
        if kept != opened:
            # Another first purchase of the tenant opened one at the same moment and was
            # kept: ours would hold nothing and stay open for nothing.
            self._carrier.close_subaccount(opened)
        if kept is None:
            raise NotFound("unknown tenant", code="unknown_tenant")
        return kept

    # -- searching and buying ---------------------------------------------------------------

    def search(self, tenant_id: str, country: str, kind: str, area_code: str | None = None,
               contains: str | None = None, sms: bool | None = None, limit: int = 20) -> list[AvailableNumber]:
        """The carrier's numbers for sale, less those in quarantine."""
        check_search(country, kind, area_code, contains)
        limit = max(1, min(limit, SEARCH_LIMIT))
        # Before its first purchase a tenant has no subaccount: it sees our main account's
        # view of the stock, which is the same stock.
        account = self.account(tenant_id) or self._main
        offers = self._carrier.search(account, country, kind, area_code=area_code, contains=contains, sms=sms,
                                      limit=limit + QUARANTINE_SLACK)
        held = self._quarantine.held([o.number for o in offers], self._clock.now_ms())
        return [o for o in offers if o.number not in held][:limit]

    def refuse_quarantined(self, numbers: Iterable[str], now_ms: int) -> None:
        held = self._quarantine.held(numbers, now_ms)
        if held:
            number = min(held)
            raise Conflict(f"{number} was released lately: nobody can take it before its quarantine ends",
                           code="number_quarantined", details={"number": number, "until": held[number]})

    def buy(self, tenant_id: str, numbers: list[str], now_ms: int) -> list[OwnedNumber]:
        """Buy these numbers (E.164), all or none."""
        self.refuse_quarantined(numbers, now_ms)
        account = self.account_of(tenant_id)
        bought: list[OwnedNumber] = []
        try:
            for number in numbers:
                bought.append(self._buy_one(account, number))
        except RingbackError as error:
            raise self._undone(tenant_id, bought, error) from None
        return bought

    def buy_found(self, tenant_id: str, count: int, country: str, kind: str, area_code: str | None,
                  contains: str | None, now_ms: int) -> list[OwnedNumber]:
        """Buy `count` numbers the carrier offers for this search, all or none."""
        check_search(country, kind, area_code, contains)
        account = self.account_of(tenant_id)
        offers = self._carrier.search(account, country, kind, area_code=area_code, contains=contains,
                                      limit=count + QUARANTINE_SLACK)
        held = self._quarantine.held([o.number for o in offers], now_ms)
        candidates = [o.number for o in offers if o.number not in held]
        if len(candidates) < count:
            raise _too_few(count, len(candidates))
        bought: list[OwnedNumber] = []
        try:
            for number in candidates:
                if len(bought) == count:
                    break
                try:
                    bought.append(self._buy_one(account, number))
                except Conflict as error:
                    if error.code != "number_not_available":
                        raise
                    # Someone bought it since the search: the next one serves as well.
            if len(bought) < count:
                raise _too_few(count, len(bought))
        except RingbackError as error:
            raise self._undone(tenant_id, bought, error) from None
        return bought

    def give_back(self, tenant_id: str, bought: list[OwnedNumber]) -> list[str]:
        """Undo purchases that were never tracked: no visitor was shown them, so they go
        back without quarantine. The numbers the carrier would not take back."""
        # They were bought into the tenant's subaccount, so it has one.
        account = cast(str, self.account(tenant_id))
        kept = []
        for owned in bought:
            try:
                self._carrier.release(account, owned.sid)
            except RingbackError:
                kept.append(owned.number)
        return kept

    def _undone(self, tenant_id: str, bought: list[OwnedNumber], error: RingbackError) -> RingbackError:
        """The error a purchase failed with, once what it had bought is given back; any
        number the carrier would not take back is named, as the tenant still pays for it."""
        kept = self.give_back(tenant_id, bought)
        if kept and (error.details is None or isinstance(error.details, dict)):
            error.details = {**(error.details or {}), "notReturned": kept}
        return error

    def _buy_one(self, account: str, number: str) -> OwnedNumber:
        return self._carrier.buy(account, number, self._base + VOICE_PATH, self._base + STATUS_PATH,
                                 self._base + SMS_PATH)

    # -- giving numbers back ------------------------------------------------------------------

    def owned(self, tenant_id: str, number: str) -> OwnedNumber | None:
        """The number, if the tenant's subaccount owns it."""
        account = self.account(tenant_id)
        return self._carrier.owned(account, number) if account else None

    def release(self, tenant_id: str, number: str, owned: OwnedNumber | None, now_ms: int) -> None:
        """A number stops being tracked: into quarantine, then back to the carrier if the
        tenant's subaccount owns it (`owned`). Quarantined first, so there is no moment
        when it is for sale through us and its late callers could reach a new owner."""
        self._quarantine.hold(number, now_ms + QUARANTINE_DAYS * DAY_MS, tenant_id, now_ms)
        if owned is not None:
            # The subaccount owns it, so the tenant has one.
            self._carrier.release(cast(str, self.account(tenant_id)), owned.sid)

    def _tenant(self, tenant_id: str) -> Tenant:
        tenant = self._tenants.get(tenant_id)
        if tenant is None:
            raise NotFound("unknown tenant", code="unknown_tenant")
        return tenant


def _too_few(wanted: int, found: int) -> Conflict:
    return Conflict(f"the carrier has {found} such numbers for sale, not {wanted}: widen the search",
                    code="number_not_available", details={"wanted": wanted, "available": found})
