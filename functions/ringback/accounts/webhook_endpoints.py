"""A site's outgoing webhook endpoints, as its admins manage them through the API: add,
read, change, remove, rotate the secret, send a test delivery, read the recent deliveries.

The endpoints live in Site.settings["webhooks"] (ringback.calls.events.Endpoint is the
stored shape, and Events.publish reads them), so every change is a new version of the
site: it names the version it read (If-Match) and is refused over a newer one.

The signing secret is ours to make (`whsec_` + 256 random bits) and leaves the service
twice only: in the answer that created the endpoint and in the answer of a rotation. It
is never read back, never in the audit log. A rotation keeps the old secret signing
beside the new one for 24 hours by default (calls/events.py), so the receiver can switch
over without missing a delivery; `overlapSeconds: 0` drops it at once (a leaked secret).

Deliveries are signed as Standard Webhooks unless the endpoint keeps the first format
(`signatureScheme`: calls/events.py SCHEMES); endpoints stored before the choice keep
theirs. A secret made before Standard Webhooks (URL-safe base64) cannot be used by its
libraries, so such an endpoint is rotated before it switches (409 secret_rotation_required).

Each attempt to deliver to an endpoint, test deliveries too, is kept in its delivery log
(calls/deliveries.py) for 30 days; anyone who may read the site reads it, newest first.
"""
from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from ringback.accounts.audit import Audit
from ringback.accounts.site_parts import site_at, site_of
from ringback.accounts.sites import Site
from ringback.accounts.tenants import WRITE, TenantScope
from ringback.calls import deliveries as delivery_log
from ringback.calls.events import (
    EVENT_TYPES,
    ROTATION_OVERLAP_MS,
    SCHEMES,
    SECRET_PREFIX,
    STANDARD_WEBHOOKS,
    TEST_EVENT,
    Delivery,
    Endpoint,
    endpoints_of,
    is_standard_secret,
)
from ringback.errors import Conflict, NotFound, Unavailable
from ringback.ports import DeliveryLog, SiteDirectory
from ringback.url_guard import check_url

ALL_EVENTS = "*"
# Each endpoint is a fan-out of every call event; the site item also has a size limit.
MAX_ENDPOINTS = 10
_EVENTS = {"type": "array", "minItems": 1, "maxItems": len(EVENT_TYPES) + 1, "uniqueItems": True,
           "items": {"type": "string", "enum": [ALL_EVENTS, *EVENT_TYPES]}}
_FIELDS = {"url": {"type": "string", "minLength": 1, "maxLength": 2048}, "events": _EVENTS,
           "enabled": {"type": "boolean"}, "signatureScheme": {"type": "string", "enum": list(SCHEMES)}}
