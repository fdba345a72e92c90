"""A site's working hours, in the site's own timezone.

Hours are {"mon": [["09:00", "18:00"]], ...}; a day absent or empty is closed. A range
ending before it starts runs past midnight ("22:00"-"02:00"). No hours at all means open
around the clock.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ringback.errors import InvalidInput

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# {"mon": [["09:00", "18:00"]], ...}, as a site stores it.
WeekHours: TypeAlias = Mapping[str, Sequence[Sequence[str]]]


def _minutes(hhmm: str) -> int:
    try:
        hours, minutes = hhmm.split(":")
        value = int(hours) * 60 + int(minutes)
    except (ValueError, AttributeError):
        raise InvalidInput(f"not a time of day: {hhmm!r}", code="invalid_hours") from None
    if not 0 <= value <= 24 * 60:
        raise InvalidInput(f"not a time of day: {hhmm!r}", code="invalid_hours")
    return value


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown timezone {name!r}", code="invalid_timezone") from None


def is_open(hours: WeekHours, timezone_name: str, now_ms: int) -> bool:
    if not hours:
        return True
    local = datetime.fromtimestamp(now_ms / 1000, tz=UTC).astimezone(zone(timezone_name))
    minute = local.hour * 60 + local.minute
    today, yesterday = DAYS[local.weekday()], DAYS[(local.weekday() - 1) % 7]
    for start, end in hours.get(today, []):
        s, e = _minutes(start), _minutes(end)
        if (s <= minute < e) if s < e else minute >= s:
            return True
    # A range that ran past midnight yesterday.
    return any(_minutes(e) < _minutes(s) and minute < _minutes(e) for s, e in hours.get(yesterday, []))


def next_opening(hours: WeekHours, timezone_name: str, now_ms: int) -> int:
    """The next instant (epoch ms) the site is open, searching up to a week ahead."""
    if is_open(hours, timezone_name, now_ms):
        return now_ms
    tz = zone(timezone_name)
    local = datetime.fromtimestamp(now_ms / 1000, tz=UTC).astimezone(tz)
    for day_offset in range(8):
        day = (local + timedelta(days=day_offset)).date()
        for start, _ in sorted(hours.get(DAYS[day.weekday()], []), key=lambda r: _minutes(r[0])):
            minutes = _minutes(start)
            candidate = datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=tz)
            at = int(candidate.timestamp() * 1000)
            if at > now_ms:
                return at
    raise InvalidInput("the site is never open", code="invalid_hours")
