"""One caller's data, erased on the tenant's request (DELETE /v1/callers/{number}).

What a tenant holds about a caller is keyed by the caller's number in a few places, and
each is found through its own index, never by scanning the tenant:

- calls (`calls_of`: the calls table's tenant-and-caller index), with the recordings they
  name and the texts sent about them (their `alerts`);
- callback requests the number asked for on any of the tenant's sites (`callback_requests_of`:
  the site-and-phone index), with their legs, recordings and texts;
- texts the caller sent to a tracking number (`texts_from`);
- the analytics rows of those calls and callbacks (`ReportRows`): the caller is a keyed
  hash there, which only the reports side can compute; rows of calls that the tables no
  longer hold (their retention ended before the analytics bucket's) go too, since the
  rows are matched by that hash, not by the items found here.

Order matters when something fails half-way: the things an item names (recordings, texts,
report rows) go before the item that names them, so a retry finds the item again and
finishes. A second erasure of the same number finds nothing and changes nothing (it is
answered 404 unknown_caller, as the caller's card is once they are gone, and as another
tenant's caller is). Recordings go with every stored version, so versioning keeps none.

The audit entry names the erasure and what it removed, and a masked number, never the
number itself: the log must not keep what was just erased from everywhere else.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ringback.accounts.tenants import WRITE, TenantScope
from ringback.clock import Clock
from ringback.errors import InvalidInput, NotFound

if TYPE_CHECKING:
    from ringback.accounts.sites import Site

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
ACTION = "caller.erased"


@dataclass(frozen=True)
class ErasableCall:
    call_id: str
    recordings: tuple[str, ...] = ()  # S3 keys
    messages: tuple[str, ...] = ()  # ids of the texts sent about it


@dataclass(frozen=True)
class ErasableRequest:
    request_id: str
    recordings: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()


class CallerRecords(Protocol):
    """The operational tables, as far as one caller is concerned."""

    def calls_of(self, tenant_id: str, caller: str) -> list[ErasableCall]: ...

    def callback_requests_of(self, tenant_id: str, site_ids: Iterable[str], phone: str) -> list[ErasableRequest]:
        """The tenant's requests for `phone` on those sites (a request of another tenant
        is never among them, even on a site id it names)."""
        ...

    def texts_from(self, tenant_id: str, sender: str) -> list[str]:
        """Ids of the texts `sender` sent to the tenant's tracking numbers."""
        ...

    def delete_messages(self, message_ids: Iterable[str]) -> int:
        """How many of them there were."""
        ...

    def delete_callback_request(self, request_id: str) -> int:
        """The request and its legs; how many legs there were."""
        ...

    def delete_call(self, call_id: str) -> None: ...


class RecordingFiles(Protocol):
    def delete(self, key: str) -> int:
        """Every stored version of the object; how many there were (0 when gone already)."""
        ...


class ReportRows(Protocol):
    def erase(self, tenant_id: str, caller: str) -> int:
        """Remove the tenant's analytics rows of this caller; how many rows went."""
        ...


class TenantSites(Protocol):
    def for_tenant(self, tenant_id: str) -> list[Site]: ...


class AuditTrail(Protocol):
    def record(self, scope: TenantScope, action: str, target: str, before: Any, after: Any,
               now_ms: int) -> None: ...


@dataclass(frozen=True)
class Erasure:
    erasure_id: str
    tenant_id: str
    caller: str  # masked
    at: int
    calls: int
    recordings: int
    callback_requests: int
    callback_legs: int
    messages: int
    report_rows: int

    def counts(self) -> dict[str, int]:
        return {"calls": self.calls, "recordings": self.recordings, "callbackRequests": self.callback_requests,
                "callbackLegs": self.callback_legs, "messages": self.messages, "reportRows": self.report_rows}

    def as_json(self) -> dict[str, Any]:
        return {"erasureId": self.erasure_id, "tenantId": self.tenant_id, "caller": self.caller, "at": self.at,
                "erased": self.counts()}


def caller_number(raw: str) -> str:
    """The caller as stored (E.164); anything else is refused before anything is read."""
    number = (raw or "").strip().replace(" ", "")
    if not E164.match(number):
        raise InvalidInput("the caller must be a phone number in E.164 form, such as +14155550100",
                           code="invalid_number", details={"field": "number"})
    return number


def masked(number: str) -> str:
    """Enough for the audit log to tell erasures apart, too little to name the caller."""
    return f"{number[:2]}{'•' * (len(number) - 4)}{number[-2:]}"


class CallerErasure:
    def __init__(self, records: CallerRecords, recordings: RecordingFiles, report_rows: ReportRows,
                 sites: TenantSites, audit: AuditTrail, clock: Clock,
                 new_id: Callable[[], str] | None = None) -> None:
        self._records, self._recordings, self._report_rows = records, recordings, report_rows
        self._sites, self._audit, self._clock = sites, audit, clock
        self._new_id = new_id or (lambda: f"er_{secrets.token_hex(8)}")

    def erase(self, scope: TenantScope, raw_number: str) -> Erasure:
        """Erase everything the scope's tenant holds about the caller. Another tenant's data
        is never read: every lookup is keyed by the tenant (or its own sites)."""
        scope.require(WRITE)
        caller = caller_number(raw_number)
        tenant_id = scope.tenant_id
        calls = self._records.calls_of(tenant_id, caller)
        site_ids = [site.site_id for site in self._sites.for_tenant(tenant_id)]
        requests = self._records.callback_requests_of(tenant_id, site_ids, caller)
        texts = self._records.texts_from(tenant_id, caller)

        found: list[ErasableCall | ErasableRequest] = [*calls, *requests]
        # Only under the tenant's own prefix (ringback.calls.recordings.recording_key): an
        # item naming anything else is never a reason to delete it.
        keys = sorted({key for item in found for key in item.recordings if key.startswith(f"tenants/{tenant_id}/")})
        recordings = sum(self._recordings.delete(key) for key in keys)
        message_ids = {m for item in found for m in item.messages} | set(texts)
        messages = self._records.delete_messages(sorted(message_ids))
        report_rows = self._report_rows.erase(tenant_id, caller)
        legs = sum(self._records.delete_callback_request(r.request_id) for r in requests)
        for call in calls:
            self._records.delete_call(call.call_id)

        erasure = Erasure(self._new_id(), tenant_id, masked(caller), self._clock.now_ms(), len(calls), recordings,
                          len(requests), legs, messages, report_rows)
        if not any(erasure.counts().values()):
            # Nothing of theirs here (erased already, or another tenant's caller): the same
            # answer as the caller's card gives, and nothing to audit.
            raise NotFound("this tenant holds nothing about that caller", code="unknown_caller")
        self._audit.record(scope, ACTION, erasure.erasure_id, None, {"caller": erasure.caller, **erasure.counts()},
                           erasure.at)
        return erasure
