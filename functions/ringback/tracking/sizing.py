"""How big a pool must be: utilisation, peak concurrency and Erlang-B sizing.

A pool is a loss system: a visitor who arrives when every line is leased gets the site's
default number (or a shared line). With sessions arriving at rate λ and holding a line
for a mean time h, the offered load is A = λ·h erlangs, and Erlang's B formula gives the
probability that an arrival finds all N lines busy. The recommended size is the smallest
N whose blocking probability is at most the target.

Blocking is not what a customer buys, though: they buy right answers. A call that comes
with its code is right whatever the size. One without a code is surely right when no
other visit was shown the number between the caller's visit and the call; with the
longest-free line reused first, a freed line waits for the N - A other free lines to be
taken, about (N - A)/λ. So the expected accuracy is
    codes + (1 - codes) · F((N - A)/λ),
F being the delay of calls after visits (ringback.tracking.attribution), and the size
for a target accuracy is the smallest N that reaches it. It is a floor: ranking by region,
taps and earlier calls gets some of the other calls right too.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from ringback.errors import InvalidInput, NotFound
from ringback.tracking.attribution import delay_within
from ringback.tracking.leases import HistoryEntry
from ringback.tracking.pools import MAX_LEASE_SECONDS, MIN_LEASE_SECONDS, Pool, lines_per_number

if TYPE_CHECKING:
    from ringback.accounts.tenants import TenantScope
    from ringback.ports import LeaseStore, PoolDirectory, Routing

MAX_SIZE = 100_000
# Calls that arrive with their code (a tap's post-dial digits, or keyed): what
# `make bench-attribution` sees on its traces; a pool's own share replaces it once the
# call log reports it.
CODE_SHARE = 0.45
DEFAULT_ACCURACY = 0.9


def expected_accuracy(lines: int, arrivals_per_hour: float, load: float, code_share: float = CODE_SHARE) -> float:
    if arrivals_per_hour <= 0:
        return 1.0
    idle_ms = max(0.0, lines - load) / arrivals_per_hour * 3_600_000
    return code_share + (1 - code_share) * delay_within(idle_ms)


def size_for_accuracy(arrivals_per_hour: float, load: float, target: float,
                      code_share: float = CODE_SHARE) -> int | None:
    """The smallest pool expected to be right for `target` of its calls; None when no size
    can (the calls without codes come too late for any pool)."""
    if not 0 < target < 1:
        raise InvalidInput("the target accuracy must be between 0 and 1", code="invalid_target")
    ceiling = code_share + (1 - code_share) * delay_within(float(MAX_SIZE) * 3_600_000)
    if arrivals_per_hour <= 0:
        return 1
    if ceiling < target:
        return None
    low, high = max(1, math.ceil(load)), MAX_SIZE
    while low < high:  # accuracy grows with the size: bisect
        middle = (low + high) // 2
        if expected_accuracy(middle, arrivals_per_hour, load, code_share) >= target:
            high = middle
        else:
            low = middle + 1
    return low


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability for `servers` lines offered `load` erlangs (stable recurrence)."""
    if servers < 0 or load < 0:
        raise ValueError("servers and load must not be negative")
    blocking = 1.0
    for n in range(1, servers + 1):
        blocking = load * blocking / (n + load * blocking)
    return blocking


def servers_for(load: float, target: float) -> int:
    if not 0 < target < 1:
        raise InvalidInput("the target probability must be between 0 and 1", code="invalid_target")
    blocking, n = 1.0, 0
    while blocking > target:
        n += 1
        blocking = load * blocking / (n + load * blocking)
        if n > MAX_SIZE:
            break
    return n


def peak_concurrency(history: Iterable[HistoryEntry], since_ms: int, until_ms: int) -> int:
    events = []
    for h in history:
        start, end = max(h.started_at, since_ms), min(h.ended_at, until_ms)
        if end > start:
            events += [(start, 1), (end, -1)]
    peak = current = 0
    for _, delta in sorted(events):  # an end sorts before a start at the same instant
        current += delta
        peak = max(peak, current)
    return peak


@dataclass(frozen=True)
class PoolHealth:
    pool_id: str
    size: int
    window_hours: float
    leases: int
    shared_leases: int
    arrivals_per_hour: float
    mean_hold_seconds: float
    offered_load_erlangs: float
    utilisation: float  # leased line-time over available line-time in the window
    peak_concurrent: int
    overflow_count: int
    target_shared_probability: float
    blocking_probability: float  # at the current size, per Erlang-B
    recommended_size: int
    target_accuracy: float = DEFAULT_ACCURACY
    expected_accuracy: float = 1.0  # at the current size (the model above)
    size_for_accuracy: int | None = None  # None: no size reaches the target

    def as_json(self) -> dict[str, Any]:
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def pool_health(
    pool: Pool, size: int, history: list[HistoryEntry], since_ms: int, until_ms: int, target: float,
    accuracy: float = DEFAULT_ACCURACY,
) -> PoolHealth:
    if until_ms <= since_ms:
        raise InvalidInput("the window must end after it starts", code="invalid_range")
    window_ms = until_ms - since_ms
    started = [h for h in history if since_ms <= h.started_at < until_ms]
    held_ms = [min(h.ended_at, until_ms) - max(h.started_at, since_ms) for h in history]
    busy_ms = sum(max(0, ms) for ms in held_ms)
    hours = window_ms / 3_600_000
    arrivals = len(started) / hours
    mean_hold = (sum(h.ended_at - h.started_at for h in started) / len(started) / 1000) if started else 0.0
    load = arrivals * mean_hold / 3600
    return PoolHealth(
        pool_id=pool.pool_id,
        size=size,
        window_hours=hours,
        leases=len(started),
        shared_leases=sum(1 for h in started if h.shared),
        arrivals_per_hour=arrivals,
        mean_hold_seconds=mean_hold,
        offered_load_erlangs=load,
        utilisation=busy_ms / (window_ms * size) if size else 0.0,
        peak_concurrent=peak_concurrency(history, since_ms, until_ms),
        overflow_count=pool.overflow_count,
        target_shared_probability=target,
        blocking_probability=erlang_b(size, load),
        recommended_size=servers_for(load, target) if load > 0 else 1,
        target_accuracy=accuracy,
        expected_accuracy=expected_accuracy(size, arrivals, load),
        size_for_accuracy=size_for_accuracy(arrivals, load, accuracy),
    )


