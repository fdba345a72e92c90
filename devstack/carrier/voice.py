"""A call in progress: its timeline, the webhooks it sends and the TwiML documents it
follows (the verbs themselves: twiml.py).

One `CallSession` per call runs in its own thread. Every wait goes through the carrier's
`SimClock`, so a test at scale 0.01 runs a 30-second call in 0.3 s with the same
durations in every webhook.
"""
from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from collections import deque
from typing import TYPE_CHECKING

from devstack.carrier.party import BUSY, FAILED, NO_ANSWER, Party
from devstack.carrier.records import API_VERSION, Call, voice_geography
from devstack.carrier.twiml import HANGUP, Fetch, TwimlVerbs

if TYPE_CHECKING:
    from devstack.carrier.carrier import Carrier

# Twilio docs: Voice API: Call resource, StatusCallbackEvent: without events only
# `completed` is sent.
DEFAULT_EVENTS = ("completed",)
FINAL = ("completed", "busy", "no-answer", "failed", "canceled")
MAX_DOCUMENTS = 50  # guard against a TwiML loop (a Redirect to itself)


class StatusCallbacks:
    """Twilio docs: Voice API: Call resource, "StatusCallback" and "StatusCallbackEvent":
    CallStatus, Timestamp, SequenceNumber (from 0), CallbackSource=call-progress-events,
    CallDuration on completed."""

    def __init__(self, carrier: Carrier, url: str | None, events, method: str = "POST") -> None:
        self.carrier = carrier
        self.url = url
        self.events = tuple(events) or DEFAULT_EVENTS
        self.method = method or "POST"
        self.sequence = 0

    def send(self, event: str, call: Call, params: dict, extra: dict | None = None) -> None:
        if not self.url or event not in self.events:
            return
        body = dict(params)
        body.update(extra or {})
        body.update(
            {
                "Timestamp": self.carrier.rfc2822_now(),
                "SequenceNumber": str(self.sequence),
                "CallbackSource": "call-progress-events",
            }
        )
        self.sequence += 1
        self.carrier.webhooks.send("status", self.url, body, self.method, call_sid=call.sid)


