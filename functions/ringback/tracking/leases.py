"""Number leases: which visitor session holds which line of a pool, and until when.

The allocator's promises:
- a line is never held by two sessions at once, unless the pool's exhaustion policy is
  `share_oldest` and the pool is full (then the lease is flagged as shared);
- a returning visitor gets their previous line back when it is free;
- otherwise the line that has been free the longest is taken, so that a late call for its
  previous holder is the least likely to be misattributed;
- it costs O(1) store requests whatever the pool's size: one Query of at most
  CANDIDATES lines from the free list, and one atomic write per attempt.

The store's `take` is a conditional write ("this line's lease has ended by now"), so
concurrent allocators cannot both win one line. Every allocator tries the longest-free
line first; one that loses it tries the next few candidates in random order, so
concurrent losers spread out instead of colliding again.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace

from ringback.tracking.pools import Pool, shard_of

# Free-list items read per Query: the longest-free line, and the ones an allocator that
# lost it to a concurrent allocator spreads over. The window is wider than the burst of
# allocators we design for (32), so the losers mostly land on distinct lines. 64 keys-only
# items are about 4 KB: one read unit, whatever the pool's size.
CANDIDATES = 64
TRIES_PER_ROUND = 3  # takes attempted from one read of the free list
# Free-list Queries per shard before the pool counts as exhausted. Under heavy contention
# every candidate of a round can be lost to other allocators while free lines remain.
MAX_ROUNDS = 8
LEASE_GRACE_MS = 3_600_000  # a live-lease item outlives its expiry by this, for late reads


@dataclass(frozen=True)
class Lease:
    session_id: str
    line: str
    pool_id: str
    tenant_id: str
    leased_at: int
    expires_at: int
    shared: bool = False

    @property
    def history_key(self) -> str:
        return history_key(self.leased_at, self.session_id)

    @property
    def number(self) -> str:
        return self.line.partition(",")[0]

    @property
    def extension(self) -> str | None:
        return self.line.partition(",")[2] or None

    def live_at(self, now_ms: int) -> bool:
        return self.expires_at > now_ms


@dataclass(frozen=True)
class Candidate:
    line: str
    free_at: int


@dataclass(frozen=True)
class HistoryEntry:
    line: str
    session_id: str
    pool_id: str
    tenant_id: str
    visitor_key: str
    started_at: int
    ended_at: int
    shared: bool = False


def history_key(leased_at: int, session_id: str) -> str:
    return f"{leased_at:013d}#{session_id}"


@dataclass(frozen=True)
class LeaseRequest:
    """Everything a store needs to write one lease atomically with its history."""

    lease: Lease
    pool_key: str
    visitor_key: str
    retain_until_ms: int


@dataclass(frozen=True)
class Allocation:
    lease: Lease | None  # None: the pool is exhausted under the default_number policy
    returning: bool = False
    attempts: int = 0


class Allocator:
    def __init__(self, store, rng: random.Random | None = None) -> None:
        self._store = store
        self._rng = rng or random.Random()

    def allocate(
        self, pool: Pool, session_id: str, visitor_key: str, now_ms: int, retain_until_ms: int
    ) -> Allocation:
        until = now_ms + pool.lease_seconds * 1000

        def request(line: str, shared: bool = False) -> LeaseRequest:
            lease = Lease(session_id, line, pool.pool_id, pool.tenant_id, now_ms, until, shared)
            return LeaseRequest(lease, pool.pool_key(shard_of(line, pool.shards)), visitor_key, retain_until_ms)

        attempts = 0
        previous = self._store.last_line_of(visitor_key, pool.pool_id)
        if previous is not None:
            attempts += 1
            wanted = request(previous)
            if self._store.take(wanted, now_ms):
                return Allocation(wanted.lease, returning=True, attempts=attempts)

        shards = list(range(pool.shards))
        self._rng.shuffle(shards)
        for shard in shards:
            for _ in range(MAX_ROUNDS):
                free = self._store.free_lines(pool.pool_key(shard), now_ms, CANDIDATES)
                if not free:
                    break
                # The longest-free line first; an allocator that loses it to a concurrent
                # one tries a few others at random, so the losers do not all collide again,
                # then reads the free list afresh rather than trying lines likely taken.
                rest = free[1:]
                self._rng.shuffle(rest)
                for candidate in [free[0]] + rest[: TRIES_PER_ROUND - 1]:
                    attempts += 1
                    wanted = request(candidate.line)
                    if self._store.take(wanted, now_ms):
                        return Allocation(wanted.lease, attempts=attempts)

        if pool.exhaustion_policy == "share_oldest":
            for shard in shards:
                oldest = self._store.oldest_lines(pool.pool_key(shard), 1)
                if oldest:
                    attempts += 1
                    wanted = request(oldest[0].line, shared=True)
                    self._store.share(wanted)
                    return Allocation(wanted.lease, attempts=attempts)
        self._store.count_overflow(pool.pool_id)
        return Allocation(None, attempts=attempts)

    def extend(self, pool: Pool, lease: Lease, now_ms: int) -> Lease | None:
        """Keep an active visitor's line. Writes only when less than half the lease is
        left, so a heartbeat costs one read most of the time. None: the lease was lost."""
        if not lease.live_at(now_ms):
            return None
        remaining = lease.expires_at - now_ms
        if remaining >= pool.lease_seconds * 1000 / 2:
            return lease
        extended = replace(lease, expires_at=now_ms + pool.lease_seconds * 1000)
        pool_key = pool.pool_key(shard_of(lease.line, pool.shards))
        return extended if self._store.extend(lease, extended.expires_at, pool_key, now_ms) else None


def touch_interval_ms(pool: Pool) -> int:
    """How often a visible page should heartbeat: often enough that the lease is extended
    (at half-life) well before it ends, rarely enough to stay cheap."""
    return int(min(pool.lease_seconds * 1000 / 4, 5 * 60_000))
