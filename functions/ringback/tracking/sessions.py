"""Call tracking sessions: what the swap script asks for, and what it is given.

start() reads the visit, picks a route with the rules engine, leases a line when the
route is a pool, and answers with the numbers to show. touch() is the heartbeat that
keeps an active visitor's lease; click() records a tel: click for attribution.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ringback.accounts.sites import Site, site_for_origin, site_language
from ringback.clock import Clock
from ringback.errors import InvalidInput, NotFound
from ringback.guards import SESSION_LIMITS, RateCounter, enforce
from ringback.metrics import BusinessMetrics, CountedMetrics, Metric
from ringback.ports import LeaseStore, Routing, SiteDirectory, TenantDirectory, VisitLog
from ringback.tracking.codes import extension_label, shown_code
from ringback.tracking.leases import Allocation, Allocator, Lease, touch_interval_ms
from ringback.tracking.pools import Pool
from ringback.tracking.rule_order import order_of
from ringback.tracking.rules import choose
from ringback.tracking.visits import Visit, new_visit, require_client_id

UNTRACKED_TTL_MS = 30 * 60_000  # the script re-asks after this when no route applied
STATIC_TTL_MS = 24 * 3_600_000
DEFAULT_TOUCH_MS = 5 * 60_000


@dataclass(frozen=True)
class Shown:
    original: str  # the site's own number, as it appears on the page (E.164)
    number: str  # what to show instead; equal to original when untracked
    extension: str | None  # the code to dial after the number (a dynamic pool's lease)
    kind: str  # pool | static | default
    extension_label: str | None = None  # how the page writes it: "ext. 1234", "доб. 1234"

    def as_json(self) -> dict[str, Any]:
        out = {"original": self.original, "number": self.number, "extension": self.extension, "kind": self.kind}
        if self.extension:
            out["extensionLabel"] = self.extension_label
        return out


@dataclass(frozen=True)
class Offer:
    session_id: str
    numbers: tuple[Shown, ...]
    expires_at: int
    touch_after_ms: int

    def as_json(self) -> dict[str, Any]:
        return {
            "sessionId": self.session_id,
            "numbers": [n.as_json() for n in self.numbers],
            "expiresAt": self.expires_at,
            "touchAfterMs": self.touch_after_ms,
        }


@dataclass(frozen=True)
class PageContext:
    """One page view, as the public endpoint received it."""

    site_key: str
    origin: str | None
    client_id: Any
    session_id: Any
    page: Any = None
    referrer: Any = None
    viewer: dict[str, str] | None = None
    client_address: str | None = None  # the visitor's IP, for rate limits
    # The script found a client id of an earlier visit in the browser: the visitor's
    # previous line is asked for first. A false claim only costs that one read.
    returning: bool = False
    language: Any = None  # the page's language ("de", "ru-RU"), for the code's label


def new_session_id() -> str:
    return "s_" + secrets.token_urlsafe(16)


class Tracking:
    def __init__(
        self,
        sites: SiteDirectory,
        tenants: TenantDirectory,
        routing: Routing,
        visits: VisitLog,
        leases: LeaseStore,
        clock: Clock,
        allocator: Allocator | None = None,
        new_id: Callable[[], str] = new_session_id,
        rate_counter: RateCounter | None = None,
        metrics: BusinessMetrics | None = None,
    ) -> None:
        self._sites, self._tenants, self._routing = sites, tenants, routing
        self._metrics = metrics if metrics is not None else CountedMetrics()
        self._visits, self._leases, self._clock = visits, leases, clock
        self._allocator = allocator or Allocator(leases)
        self._new_id = new_id
        self._rate_counter = rate_counter

    # -- the three doors -----------------------------------------------------------
    def start(self, context: PageContext) -> Offer:
        site = site_for_origin(self._sites, context.site_key, context.origin)
        client_id = require_client_id(context.client_id)
        now = self._clock.now_ms()
        visit = self._own_visit(site, client_id, context.session_id)
        if visit is not None:
            self._visits.page_viewed(visit.session_id, now)
            return self._renew(site, visit, now, context)
        if self._rate_counter is not None:
            # Only new sessions take lines, so only they are limited.
            enforce(self._rate_counter, SESSION_LIMITS,
                    {"session-ip": context.client_address, "session-site": site.site_id}, now)
        visit = new_visit(site, self._new_id(), client_id, context.page, context.referrer, context.viewer or {}, now)
        offer, lines = self._assign(site, visit, now, context)
        self._visits.save(replace(visit, shown_lines=lines), self._retain_until(site, now))
        self._metrics.count(Metric.SESSIONS_STARTED)
        return offer

    def touch(self, context: PageContext) -> Offer:
        site = site_for_origin(self._sites, context.site_key, context.origin)
        visit = self._own_visit(site, require_client_id(context.client_id), context.session_id)
        if visit is None:
            raise NotFound("no such session for this visitor", code="unknown_session")
        return self._renew(site, visit, self._clock.now_ms(), context)

    def click(self, context: PageContext, number: Any) -> None:
        site = site_for_origin(self._sites, context.site_key, context.origin)
        client_id = require_client_id(context.client_id)
        if not isinstance(number, str) or not 7 <= len(number) <= 24:
            raise InvalidInput("number must be the number that was clicked", code="invalid_number")
        if not isinstance(context.session_id, str) or not self._visits.add_click(
            context.session_id, site.site_id, client_id, number, self._clock.now_ms()
        ):
            raise NotFound("no such session for this visitor", code="unknown_session")

    # -- inside --------------------------------------------------------------------
    def _own_visit(self, site: Site, client_id: str, session_id: Any) -> Visit | None:
        if not session_id:
            return None
        if not isinstance(session_id, str) or len(session_id) > 64:
            raise InvalidInput("sessionId is not one this API issued", code="invalid_session")
        visit = self._visits.get(session_id)
        # Another visitor's session id is treated as unknown: no session hijacking.
        if visit is None or visit.site_id != site.site_id or visit.client_id != client_id:
            return None
        return visit

    def _retain_until(self, site: Site, now: int) -> int:
        tenant = self._tenants.get(site.tenant_id)
        days = tenant.retention_days if tenant else 395
        return now + days * 86_400_000

    def _assign(self, site: Site, visit: Visit, now: int, context: PageContext) -> tuple[Offer, tuple[str, ...]]:
        route = choose(self._routing.routes_for(site.site_id), visit, order_of(site))
        if route is not None and route.kind == "static":
            return self._offer(site, visit.session_id, route.target, None, "static", now + STATIC_TTL_MS,
                               DEFAULT_TOUCH_MS), (route.target,)
        if route is not None and route.kind == "pool":
            pool = self._routing.pool(route.target)
            if pool is not None:
                allocation = self._counted(pool, self._allocator.allocate(
                    pool, visit.session_id, visit.visitor_key, now, self._retain_until(site, now),
                    context.returning is True,
                ))
                if allocation.lease is not None:
                    return self._lease_offer(site, pool, allocation.lease, context), (allocation.lease.line,)
        return self._offer(site, visit.session_id, None, None, "default", now + UNTRACKED_TTL_MS,
                           DEFAULT_TOUCH_MS), ()

    def _renew(self, site: Site, visit: Visit, now: int, context: PageContext) -> Offer:
        leases = self._leases.leases_of(visit.session_id)
        for lease in sorted(leases, key=lambda held: held.leased_at, reverse=True):
            pool = self._routing.pool(lease.pool_id)
            if pool is None:
                continue
            kept = self._allocator.extend(pool, lease, now)
            if kept is not None:
                return self._lease_offer(site, pool, kept, context)
            # The lease ended (the tab slept): the visitor gets a line again, their old
            # one first if it is still free.
            allocation = self._counted(pool, self._allocator.allocate(
                pool, visit.session_id, visit.visitor_key, now, self._retain_until(site, now), returning=True
            ))
            if allocation.lease is not None:
                return self._lease_offer(site, pool, allocation.lease, context)
            return self._offer(site, visit.session_id, None, None, "default", now + UNTRACKED_TTL_MS,
                               DEFAULT_TOUCH_MS)
        # No lease to keep (a static number, no route, or a lease long gone): the rules
        # decide again, as on a first view.
        offer, _ = self._assign(site, visit, now, context)
        return offer

    def _counted(self, pool: Pool, allocation: Allocation) -> Allocation:
        """The allocation, counted: a line leased, and a full pool (a shared line, or
        none) as the tenant's, for the per-tenant exhaustion alarm."""
        if allocation.lease is not None:
            self._metrics.count(Metric.LEASES_GRANTED)
        if allocation.lease is None or allocation.lease.shared:
            self._metrics.count(Metric.POOL_OVERFLOW, tenant=pool.tenant_id)
        return allocation

    def _lease_offer(self, site: Site, pool: Pool, lease: Lease, context: PageContext) -> Offer:
        code = shown_code(lease.code) if lease.code else None
        language = site_language(site) or (context.language if isinstance(context.language, str) else None)
        return self._offer(site, lease.session_id, lease.number, code, "pool", lease.expires_at,
                           touch_interval_ms(pool), extension_label(language))

    @staticmethod
    def _offer(site: Site, session_id: str, number: str | None, extension: str | None, kind: str,
               expires_at: int, touch_after_ms: int, label: str | None = None) -> Offer:
        shown = tuple(
            Shown(original=own, number=number or own, extension=extension if number else None, kind=kind,
                  extension_label=label if number and extension else None)
            for own in site.own_numbers
        )
        return Offer(session_id, shown, expires_at, touch_after_ms)
