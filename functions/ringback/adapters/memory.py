"""In-memory adapters: the fakes domain tests run on.

tests/adapters/ runs the same contract suite against these and the DynamoDB adapters,
so a fake that drifts from the real thing fails a test.
"""
from __future__ import annotations

import base64
import json
import threading
from typing import Iterable

from ringback.accounts import Membership, Tenant
from ringback.calls import CallSummary, Page
from ringback.errors import InvalidInput
from ringback.pools import Pool
from ringback.sites import Site


class MemorySites:
    def __init__(self) -> None:
        self._sites: dict[str, Site] = {}

    def by_key(self, site_key: str) -> Site | None:
        return next((s for s in self._sites.values() if s.site_key == site_key), None)

    def get(self, site_id: str) -> Site | None:
        return self._sites.get(site_id)

    def for_tenant(self, tenant_id: str) -> list[Site]:
        return sorted((s for s in self._sites.values() if s.tenant_id == tenant_id), key=lambda s: s.site_id)

    def save(self, site: Site) -> None:
        self._sites[site.site_id] = site


class MemoryTenants:
    def __init__(self) -> None:
        self._tenants: dict[str, Tenant] = {}
        self._members: dict[tuple[str, str], Membership] = {}

    def get(self, tenant_id: str) -> Tenant | None:
        return self._tenants.get(tenant_id)

    def clients_of(self, agency_id: str) -> list[Tenant]:
        return sorted((t for t in self._tenants.values() if t.parent_id == agency_id), key=lambda t: t.tenant_id)

    def save(self, tenant: Tenant) -> None:
        self._tenants[tenant.tenant_id] = tenant

    def memberships_of(self, user_id: str) -> list[Membership]:
        return sorted((m for (_, u), m in self._members.items() if u == user_id), key=lambda m: m.tenant_id)

    def add_member(self, membership: Membership) -> None:
        self._members[(membership.tenant_id, membership.user_id)] = membership


class MemoryPools:
    def __init__(self) -> None:
        self._pools: dict[str, Pool] = {}
        self.numbers: dict[str, dict] = {}  # number -> {"kind", "pool_id", "site_id", ...}

    def for_site(self, site_id: str) -> list[Pool]:
        return sorted((p for p in self._pools.values() if p.site_id == site_id), key=lambda p: p.pool_id)

    def save(self, pool: Pool) -> None:
        self._pools[pool.pool_id] = pool

    def add_numbers(self, pool: Pool, numbers: Iterable[str], now_ms: int) -> None:
        for number in numbers:
            self.numbers[number] = {"kind": "pool", "pool_id": pool.pool_id, "site_id": pool.site_id,
                                    "tenant_id": pool.tenant_id}

    def add_static_number(self, tenant_id: str, site_id: str, number: str, channel: dict, now_ms: int) -> None:
        self.numbers[number] = {"kind": "static", "pool_id": None, "site_id": site_id, "tenant_id": tenant_id,
                                "channel": channel}

    def size(self, pool: Pool) -> int:
        return sum(1 for n in self.numbers.values() if n["pool_id"] == pool.pool_id)


class MemoryCallLog:
    def __init__(self) -> None:
        self._calls: dict[str, tuple[str, CallSummary]] = {}
        self._lock = threading.Lock()

    def add(self, tenant_id: str, call: CallSummary) -> bool:
        with self._lock:
            if call.call_id in self._calls:
                return False
            self._calls[call.call_id] = (tenant_id, call)
            return True

    def between(self, tenant_id: str, start_ms: int, end_ms: int, limit: int, cursor: str | None) -> Page[CallSummary]:
        after = None
        if cursor:
            try:
                after = json.loads(base64.urlsafe_b64decode(cursor.encode()))
            except ValueError:
                after = None
            if not isinstance(after, dict) or after.get("tenant_id") != tenant_id:
                raise InvalidInput("the cursor is not one this API issued", code="invalid_cursor")
        matching = sorted(
            (c for t, c in self._calls.values() if t == tenant_id and start_ms <= c.started_at < end_ms),
            key=lambda c: (c.started_at, c.call_id),
            reverse=True,
        )
        if after:
            matching = [c for c in matching if (c.started_at, c.call_id) < (after["started_at"], after["call_id"])]
        page = matching[:limit]
        next_cursor = None
        if len(matching) > limit:
            last = page[-1]
            key = {"tenant_id": tenant_id, "started_at": last.started_at, "call_id": last.call_id}
            next_cursor = base64.urlsafe_b64encode(json.dumps(key).encode()).decode()
        return Page(items=page, cursor=next_cursor)
