"""Which visit made this call, and the probability that it did.

Candidates are the visits shown the dialled number within WINDOW_MS before the call (the
lease history answers that for any number and window). Each candidate's weight is the
likelihood of what we saw at the call if that visit's visitor made it:
- the code keyed in or dialled after a tap (ringback.tracking.codes) matching the visit's;
- a tel: tap on that number seconds before the call;
- how long before the call the visit was last active (the delay of calls after visits);
- the caller's phone region against the visit's region (below the country);
- this caller's earlier calls, and whom they were attributed to.
The line's current holder gets no weight for holding it: a late call is as often the
previous holder's. One more hypothesis, "none of them" (a caller who never visited, or
whose visit is older than the window), has the weight of the calls that come that way.
Normalised, the weights are the model's posterior; a visitor's visits add up. The model
is simple (its signals are taken as independent), so its posterior is overconfident in
the middle; CALIBRATION maps it to the share of such answers that are right, fitted on
replayed traffic with a known truth (`make bench-calibration`, on the tuning scenarios).
That calibrated probability is the `confidence`. The best visitor is named when it is at
least SUPPORTED, with the runner-up and the candidates; below that the call is stored
unattributed, with its candidates, never guessed.

"high" means a confidence of at least HIGH_PROBABILITY: `make bench-attribution` checks,
on scenarios the calibration never saw too, that such answers are right at least 97% of
the time, and prints the calibration of every band.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

from ringback.tracking.codes import read_code
from ringback.tracking.leases import HistoryEntry
from ringback.tracking.regions import Place, place_key, same_place, visit_place
from ringback.tracking.visits import Visit

DAY_MS = 86_400_000
# Considered purchases call days, even weeks, after the visit: the sale comes "on the 5th,
# 10th, 15th visit" (seed 001). A number's codes repeat after 1,000 leases, weeks at the
# pool sizes we sell, and a repeated code is never taken as certain.
WINDOW_MS = 30 * DAY_MS
SUPPORTED = 0.5  # below this the best candidate is less likely right than wrong: unattributed
HIGH_PROBABILITY = 0.97
MEDIUM_PROBABILITY = 0.8
FETCH_VISITS = 25  # visits read per call: the likeliest by code and recency
KEPT_CANDIDATES = 5

# The delay from a visit's last activity to its call: "up to 90% of calls within 30
# minutes" (seed 001). Assumed shape: those 90% within minutes (an exponential of mean 6
# minutes, so 99% of them inside the 30), the other 10% spread evenly over the log of the
# delay from 30 minutes to the end of the window (as likely within hours as within days).
FAST_SHARE, FAST_MEAN_MS = 0.9, 6 * 60_000
SLOW_FROM_MS = 30 * 60_000
# Calls from callers who never visited, per call from a visitor: 10% of calls (the issue's
# figure) is 0.11 per visitor call.
OUTSIDE_PER_VISITOR_CALL = 0.11
# A tap on the number this long before the call is the same act (the phone's dialler opens).
TAP_WINDOW_MS = 120_000
TAP_RATIO = 200.0  # assumed: a tap just before a call against an unrelated tap in that moment
# Callers who tap rather than dial: 70% of mobile searchers have called straight from a
# result (Google/Ipsos, "The Role of Click to Call", 2013), assumed to hold for a site's
# tel: links; a desktop's tel: link is rarely used (assumed 5%). A visit that did not tap
# is that much less likely the caller; of unknown device, 60% of page views are mobile
# (StatCounter, 2024).
NO_TAP = {"mobile": 1 - 0.7, "desktop": 1 - 0.05, None: 1 - 0.6 * 0.7}
# What the caller keyed, given who they are (assumed rates):
CODE_KEPT = 0.5  # a caller who hand-dials keys the shown code
CODE_AFTER_TAP = 0.95  # a tap's post-dial digits arrive
# Keying one particular valid code that is not your own takes two slips (3% each, assumed)
# that pass the check digit (a single slip never does; a double one 1 time in 10) and land
# on that code among the dozens two slips reach: about 1e-6 against the half of visitors'
# callers who key their own. A caller who never saw a code keys four digits at the prompt
# rarely (assumed 1 in 100), a particular string 1 in 10,000: also 1e-6.
WRONG_VALID_CODE = 1e-6
OUTSIDE_VALID_CODE = 1e-6
# The caller's phone is registered where the visit came from (assumed: people move, carry
# numbers to other states, and browse on mobile data that geolocates elsewhere).
SAME_PLACE = 0.75
# A caller whose earlier call was attributed to a visitor is that visitor as surely as
# the earlier answer was right (a phone is one person's): their call goes to that visitor
# with the earlier answer's confidence, and is ranked as any other with the rest.
# The number's visits per millisecond are counted over the history there is, but at least
# a day, so a new pool's first visits do not read as a flood.
MIN_RATE_SPAN_MS = DAY_MS
# (posterior, share right) knots, interpolated linearly in between: `make
# bench-calibration` on the fast, late-call and 10,000-a-day scenarios at 25 and 50
# numbers per 1,000 daily visitors. Ranked answers (1,421): the isotonic fit, its top held
# below 1. Answers by a code unique in the window were right in all 2,040 replayed calls
# whatever the posterior (Wilson 95% lower bound 99.8%); below a posterior of 0.9, where a
# recent visit competes with an old code, too few were seen to promise more than "likely".
# A repeat caller's answer is not calibrated here: it carries the earlier answer's.
CALIBRATION = {
    "ranked": ((0.0, 0.0), (0.0627, 0.107), (0.346, 0.109), (0.5885, 0.184), (0.7669, 0.291), (0.8599, 0.522),
               (0.9235, 0.531), (0.9673, 0.846), (0.9854, 0.922), (0.9928, 0.945), (0.997, 0.981), (0.9994, 0.995),
               (1.0, 0.999)),
    "code": ((0.0, 0.5), (0.5, 0.8), (0.9, 0.98), (0.99, 0.995), (1.0, 0.999)),
}


@dataclass(frozen=True)
class CallEvidence:
    number: str  # the dialled number
    at: int
    caller: str
    caller_place: Place
    digits: str | None = None  # None: not asked; "": skipped; else what was keyed
    # The visitors this caller's earlier calls were attributed to (high or medium), with the
    # confidence of that answer: {"site#client": 0.998}.
    previous_visitors: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    session_id: str
    visitor_key: str
    probability: float  # calibrated: the share of answers like this one that are right
    reasons: tuple[str, ...]
    posterior: float = 0.0  # the model's own, before calibration
    # What the reasons rest on, for saying them in words ("tapped the number 8 s before
    # calling"): seconds from the visit's last activity, and from its tap, to the call.
    active_seconds_before: int | None = None
    tapped_seconds_before: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "visitor_key": self.visitor_key,
                "probability": round(self.probability, 4), "posterior": round(self.posterior, 6),
                "reasons": list(self.reasons), "active_seconds_before": self.active_seconds_before,
                "tapped_seconds_before": self.tapped_seconds_before}


def calibrated(posterior: float, by_code: bool = False) -> float:
    """The model's posterior mapped through CALIBRATION (by_code: the answer's visit keyed a
    code no other visitor of the window was shown)."""
    knots = CALIBRATION["code" if by_code else "ranked"]
    for (x0, y0), (x1, y1) in pairwise(knots):
        if posterior <= x1:
            return y0 + (y1 - y0) * (max(posterior, x0) - x0) / (x1 - x0)
    return knots[-1][1]


@dataclass(frozen=True)
class Attribution:
    method: str  # code | ranked | static | unattributed
    session_id: str | None
    confidence: float  # the probability that the named visit's visitor made the call
    source: dict[str, Any] = field(default_factory=dict)
    runner_up: Candidate | None = None
    visitor_key: str | None = None
    candidates: tuple[Candidate, ...] = ()
    code: dict[str, Any] | None = None

    @property
    def level(self) -> str | None:
        if self.method == "static":
            return "high"
        if self.session_id is None:
            return None
        if self.confidence >= HIGH_PROBABILITY:
            return "high"
        return "medium" if self.confidence >= MEDIUM_PROBABILITY else "low"

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "method": self.method,
            "session_id": self.session_id,
            "visitor_key": self.visitor_key,
            "confidence": round(self.confidence, 4),
            "level": self.level,
            **self.source,
            "runner_up": self.runner_up.as_json() if self.runner_up is not None else None,
            "candidates": [c.as_json() for c in self.candidates],
        }
        if self.code is not None:
            out["code"] = self.code
        return out


@dataclass
class _Weighed:
    session_id: str
    visitor_key: str
    weight: float
    reasons: list[str]
    active_seconds_before: int
    tapped_seconds_before: int | None


def delay_density(delay_ms: float) -> float:
    """Calls per millisecond of delay, per call: the mixture above."""
    delay = max(0.0, delay_ms)
    fast = FAST_SHARE * math.exp(-delay / FAST_MEAN_MS) / FAST_MEAN_MS
    if not SLOW_FROM_MS <= delay <= WINDOW_MS:
        return fast
    return fast + (1 - FAST_SHARE) / (delay * math.log(WINDOW_MS / SLOW_FROM_MS))


def delay_within(ms: float) -> float:
    """The share of calls that come within `ms` of their visit's last activity."""
    if ms <= 0:
        return 0.0
    slow = (0.0 if ms <= SLOW_FROM_MS
            else math.log(min(ms, WINDOW_MS) / SLOW_FROM_MS) / math.log(WINDOW_MS / SLOW_FROM_MS))
    return FAST_SHARE * (1 - math.exp(-ms / FAST_MEAN_MS)) + (1 - FAST_SHARE) * slow


