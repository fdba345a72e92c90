"""Call events for the customer's own systems: signed JSON webhooks, retried with backoff.

Every call event (ringing, answered, missed, recording, voicemail, and a user's change of
its lead: updated) and callback outcome is
published once per enabled endpoint of the site that subscribes to its type. A delivery
POSTs the event as JSON, signed in the endpoint's scheme: Standard Webhooks (new endpoints)

    webhook-id: call.missed:tw:CA…                 (the same on every retry: receivers dedupe)
    webhook-timestamp: 1795612345
    webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body" under the secret's bytes>

or the format that came first (`ringback-v1`, endpoints made before the choice)

    Ringback-Event-Id: call.missed:tw:CA…
    Ringback-Signature: t=1795612345,v1=<hex HMAC-SHA256 of "t.body" under the endpoint secret>

and counts as delivered on any 2xx. Anything else is retried after 30 s, 2 min, 10 min,
1 h and 6 h, then given up and logged with its event id. A queue may hold a message back
for at most MAX_QUEUE_DELAY seconds (SQS: 15 minutes), so a longer wait is a message that
comes back early and is put back until its time.

A rotated secret keeps signing for ROTATION_OVERLAP_MS beside the new one: the header then
carries one signature per secret (`v1,<new> v1,<old>`; `t=…,v1=<new>,v1=<old>`), so a
receiver holding either one verifies, and may switch to the new secret at any time within
the overlap. `verify` and `verify_standard` are what a receiver does. Each attempt reads
the endpoint as it is now (`Events(sites=…)`; the queue names it by id only), so a retry
after a rotation is signed with the secrets of then, and an endpoint deleted or disabled
since the event gets no more attempts.

Every POST is kept in the endpoint's delivery log (`Events(deliveries=…)`,
calls/deliveries.py), so its admins see what was sent and what came of it; a log that
cannot be written changes nothing about the delivery or its retries.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from ringback.calls.deliveries import DeliveryAttempt, Sent, Stopwatch, record, send
from ringback.clock import Clock
from ringback.metrics import BusinessMetrics, CountedMetrics, Metric

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
# How an endpoint's deliveries are signed: Standard Webhooks (https://www.standardwebhooks.com:
# webhook-id, webhook-timestamp, webhook-signature), or the Ringback-Signature header that
# came first, kept for receivers written against it.
STANDARD_WEBHOOKS, RINGBACK_V1 = "standard-webhooks", "ringback-v1"
SCHEMES = (STANDARD_WEBHOOKS, RINGBACK_V1)
SECRET_PREFIX = "whsec_"
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
    # How deliveries are signed (SCHEMES). Stored endpoints that predate the choice keep
    # the format their receivers verify; the API makes new ones Standard Webhooks.
    scheme: str = RINGBACK_V1

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
                                  "enabled": self.enabled, "created_at": self.created_at,
                                  "signature_scheme": self.scheme}
        if self.events is not None:
            stored["events"] = list(self.events)
        # An overlap that has ended is dropped with the next write.
        if self.previous_secret and now_ms < self.previous_until:
            stored["previous_secret"], stored["previous_until"] = self.previous_secret, self.previous_until
        return stored

    @staticmethod
    def from_stored(stored: dict[str, Any]) -> Endpoint:
        events = stored.get("events")
        return Endpoint(
            stored["url"], stored["secret"],
            # Endpoints written before they had ids (straight into the settings) get a
            # stable one from their URL, so the API can name them.
            webhook_id=stored.get("id") or legacy_id(stored["url"]),
            events=tuple(events) if events is not None else None,
            enabled=stored.get("enabled", True), created_at=stored.get("created_at", 0),
            previous_secret=stored.get("previous_secret"), previous_until=stored.get("previous_until", 0),
            scheme=stored.get("signature_scheme") or RINGBACK_V1,
        )


def legacy_id(url: str) -> str:
    return "wh_" + hashlib.sha256(url.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Delivery:
    """One event for one endpoint; `attempt` counts from 1.

    On the queue a delivery names its endpoint by id only (`as_message`): no URL, no
    secret. The worker reads the endpoint, its secrets included, from the site at each
    attempt (`Events.deliver`), so a secret never sits in a queue, a dead-letter queue or
    a log of either. `endpoint` is the endpoint as read for this attempt, None for a
    delivery taken off the queue and not read yet."""

    event_id: str
    event_type: str
    tenant_id: str
    site_id: str
    occurred_at: int
    data: dict[str, Any]
    endpoint: Endpoint | None
    attempt: int = 1
    not_before: int = 0  # epoch ms; a delivery received earlier goes back on the queue
    endpoint_id: str | None = None  # the endpoint's id when `endpoint` is not read yet

    @property
    def webhook_id(self) -> str:
        if self.endpoint is not None:
            return self.endpoint.webhook_id or legacy_id(self.endpoint.url)
        return self.endpoint_id or ""

    def body(self) -> bytes:
        return json.dumps(
            {"id": self.event_id, "type": self.event_type, "tenant_id": self.tenant_id, "site_id": self.site_id,
             "occurred_at": self.occurred_at, "data": self.data},
            sort_keys=True, separators=(",", ":"),
        ).encode()

    def headers(self, now_ms: int, body: bytes) -> dict[str, str]:
        if self.endpoint is None:
            raise ValueError("a delivery is signed with its endpoint as read for the attempt")
        return signed_headers(self.endpoint, self.event_id, now_ms, body)

    def attempted(self, at_ms: int, sent: Sent) -> DeliveryAttempt:
        """This attempt as the delivery log keeps it: no body, no secret."""
        return DeliveryAttempt(self.tenant_id, self.site_id, self.webhook_id,
                               self.event_id, self.event_type, self.attempt, at_ms, sent.outcome, sent.status,
                               sent.duration_ms, sent.error)

    def as_message(self) -> dict[str, Any]:
        """What the queue carries: the event and the endpoint's id, never its URL or secret."""
        return {"event_id": self.event_id, "event_type": self.event_type, "tenant_id": self.tenant_id,
                "site_id": self.site_id, "occurred_at": self.occurred_at, "data": self.data,
                "webhook_id": self.webhook_id, "attempt": self.attempt, "not_before": self.not_before}

    @staticmethod
    def from_message(message: dict[str, Any]) -> Delivery:
        webhook_id = message.get("webhook_id")
        if webhook_id is None:
            # Queued before messages carried ids only: the endpoint's id, and nothing
            # else of the copy (its secret may be an old one; the site has the current).
            queued = message.get("endpoint") or {}
            webhook_id = queued.get("webhook_id") or legacy_id(queued.get("url", ""))
        return Delivery(message["event_id"], message["event_type"], message["tenant_id"], message["site_id"],
                        message["occurred_at"], message.get("data") or {}, None,
                        attempt=message.get("attempt", 1), not_before=message.get("not_before", 0),
                        endpoint_id=webhook_id)