class CallSession(TwimlVerbs):
    def __init__(self, carrier: Carrier, call: Call, remote: Party, status_callbacks: StatusCallbacks) -> None:
        self.carrier = carrier
        self.call = call
        self.remote = remote  # the party at the far end: the caller (inbound) or the callee (outbound-api)
        self.callbacks = status_callbacks
        self.digits: deque[str] = deque(remote.presses)
        self.elapsed = 0.0  # simulated seconds since the call was answered
        self.remote_hung_up = False
        self.interrupt = threading.Event()
        self.redirect: Fetch | None = None
        self.done = threading.Event()
        self.record_call = False  # Record=true on Calls.json
        self.recording_status_callback: str | None = None
        self.recording_status_callback_method = "POST"

    # -- time -------------------------------------------------------------------------

    def wait(self, seconds: float) -> bool:
        """Spend `seconds` on the call; False if the far end hung up first or the call was
        updated through the REST API (hang up or redirect)."""
        if self.interrupt.is_set():
            return False
        budget = self.remote.talk_for
        if budget is not None and self.elapsed + seconds >= budget:
            remaining = max(0.0, budget - self.elapsed)
            if not self.carrier.clock.sleep(remaining, self.interrupt):
                return False
            self.elapsed = budget
            self.remote_hung_up = True
            return False
        if not self.carrier.clock.sleep(seconds, self.interrupt):
            return False
        self.elapsed += seconds
        return True

    def wait_for(self, event: threading.Event, seconds: float) -> bool | None:
        """Spend at most `seconds` on the call until `event` is set (a decision from the
        phone page): True when it was, None when the time ran out, False when the far end
        hung up or the call was updated through the REST API first. The simulated time
        actually spent is added to `elapsed`."""
        if self.interrupt.is_set():
            return False
        limit, hangs_up = seconds, False
        budget = self.remote.talk_for
        if budget is not None and self.elapsed + seconds >= budget:
            limit, hangs_up = max(0.0, budget - self.elapsed), True
        scale = self.carrier.clock.scale
        started = time.monotonic()
        while True:
            spent = min(limit, (time.monotonic() - started) / scale) if scale > 0 else limit
            if event.is_set() or self.interrupt.is_set():
                self.elapsed += spent
                return event.is_set()
            if spent >= limit:
                break
            # Poll the interrupt at least every 50 ms of real time.
            event.wait(min(0.05, (limit - spent) * scale))
        self.elapsed += limit
        if hangs_up:
            self.remote_hung_up = True
            return False
        return None

    @property
    def live(self) -> bool:
        return not self.remote_hung_up and not self.interrupt.is_set()

    # -- parameters -------------------------------------------------------------------

    def params(self) -> dict[str, str]:
        """Twilio docs: TwiML Voice: Twilio's request to your application."""
        call = self.call
        params = {
            "AccountSid": call.account_sid,
            "ApiVersion": API_VERSION,
            "CallSid": call.sid,
            "CallStatus": call.status,
            "Called": call.to,
            "Caller": call.from_,
            "Direction": call.direction,
            "From": call.from_,
            "To": call.to,
        }
        if call.parent_call_sid:
            params["ParentCallSid"] = call.parent_call_sid
        params.update(voice_geography(call.from_, call.to))
        return params

    # -- lifecycle --------------------------------------------------------------------

    def set_status(self, status: str) -> None:
        self.call.status = status
        self.call.date_updated = self.carrier.clock.now()

    def answer(self) -> None:
        if self.call.status != "in-progress":
            self.set_status("in-progress")
            self.call.start_time = self.carrier.clock.now()
            self.callbacks.send("answered", self.call, self.params())

    def finish(self, status: str = "completed") -> None:
        if self.call.status in FINAL:
            return
        answered = self.call.start_time is not None
        self.call.duration = int(round(self.elapsed)) if answered else 0
        self.call.end_time = self.carrier.clock.now()
        self.set_status(status)
        if answered and self.record_call:
            recording = self.carrier.new_recording(self.call.sid, self.elapsed, "OutboundAPI", self.call.start_time)
            self.carrier.send_recording_status(
                self.recording_status_callback, self.recording_status_callback_method, recording, self.call.sid
            )
        self.callbacks.send("completed", self.call, self.params(), {"CallDuration": str(self.call.duration)})

    def run_inbound(self, voice_url: str | None, voice_method: str, twiml: str | None = None) -> None:
        try:
            self.run_document(Fetch(voice_url, voice_method, kind="voice", twiml=twiml))
        finally:
            self.finish()
            self.done.set()

    def run_outbound(self, url: str | None, method: str, twiml: str | None, timeout: float) -> None:
        """Twilio support: "Tracking the Status of an Outbound Twilio Voice Call"
        (https://support.twilio.com/hc/en-us/articles/223132267): a call created through the
        REST API goes queued, initiated, ringing, in-progress, completed; each event named
        in StatusCallbackEvent is posted with the call's status at that moment, so the
        initiated event carries CallStatus=initiated and the answered event
        CallStatus=in-progress (as twilio/twilio-java#321 shows from a live account)."""
        try:
            self.set_status("initiated")
            self.callbacks.send("initiated", self.call, self.params())
            self.set_status("ringing")
            self.callbacks.send("ringing", self.call, self.params())
            party = self.remote
            if party.manual:
                # A person answers or declines on the phone page, within the timeout.
                ring = self.carrier.ring(self.call)
                decided = self.wait_for(ring.decided, timeout)
                decision = self.carrier.close_ring(ring)
                self.elapsed = 0.0  # ringing is not talking
                if decided is False or decision != "answer":
                    self.finish("canceled" if decided is False else BUSY if decision == "decline" else NO_ANSWER)
                    return
                self.answer()
                self.run_document(Fetch(url, method, kind="voice", twiml=twiml))
                return
            if party.outcome == BUSY or party.outcome == FAILED:
                self.carrier.clock.sleep(1.0, self.interrupt)
                self.finish(party.outcome)
                return
            if party.outcome == NO_ANSWER or party.answer_after >= timeout:
                self.carrier.clock.sleep(timeout, self.interrupt)
                self.finish("canceled" if self.interrupt.is_set() else "no-answer")
                return
            if not self.carrier.clock.sleep(party.answer_after, self.interrupt):
                self.finish("canceled")
                return
            self.answer()
            self.run_document(Fetch(url, method, kind="voice", twiml=twiml))
        finally:
            self.finish()
            self.done.set()

    # -- TwiML ------------------------------------------------------------------------

    def fetch(self, step: Fetch) -> tuple[ET.Element, str] | None:
        if step.twiml is not None:
            source, base = step.twiml, ""
        else:
            params = self.params()
            params.update(step.params or {})
            exchange = self.carrier.webhooks.send(step.kind, step.url, params, step.method, call_sid=self.call.sid)
            if not exchange.ok:
                # Twilio docs: Error 11200 HTTP retrieval failure.
                self.carrier.record_error(11200, f"{step.url} answered {exchange.status or exchange.error}",
                                          self.call.sid)
                return None
            source, base = exchange.body, step.url
        try:
            root = ET.fromstring(source)
        except ET.ParseError as error:
            # Twilio docs: Error 12100 Document parse failure.
            self.carrier.record_error(12100, f"{step.url or 'Twiml'}: {error}", self.call.sid)
            return None
        if root.tag != "Response":
            self.carrier.record_error(12100, f"{step.url or 'Twiml'}: root element is <{root.tag}>", self.call.sid)
            return None
        return root, base

    def run_document(self, step: Fetch | None) -> None:
        documents = 0
        while step is not None:
            documents += 1
            if documents > MAX_DOCUMENTS:
                self.carrier.record_error(12100, "too many TwiML documents for one call", self.call.sid)
                return
            loaded = self.fetch(step)
            if loaded is None:
                return
            root, base = loaded
            step = self.run_verbs(list(root), base)

    def run_verbs(self, verbs: list[ET.Element], base: str) -> Fetch | None:
        for verb in verbs:
            if self.redirect is not None:
                step, self.redirect = self.redirect, None
                self.interrupt.clear()
                return step
            if not self.live:
                return None
            handler = getattr(self, "verb_" + verb.tag.lower(), None)
            if handler is None:
                # Twilio docs: Error 12200 Schema validation warning / 12100 for unknown verbs.
                self.carrier.record_error(12100, f"unsupported verb <{verb.tag}>", self.call.sid)
                return None
            if verb.tag != "Reject":
                self.answer()  # Twilio answers an inbound call at its first verb
            outcome = handler(verb, base)
            if self.redirect is not None:
                continue  # the REST API redirected the call while this verb ran
            if outcome == HANGUP:
                return None
            if isinstance(outcome, Fetch):
                return outcome
        if self.redirect is not None:
            step, self.redirect = self.redirect, None
            self.interrupt.clear()
            return step
        # Twilio docs: TwiML Voice: "If Twilio reaches the end of the document, it hangs up."
        return None
