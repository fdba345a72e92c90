"""Which visit made this call, and how sure we are.

A call to a pool line is matched to the sessions that held the line when the call began
(the lease history answers that for any past instant). When the line was shared, or the
call came after the lease ended, several sessions are candidates; they are ranked by:
- holding the line at the call's start, or how long ago their lease ended;
- a tel: click on that number shortly before the call (the strongest sign);
- the caller's country against the visit's.
The best candidate is stored with a confidence, and the runner-up too. No candidate
means an unattributed call: stored as such, never guessed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ringback.tracking.leases import HistoryEntry
from ringback.tracking.visits import Visit

LATE_WINDOW_MS = 30 * 60_000  # a call this long after a lease ended may still be its holder's
CLICK_WINDOW_MS = 10 * 60_000


@dataclass(frozen=True)
class Candidate:
    session_id: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Attribution:
    method: str  # lease | extension | static | unattributed
    session_id: str | None
    confidence: float
    source: dict[str, Any] = field(default_factory=dict)
    runner_up: Candidate | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": self.method,
            "session_id": self.session_id,
            "confidence": round(self.confidence, 3),
            **self.source,
        }
        if self.runner_up is not None:
            out["runner_up"] = {"session_id": self.runner_up.session_id, "score": round(self.runner_up.score, 3),
                                "reasons": list(self.runner_up.reasons)}
        return out


def score(entry: HistoryEntry, visit: Visit | None, clicks: list[dict], number: str, caller_country: str | None,
          call_at: int) -> Candidate:
    reasons = []
    if entry.started_at <= call_at <= entry.ended_at:
        value = 1.0
        reasons.append("held")
    else:
        late = call_at - entry.ended_at
        value = max(0.0, 0.6 * (1 - late / LATE_WINDOW_MS))
        reasons.append("late")
    if any(c.get("line", "").partition(",")[0] == number and 0 <= call_at - int(c.get("at", 0)) <= CLICK_WINDOW_MS
           for c in clicks):
        value += 1.5
        reasons.append("clicked")
    if visit is not None and caller_country and visit.region.get("country"):
        if visit.region["country"].upper() == caller_country.upper():
            value += 0.3
            reasons.append("same_country")
        else:
            value -= 0.3
            reasons.append("other_country")
    return Candidate(entry.session_id, max(value, 0.0), tuple(reasons))


def rank(candidates: list[Candidate]) -> tuple[Candidate | None, Candidate | None, float]:
    """The best and the runner-up, and the best one's share of the total score."""
    ordered = sorted((c for c in candidates if c.score > 0), key=lambda c: (-c.score, c.session_id))
    if not ordered:
        return None, None, 0.0
    total = sum(c.score for c in ordered)
    best = ordered[0]
    # Alone and holding the line: certain. Otherwise the share of the evidence.
    confidence = best.score / total if len(ordered) > 1 else min(1.0, best.score)
    return best, (ordered[1] if len(ordered) > 1 else None), confidence


def attribute_line(entries: list[HistoryEntry], visits: dict[str, Visit], clicks: dict[str, list[dict]],
                   number: str, caller_country: str | None, call_at: int, method: str = "lease") -> Attribution:
    candidates = [
        score(e, visits.get(e.session_id), clicks.get(e.session_id, []), number, caller_country, call_at)
        for e in entries
        if e.started_at <= call_at <= e.ended_at + LATE_WINDOW_MS
    ]
    best, runner_up, confidence = rank(candidates)
    if best is None:
        return Attribution("unattributed", None, 0.0)
    visit = visits.get(best.session_id)
    source = visit.source() if visit else {}
    if method == "extension":
        confidence = 1.0
    return Attribution(method, best.session_id, confidence, source, runner_up)


def attribute_static(channel: dict[str, Any]) -> Attribution:
    """A static number is its channel: the rule that selected it names the source."""
    source = {key.removeprefix("utm_"): values[0] if isinstance(values, list) else values
              for key, values in channel.items() if key != "priority"}
    return Attribution("static", None, 1.0, source)
