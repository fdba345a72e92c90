"""A tenant manages its number pools through the API: a pool created with numbers bought
for it, read, its settings changed, more numbers bought, one given back, the pool deleted.

Every change names the version it read (the API's If-Match): a second admin who read the
same version is refused with 412 instead of overwriting the first one's change. Numbers
are bought into the tenant's own subaccount (ringback.accounts.purchases), all or none: a
purchase that fails part way gives back what it had bought. A number leaves a pool only
while no visitor holds one of its lines (the directory's removal and a lease cannot both
win); it then goes into quarantine and back to the carrier. Every change is written to the
audit log with the pool as it was and as it became.
"""
from __future__ import annotations

import secrets
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ringback.accounts.audit import Audit
from ringback.accounts.provisioning import Directories, add_pool, e164
from ringback.accounts.purchases import CONTAINS_PATTERN, Purchases
from ringback.accounts.site_parts import require_version, site_of
from ringback.accounts.tenants import WRITE, TenantScope
from ringback.calls.inbound import TrackingNumber
from ringback.errors import Conflict, InvalidInput, NotFound, PreconditionFailed, RingbackError, Unavailable
from ringback.tracking.pools import (
    EXHAUSTION_POLICIES,
    MAX_LEASE_SECONDS,
    MIN_LEASE_SECONDS,
    POOL_MODES,
    Pool,
    pool_json,
)
from ringback.tracking.rules import validate_rule

if TYPE_CHECKING:
    from ringback.accounts.carrier_numbers import OwnedNumber
    from ringback.accounts.sites import Site

# Each purchase is one carrier request, made in turn within the function's 15 s timeout.
MAX_BUY = 20
# What a search may ask for when numbers are bought by count.
BUY_KINDS = ("local", "toll_free")

NUMBERS_WANTED = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": {
        "count": {"type": "integer", "minimum": 1, "maximum": MAX_BUY},
        "areaCode": {"type": "string", "pattern": "^[0-9]{3}$"},
        "kind": {"type": "string", "enum": list(BUY_KINDS)},
        "contains": {"type": "string", "pattern": CONTAINS_PATTERN},
        "numbers": {"type": "array", "minItems": 1, "maxItems": MAX_BUY, "uniqueItems": True,
                    "items": {"type": "string", "minLength": 3, "maxLength": 32}},
    },
}
_SETTINGS = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "leaseSeconds": {"type": "integer", "minimum": MIN_LEASE_SECONDS, "maximum": MAX_LEASE_SECONDS},
    "exhaustionPolicy": {"type": "string", "enum": list(EXHAUSTION_POLICIES)},
    "rule": {"type": "object", "maxProperties": 12},
}
NEW_POOL = {
    "type": "object", "additionalProperties": False, "required": ["name", "numbers"],
    "properties": {**_SETTINGS, "mode": {"type": "string", "enum": list(POOL_MODES)}, "numbers": NUMBERS_WANTED},
}
POOL_CHANGE = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": _SETTINGS}
_FIELDS = {"name": "name", "leaseSeconds": "lease_seconds", "exhaustionPolicy": "exhaustion_policy", "rule": "rule"}


def _field_error(message: str, field: str, code: str = "invalid_field") -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": field})


