"""A tenant buys its static tracking numbers from the carrier through the API, and gives
them back.

The numbers are bought into the tenant's own carrier subaccount, with our webhooks set,
by ringback.accounts.purchases, which pools buy through too. A bought number becomes one
of the site's static tracking numbers, for the visits its channel rule matches. Releasing
one is refused while a visitor holds it (a lease in flight: a call may be on its way);
otherwise it is quarantined, the carrier takes it back and the site stops tracking it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ringback.accounts.audit import Audit
from ringback.accounts.carrier_numbers import AvailableNumber
from ringback.accounts.provisioning import Directories, add_static_number, e164
from ringback.accounts.purchases import Purchases
from ringback.accounts.site_parts import site_of
from ringback.accounts.tenants import READ, WRITE, TenantScope
from ringback.errors import Conflict, NotFound
from ringback.ports import LeaseStore
from ringback.tracking.pools import line_id
from ringback.tracking.rules import validate_rule

if TYPE_CHECKING:
    from ringback.accounts.sites import Site

NEW_NUMBER = {
    "type": "object", "additionalProperties": False, "required": ["number", "channel"],
    "properties": {"number": {"type": "string", "minLength": 3, "maxLength": 32},
                   "channel": {"type": "object", "maxProperties": 12}},
}


class NumberShop:
    def __init__(self, dirs: Directories, leases: LeaseStore, purchases: Purchases, audit: Audit) -> None:
        self._dirs, self._leases, self._purchases, self._audit = dirs, leases, purchases, audit

    def search(self, scope: TenantScope, country: str, kind: str, area_code: str | None = None,
               contains: str | None = None, sms: bool | None = None,
               limit: int = 20) -> list[AvailableNumber]:
        scope.require(READ)
        return self._purchases.search(scope.tenant_id, country, kind, area_code=area_code, contains=contains,
                                      sms=sms, limit=limit)

    def buy(self, scope: TenantScope, site_id: str, number: str, channel: dict[str, Any],
            now_ms: int) -> dict[str, Any]:
        scope.require(WRITE)
        site = self._site(scope, site_id)
        number = e164(number, site.country)
        rule = validate_rule(channel)  # before paying for the number, not after
        [owned] = self._purchases.buy(scope.tenant_id, [number], now_ms)
        try:
            add_static_number(self._dirs, site, owned.number, rule, now_ms, sms=owned.capabilities.sms)
        except Exception:
            # Not tracked, so not to be paid for: give it back.
            self._purchases.give_back(scope.tenant_id, [owned])
            raise
        bought = {"number": owned.number, "siteId": site.site_id, "channel": rule,
                  "capabilities": owned.capabilities.as_json()}
        self._audit.record(scope, "number.bought", owned.number, None, bought, now_ms)
        return bought

    def release(self, scope: TenantScope, site_id: str, number: str, now_ms: int) -> None:
        scope.require(WRITE)
        site = self._site(scope, site_id)
        number = e164(number, site.country)
        tracked = next((n for n in self._dirs.pools.site_numbers(site.site_id) if n.number == number), None)
        if tracked is None:
            raise NotFound("the site has no such number", code="unknown_number")
        if tracked.kind != "static":
            raise Conflict("that number belongs to a pool: remove it from the pool first", code="number_in_pool")
        if self._leases.held_at(line_id(number), now_ms):
            raise Conflict("a visitor holds that number right now: try again once the lease ends",
                           code="number_in_use")
        owned = self._purchases.owned(scope.tenant_id, number)
        if owned is None:
            raise Conflict("that number was not bought through Ringback, so it cannot be released here",
                           code="number_not_bought_here")
        # The carrier first: a number still tracked but released rings nobody, while one
        # untracked but still owned would be paid for and ring an unknown number.
        self._purchases.release(scope.tenant_id, number, owned, now_ms)
        self._dirs.pools.remove_static_number(site.site_id, number)
        self._audit.record(scope, "number.released", number,
                           {"number": number, "siteId": site.site_id, "channel": tracked.channel}, None, now_ms)

    def _site(self, scope: TenantScope, site_id: str) -> Site:
        return site_of(self._dirs.sites, scope, site_id)
