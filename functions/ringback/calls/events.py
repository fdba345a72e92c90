"""Call events for the customer's own systems: signed JSON webhooks, retried with backoff.

Every call event (ringing, answered, missed, recording, voicemail, and a user's change of
its lead: updated) and callback outcome is
published once per enabled endpoint of the site that subscribes to its type. A delivery
POSTs the event as JSON with

    Ringback-Event-Id: call.missed:tw:CA…          (the same on every retry: receivers dedupe)
    Ringback-Signature: t=1795612345,v1=<hex HMAC-SHA256 of "t.body" under the endpoint secret>

and counts as delivered on any 2xx. Anything else is retried after 30 s, 2 min, 10 min,
1 h and 6 h, then given up and logged with its event id. A queue may hold a message back
for at most MAX_QUEUE_DELAY seconds (SQS: 15 minutes), so a longer wait is a message that
comes back early and is put back until its time.

A rotated secret keeps signing for ROTATION_OVERLAP_MS beside the new one: the header then
carries one v1= per secret (`t=…,v1=<new>,v1=<old>`), so a receiver holding either one
verifies, and may switch to the new secret at any time within the overlap. `verify` is
what a receiver does. Each attempt reads the endpoint as it is now (`Events(sites=…)`), so
a retry after a rotation is signed with the secrets of then, and an endpoint deleted or
disabled since the event gets no more attempts.

Every POST is kept in the endpoint's delivery log (`Events(deliveries=…)`,
calls/deliveries.py), so its admins see what was sent and what came of it; a log that
cannot be written changes nothing about the delivery or its retries.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable, Protocol

from ringback.calls.deliveries import DeliveryAttempt, Sent, Stopwatch, record, send

if TYPE_CHECKING:
    from ringback.ports import DeliveryLog, SiteDirectory

BACKOFF_SECONDS = (30, 120, 600, 3600, 21600)
MAX_QUEUE_DELAY = 900
SIGNATURE_TOLERANCE_SECONDS = 300
ROTATION_OVERLAP_MS = 24 * 3600 * 1000
EVENT_TYPES = ("call.ringing", "call.answered", "call.missed", "call.recording", "call.voicemail",
               "callback.completed", "callback.missed",
               # A user changed the call's lead: its status, value, tags, follow-up or notes
               # (ringback.calls.desk). Sent once per change: its id names the lead's version.
               "call.updated")
# Sent only when asked for (POST /v1/sites/{site}/webhooks/{id}/test), to whatever the
# endpoint subscribes to.
TEST_EVENT = "webhook.test"


@dataclass(frozen=True)
class Endpoint:
    """One of a site's webhook endpoints, as stored in Site.settings["webhooks"]."""

    url: str
    secret: str
    webhook_id: str | None = None
    # The event types it subscribes to; None: every type, including types added later.
    events: tuple[str, ...] | None = None
    enabled: bool = True
    created_at: int = 0
    # The secret a rotation replaced, which signs beside the new one until previous_until (ms).
    previous_secret: str | None = None
    previous_until: int = 0

    def subscribes(self, event_type: str) -> bool:
        return self.enabled and (self.events is None or event_type in self.events)

    def secrets_at(self, now_ms: int) -> tuple[str, ...]:
        """The secrets that sign at this instant: the current one, then the previous one
        while its overlap lasts."""
        if self.previous_secret and now_ms < self.previous_until:
            return self.secret, self.previous_secret
        return (self.secret,)

    def as_stored(self, now_ms: int) -> dict[str, Any]:
        stored: dict[str, Any] = {"id": self.webhook_id, "url": self.url, "secret": self.secret,
                                  "enabled": self.enabled, "created_at": self.created_at}
        if self.events is not None:
            stored["events"] = list(self.events)
        # An overlap that has ended is dropped with the next write.
        if self.previous_secret and now_ms < self.previous_until:
            stored["previous_secret"], stored["previous_until"] = self.previous_secret, self.previous_until
        return stored

    @staticmethod
    def from_stored(stored: dict[str, Any]) -> "Endpoint":
        events = stored.get("events")
        return Endpoint(
            stored["url"], stored["secret"],
            # Endpoints written before they had ids (straight into the settings) get a
            # stable one from their URL, so the API can name them.
            webhook_id=stored.get("id") or legacy_id(stored["url"]),
            events=tuple(events) if events is not None else None,
            enabled=stored.get("enabled", True), created_at=stored.get("created_at", 0),
            previous_secret=stored.get("previous_secret"), previous_until=stored.get("previous_until", 0),
        )


