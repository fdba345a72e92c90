"""In-memory fakes of pools, their tracking numbers and the routes they make
(ringback.ports.PoolDirectory, NumberDirectory, Routing), and of the numbers in quarantine
(NumberQuarantine). tests/adapters/ holds each to the same contract as its DynamoDB
adapter (ringback.adapters.dynamo_pools)."""
from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from ringback.calls.inbound import TrackingNumber
from ringback.errors import PreconditionFailed
from ringback.tracking.pools import Pool, lines_of, shard_of
from ringback.tracking.rules import Route

if TYPE_CHECKING:
    from ringback.adapters.memory_leases import MemoryLeaseStore


def _stale() -> PreconditionFailed:
    return PreconditionFailed("the pool changed since it was read: read it again", code="stale_version")


class MemoryPools:
    def __init__(self, leases: MemoryLeaseStore | None = None) -> None:
        self._pools: dict[str, Pool] = {}
        self._leases = leases
        self.numbers: dict[str, dict] = {}  # number -> {"kind", "pool_id", "site_id", ...}
        self._lock = threading.Lock()

    def for_site(self, site_id: str) -> list[Pool]:
        return sorted((self._counted(p) for p in self._pools.values() if p.site_id == site_id),
                      key=lambda p: p.pool_id)

    def get(self, pool_id: str) -> Pool | None:
        pool = self._pools.get(pool_id)
        return self._counted(pool) if pool is not None else None

    def _counted(self, pool: Pool) -> Pool:
        # The lease store counts overflow (on the pool item, in DynamoDB): read it there.
        counted = self._leases.overflow.get(pool.pool_id, 0) if self._leases is not None else 0
        return replace(pool, overflow_count=pool.overflow_count + counted) if counted else pool

    def save(self, pool: Pool, expected_version: int | None = None) -> None:
        with self._lock:
            stored = self._check(pool.pool_id, expected_version)
            # What the lease store counted meanwhile stays counted, whatever a writer read.
            overflow = stored.overflow_count if stored is not None else pool.overflow_count
            self._pools[pool.pool_id] = replace(pool, version=pool.version + 1, overflow_count=overflow)

    def delete(self, pool_id: str, expected_version: int) -> None:
        with self._lock:
            self._check(pool_id, expected_version)
            self._pools.pop(pool_id, None)

    def _check(self, pool_id: str, expected_version: int | None) -> Pool | None:
        stored = self._pools.get(pool_id)
        if expected_version is not None and (stored.version if stored else 0) != expected_version:
            raise _stale()
        return stored

    def add_numbers(self, pool: Pool, numbers: Iterable[str], now_ms: int, sms: bool = True) -> None:
        for number in numbers:
            self.numbers[number] = {"kind": "pool", "pool_id": pool.pool_id, "site_id": pool.site_id,
                                    "tenant_id": pool.tenant_id, "sms": sms}
            if self._leases is not None:
                for line in lines_of(pool, number):
                    self._leases.add_slot(line, pool.pool_key(shard_of(line, pool.shards)))

    def remove_number(self, pool: Pool, number: str, now_ms: int) -> bool:
        entry = self.numbers.get(number)
        if entry is None or entry["pool_id"] != pool.pool_id:
            return False
        if self._leases is None:
            del self.numbers[number]
            return True
        with self._leases.locked():  # as one conditional write per line: no take() in between
            slots = self._leases.slots
            lines = [line for line in lines_of(pool, number) if line in slots]
            if any(slots[line]["free_at"] > now_ms for line in lines):
                return False
            for line in lines:
                del slots[line]
            del self.numbers[number]
        return True

    def add_static_number(self, tenant_id: str, site_id: str, number: str, channel: dict, now_ms: int,
                          sms: bool = True) -> None:
        self.numbers[number] = {"kind": "static", "pool_id": None, "site_id": site_id, "tenant_id": tenant_id,
                                "channel": channel, "sms": sms}

    def remove_static_number(self, site_id: str, number: str) -> bool:
        entry = self.numbers.get(number)
        if entry is None or entry["kind"] != "static" or entry["site_id"] != site_id:
            return False
        del self.numbers[number]
        return True

    def set_channel(self, site_id: str, number: str, channel: dict) -> bool:
        entry = self.numbers.get(number)
        if entry is None or entry["kind"] != "static" or entry["site_id"] != site_id:
            return False
        entry["channel"] = channel
        return True

    def site_numbers(self, site_id: str) -> list[TrackingNumber]:
        return [tracking_number(number, entry) for number, entry in sorted(self.numbers.items())
                if entry["site_id"] == site_id]

    def numbers_of(self, pool: Pool) -> list[str]:
        return sorted(number for number, n in self.numbers.items() if n["pool_id"] == pool.pool_id)

    def size(self, pool: Pool) -> int:
        return len(self.numbers_of(pool))


def tracking_number(number: str, entry: dict) -> TrackingNumber:
    return TrackingNumber(number, entry["tenant_id"], entry["site_id"], entry["kind"], entry["pool_id"],
                          entry.get("channel") or {}, entry.get("sms", True))


class MemoryNumbers:
    """Tracking numbers read from the in-memory pools directory."""

    def __init__(self, pools: MemoryPools) -> None:
        self._pools = pools

    def tracking_number(self, number: str):
        entry = self._pools.numbers.get(number)
        return None if entry is None else tracking_number(number, entry)


class MemoryRouting:
    """Routes read from the in-memory pools directory, as DynamoRouting reads the tables."""

    def __init__(self, pools: MemoryPools) -> None:
        self._pools = pools

    def routes_for(self, site_id: str) -> list:
        static = [
            Route("static", number, entry.get("channel") or {})
            for number, entry in sorted(self._pools.numbers.items())
            if entry["kind"] == "static" and entry["site_id"] == site_id
        ]
        return static + [Route("pool", p.pool_id, p.rule) for p in self._pools.for_site(site_id)]

    def pool(self, pool_id: str):
        return self._pools.get(pool_id)


class MemoryQuarantine:
    def __init__(self) -> None:
        self.numbers: dict[str, dict] = {}  # number -> {"until", "tenant_id", "released_at"}

    def hold(self, number: str, until_ms: int, tenant_id: str, released_at: int) -> None:
        self.numbers[number] = {"until": until_ms, "tenant_id": tenant_id, "released_at": released_at}

    def held(self, numbers: Iterable[str], now_ms: int) -> dict[str, int]:
        # A quarantine that has ended is ignored, not deleted: DynamoDB's TTL removes it
        # days later, and the adapter compares `until` just as this does.
        found = {n: self.numbers[n]["until"] for n in set(numbers) if n in self.numbers}
        return {n: until for n, until in found.items() if until > now_ms}