class DeliveryQueue(Protocol):
    def send(self, delivery: Delivery, delay_seconds: int) -> None: ...


def endpoints_of(settings: dict[str, Any]) -> list[Endpoint]:
    """Every endpoint of the site, enabled or not."""
    hooks = settings.get("webhooks") or []
    return [Endpoint.from_stored(h) for h in hooks if h.get("url") and h.get("secret")]


def signed_headers(endpoint: Endpoint, event_id: str, now_ms: int, body: bytes) -> dict[str, str]:
    """The headers of one attempt, signed in the endpoint's scheme with every secret that
    signs now (two during a rotation's overlap)."""
    secrets, timestamp = endpoint.secrets_at(now_ms), now_ms // 1000
    headers = {"Content-Type": "application/json", "Ringback-Event-Id": event_id}
    if endpoint.scheme == STANDARD_WEBHOOKS:
        headers.update({"webhook-id": event_id, "webhook-timestamp": str(timestamp),
                        "webhook-signature": sign_standard(secrets, event_id, timestamp, body)})
    else:
        headers["Ringback-Signature"] = sign(secrets, timestamp, body)
    return headers


def is_standard_secret(secret: str) -> bool:
    """Whether a Standard Webhooks receiver can use this secret: `whsec_` and the base64
    of at least 24 random bytes (the spec's lower bound). Secrets made before the scheme
    was offered are URL-safe base64, which its libraries do not decode."""
    if not secret.startswith(SECRET_PREFIX):
        return False
    try:
        return len(base64.b64decode(secret[len(SECRET_PREFIX):], validate=True)) >= 24
    except (binascii.Error, ValueError):
        return False


