"""A person on the phone page (phone_page.py): the calls that ring an interactive party
(`Party.interactive()`), answered, declined or hung up by hand.

`PhoneDecisions` is that part of `Carrier` (carrier.py): it works on the carrier's calls,
sessions and rings under the carrier's lock.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from devstack.carrier.records import Call


@dataclass
class Ring:
    """A call to an interactive party (`Party.interactive()`): it rings until a person
    answers or declines it on the phone page, and once answered it lasts until they hang
    up. `heard` is what the person hears before being connected (the whisper's <Say>s)."""

    call_sid: str
    parent_call_sid: str | None
    decided: threading.Event = field(default_factory=threading.Event)
    decision: str | None = None  # answer or decline
    hung_up: threading.Event = field(default_factory=threading.Event)
    heard: list[str] = field(default_factory=list)
    dial_status: str | None = None  # the <Dial> outcome, once known

    @property
    def awaiting(self) -> bool:
        return not self.decided.is_set()


class PhoneDecisions:
    def ring(self, call: Call) -> Ring:
        """`call` now rings an interactive party; the phone page decides what happens."""
        ring = Ring(call.sid, call.parent_call_sid)
        with self.lock:
            self.rings[call.sid] = ring
        return ring

    def close_ring(self, ring: Ring) -> str | None:
        """The ring is over (decided, timed out or abandoned): no decision is taken after
        this. Returns the decision, if one came in time."""
        with self.lock:
            ring.decided.set()
            return ring.decision

    def _ring(self, call_sid: str) -> Ring:
        with self.lock:
            ring = self.rings.get(call_sid)
        if ring is None:
            raise LookupError(f"{call_sid} is not a call to an interactive party")
        return ring

    def answer(self, call_sid: str) -> Ring:
        return self._decide(call_sid, "answer")

    def decline(self, call_sid: str) -> Ring:
        return self._decide(call_sid, "decline")

    def _decide(self, call_sid: str, decision: str) -> Ring:
        ring = self._ring(call_sid)
        with self.lock:
            call = self.calls[call_sid]
            if not ring.awaiting or call.status != "ringing":
                raise ValueError(f"{call_sid} is not ringing (it is {call.status})")
            ring.decision = decision
            ring.decided.set()
        return ring

    def hang_up(self, call_sid: str) -> Call:
        """The person on the phone page hangs up: an answered interactive leg ends (the
        <Dial> then reports completed), any other live call ends as after
        Status=completed on the REST API."""
        with self.lock:
            call = self.calls.get(call_sid)
            ring = self.rings.get(call_sid)
        if call is None:
            raise LookupError(f"no call {call_sid}")
        if call.status in ("completed", "busy", "no-answer", "failed", "canceled"):
            raise ValueError(f"{call_sid} has already ended ({call.status})")
        if ring is not None and ring.decision == "answer":
            ring.hung_up.set()
            with self.lock:
                session = self.sessions.get(call_sid)
            if session is None:  # a <Dial> leg: the Dial sees hung_up and ends the bridge
                return call
            session.remote_hung_up = True  # a call placed through the REST API
        if ring is not None and ring.awaiting:
            raise ValueError(f"{call_sid} is ringing: answer or decline it")
        return self.update_call(call_sid, "completed", None, "POST", None)
