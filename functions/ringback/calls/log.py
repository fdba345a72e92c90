"""Reading a tenant's call log. Call records are written by the inbound-call webhook."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ringback.accounts.tenants import TenantScope
from ringback.errors import InvalidInput
from ringback.ports import CallLog

T = TypeVar("T")

MAX_RANGE_MS = 366 * 24 * 3600 * 1000
MAX_PAGE = 200


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
    alerts: dict[str, dict] = field(default_factory=dict)
    # The carrier's final status callback: how the call ended and the caller's whole time
    # on the line; outcome["talk_seconds"] is the operator's part of it.
    carrier_status: str | None = None
    call_seconds: int | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursor: str | None  # opaque; pass back to get the next page, None at the end


def calls_between(
    log: CallLog, scope: TenantScope, tenant_id: str | None, start_ms: int, end_ms: int, limit: int, cursor: str | None
) -> Page[CallSummary]:
    """A tenant's calls, newest first. An agency may read a client's log by naming it."""
    tenant_id = tenant_id or scope.tenant_id
    scope.require_readable(tenant_id)
    if end_ms <= start_ms:
        raise InvalidInput("'to' must be after 'from'", code="invalid_range")
    if end_ms - start_ms > MAX_RANGE_MS:
        raise InvalidInput("a range may span at most 366 days", code="invalid_range")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", code="invalid_limit")
    return log.between(tenant_id, start_ms, end_ms, limit, cursor)
