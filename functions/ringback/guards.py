"""Abuse guards for public endpoints: fixed-window rate limits.

A bot that starts sessions with fresh client ids could drain a pool and push real
visitors onto the default number, so session starts are limited per visitor address and
per site; the callback endpoint adds per-phone limits with the same mechanism.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from ringback.errors import RateLimited


class RateCounter(Protocol):
    def hit(self, bucket: str, expires_at_ms: int) -> int:
        """Count one hit in the bucket and return the bucket's count, atomically."""
        ...


@dataclass(frozen=True)
class Limit:
    scope: str  # what is limited: "session-ip", "session-site", ...
    per_window: int
    window_seconds: int


SESSION_LIMITS = (
    Limit("session-ip", per_window=60, window_seconds=60),
    Limit("session-site", per_window=20_000, window_seconds=60),
)


def enforce(counter: RateCounter, limits: tuple[Limit, ...], subjects: Mapping[str, str | None],
            now_ms: int) -> None:
    """Count this request against each limit whose subject is known (None: unknown);
    refuse when over."""
    for limit in limits:
        subject = subjects.get(limit.scope)
        if not subject:
            continue
        window_ms = limit.window_seconds * 1000
        start = now_ms - now_ms % window_ms
        count = counter.hit(f"{limit.scope}#{subject}#{start}", start + 2 * window_ms)
        if count > limit.per_window:
            retry = max(1, (start + window_ms - now_ms + 999) // 1000)
            raise RateLimited("too many requests; slow down", retry_after_seconds=int(retry),
                              details={"limit": limit.scope})
