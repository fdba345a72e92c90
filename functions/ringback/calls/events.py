"""Call events for the customer's own systems: signed JSON webhooks, retried with backoff.

Every call event (ringing, answered, missed, recording, voicemail) is published once per
subscribed endpoint of the site. A delivery POSTs the event as JSON with

    Ringback-Event-Id: call.missed:tw:CA…          (the same on every retry: receivers dedupe)
    Ringback-Signature: t=1795612345,v1=<hex HMAC-SHA256 of "t.body" under the endpoint secret>

and counts as delivered on any 2xx. Anything else is retried after 30 s, 2 min, 10 min,
1 h and 6 h, then given up and logged with its event id. A queue may hold a message back
for at most MAX_QUEUE_DELAY seconds (SQS: 15 minutes), so a longer wait is a message that
comes back early and is put back until its time.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from ringback.errors import InvalidInput

BACKOFF_SECONDS = (30, 120, 600, 3600, 21600)
MAX_QUEUE_DELAY = 900
SIGNATURE_TOLERANCE_SECONDS = 300
EVENT_TYPES = ("call.ringing", "call.answered", "call.missed", "call.recording", "call.voicemail",
               "callback.completed", "callback.missed")


@dataclass(frozen=True)
class Endpoint:
    url: str
    secret: str


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

    def as_message(self) -> dict[str, Any]:
        return {**self.__dict__, "endpoint": self.endpoint.__dict__}

    @staticmethod
    def from_message(message: dict[str, Any]) -> "Delivery":
        return Delivery(**{**message, "endpoint": Endpoint(**message["endpoint"])})


class DeliveryQueue(Protocol):
    def send(self, delivery: Delivery, delay_seconds: int) -> None: ...


def endpoints_of(settings: dict[str, Any]) -> list[Endpoint]:
    hooks = settings.get("webhooks") or []
    return [Endpoint(h["url"], h["secret"]) for h in hooks if h.get("url") and h.get("secret")]


def validate_endpoint(url: str, secret: str) -> Endpoint:
    if not url.startswith("https://"):
        raise InvalidInput("webhook URLs must use https", code="invalid_webhook_url")
    if len(secret) < 24:
        raise InvalidInput("a webhook secret has at least 24 characters", code="invalid_webhook_secret")
    return Endpoint(url, secret)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, now_s: int) -> bool:
    """What a receiver does; here so the tests and the docs have one definition."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs(now_s - timestamp) > SIGNATURE_TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), header)


class Events:
    def __init__(self, queue: DeliveryQueue, post: Callable[[str, bytes, dict[str, str]], int], clock) -> None:
        self._queue, self._post, self._clock = queue, post, clock

    def publish(self, event_type: str, call_id: str, tenant_id: str, site_id: str, site_settings: dict,
                data: dict[str, Any]) -> int:
        """Queue the event for every endpoint the site subscribed; returns how many."""
        endpoints = endpoints_of(site_settings)
        for endpoint in endpoints:
            self._queue.send(
                Delivery(f"{event_type}:{call_id}", event_type, tenant_id, site_id, self._clock.now_ms(), data,
                         endpoint),
                delay_seconds=0,
            )
        return len(endpoints)

    def _enqueue(self, delivery: Delivery) -> None:
        wait = max(0, (delivery.not_before - self._clock.now_ms() + 999) // 1000)
        self._queue.send(delivery, delay_seconds=min(wait, MAX_QUEUE_DELAY))

    def deliver(self, delivery: Delivery) -> str:
        """POST one delivery; on failure queue the next attempt. Returns the result."""
        if delivery.not_before > self._clock.now_ms():
            self._enqueue(delivery)
            return "waiting"
        body = delivery.body()
        headers = {
            "Content-Type": "application/json",
            "Ringback-Event-Id": delivery.event_id,
            "Ringback-Signature": sign(delivery.endpoint.secret, self._clock.now_ms() // 1000, body),
        }
        try:
            status = self._post(delivery.endpoint.url, body, headers)
        except OSError:
            status = 0
        if 200 <= status < 300:
            return "delivered"
        if delivery.attempt > len(BACKOFF_SECONDS):
            return "given_up"
        retry_at = self._clock.now_ms() + BACKOFF_SECONDS[delivery.attempt - 1] * 1000
        self._enqueue(Delivery(**{**delivery.__dict__, "attempt": delivery.attempt + 1, "not_before": retry_at}))
        return "retrying"
