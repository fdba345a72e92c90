"""Website callbacks: a visitor leaves a number, the operator is called first, hears who
is waiting, and the visitor is bridged in. Both legs are incoming calls for the people.

The request is stored before it is acknowledged and every state it goes through is
written on it (the widget polls it; the dashboard lists it). The dial workflow (a Step
Functions state machine, ringback/dialing.py decides) drives the rounds through three
steps: `plan` (what now: wait, ring or finish), `ring` (place the operator legs and keep
the workflow's task token) and `abandon`. The carrier's webhooks answer the token:
`operator_answered` (whisper, then <Dial> the visitor), `leg_status` and
`bridge_complete`.

Every write to a request is a read-modify-write conditioned on its version, so the
workflow and the webhooks, which race, never lose each other's changes; a task token is
answered at most once per round for the same reason.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Protocol

import phonenumbers
from phonenumbers import PhoneNumberType

from ringback import numbers as number_rules
from ringback import sites as site_rules
from ringback.calls import Page
from ringback.clock import Clock
from ringback.dialing import (
    DialPolicy,
    Finish,
    Ring,
    RoundResult,
    Schedule,
    Wait,
    next_step,
    visitor_timezone,
)
from ringback.errors import Conflict, Forbidden, InvalidInput, NotFound
from ringback.guards import Limit, RateCounter, enforce
from ringback.hours import is_open, next_opening
from ringback.recordings import LINK_SECONDS

FINAL = ("completed", "missed", "failed", "cancelled")
STATUSES = ("accepted", "scheduled", "calling_operator", "calling_visitor", "connected", "retry_scheduled") + FINAL
# A second request for the same phone on the same site within this window is the same
# request: visitors press the button twice, and bots retry.
MERGE_WINDOW_MS = 10 * 60_000
# Slots a visitor may pick off hours: the next openings, at most this far ahead.
SLOT_HORIZON_MS = 7 * 24 * 3_600_000
CALLBACK_LIMITS = (
    Limit("callback-ip", per_window=10, window_seconds=3600),
    Limit("callback-phone", per_window=5, window_seconds=3600),
    Limit("callback-site", per_window=2_000, window_seconds=3600),
)
# Number types a callback never dials: the caller (we) would pay the callee's premium.
REFUSED_TYPES = {PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST, PhoneNumberType.UAN,
                 PhoneNumberType.PAGER, PhoneNumberType.PERSONAL_NUMBER}
# Ranges known for international revenue-share fraud: satellite and international
# networks, and premium ranges phonenumbers types as fixed lines. A site adds its own
# with callback.blocked_prefixes.
HIGH_RISK_PREFIXES = ("+870", "+871", "+872", "+873", "+874", "+881", "+882", "+883", "+888", "+979", "+808")
ERROR_RESULTS = {
    "Callback.OperatorNoAnswer": "operator_no_answer",
    "Callback.OperatorBusy": "operator_busy",
    "Callback.OperatorFailed": "operator_failed",
    "Callback.VisitorBusy": "visitor_busy",
    "Callback.VisitorNoAnswer": "visitor_no_answer",
    "Callback.VisitorFailed": "visitor_failed",
    "Callback.CallerIdRefused": "caller_id_refused",
    "States.Timeout": "lost",
}
RESULT_ERRORS = {result: error for error, result in ERROR_RESULTS.items()}
OPERATOR_STATUS_RESULTS = {"no-answer": "operator_no_answer", "busy": "operator_busy", "failed": "operator_failed",
                           "canceled": "operator_no_answer", "completed": "operator_failed"}
VISITOR_STATUS_RESULTS = {"busy": "visitor_busy", "no-answer": "visitor_no_answer", "failed": "visitor_failed",
                          "canceled": "visitor_no_answer"}
LEG_FINAL = ("completed", "busy", "no-answer", "failed", "canceled")


@dataclass
class CallbackRequest:
    request_id: str
    tenant_id: str
    site_id: str
    phone: str
    created_at: int
    session_id: str | None = None
    status: str = "accepted"
    scheduled_for: int | None = None  # the slot the visitor chose, or the next opening
    retry_at: int | None = None
    rounds: list[dict] = field(default_factory=list)  # RoundResult.as_json() of every round so far
    pending: dict | None = None  # the round being rung: round, leg_seq, token, operator_leg, answered
    transitions: list[dict] = field(default_factory=list)
    attribution: dict = field(default_factory=dict)
    outcome: dict = field(default_factory=dict)
    recordings: dict = field(default_factory=dict)  # recording sid -> S3 key
    alerts: dict = field(default_factory=dict)  # texts about a missed request: message id -> summary
    locale: str | None = None
    version: int = 0
    updated_at: int = 0

    @property
    def site_phone(self) -> str:
        return f"{self.site_id}#{self.phone}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    def move(self, status: str, at: int, **detail: Any) -> None:
        """Record a transition; repeating the current status with the same detail is a no-op."""
        entry = {"status": status, "at": at, **{k: v for k, v in detail.items() if v is not None}}
        if self.status == status and self.transitions and _same(self.transitions[-1], entry):
            return
        self.status = status
        self.updated_at = at
        self.transitions.append(entry)

    def public(self) -> dict[str, Any]:
        """What the visitor's widget may see: progress, never the operators or the number."""
        return {
            "requestId": self.request_id,
            "status": self.status,
            "scheduledFor": self.scheduled_for,
            "retryAt": self.retry_at if self.status == "retry_scheduled" else None,
            "attempt": max((r["round"] for r in self.rounds), default=0) + (1 if self.pending else 0),
            "updatedAt": self.updated_at or self.created_at,
        }

    def as_json(self, legs: list["CallbackLeg"] | None = None) -> dict[str, Any]:
        """The dashboard's view."""
        out = {
            "request_id": self.request_id, "tenant_id": self.tenant_id, "site_id": self.site_id,
            "phone": self.phone, "session_id": self.session_id, "created_at": self.created_at,
            "status": self.status, "scheduled_for": self.scheduled_for, "retry_at": self.retry_at,
            "rounds": self.rounds, "transitions": self.transitions, "attribution": self.attribution,
            "outcome": self.outcome, "recordings": sorted(self.recordings), "alerts": self.alerts,
        }
        if legs is not None:
            out["legs"] = [leg.as_json() for leg in legs]
        return out


