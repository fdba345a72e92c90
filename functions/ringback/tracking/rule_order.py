"""A site's tracking rules as its admin manages them: the tracking numbers it has, each
static number's channel rule, and the order in which the rules apply.

The order is a list of route ids (a static number's E.164 number, a pool's id) kept on the
site (`settings["rule_order"]`); the rules engine tries those routes first, in that order,
and the first whose rule matches the visit wins (ringback.tracking.rules.choose). Routes
the order does not name (a number bought after it was set) are tried after it, by the
engine's usual precedence.

The order and the channels are one thing to an admin, "which number does this visit
see", so both are versioned by the site: a channel change also makes the site one
version newer, and a writer who read the site before either change is refused (412).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from ringback.accounts.audit import Audit
from ringback.accounts.provisioning import e164
from ringback.accounts.site_parts import site_at, site_of
from ringback.accounts.sites import Site
from ringback.accounts.tenants import WRITE, TenantScope
from ringback.errors import Conflict, InvalidInput, NotFound
from ringback.ports import PoolDirectory, Routing, SiteDirectory
from ringback.tracking.rules import Route, ranked, validate_rule

STORED = "rule_order"
MAX_ROUTES = 200

RULE_ORDER = {
    "type": "object", "additionalProperties": False, "required": ["order"],
    "properties": {"order": {"type": "array", "maxItems": MAX_ROUTES,
                             "items": {"type": "string", "minLength": 1, "maxLength": 64}}},
}
CHANNEL_CHANGE = {
    "type": "object", "additionalProperties": False, "required": ["channel"],
    "properties": {"channel": {"type": "object", "maxProperties": 12}},
}


def order_of(site: Site) -> tuple[str, ...]:
    """The order the site set; empty when it never set one."""
    return tuple(site.settings.get(STORED) or ())


def route_json(route: Route) -> dict[str, Any]:
    return {"id": route.target, "kind": route.kind, "rule": route.rule}


class SiteRules:
    def __init__(self, sites: SiteDirectory, pools: PoolDirectory, routing: Routing, audit: Audit) -> None:
        self._sites, self._pools, self._routing, self._audit = sites, pools, routing, audit

    def numbers(self, scope: TenantScope, site_id: str) -> tuple[Site, list[dict[str, Any]]]:
        """The site's tracking numbers, static first, each with the rule that shows it."""
        site = site_of(self._sites, scope, site_id)
        pools = {p.pool_id: p for p in self._pools.for_site(site_id)}
        listed = []
        for tracked in sorted(self._pools.site_numbers(site_id), key=lambda n: (n.kind != "static", n.number)):
            entry: dict[str, Any] = {"number": tracked.number, "kind": tracked.kind,
                                     # Every number we rent answers calls; texting is per number.
                                     "capabilities": {"voice": True, "sms": tracked.sms}}
            if tracked.kind == "static":
                entry["channel"] = tracked.channel
            else:
                pool = pools.get(cast(str, tracked.pool_id))  # a pooled number names its pool
                entry.update(poolId=tracked.pool_id, poolName=pool.name if pool else None,
                             channel=pool.rule if pool else {})
            listed.append(entry)
        return site, listed

    def set_channel(self, scope: TenantScope, site_id: str, number: str, channel: Any, version: int | None,
                    now_ms: int) -> tuple[Site, dict[str, Any]]:
        scope.require(WRITE)
        site = site_at(self._sites, scope, site_id, version)
        try:
            clean = validate_rule(channel)
        except InvalidInput as error:
            raise InvalidInput(error.message, code=error.code, details={"field": "channel"}) from None
        number = _number(number, site.country, "number")
        tracked = next((n for n in self._pools.site_numbers(site_id) if n.number == number), None)
        if tracked is None:
            raise NotFound("the site has no such tracking number", code="unknown_number")
        if tracked.kind != "static":
            raise Conflict("a pool's numbers follow the pool's rule: change the pool", code="number_in_pool")
        # The site's version first: a second writer who read the same version is refused
        # here, before anything of theirs is written.
        self._sites.save(site, expected_version=site.version)
        if not self._pools.set_channel(site_id, number, clean):
            raise NotFound("the site has no such tracking number", code="unknown_number")
        stored = replace(site, version=site.version + 1)
        self._audit.record(scope, "number.channel_updated", f"{site_id}/{number}", {"channel": tracked.channel},
                           {"channel": clean}, now_ms)
        return stored, {"number": number, "kind": "static", "channel": clean,
                        "capabilities": {"voice": True, "sms": tracked.sms}}

    def order(self, scope: TenantScope, site_id: str) -> tuple[Site, list[Route]]:
        """Every route of the site in the order the rules engine tries them."""
        site = site_of(self._sites, scope, site_id)
        return site, ranked(self._routing.routes_for(site_id), order_of(site))

    def set_order(self, scope: TenantScope, site_id: str, order: list[str], version: int | None,
                  now_ms: int) -> tuple[Site, list[Route]]:
        scope.require(WRITE)
        site = site_at(self._sites, scope, site_id, version)
        routes = self._routing.routes_for(site_id)
        known = {r.target for r in routes}
        clean: list[str] = []
        for i, raw in enumerate(order):
            route_id = raw if raw in known else _as_number(raw, site.country)
            if route_id not in known:
                raise InvalidInput(f"{raw!r} is neither a static number nor a pool of this site",
                                   code="unknown_route", details={"field": f"order.{i}"})
            if route_id in clean:
                raise InvalidInput(f"{raw!r} is named twice", code="duplicate_route", details={"field": f"order.{i}"})
            clean.append(route_id)
        changed = replace(site, settings={**site.settings, STORED: clean})
        self._sites.save(changed, expected_version=site.version)
        stored = replace(changed, version=site.version + 1)
        self._audit.record(scope, "site.rule_order_updated", site_id, {"order": list(order_of(site))},
                           {"order": clean}, now_ms)
        return stored, ranked(routes, clean)


def _number(raw: str, country: str, field: str) -> str:
    try:
        return e164(raw, country)
    except InvalidInput as error:
        raise InvalidInput(error.message, code=error.code, details={"field": field}) from None


def _as_number(raw: str, country: str) -> str | None:
    """A static number's id written another way ("(415) 555-0150"); None if not a number."""
    try:
        return e164(raw, country)
    except InvalidInput:
        return None