def sessions_shown(entries: Iterable[HistoryEntry], call_at: int) -> dict[str, list[HistoryEntry]]:
    """The candidate visits: each session's leases of the number that began by the call."""
    by_session: dict[str, list[HistoryEntry]] = {}
    for entry in entries:
        if entry.started_at <= call_at and entry.ended_at >= call_at - WINDOW_MS:
            by_session.setdefault(entry.session_id, []).append(entry)
    return by_session


def visits_to_read(by_session: dict[str, list[HistoryEntry]], evidence: CallEvidence) -> list[str]:
    """The sessions whose visits are worth reading: every one whose code matches, and the
    most recently active others (only they can have tapped just now or win on recency)."""
    payload = read_code(evidence.digits)
    matching = [s for s, es in by_session.items() if payload is not None and any(e.code == payload for e in es)]
    recent = sorted((s for s in by_session if s not in matching),
                    key=lambda s: -max(e.ended_at for e in by_session[s]))
    return matching + recent[: max(0, FETCH_VISITS - len(matching))]


def attribute_call(by_session: dict[str, list[HistoryEntry]], visits: dict[str, Visit],
                   evidence: CallEvidence) -> Attribution:
    payload = read_code(evidence.digits)
    code = None
    if evidence.digits is not None:
        code = {"entered": evidence.digits or None, "valid": payload is not None if evidence.digits else None,
                "matched": False if payload is not None else None}
    if not by_session:
        return Attribution("unattributed", None, 0.0, code=code)

    # Where the candidates come from, to tell how telling a same-region caller is.
    places = [visit_place(v.region) for v in visits.values()]
    counts: dict[str, int] = {}
    for place in places:
        if (key := place_key(place)) is not None:
            counts[key] = counts.get(key, 0) + 1
    caller_key = place_key(evidence.caller_place)
    share = (counts.get(caller_key, 0) + 1) / (sum(counts.values()) + 10) if caller_key else 1.0

    weighed = []
    for session_id, entries in by_session.items():
        visit = visits.get(session_id)
        last_active = min(evidence.at, max(e.ended_at for e in entries))
        weight = delay_density(evidence.at - last_active)
        reasons = ["held" if any(e.started_at <= evidence.at <= e.ended_at for e in entries) else "shown"]
        if any(e.shared for e in entries):
            reasons.append("shared")
        taps = [evidence.at - int(c.get("at", 0)) for c in (visit.clicks if visit is not None else ())
                if str(c.get("line", "")).partition(",")[0] == evidence.number
                and 0 <= evidence.at - int(c.get("at", 0)) <= TAP_WINDOW_MS]
        tapped = bool(taps)
        if tapped:
            weight *= TAP_RATIO
            reasons.append("tapped")
        else:
            weight *= NO_TAP.get(visit.device if visit is not None else None, NO_TAP[None])
        if payload is not None:
            if any(e.code == payload for e in entries):
                weight *= CODE_AFTER_TAP if tapped else CODE_KEPT
                reasons.append("code")
            else:
                weight *= WRONG_VALID_CODE
        elif evidence.digits is not None and evidence.digits == "":
            weight *= (1 - CODE_AFTER_TAP) if tapped else (1 - CODE_KEPT)
        if visit is not None and caller_key:
            same = same_place(evidence.caller_place, visit_place(visit.region))
            if same is True:
                weight *= SAME_PLACE / share
                reasons.append("same_region")
            elif same is False:
                weight *= (1 - SAME_PLACE)
                reasons.append("other_region")
        visitor = entries[0].visitor_key
        if visitor in evidence.previous_visitors:
            reasons.append("called_before")
        weighed.append(_Weighed(session_id, visitor, weight, reasons, (evidence.at - last_active) // 1000,
                                min(taps) // 1000 if taps else None))

    # "None of them": calls from outside arrive at a rate proportional to the number's
    # visits (its candidates over the history there is), in the delay density's units.
    first_shown = min(e.started_at for entries in by_session.values() for e in entries)
    span = max(MIN_RATE_SPAN_MS, evidence.at - first_shown)
    outside = OUTSIDE_PER_VISITOR_CALL * len(by_session) / span
    if payload is not None:
        outside *= OUTSIDE_VALID_CODE
    total = outside + sum(w.weight for w in weighed)
    visitors: dict[str, float] = {}
    for w in weighed:
        visitors[w.visitor_key] = visitors.get(w.visitor_key, 0.0) + w.weight / total
    ranked = sorted(weighed, key=lambda w: (-visitors[w.visitor_key], -w.weight, w.session_id))
    # The visitors whose visit the keyed code matched: one, and the code names them.
    matched = {w.visitor_key for w in weighed if "code" in w.reasons}
    candidates = _with_caller_known(_best_per_visitor(ranked, visitors, len(matched) == 1),
                                    evidence.previous_visitors)
    # Calibrated, a unique code's visitor may overtake a likelier-looking ranked one.
    candidates.sort(key=lambda c: -c.probability)
    best = candidates[0]
    runner_up = candidates[1] if len(candidates) > 1 else None
    if code is not None and payload is not None:
        code["matched"] = bool(matched)
    if best.probability < SUPPORTED:
        return Attribution("unattributed", None, best.probability, candidates=tuple(candidates[:KEPT_CANDIDATES]),
                           code=code)
    probability = best.probability
    if len(matched) > 1:
        # The code is not unique in the window: it cannot make the answer certain.
        probability = min(probability, HIGH_PROBABILITY - 0.01)
    visit = visits.get(best.session_id)
    method = "code" if "code" in best.reasons and len(matched) == 1 else "ranked"
    return Attribution(method, best.session_id, probability, visit.source() if visit else {}, runner_up,
                       best.visitor_key, tuple(candidates[:KEPT_CANDIDATES]), code)


def _best_per_visitor(ranked: list[_Weighed], visitors: dict[str, float], unique_code: bool) -> list[Candidate]:
    """One candidate per visitor (its likeliest visit), with the visitor's probability."""
    seen, out = set(), []
    for w in ranked:
        if w.visitor_key in seen:
            continue
        seen.add(w.visitor_key)
        posterior = visitors[w.visitor_key]
        by_code = unique_code and "code" in w.reasons
        out.append(Candidate(w.session_id, w.visitor_key, calibrated(posterior, by_code), tuple(w.reasons), posterior,
                             w.active_seconds_before, w.tapped_seconds_before))
    return out


def _with_caller_known(candidates: list[Candidate], previous: dict[str, float]) -> list[Candidate]:
    """The mixture above: the earlier answer's visitor (the surest one among the candidates)
    gets its confidence q, and every candidate keeps (1 - q) of its own."""
    known = max((c for c in candidates if c.visitor_key in previous), key=lambda c: previous[c.visitor_key],
                default=None)
    if known is None:
        return candidates
    q = previous[known.visitor_key]
    return [replace(c, probability=(1 - q) * c.probability + (q if c is known else 0.0)) for c in candidates]


def attribute_static(channel: dict[str, Any]) -> Attribution:
    """A static number is its channel: the rule that selected it names the source."""
    source = {key.removeprefix("utm_"): values[0] if isinstance(values, list) else values
              for key, values in channel.items() if key != "priority"}
    return Attribution("static", None, 1.0, source)
