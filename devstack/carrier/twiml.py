"""The TwiML verbs a call follows, as Twilio runs them: each one spends the call's time
or says where the call goes next (a `Fetch`, or `HANGUP`).

`TwimlVerbs` is the verb half of a `CallSession` (voice.py), which looks a verb's
method up by its tag (`verb_<tag>`) as it runs a document.
"""
from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from devstack.carrier.party import BUSY, NO_ANSWER


@dataclass
class Fetch:
    """Continue the call with the TwiML at `url` (or the inline `twiml`)."""

    url: str | None = None
    method: str = "POST"
    params: dict | None = None
    kind: str = "action"
    twiml: str | None = None


HANGUP = "hangup"


class TwimlVerbs:
    """<Say>, <Play>, <Pause>, <Hangup>, <Reject>, <Redirect>, <Gather>, <Record> and
    <Dial>, on the call session's timeline (its wait, finish, digits and far end)."""

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
