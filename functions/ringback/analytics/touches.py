"""Which visit of a caller's journey a report credits with the call.

A call is attributed to one visit, but the visitor may have come several times: the first
visit brought them, the sale came on the 10th (seed 001's debate). Each call row keeps
three answers to "where did this call come from", and a report that groups by source
names the one it credits with `touch=`:

- `call` (the default, and the only answer before journeys were tracked): the attributed
  visit, the one the caller most probably had open;
- `first`: the visitor's first touch, their earliest visit we know of;
- `last`: their last touch that was not direct (the attributed visit when every later
  visit was direct), so typing the address after clicking an ad credits the ad.

Calls stored before journeys were tracked, and calls with no known visitor, have no first
or last touch: they group under null there, and never borrow the attributed visit's source,
which would count them as first touches they may not be. A static number's call is the
exception: the number is its channel, first and last.
"""
from __future__ import annotations

from typing import Any

from ringback.errors import InvalidInput

TOUCHES = ("call", "first", "last")
DEFAULT_TOUCH = "call"
# What each touch says about its visit, in the calls table: `source` for the call,
# `first_touch_source` and `last_touch_source` for the journey's ends.
FIELDS = ("source", "medium", "campaign", "keyword", "landing_page")
JOURNEY_ENDS = ("first", "last")


def column(touch: str, field: str) -> str:
    """The calls column that holds `field` of the visit `touch` credits."""
    return field if touch == "call" else f"{touch}_touch_{field}"


def valid_touch(value: str | None) -> str:
    if value is None:
        return DEFAULT_TOUCH
    if value not in TOUCHES:
        raise InvalidInput("touch must be call, first or last", code="invalid_parameter",
                           details={"parameter": "touch", "allowed": list(TOUCHES)})
    return value


def credited_columns(touch: str) -> str:
    """The SQL select list that names the credited visit's fields as the call's own
    (`first_touch_source AS source, ...`), so one report groups any touch."""
    return ", ".join(name if name == field else f"{name} AS {field}"
                     for field in FIELDS for name in [column(touch, field)])


def journey_columns(attribution: dict[str, Any]) -> dict[str, Any]:
    """A stored attribution's first and last touch as call-row columns; null when the
    attribution has none (stored before journeys were tracked, or no visitor known).
    A call to a static number has no visit, but the number is its channel (a billboard,
    a directory listing): that channel is its first and last touch too, or grouping by
    touch would drop every static call into the unknown row."""
    row = {}
    for end in JOURNEY_ENDS:
        visit = attribution.get(f"{end}_touch")
        if not isinstance(visit, dict):
            visit = attribution if attribution.get("method") == "static" else {}
        row.update({column(end, field): visit.get(field) for field in FIELDS})
    return row
