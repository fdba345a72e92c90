"""A tenant buys its tracking numbers from the carrier through the API, and gives them back.

Each tenant's numbers live in a carrier subaccount of its own, opened on its first
purchase and kept on the tenant (`Tenant.carrier_account`): the carrier then signs the
number's webhooks with that subaccount's token (the dialer's check asks for it by the
request's AccountSid), and one tenant's numbers, calls and texts are never another's.

A bought number is set to ring our voice webhook and report the call's end to our status
callback, and becomes one of the site's static tracking numbers, for the visits its
channel rule matches. Releasing one is refused while a visitor holds it (a lease in
flight: a call may be on its way); otherwise the carrier takes it back and the site
stops tracking it.

Left for later: a released number is not quarantined (kept unattributable for some days
against late callers of an old campaign), and only static numbers are sold here (a pool's
numbers are still provisioned with the pool).
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ringback.accounts.carrier_numbers import KINDS, AvailableNumber
from ringback.accounts.provisioning import Directories, add_static_number, e164
from ringback.accounts.audit import Audit
from ringback.accounts.tenants import READ, WRITE, TenantScope
from ringback.errors import Conflict, InvalidInput, NotFound
from ringback.ports import LeaseStore, NumberCarrier
from ringback.tracking.pools import line_id
from ringback.tracking.rules import validate_rule

VOICE_PATH = "/v1/carrier/voice"
STATUS_PATH = "/v1/carrier/call-status"
# No inbound SMS webhook exists yet: a bought number gets no SmsUrl.
SMS_PATH: str | None = None

SEARCH_LIMIT = 50
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_AREA_CODE = re.compile(r"^[0-9]{3}$")
_CONTAINS = re.compile(r"^\+?[0-9A-Za-z*%]{2,16}\$?$")

NEW_NUMBER = {
    "type": "object", "additionalProperties": False, "required": ["number", "channel"],
    "properties": {"number": {"type": "string", "minLength": 3, "maxLength": 32},
                   "channel": {"type": "object", "maxProperties": 12}},
}


def _bad(message: str, field: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_parameter", details={"field": field})


class NumberShop:
    def __init__(self, dirs: Directories, leases: LeaseStore, carrier: NumberCarrier, audit: Audit,
                 main_account: str, base_url: str) -> None:
        self._dirs, self._leases, self._carrier, self._audit = dirs, leases, carrier, audit
        self._main, self._base = main_account, base_url.rstrip("/")

    def search(self, scope: TenantScope, country: str, kind: str, area_code: str | None = None,
               contains: str | None = None, sms: bool | None = None,
               limit: int = 20) -> list[AvailableNumber]:
        scope.require(READ)
        if not _COUNTRY.match(country or ""):
            raise _bad("country is a two-letter code such as US", "country")
        if kind not in KINDS:
            raise _bad(f"kind is one of {', '.join(KINDS)}", "kind")
        if area_code is not None and not _AREA_CODE.match(area_code):
            raise _bad("areaCode is three digits", "areaCode")
        if contains is not None and not _CONTAINS.match(contains):
            raise _bad("contains is 2 to 16 digits, letters, * or %", "contains")
        # Before its first purchase a tenant has no subaccount: it sees our main account's
        # view of the stock, which is the same stock.
        account = self._tenant(scope).carrier_account or self._main
        return self._carrier.search(account, country, kind, area_code=area_code, contains=contains, sms=sms,
                                    limit=max(1, min(limit, SEARCH_LIMIT)))

    def buy(self, scope: TenantScope, site_id: str, number: str, channel: dict[str, Any],
            now_ms: int) -> dict[str, Any]:
        scope.require(WRITE)
        site = self._site(scope, site_id)
        number = e164(number, site.country)
        rule = validate_rule(channel)  # before paying for the number, not after
        account = self._account_of(scope)
        owned = self._carrier.buy(account, number, self._base + VOICE_PATH, self._base + STATUS_PATH,
                                  self._base + SMS_PATH if SMS_PATH else None)
        try:
            add_static_number(self._dirs, site, owned.number, rule, now_ms, sms=owned.capabilities.sms)
        except Exception:
            # Not tracked, so not to be paid for: give it back.
            self._carrier.release(account, owned.sid)
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
        account = self._tenant(scope).carrier_account
        owned = self._carrier.owned(account, number) if account else None
        if owned is None:
            raise Conflict("that number was not bought through Ringback, so it cannot be released here",
                           code="number_not_bought_here")
        # The carrier first: a number still tracked but released rings nobody, while one
        # untracked but still owned would be paid for and ring an unknown number.
        self._carrier.release(account, owned.sid)
        self._dirs.pools.remove_static_number(site.site_id, number)
        self._audit.record(scope, "number.released", number,
                           {"number": number, "siteId": site.site_id, "channel": tracked.channel}, None, now_ms)

    # -- helpers ---------------------------------------------------------------------------

    def _tenant(self, scope: TenantScope):
        tenant = self._dirs.tenants.get(scope.tenant_id)
        if tenant is None:
            raise NotFound("unknown tenant", code="unknown_tenant")
        return tenant

    def _account_of(self, scope: TenantScope) -> str:
        """The tenant's subaccount, opened on first use and kept on the tenant."""
        tenant = self._tenant(scope)
        if tenant.carrier_account:
            return tenant.carrier_account
        sid = self._carrier.open_subaccount(f"{tenant.name[:40]} ({tenant.tenant_id})"[:64])
        self._dirs.tenants.save(replace(tenant, carrier_account=sid))
        return sid

    def _site(self, scope: TenantScope, site_id: str):
        site = self._dirs.sites.get(site_id)
        if site is None or site.tenant_id != scope.tenant_id:
            raise NotFound("no such site", code="unknown_site")
        return site