def report(scope: TenantScope, routing: Routing, pools: PoolDirectory, leases: LeaseStore, pool_id: str,
           now_ms: int, hours: float, target: float, accuracy: float = DEFAULT_ACCURACY) -> PoolHealth:
    """One pool's health over the last `hours`, for a tenant that may read it."""
    if not 0 < hours <= 24 * 31:
        raise InvalidInput("hours must be between 0 and 744", code="invalid_window")
    pool = routing.pool(pool_id)
    if pool is None or pool.tenant_id not in scope.readable:
        raise NotFound("no such pool", code="unknown_pool")  # the same answer for another tenant's pool
    since = now_ms - int(hours * 3_600_000)
    # Its lines, not its numbers: an extension pool's one number holds a thousand leases.
    lines = pools.size(pool) * lines_per_number(pool)
    return pool_health(pool, lines, leases.history_of_pool(pool_id, since, now_ms), since, now_ms, target, accuracy)


# -- sizing a pool before it exists: from the visitors a site expects a day ---------------

# The busiest hour's share of a day's visits: a business-hours site's 10:00 peak, 7 of
# 84.1 in bench/traffic.py's DIURNAL_BUSINESS (an assumed profile, the one the attribution
# benchmark replays). A pool sized for the peak holds every other hour too.
PEAK_HOUR_SHARE = 0.083
# A visit's mean length (seed 001: "a session of three minutes"); its line stays held
# for the pool's lease after the visitor's last activity.
VISIT_SECONDS = 180
MAX_DAILY_VISITORS = 1_000_000


@dataclass(frozen=True)
class SizingAdvice:
    daily_visitors: int
    lease_seconds: int
    arrivals_per_hour: float  # in the busiest hour
    mean_hold_seconds: float
    offered_load_erlangs: float
    target_shared_probability: float
    size_for_target: int  # Erlang-B: the smallest size a visitor finds full at most that often
    target_accuracy: float
    size_for_accuracy: int | None  # None: no size reaches the target
    recommended_size: int  # the larger of the two
    blocking_probability: float  # at the recommended size
    expected_accuracy: float  # at the recommended size

    def as_json(self) -> dict[str, Any]:
        def camel(name: str) -> str:
            head, *rest = name.split("_")
            return head + "".join(part.title() for part in rest)

        return {camel(k): (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(self).items()}


def advise(daily_visitors: float, lease_seconds: float = MIN_LEASE_SECONDS, target: float = 0.01,
           accuracy: float = DEFAULT_ACCURACY) -> SizingAdvice:
    """How many numbers a pool needs for `daily_visitors` visitors a day: the busiest
    hour's sessions, each holding a line for its visit and the lease after it, sized by
    Erlang-B for `target` and by the expected accuracy for `accuracy`."""
    if not (float(daily_visitors).is_integer() and 1 <= daily_visitors <= MAX_DAILY_VISITORS):
        raise InvalidInput(f"dailyVisitors is a whole number from 1 to {MAX_DAILY_VISITORS:,}",
                           code="invalid_parameter", details={"field": "dailyVisitors"})
    if not (float(lease_seconds).is_integer() and MIN_LEASE_SECONDS <= lease_seconds <= MAX_LEASE_SECONDS):
        raise InvalidInput(f"leaseSeconds is a whole number from {MIN_LEASE_SECONDS} to {MAX_LEASE_SECONDS}",
                           code="invalid_parameter", details={"field": "leaseSeconds"})
    arrivals = daily_visitors * PEAK_HOUR_SHARE
    hold = VISIT_SECONDS + lease_seconds
    load = arrivals * hold / 3600
    by_blocking = servers_for(load, target)
    by_accuracy = size_for_accuracy(arrivals, load, accuracy)
    size = max(by_blocking, by_accuracy or 0)
    return SizingAdvice(
        daily_visitors=int(daily_visitors), lease_seconds=int(lease_seconds), arrivals_per_hour=arrivals,
        mean_hold_seconds=float(hold), offered_load_erlangs=load, target_shared_probability=target,
        size_for_target=by_blocking, target_accuracy=accuracy, size_for_accuracy=by_accuracy,
        recommended_size=size, blocking_probability=erlang_b(size, load),
        expected_accuracy=expected_accuracy(size, arrivals, load),
    )
