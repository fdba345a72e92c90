"""Website callbacks: a visitor leaves a number, the operator is called first, hears who
is waiting, and the visitor is bridged in. Both legs are incoming calls for the people.

The request is stored before it is acknowledged and every state it goes through is
written on it (the widget polls it; the dashboard lists it). The dial workflow (a Step
Functions state machine, ringback/callbacks/policy.py decides) drives the rounds through three
steps: `plan` (what now: wait, ring or finish), `ring` (place the operator legs and keep
the workflow's task token) and `abandon`. The carrier's webhooks answer the token:
`operator_answered` (whisper, then <Dial> the visitor), `leg_status` and
`bridge_complete`.

Every write to a request is a read-modify-write conditioned on its version, so the
workflow and the webhooks, which race, never lose each other's changes; a task token is
answered at most once per round for the same reason.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import phonenumbers

from ringback.accounts import sites as site_rules
from ringback.callbacks.legs import LegWebhooks
from ringback.callbacks.model import (
    CALLBACK_LIMITS,
    HIGH_RISK_PREFIXES,
    MERGE_WINDOW_MS,
    REFUSED_TYPES,
    SLOT_HORIZON_MS,
    CallbackForm,
    CallbackRequest,
)
from ringback.callbacks.offer import allowed_countries, callback_settings, e164, visitor_phone
from ringback.callbacks.retries import ManualRetries
from ringback.callbacks.rounds import DialRounds
from ringback.calls.log import Page
from ringback.calls.recordings import LINK_SECONDS
from ringback.calls.retention import DAY_MS
from ringback.errors import Conflict, Forbidden, InvalidInput, NotFound
from ringback.guards import enforce
from ringback.hours import is_open
from ringback.metrics import Metric

if TYPE_CHECKING:
    from ringback.accounts.sites import Site
    from ringback.accounts.tenants import TenantScope


class Callbacks(DialRounds, LegWebhooks, ManualRetries):
    """The callback service: the public endpoint and the dashboard here, the workflow's
    steps (rounds.py), the carrier's webhooks (legs.py) and a member's retry (retries.py)
    beside them."""

    def request(self, form: CallbackForm) -> tuple[CallbackRequest, bool]:
        """Accept a visitor's request: (the stored request, whether it merged into an
        earlier one). Stored before this returns, then the workflow is started."""
        site = site_rules.site_for_origin(self._sites, form.site_key, form.origin)
        tenant = self._tenants.get(site.tenant_id) if self._tenants is not None else None
        if self._tenants is not None and (tenant is None or getattr(tenant, "status", "active") != "active"):
            raise Forbidden("this site is not active", code="site_inactive")
        settings = callback_settings(site)
        if settings.get("enabled", True) is False:
            raise Forbidden("callbacks are switched off for this site", code="callbacks_disabled")
        now = self._clock.now_ms()
        if self._rate_counter is not None:
            enforce(self._rate_counter, CALLBACK_LIMITS[:1], {"callback-ip": form.client_address or ""}, now)
        number = visitor_phone(form.phone, form.country or form.viewer_country or site.country)
        phone = e164(number)
        self._screen(site, number, phone)

        existing = self._store.recent_for_phone(f"{site.site_id}#{phone}", now - MERGE_WINDOW_MS)
        if existing is not None:
            merged = self._store.get(existing)
            if merged is not None and not merged.is_final:
                if merged.status == "accepted" and self._workflow is not None:
                    # In case the first start was lost (the same attempt: nothing dials twice).
                    self._workflow.start(merged.request_id, merged.attempt)
                return merged, True
        if self._rate_counter is not None:
            enforce(self._rate_counter, CALLBACK_LIMITS[1:],
                    {"callback-phone": f"{site.site_id}#{phone}", "callback-site": site.site_id}, now)

        slot = self._slot(site, form.slot, now)
        request = CallbackRequest(
            request_id=self._new_id(), tenant_id=site.tenant_id, site_id=site.site_id, phone=phone,
            created_at=now, session_id=None, scheduled_for=slot, locale=_locale(form.locale),
            attribution=self._attribution(site, form), updated_at=now,
            # Kept for the tenant's retention, as its visits are (ringback.calls.retention).
            retain_until=now + tenant.retention_days * DAY_MS if tenant is not None else None,
        )
        if request.attribution.get("session_id"):
            request.session_id = request.attribution["session_id"]
        request.move("accepted", now, page=_short(form.page))
        if not self._store.add(request):
            raise Conflict("request id clash; try again", code="request_conflict")
        request.version = 1
        self._metrics.count(Metric.CALLBACKS_REQUESTED)
        if self._workflow is not None:
            self._workflow.start(request.request_id)
        return request, False

    def _screen(self, site: Site, number: phonenumbers.PhoneNumber, phone: str) -> None:
        region = phonenumbers.region_code_for_number(number)
        if region not in allowed_countries(site):
            raise InvalidInput("we cannot call numbers in this country", code="country_not_allowed",
                               details={"country": region})
        blocked = HIGH_RISK_PREFIXES + tuple(callback_settings(site).get("blocked_prefixes", ()))
        if phonenumbers.number_type(number) in REFUSED_TYPES or phone.startswith(blocked):
            raise InvalidInput("we cannot call this kind of number", code="premium_number")
        if phone in site.destination_numbers or phone in site.own_numbers:
            raise InvalidInput("this is the site's own number", code="invalid_phone")

    def _slot(self, site: Site, slot: Any, now: int) -> int | None:
        if slot is None:
            return None
        if not isinstance(slot, int) or isinstance(slot, bool):
            raise InvalidInput("slot is a time in epoch milliseconds", code="invalid_slot")
        if not now <= slot <= now + SLOT_HORIZON_MS or not is_open(site.working_hours, site.timezone, slot):
            raise InvalidInput("pick one of the offered times", code="invalid_slot")
        return slot

    def _attribution(self, site: Site, form: CallbackForm) -> dict[str, Any]:
        visit = self._visits.get(form.session_id) if form.session_id else None
        if visit is None or visit.site_id != site.site_id:
            return {"method": "unattributed", "session_id": None, "page": _short(form.page)}
        return {"method": "session", "session_id": visit.session_id, **visit.source(), "page": _short(form.page),
                "region": visit.region or None}

    def public_status(self, site_key: str, origin: str | None, request_id: str) -> dict[str, Any]:
        site = site_rules.site_for_origin(self._sites, site_key, origin)
        request = self._store.get(request_id) if isinstance(request_id, str) and len(request_id) < 80 else None
        if request is None or request.site_id != site.site_id:
            raise NotFound("no such callback request", code="unknown_request")
        return request.public()

    def list_for(self, scope: TenantScope, tenant_id: str | None, start_ms: int, end_ms: int, limit: int,
                 cursor: str | None) -> Page[CallbackRequest]:
        """A tenant's callback requests, newest first; an agency names a client to read its."""
        from ringback.calls.log import MAX_PAGE, MAX_RANGE_MS

        tenant_id = tenant_id or scope.tenant_id
        scope.require_readable(tenant_id)
        if not 0 < end_ms - start_ms <= MAX_RANGE_MS:
            raise InvalidInput("'to' must be after 'from', at most 366 days", code="invalid_range")
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", code="invalid_limit")
        return self._store.for_tenant(tenant_id, start_ms, end_ms, limit, cursor)

    def detail(self, scope: TenantScope, request_id: str) -> dict[str, Any]:
        request = self._store.get(request_id)
        if request is None or request.tenant_id not in scope.readable:
            raise NotFound("no such callback request", code="unknown_request")
        out = request.as_json(self._store.legs_of(request_id))
        out["recording_links"] = [self._recording_store.presign(key, LINK_SECONDS)
                                  for _, key in sorted(request.recordings.items())]
        return out


def _short(page: Any) -> str | None:
    return page[:500] if isinstance(page, str) and page.startswith(("http://", "https://")) else None


def _locale(value: Any) -> str | None:
    return value[:5] if isinstance(value, str) and value[:2].isalpha() else None
