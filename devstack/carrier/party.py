"""Scripted parties: how the phone at a number behaves when the carrier calls it or when it
calls in.

    Party(answer_after=1, talk_for=5)          answers after 1 s, hangs up 5 s after answering
    Party.busy() / Party.no_answer() / Party.fails()
    Party(presses=("123", ""))                 first <Gather> gets 123, second gets nothing
    Party(speaks_for=4)                        talks 4 s into each <Record>
    Party.interactive()                        a person decides: answer, decline or hang up
                                               through the control surface (the phone page)

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

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES}, got {self.outcome!r}")
        if isinstance(self.presses, str):
            object.__setattr__(self, "presses", (self.presses,))

    @classmethod
    def busy(cls) -> "Party":
        return cls(outcome=BUSY)

    @classmethod
    def no_answer(cls) -> "Party":
        return cls(outcome=NO_ANSWER)

    @classmethod
    def fails(cls) -> "Party":
        return cls(outcome=FAILED)

    @classmethod
    def interactive(cls) -> "Party":
        return cls(outcome=INTERACTIVE, talk_for=None)

    @property
    def manual(self) -> bool:
        return self.outcome == INTERACTIVE

    @classmethod
    def from_json(cls, data: dict) -> "Party":
        outcome = data.get("outcome", ANSWER)
        # A person on the phone page stays on the line until they hang up.
        talk_for = data.get("talk_for", None if outcome == INTERACTIVE else 10.0)
        return cls(
            answer_after=float(data.get("answer_after", 1.0)),
            outcome=outcome,
            talk_for=None if talk_for is None else float(talk_for),
            presses=tuple(data.get("presses", ())),
            speaks_for=float(data.get("speaks_for", 3.0)),
        )


# A number nobody scripted: answers after a second and talks for ten (callee), or stays on
# the line until the application ends the call (caller).
DEFAULT_CALLEE = Party()
DEFAULT_CALLER = Party(answer_after=0.0, talk_for=None)
