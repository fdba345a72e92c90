"""Number leases: which visitor session holds which line of a pool, and until when.

The allocator's promises:
- a line is never held by two sessions at once, except a lease flagged `shared`: when the
  pool is full under the `share_oldest` policy, the newcomer shares the line whose holder
  was active least recently (and the pool's overflow is counted);
- a returning visitor gets their previous line, and code, back when it is free;
- otherwise a line among those free the longest is taken, so that a late call for its
  previous holder has the fewest rivals;
- every lease of a dynamic pool carries a code (ringback.tracking.codes): consecutive
  leases of one number get distinct codes;
- it costs O(1) store requests whatever the pool's size: one Query of at most CANDIDATES
  lines in free-at order, and one atomic write per attempt.

The store's `take` is a conditional write ("this line's lease has ended by now"), so
concurrent allocators cannot both win one line. Lines free at least half as long as the
longest-free one (or within TIE_MS of it) count as free as long; an allocator takes one of
them at random, so a burst of allocators that read the same free list spreads over it
instead of colliding on its head. A full pool's sharers spread the same way over the lines
whose holders were last active about as long ago.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ringback.tracking.codes import payload_of
from ringback.tracking.pools import Pool, shard_of

if TYPE_CHECKING:
    from ringback.ports import LeaseStore

# Free-list items read per Query: the longest-free line, and the ones an allocator that
# lost it to a concurrent allocator spreads over. The window is wider than the burst of
# allocators we design for (32), so the losers mostly land on distinct lines. 64 keys-only
# items are about 4 KB: one read unit, whatever the pool's size.
CANDIDATES = 64
# Takes attempted from one read of the free list: an allocator that lost a line to a
# concurrent one reads again rather than trying lines of a read that is likely stale.
TRIES_PER_ROUND = 1
# Free-list Queries per shard before the pool counts as exhausted. Under heavy contention
# every candidate of a round can be lost to other allocators while free lines remain.
MAX_ROUNDS = 8
# Lines freed this close to the longest-free one are as good for attribution (their last
# holders left about as long ago), and picking among them keeps a burst apart.
TIE_MS = 60_000
SHARE_TRIES = 3  # a share lost to a concurrent allocator is retried on a fresh read
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
    code: str | None = None  # the 3-digit payload of the code shown with the number (tracking.codes)

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
    sequence: int = 0  # leases taken of the line so far: the next code is sequence + 1


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
    code: str | None = None

    @property
    def number(self) -> str:
        return self.line.partition(",")[0]


def history_key(leased_at: int, session_id: str) -> str:
    return f"{leased_at:013d}#{session_id}"


@dataclass(frozen=True)
class LeaseRequest:
    """Everything a store needs to write one lease atomically with its history."""

    lease: Lease
    pool_key: str
    visitor_key: str
    retain_until_ms: int
    sequence: int | None = None  # the line's sequence to store with the take or share (None: keep it)
    seen_sequence: int | None = None  # share(): the sequence the allocator read, so two sharers never get one code


@dataclass(frozen=True)
class Allocation:
    lease: Lease | None  # None: the pool is exhausted under the default_number policy
    returning: bool = False
    attempts: int = 0


class Allocator:
    def __init__(self, store: LeaseStore, rng: random.Random | None = None) -> None:
        self._store = store
        self._rng = rng or random.Random()

    def allocate(
        self, pool: Pool, session_id: str, visitor_key: str, now_ms: int, retain_until_ms: int,
        returning: bool = False,
    ) -> Allocation:
        """A line for the session. `returning`: the visitor has been on the site before,
        so their previous line is asked for first (one more read, only for them)."""
        until = now_ms + pool.lease_seconds * 1000

        def request(line: str, code: str | None, sequence: int | None, shared: bool = False,
                    seen: int | None = None) -> LeaseRequest:
            lease = Lease(session_id, line, pool.pool_id, pool.tenant_id, now_ms, until, shared, code)
            return LeaseRequest(lease, pool.pool_key(shard_of(line, pool.shards)), visitor_key, retain_until_ms,
                                sequence, seen)

        attempts = 0
        if returning:
            previous = self._store.last_lease_of(visitor_key, pool.pool_id)
            if previous is not None:
                attempts += 1
                wanted = request(previous.line, previous.code, None)
                if self._store.take(wanted, now_ms):
                    return Allocation(wanted.lease, returning=True, attempts=attempts)

        shards = list(range(pool.shards))
        self._rng.shuffle(shards)
        views: dict[int, list[Candidate]] = {}
        lines: list[Candidate] | None  # the shard's last read (none, for a shard never read)
        for shard in shards:
            for _ in range(MAX_ROUNDS):
                lines = views[shard] = self._store.lines(pool.pool_key(shard), CANDIDATES)
                free = [c for c in lines if c.free_at <= now_ms]
                if not free:
                    break
                for candidate in self._picks(free, now_ms):
                    attempts += 1
                    code, sequence = _next_code(pool, candidate)
                    wanted = request(candidate.line, code, sequence)
                    if self._store.take(wanted, now_ms):
                        return Allocation(wanted.lease, attempts=attempts)

        if pool.exhaustion_policy == "share_oldest":
            for shard in shards:
                lines = views.get(shard)
                for _ in range(SHARE_TRIES):
                    if not lines:
                        break
                    # A line whose holder was active least recently: its end is the oldest.
                    oldest = self._rng.choice(_tied(lines, lines[0].free_at + TIE_MS))
                    attempts += 1
                    code, sequence = _next_code(pool, oldest)
                    wanted = request(oldest.line, code, sequence, shared=True, seen=oldest.sequence)
                    if self._store.share(wanted, now_ms):
                        return Allocation(wanted.lease, attempts=attempts)
                    lines = self._store.lines(pool.pool_key(shard), CANDIDATES)
        self._store.count_overflow(pool.pool_id)
        return Allocation(None, attempts=attempts)

    def _picks(self, free: list[Candidate], now_ms: int) -> list[Candidate]:
        """The takes to try from one read: one of the longest-free lines at random, then
        others at random (an allocator that lost the first to a concurrent one)."""
        oldest = free[0].free_at
        first = self._rng.choice(_tied(free, oldest + max(TIE_MS, (now_ms - oldest) // 2)))
        rest = [c for c in free if c is not first]
        self._rng.shuffle(rest)
        return [first] + rest[: TRIES_PER_ROUND - 1]

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


def _tied(lines: list[Candidate], until: int) -> list[Candidate]:
    """The lines (in free-at order) whose free-at is at most `until`."""
    return [c for c in lines if c.free_at <= until] or lines[:1]


def _next_code(pool: Pool, candidate: Candidate) -> tuple[str, int | None]:
    """The code of a new lease of the line, and the line's sequence to store with it. An
    extension line is its own code; a number's leases count up through the codes."""
    if pool.mode == "extensions":
        return candidate.line.partition(",")[2], None
    sequence = candidate.sequence + 1
    return payload_of(sequence), sequence


def touch_interval_ms(pool: Pool) -> int:
    """How often a visible page should heartbeat: often enough that the lease is extended
    (at half-life) well before it ends, rarely enough to stay cheap."""
    return int(min(pool.lease_seconds * 1000 / 4, 5 * 60_000))
