"""Simulated time for the carrier: one clock, one scale factor.

Every wait in a call (ringing, talking, a <Pause>, a <Gather> timeout) is expressed in
simulated seconds and goes through `SimClock.sleep`, which sleeps `seconds * scale` real
seconds. Durations reported to webhooks are the simulated seconds themselves, so they are
the same at every scale; only wall-clock speed changes.
"""
from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SimClock:
    def __init__(self, scale: float = 1.0, start: datetime | None = None) -> None:
        if scale < 0:
            raise ValueError("time scale must be >= 0")
        self.scale = scale
        self._start = start or datetime.now(UTC).replace(microsecond=0)
        self._mono = time.monotonic()

    def now(self) -> datetime:
        """Simulated wall time: real elapsed time divided by the scale."""
        real = time.monotonic() - self._mono
        simulated = real / self.scale if self.scale > 0 else 0.0
        return self._start + timedelta(seconds=simulated)

    def sleep(self, seconds: float, interrupt: threading.Event | None = None) -> bool:
        """Wait `seconds` simulated seconds; False when `interrupt` was set meanwhile."""
        real = max(0.0, seconds) * self.scale
        if interrupt is None:
            time.sleep(real)
            return True
        return not interrupt.wait(real)
