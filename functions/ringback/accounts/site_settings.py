"""A site's inbound routing and its callback widget, as its admin manages them.

Both live on the site, so they carry the site's version (its ETag): a change names the
version it read and is refused (412) if anyone changed the site since. Every change is
written to the audit log, before and after.

- Routing is stored where the call plan reads it: the destinations in
  `site.destination_numbers`, the rest in `settings["calls"]` (ringback.calls.routing).
- The widget's part of `settings["callback"]` (triggers, targeting, theme, locale) is what
  the widget reads from the site config (ringback.callbacks.offer.public_config); the
  callback dial settings in the same block are another route's and are kept as they are.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ringback.accounts.audit import Audit
from ringback.accounts.provisioning import e164
from ringback.accounts.site_parts import site_at, site_of
from ringback.accounts.sites import Site, normalise_domain
from ringback.accounts.tenants import WRITE, TenantScope
from ringback.calls.routing import (
    OFF_HOURS_ACTIONS,
    PLACEHOLDER,
    STRATEGIES,
    WHISPER_FIELDS,
    InboundRouting,
    destinations_of,
    override_of,
    unknown_placeholders,
)
from ringback.errors import InvalidInput, NotFound
from ringback.ports import PoolDirectory, SiteDirectory

MAX_DESTINATIONS = 10
_SPOKEN = {"type": "string", "minLength": 1, "maxLength": 300}
_NUMBER = {"type": "string", "minLength": 3, "maxLength": 32}

ROUTING = {
    "type": "object", "additionalProperties": False, "required": ["destinations"],
    "properties": {
        "destinations": {"type": "array", "maxItems": MAX_DESTINATIONS, "items": _NUMBER},
        "strategy": {"enum": list(STRATEGIES)},
        "ringSeconds": {"type": "integer", "minimum": 5, "maximum": 120},
        "whisper": {"type": "object", "additionalProperties": False, "required": ["enabled"],
                    "properties": {"enabled": {"type": "boolean"}, "text": _SPOKEN}},
        "recording": {"type": "object", "additionalProperties": False, "required": ["enabled"],
                      "properties": {"enabled": {"type": "boolean"}, "notice": _SPOKEN}},
        "voicemail": {"type": "object", "additionalProperties": False, "required": ["enabled"],
                      "properties": {"enabled": {"type": "boolean"}, "prompt": _SPOKEN}},
        "offHours": {"type": "object", "additionalProperties": False, "required": ["action"],
                     "properties": {"action": {"enum": list(OFF_HOURS_ACTIONS)}, "number": _NUMBER,
                                    "prompt": _SPOKEN}},
    },
}

# The widget's texts (frontend/src/widget.js, TEXTS.en) and the placeholders each may use;
# {keyword} (the visit's search term) may appear in any. A test holds this to the script.
WIDGET_TEXTS: dict[str, tuple[str, ...]] = {
    "button": (), "title": (), "text": (), "closed": ("time",), "when": (), "asap": ("time",),
    "country": (), "phone": (), "hint": ("example",), "submit": (), "close": (), "sending": (),
    "accepted": (), "scheduled": ("time",), "calling_operator": (), "calling_visitor": (), "connected": (),
    "retry_scheduled": ("time",), "missed": (), "invalid_phone": (), "country_not_allowed": (),
    "premium_number": (), "rate_limited": (), "network": (), "error": (),
}
WIDGET_LANGUAGES = ("en", "ru")  # built into the widget
WIDGET_KEYS = ("triggers", "targeting", "theme", "locale")
_PATTERNS = {"type": "array", "maxItems": 50, "items": {"type": "string", "minLength": 1, "maxLength": 200}}
_SECONDS = {"type": "integer", "minimum": 0, "maximum": 3600}

WIDGET = {
    "type": "object", "additionalProperties": False,
    "properties": {
        "triggers": {"type": "object", "additionalProperties": False, "properties": {
            "secondsOnPage": _SECONDS, "inactivitySeconds": _SECONDS,
            "scrollPercent": {"type": "integer", "minimum": 0, "maximum": 100},
            "pagesViewed": {"type": "integer", "minimum": 0, "maximum": 100},
            "exitIntent": {"type": "boolean"},
            "cooldownHours": {"type": "number", "minimum": 0, "maximum": 720},
        }},
        "targeting": {"type": "object", "additionalProperties": False, "properties": {
            "paths": _PATTERNS, "excludePaths": _PATTERNS,
            "utm": {"type": "object", "additionalProperties": False,
                    "properties": {k: _PATTERNS for k in ("source", "medium", "campaign", "term", "content")}},
            "referrers": {"type": "array", "maxItems": 50, "items": {"type": "string", "minLength": 1,
                                                                     "maxLength": 253}},
            "countries": {"type": "array", "maxItems": 250, "items": {"type": "string", "pattern": "^[A-Z]{2}$"}},
        }},
        "theme": {"type": "object", "additionalProperties": False, "properties": {
            "color": {"type": "string", "pattern": "^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$"},
            "position": {"enum": ["left", "right"]},
            "texts": {"type": "object", "additionalProperties": False, "patternProperties": {
                "^[a-z]{2}$": {"type": "object", "additionalProperties": {"type": "string", "minLength": 1,
                                                                          "maxLength": 200}}}},
        }},
        "locale": {"type": "string", "pattern": "^(auto|[a-z]{2})$"},
    },
}


def _bad(message: str, code: str, field: str) -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": field})


def routing_json(site: Site, number: str | None = None) -> dict[str, Any]:
    """The site's routing; for a number, its own (`own: false` while it follows the site's)."""
    routing = InboundRouting.of(site, number)

    def part(enabled: bool, key: str, text: str | None) -> dict[str, Any]:
        return {"enabled": enabled, **({key: text} if text else {})}

    off_hours = {"action": routing.off_hours_action}
    off_hours.update({k: v for k, v in (("number", routing.off_hours_number), ("prompt", routing.off_hours_prompt))
                      if v})
    shown = {
        "destinations": list(destinations_of(site, number)),
        "strategy": routing.strategy,
        "ringSeconds": routing.ring_seconds,
        "whisper": part(routing.whisper, "text", routing.whisper_text),
        "recording": part(routing.record, "notice", routing.recording_notice),
        "voicemail": part(routing.voicemail, "prompt", routing.voicemail_prompt),
        "offHours": off_hours,
    }
    if number is not None:
        shown["own"] = override_of(site, number) is not None
    return shown


def widget_json(site: Site, now_ms: int) -> dict[str, Any]:
    """The widget settings as the widget receives them, defaults included."""
    from ringback.callbacks.offer import public_config

    served = public_config(site, now_ms, None)
    return {key: served[key] for key in WIDGET_KEYS}


class SiteSettings:
    def __init__(self, sites: SiteDirectory, pools: PoolDirectory, audit: Audit) -> None:
        self._sites, self._pools, self._audit = sites, pools, audit

    def site(self, scope: TenantScope, site_id: str) -> Site:
        return site_of(self._sites, scope, site_id)

    def set_routing(self, scope: TenantScope, site_id: str, body: dict[str, Any], version: int | None,
                    now_ms: int, number: str | None = None) -> Site:
        """The site's routing, or (with `number`) one tracking number's own."""
        scope.require(WRITE)
        site = site_at(self._sites, scope, site_id, version)
        if number is not None:
            number = self.tracking_number(site, number)
        destinations = self._destinations(site, body["destinations"])
        whisper = body.get("whisper", {"enabled": True})
        if unknown := unknown_placeholders(whisper.get("text", "")):
            raise _bad(f"unknown placeholder {{{unknown[0]}}}; known: {', '.join(WHISPER_FIELDS)}",
                       "invalid_placeholder", "whisper.text")
        recording = body.get("recording", {"enabled": True})
        voicemail = body.get("voicemail", {"enabled": True})
        off_hours = body.get("offHours", {"action": "voicemail"})
        forward_to = None
        if off_hours["action"] == "forward":
            if "number" not in off_hours:
                raise _bad("forwarding off hours needs a number", "number_required", "offHours.number")
            forward_to = _e164(off_hours["number"], site.country, "offHours.number")
        elif "number" in off_hours:
            raise _bad("a number is only for forwarding off hours", "invalid_field", "offHours.number")
        routing = InboundRouting(
            strategy=body.get("strategy", "all_at_once"), ring_seconds=body.get("ringSeconds", 20),
            whisper=whisper["enabled"], whisper_text=whisper.get("text"),
            record=recording["enabled"], recording_notice=recording.get("notice"),
            voicemail=voicemail["enabled"], voicemail_prompt=voicemail.get("prompt"),
            off_hours_action=off_hours["action"], off_hours_number=forward_to, off_hours_prompt=off_hours.get("prompt"),
        )
        if number is not None:
            overrides = {**(site.settings.get("number_routing") or {}),
                         number: {**routing.stored(), "destinations": list(destinations)}}
            changed = replace(site, settings={**site.settings, "number_routing": overrides})
            return self._save(scope, site, changed, "number.routing_updated", lambda s: routing_json(s, number),
                              now_ms, target=number)
        changed = replace(site, destination_numbers=destinations,
                          settings={**site.settings, "calls": routing.stored()})
        return self._save(scope, site, changed, "site.routing_updated", routing_json, now_ms)

    def clear_number_routing(self, scope: TenantScope, site_id: str, number: str, version: int | None,
                             now_ms: int) -> Site:
        """The number follows the site's routing again."""
        scope.require(WRITE)
        site = site_at(self._sites, scope, site_id, version)
        number = self.tracking_number(site, number)
        overrides = dict(site.settings.get("number_routing") or {})
        overrides.pop(number, None)
        changed = replace(site, settings={**site.settings, "number_routing": overrides})
        return self._save(scope, site, changed, "number.routing_cleared", lambda s: routing_json(s, number), now_ms,
                          target=number)

    def tracking_number(self, site: Site, number: str) -> str:
        """One of the site's tracking numbers, as E.164; NotFound for any other."""
        number = _e164(number, site.country, "number")
        if number not in {n.number for n in self._pools.site_numbers(site.site_id)}:
            raise NotFound("the site has no such tracking number", code="unknown_number")
        return number

    def set_widget(self, scope: TenantScope, site_id: str, body: dict[str, Any], version: int | None,
                   now_ms: int) -> Site:
        scope.require(WRITE)
        site = site_at(self._sites, scope, site_id, version)
        widget = {k: v for k, v in body.items() if k in WIDGET_KEYS}
        if "targeting" in widget:
            widget["targeting"] = _targeting(widget["targeting"])
        _check_texts(widget.get("theme", {}).get("texts", {}), widget.get("locale", "auto"))
        # Only the widget's keys are replaced; the dial settings beside them are kept.
        callback = {k: v for k, v in site.settings.get("callback", {}).items() if k not in WIDGET_KEYS}
        changed = replace(site, settings={**site.settings, "callback": {**callback, **widget}})
        return self._save(scope, site, changed, "site.widget_updated", lambda s: widget_json(s, now_ms), now_ms)

    def _save(self, scope: TenantScope, site: Site, changed: Site, action: str,
              shown: Callable[[Site], dict[str, Any]], now_ms: int,
              target: str | None = None) -> Site:
        self._sites.save(changed, expected_version=site.version)
        stored = replace(changed, version=site.version + 1)
        self._audit.record(scope, action, target or site.site_id, shown(site), shown(stored), now_ms)
        return stored

    def _destinations(self, site: Site, raw: list[str]) -> tuple[str, ...]:
        ours = {n.number for n in self._pools.site_numbers(site.site_id)}
        out: list[str] = []
        for i, number in enumerate(raw):
            number = _e164(number, site.country, f"destinations.{i}")
            if number in out:
                raise _bad(f"{number} is listed twice", "duplicate_destination", f"destinations.{i}")
            if number in ours:
                # The call would ring our own webhook again, and again.
                raise _bad(f"{number} is one of the site's tracking numbers", "destination_is_tracking_number",
                           f"destinations.{i}")
            out.append(number)
        return tuple(out)