def _same(a: dict, b: dict) -> bool:
    return {k: v for k, v in a.items() if k != "at"} == {k: v for k, v in b.items() if k != "at"}


@dataclass
class CallbackLeg:
    """One call placed for a callback: an operator's (REST call) or the visitor's (<Dial>)."""

    request_id: str
    leg: str  # "{round:02d}#{role}#{seq:02d}"
    role: str  # operator | visitor
    number: str
    started_at: int
    call_id: str | None = None
    status: str = "queued"
    ring_seconds: int | None = None
    talk_seconds: int | None = None
    answered_at: int | None = None
    error_code: str | None = None  # the carrier refused to place it (CallRefused.code)

    def as_json(self) -> dict[str, Any]:
        return {"leg": self.leg, "role": self.role, "number": self.number, "call_id": self.call_id,
                "status": self.status, "started_at": self.started_at, "answered_at": self.answered_at,
                "ring_seconds": self.ring_seconds, "talk_seconds": self.talk_seconds,
                "error_code": self.error_code}


def leg_key(round_no: int, role: str, seq: int) -> str:
    return f"{round_no:02d}#{role}#{seq:02d}"


def leg_round(key: str) -> int:
    return int(key.split("#", 1)[0])


class CallbackStore(Protocol):
    def add(self, request: CallbackRequest) -> bool:
        """Store a new request; False if its id exists."""
        ...

    def get(self, request_id: str) -> CallbackRequest | None: ...

    def save(self, request: CallbackRequest) -> bool:
        """Write the request if its stored version is still `request.version` (then the
        stored version is one more); False if someone wrote first."""
        ...

    def recent_for_phone(self, site_phone: str, since_ms: int) -> str | None: ...

    def for_tenant(self, tenant_id: str, start_ms: int, end_ms: int, limit: int, cursor: str | None) -> Page: ...

    def put_leg(self, leg: CallbackLeg) -> None: ...

    def legs_of(self, request_id: str) -> list[CallbackLeg]: ...

    def note_alert(self, request_id: str, message_id: str, alert: dict) -> None:
        """Keep the latest state of a text about the request, as CallLog.note_alert does;
        it counts as a write (the version moves), so no read-modify-write loses it."""
        ...


