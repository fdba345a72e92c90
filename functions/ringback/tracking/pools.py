"""Number pools: the configuration a lease is taken under.

The allocator itself (take the longest-free line, extend, expire) arrives with the call
tracking core; this module holds what a pool is and the limits it must respect.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ringback.errors import InvalidInput

if TYPE_CHECKING:
    from ringback.accounts.tenants import TenantScope
    from ringback.ports import PoolDirectory, SiteDirectory

MIN_LEASE_SECONDS = 3 * 60
MAX_LEASE_SECONDS = 7 * 24 * 3600
POOL_MODES = ("numbers", "extensions")
EXHAUSTION_POLICIES = ("default_number", "share_oldest")


@dataclass(frozen=True)
class Pool:
    pool_id: str
    tenant_id: str
    site_id: str
    name: str
    mode: str = "numbers"
    # A line stays held this long after the visitor's last activity (the swap script's
    # heartbeat extends it at half-life): short, since a lease that outlives the visit only
    # blocks the next visitor, and attribution reads the lease history, not live leases.
    lease_seconds: int = MIN_LEASE_SECONDS
    # A full pool shares a line (flagged) rather than showing the site's own number, to
    # which a call is lost to tracking.
    exhaustion_policy: str = "share_oldest"
    shards: int = 1
    rule: dict[str, Any] = field(default_factory=dict)
    overflow_count: int = 0
    created_at: int = 0
    # One more on each save (ringback.ports.PoolDirectory.save): the management API's ETag.
    version: int = 0

    def __post_init__(self) -> None:
        if not MIN_LEASE_SECONDS <= self.lease_seconds <= MAX_LEASE_SECONDS:
            raise InvalidInput(
                f"lease_seconds must be between {MIN_LEASE_SECONDS} and {MAX_LEASE_SECONDS}",
                code="invalid_lease_duration",
            )
        if self.mode not in POOL_MODES:
            raise InvalidInput(f"mode must be one of {POOL_MODES}", code="invalid_pool_mode")
        if self.exhaustion_policy not in EXHAUSTION_POLICIES:
            raise InvalidInput(f"exhaustion_policy must be one of {EXHAUSTION_POLICIES}", code="invalid_policy")
        if not 1 <= self.shards <= 64:
            raise InvalidInput("shards must be between 1 and 64", code="invalid_shards")

    def pool_key(self, shard: int) -> str:
        return f"{self.pool_id}#{shard}"


def line_id(number: str, extension: str | None = None) -> str:
    """A line is what one lease holds: a number, or a number plus a 3-digit code, written
    the way a dialler takes post-dial digits."""
    return f"{number},{extension}" if extension else number


EXTENSION_CODES = 1000


def lines_per_number(pool: Pool) -> int:
    """How many leases one number of the pool holds at once."""
    return EXTENSION_CODES if pool.mode == "extensions" else 1


def lines_of(pool: Pool, number: str) -> list[str]:
    """What one number of the pool leases: itself, or its 1,000 extension codes."""
    if pool.mode != "extensions":
        return [number]
    return [line_id(number, f"{code:03d}") for code in range(EXTENSION_CODES)]


def shard_of(line: str, shards: int) -> int:
    # Stable across processes (unlike hash()), so a line always lives in one shard.
    return sum(line.encode()) % shards


def pool_json(pool: Pool, numbers: list[str]) -> dict[str, Any]:
    """A pool as the management API shows it, with its numbers."""
    return {
        "poolId": pool.pool_id, "siteId": pool.site_id, "name": pool.name, "mode": pool.mode,
        "leaseSeconds": pool.lease_seconds, "exhaustionPolicy": pool.exhaustion_policy, "rule": pool.rule,
        "numbers": sorted(numbers), "size": len(numbers), "lines": len(numbers) * lines_per_number(pool),
        "overflowCount": pool.overflow_count,
        "createdAt": pool.created_at, "version": pool.version,
    }


def pools_of(scope: TenantScope, sites: SiteDirectory, pools: PoolDirectory) -> list[dict[str, Any]]:
    """Every pool of the scoped tenant's sites, with its size, for the dashboard."""
    result = []
    for site in sites.for_tenant(scope.tenant_id):
        for pool in pools.for_site(site.site_id):
            result.append(
                {
                    "poolId": pool.pool_id,
                    "siteId": site.site_id,
                    "name": pool.name,
                    "mode": pool.mode,
                    "leaseSeconds": pool.lease_seconds,
                    "exhaustionPolicy": pool.exhaustion_policy,
                    "numbers": pools.size(pool),
                    # What a pool holds at once: an extension pool's number is 1,000 lines.
                    "lines": pools.size(pool) * lines_per_number(pool),
                    "overflowCount": pool.overflow_count,
                }
            )
    return result
