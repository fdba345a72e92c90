"""Scripted parties: how the phone at a number behaves when the carrier calls it or when it
calls in.

    Party(answer_after=1, talk_for=5)          answers after 1 s, hangs up 5 s after answering
    Party.busy() / Party.no_answer() / Party.fails()
    Party(presses=("123", ""))                 first <Gather> gets 123, second gets nothing
                                               (a caller ID verification call takes the first
                                               entry, or digits sent to its call, as the code)
    Party(speaks_for=4)                        talks 4 s into each <Record>
    Party.interactive()                        a person decides: answer, decline or hang up
                                               through the control surface (the phone page)
    Party(sms="undelivered", sms_error=30005)  texts to this number end undelivered (30005)
    Party(sms="failed")                        texts to it fail before being sent (30008)
    Party(landline=True)                       a landline: texts end undelivered (30006)

All times are simulated seconds (see `clock.SimClock`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

ANSWER = "answer"
BUSY = "busy"
NO_ANSWER = "no-answer"
FAILED = "failed"
# Rings until someone answers or declines through the control surface (POST
# /_carrier/answer, /_carrier/decline), or until the ring times out; once answered it
# stays on the line until POST /_carrier/hangup or the other side ends the call.
INTERACTIVE = "interactive"
OUTCOMES = (ANSWER, BUSY, NO_ANSWER, FAILED, INTERACTIVE)

# How a text to this party ends (Twilio docs: Messaging: outbound message status): it is
# delivered; the carrier sent it but the handset never got it (undelivered); or it could
# not be sent at all (failed).
DELIVERED = "delivered"
UNDELIVERED = "undelivered"
FAILED_TEXT = "failed"
SMS_OUTCOMES = (DELIVERED, UNDELIVERED, FAILED_TEXT)
# The ErrorCode a text ends with unless the script names one (Twilio error pages: 30003
# "Unreachable destination handset", 30006 "Landline or unreachable carrier", 30008
# "Unknown error").
UNREACHABLE, LANDLINE, UNKNOWN_ERROR = 30003, 30006, 30008


@dataclass(frozen=True)
class Party:
    answer_after: float = 1.0
    outcome: str = ANSWER
    # Seconds after answering when this party hangs up; None stays until the other side ends.
    talk_for: float | None = 10.0
    # One entry per <Gather> this party meets; "" presses nothing (the Gather times out).
    presses: tuple[str, ...] = field(default_factory=tuple)
    # Seconds of speech this party leaves in each <Record>.
    speaks_for: float = 3.0
    # How texts to this number end, and with which ErrorCode (None: the usual one).
    sms: str = DELIVERED
    sms_error: int | None = None
    # A landline answers calls but cannot take texts: they end undelivered with 30006.
    landline: bool = False

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, got {self.outcome!r}")
        if self.sms not in SMS_OUTCOMES:
            raise ValueError(f"sms must be one of {SMS_OUTCOMES}, got {self.sms!r}")
        if isinstance(self.presses, str):
            object.__setattr__(self, "presses", (self.presses,))
        if self.landline and self.sms == DELIVERED:
            object.__setattr__(self, "sms", UNDELIVERED)
        if self.sms != DELIVERED and self.sms_error is None:
            usual = UNKNOWN_ERROR if self.sms == FAILED_TEXT else LANDLINE if self.landline else UNREACHABLE
            object.__setattr__(self, "sms_error", usual)

    @classmethod
    def busy(cls) -> Party:
        return cls(outcome=BUSY)

    @classmethod
    def no_answer(cls) -> Party:
        return cls(outcome=NO_ANSWER)

    @classmethod
    def fails(cls) -> Party:
        return cls(outcome=FAILED)

    @classmethod
    def interactive(cls) -> Party:
        return cls(outcome=INTERACTIVE, talk_for=None)

    @property
    def manual(self) -> bool:
        return self.outcome == INTERACTIVE

    @classmethod
    def from_json(cls, data: dict) -> Party:
        outcome = data.get("outcome", ANSWER)
        # A person on the phone page stays on the line until they hang up.
        talk_for = data.get("talk_for", None if outcome == INTERACTIVE else 10.0)
        return cls(
            answer_after=float(data.get("answer_after", 1.0)),
            outcome=outcome,
            talk_for=None if talk_for is None else float(talk_for),
            presses=tuple(data.get("presses", ())),
            speaks_for=float(data.get("speaks_for", 3.0)),
            sms=data.get("sms", DELIVERED),
            sms_error=None if data.get("sms_error") is None else int(data["sms_error"]),
            landline=bool(data.get("landline", False)),
        )


# A number nobody scripted: answers after a second and talks for ten (callee), or stays on
# the line until the application ends the call (caller).
DEFAULT_CALLEE = Party()
DEFAULT_CALLER = Party(answer_after=0.0, talk_for=None)
