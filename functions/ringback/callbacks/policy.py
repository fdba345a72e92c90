"""The callback dial policy: when to ring whom next, and when to give up.

A callback is dialled in rounds. A round rings the site's operators (the hunt group)
either one after another or all at once, each for `ring_seconds`. When an operator
answers, they hear the whisper and the visitor is bridged in; the round's result says
which leg failed and why. This module decides, from the results so far and the time,
what happens next:

- the operator did not answer: the next operator at once (in order), then a new round
  after `operator_retry_seconds`;
- the visitor was busy: a new round after 2 minutes;
- the visitor did not answer: new rounds after 5 and then 30 minutes, then give up;
- the visitor's number failed outright: give up (a wrong number will not improve);
- the carrier refused the caller ID (not a number the account owns): fail at once, since
  every later round would be refused the same way;
- never more than `max_rounds` rounds, never outside the site's working hours, and never
  at an unreasonable hour in the visitor's local time (09:00-21:00 by default).

Plain Python: the Step Functions workflow asks `next_step` and carries out the answer.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import phonenumbers
from phonenumbers import timezone as number_timezone

from ringback.errors import InvalidInput
from ringback.hours import DAYS, WeekHours, is_open, next_opening

if TYPE_CHECKING:
    from ringback.accounts.sites import Site

DEFAULT_RING_SECONDS = 20
DEFAULT_VISITOR_RING_SECONDS = 30
DEFAULT_OPERATOR_RETRY_SECONDS = 120
VISITOR_BUSY_RETRY_SECONDS = (120, 120, 120)
VISITOR_NO_ANSWER_RETRY_SECONDS = (300, 1800)
DEFAULT_MAX_ROUNDS = 4
DEFAULT_VISITOR_HOURS = ("09:00", "21:00")
# Rounds stop this long after the first one, however they went.
GIVE_UP_AFTER_MS = 48 * 3_600_000
# How long the workflow waits for the carrier to report a round before treating it as
# lost (a webhook that never came): ringing, whisper and the visitor's ringing, with room.
ROUND_TIMEOUT_PADDING_SECONDS = 120

OPERATOR_FAILURES = ("operator_no_answer", "operator_busy", "operator_failed", "lost", "ring_failed")
RESULTS = OPERATOR_FAILURES + ("connected", "visitor_busy", "visitor_no_answer", "visitor_failed",
                                "caller_id_refused")


@dataclass(frozen=True)
class DialPolicy:
    operators: tuple[str, ...]
    hunt: str = "sequential"  # sequential | simultaneous
    ring_seconds: int = DEFAULT_RING_SECONDS
    visitor_ring_seconds: int = DEFAULT_VISITOR_RING_SECONDS
    operator_retry_seconds: int = DEFAULT_OPERATOR_RETRY_SECONDS
    max_rounds: int = DEFAULT_MAX_ROUNDS
    visitor_hours: tuple[str, str] = DEFAULT_VISITOR_HOURS
    record: bool = True

    @staticmethod
    def for_site(site: Site) -> DialPolicy:
        """The site's callback settings ({"callback": {...}}), with the defaults above."""
        settings: dict[str, Any] = site.settings.get("callback", {})
        operators = tuple(settings.get("operators") or site.destination_numbers)
        hunt = settings.get("hunt", "sequential")
        if hunt not in ("sequential", "simultaneous"):
            raise InvalidInput("hunt is sequential or simultaneous", code="invalid_callback_settings")
        hours = tuple(settings.get("visitor_hours") or DEFAULT_VISITOR_HOURS)
        return DialPolicy(
            operators=operators,
            hunt=hunt,
            ring_seconds=_bounded(settings.get("ring_seconds", DEFAULT_RING_SECONDS), 5, 120, "ring_seconds"),
            visitor_ring_seconds=_bounded(settings.get("visitor_ring_seconds", DEFAULT_VISITOR_RING_SECONDS), 5, 120,
                                          "visitor_ring_seconds"),
            operator_retry_seconds=_bounded(settings.get("operator_retry_seconds", DEFAULT_OPERATOR_RETRY_SECONDS),
                                            0, 86_400, "operator_retry_seconds"),
            max_rounds=_bounded(settings.get("max_rounds", DEFAULT_MAX_ROUNDS), 1, 10, "max_rounds"),
            visitor_hours=(hours[0], hours[1]),
            record=bool(settings.get("record", True)),
        )


def _bounded(value: Any, low: int, high: int, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}", code="invalid_callback_settings")
    return value


@dataclass(frozen=True)
class RoundResult:
    """How one ring of the hunt group ended."""

    round: int
    leg_seq: int  # which operator of the round was rung (sequential); 0 when all at once
    result: str  # one of RESULTS
    at: int

    def as_json(self) -> dict[str, Any]:
        return {"round": self.round, "leg_seq": self.leg_seq, "result": self.result, "at": self.at}

    @staticmethod
    def from_json(data: dict[str, Any]) -> RoundResult:
        return RoundResult(int(data["round"]), int(data["leg_seq"]), str(data["result"]), int(data["at"]))


