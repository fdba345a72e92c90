"""Every attempt to deliver a webhook, kept so the customer can see what we sent their
endpoint and what came of it ("the recent deliveries and their status").

Each POST is one attempt: the events worker's (calls/events.py: a call event, each retry
an attempt of its own, numbered from 1) and a test delivery's (accounts/webhook_endpoints.py).
An attempt ends in one of four outcomes:

- `delivered`: the endpoint answered 2xx;
- `failed`: any other answer, or no valid one (connection refused, reset, garbled);
- `refused`: the URL guard would not let it go (url_guard.RefusedDestination: the host
  resolves inside a network), so nothing left our account;
- `timed_out`: no answer within the poster's timeout.

Kept with it: the HTTP status, how long the request took and a short error in our own
words. Never the body sent or read, a header, the URL or a secret; and the error is
masked (privacy.mask_text), since an OS error may quote whatever it was handed.

Recording is a side note to the delivery, never part of it: a log write that fails is
logged and forgotten (`record`), so it cannot fail a delivery, nor make the queue send
again one that reached its receiver.
"""
from __future__ import annotations

import base64
import binascii
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ringback.errors import InvalidInput
from ringback.privacy import mask_text
from ringback.url_guard import RefusedDestination

if TYPE_CHECKING:
    from ringback.ports import DeliveryLog

DELIVERED, FAILED, REFUSED, TIMED_OUT = "delivered", "failed", "refused", "timed_out"
# What the log shows, and its TTL: a month of attempts answers "did they get it?".
KEPT_MS = 30 * 24 * 3600 * 1000
PAGE_DEFAULT, PAGE_MAX = 50, 200
MAX_ERROR_CHARS = 200
# Real elapsed time, not the product clock: that one may run scaled on the local stack,
# and a request's duration is the network's, not the product's.
Stopwatch = Callable[[], float]
Post = Callable[[str, bytes, dict[str, str]], int]

_log = logging.getLogger("ringback.webhooks")
# {at:013d}#{event id}#{attempt:02d}; event ids are "{type}:{call id}[:{occurrence}]".
_DELIVERY_ID = re.compile(r"^\d{13}#[\w.:-]{1,300}#\d{2,}$")


@dataclass(frozen=True)
class DeliveryAttempt:
    tenant_id: str
    site_id: str
    endpoint_id: str
    event_id: str
    event_type: str
    attempt: int
    at: int  # epoch ms, when the POST started
    outcome: str  # delivered | failed | refused | timed_out
    http_status: int | None  # None: no answer came
    duration_ms: int
    error: str | None = None

    @property
    def delivery_id(self) -> str:
        """Sorts an endpoint's attempts by time, so the log reads newest first."""
        return f"{self.at:013d}#{self.event_id}#{self.attempt:02d}"

    def as_json(self) -> dict[str, Any]:
        return {"deliveryId": self.delivery_id, "eventId": self.event_id, "eventType": self.event_type,
                "attempt": self.attempt, "at": self.at, "outcome": self.outcome, "httpStatus": self.http_status,
                "durationMs": self.duration_ms, "error": self.error}


@dataclass(frozen=True)
class Sent:
    """What one POST came to. `problem`: the error as the caller may show it to the
    endpoint's own admin (the test delivery's answer); `error`: what the log keeps."""

    outcome: str
    status: int | None
    duration_ms: int
    error: str | None = None
    problem: str | None = None

    @property
    def delivered(self) -> bool:
        return self.outcome == DELIVERED


def send(post: Post, url: str, body: bytes, headers: dict[str, str], stopwatch: Stopwatch = time.monotonic) -> Sent:
    """POST once and say what came of it; an OSError (no answer) is an outcome, not raised."""
    started = stopwatch()

    def took() -> int:
        return max(0, round((stopwatch() - started) * 1000))

    try:
        status = post(url, body, headers)
    except RefusedDestination as error:
        return Sent(REFUSED, None, took(), _short(str(error)), _problem(error))
    except TimeoutError as error:
        return Sent(TIMED_OUT, None, took(), "no answer in time", _problem(error))
    except OSError as error:
        return Sent(FAILED, None, took(), _short(_problem(error)), _problem(error))
    if 200 <= status < 300:
        return Sent(DELIVERED, status, took())
    return Sent(FAILED, status, took(), f"answered HTTP {status}")


def record(log: DeliveryLog | None, attempt: DeliveryAttempt) -> None:
    """Keep the attempt; a failed write is logged and the delivery goes on as it was."""
    if log is None:
        return
    try:
        log.add(attempt)
    except Exception as error:  # noqa: BLE001 - whatever broke the record, the delivery stands
        _log.warning("webhook delivery not recorded (%s: %s); event %s, attempt %d, endpoint %s",
                     error.__class__.__name__, _short(str(error)), attempt.event_id, attempt.attempt,
                     attempt.endpoint_id)


def page(log: DeliveryLog, tenant_id: str, site_id: str, endpoint_id: str, now_ms: int,
         limit: int = PAGE_DEFAULT, cursor: str | None = None) -> dict[str, Any]:
    """One page of the endpoint's attempts of the last KEPT_MS, newest first. The cursor
    is opaque to clients; the log reads only the caller's endpoint whatever it holds."""
    if not 1 <= limit <= PAGE_MAX:
        raise InvalidInput(f"'limit' is from 1 to {PAGE_MAX}", code="invalid_parameter", details={"field": "limit"})
    attempts, last = log.of_endpoint(tenant_id, site_id, endpoint_id, now_ms - KEPT_MS, limit, _after(cursor))
    return {"deliveries": [a.as_json() for a in attempts], "cursor": _cursor(last)}


def _cursor(delivery_id: str | None) -> str | None:
    return base64.urlsafe_b64encode(delivery_id.encode()).decode().rstrip("=") if delivery_id else None


def _after(cursor: str | None) -> str | None:
    if cursor is None:
        return None
    try:
        decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode() if len(cursor) <= 500 else ""
    except (binascii.Error, ValueError):
        decoded = ""
    if not _DELIVERY_ID.match(decoded):
        raise InvalidInput("not a cursor this list gave", code="invalid_cursor", details={"field": "cursor"})
    return decoded


def _problem(error: OSError) -> str:
    return (str(error) or error.__class__.__name__)[:300]


def _short(text: str) -> str:
    return mask_text(text)[:MAX_ERROR_CHARS]
