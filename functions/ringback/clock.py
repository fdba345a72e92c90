"""Time, as the domain sees it: epoch milliseconds from a port.

Lease expiry, working hours, retry schedules and attribution windows all read a Clock,
so a test or a benchmark can replay a week of traffic in seconds with ManualClock.
"""
from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int: ...


class SystemClock:
    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000


class ScaledClock:
    """Product time running `1 / scale` times faster than real time from `origin_ms` (epoch
    ms; the moment it is made by default): the local stack's tests use it (through
    Settings.time_scale) to reach the next morning's opening in seconds. Production runs
    at scale 1 (SystemClock).

    Every process of one stack must share the origin: two clocks made 3 s apart at scale
    0.01 disagree by 5 product minutes, and a request stamped by one function would be
    scheduled by another for an opening that, by its clock, has passed."""

    def __init__(self, scale: float, origin_ms: int | None = None) -> None:
        if not 0 < scale <= 1:
            raise ValueError("scale is in (0, 1]")
        self._scale = scale
        self._origin = time.time_ns() // 1_000_000 if origin_ms is None else origin_ms

    def now_ms(self) -> int:
        real = time.time_ns() // 1_000_000
        return self._origin + int((real - self._origin) / self._scale)


class ManualClock:
    """A clock that moves only when told to; safe to share between threads."""

    def __init__(self, start_ms: int) -> None:
        self._now = start_ms
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        with self._lock:
            return self._now

    def advance(self, *, ms: int = 0, seconds: float = 0, minutes: float = 0, hours: float = 0) -> int:
        step = ms + int(seconds * 1000) + int(minutes * 60_000) + int(hours * 3_600_000)
        if step < 0:
            raise ValueError("a clock does not go backwards")
        with self._lock:
            self._now += step
            return self._now
