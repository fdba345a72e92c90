"""A visit: one visitor session on a site, and everything attribution needs from it."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ringback.accounts.sites import Site
from ringback.errors import InvalidInput

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
UTM_KEYS = ("source", "medium", "campaign", "term", "content")
MAX_URL = 2048
# Search engines that still put the query in the referrer, and the parameter they use.
KEYWORD_PARAMS = {"yandex": "text", "bing": "q", "duckduckgo": "q", "yahoo": "p", "mail.ru": "q"}


@dataclass(frozen=True)
class Visit:
    session_id: str
    tenant_id: str
    site_id: str
    client_id: str
    started_at: int
    last_seen_at: int
    utm: dict[str, str] = field(default_factory=dict)
    gclid: str | None = None
    yclid: str | None = None
    referrer: str | None = None
    referrer_domain: str | None = None
    landing_page: str | None = None
    keyword: str | None = None
    region: dict[str, str] = field(default_factory=dict)
    pages_viewed: int = 1
    shown_lines: tuple[str, ...] = ()
    clicks: tuple[dict[str, Any], ...] = ()  # [{"line": ..., "at": ms}] from tel: click beacons
    device: str | None = None  # mobile | desktop (CloudFront's device headers); None unknown

    @property
    def visitor_key(self) -> str:
        return visitor_key(self.site_id, self.client_id)

    def source(self) -> dict[str, Any]:
        """What a call is attributed to."""
        return {
            "source": self.utm.get("source") or self.referrer_domain or "direct",
            "medium": self.utm.get("medium") or ("referral" if self.referrer_domain else "none"),
            "campaign": self.utm.get("campaign"),
            "keyword": self.keyword,
            "landing_page": self.landing_page,
            "gclid": self.gclid,
            "yclid": self.yclid,
        }


def visitor_key(site_id: str, client_id: str) -> str:
    return f"{site_id}#{client_id}"


def require_client_id(client_id: Any) -> str:
    if not isinstance(client_id, str) or not CLIENT_ID.match(client_id):
        raise InvalidInput("clientId must be 8 to 64 letters, digits, '-' or '_'", code="invalid_client_id")
    return client_id


def _url(value: Any, name: str) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > MAX_URL:
        raise InvalidInput(f"{name} must be a URL of at most {MAX_URL} characters", code="invalid_url")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{name} must be an http(s) URL", code="invalid_url")
    return value


def _first(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0][:256] if values and values[0] else None


def _domain(host: str | None) -> str | None:
    if not host:
        return None
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


def new_visit(
    site: Site,
    session_id: str,
    client_id: str,
    page: Any,
    referrer: Any,
    viewer: dict[str, str],
    now_ms: int,
) -> Visit:
    """Read a visit from what the page and CloudFront tell us."""
    page_url = _url(page, "page")
    if page_url is None:
        raise InvalidInput("page is required", code="invalid_url")
    referrer_url = _url(referrer, "referrer")
    page_parts = urlsplit(page_url)
    query = parse_qs(page_parts.query)
    utm = {key: value for key in UTM_KEYS if (value := _first(query, f"utm_{key}"))}
    referrer_domain = None
    keyword = utm.get("term")
    if referrer_url:
        ref = urlsplit(referrer_url)
        if _domain(ref.hostname) != _domain(page_parts.hostname):  # internal navigation is no source
            referrer_domain = _domain(ref.hostname)
            if keyword is None:
                for engine, param in KEYWORD_PARAMS.items():
                    if engine in (referrer_domain or ""):
                        keyword = _first(parse_qs(ref.query), param)
                        break
    region = {
        key: value[:64]
        for key, header in (("country", "cloudfront-viewer-country"), ("region", "cloudfront-viewer-country-region"),
                            ("city", "cloudfront-viewer-city"))
        if (value := viewer.get(header))
    }
    handheld = (viewer.get("cloudfront-is-mobile-viewer"), viewer.get("cloudfront-is-tablet-viewer"))
    device = ("mobile" if "true" in handheld
              else "desktop" if viewer.get("cloudfront-is-desktop-viewer") == "true" else None)
    return Visit(
        session_id=session_id,
        tenant_id=site.tenant_id,
        site_id=site.site_id,
        client_id=require_client_id(client_id),
        started_at=now_ms,
        last_seen_at=now_ms,
        utm=utm,
        gclid=_first(query, "gclid"),
        yclid=_first(query, "yclid"),
        referrer=referrer_url if referrer_domain else None,
        referrer_domain=referrer_domain,
        landing_page=f"{page_parts.scheme}://{page_parts.netloc}{page_parts.path}",
        keyword=keyword,
        region=region,
        device=device,
    )