def _e164(number: str, country: str, field: str) -> str:
    try:
        return e164(number, country)
    except InvalidInput as error:
        raise _bad(error.message, error.code, field) from None


def _targeting(targeting: dict[str, Any]) -> dict[str, Any]:
    """As the widget matches it: paths against location.pathname, referrers as domains."""
    for key in ("paths", "excludePaths"):
        for i, pattern in enumerate(targeting.get(key, ())):
            if not pattern.startswith(("/", "*")):
                raise _bad("a path pattern starts with / or *", "invalid_path", f"targeting.{key}.{i}")
    if "referrers" in targeting:
        domains = []
        for i, domain in enumerate(targeting["referrers"]):
            try:
                domains.append(normalise_domain(domain))
            except InvalidInput as error:
                raise _bad(error.message, error.code, f"targeting.referrers.{i}") from None
        targeting = {**targeting, "referrers": domains}
    return targeting


def _check_texts(texts: dict[str, dict[str, str]], locale: str) -> None:
    for language, entries in texts.items():
        for key, text in entries.items():
            field = f"theme.texts.{language}.{key}"
            if key not in WIDGET_TEXTS:
                raise _bad(f"the widget has no text {key!r}; known: {', '.join(WIDGET_TEXTS)}", "unknown_text", field)
            allowed = WIDGET_TEXTS[key] + ("keyword",)
            for name, _ in PLACEHOLDER.findall(text):
                if name not in allowed:
                    raise _bad(f"{{{name}}} is not filled in this text; it may use "
                               + ", ".join(f"{{{a}}}" for a in allowed), "invalid_placeholder", field)
    if locale != "auto" and locale not in WIDGET_LANGUAGES and locale not in texts:
        raise _bad(f"the widget has no {locale!r} texts: add them under theme.texts.{locale}", "unknown_locale",
                   "locale")
