"""A site's callback dial settings, as the management API reads and replaces them: whether
callbacks are on, who is rung (the hunt group) and how, for how long and how often, at
which of the visitor's hours, which countries' visitors may be called, and which number
both legs see calling.

They live in the site's settings["callback"] beside the widget's keys (triggers,
targeting, theme, locale: /v1/sites/{site}/widget, ringback.accounts.site_parts), which a
change here keeps as they are. The dial policy reads them (ringback.callbacks.policy).

A change names the site version it read (If-Match), as every site change does, and is
audited with the settings as they were and became. What the carrier would refuse is
refused here, naming the field: a caller ID that is neither a tracking number of the site
nor a caller ID the tenant verified (ringback.accounts.caller_ids; the carrier is asked
now, 21210 otherwise), and callbacks switched on with no number at all to call from.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import phonenumbers

from ringback.accounts import numbers as number_rules
from ringback.accounts.audit import Audit
from ringback.accounts.provisioning import Directories, _missing_voice_number, e164
from ringback.accounts.site_parts import require_version, site_of
from ringback.accounts.sites import Site
from ringback.accounts.tenants import WRITE, TenantScope
from ringback.callbacks.policy import DialPolicy
from ringback.errors import InvalidInput

_HH_MM = "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"
# API name -> key in settings["callback"].
FIELDS = {
    "enabled": "enabled", "operators": "operators", "hunt": "hunt", "ringSeconds": "ring_seconds",
    "visitorRingSeconds": "visitor_ring_seconds", "operatorRetrySeconds": "operator_retry_seconds",
    "maxRounds": "max_rounds", "visitorHours": "visitor_hours", "record": "record", "countries": "countries",
    "callerId": "caller_id", "blockedPrefixes": "blocked_prefixes",
}
# The keys this resource owns; every other key of settings["callback"] is the widget's.
OWN_KEYS = frozenset(FIELDS.values()) | {"caller_id_source"}

CALLBACK_SETTINGS = {
    "type": "object", "additionalProperties": False, "required": ["enabled"],
    "properties": {
        "enabled": {"type": "boolean"},
        "operators": {"type": "array", "maxItems": 10, "items": {"type": "string", "minLength": 3, "maxLength": 32}},
        "hunt": {"type": "string", "enum": ["sequential", "simultaneous"]},
        "ringSeconds": {"type": "integer", "minimum": 5, "maximum": 120},
        "visitorRingSeconds": {"type": "integer", "minimum": 5, "maximum": 120},
        "operatorRetrySeconds": {"type": "integer", "minimum": 0, "maximum": 86_400},
        "maxRounds": {"type": "integer", "minimum": 1, "maximum": 10},
        "visitorHours": {"type": "array", "minItems": 2, "maxItems": 2,
                         "items": {"type": "string", "pattern": _HH_MM}},
        "record": {"type": "boolean"},
        "countries": {"type": "array", "maxItems": 50, "items": {"type": "string", "pattern": "^[A-Z]{2}$"}},
        "callerId": {"type": ["string", "null"], "minLength": 3, "maxLength": 32},
        "blockedPrefixes": {"type": "array", "maxItems": 50,
                            "items": {"type": "string", "pattern": "^\\+[0-9]{1,15}$"}},
    },
}


def _bad(message: str, field: str, code: str = "invalid_field") -> InvalidInput:
    return InvalidInput(message, code=code, details={"field": field})


class CallbackSettings:
    def __init__(self, dirs: Directories, audit: Audit,
                 is_verified: Callable[[str, str], bool] | None = None) -> None:
        """`is_verified(tenant_id, number)`: whether the tenant's carrier account has
        verified the number as a caller ID (None: a stage with no carrier, where only
        tracking numbers can be chosen)."""
        self._dirs, self._audit, self._is_verified = dirs, audit, is_verified

    def get(self, scope: TenantScope, site_id: str) -> tuple[dict[str, Any], int]:
        site = self._site(scope, site_id)
        return self._json(site), site.version

    def replace(self, scope: TenantScope, site_id: str, body: dict[str, Any], version: int | None,
                now_ms: int) -> tuple[dict[str, Any], int]:
        """Replace the dial settings with `body` (a key left out goes back to its
        default), keeping the widget's keys."""
        scope.require(WRITE)
        site = self._site(scope, site_id)
        require_version("site", site.version, version)
        owned = self._dirs.pools.site_numbers(site.site_id)
        ours = self._settings(site, body, {n.number for n in owned})
        widget = {k: v for k, v in site.settings.get("callback", {}).items() if k not in OWN_KEYS}
        changed = replace(site, settings={**site.settings, "callback": {**widget, **ours}})
        DialPolicy.for_site(changed)  # the policy reads them back as the workflow will
        if ours["enabled"]:
            if not DialPolicy.for_site(changed).operators:
                raise _bad("callbacks need someone to ring: operators, or the site's destination numbers",
                           "operators", code="no_operators")
            if number_rules.caller_id(changed, owned) is None:
                raise _missing_voice_number()
        self._dirs.sites.save(changed, expected_version=site.version)
        stored = replace(changed, version=site.version + 1)
        self._audit.record(scope, "site.callbacks_updated", site.site_id, self._json(site), self._json(stored),
                           now_ms)
        return self._json(stored), stored.version

    # -- helpers ---------------------------------------------------------------------------

    def _settings(self, site: Site, body: dict[str, Any], tracking: set[str]) -> dict[str, Any]:
        """The stored form of the body, each value checked; absent keys are not stored."""
        ours: dict[str, Any] = {FIELDS[name]: value for name, value in body.items() if value is not None}
        if "operators" in ours:
            ours["operators"] = _unique(_phone(n, site.country, "operators") for n in ours["operators"])
        if "countries" in ours:
            for code in ours["countries"]:
                if not phonenumbers.country_code_for_region(code):
                    raise _bad(f"{code} is not a country we can call", "countries")
            ours["countries"] = _unique(ours["countries"])
        if "visitor_hours" in ours and ours["visitor_hours"][0] == ours["visitor_hours"][1]:
            raise _bad("the visitor's hours cannot start when they end", "visitorHours")
        if "caller_id" in ours:
            number = _phone(ours["caller_id"], site.country, "callerId")
            if number in tracking:
                source = number_rules.TRACKING
            elif self._is_verified is not None and self._is_verified(site.tenant_id, number):
                source = number_rules.VERIFIED
            else:
                raise _bad("the caller ID must be one of the site's tracking numbers or a caller ID verified "
                           "through POST /v1/caller-ids: the carrier refuses any other", "callerId",
                           code="caller_id_not_verified")
            ours.update(caller_id=number, caller_id_source=source)
        return ours

    def _json(self, site: Site) -> dict[str, Any]:
        callback = site.settings.get("callback", {})
        policy = DialPolicy.for_site(site)
        return {
            "enabled": callback.get("enabled", True) is not False,
            # Empty lists are the defaults: the site's destination numbers, its country.
            "operators": list(callback.get("operators") or ()),
            "hunt": policy.hunt,
            "ringSeconds": policy.ring_seconds,
            "visitorRingSeconds": policy.visitor_ring_seconds,
            "operatorRetrySeconds": policy.operator_retry_seconds,
            "maxRounds": policy.max_rounds,
            "visitorHours": list(policy.visitor_hours),
            "record": policy.record,
            "countries": list(callback.get("countries") or ()),
            "callerId": callback.get("caller_id"),
            "blockedPrefixes": list(callback.get("blocked_prefixes") or ()),
            # What the legs show now: the chosen caller ID, or the tracking number we pick.
            "callingFrom": number_rules.caller_id(site, self._dirs.pools.site_numbers(site.site_id)),
        }

    def _site(self, scope: TenantScope, site_id: str) -> Site:
        return site_of(self._dirs.sites, scope, site_id)


def _phone(raw: str, country: str, field: str) -> str:
    try:
        return e164(raw, country)
    except InvalidInput as error:
        raise _bad(error.message, field, code=error.code) from None


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