class DialWorkflow(Protocol):
    def start(self, request_id: str) -> None:
        """Start the dial workflow for this request; starting it twice is harmless."""
        ...

    def succeed(self, token: str, output: dict) -> None: ...

    def fail(self, token: str, error: str, cause: str) -> None: ...


class CallRefused(Exception):
    """The carrier would not place the call at all: no call exists (Twilio answers the
    create with a 4xx error, e.g. 21210 for a caller ID the account neither owns nor has
    verified, 21211 for an invalid To). Retrying the same request cannot succeed."""

    def __init__(self, code: str | None, message: str) -> None:
        super().__init__(message)
        self.code = code


# Refusals of the From itself: every leg of every round would be refused the same way.
CALLER_ID_REFUSALS = ("21210", "21212", "21213")


class OutboundDialer(Protocol):
    def place_call(self, to: str, caller_id: str, answer_url: str, status_url: str, ring_seconds: int) -> str:
        """Ring `to`; when answered the carrier fetches answer_url. Returns the call id;
        raises CallRefused when the carrier refuses the call outright."""
        ...

    def cancel(self, call_id: str) -> None: ...


@dataclass(frozen=True)
class CallbackForm:
    site_key: str
    origin: str | None
    phone: str
    country: str | None
    session_id: str | None = None
    page: str | None = None
    slot: int | None = None
    locale: str | None = None
    client_address: str | None = None
    viewer_country: str | None = None


@dataclass(frozen=True)
class BridgePlan:
    """What the operator hears once they answer, and the visitor's leg to dial."""

    whisper: str
    visitor: str
    caller_id: str
    ring_seconds: int
    record: bool
    round: int


@dataclass(frozen=True)
class WorkflowStep:
    """The plan step's answer, as the state machine reads it."""

    action: str  # wait | ring | done
    wait_ms: int = 0
    ring: Ring | None = None
    status: str | None = None