def legacy_id(url: str) -> str:
    return "wh_" + hashlib.sha256(url.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Delivery:
    """One event for one endpoint; `attempt` counts from 1."""

    event_id: str
    event_type: str
    tenant_id: str
    site_id: str
    occurred_at: int
    data: dict[str, Any]
    endpoint: Endpoint
    attempt: int = 1
    not_before: int = 0  # epoch ms; a delivery received earlier goes back on the queue

    def body(self) -> bytes:
        return json.dumps(
            {"id": self.event_id, "type": self.event_type, "tenant_id": self.tenant_id, "site_id": self.site_id,
             "occurred_at": self.occurred_at, "data": self.data},
            sort_keys=True, separators=(",", ":"),
        ).encode()

    def headers(self, now_ms: int, body: bytes) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "Ringback-Event-Id": self.event_id,
            "Ringback-Signature": sign(self.endpoint.secrets_at(now_ms), now_ms // 1000, body),
        }

    def attempted(self, at_ms: int, sent: Sent) -> DeliveryAttempt:
        """This attempt as the delivery log keeps it: no body, no secret."""
        return DeliveryAttempt(self.tenant_id, self.site_id, self.endpoint.webhook_id or legacy_id(self.endpoint.url),
                               self.event_id, self.event_type, self.attempt, at_ms, sent.outcome, sent.status,
                               sent.duration_ms, sent.error)

    def as_message(self) -> dict[str, Any]:
        endpoint = {**self.endpoint.__dict__,
                    "events": list(self.endpoint.events) if self.endpoint.events is not None else None}
        return {**self.__dict__, "endpoint": endpoint}

    @staticmethod
    def from_message(message: dict[str, Any]) -> "Delivery":
        endpoint = dict(message["endpoint"])
        if endpoint.get("events") is not None:
            endpoint["events"] = tuple(endpoint["events"])
        return Delivery(**{**message, "endpoint": Endpoint(**endpoint)})


class DeliveryQueue(Protocol):
    def send(self, delivery: Delivery, delay_seconds: int) -> None: ...


def endpoints_of(settings: dict[str, Any]) -> list[Endpoint]:
    """Every endpoint of the site, enabled or not."""
    hooks = settings.get("webhooks") or []
    return [Endpoint.from_stored(h) for h in hooks if h.get("url") and h.get("secret")]


def sign(secrets: str | Iterable[str], timestamp: int, body: bytes) -> str:
    """`t=<timestamp>,v1=<mac>[,v1=<mac>…]`: one v1 per secret, the current one first."""
    chosen = [secrets] if isinstance(secrets, str) else list(secrets)
    macs = [hmac.new(s.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest() for s in chosen]
    return ",".join([f"t={timestamp}", *(f"v1={mac}" for mac in macs)])


def verify(secret: str, header: str, body: bytes, now_s: int) -> bool:
    """What a receiver does (and what the README shows): the header's timestamp is recent,
    and one of its v1 signatures is the HMAC of "t.body" under the secret it holds. Other
    schemes (a later v2) are ignored, so a receiver keeps working when one is added."""
    timestamp, signatures = None, []
    for item in header.split(","):
        scheme, _, value = item.strip().partition("=")
        if scheme == "t":
            timestamp = value
        elif scheme == "v1":
            signatures.append(value)
    try:
        at = int(timestamp or "")
    except ValueError:
        return False
    if abs(now_s - at) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, s) for s in signatures)


class Events:
    def __init__(self, queue: DeliveryQueue, post: Callable[[str, bytes, dict[str, str]], int], clock,
                 sites: "SiteDirectory | None" = None, deliveries: "DeliveryLog | None" = None,
                 stopwatch: Stopwatch = time.monotonic) -> None:
        self._queue, self._post, self._clock, self._sites = queue, post, clock, sites
        self._deliveries, self._stopwatch = deliveries, stopwatch

    def publish(self, event_type: str, call_id: str, tenant_id: str, site_id: str, site_settings: dict,
                data: dict[str, Any], occurrence: str | None = None) -> int:
        """Queue the event for every enabled endpoint of the site subscribed to its type;
        returns how many. The event id is `{type}:{call_id}`, which a receiver dedupes on;
        a type that happens to one call many times (call.updated) names each occurrence
        (`{type}:{call_id}:{occurrence}`), so a second change is not taken for a retry."""
        endpoints = [e for e in endpoints_of(site_settings) if e.subscribes(event_type)]
        event_id = f"{event_type}:{call_id}" + (f":{occurrence}" if occurrence else "")
        for endpoint in endpoints:
            self._queue.send(
                Delivery(event_id, event_type, tenant_id, site_id, self._clock.now_ms(), data, endpoint),
                delay_seconds=0,
            )
        return len(endpoints)

    def _enqueue(self, delivery: Delivery) -> None:
        wait = max(0, (delivery.not_before - self._clock.now_ms() + 999) // 1000)
        self._queue.send(delivery, delay_seconds=min(wait, MAX_QUEUE_DELAY))

    def deliver(self, delivery: Delivery) -> str:
        """POST one delivery; on failure queue the next attempt. Returns the result:
        delivered, retrying, given_up, waiting (not due yet) or dropped (the endpoint was
        deleted, disabled or unsubscribed since)."""
        if delivery.not_before > self._clock.now_ms():
            self._enqueue(delivery)
            return "waiting"
        endpoint = self._current(delivery)
        if endpoint is None:
            return "dropped"
        delivery = replace(delivery, endpoint=endpoint)
        body = delivery.body()
        at = self._clock.now_ms()
        sent = send(self._post, endpoint.url, body, delivery.headers(at, body), self._stopwatch)
        record(self._deliveries, delivery.attempted(at, sent))
        if sent.delivered:
            return "delivered"
        if delivery.attempt > len(BACKOFF_SECONDS):
            return "given_up"
        retry_at = self._clock.now_ms() + BACKOFF_SECONDS[delivery.attempt - 1] * 1000
        self._enqueue(replace(delivery, attempt=delivery.attempt + 1, not_before=retry_at))
        return "retrying"

    def _current(self, delivery: Delivery) -> Endpoint | None:
        """The endpoint as the site holds it now; the queued copy when there is no site
        directory to ask, or for a delivery queued before endpoints had ids."""
        queued = delivery.endpoint
        if self._sites is None or queued.webhook_id is None:
            return queued
        site = self._sites.get(delivery.site_id)
        if site is None:
            return None
        now = next((e for e in endpoints_of(site.settings) if e.webhook_id == queued.webhook_id), None)
        return now if now is not None and now.subscribes(delivery.event_type) else None
