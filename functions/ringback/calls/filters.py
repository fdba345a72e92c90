"""Which calls of a tenant's log a listing shows: by source, campaign, tracking number,
status, first-time callers, unanswered calls, lead status or tag.

The filter runs here, over the pages the log reads in its own order (newest first), not in
DynamoDB as a FilterExpression:
- source, campaign and first-time live inside the call's attribution, a JSON document
  DynamoDB cannot look into; the lead is JSON too;
- a FilterExpression is applied after the Query's Limit and costs the same reads: a
  rare filter answers empty pages anyway, and PynamoDB's `limit` keeps paging until it
  has that many matches, so one API request could read a year of calls;
- one filter for the fake and the real log: they cannot drift.
A listing reads at most READ_BUDGET calls per request. A page therefore holds at most
`limit` matches and may hold fewer (even none) with a cursor: the cursor continues after
the last call read, so following cursors until there is none visits every match once.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from ringback.calls.leads import LEAD_STATUSES
from ringback.calls.log import CALL_STATUSES, MAX_PAGE, CallSummary, Page
from ringback.errors import InvalidInput
from ringback.ports import CallLog

# Calls read for one listing request: five of the log's largest pages.
READ_BUDGET = 5 * MAX_PAGE
_PARAMETERS = {"source": "source", "campaign": "campaign", "number": "number", "status": "status",
               "firstTime": "first_time", "missed": "missed", "leadStatus": "lead_status", "tag": "tag"}


@dataclass(frozen=True)
class CallFilter:
    source: str | None = None  # the attributed visit's source, any case
    campaign: str | None = None
    number: str | None = None  # the tracking number called, E.164
    status: str | None = None  # the call's status (CALL_STATUSES)
    first_time: bool | None = None  # True: first-time callers; False: returning ones
    missed: bool | None = None  # True: nobody spoke to the caller (UNANSWERED); False: answered or ringing
    lead_status: str | None = None
    tag: str | None = None

    @staticmethod
    def from_params(params: Mapping[str, str]) -> CallFilter:
        """The filter of GET /v1/calls's query parameters; a value it cannot mean is 400."""
        values: dict[str, Any] = {}
        for name, attribute in _PARAMETERS.items():
            raw = params.get(name)
            if raw is None:
                continue
            raw = raw.strip()
            if not raw:
                raise _invalid(name, f"'{name}' may not be empty")
            values[attribute] = raw
        if "status" in values and values["status"] not in CALL_STATUSES:
            raise _invalid("status", f"status must be one of {', '.join(CALL_STATUSES)}", CALL_STATUSES)
        if "lead_status" in values and values["lead_status"] not in LEAD_STATUSES:
            raise _invalid("leadStatus", f"leadStatus must be one of {', '.join(LEAD_STATUSES)}", LEAD_STATUSES)
        for name, attribute in (("firstTime", "first_time"), ("missed", "missed")):
            if attribute in values:
                if values[attribute] not in ("true", "false"):
                    raise _invalid(name, f"'{name}' is true or false", ("true", "false"))
                values[attribute] = values[attribute] == "true"
        if "number" in values:
            values["number"] = _tracking_number(values["number"])
        if "tag" in values:
            values["tag"] = " ".join(values["tag"].split()).lower()
        return CallFilter(**values)

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))

    def admits(self, call: CallSummary) -> bool:
        attribution, lead = call.attribution, call.lead
        return (
            _same(self.source, attribution.get("source"))
            and _same(self.campaign, attribution.get("campaign"))
            and (self.number is None or call.tracking_number == self.number)
            and (self.status is None or call.status == self.status)
            and (self.first_time is None or bool(attribution.get("first_time_caller")) == self.first_time)
            and (self.missed is None or call.unanswered == self.missed)
            and (self.lead_status is None or lead.get("status") == self.lead_status)
            and (self.tag is None or self.tag in (lead.get("tags") or ()))
        )


def filtered_page(log: CallLog, tenant_id: str, start_ms: int, end_ms: int, limit: int, cursor: str | None,
                  where: CallFilter) -> Page[CallSummary]:
    """Up to `limit` calls `where` admits, newest first, and where to go on from."""
    found: list[CallSummary] = []
    read = 0
    while True:
        page = log.between(tenant_id, start_ms, end_ms, MAX_PAGE, cursor)
        for call in page.items:
            read += 1
            if where.admits(call):
                found.append(call)
                if len(found) == limit:
                    # Stopped part way through the page: go on right after this call.
                    at_end = call is page.items[-1]
                    return Page(found, page.cursor if at_end else log.cursor_after(tenant_id, call))
        cursor = page.cursor
        if cursor is None or read >= READ_BUDGET:
            return Page(found, cursor)


def _same(wanted: str | None, value: Any) -> bool:
    return wanted is None or (isinstance(value, str) and value.lower() == wanted.lower())


def _tracking_number(raw: str) -> str:
    # A "+" left unencoded in a query string arrives as a space, and has been stripped.
    number = raw if raw.startswith("+") else f"+{raw}"
    if not (number[1:].isdigit() and 8 <= len(number) <= 16):
        raise _invalid("number", "number is a tracking number in E.164, such as +14155550101")
    return number


def _invalid(parameter: str, message: str, allowed: Iterable[str] | None = None) -> InvalidInput:
    details: dict[str, Any] = {"parameter": parameter}
    if allowed is not None:
        details["allowed"] = list(allowed)
    return InvalidInput(message, code="invalid_parameter", details=details)
