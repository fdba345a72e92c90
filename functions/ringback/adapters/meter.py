"""Counting store requests, so tests and benchmarks can hold adapters to their cost."""
from __future__ import annotations

import threading


class RequestMeter:
    """Counts requests; shared by the threads of one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.count = 0

    def add(self, n: int = 1) -> None:
        with self._lock:
            self.count += n
