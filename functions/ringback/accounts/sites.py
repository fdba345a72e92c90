"""Sites: where a tenant's snippet may run, and what a public page may learn of it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ringback.errors import Forbidden, InvalidInput, NotFound
from ringback.ports import SiteDirectory


@dataclass(frozen=True)
class Site:
    site_id: str
    tenant_id: str
    name: str
    site_key: str
    domains: frozenset[str]
    own_numbers: tuple[str, ...] = ()
    destination_numbers: tuple[str, ...] = ()
    alert_contacts: tuple[str, ...] = ()
    country: str = "US"
    timezone: str = "UTC"
    working_hours: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    created_at: int = 0
    # Each save makes it one more; an update names the version it read, so two admins
    # never overwrite each other silently (the API's ETag / If-Match).
    version: int = 0

    def allows_origin(self, origin: str | None) -> bool:
        """A domain "example.com" admits example.com and every subdomain of it, since
        sites commonly answer on both the apex and www."""
        host = origin_host(origin)
        if not host:
            return False
        return any(host == d or host.endswith("." + d) for d in self.domains)


def origin_host(origin: str | None) -> str | None:
    if not origin or origin == "null":
        return None
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    return parts.hostname.lower()


def normalise_domain(domain: str) -> str:
    domain = domain.strip().lower().removeprefix("*.")
    if "://" in domain:
        domain = urlsplit(domain).hostname or ""
    if not domain or "/" in domain or " " in domain:
        raise InvalidInput(f"not a domain: {domain!r}", code="invalid_domain")
    return domain


def site_for_origin(sites: SiteDirectory, site_key: str, origin: str | None) -> Site:
    """The gate of every public endpoint: a known site key, called from one of its domains."""
    if not site_key or len(site_key) > 64:
        raise InvalidInput("a site key is required", code="invalid_site_key")
    site = sites.by_key(site_key)
    if site is None:
        raise NotFound("unknown site key", code="unknown_site")
    if not site.allows_origin(origin):
        raise Forbidden("this origin is not one of the site's domains", code="origin_not_allowed")
    return site


def site_language(site: Site) -> str | None:
    """The language the site chose for its widget (its code prompt and "ext." label follow
    it), None when it follows the page."""
    locale = (site.settings.get("callback") or {}).get("locale")
    return locale if isinstance(locale, str) and locale != "auto" else None


def public_config(site: Site) -> dict[str, Any]:
    """What the snippet on a page may know: nothing that identifies the tenant or its staff."""
    return {
        "siteKey": site.site_key,
        "name": site.name,
        "country": site.country,
        "timezone": site.timezone,
        "ownNumbers": list(site.own_numbers),
        "workingHours": site.working_hours,
        "widget": site.settings.get("widget", {}),
    }