def visitor_phone(raw: str, country: str | None) -> phonenumbers.PhoneNumber:
    if not isinstance(raw, str) or not 3 <= len(raw) <= 32:
        raise InvalidInput("enter your phone number", code="invalid_phone")
    try:
        number = phonenumbers.parse(raw, (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        raise InvalidInput("this is not a phone number", code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("this phone number is not valid", code="invalid_phone")
    return number


def e164(number: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def callback_settings(site) -> dict[str, Any]:
    return site.settings.get("callback", {})


def allowed_countries(site) -> tuple[str, ...]:
    return tuple(c.upper() for c in callback_settings(site).get("countries") or (site.country,))


def country_choices(site) -> list[dict[str, Any]]:
    """What the widget needs to check a number as the visitor types, per allowed country."""
    out = []
    for code in allowed_countries(site):
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(code)
        example = phonenumbers.example_number_for_type(code, PhoneNumberType.MOBILE)
        if metadata is None or example is None:
            continue
        lengths = sorted(set(metadata.general_desc.possible_length or ()))
        out.append({"code": code, "dial": str(metadata.country_code), "lengths": lengths,
                    "example": phonenumbers.national_significant_number(example)})
    return out


def public_config(site, now_ms: int, viewer_country: str | None) -> dict[str, Any]:
    """The widget's settings for a page: triggers, targeting, theme and the hours."""
    settings = callback_settings(site)
    open_now = is_open(site.working_hours, site.timezone, now_ms)
    countries = country_choices(site)
    codes = [c["code"] for c in countries]
    viewer = (viewer_country or "").upper() or None
    config: dict[str, Any] = {
        "enabled": bool(settings.get("enabled", True)) and bool(DialPolicy.for_site(site).operators),
        "locale": settings.get("locale", "auto"),
        "theme": settings.get("theme", {}),
        "triggers": settings.get("triggers", {"secondsOnPage": 30, "exitIntent": True, "cooldownHours": 24}),
        "targeting": settings.get("targeting", {}),
        "viewerCountry": viewer,
        "open": open_now,
        "nextOpening": None,
        "nextOpeningLocal": None,
        "slots": [],
        "countries": countries,
        "defaultCountry": viewer if viewer in codes else (codes[0] if codes else site.country),
    }
    if not open_now:
        slots = opening_slots(site, now_ms, 6)
        if slots:
            config["nextOpening"] = slots[0]["at"]
            config["nextOpeningLocal"] = slots[0]["label"].split(" ")[-1]
        config["slots"] = slots
    return config


def opening_slots(site, now_ms: int, count: int) -> list[dict[str, Any]]:
    """The site's next openings (each working range's start), labelled in its own time."""
    from datetime import datetime, timezone

    from ringback.hours import zone

    slots, at = [], now_ms
    tz = zone(site.timezone)
    while len(slots) < count:
        try:
            at = next_opening(site.working_hours, site.timezone, at)
        except InvalidInput:
            break
        if at - now_ms > SLOT_HORIZON_MS:
            break
        local = datetime.fromtimestamp(at / 1000, tz=timezone.utc).astimezone(tz)
        slots.append({"at": at, "label": f"{local:%a %H:%M}"})
        # Past this range, to the next one's start.
        while is_open(site.working_hours, site.timezone, at) and at - now_ms <= SLOT_HORIZON_MS:
            at += 15 * 60_000
    return slots


class Callbacks:
    def __init__(self, sites, tenants, visits, calls, store: CallbackStore, workflow: DialWorkflow | None,
                 dialer: OutboundDialer | None, rate_counter: RateCounter | None, alerts, events,
                 recording_store, carrier_recordings, clock: Clock, base_url: str, numbers,
                 new_id: Callable[[], str] = lambda: "cb_" + secrets.token_urlsafe(16)) -> None:
        self._sites, self._tenants, self._visits, self._calls = sites, tenants, visits, calls
        self._store, self._workflow, self._dialer = store, workflow, dialer
        self._rate_counter, self._alerts, self._events = rate_counter, alerts, events
        self._numbers = numbers  # the site's tracking numbers: what the legs may call from
        self._recording_store, self._carrier_recordings = recording_store, carrier_recordings
        self._clock, self._base_url, self._new_id = clock, base_url.rstrip("/"), new_id

    # -- the public endpoint ------------------------------------------------------------

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
                    self._workflow.start(merged.request_id)  # in case the first start was lost
                return merged, True
        if self._rate_counter is not None:
            enforce(self._rate_counter, CALLBACK_LIMITS[1:],
                    {"callback-phone": f"{site.site_id}#{phone}", "callback-site": site.site_id}, now)

        slot = self._slot(site, form.slot, now)
        request = CallbackRequest(
            request_id=self._new_id(), tenant_id=site.tenant_id, site_id=site.site_id, phone=phone,
            created_at=now, session_id=None, scheduled_for=slot, locale=_locale(form.locale),
            attribution=self._attribution(site, form), updated_at=now,
        )
        if request.attribution.get("session_id"):
            request.session_id = request.attribution["session_id"]
        request.move("accepted", now, page=_short(form.page))
        if not self._store.add(request):
            raise Conflict("request id clash; try again", code="request_conflict")
        request.version = 1
        if self._workflow is not None:
            self._workflow.start(request.request_id)
        return request, False

    def _screen(self, site, number: phonenumbers.PhoneNumber, phone: str) -> None:
        region = phonenumbers.region_code_for_number(number)
        if region not in allowed_countries(site):
            raise InvalidInput("we cannot call numbers in this country", code="country_not_allowed",
                               details={"country": region})
        blocked = HIGH_RISK_PREFIXES + tuple(callback_settings(site).get("blocked_prefixes", ()))
        if phonenumbers.number_type(number) in REFUSED_TYPES or phone.startswith(blocked):
            raise InvalidInput("we cannot call this kind of number", code="premium_number")
        if phone in site.destination_numbers or phone in site.own_numbers:
            raise InvalidInput("this is the site's own number", code="invalid_phone")

    def _slot(self, site, slot: Any, now: int) -> int | None:
        if slot is None:
            return None
        if not isinstance(slot, int) or isinstance(slot, bool):
            raise InvalidInput("slot is a time in epoch milliseconds", code="invalid_slot")
        if not now <= slot <= now + SLOT_HORIZON_MS or not is_open(site.working_hours, site.timezone, slot):
            raise InvalidInput("pick one of the offered times", code="invalid_slot")
        return slot

    def _attribution(self, site, form: CallbackForm) -> dict[str, Any]:
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

    # -- the dashboard ------------------------------------------------------------------

    def list_for(self, scope, tenant_id: str | None, start_ms: int, end_ms: int, limit: int,
                 cursor: str | None) -> Page:
        """A tenant's callback requests, newest first; an agency names a client to read its."""
        from ringback.calls import MAX_PAGE, MAX_RANGE_MS

        tenant_id = tenant_id or scope.tenant_id
        scope.require_readable(tenant_id)
        if not 0 < end_ms - start_ms <= MAX_RANGE_MS:
            raise InvalidInput("'to' must be after 'from', at most 366 days", code="invalid_range")
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", code="invalid_limit")
        return self._store.for_tenant(tenant_id, start_ms, end_ms, limit, cursor)

    def detail(self, scope, request_id: str) -> dict[str, Any]:
        request = self._store.get(request_id)
        if request is None or request.tenant_id not in scope.readable:
            raise NotFound("no such callback request", code="unknown_request")
        out = request.as_json(self._store.legs_of(request_id))
        out["recording_links"] = [self._recording_store.presign(key, LINK_SECONDS)
                                  for _, key in sorted(request.recordings.items())]
        return out

    # -- the workflow's steps -----------------------------------------------------------

    def plan(self, request_id: str, last: dict | None) -> WorkflowStep:
        """Record how the last round ended, then decide what happens next."""
        lost_round: dict | None = None
        outcome: dict = {}

        def decide(request: CallbackRequest) -> WorkflowStep:
            nonlocal lost_round, outcome
            now = self._clock.now_ms()
            if request.pending is not None:
                pending = request.pending
                result = pending.get("answered") or _result_of(last)
                if result == "lost":
                    lost_round = dict(pending)
                request.rounds.append(RoundResult(pending["round"], pending["leg_seq"], result, now).as_json())
                request.pending = None
            if request.is_final:
                return WorkflowStep("done", status=request.status)
            site = self._sites.get(request.site_id)
            if site is None:
                request.move("failed", now, reason="site_removed")
                return WorkflowStep("done", status="failed")
            policy = DialPolicy.for_site(site)
            schedule = Schedule(site.working_hours, site.timezone, visitor_timezone(request.phone),
                                policy.visitor_hours)
            history = [RoundResult.from_json(r) for r in request.rounds]
            step = next_step(policy, schedule, history, request.scheduled_for, now)
            if isinstance(step, Wait):
                if step.reason == "scheduled":
                    request.scheduled_for = step.until
                    request.move("scheduled", now, at_time=step.until)
                else:
                    request.retry_at = step.until
                    request.move("retry_scheduled", now, at_time=step.until,
                                 after=history[-1].result if history else None)
                return WorkflowStep("wait", wait_ms=step.until - now)
            if isinstance(step, Ring):
                if self._caller_id(site) is not None:
                    return WorkflowStep("ring", ring=step)
                # No number of the account to call from (the carrier would refuse every
                # leg, 21210): fail now and say so, rather than ring into refusals.
                step = Finish("failed", "no_caller_id")
            assert isinstance(step, Finish)
            request.outcome = {**request.outcome, "result": step.reason, "rounds": len(history)}
            if step.status == "completed" and "talk_seconds" not in request.outcome:
                # The two are still talking: the workflow is done, the request stays
                # "connected" until the bridge ends (bridge_complete completes it).
                return WorkflowStep("done", status="connected")
            outcome = request.outcome
            request.move(step.status, now, reason=step.reason)
            return WorkflowStep("done", status=step.status)

        request, step = self._mutate(request_id, decide)
        if lost_round is not None:
            self._hang_up_round(request_id, lost_round["round"])
        if step.action == "done" and outcome:
            self._finished(request)
        return step

    def ring(self, request_id: str, ring: dict, token: str) -> None:
        """Place the round's operator legs and keep the token their webhooks will answer."""
        round_no, seq = int(ring["round"]), int(ring["leg_seq"])
        operators = tuple(ring["operators"])

        def start_round(request: CallbackRequest) -> bool | str:
            if request.is_final:
                return False
            if request.pending is not None and request.pending.get("token") == token:
                # Step Functions retried this task after the first try placed calls: keep
                # what their webhooks have written since, and ring nobody twice.
                return "again"
            request.pending = {"round": round_no, "leg_seq": seq, "token": token, "operator_leg": None,
                               "answered": None, "caller_id": caller_id}
            request.retry_at = None
            request.move("calling_operator", self._clock.now_ms(), round=round_no)
            return True

        request = self._store.get(request_id)
        if request is None:
            raise NotFound("no such callback request", code="unknown_request")
        site = self._sites.get(request.site_id)
        caller_id = self._caller_id(site) if site is not None else None
        if caller_id is None and not request.is_final:
            # The plan step finds the same and fails the request (no_caller_id).
            raise Conflict("the site has no number of ours to call from", code="no_caller_id")
        request, go_on = self._mutate(request_id, start_round)
        if not go_on:
            if self._workflow is not None:
                self._workflow.fail(token, "Callback.Cancelled", "the request is closed")
            return
        # Both legs show one number: the one this round was placed from, kept on the round.
        caller_id = request.pending.get("caller_id") or caller_id
        placed = {leg.leg for leg in self._store.legs_of(request_id) if leg.call_id} if go_on == "again" else set()
        for offset, operator in enumerate(operators):
            key = leg_key(round_no, "operator", seq + offset)
            if key in placed:
                continue
            leg = CallbackLeg(request_id, key, "operator", operator, self._clock.now_ms())
            self._store.put_leg(leg)
            try:
                leg.call_id = self._dialer.place_call(
                    operator, caller_id,
                    self.webhook_url("operator", request=request_id, leg=key),
                    self.webhook_url("status", request=request_id, leg=key),
                    int(ring["ring_seconds"]),
                )
            except CallRefused as refused:
                leg.status, leg.error_code = "failed", refused.code or "refused"
                self._store.put_leg(leg)
                if leg.error_code in CALLER_ID_REFUSALS:
                    # Every other leg would be refused alike: end the round, and the plan
                    # fails the request rather than ring into refusals for two days.
                    self._answer(request_id, round_no, "caller_id_refused")
                    return
                self._operator_leg_ended(request_id, round_no, key, "failed", leg)
                continue
            self._store.put_leg(leg)

    def abandon(self, request_id: str, error: dict | None) -> None:
        """The plan step kept failing: close the request as failed and tell the site."""
        def close(request: CallbackRequest) -> bool:
            if request.is_final:
                return False
            request.outcome = {**request.outcome, "result": "error", "error": str((error or {}).get("Error"))[:200]}
            request.move("failed", self._clock.now_ms(), reason="error")
            return True

        request, changed = self._mutate(request_id, close)
        if changed:
            self._finished(request)

    # -- the carrier's webhooks ---------------------------------------------------------

    def operator_answered(self, request_id: str, key: str, call_id: str | None) -> BridgePlan | None:
        """An operator picked up. The first of the round gets the visitor; any other
        operator ringing at the same time is cancelled. None: hang this operator up."""
        round_no = leg_round(key)

        def take(request: CallbackRequest) -> bool:
            pending = request.pending
            if (request.is_final or pending is None or pending["round"] != round_no
                    or pending.get("answered") or pending.get("operator_leg") not in (None, key)):
                return False
            pending["operator_leg"] = key
            request.move("calling_visitor", self._clock.now_ms(), round=round_no)
            return True

        request, won = self._mutate(request_id, take)
        self._update_leg(request_id, key, status="in-progress", answered_at=self._clock.now_ms(), call_id=call_id)
        if not won:
            return None
        for leg in self._store.legs_of(request_id):
            if (leg.role == "operator" and leg_round(leg.leg) == round_no and leg.leg != key
                    and leg.status not in LEG_FINAL and leg.call_id and self._dialer is not None):
                self._dialer.cancel(leg.call_id)
        site = self._sites.get(request.site_id)
        policy = DialPolicy.for_site(site)
        caller_id = (request.pending or {}).get("caller_id") or self._caller_id(site)
        return BridgePlan(self._whisper(site, request), request.phone, caller_id,
                          policy.visitor_ring_seconds, policy.record, round_no)

    def leg_status(self, request_id: str, key: str, call_id: str | None, status: str,
                   duration: int | None) -> None:
        """A status callback for one leg (operator or visitor)."""
        role = key.split("#")[1]
        now = self._clock.now_ms()
        fields: dict[str, Any] = {"status": status, "call_id": call_id}
        if status == "in-progress":
            fields["answered_at"] = now
        if status in LEG_FINAL and duration is not None:
            fields["talk_seconds"] = duration
        leg = self._update_leg(request_id, key, **fields)
        round_no = leg_round(key)
        if role == "visitor" and status == "in-progress":
            self._connected(request_id, round_no)
        elif role == "operator" and status in LEG_FINAL:
            self._operator_leg_ended(request_id, round_no, key, status, leg)

    def bridge_complete(self, request_id: str, round_no: int, dial_status: str, dial_call_id: str | None,
                        talk_seconds: int | None, bridged: bool | None) -> bool:
        """The operator's <Dial> of the visitor ended. True when the two spoke."""
        visitor_key = leg_key(round_no, "visitor", 0)
        talked = dial_status in ("completed", "answered") and bridged is not False
        self._update_leg(request_id, visitor_key, status="completed" if talked else dial_status,
                         call_id=dial_call_id, talk_seconds=talk_seconds if talked else 0)
        if talked:
            self._connected(request_id, round_no)

            def keep(request: CallbackRequest) -> str:
                request.outcome = {**request.outcome, "talk_seconds": talk_seconds or 0, "round": round_no}
                if request.status == "connected" and request.outcome.get("result") == "connected":
                    # The workflow finished while they talked; the call's end completes it.
                    request.move("completed", self._clock.now_ms(), reason="connected")
                    return "completed"
                return "kept"

            request, done = self._mutate(request_id, keep)
            if done == "completed":
                self._finished(request)
            return True
        result = VISITOR_STATUS_RESULTS.get(dial_status, "visitor_no_answer")
        self._answer(request_id, round_no, result)
        return False

    def archive_recording(self, request_id: str, recording_sid: str) -> str:
        """Copy a callback's recording into the tenant's prefix, then delete the carrier's."""
        request = self._store.get(request_id)
        if request is None:
            raise NotFound("no such callback request", code="unknown_request")
        from datetime import datetime, timezone

        day = datetime.fromtimestamp(request.created_at / 1000, tz=timezone.utc)
        key = f"tenants/{request.tenant_id}/recordings/{day:%Y/%m/%d}/callbacks/{request_id}/{recording_sid}.wav"
        if not self._recording_store.exists(key):
            self._recording_store.put(key, self._carrier_recordings.download_recording(recording_sid), "audio/wav")

        def keep(request: CallbackRequest) -> bool:
            request.recordings[recording_sid] = key
            return True

        self._mutate(request_id, keep)
        self._carrier_recordings.delete_recording(recording_sid)
        return key

    def webhook_url(self, name: str, **params: Any) -> str:
        """A callback webhook's URL. Parameters in sorted order: the carrier signs the URL
        as given, and the door rebuilds it the same way to check the signature."""
        from urllib.parse import urlencode

        return f"{self._base_url}/v1/carrier/callbacks/{name}?{urlencode(sorted(params.items()))}"

    # -- inside -------------------------------------------------------------------------

    def _connected(self, request_id: str, round_no: int) -> None:
        def mark(request: CallbackRequest) -> bool:
            if request.is_final:
                return False
            request.move("connected", self._clock.now_ms(), round=round_no)
            return True

        self._mutate(request_id, mark)
        self._answer(request_id, round_no, "connected")

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

    def _hang_up_round(self, request_id: str, round_no: int) -> None:
        if self._dialer is None:
            return
        for leg in self._store.legs_of(request_id):
            if leg_round(leg.leg) == round_no and leg.call_id and leg.status not in LEG_FINAL:
                self._dialer.cancel(leg.call_id)

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

    def _caller_id(self, site) -> str | None:
        """The number both legs see calling: one the account owns at the carrier (the
        site's callback.caller_id, else its first static, else pool number), never the
        site's own, which the carrier would refuse (ringback/numbers.py)."""
        return number_rules.caller_id(site, self._numbers.site_numbers(site.site_id))

    def _whisper(self, site, request: CallbackRequest) -> str:
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
        return " ".join(parts)


def _result_of(last: dict | None) -> str:
    if not last:
        return "lost"
    if "result" in last:
        return str(last["result"])
    return ERROR_RESULTS.get(str(last.get("Error")), "ring_failed")


def _short(page: Any) -> str | None:
    return page[:500] if isinstance(page, str) and page.startswith(("http://", "https://")) else None


def _page_path(page: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(page).path or "/"


def _locale(value: Any) -> str | None:
    return value[:5] if isinstance(value, str) and value[:2].isalpha() else None

