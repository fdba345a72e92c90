"""What the callback service's parts share: its collaborators, the versioned
read-modify-write of a request, answering a round's task token once, and telling the
site when a request ends."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ringback.accounts import numbers as number_rules
from ringback.callbacks.model import (
    LEG_FINAL,
    OPERATOR_STATUS_RESULTS,
    RESULT_ERRORS,
    WHISPER_MAX_CHARS,
    CallbackLeg,
    CallbackRequest,
    CallbackStore,
    DialWorkflow,
    OutboundDialer,
    leg_round,
)
from ringback.clock import Clock
from ringback.errors import Conflict, NotFound
from ringback.guards import RateCounter
from ringback.metrics import BusinessMetrics, CountedMetrics, Metric

if TYPE_CHECKING:
    from ringback.accounts.sites import Site
    from ringback.calls.alerts import Alerts
    from ringback.calls.events import Events
    from ringback.ports import (
        CallLog,
        CarrierRecordings,
        PoolDirectory,
        RecordingStore,
        SiteDirectory,
        TenantDirectory,
        VisitLog,
    )


class CallbackCore:
    def __init__(self, sites: SiteDirectory, tenants: TenantDirectory, visits: VisitLog, calls: CallLog | None,
                 store: CallbackStore, workflow: DialWorkflow | None, dialer: OutboundDialer | None,
                 rate_counter: RateCounter | None, alerts: Alerts | None, events: Events | None,
                 recording_store: RecordingStore, carrier_recordings: CarrierRecordings, clock: Clock,
                 base_url: str, numbers: PoolDirectory,
                 new_id: Callable[[], str] = lambda: "cb_" + secrets.token_urlsafe(16),
                 carrier_accounts: number_rules.CarrierAccounts | None = None,
                 metrics: BusinessMetrics | None = None) -> None:
        self._sites, self._tenants, self._visits, self._calls = sites, tenants, visits, calls
        self._metrics = metrics if metrics is not None else CountedMetrics()
        self._store, self._workflow, self._dialer = store, workflow, dialer
        self._rate_counter, self._alerts, self._events = rate_counter, alerts, events
        self._numbers = numbers  # the site's tracking numbers: what the legs may call from
        self._recording_store, self._carrier_recordings = recording_store, carrier_recordings
        self._clock, self._base_url, self._new_id = clock, base_url.rstrip("/"), new_id
        # The carrier account the legs are placed in: the tenant's, where its numbers are.
        self._carrier_accounts = carrier_accounts or number_rules.CarrierAccounts(None)

    def _answer(self, request_id: str, round_no: int, result: str) -> None:
        """Answer the round's task token once: success for a connection, else a failure
        named after the reason, which the state machine catches and the plan reads."""
        token: str | None = None

        def claim(request: CallbackRequest) -> bool:
            nonlocal token
            pending = request.pending
            if pending is None or pending["round"] != round_no or pending.get("answered"):
                return False
            pending["answered"] = result
            token = pending["token"]
            return True

        _, claimed = self._mutate(request_id, claim)
        if not claimed or token is None or self._workflow is None:
            return
        if result == "connected":
            self._workflow.succeed(token, {"result": result, "round": round_no})
        else:
            self._workflow.fail(token, RESULT_ERRORS.get(result, "Callback.OperatorFailed"), result)

    def _operator_leg_ended(self, request_id: str, round_no: int, key: str, status: str,
                            leg: CallbackLeg | None) -> None:
        request = self._store.get(request_id)
        pending = request.pending if request is not None else None
        if pending is None or pending["round"] != round_no or pending.get("answered"):
            return
        if pending.get("operator_leg") == key:
            # This operator answered and hung up before the visitor was put through (during
            # the whisper, or while the visitor's phone rang and no <Dial> action follows).
            if status == "completed":
                self._answer(request_id, round_no, "operator_failed")
            return
        if pending.get("operator_leg") is not None:
            return  # another operator has the visitor; this one was cancelled
        legs = [leg for leg in self._store.legs_of(request_id)
                if leg.role == "operator" and leg_round(leg.leg) == round_no]
        if all(leg.status in LEG_FINAL for leg in legs):
            self._answer(request_id, round_no, OPERATOR_STATUS_RESULTS.get(status, "operator_no_answer"))

    def _update_leg(self, request_id: str, key: str, **fields: Any) -> CallbackLeg | None:
        legs = {leg.leg: leg for leg in self._store.legs_of(request_id)}
        leg = legs.get(key)
        if leg is None:
            request = self._store.get(request_id)
            if request is None:
                return None
            role = key.split("#")[1]
            leg = CallbackLeg(request_id, key, role, request.phone if role == "visitor" else "",
                              self._clock.now_ms())
        if leg.status in LEG_FINAL and fields.get("status") not in LEG_FINAL:
            fields.pop("status", None)  # a late "ringing" never reopens an ended leg
        updates = {k: v for k, v in fields.items() if v is not None}
        if "answered_at" in updates and leg.answered_at is not None:
            updates.pop("answered_at")
        leg = replace(leg, **updates)
        if leg.ring_seconds is None and (leg.answered_at is not None or leg.status in LEG_FINAL):
            leg.ring_seconds = max(0, ((leg.answered_at or self._clock.now_ms()) - leg.started_at) // 1000)
        self._store.put_leg(leg)
        return leg

    def _mutate(self, request_id: str, change: Callable[[CallbackRequest], Any]) -> tuple[CallbackRequest, Any]:
        """Read, change, write if nobody wrote in between; else again with the new state."""
        for _ in range(8):
            request = self._store.get(request_id)
            if request is None:
                raise NotFound("no such callback request", code="unknown_request")
            before = request.version
            result = change(request)
            if result is False:
                return request, False
            request.version = before
            if self._store.save(request):
                request.version = before + 1
                return request, result
        raise Conflict("the callback request is busy; try again", code="request_busy")

    def _finished(self, request: CallbackRequest) -> None:
        if request.status in ("missed", "failed"):
            self._metrics.count(Metric.CALLBACKS_FAILED)
        site = self._sites.get(request.site_id)
        if site is None:
            return
        if request.status in ("missed", "failed") and self._alerts is not None:
            self._alerts.missed_callback(site, request, self._caller_id(site))
        if self._events is not None:
            event = "callback.completed" if request.status == "completed" else "callback.missed"
            self._events.publish(event, request.request_id, request.tenant_id, site.site_id, site.settings,
                                 {"request_id": request.request_id, "phone": request.phone, "status": request.status,
                                  "attribution": request.attribution, "outcome": request.outcome,
                                  "created_at": request.created_at})

    def _caller_id(self, site: Site) -> str | None:
        """The number both legs see calling: one the account owns at the carrier (the
        site's callback.caller_id, else its first static, else pool number), never the
        site's own, which the carrier would refuse (ringback/accounts/numbers.py)."""
        return number_rules.caller_id(site, self._numbers.site_numbers(site.site_id))

    def _whisper(self, site: Site, request: CallbackRequest) -> str:
        a = request.attribution
        parts = [f"Callback request from {site.name}."]
        source = a.get("source")
        if source and source != "direct":
            parts.append(f"Source {source}" + (f", keyword {a['keyword']}." if a.get("keyword") else "."))
        page = a.get("page") or a.get("landing_page")
        if page:
            parts.append(f"Page {_page_path(page)}.")
        if self._calls is not None and self._calls.has_caller(request.tenant_id, request.phone):
            parts.append("They have called before.")
        parts.append("Connecting the visitor now.")
        return " ".join(parts)[:WHISPER_MAX_CHARS]


def _page_path(page: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(page).path or "/"
