"""Short-lived read-through caches for the hot public path.

A site's configuration and routes change rarely and are read on every session start; a
Lambda container keeps them for a minute, which turns three reads per session into none
for a busy site. A change shows within CACHE_TTL_MS.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ringback.clock import Clock

if TYPE_CHECKING:
    from ringback.accounts.sites import Site
    from ringback.accounts.tenants import Tenant
    from ringback.ports import Routing, SiteDirectory, TenantDirectory
    from ringback.tracking.pools import Pool
    from ringback.tracking.rules import Route

T = TypeVar("T")
CACHE_TTL_MS = 60_000


class TtlCache(Generic[T]):
    def __init__(self, clock: Clock, ttl_ms: int = CACHE_TTL_MS, max_entries: int = 10_000) -> None:
        self._clock, self._ttl, self._max = clock, ttl_ms, max_entries
        self._entries: dict[Hashable, tuple[int, T]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, load: Callable[[], T]) -> T:
        now = self._clock.now_ms()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] > now:
                return hit[1]
        value = load()
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries.clear()
            self._entries[key] = (now + self._ttl, value)
        return value


class CachedSites:
    def __init__(self, inner: SiteDirectory, clock: Clock, ttl_ms: int = CACHE_TTL_MS) -> None:
        self._inner = inner
        self._by_key: TtlCache[Site | None] = TtlCache(clock, ttl_ms)

    def by_key(self, site_key: str) -> Site | None:
        return self._by_key.get(site_key, lambda: self._inner.by_key(site_key))

    def __getattr__(self, name: str) -> Any:  # writes and the dashboard's reads go straight through
        return getattr(self._inner, name)


class CachedRouting:
    def __init__(self, inner: Routing, clock: Clock, ttl_ms: int = CACHE_TTL_MS) -> None:
        self._inner = inner
        self._routes: TtlCache[list[Route]] = TtlCache(clock, ttl_ms)
        self._pools: TtlCache[Pool | None] = TtlCache(clock, ttl_ms)

    def routes_for(self, site_id: str) -> list[Route]:
        return self._routes.get(site_id, lambda: self._inner.routes_for(site_id))

    def pool(self, pool_id: str) -> Pool | None:
        return self._pools.get(pool_id, lambda: self._inner.pool(pool_id))


class CachedTenants:
    def __init__(self, inner: TenantDirectory, clock: Clock, ttl_ms: int = CACHE_TTL_MS) -> None:
        self._inner = inner
        self._tenants: TtlCache[Tenant | None] = TtlCache(clock, ttl_ms)

    def get(self, tenant_id: str) -> Tenant | None:
        return self._tenants.get(tenant_id, lambda: self._inner.get(tenant_id))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