def sign_standard(secrets: Iterable[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per secret, separated by
    spaces (Standard Webhooks: a receiver accepts any one that matches). A secret a
    Standard Webhooks receiver could not hold (is_standard_secret) signs nothing here."""
    from standardwebhooks import Webhook

    at = datetime.fromtimestamp(timestamp, tz=UTC)
    return " ".join(Webhook(s).sign(msg_id, at, body.decode()) for s in secrets if is_standard_secret(s))


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


def verify_standard(secret: str, headers: dict[str, str], body: bytes, now_s: int) -> bool:
    """What a Standard Webhooks receiver does (the `standardwebhooks` library's verify,
    with the time given): the timestamp is recent, and one of the space-separated `v1,`
    signatures is ours over "id.timestamp.body" under the secret it holds."""
    from standardwebhooks import Webhook

    lowered = {k.lower(): v for k, v in headers.items()}
    msg_id, stamp, signatures = (lowered.get(f"webhook-{k}") for k in ("id", "timestamp", "signature"))
    if not (msg_id and stamp and signatures and stamp.isdigit()):
        return False
    if abs(now_s - int(stamp)) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    at = datetime.fromtimestamp(int(stamp), tz=UTC)
    expected = Webhook(secret).sign(msg_id, at, body.decode()).partition(",")[2]
    return any(version == "v1" and hmac.compare_digest(expected, value)
               for version, _, value in (s.partition(",") for s in signatures.split(" ")))


class Events:
    def __init__(self, queue: DeliveryQueue, post: Callable[[str, bytes, dict[str, str]], int], clock: Clock,
                 sites: SiteDirectory | None = None, deliveries: DeliveryLog | None = None,
                 stopwatch: Stopwatch = time.monotonic, metrics: BusinessMetrics | None = None) -> None:
        self._queue, self._post, self._clock, self._sites = queue, post, clock, sites
        self._metrics = metrics if metrics is not None else CountedMetrics()
        self._deliveries, self._stopwatch = deliveries, stopwatch

    def publish(self, event_type: str, call_id: str, tenant_id: str, site_id: str, site_settings: dict[str, Any],
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
        self._metrics.count(Metric.WEBHOOK_DELIVERIES if sent.delivered else Metric.WEBHOOK_DELIVERY_FAILURES)
        if sent.delivered:
            return "delivered"
        if delivery.attempt > len(BACKOFF_SECONDS):
            return "given_up"
        retry_at = self._clock.now_ms() + BACKOFF_SECONDS[delivery.attempt - 1] * 1000
        self._enqueue(replace(delivery, attempt=delivery.attempt + 1, not_before=retry_at))
        return "retrying"

    def _current(self, delivery: Delivery) -> Endpoint | None:
        """The endpoint, with its secrets, as the site holds it now (the queue names it
        by id only); the in-process copy when there is no site directory to ask."""
        if self._sites is None:
            return delivery.endpoint
        site = self._sites.get(delivery.site_id)
        if site is None:
            return None
        now = next((e for e in endpoints_of(site.settings) if e.webhook_id == delivery.webhook_id), None)
        return now if now is not None and now.subscribes(delivery.event_type) else None
