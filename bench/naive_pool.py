"""The naive dynamic pool of seed 001, simulated on the same traces as the product.

A first-in first-out queue of N numbers: a new visit takes the number at the front (the
one free the longest) for a fixed 3 minutes from the visit's start, never extended; when
none is free the visit sees the site's own number, and a call to that is lost. A call to
a pool number goes to its holder at that instant, else to its last holder: the strongest
reading the naive pool allows. A caller who never visited goes to whoever it picks.
"""
from __future__ import annotations

import bisect
from collections import deque
from dataclasses import dataclass, field

HOLD_MS = 3 * 60_000  # seed 001: "номер освободится ... после окончания трёхминутной сессии"


@dataclass
class FifoPool:
    numbers: list[str]
    hold_ms: int = HOLD_MS
    _queue: deque = field(init=False)
    _starts: dict[str, list[int]] = field(init=False)
    _holders: dict[str, list[str]] = field(init=False)
    shown: dict[str, str | None] = field(init=False)  # visit id -> number (None: the own number)

    def __post_init__(self) -> None:
        self._queue = deque((0, n) for n in self.numbers)  # (free at, number), oldest free first
        self._starts = {n: [] for n in self.numbers}
        self._holders = {n: [] for n in self.numbers}
        self.shown = {}

    def visit(self, visit_id: str, start_ms: int) -> str | None:
        """The number a visit starting now sees; visits must come in start order."""
        if not self._queue or self._queue[0][0] > start_ms:
            self.shown[visit_id] = None
            return None
        _, number = self._queue.popleft()
        self._queue.append((start_ms + self.hold_ms, number))  # every hold is as long: FIFO stays sorted
        self._starts[number].append(start_ms)
        self._holders[number].append(visit_id)
        self.shown[visit_id] = number
        return number

    def attribute(self, number: str, at_ms: int) -> str | None:
        """The visit a call to `number` at `at_ms` is credited to: the latest lease begun
        by then (the holder now, or the last holder once it has ended)."""
        starts = self._starts.get(number)
        if not starts:
            return None
        i = bisect.bisect_right(starts, at_ms)
        return self._holders[number][i - 1] if i else None


def replay_naive(trace, pool_size: int, numbers: list[str]) -> dict:
    """Each call's outcome under the naive pool: {call_id: (attributed visit id | None,
    lost to the own number)}, and the overflow."""
    pool = FifoPool(numbers[:pool_size])
    for visit in trace.visits:  # sorted by start
        pool.visit(visit.visit_id, visit.start_ms)
    outcomes = {}
    for call in trace.calls:
        number = pool.numbers[int(call.leak * pool_size)] if call.visit_id is None else pool.shown[call.visit_id]
        if number is None:
            outcomes[call.call_id] = (None, True)
        else:
            outcomes[call.call_id] = (pool.attribute(number, call.at_ms), False)
    overflow = sum(1 for n in pool.shown.values() if n is None)
    return {"calls": outcomes, "overflow": overflow, "visits": len(pool.shown)}
