"""What a callback is made of: the request and its legs as stored, the states it moves
through, what the workflow and the carrier report, and the ports the callback
service needs (its store, the dial workflow, the outbound dialler)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from phonenumbers import PhoneNumberType

from ringback.callbacks.policy import Ring
from ringback.calls.log import Page
from ringback.guards import Limit

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
    "Callback.SiteRemoved": "site_removed",
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
    # RoundResult.as_json() of every round so far, with the `whisper` its operator heard, if any
    rounds: list[dict[str, Any]] = field(default_factory=list)
    # The round being rung: round, leg_seq, token, operator_leg, answered, whisper (once spoken)
    pending: dict[str, Any] | None = None
    transitions: list[dict[str, Any]] = field(default_factory=list)
    attribution: dict[str, Any] = field(default_factory=dict)
    outcome: dict[str, Any] = field(default_factory=dict)
    recordings: dict[str, str] = field(default_factory=dict)  # recording sid -> S3 key
    # Texts about a missed request: message id -> summary.
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)
    locale: str | None = None
    version: int = 0
    updated_at: int = 0
    # Each time a member asked to dial a missed or failed request again (callbacks/retries.py):
    # attempt, at, by, key, after (the status it ended in), outcome, rounds_before, round_base.
    retries: list[dict[str, Any]] = field(default_factory=list)
    # Epoch ms: the tenant's retention from its creation; TTL removes it then (None: kept).
    retain_until: int | None = None

    @property
    def site_phone(self) -> str:
        return f"{self.site_id}#{self.phone}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    @property
    def attempt(self) -> int:
        """Which dial of the request this is: 0 the visitor's own, then one per manual retry;
        each is its own execution of the dial workflow (execution_name)."""
        return len(self.retries)

    @property
    def series(self) -> tuple[int, int]:
        """Where the rounds of the current attempt begin: (their first index in `rounds`,
        the last round number before them). The dial policy sees a retried request as a new
        one, with fresh rounds and retries; round numbers go on counting, so every round's
        legs keep keys of their own."""
        if not self.retries:
            return 0, 0
        return int(self.retries[-1]["rounds_before"]), int(self.retries[-1]["round_base"])

    @property
    def whisper(self) -> str | None:
        """What an operator heard last: the round being rung, else the latest round in
        which one answered (a later round nobody answered leaves it standing)."""
        for entry in [self.pending or {}, *reversed(self.rounds)]:
            whisper: str | None = entry.get("whisper")
            if whisper:
                return whisper
        return None

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

    def as_json(self, legs: list[CallbackLeg] | None = None) -> dict[str, Any]:
        """The dashboard's view."""
        out = {
            "request_id": self.request_id, "tenant_id": self.tenant_id, "site_id": self.site_id,
            "phone": self.phone, "session_id": self.session_id, "created_at": self.created_at,
            "status": self.status, "scheduled_for": self.scheduled_for, "retry_at": self.retry_at,
            # Every round names its whisper, null when no operator answered in it.
            "rounds": [{**r, "whisper": r.get("whisper")} for r in self.rounds], "whisper": self.whisper,
            "transitions": self.transitions, "attribution": self.attribution,
            "outcome": self.outcome, "recordings": sorted(self.recordings), "alerts": self.alerts,
            # Who asked to dial it again, and how it had ended; never the Idempotency-Key.
            "retries": [{k: v for k, v in r.items() if k in RETRY_FIELDS} for r in self.retries],
        }
        if legs is not None:
            out["legs"] = [leg.as_json() for leg in legs]
        return out


RETRY_FIELDS = ("attempt", "at", "by", "after", "outcome")


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
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

    def for_tenant(self, tenant_id: str, start_ms: int, end_ms: int, limit: int,
                   cursor: str | None) -> Page[CallbackRequest]: ...

    def put_leg(self, leg: CallbackLeg) -> None: ...

    def legs_of(self, request_id: str) -> list[CallbackLeg]: ...

    def note_alert(self, request_id: str, message_id: str, alert: dict[str, Any]) -> None:
        """Keep the latest state of a text about the request, as CallLog.note_alert does;
        it counts as a write (the version moves), so no read-modify-write loses it."""
        ...


def execution_name(request_id: str, attempt: int = 0) -> str:
    """The dial workflow's execution for one attempt of a request. Step Functions refuses a
    second execution of a name, so a retried start can never dial twice; a manual retry is
    a new attempt, and so a new name."""
    return request_id if attempt == 0 else f"{request_id}-retry-{attempt}"


class DialWorkflow(Protocol):
    def start(self, request_id: str, attempt: int = 0) -> None:
        """Start the dial workflow for this attempt of the request (execution_name);
        starting the same attempt twice is harmless."""
        ...

    def succeed(self, token: str, output: dict[str, Any]) -> None: ...

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
    def place_call(self, to: str, caller_id: str, answer_url: str, status_url: str, ring_seconds: int,
                   account: str | None = None) -> str:
        """Ring `to` from the carrier account `account` (the tenant's subaccount; None: our
        main account), which must own or have verified caller_id; when answered the
        carrier fetches answer_url. Returns the call id; raises CallRefused when the
        carrier refuses the call outright."""
        ...

    def cancel(self, call_id: str, account: str | None = None) -> None:
        """End the call, placed in `account`."""
        ...


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


# The longest whisper the operator hears: the carrier adapter says no more
# (carrier.operator_bridge), and the text kept on the round is cut here alike, so it is
# exactly what was spoken.
WHISPER_MAX_CHARS = 500


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

