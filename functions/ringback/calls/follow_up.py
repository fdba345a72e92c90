"""Who called and who is still waiting: a caller's card, and the work queue of unanswered
calls nobody has called back yet.

Callback requests are read through the callback service's listing of the tenant's
requests (newest first) and matched by phone here: the callbacks' only index by phone is
per site and names one request at most, so there is no lookup of one number across a
tenant's sites. `requests(start_ms, end_ms, cap)` gives at most `cap` of them.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import phonenumbers

from ringback.calls.inbound import caller_country, caller_region
from ringback.calls.log import MAX_PAGE, CallSummary, call_json
from ringback.errors import InvalidInput, NotFound
from ringback.ports import CallLog

if TYPE_CHECKING:
    from ringback.callbacks.model import CallbackRequest

DAY_MS = 86_400_000
CARD_CALLS = 50
# The card's callback requests: the tenant's latest ones, this far back.
CARD_REQUESTS_MS = 90 * DAY_MS
CARD_REQUESTS = 1_000
QUEUE_MS = 7 * DAY_MS
# What one work-queue request reads at most (a tenant with more calls in a week sees the
# newest of them, and `complete: false`).
QUEUE_CALLS = 25 * MAX_PAGE
QUEUE_REQUESTS = 10 * MAX_PAGE

Requests = Callable[[int, int, int], list["CallbackRequest"]]


def caller_number(raw: str) -> str:
    """A caller's number as the path names it: E.164 (a "+" that arrived as a space, from
    a path or query left unencoded, is read as the "+")."""
    number = raw.strip()
    number = number if number.startswith("+") else f"+{number}"
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed) or not number[1:].isdigit():
        raise InvalidInput("the caller is a phone number in E.164, such as +14155550101", code="invalid_phone",
                           details={"field": "number"})
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def caller_card(calls: CallLog, requests: Requests, tenant_id: str, number: str, now_ms: int) -> dict[str, Any]:
    number = caller_number(number)
    theirs = calls.of_caller(tenant_id, number, CARD_CALLS)
    asked = [r for r in requests(now_ms - CARD_REQUESTS_MS, now_ms + 1, CARD_REQUESTS) if r.phone == number]
    if not theirs and not asked:
        # The same answer as for another tenant's caller: a number is nobody's to probe.
        raise NotFound("no calls or callback requests from this number", code="unknown_caller")
    return {
        "number": number, "region": caller_region(number), "country": caller_country(number),
        "calls": [call_json(c) for c in theirs],
        "callbacks": [r.as_json() for r in asked],
        "firstTouch": _first_touch(theirs, asked), "lastTouch": _last_touch(theirs, asked),
    }


def work_queue(calls: CallLog, requests: Requests, tenant_id: str, now_ms: int) -> dict[str, Any]:
    """The unanswered calls of the last 7 days still waiting, newest first. A call stops
    waiting when the caller got through later (an answered call), a callback request of
    theirs connected after it, it or a later call of theirs was marked done (the caller was
    dealt with), or it was marked spam."""
    since = now_ms - QUEUE_MS
    week, complete = _calls_since(calls, tenant_id, since, now_ms + 1)
    settled: dict[str, int] = {}  # caller -> when they were last dealt with

    def settle(caller: str, at: int) -> None:
        settled[caller] = max(settled.get(caller, at), at)

    for call in week:
        if call.status == "answered":
            settle(call.caller, call.started_at + 1)  # a later call only: "after" the missed one
        if call.lead.get("follow_up") == "done":
            settle(call.caller, call.started_at + 1)  # this one and the caller's earlier ones
    for request in requests(since, now_ms + 1, QUEUE_REQUESTS):
        connected = _connected_at(request)
        if connected is not None:
            settle(request.phone, connected)
    waiting = [c for c in week if c.unanswered and c.lead.get("status") != "spam"
               and settled.get(c.caller, 0) <= c.started_at]
    return {"calls": [call_json(c) for c in waiting], "count": len(waiting), "since": since, "complete": complete}


def _calls_since(calls: CallLog, tenant_id: str, start_ms: int, end_ms: int) -> tuple[list[CallSummary], bool]:
    found: list[CallSummary] = []
    cursor = None
    while len(found) < QUEUE_CALLS:
        page = calls.between(tenant_id, start_ms, end_ms, MAX_PAGE, cursor)
        found.extend(page.items)
        cursor = page.cursor
        if cursor is None:
            return found, True
    return found, False


def _connected_at(request: CallbackRequest) -> int | None:
    """When the visitor of a callback request was put through to somebody, if ever."""
    for transition in request.transitions:
        if transition.get("status") == "connected":
            return int(transition.get("at") or request.created_at)
    if request.status in ("connected", "completed"):
        return request.updated_at or request.created_at
    return None


def _touch(attribution: dict[str, Any], at: int) -> dict[str, Any] | None:
    if not attribution.get("source"):
        return None
    return {"source": attribution.get("source"), "medium": attribution.get("medium"),
            "campaign": attribution.get("campaign"), "at": at}


def _stored_touch(touch: dict[str, Any] | None) -> dict[str, Any] | None:
    return _touch(touch, int(touch.get("at") or 0)) if touch else None


def _own_touches(theirs: list[CallSummary], asked: list[CallbackRequest]) -> list[dict[str, Any]]:
    """Each contact's own source (a call's attributed visit, a callback's page visit),
    at the contact's time, oldest first."""
    touches = [_touch(c.attribution, c.started_at) for c in theirs] + [
        _touch(r.attribution, r.created_at) for r in asked]
    return sorted((t for t in touches if t is not None), key=lambda t: t["at"])


def _first_touch(theirs: list[CallSummary], asked: list[CallbackRequest]) -> dict[str, Any] | None:
    """The earliest first touch of their journeys (the visit that brought them), else the
    earliest contact's own source (a static number's channel, a call before journeys)."""
    journeys = [t for c in theirs if (t := _stored_touch(c.attribution.get("first_touch"))) is not None]
    if journeys:
        return min(journeys, key=lambda t: t["at"])
    own = _own_touches(theirs, asked)
    return own[0] if own else None


def _last_touch(theirs: list[CallSummary], asked: list[CallbackRequest]) -> dict[str, Any] | None:
    """The newest call's last touch (its last visit that was not direct), else the latest
    contact's own source."""
    for call in theirs:  # newest first
        touch = _stored_touch(call.attribution.get("last_touch"))
        if touch is not None:
            return touch
    own = _own_touches(theirs, asked)
    return own[-1] if own else None