@dataclass(frozen=True)
class Ring:
    round: int
    leg_seq: int
    operators: tuple[str, ...]
    ring_seconds: int
    visitor_ring_seconds: int
    record: bool

    @property
    def timeout_seconds(self) -> int:
        return (self.ring_seconds * max(1, len(self.operators)) + self.visitor_ring_seconds
                + ROUND_TIMEOUT_PADDING_SECONDS)


@dataclass(frozen=True)
class Wait:
    until: int
    reason: str  # scheduled (off hours / chosen slot) | retry


@dataclass(frozen=True)
class Finish:
    status: str  # completed | missed | failed
    reason: str


Step = Ring | Wait | Finish


@dataclass(frozen=True)
class Schedule:
    """When a site may call: its working hours, and the visitor's reasonable hours."""

    site_hours: WeekHours = field(default_factory=dict)
    site_timezone: str = "UTC"
    visitor_timezone: str | None = None
    visitor_hours: tuple[str, str] = DEFAULT_VISITOR_HOURS

    def allows(self, at_ms: int) -> bool:
        return is_open(self.site_hours, self.site_timezone, at_ms) and (
            self.visitor_timezone is None or is_open(self._visitor_week(), self.visitor_timezone, at_ms)
        )

    def earliest(self, at_ms: int) -> int:
        """The first instant at or after at_ms when both the site and the visitor may be
        called. Each step moves forward to the next opening of one calendar; two weekly
        calendars agree within a few steps, or never."""
        for _ in range(32):
            site_at = next_opening(self.site_hours, self.site_timezone, at_ms)
            both_at = (site_at if self.visitor_timezone is None
                       else next_opening(self._visitor_week(), self.visitor_timezone, site_at))
            if both_at == at_ms:
                return at_ms
            at_ms = both_at
        raise InvalidInput("the site's hours never meet the visitor's", code="invalid_hours")

    def _visitor_week(self) -> dict[str, list[list[str]]]:
        return {day: [list(self.visitor_hours)] for day in DAYS}


def visitor_timezone(phone: str) -> str | None:
    """The visitor's timezone, when their number has exactly one (a country or area with a
    single zone); None when it is ambiguous, in which case the site's hours alone apply."""
    try:
        zones: Sequence[str] = number_timezone.time_zones_for_number(phonenumbers.parse(phone, None))
    except phonenumbers.NumberParseException:
        return None
    zones = [z for z in zones if z != "Etc/Unknown"]
    return zones[0] if len(zones) == 1 else None


def next_step(policy: DialPolicy, schedule: Schedule, history: list[RoundResult],
              not_before: int | None, now: int) -> Step:
    """What to do now, given every round so far."""
    if not policy.operators:
        return Finish("failed", "no_operators")
    last = history[-1] if history else None
    if last is not None and last.result == "connected":
        return Finish("completed", "connected")
    if last is not None and last.result == "visitor_failed":
        return Finish("missed", "visitor_unreachable")
    if last is not None and last.result == "caller_id_refused":
        return Finish("failed", "caller_id_refused")
    # The give-up clock starts at the first round, not at the request: a request left on
    # Friday night waits for Monday's opening however long that is.
    first_rang = history[0].at if history else None
    if first_rang is not None and now - first_rang > GIVE_UP_AFTER_MS:
        return Finish("missed", "expired")

    rounds = max((r.round for r in history), default=0)
    if last is None:
        round_no, seq, earliest, reason = 1, 0, max(now, not_before or now), "scheduled"
    elif last.result in OPERATOR_FAILURES and policy.hunt == "sequential" and last.leg_seq + 1 < len(policy.operators):
        # The next operator of the same round, at once.
        round_no, seq, earliest, reason = last.round, last.leg_seq + 1, now, "retry"
    else:
        if rounds >= policy.max_rounds:
            return Finish("missed", last.result)
        delay = _retry_delay(policy, history, last)
        if delay is None:
            return Finish("missed", last.result)
        round_no, seq, earliest, reason = rounds + 1, 0, last.at + delay * 1000, "retry"

    at = schedule.earliest(max(earliest, now))
    if first_rang is not None and at - first_rang > GIVE_UP_AFTER_MS:
        return Finish("missed", "expired")
    if at > now:
        return Wait(at, reason)
    operators = policy.operators if policy.hunt == "simultaneous" else (policy.operators[seq],)
    return Ring(round_no, seq, operators, policy.ring_seconds, policy.visitor_ring_seconds, policy.record)


def _retry_delay(policy: DialPolicy, history: list[RoundResult], last: RoundResult) -> int | None:
    if last.result in OPERATOR_FAILURES:
        return policy.operator_retry_seconds
    same = sum(1 for r in history if r.result == last.result)
    delays = VISITOR_BUSY_RETRY_SECONDS if last.result == "visitor_busy" else VISITOR_NO_ANSWER_RETRY_SECONDS
    return delays[same - 1] if same <= len(delays) else None
