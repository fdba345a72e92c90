"""The dashboard's call desk: one call, its lead changed or a note added by a member of
the tenant, a caller's card, and the calls still waiting for somebody to call back
(follow_up.py).

Reads are the scope's (an agency reads its clients' calls); writes act in the scope's own
tenant (an agency acts in a client through X-Tenant-Id), and a call of any other tenant is
not found, never forbidden, so nobody can probe for call ids. A write needs WRITE (owners,
admins, API keys with write access; analysts read only), is stored only over the lead
version it was read at, is audited, and tells the site's CRMs (`call.updated`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ringback.accounts.tenants import WRITE, TenantScope
from ringback.calls import follow_up
from ringback.calls.leads import changed_fields, changed_lead, summary, with_note
from ringback.calls.log import CallSummary, event_data
from ringback.clock import Clock
from ringback.errors import NotFound, PreconditionFailed
from ringback.ports import CallLog, SiteDirectory

if TYPE_CHECKING:
    from ringback.accounts.audit import Audit
    from ringback.bootstrap import Services
    from ringback.callbacks.model import CallbackRequest
    from ringback.callbacks.service import Callbacks
    from ringback.calls.events import Events

# A note added while another user's change lands is written again over the new version;
# a few rounds settle any realistic race.
NOTE_ATTEMPTS = 5


class CallDesk:
    def __init__(self, calls: CallLog, sites: SiteDirectory, clock: Clock, events: Events | None = None,
                 audit: Audit | None = None, callbacks: Callbacks | None = None) -> None:
        self._calls, self._sites, self._clock = calls, sites, clock
        self._events, self._audit, self._callbacks = events, audit, callbacks

    # -- one call ------------------------------------------------------------------------
    def call(self, scope: TenantScope, call_id: str) -> CallSummary:
        stored = self._calls.get(call_id)
        if stored is None or stored[0] not in scope.readable:
            raise _unknown()
        return stored[1]

    def change_lead(self, scope: TenantScope, author: str, call_id: str, change: dict[str, Any],
                    version: int | None) -> CallSummary:
        """Apply a lead change (leads.LEAD_CHANGE's "lead") read at `version` (If-Match):
        428 without one, 412 over a newer one."""
        scope.require(WRITE)
        call = self._own(scope, call_id)
        if version is None:
            raise PreconditionFailed("send the ETag of GET /v1/calls/{id} as If-Match", code="version_required")
        if version != call.lead_version:
            raise _stale(call.lead_version)
        now = self._clock.now_ms()
        after = changed_lead(call.lead, change, author, now)
        if after == call.lead:
            return call  # nothing changed: no write, no event, the same ETag
        if not self._calls.set_lead(call_id, after, version):
            raise _stale(self._own(scope, call_id).lead_version)
        changed = self._own(scope, call_id)
        self._record(scope, "call.lead_changed", call, summary(call.lead), summary(after), now)
        self._publish(scope.tenant_id, changed, changed_fields(call.lead, after))
        return changed

    def add_note(self, scope: TenantScope, author: str, call_id: str, text: Any) -> tuple[dict[str, Any], CallSummary]:
        """Keep a note on the call: (the note, the call). Adding never overwrites anybody's
        change, so it needs no If-Match; it moves the call's version like any change."""
        scope.require(WRITE)
        for _ in range(NOTE_ATTEMPTS):
            call = self._own(scope, call_id)
            now = self._clock.now_ms()
            after, note = with_note(call.lead, text, author, now)
            if self._calls.set_lead(call_id, after, call.lead_version):
                changed = self._own(scope, call_id)
                self._record(scope, "call.note_added", call, None, note, now)
                self._publish(scope.tenant_id, changed, ["notes"], note)
                return note, changed
        raise _stale(self._own(scope, call_id).lead_version)

    # -- a caller, and the calls waiting for a call back -----------------------------------
    def caller_card(self, scope: TenantScope, tenant_id: str | None, number: str) -> dict[str, Any]:
        tenant_id = tenant_id or scope.tenant_id
        scope.require_readable(tenant_id)
        return follow_up.caller_card(self._calls, self._requests(scope, tenant_id), tenant_id, number,
                                     self._clock.now_ms())

    def work_queue(self, scope: TenantScope, tenant_id: str | None) -> dict[str, Any]:
        tenant_id = tenant_id or scope.tenant_id
        scope.require_readable(tenant_id)
        return follow_up.work_queue(self._calls, self._requests(scope, tenant_id), tenant_id, self._clock.now_ms())

    # -- what the writes share ----------------------------------------------------------
    def _own(self, scope: TenantScope, call_id: str) -> CallSummary:
        stored = self._calls.get(call_id)
        if stored is None or stored[0] != scope.tenant_id:
            raise _unknown()
        return stored[1]

    def _requests(self, scope: TenantScope, tenant_id: str) -> follow_up.Requests:
        """The tenant's callback requests created in [start, end), newest first, through
        the callback service's own listing (it has no lookup by phone across a tenant's
        sites)."""
        if self._callbacks is None:
            return lambda start_ms, end_ms, cap: []
        callbacks = self._callbacks  # narrowed to not None for read()

        def read(start_ms: int, end_ms: int, cap: int) -> list[CallbackRequest]:
            requests: list[CallbackRequest] = []
            cursor: str | None = None
            while len(requests) < cap:
                page = callbacks.list_for(scope, tenant_id, start_ms, end_ms, 200, cursor)
                requests.extend(page.items)
                cursor = page.cursor
                if cursor is None:
                    break
            return requests[:cap]
        return read

    def _record(self, scope: TenantScope, action: str, call: CallSummary, before: Any, after: Any, now: int) -> None:
        if self._audit is not None:
            self._audit.record(scope, action, call.call_id, before, after, now)

    def _publish(self, tenant_id: str, call: CallSummary, changed: list[str],
                 note: dict[str, Any] | None = None) -> None:
        if self._events is None:
            return
        site = self._sites.get(call.site_id)
        if site is None:
            return
        data = {**event_data(call), "changed": changed}
        if note is not None:
            data["note"] = note
        # One event per version of the lead: a receiver dedupes retries, not later changes.
        self._events.publish("call.updated", call.call_id, tenant_id, site.site_id, site.settings, data,
                             occurrence=f"v{call.lead_version}")


def desk_of(services: Services) -> CallDesk:
    """The desk over the composition root's adapters (ringback.bootstrap.Services): plain
    objects, nothing built that the services did not build already."""
    return CallDesk(services.calls, services.sites, services.clock, services.events, services.audit,
                    services.callbacks)


def _unknown() -> NotFound:
    return NotFound("no such call", code="unknown_call")


def _stale(current: int) -> PreconditionFailed:
    return PreconditionFailed("the call changed since you read it: read it again", code="stale_version",
                              details={"current": current})
