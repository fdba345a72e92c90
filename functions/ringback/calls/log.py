"""Reading a tenant's call log. Call records are written by the inbound-call webhook; what
the business says about a call (its lead) by the dashboard (ringback.calls.desk)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ringback.accounts.tenants import TenantScope
from ringback.calls.leads import new_lead, summary
from ringback.errors import InvalidInput
from ringback.ports import CallLog

if TYPE_CHECKING:
    from ringback.calls.filters import CallFilter

T = TypeVar("T")

MAX_RANGE_MS = 366 * 24 * 3600 * 1000
MAX_PAGE = 200
# Every status a call record may have: ringing until the <Dial> (or the voicemail) reports.
CALL_STATUSES = ("ringing", "answered", "busy", "no-answer", "failed", "canceled", "voicemail", "abandoned")
# A call that ended without anybody speaking to the caller: it is somebody's to call back.
UNANSWERED = ("busy", "no-answer", "failed", "canceled", "voicemail", "abandoned")


@dataclass(frozen=True)
class CallSummary:
    call_id: str
    site_id: str
    tracking_number: str
    caller: str
    started_at: int
    status: str
    attribution: dict[str, Any] = field(default_factory=dict)
    outcome: dict[str, Any] = field(default_factory=dict)
    recordings: dict[str, str] = field(default_factory=dict)  # recording sid -> our S3 key
    # Texts to the site's contacts about this call: message id -> Message.summary().
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The carrier's final status callback: how the call ended and the caller's whole time
    # on the line; outcome["talk_seconds"] is the operator's part of it.
    carrier_status: str | None = None
    call_seconds: int | None = None
    # What the business says about the call (ringback.calls.leads), and the version of that
    # alone: the call's ETag. The carrier's writes never move it.
    lead: dict[str, Any] = field(default_factory=new_lead)
    lead_version: int = 0

    @property
    def unanswered(self) -> bool:
        return self.status in UNANSWERED


def call_json(call: CallSummary) -> dict[str, Any]:
    """A call as the dashboard API answers it (snake_case, as stored)."""
    return dict(call.__dict__)


def event_data(call: CallSummary) -> dict[str, Any]:
    """What a call event (ringback.calls.events) tells a CRM about the call."""
    return {
        "call_id": call.call_id, "caller": call.caller, "tracking_number": call.tracking_number,
        "started_at": call.started_at, "status": call.status, "attribution": call.attribution,
        "outcome": call.outcome, "recordings": sorted(call.recordings), "lead": summary(call.lead),
    }


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursor: str | None  # opaque; pass back to get the next page, None at the end


def calls_between(
    log: CallLog, scope: TenantScope, tenant_id: str | None, start_ms: int, end_ms: int, limit: int, cursor: str | None,
    where: CallFilter | None = None,
) -> Page[CallSummary]:
    """A tenant's calls, newest first, those `where` admits (ringback.calls.filters). An
    agency may read a client's log by naming it."""
    tenant_id = tenant_id or scope.tenant_id
    scope.require_readable(tenant_id)
    if end_ms <= start_ms:
        raise InvalidInput("'to' must be after 'from'", code="invalid_range")
    if end_ms - start_ms > MAX_RANGE_MS:
        raise InvalidInput("a range may span at most 366 days", code="invalid_range")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", code="invalid_limit")
    if where is not None and not where.is_empty:
        from ringback.calls.filters import filtered_page

        return filtered_page(log, tenant_id, start_ms, end_ms, limit, cursor, where)
    return log.between(tenant_id, start_ms, end_ms, limit, cursor)
