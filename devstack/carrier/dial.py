"""<Dial>: the second leg of a call, its ringing, answer, whisper, bridge and recording.

Twilio docs: TwiML Voice: <Dial> (https://www.twilio.com/docs/voice/twiml/dial):
- timeout (default 30 s) is how long the dialled party may ring; on expiry DialCallStatus is
  no-answer.
- record: do-not-record (default), record-from-answer, record-from-ringing (and their -dual
  forms); "true" is the legacy spelling of record-from-answer.
- action receives DialCallStatus (completed, answered, busy, no-answer, failed, canceled),
  DialCallSid, DialCallDuration, DialBridged and, when recorded, RecordingUrl,
  RecordingSid, RecordingDuration; its TwiML response continues the call. Without action
  the call continues with the verb after <Dial>.
- callerId defaults to the caller's number.
- timeLimit (default 14400 s) bounds the bridged call.
Twilio docs: TwiML Voice: <Number>: url is TwiML run for the called party before the
calls are connected (a whisper); statusCallback with statusCallbackEvent (initiated
ringing answered completed, default completed) reports the dialled leg.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from devstack.carrier.party import BUSY, FAILED, NO_ANSWER
from devstack.carrier.records import Call, new_sid
from devstack.carrier.voice import Fetch, StatusCallbacks

if TYPE_CHECKING:
    from devstack.carrier.voice import CallSession

RECORD_FROM_ANSWER = ("record-from-answer", "record-from-answer-dual", "true")
RECORD_FROM_RINGING = ("record-from-ringing", "record-from-ringing-dual")


class Dial:
    def __init__(self, session: CallSession, verb: ET.Element, base: str) -> None:
        self.session = session
        self.carrier = session.carrier
        self.verb = verb
        self.base = base

    def target(self) -> tuple[str, ET.Element | None]:
        numbers = [child for child in self.verb if child.tag == "Number"]
        if numbers:
            return (numbers[0].text or "").strip(), numbers[0]
        return (self.verb.text or "").strip(), None

    def run(self):
        session, verb = self.session, self.verb
        number, noun = self.target()
        timeout = float(verb.get("timeout", "30"))
        time_limit = float(verb.get("timeLimit", "14400"))
        record = verb.get("record", "do-not-record").lower()
        parent = session.call
        clock = self.carrier.clock

        child = Call(
            sid=new_sid("CA"),
            account_sid=parent.account_sid,
            from_=verb.get("callerId") or parent.from_,
            to=number,
            direction="outbound-dial",
            # Twilio support article 223132267: child calls created by <Dial> skip the
            # queued state and start at initiated.
            status="initiated",
            date_created=clock.now(),
            parent_call_sid=parent.sid,
        )
        self.carrier.add_call(child)
        party = self.carrier.party_for(number, callee=True)
        events = (noun.get("statusCallbackEvent", "") if noun is not None else "").split()
        callbacks = StatusCallbacks(
            self.carrier,
            session.resolve(self.base, noun.get("statusCallback")) if noun is not None else None,
            events,
            noun.get("statusCallbackMethod", "POST") if noun is not None else "POST",
        )
        from devstack.carrier.voice import CallSession

        leg = CallSession(self.carrier, child, party, callbacks)
        callbacks.send("initiated", child, leg.params())
        leg.set_status("ringing")
        callbacks.send("ringing", child, leg.params())

        ring_started = session.elapsed
        answered = False
        ring = self.carrier.ring(child) if party.manual else None
        if ring is not None:
            # A person decides on the phone page; no decision within the timeout is no-answer.
            decided = session.wait_for(ring.decided, timeout)
            decision = self.carrier.close_ring(ring)
            if decided is False:
                dial_status = "canceled"
            elif decision == "answer":
                answered = True
                dial_status = "completed"
            elif decision == "decline":
                # Declining on a handset answers the INVITE with 486 Busy Here or 603
                # Decline. Twilio docs: error 34002 "Callee Busy"
                # (https://www.twilio.com/docs/api/errors/34002) covers "the called device
                # or PBX rejected the call with a busy status", and the call ends busy.
                dial_status = BUSY
            else:
                dial_status = NO_ANSWER
        elif party.outcome in (BUSY, FAILED):
            session.wait(1.0)
            dial_status = party.outcome
        elif party.outcome == NO_ANSWER or party.answer_after >= timeout:
            dial_status = "no-answer" if session.wait(timeout) else "canceled"
        elif not session.wait(party.answer_after):
            dial_status = "canceled"
        else:
            answered = True
            dial_status = "completed"
        rang_for = session.elapsed - ring_started

        bridged = 0.0
        if answered:
            leg.answer()
            whisper = session.resolve(self.base, noun.get("url")) if noun is not None else None
            connected = True
            if whisper:
                connected = self.run_whisper(leg, whisper, noun.get("method", "POST"), ring)
            if connected and session.live:
                # The bridge lasts until either side hangs up or the time limit.
                limit = min(party.talk_for if party.talk_for is not None else time_limit, time_limit)
                before = session.elapsed
                if ring is not None:
                    session.wait_for(ring.hung_up, limit)
                else:
                    session.wait(limit)
                bridged = session.elapsed - before
            leg.elapsed = bridged
            leg.finish("completed")
        else:
            leg.finish(dial_status)

        if ring is not None:
            ring.dial_status = dial_status
        params = {"DialCallStatus": dial_status, "DialCallSid": child.sid, "DialBridged": str(bridged > 0).lower()}
        if answered:
            params["DialCallDuration"] = str(int(round(bridged)))

        recorded = 0.0
        if record in RECORD_FROM_ANSWER and answered:
            recorded = bridged
        elif record in RECORD_FROM_RINGING:
            recorded = rang_for + bridged
        if recorded > 0:
            recording = self.carrier.new_recording(parent.sid, recorded, "DialVerb", clock.now())
            self.carrier.send_recording_status(
                session.resolve(self.base, verb.get("recordingStatusCallback")),
                verb.get("recordingStatusCallbackMethod", "POST"),
                recording,
                parent.sid,
            )
            params.update(
                {
                    "RecordingUrl": self.carrier.recording_url(recording),
                    "RecordingSid": recording.sid,
                    "RecordingDuration": str(recording.duration),
                }
            )

        action = session.resolve(self.base, verb.get("action"))
        if not action or session.redirect is not None:
            return None
        method = verb.get("method", "POST")
        if not session.live:
            # The caller hung up: Twilio still requests the action URL, and ignores its TwiML.
            ended = dict(session.params(), CallStatus="completed", **params)
            self.carrier.webhooks.send("action", action, ended, method, call_sid=parent.sid)
            return "hangup"
        return Fetch(action, method, params, kind="action")

    def run_whisper(self, leg: CallSession, url: str, method: str, ring=None) -> bool:
        """Runs <Say>, <Play> and <Pause> of the whisper TwiML for the called party; a
        <Hangup> there ends the dialled leg without connecting the caller. An interactive
        party's `ring.heard` collects the <Say> text; hanging up during the whisper ends the
        leg without connecting.

        Twilio docs: TwiML Voice: <Number>, attribute url
        (https://www.twilio.com/docs/voice/twiml/number): the url TwiML runs for the called
        party "after they answer, but before the parties are connected", and may decline the
        call with <Gather> and <Hangup>. The called leg was answered, so it ends completed;
        the <Dial> action then reports DialCallStatus=completed with DialBridged=false, the
        parameter Twilio's <Dial> page (https://www.twilio.com/docs/voice/twiml/dial#action)
        documents for whether the two calls were connected. This pairing is our reading of
        those two pages together; no Twilio page shows that exact request, so the dial
        webhook (functions/dialer) treats DialBridged=false as unanswered whatever
        DialCallStatus says."""
        loaded = leg.fetch(Fetch(url, method, kind="whisper"))
        if loaded is None:
            return False
        root, base = loaded
        for verb in root:
            if verb.tag == "Hangup":
                return False
            if ring is not None and ring.hung_up.is_set():
                return False
            if verb.tag == "Say" and ring is not None:
                ring.heard.append(" ".join((verb.text or "").split()))
            if verb.tag in ("Say", "Play", "Pause"):
                before = leg.elapsed
                getattr(leg, "verb_" + verb.tag.lower())(verb, base)
                # The caller waits while the whisper plays.
                self.session.wait(leg.elapsed - before)
        # An operator who hung up while the last verb played was never connected either.
        return ring is None or not ring.hung_up.is_set()