class PoolAdmin:
    def __init__(self, dirs: Directories, purchases: Purchases | None, audit: Audit) -> None:
        self._dirs, self._purchases, self._audit = dirs, purchases, audit

    def get(self, scope: TenantScope, pool_id: str) -> dict[str, Any]:
        return self._view(self._pool(scope, pool_id))

    def create(self, scope: TenantScope, site_id: str, body: dict[str, Any], now_ms: int) -> dict[str, Any]:
        scope.require(WRITE)
        site = self._site(scope, site_id)
        settings = self._settings(body)
        wanted = body["numbers"]
        self._check_wanted(wanted, "numbers.")
        mode = body.get("mode", "numbers")
        if mode == "extensions" and len(wanted.get("numbers", ())) + wanted.get("count", 0) != 1:
            raise _field_error("an extension pool runs on exactly one number", "numbers", "invalid_pool_mode")
        pool = Pool("p_" + secrets.token_hex(8), scope.tenant_id, site.site_id, mode=mode, created_at=now_ms,
                    **settings)
        purchases = self._carrier()
        owned = self._buy(scope, site, wanted, now_ms, "numbers.")
        try:
            stored = add_pool(self._dirs, pool, [o.number for o in owned], now_ms,
                              sms={o.number: o.capabilities.sms for o in owned})
        except Exception:
            purchases.give_back(scope.tenant_id, owned)  # never tracked: nobody was shown them
            raise
        view = pool_json(stored, [o.number for o in owned])
        self._audit.record(scope, "pool.created", stored.pool_id, None, view, now_ms)
        return view

    def update(self, scope: TenantScope, pool_id: str, body: dict[str, Any], version: int | None,
               now_ms: int) -> dict[str, Any]:
        scope.require(WRITE)
        pool = self._current(scope, pool_id, version)
        changed = replace(pool, **self._settings(body))
        self._dirs.pools.save(changed, expected_version=pool.version)
        numbers = self._dirs.pools.numbers_of(pool)
        before, after = pool_json(pool, numbers), pool_json(replace(changed, version=pool.version + 1), numbers)
        self._audit.record(scope, "pool.updated", pool_id, before, after, now_ms)
        return after

    def add_numbers(self, scope: TenantScope, pool_id: str, body: dict[str, Any], version: int | None,
                    now_ms: int) -> dict[str, Any]:
        scope.require(WRITE)
        pool = self._current(scope, pool_id, version)
        purchases = self._carrier()
        if pool.mode == "extensions":
            raise Conflict("an extension pool runs on exactly one number: create another pool",
                           code="invalid_pool_mode")
        self._check_wanted(body, "")
        site = self._site(scope, pool.site_id)
        before = self._dirs.pools.numbers_of(pool)
        owned = self._buy(scope, site, body, now_ms, "")
        try:
            # The version first: a change made since it was read refuses this before any
            # number joins the pool.
            self._dirs.pools.save(pool, expected_version=pool.version)
            self._track(pool, [(o.number, o.capabilities.sms) for o in owned], now_ms)
        except Exception:
            purchases.give_back(scope.tenant_id, owned)
            raise
        stored = replace(pool, version=pool.version + 1)
        after = pool_json(stored, before + [o.number for o in owned])
        self._audit.record(scope, "pool.numbers_added", pool_id, pool_json(pool, before), after, now_ms)
        return after

    def remove_number(self, scope: TenantScope, pool_id: str, number: str, version: int | None,
                      now_ms: int) -> dict[str, Any]:
        scope.require(WRITE)
        pool = self._current(scope, pool_id, version)
        purchases = self._carrier()
        site = self._site(scope, pool.site_id)
        try:
            number = e164(number, site.country)
        except InvalidInput as error:
            raise _field_error(error.message, "number", error.code) from None
        tracked = self._tracked(pool)
        if number not in tracked:
            raise NotFound("the pool has no such number", code="unknown_number")
        if len(tracked) == 1:
            raise Conflict("a pool keeps at least one number: delete the pool instead", code="pool_would_be_empty")
        owned = purchases.owned(scope.tenant_id, number)
        if not self._dirs.pools.remove_number(pool, number, now_ms):
            raise Conflict("a visitor holds that number right now: try again once the lease ends",
                           code="number_in_use")
        try:
            self._dirs.pools.save(pool, expected_version=pool.version)
            purchases.release(scope.tenant_id, number, owned, now_ms)
        except RingbackError:
            # Still the pool's, and still paid for: tracked again.
            self._restore(pool, [tracked[number]], now_ms)
            raise
        numbers = sorted(tracked)
        after = pool_json(replace(pool, version=pool.version + 1), [n for n in numbers if n != number])
        self._audit.record(scope, "pool.number_removed", pool_id, pool_json(pool, numbers), after, now_ms)
        return after

    def delete(self, scope: TenantScope, pool_id: str, version: int | None, now_ms: int) -> None:
        scope.require(WRITE)
        pool = self._current(scope, pool_id, version)
        purchases = self._carrier()
        tracked = self._tracked(pool)
        before = pool_json(pool, list(tracked))
        removed: list[TrackingNumber] = []
        for number in tracked.values():
            if not self._dirs.pools.remove_number(pool, number.number, now_ms):
                self._restore(pool, removed, now_ms)
                raise Conflict("a visitor holds one of the pool's numbers right now: try again once the lease ends",
                               code="pool_in_use", details={"number": number.number})
            removed.append(number)
        try:
            # Claimed at the version read, so a change that lands meanwhile is refused
            # rather than deleted unseen.
            self._dirs.pools.save(pool, expected_version=pool.version)
        except PreconditionFailed:
            self._restore(pool, removed, now_ms)
            raise
        claimed = replace(pool, version=pool.version + 1)
        for done, number in enumerate(removed):
            try:
                purchases.release(scope.tenant_id, number.number,
                                  purchases.owned(scope.tenant_id, number.number), now_ms)
            except RingbackError:
                # The pool stays, with the numbers not given back yet: deleting it again
                # goes on from there.
                self._restore(claimed, removed[done:], now_ms)
                self._audit.record(scope, "pool.numbers_released", pool_id, before,
                                   pool_json(claimed, [n.number for n in removed[done:]]), now_ms)
                raise
        self._dirs.pools.delete(pool_id, expected_version=claimed.version)
        self._audit.record(scope, "pool.deleted", pool_id, before, None, now_ms)

    # -- helpers ---------------------------------------------------------------------------

    def _carrier(self) -> Purchases:
        if self._purchases is None:
            raise Unavailable("this stage has no carrier account to buy numbers from", code="carrier_not_configured")
        return self._purchases

    def _buy(self, scope: TenantScope, site: Site, wanted: dict[str, Any], now_ms: int,
             prefix: str) -> list[OwnedNumber]:
        purchases = self._carrier()
        if "numbers" in wanted:
            numbers: list[str] = []
            for raw in wanted["numbers"]:
                try:
                    numbers.append(e164(raw, site.country))
                except InvalidInput as error:
                    raise _field_error(error.message, prefix + "numbers", error.code) from None
            if len(set(numbers)) != len(numbers):
                raise _field_error("a number is named twice", prefix + "numbers")
            return purchases.buy(scope.tenant_id, numbers, now_ms)
        return purchases.buy_found(scope.tenant_id, wanted["count"], site.country, wanted.get("kind", "local"),
                                   wanted.get("areaCode"), wanted.get("contains"), now_ms)

    @staticmethod
    def _check_wanted(wanted: dict[str, Any], prefix: str) -> None:
        if ("count" in wanted) == ("numbers" in wanted):
            raise _field_error("send either count (and areaCode, kind, contains to search by) or numbers",
                               prefix + "count")
        for search_field in ("areaCode", "kind", "contains"):
            if "numbers" in wanted and search_field in wanted:
                raise _field_error(f"{search_field} narrows a search by count, not a list of numbers",
                                   prefix + search_field)

    @staticmethod
    def _settings(body: dict[str, Any]) -> dict[str, Any]:
        settings = {_FIELDS[k]: v for k, v in body.items() if k in _FIELDS}
        if "rule" in settings:
            try:
                settings["rule"] = validate_rule(settings["rule"])
            except InvalidInput as error:
                raise _field_error(error.message, "rule", error.code) from None
        return settings

    def _track(self, pool: Pool, numbers: list[tuple[str, bool]], now_ms: int) -> None:
        for can_text in (True, False):
            group = [number for number, sms in numbers if sms is can_text]
            if group:
                self._dirs.pools.add_numbers(pool, group, now_ms, sms=can_text)

    def _restore(self, pool: Pool, numbers: list[TrackingNumber], now_ms: int) -> None:
        self._track(pool, [(n.number, n.sms) for n in numbers], now_ms)

    def _tracked(self, pool: Pool) -> dict[str, TrackingNumber]:
        return {n.number: n for n in self._dirs.pools.site_numbers(pool.site_id) if n.pool_id == pool.pool_id}

    def _view(self, pool: Pool) -> dict[str, Any]:
        return pool_json(pool, self._dirs.pools.numbers_of(pool))

    def _pool(self, scope: TenantScope, pool_id: str) -> Pool:
        pool = self._dirs.pools.get(pool_id)
        if pool is None or pool.tenant_id != scope.tenant_id:
            # Another tenant's pool is not found rather than forbidden: no probing.
            raise NotFound("no such pool", code="unknown_pool")
        return pool

    def _current(self, scope: TenantScope, pool_id: str, version: int | None) -> Pool:
        pool = self._pool(scope, pool_id)
        require_version("pool", pool.version, version)
        return pool

    def _site(self, scope: TenantScope, site_id: str) -> Site:
        return site_of(self._dirs.sites, scope, site_id)
