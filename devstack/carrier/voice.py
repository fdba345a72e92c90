"""A call in progress: its timeline, the webhooks it sends and the TwiML it follows.

One `CallSession` per call runs in its own thread. Every wait goes through the carrier's
`SimClock`, so a test at scale 0.01 runs a 30-second call in 0.3 s with the same
durations in every webhook.
"""
from __future__ import annotations

import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devstack.carrier.party import BUSY, FAILED, NO_ANSWER, Party
from devstack.carrier.records import API_VERSION, Call, voice_geography

if TYPE_CHECKING:
    from devstack.carrier.carrier import Carrier

# Twilio docs: Voice API: Call resource, StatusCallbackEvent: without events only
# `completed` is sent.
DEFAULT_EVENTS = ("completed",)
FINAL = ("completed", "busy", "no-answer", "failed", "canceled")
MAX_DOCUMENTS = 50  # guard against a TwiML loop (a Redirect to itself)


@dataclass
class Fetch:
    """Continue the call with the TwiML at `url` (or the inline `twiml`)."""

    url: str | None = None
    method: str = "POST"
    params: dict | None = None
    kind: str = "action"
    twiml: str | None = None


HANGUP = "hangup"


class StatusCallbacks:
    """Twilio docs: Voice API: Call resource, "StatusCallback" and "StatusCallbackEvent":
    CallStatus, Timestamp, SequenceNumber (from 0), CallbackSource=call-progress-events,
    CallDuration on completed."""

    def __init__(self, carrier: "Carrier", url: str | None, events, method: str = "POST") -> None:
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


class CallSession:
    def __init__(self, carrier: "Carrier", call: Call, remote: Party, status_callbacks: StatusCallbacks) -> None:
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
                self.carrier.record_error(11200, f"{step.url} answered {exchange.status or exchange.error}", self.call.sid)
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

    @staticmethod
    def resolve(base: str, url: str | None) -> str | None:
        """Twilio docs: TwiML: relative URLs are resolved against the current document's URL."""
        if url is None:
            return None
        return urllib.parse.urljoin(base, url.strip()) if base else url.strip()

    # Twilio docs: TwiML Voice: <Say>. Simulated speech: 0.4 s a word, at least one second.
    def verb_say(self, verb: ET.Element, base: str):
        words = len((verb.text or "").split())
        loops = int(verb.get("loop", "1") or 1) or 1
        self.wait(max(1.0, 0.4 * words) * loops)

    # Twilio docs: TwiML Voice: <Play>. The audio is not fetched; each loop lasts a second.
    def verb_play(self, verb: ET.Element, base: str):
        loops = int(verb.get("loop", "1") or 1) or 1
        self.wait(1.0 * loops)

    # Twilio docs: TwiML Voice: <Pause>: length defaults to 1 second.
    def verb_pause(self, verb: ET.Element, base: str):
        self.wait(float(verb.get("length", "1")))

    # Twilio docs: TwiML Voice: <Hangup>.
    def verb_hangup(self, verb: ET.Element, base: str):
        return HANGUP

    # Twilio docs: TwiML Voice: <Reject> (https://www.twilio.com/docs/voice/twiml/reject):
    # the call is not answered and not billed, and "ends with a status of busy or
    # no-answer, depending on the verb's reason attribute" (default "rejected"). reason=busy
    # plays a busy signal and ends busy; reason=rejected ends no-answer.
    def verb_reject(self, verb: ET.Element, base: str):
        if self.call.start_time is None:
            self.finish(BUSY if verb.get("reason") == "busy" else NO_ANSWER)
        return HANGUP

    # Twilio docs: TwiML Voice: <Redirect>: method defaults to POST.
    def verb_redirect(self, verb: ET.Element, base: str):
        return Fetch(self.resolve(base, verb.text), verb.get("method", "POST"), kind="redirect")

    # Twilio docs: TwiML Voice: <Gather>: input dtmf, numDigits, timeout (5 s), finishOnKey
    # (#), action (defaults to the current document URL), method (POST). Nested <Say>,
    # <Play>, <Pause> run first. With no input, Twilio continues with the next verb unless
    # actionOnEmptyResult="true".
    def verb_gather(self, verb: ET.Element, base: str):
        for child in verb:
            handler = getattr(self, "verb_" + child.tag.lower(), None)
            if child.tag in ("Say", "Play", "Pause") and handler is not None:
                handler(child, base)
            if not self.live:
                return None
        timeout = float(verb.get("timeout", "5"))
        num_digits = int(verb.get("numDigits", "0") or 0)
        finish_on_key = verb.get("finishOnKey", "#")
        action = self.resolve(base, verb.get("action")) or base
        method = verb.get("method", "POST")
        pressed = self.digits.popleft() if self.digits else ""
        if finish_on_key and finish_on_key in pressed:
            pressed = pressed.split(finish_on_key, 1)[0]
        if num_digits:
            pressed = pressed[:num_digits]
        if pressed:
            if not self.wait(0.3 * len(pressed)):
                return None
            return Fetch(action, method, {"Digits": pressed, "FinishedOnKey": ""}, kind="action")
        if not self.wait(timeout):
            return None
        if verb.get("actionOnEmptyResult", "false").lower() == "true":
            return Fetch(action, method, {"Digits": "", "FinishedOnKey": ""}, kind="action")
        return None

    # Twilio docs: TwiML Voice: <Record>: maxLength (3600), timeout (5 s of silence ends it),
    # action (defaults to the current document URL) receives RecordingUrl,
    # RecordingDuration, RecordingSid and Digits ("hangup" when the caller hung up). An
    # empty recording skips the action and continues with the next verb.
    def verb_record(self, verb: ET.Element, base: str):
        max_length = float(verb.get("maxLength", "3600"))
        timeout = float(verb.get("timeout", "5"))
        action = self.resolve(base, verb.get("action")) or base
        method = verb.get("method", "POST")
        if verb.get("playBeep", "true").lower() == "true":
            self.wait(0.5)
        speech = min(self.remote.speaks_for, max_length)
        started = self.carrier.clock.now()
        before = self.elapsed
        finished = self.wait(speech)
        spoken = self.elapsed - before
        if finished and speech < max_length:
            self.wait(timeout)
        duration = int(round(spoken))
        if duration <= 0:
            return None
        recording = self.carrier.new_recording(self.call.sid, spoken, "RecordVerb", started)
        self.carrier.send_recording_status(
            self.resolve(base, verb.get("recordingStatusCallback")),
            verb.get("recordingStatusCallbackMethod", "POST"),
            recording,
            self.call.sid,
        )
        params = {
            "RecordingUrl": self.carrier.recording_url(recording),
            "RecordingDuration": str(recording.duration),
            "RecordingSid": recording.sid,
        }
        if self.remote_hung_up:
            params["Digits"] = "hangup"
            self.carrier.webhooks.send("action", action, dict(self.params(), **params), method, call_sid=self.call.sid)
            return HANGUP
        return Fetch(action, method, params, kind="action")

    # Twilio docs: TwiML Voice: <Dial> and <Number>.
    def verb_dial(self, verb: ET.Element, base: str):
        from devstack.carrier.dial import Dial

        return Dial(self, verb, base).run()
