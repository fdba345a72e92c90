"""A caller's journey: the visits that led to the call, and the two touches reports use.

Seed 001's debate, "the first visit brought them, the sale came on the 10th", has two
answers, and each call keeps both: the first touch (the earliest visit) and the last
touch that was not direct (a return by bookmark or typed address says nothing about the
ad that made the visitor). The journey is the attributed visitor's visits (one client
id), plus the visits of the visitors this caller's earlier calls were attributed to: a
caller who browsed on a laptop and on a phone is one journey once a call joins them.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ringback.tracking.visits import Visit

JOURNEY_MS = 90 * 86_400_000  # how far back a journey's visits are read


def is_direct(visit: Visit) -> bool:
    source = visit.source()
    return source["source"] == "direct" and not (visit.gclid or visit.yclid)


def touch(visit: Visit) -> dict[str, Any]:
    source = visit.source()
    return {"session_id": visit.session_id, "at": visit.started_at,
            **{key: source[key] for key in ("source", "medium", "campaign", "keyword", "landing_page")}}


def touches(visits: Iterable[Visit], call_at: int, attributed: Visit | None) -> dict[str, Any]:
    """first_touch and last_touch for a call at call_at (None when no visit is known)."""
    journey = sorted({v.session_id: v for v in visits if v.started_at <= call_at}.values(),
                     key=lambda v: (v.started_at, v.session_id))
    if attributed is not None and all(v.session_id != attributed.session_id for v in journey):
        journey = sorted(journey + [attributed], key=lambda v: (v.started_at, v.session_id))
    if not journey:
        return {"first_touch": None, "last_touch": None}
    marked = [v for v in journey if not is_direct(v)]
    last = marked[-1] if marked else (attributed or journey[-1])
    return {"first_touch": touch(journey[0]), "last_touch": touch(last)}
