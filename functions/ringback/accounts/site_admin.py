"""A tenant manages its sites through the API: create, read, change, delete, the snippet
to paste, and a fresh site key.

Every change names the version it read (the API's If-Match): a second admin who read the
same version is refused with 412 instead of overwriting the first one's change. Every
change is written to the audit log with the site as it was and as it became.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from html import escape
from typing import Any

from ringback.accounts.audit import Audit
from ringback.accounts.provisioning import Directories, add_site, e164, new_site_key
from ringback.accounts.site_parts import require_version
from ringback.accounts.sites import Site, normalise_domain
from ringback.accounts.tenants import WRITE, TenantScope
from ringback.errors import Conflict, InvalidInput, NotFound
from ringback.hours import DAYS, zone

# What an update may change; the callback and widget settings have routes of their own.
EDITABLE = ("name", "domains", "own_numbers", "destination_numbers", "country", "timezone", "working_hours")
_HH_MM = "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"

SITE_FIELDS = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200},
    "domains": {"type": "array", "minItems": 1, "maxItems": 20, "items": {"type": "string", "maxLength": 253}},
    "ownNumbers": {"type": "array", "maxItems": 20, "items": {"type": "string", "maxLength": 32}},
    "destinationNumbers": {"type": "array", "maxItems": 20, "items": {"type": "string", "maxLength": 32}},
    "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
    "timezone": {"type": "string", "maxLength": 64},
    "workingHours": {
        "type": "object", "additionalProperties": False,
        "properties": {day: {"type": "array", "maxItems": 6, "items": {
            "type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "string", "pattern": _HH_MM}}}
            for day in DAYS},
    },
}
NEW_SITE = {"type": "object", "additionalProperties": False, "required": ["name", "domains"],
            "properties": SITE_FIELDS}
SITE_CHANGE = {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": SITE_FIELDS}
_API_NAMES = {"ownNumbers": "own_numbers", "destinationNumbers": "destination_numbers",
              "workingHours": "working_hours"}


def site_json(site: Site) -> dict[str, Any]:
    return {
        "siteId": site.site_id, "name": site.name, "siteKey": site.site_key, "domains": sorted(site.domains),
        "ownNumbers": list(site.own_numbers), "destinationNumbers": list(site.destination_numbers),
        "alertContacts": list(site.alert_contacts), "country": site.country, "timezone": site.timezone,
        "workingHours": site.working_hours, "createdAt": site.created_at, "version": site.version,
    }


def snippet(site: Site, script_base_url: str) -> str:
    """The one line a customer pastes before </head>."""
    base = escape(script_base_url.rstrip("/"), quote=True)
    return f'<script src="{base}/v1/swap.js" data-site-key="{escape(site.site_key, quote=True)}" async></script>'


class SiteAdmin:
    def __init__(self, dirs: Directories, audit: Audit, script_base_url: str) -> None:
        self._dirs, self._audit, self._base = dirs, audit, script_base_url

    def list(self, scope: TenantScope) -> list[Site]:
        return self._dirs.sites.for_tenant(scope.tenant_id)

    def get(self, scope: TenantScope, site_id: str) -> Site:
        site = self._dirs.sites.get(site_id)
        if site is None or site.tenant_id != scope.tenant_id:
            # Another tenant's site is not found rather than forbidden: no probing.
            raise NotFound("no such site", code="unknown_site")
        return site

    def snippet(self, scope: TenantScope, site_id: str) -> dict[str, str]:
        site = self.get(scope, site_id)
        return {"siteKey": site.site_key, "snippet": snippet(site, self._base)}

    def create(self, scope: TenantScope, body: dict[str, Any], now_ms: int) -> Site:
        scope.require(WRITE)
        fields = self._fields(body, country=body.get("country", "US"))
        site = Site("s_" + secrets.token_hex(8), scope.tenant_id, fields.pop("name"), new_site_key(),
                    fields.pop("domains"), created_at=now_ms, **fields)
        created = add_site(self._dirs, site)
        stored = self._dirs.sites.get(created.site_id) or created
        self._audit.record(scope, "site.created", stored.site_id, None, site_json(stored), now_ms)
        return stored

    def update(self, scope: TenantScope, site_id: str, body: dict[str, Any], version: int | None,
               now_ms: int) -> Site:
        scope.require(WRITE)
        site = self._current(scope, site_id, version)
        fields = self._fields(body, country=body.get("country", site.country))
        changed = replace(site, **fields)
        self._dirs.sites.save(changed, expected_version=site.version)
        stored = replace(changed, version=site.version + 1)
        self._audit.record(scope, "site.updated", site_id, site_json(site), site_json(stored), now_ms)
        return stored

    def rotate_key(self, scope: TenantScope, site_id: str, version: int | None, now_ms: int) -> Site:
        """A new site key; the old one stops working at once (pages still carrying it
        get 404 unknown_site), so the customer pastes the new snippet first."""
        scope.require(WRITE)
        site = self._current(scope, site_id, version)
        changed = replace(site, site_key=new_site_key())
        self._dirs.sites.save(changed, expected_version=site.version)
        stored = replace(changed, version=site.version + 1)
        self._audit.record(scope, "site.key_rotated", site_id, {"siteKey": site.site_key},
                           {"siteKey": stored.site_key}, now_ms)
        return stored

    def delete(self, scope: TenantScope, site_id: str, version: int | None, now_ms: int) -> None:
        scope.require(WRITE)
        site = self._current(scope, site_id, version)
        if self._dirs.pools.site_numbers(site_id) or self._dirs.pools.for_site(site_id):
            # Its numbers would go on ringing a site that no longer exists.
            raise Conflict("release the site's numbers and delete its pools first", code="site_has_numbers")
        self._dirs.sites.delete(site_id, expected_version=site.version)
        self._audit.record(scope, "site.deleted", site_id, site_json(site), None, now_ms)

    def _current(self, scope: TenantScope, site_id: str, version: int | None) -> Site:
        site = self.get(scope, site_id)
        require_version("site", site.version, version)
        return site

    def _fields(self, body: dict[str, Any], country: str) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for api_name, value in body.items():
            name = _API_NAMES.get(api_name, api_name)
            if name not in EDITABLE:
                raise InvalidInput(f"'{api_name}' cannot be set here", code="invalid_field",
                                   details={"field": api_name})
            fields[name] = value
        checks: dict[str, Callable[[Any], Any]] = {
            "domains": lambda v: frozenset(normalise_domain(d) for d in v),
            "own_numbers": lambda v: tuple(e164(n, country) for n in v),
            "destination_numbers": lambda v: tuple(e164(n, country) for n in v),
            "timezone": lambda v: (zone(v), v)[1],
        }
        api_of = {name: api for api, name in _API_NAMES.items()}
        for name, check in checks.items():
            if name in fields:
                try:
                    fields[name] = check(fields[name])
                except InvalidInput as error:
                    raise InvalidInput(error.message, code=error.code,
                                       details={"field": api_of.get(name, name)}) from None
        if "working_hours" in fields:
            for ranges in fields["working_hours"].values():
                for start, end in ranges:
                    if start == end:
                        raise InvalidInput("a working range cannot start when it ends", code="invalid_hours",
                                           details={"field": "workingHours"})
        return fields