NEW_WEBHOOK = {"type": "object", "additionalProperties": False, "required": ["url"], "properties": _FIELDS}
WEBHOOK_CHANGE = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": _FIELDS}
ROTATION = {"type": "object", "additionalProperties": False, "properties": {
    "overlapSeconds": {"type": "integer", "minimum": 0, "maximum": ROTATION_OVERLAP_MS // 1000}}}

Post = Callable[[str, bytes, dict[str, str]], int]
# What each event type means, for clients that list them (GET /v1/webhook-event-types)
# instead of keeping a copy of EVENT_TYPES; a type without a line here fails its test.
EVENT_DESCRIPTIONS = {
    "call.ringing": "A call to a tracking number came in and is being put through.",
    "call.answered": "The call was answered at one of the site's destinations.",
    "call.missed": "Nobody answered the call: busy, no answer, failed or canceled.",
    "call.recording": "The call's recording was stored.",
    "call.voicemail": "The caller left a voicemail.",
    "callback.completed": "A callback request ended with the visitor and an operator connected.",
    "callback.missed": "A callback request ended without a conversation: missed or failed.",
    "call.updated": "A user changed the call's lead: its status, value, tags, follow-up or notes.",
}


def new_secret() -> str:
    """Standard base64 of 32 random bytes: what a Standard Webhooks library decodes, and
    as good an HMAC key as ever for the ringback-v1 format (which keys on the whole string)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_json(endpoint: Endpoint, now_ms: int) -> dict[str, Any]:
    """What anyone who may read the site sees of an endpoint: never a secret."""
    overlap = endpoint.previous_until if len(endpoint.secrets_at(now_ms)) > 1 else None
    return {"webhookId": endpoint.webhook_id, "url": endpoint.url,
            "events": list(endpoint.events) if endpoint.events is not None else [ALL_EVENTS],
            "enabled": endpoint.enabled, "createdAt": endpoint.created_at, "signatureScheme": endpoint.scheme,
            "previousSecretExpiresAt": overlap}


def _events(chosen: list[str] | None) -> tuple[str, ...] | None:
    if chosen is None or ALL_EVENTS in chosen:
        return None
    return tuple(t for t in EVENT_TYPES if t in chosen)


class WebhookEndpoints:
    def __init__(self, sites: SiteDirectory, audit: Audit, post: Post, allow_local: bool = False,
                 make_secret: Callable[[], str] = new_secret,
                 make_id: Callable[[], str] = lambda: "wh_" + secrets.token_hex(8),
                 deliveries: DeliveryLog | None = None, stopwatch: delivery_log.Stopwatch = time.monotonic) -> None:
        self._sites, self._audit, self._post, self._allow_local = sites, audit, post, allow_local
        self._make_secret, self._make_id = make_secret, make_id
        self._deliveries, self._stopwatch = deliveries, stopwatch

    # -- reading ---------------------------------------------------------------------------

    def list(self, scope: TenantScope, site_id: str, now_ms: int) -> tuple[dict[str, Any], int]:
        site = site_of(self._sites, scope, site_id)
        return {"webhooks": [webhook_json(e, now_ms) for e in endpoints_of(site.settings)]}, site.version

    def get(self, scope: TenantScope, site_id: str, webhook_id: str, now_ms: int) -> tuple[dict[str, Any], int]:
        site = site_of(self._sites, scope, site_id)
        return webhook_json(_find(site, webhook_id), now_ms), site.version

    def deliveries(self, scope: TenantScope, site_id: str, webhook_id: str, now_ms: int,
                   limit: int = delivery_log.PAGE_DEFAULT, cursor: str | None = None) -> dict[str, Any]:
        """The endpoint's delivery attempts of the last 30 days, newest first. Another
        tenant's endpoint, or one removed, is not found, as on every route here."""
        site = site_of(self._sites, scope, site_id)
        _find(site, webhook_id)
        if self._deliveries is None:
            raise Unavailable("the delivery log is not configured here")
        return delivery_log.page(self._deliveries, scope.tenant_id, site_id, webhook_id, now_ms, limit, cursor)

    @staticmethod
    def event_types() -> dict[str, Any]:
        """Every event type an endpoint may subscribe to, in EVENT_TYPES' order."""
        return {"eventTypes": [{"type": t, "description": EVENT_DESCRIPTIONS[t]} for t in EVENT_TYPES]}

    # -- changing --------------------------------------------------------------------------

    def create(self, scope: TenantScope, site_id: str, body: dict[str, Any], version: int | None,
               now_ms: int) -> tuple[dict[str, Any], int]:
        """The new endpoint with its secret: the only answer that shows it, with a rotation's."""
        scope.require(WRITE)
        site = site_at(self._sites, scope, site_id, version)
        endpoints = endpoints_of(site.settings)
        if len(endpoints) >= MAX_ENDPOINTS:
            raise Conflict(f"a site has at most {MAX_ENDPOINTS} webhook endpoints", code="too_many_webhooks")
        webhook_id = self._make_id()
        endpoint = Endpoint(check_url(body["url"], self._allow_local), self._make_secret(),
                            webhook_id=webhook_id, events=_events(body.get("events")),
                            enabled=body.get("enabled", True), created_at=now_ms,
                            scheme=body.get("signatureScheme", STANDARD_WEBHOOKS))
        _check_scheme(endpoint)
        saved = self._save(site, [*endpoints, endpoint], now_ms)
        shown = webhook_json(endpoint, now_ms)
        self._audit.record(scope, "webhook.created", webhook_id, None, {"siteId": site_id, **shown}, now_ms)
        return {**shown, "secret": endpoint.secret}, saved

    def update(self, scope: TenantScope, site_id: str, webhook_id: str, body: dict[str, Any],
               version: int | None, now_ms: int) -> tuple[dict[str, Any], int]:
        scope.require(WRITE)
        site = site_at(self._sites, scope, site_id, version)
        before = _find(site, webhook_id)
        after = before
        if "url" in body:
            after = replace(after, url=check_url(body["url"], self._allow_local))
        if "events" in body:
            after = replace(after, events=_events(body["events"]))
        if "enabled" in body:
            after = replace(after, enabled=body["enabled"])
        if "signatureScheme" in body:
            after = _check_scheme(replace(after, scheme=body["signatureScheme"]))
        saved = self._save(site, _replaced(site, after), now_ms)
        self._audit.record(scope, "webhook.updated", webhook_id, {"siteId": site_id, **webhook_json(before, now_ms)},
                           {"siteId": site_id, **webhook_json(after, now_ms)}, now_ms)
        return webhook_json(after, now_ms), saved

    def delete(self, scope: TenantScope, site_id: str, webhook_id: str, version: int | None, now_ms: int) -> None:
        """Queued deliveries to it stop too: each attempt reads the endpoint first."""
        scope.require(WRITE)
        site = site_at(self._sites, scope, site_id, version)
        gone = _find(site, webhook_id)
        self._save(site, [e for e in endpoints_of(site.settings) if e.webhook_id != webhook_id], now_ms)
        self._audit.record(scope, "webhook.deleted", webhook_id, {"siteId": site_id, **webhook_json(gone, now_ms)},
                           None, now_ms)

    def rotate_secret(self, scope: TenantScope, site_id: str, webhook_id: str, version: int | None,
                      now_ms: int, overlap_seconds: int | None = None) -> tuple[dict[str, Any], int]:
        """A new secret, which signs from now on. The one it replaces signs beside it for
        `overlap_seconds` (24 h by default); an earlier rotation's old secret is dropped."""
        scope.require(WRITE)
        site = site_at(self._sites, scope, site_id, version)
        before = _find(site, webhook_id)
        overlap_ms = ROTATION_OVERLAP_MS if overlap_seconds is None else overlap_seconds * 1000
        after = replace(before, secret=self._make_secret(),
                        previous_secret=before.secret if overlap_ms else None,
                        previous_until=now_ms + overlap_ms if overlap_ms else 0)
        saved = self._save(site, _replaced(site, after), now_ms)
        shown = webhook_json(after, now_ms)
        # Which secret is which is not the log's to know: only that one was rotated, and until when the old one signs.
        self._audit.record(scope, "webhook.secret_rotated", webhook_id,
                           {"siteId": site_id, "previousSecretExpiresAt": webhook_json(before, now_ms)[
                               "previousSecretExpiresAt"]},
                           {"siteId": site_id, "previousSecretExpiresAt": shown["previousSecretExpiresAt"]}, now_ms)
        return {**shown, "secret": after.secret}, saved

    # -- a test delivery -------------------------------------------------------------------

    def test(self, scope: TenantScope, site_id: str, webhook_id: str, now_ms: int) -> dict[str, Any]:
        """POST a signed `webhook.test` event to the endpoint now, once, and say what came
        back. Writers only: it makes us send a request wherever the endpoint points."""
        scope.require(WRITE)
        site = site_of(self._sites, scope, site_id)
        endpoint = _find(site, webhook_id)
        delivery = Delivery(f"{TEST_EVENT}:{secrets.token_hex(8)}", TEST_EVENT, scope.tenant_id, site_id, now_ms,
                            {"webhook_id": webhook_id, "message": "A test delivery from Ringback."}, endpoint)
        body = delivery.body()
        sent = delivery_log.send(self._post, endpoint.url, body, delivery.headers(now_ms, body), self._stopwatch)
        # Kept in the endpoint's delivery log beside the events' attempts; never in the way of the answer.
        delivery_log.record(self._deliveries, delivery.attempted(now_ms, sent))
        if sent.status is None:
            return {"delivered": False, "status": None, "eventId": delivery.event_id, "error": sent.problem}
        answer: dict[str, Any] = {"delivered": sent.delivered, "status": sent.status, "eventId": delivery.event_id}
        if not answer["delivered"]:
            answer["error"] = f"the endpoint answered HTTP {sent.status}; a delivery counts only on 2xx"
        return answer

    def _save(self, site: Site, endpoints: Sequence[Endpoint], now_ms: int) -> int:
        settings = {**site.settings, "webhooks": [e.as_stored(now_ms) for e in endpoints]}
        self._sites.save(replace(site, settings=settings), expected_version=site.version)
        return site.version + 1


def _check_scheme(endpoint: Endpoint) -> Endpoint:
    """A Standard Webhooks endpoint needs a secret its receiver's library can decode; one
    made before the scheme was offered is rotated first, and then switched."""
    if endpoint.scheme == STANDARD_WEBHOOKS and not is_standard_secret(endpoint.secret):
        raise Conflict("this endpoint's secret predates Standard Webhooks: rotate it (POST …/secret), then switch",
                       code="secret_rotation_required", details={"field": "signatureScheme"})
    return endpoint


def _find(site: Site, webhook_id: str) -> Endpoint:
    found = next((e for e in endpoints_of(site.settings) if e.webhook_id == webhook_id), None)
    if found is None:
        raise NotFound("no such webhook endpoint", code="unknown_webhook")
    return found


def _replaced(site: Site, changed: Endpoint) -> list[Endpoint]:
    return [changed if e.webhook_id == changed.webhook_id else e for e in endpoints_of(site.settings)]
