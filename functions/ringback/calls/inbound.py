"""An inbound call to a tracking number: who made it happen, and how to put it through.

receive() is what the carrier's voice webhook calls. It finds the number's site, asks a
call to a dynamic pool's number for the visit's code first (skippable, in the site's
language), attributes the call (ringback.tracking.attribution: the code, taps, recency,
region and earlier calls over the visits shown the number; or the static channel), keeps
the caller's journey (first and last touch), stores the call record once per carrier call
id, and returns the plan the webhook turns into TwiML: whisper, dial, record, or the
site's off-hours rule. The plan follows the site's inbound routing (ringback.calls.routing):
its destinations rung all at once or one after another, each passing the call on through
the <Dial> action (dial_ended) when it does not answer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import phonenumbers

from ringback.accounts.sites import site_language
from ringback.calls.log import CallSummary, event_data
from ringback.calls.retention import DAY_MS
from ringback.calls.routing import (
    CLOSED_HANGUP,
    CLOSED_VOICEMAIL,
    DEFAULT_RING_SECONDS,
    MISSED_HANGUP,
    MISSED_VOICEMAIL,
    NO_DESTINATION_VOICEMAIL,
    InboundRouting,
    destinations_of,
    whisper_text,
)
from ringback.clock import Clock
from ringback.errors import Forbidden, NotFound
from ringback.hours import is_open
from ringback.metrics import BusinessMetrics, CountedMetrics, Metric
from ringback.tracking.attribution import (
    WINDOW_MS,
    CallEvidence,
    attribute_call,
    attribute_static,
    sessions_shown,
    visits_to_read,
)
from ringback.tracking.codes import code_prompt
from ringback.tracking.journeys import JOURNEY_MS, touches
from ringback.tracking.regions import describe_phone, phone_place

if TYPE_CHECKING:
    from ringback.accounts.sites import Site
    from ringback.calls.alerts import Alerts
    from ringback.calls.events import Events
    from ringback.ports import CallLog, LeaseStore, NumberDirectory, Routing, SiteDirectory, TenantDirectory, VisitLog

PREVIOUS_CALLS = 10  # a caller's earlier calls read to join their journeys
MISSED = ("busy", "no-answer", "failed", "canceled")
# What the carrier reports for a <Dial> (Twilio docs: "TwiML Voice: <Dial>", DialCallStatus).
DIAL_STATUSES = ("completed", "answered") + MISSED
# A call the carrier says has ended while no outcome was stored: the caller hung up before
# the <Dial> or the voicemail reported. Its outcome may still arrive (the callbacks race).
ABANDONED = "abandoned"
# Calls whose outcome is not stored yet.
OPEN = ("ringing", ABANDONED)
# The carrier's final call statuses (Twilio docs: "Call resource", Status).
CALL_FINAL = ("completed", "busy", "no-answer", "failed", "canceled")


@dataclass(frozen=True)
class TrackingNumber:
    number: str
    tenant_id: str
    site_id: str
    kind: str  # static | pool
    pool_id: str | None
    channel: dict[str, Any] = field(default_factory=dict)
    sms: bool = True  # the carrier lets it send texts


@dataclass(frozen=True)
class IncomingCall:
    call_id: str  # "{provider}:{CallSid}"
    to: str
    caller: str
    digits: str | None = None  # the visit's code: None not asked yet, "" skipped, else as keyed


@dataclass(frozen=True)
class CallPlan:
    """What the carrier should do with the call; the webhook renders it as TwiML."""

    action: str  # dial | gather | voicemail | forward | hangup | reject
    destinations: tuple[str, ...] = ()
    ring_seconds: int = DEFAULT_RING_SECONDS
    record: bool = False
    recording_notice: str | None = None
    whisper: str | None = None
    caller_id: str | None = None
    prompt: str | None = None
    language: str | None = None  # the voice of the prompt (Twilio <Say> language)
    # Ringing in order: the index of the destination to ring if this one does not answer.
    next_leg: int | None = None


def caller_country(number: str) -> str | None:
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return None


def caller_region(number: str) -> str | None:
    """Where the caller's number is registered ("San Francisco, CA"), from phonenumbers'
    offline geocoding data; None when unknown."""
    try:
        return describe_phone(phonenumbers.parse(number, None)) or None
    except phonenumbers.NumberParseException:
        return None


class InboundCalls:
    def __init__(self, numbers: NumberDirectory, sites: SiteDirectory, routing: Routing, leases: LeaseStore,
                 visits: VisitLog, calls: CallLog, clock: Clock, alerts: Alerts | None = None,
                 events: Events | None = None, metrics: BusinessMetrics | None = None,
                 tenants: TenantDirectory | None = None) -> None:
        self._numbers, self._sites, self._routing = numbers, sites, routing
        # Whose retention a new call is kept for (ringback.calls.retention); None: kept.
        self._tenants = tenants
        self._metrics = metrics if metrics is not None else CountedMetrics()
        self._leases, self._visits, self._calls, self._clock = leases, visits, calls, clock
        self._alerts = alerts
        self._events = events

    def publish(self, event_type: str, call_id: str) -> None:
        """Tell the site's subscribed systems (CRMs) what happened to a call."""
        stored = self._calls.get(call_id)
        if self._events is None or stored is None:
            return
        tenant_id, call = stored
        site = self._sites.get(call.site_id)
        if site is None:
            return
        self._events.publish(event_type, call_id, tenant_id, site.site_id, site.settings, event_data(call))

    def receive(self, call: IncomingCall) -> tuple[CallSummary | None, CallPlan]:
        """The call's record (None while the caller is asked for a code) and what to do."""
        tracked = self._numbers.tracking_number(call.to)
        if tracked is None:
            raise NotFound("not one of our tracking numbers", code="unknown_number")
        site = self._sites.get(tracked.site_id)
        if site is None:
            raise NotFound("the number's site is gone", code="unknown_site")
        stored = self._calls.get(call.call_id)
        if stored is not None:
            if stored[1].status != "ringing":
                # A call that has ended is never answered again: a replayed request.
                raise Forbidden("that call has ended", code="replayed_webhook")
            # The carrier retried the webhook: the same answer, no second record.
            return stored[1], self._plan(site, stored[1])
        pool = self._routing.pool(tracked.pool_id) if tracked.pool_id else None
        if pool is not None and call.digits is None:
            prompt, voice = code_prompt(site_language(site))
            return None, CallPlan("gather", prompt=prompt, language=voice)
        now = self._clock.now_ms()
        previous = self._previous_calls(site.tenant_id, call.caller, now)
        attribution = self._attribute(tracked, site, call, now, previous)
        first_time = not previous
        record = CallSummary(
            call_id=call.call_id,
            site_id=site.site_id,
            tracking_number=tracked.number,
            caller=call.caller,
            started_at=now,
            status="ringing",
            attribution={**attribution, "first_time_caller": first_time,
                         "caller_country": caller_country(call.caller), "caller_region": caller_region(call.caller)},
        )
        tenant = self._tenants.get(site.tenant_id) if self._tenants is not None else None
        retain_until = now + tenant.retention_days * DAY_MS if tenant is not None else None
        if self._calls.add(site.tenant_id, record, retain_until):
            self._metrics.count(Metric.CALLS_RECEIVED)
            if attribution.get("method") != "static":
                # How surely pool calls are attributed; a static number is its channel.
                self._metrics.observe(Metric.ATTRIBUTION_CONFIDENCE, float(attribution.get("confidence") or 0.0))
            self.publish("call.ringing", call.call_id)
        else:
            # A concurrent retry stored it first.
            record = cast("tuple[str, CallSummary]", self._calls.get(call.call_id))[1]
        plan = self._plan(site, record)
        if plan.action == "hangup":
            # Nobody will be rung and no message taken: the call is missed now, not when
            # the carrier reports its end (which would make it look abandoned).
            record = self.complete(call.call_id, "no-answer", 0, None)
        return record, plan

    def dial_ended(self, call_id: str, dial_status: str, talk_seconds: int, recording_sid: str | None,
                   bridged: bool | None = None, next_leg: int | None = None) -> CallPlan:
        """The <Dial> action: when ringing in order, a destination that did not take the
        call passes it to the next one; otherwise the outcome is stored (complete) and the
        caller hears what the site chose for a call nobody answered."""
        stored = self._calls.get(call_id)
        if stored is None:
            raise NotFound("no such call", code="unknown_call")
        call = stored[1]
        site = self._sites.get(call.site_id)
        # canceled: the caller hung up while it rang, so there is nobody left to put through.
        passed = dial_status in ("busy", "no-answer", "failed") or (
            dial_status in ("completed", "answered") and bridged is False)
        if passed and next_leg is not None and site is not None and call.status == "ringing":
            plan = self._next_destination(site, call, next_leg)
            if plan is not None:
                return plan
        call = self.complete(call_id, dial_status, talk_seconds, recording_sid, bridged)
        if call.status in ("answered", "voicemail") or site is None:
            return CallPlan("hangup")
        return _nobody_answered(InboundRouting.of(site, call.tracking_number), MISSED_VOICEMAIL, MISSED_HANGUP)

    def complete(self, call_id: str, dial_status: str, talk_seconds: int, recording_sid: str | None,
                 bridged: bool | None = None) -> CallSummary:
        """The <Dial> ended: store the outcome once, and alert the site at once if missed.

        `bridged` is False when the operator's phone answered but the caller was never put
        through (the operator hung up during the whisper): the caller is still waiting for
        someone, so the call counts as missed, not answered."""
        stored = self._calls.get(call_id)
        if stored is None:
            raise NotFound("no such call", code="unknown_call")
        tenant_id, call = stored
        status = "answered" if dial_status in ("completed", "answered") else dial_status
        if status == "answered" and bridged is False:
            status = "no-answer"
        if status not in DIAL_STATUSES + ("voicemail",):
            status = "failed"
        elapsed = max(0, (self._clock.now_ms() - call.started_at) // 1000)
        outcome = {
            "ring_seconds": int(max(0, elapsed - talk_seconds)),
            "talk_seconds": int(talk_seconds),
            "recording_sid": recording_sid,
        }
        if self._calls.finish(call_id, status, outcome):
            # The event first: a text the carrier fails on must not cost the CRM its event.
            self.publish("call.missed" if status in MISSED else "call.answered", call_id)
            if status in MISSED:
                self._alert_missed(call, tenant_id)
        # The call was read above.
        return cast("tuple[str, CallSummary]", self._calls.get(call_id))[1]

    def voicemail(self, call_id: str, recording_sid: str | None, seconds: int) -> None:
        """A message was left: kept on the call record with the recording."""
        stored = self._calls.get(call_id)
        if stored is None:
            raise NotFound("no such call", code="unknown_call")
        tenant_id, call = stored
        outcome = {**call.outcome, "voicemail_sid": recording_sid, "voicemail_seconds": seconds}
        if call.status in OPEN:
            # Off hours or no destination: the call never rang anyone; it is a missed call.
            if self._calls.finish(call_id, "voicemail", outcome):
                self.publish("call.voicemail", call_id)
                self._alert_missed(call, tenant_id)
        elif call.outcome.get("voicemail_sid") != recording_sid:
            self._calls.annotate(call_id, outcome)
            self.publish("call.voicemail", call_id)

    def ended(self, call_id: str, carrier_status: str, call_seconds: int) -> None:
        """The carrier's final status callback for the call: kept once, apart from the
        outcome the <Dial> action stores (either may come first, and a retry of either
        changes nothing). `call_seconds` is the caller's whole time on the line; the
        outcome's talk_seconds is the operator's part of it."""
        if carrier_status not in CALL_FINAL:
            return  # progress events (ringing, in-progress) say nothing the record keeps
        if self._calls.get(call_id) is None:
            raise NotFound("no such call", code="unknown_call")
        self._calls.record_end(call_id, carrier_status, call_seconds)

    def _alert_missed(self, call: CallSummary, tenant_id: str) -> None:
        site = self._sites.get(call.site_id)
        if site is None or self._alerts is None:
            return
        self._alerts.missed_call(site, tenant_id, call)

    def whisper_for(self, call_id: str) -> str:
        """What the operator hears before the caller is bridged: the site's whisper text,
        or where the caller came from."""
        stored = self._calls.get(call_id)
        if stored is None:
            return whisper_text({})
        site = self._sites.get(stored[1].site_id)
        if site is None:
            return whisper_text(stored[1].attribution)
        return whisper_text(stored[1].attribution, InboundRouting.of(site, stored[1].tracking_number).whisper_text,
                            site.name)

    def attribution_for(self, tracked: TrackingNumber, sender: str) -> dict[str, Any]:
        """What a contact other than a call (a text to the number, now) is attributed to,
        by the same rules as a call to it."""
        site = self._sites.get(tracked.site_id)
        if site is None:
            return attribute_static({}).as_json() if tracked.kind == "static" else {"method": "unattributed"}
        now = self._clock.now_ms()
        contact = IncomingCall("text", tracked.number, sender, None)
        return self._attribute(tracked, site, contact, now, self._previous_calls(site.tenant_id, sender, now))

    def _previous_calls(self, tenant_id: str, caller: str, now: int) -> list[CallSummary]:
        if not caller.startswith("+"):
            return []  # an anonymous or unparsable caller has no history to join
        return self._calls.previous_calls(tenant_id, caller, now, PREVIOUS_CALLS)

    def _attribute(self, tracked: TrackingNumber, site: Site, call: IncomingCall, now: int,
                   previous: list[CallSummary]) -> dict[str, Any]:
        """The attribution and the journey, as the call record keeps them."""
        if tracked.kind == "static":
            return {**attribute_static(tracked.channel).as_json(), "first_touch": None, "last_touch": None}
        # Only answers that were likely right join an earlier call's visitor to this one;
        # the newest answer about a visitor stands.
        earlier: dict[str, float] = {}
        for c in previous:
            key, level = c.attribution.get("visitor_key"), c.attribution.get("level")
            if key and level in ("high", "medium"):
                earlier.setdefault(key, float(c.attribution.get("confidence") or 0.0))
        evidence = CallEvidence(tracked.number, now, call.caller, phone_place(call.caller), call.digits, earlier)
        by_session = sessions_shown(self._leases.shown_on(tracked.number, now - WINDOW_MS, now), now)
        visits = {s: v for s in visits_to_read(by_session, evidence) if (v := self._visits.get(s)) is not None}
        attribution = attribute_call(by_session, visits, evidence)
        journey_of = ([attribution.visitor_key] if attribution.visitor_key else []) + list(earlier)
        journey = [visit for key in dict.fromkeys(journey_of)
                   # A visitor key is "{site_id}#{client_id}": two strings, which mypy cannot count.
                   for visit in self._visits.of_visitor(  # type: ignore[call-arg]
                       *key.split("#", 1), now - JOURNEY_MS, now)]  # type: ignore[arg-type]
        return {**attribution.as_json(), **touches(journey, now, visits.get(attribution.session_id or ""))}

    def _plan(self, site: Site, record: CallSummary, leg: int = 0) -> CallPlan:
        routing = InboundRouting.of(site, record.tracking_number)
        every_destination = destinations_of(site, record.tracking_number)
        if not is_open(site.working_hours, site.timezone, self._clock.now_ms()):
            if routing.off_hours_action == "forward" and routing.off_hours_number:
                return CallPlan("forward", destinations=(routing.off_hours_number,),
                                ring_seconds=routing.ring_seconds)
            if routing.off_hours_action == "hangup":
                return CallPlan("hangup", prompt=routing.off_hours_prompt or CLOSED_HANGUP)
            return CallPlan("voicemail", prompt=routing.off_hours_prompt or CLOSED_VOICEMAIL)
        if not every_destination:
            return _nobody_answered(routing, NO_DESTINATION_VOICEMAIL, MISSED_HANGUP)
        destinations, next_leg = every_destination, None
        if routing.strategy == "in_order":
            destinations = destinations[leg:leg + 1]
            next_leg = leg + 1 if leg + 1 < len(every_destination) else None
        return CallPlan(
            "dial",
            destinations=destinations,
            ring_seconds=routing.ring_seconds,
            record=routing.record,
            # Said once, before the first destination rings; never for a call not recorded.
            recording_notice=routing.recording_notice if routing.record and leg == 0 else None,
            whisper=whisper_text(record.attribution, routing.whisper_text, site.name) if routing.whisper else None,
            caller_id=record.caller,
            next_leg=next_leg,
        )

    def _next_destination(self, site: Site, record: CallSummary, leg: int) -> CallPlan | None:
        """The in-order plan for destination `leg`, unless the routing changed under the
        call (no longer in order, fewer destinations) or the site has closed since."""
        routing = InboundRouting.of(site, record.tracking_number)
        if routing.strategy != "in_order" or not 0 < leg < len(destinations_of(site, record.tracking_number)):
            return None
        plan = self._plan(site, record, leg)
        return plan if plan.action == "dial" else None


def _nobody_answered(routing: InboundRouting, voicemail_prompt: str, hangup_prompt: str) -> CallPlan:
    """A message after the tone, or (voicemail off) a last word and the end of the call."""
    if routing.voicemail:
        return CallPlan("voicemail", prompt=routing.voicemail_prompt or voicemail_prompt)
    return CallPlan("hangup", prompt=routing.voicemail_prompt or hangup_prompt)
