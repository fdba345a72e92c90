"""Is the snippet on the customer's page? The dashboard's install check.

A customer pastes the snippet (GET /v1/sites/{site}/snippet) and asks whether it works.
We fetch the page server-side, as a visitor's browser would load it, and answer four
checks in words: the page loads, the snippet is on it, it carries this site's key, and
the page's host is one of the site's domains (the swap script's origin check refuses the
page otherwise, ringback.accounts.sites.site_for_origin).

The page is the customer's to choose, and the fetch leaves from inside our account, so
its URL passes the SSRF guard (ringback.url_guard, `PAGE`) before anything is fetched; the
fetcher (ringback.adapters.http_out.page_fetcher) checks every address and every redirect
again. The HTML is read with the standard library's parser: a snippet inside a comment
does not run, and is reported as such, where a regular expression would count it.
"""
from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

from ringback.accounts.site_parts import site_of
from ringback.accounts.sites import Site
from ringback.accounts.tenants import TenantScope
from ringback.errors import InvalidInput
from ringback.guards import Limit, RateCounter, enforce
from ringback.ports import SiteDirectory
from ringback.url_guard import MAX_URL_LENGTH, PAGE, check_url

# What is read of a page: the snippet belongs in <head>, far before this.
MAX_PAGE_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 3
SCRIPT_PATH = "/v1/swap.js"
# Each check fetches a page on our account's time: a dashboard that loops is slowed down.
INSTALL_CHECK_LIMITS = (Limit("install-check-tenant", per_window=60, window_seconds=3600),)

INSTALL_CHECK = {"type": "object", "additionalProperties": False, "required": ["url"],
                 "properties": {"url": {"type": "string", "minLength": 1, "maxLength": MAX_URL_LENGTH}}}


@dataclass(frozen=True)
class FetchedPage:
    url: str  # where the page was found, after any redirects
    status: int
    content_type: str
    body: bytes  # at most MAX_PAGE_BYTES
    truncated: bool = False


class PageRefused(Exception):
    """The page, or a redirect on the way to it, is somewhere we do not fetch from
    (an address inside a network, a name that only means something there)."""

    def __init__(self, url: str, reason: str, redirected: bool) -> None:
        super().__init__(reason)
        self.url, self.reason, self.redirected = url, reason, redirected


class PageUnreachable(Exception):
    """No answer came: the name does not resolve, the connection failed or timed out,
    TLS failed, or the redirects went on too long. The message says which, in words."""


class PageFetcher(Protocol):
    def __call__(self, url: str) -> FetchedPage:
        """GET the page, following at most MAX_REDIRECTS redirects, each checked by the
        guard; raises PageRefused or PageUnreachable."""
        ...


@dataclass(frozen=True)
class Check:
    check: str  # reachable | snippet | site_key | domain
    ok: bool
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"check": self.check, "ok": self.ok, "message": self.message}


class InstallCheck:
    def __init__(self, sites: SiteDirectory, fetch: PageFetcher, script_base_url: str,
                 rate_counter: RateCounter | None = None, allow_local: bool = False) -> None:
        self._sites, self._fetch, self._base = sites, fetch, script_base_url.rstrip("/")
        self._rate_counter, self._allow_local = rate_counter, allow_local

    def check(self, scope: TenantScope, site_id: str, url: str, now_ms: int) -> dict[str, Any]:
        site = site_of(self._sites, scope, site_id)
        check_url(url, self._allow_local, PAGE)  # 400 page_url_refused before anything is fetched
        if self._rate_counter is not None:
            enforce(self._rate_counter, INSTALL_CHECK_LIMITS, {"install-check-tenant": scope.tenant_id}, now_ms)
        try:
            page = self._fetch(url)
        except PageRefused as refused:
            if not refused.redirected:
                raise InvalidInput(f"this page URL cannot be used: {refused.reason}", code="page_url_refused",
                                   details={"field": "url"}) from None
            return _answer(url, [Check("reachable", False, f"The page redirects to {refused.url}, which we do not "
                                                             f"fetch ({refused.reason})."),
                                 *_not_checked("the page could not be loaded"), self._domain(site, url)])
        except PageUnreachable as unreachable:
            return _answer(url, [Check("reachable", False, f"The page could not be loaded: {unreachable}."),
                                 *_not_checked("the page could not be loaded"), self._domain(site, url)])
        return _answer(url, [_reachable(url, page), *self._snippet(scope, site, page), self._domain(site, page.url)])

    def _snippet(self, scope: TenantScope, site: Site, page: FetchedPage) -> list[Check]:
        if not 200 <= page.status < 300:
            return _not_checked(f"the page answered {page.status}")
        kind = page.content_type.split(";", 1)[0].strip().lower()
        if kind and kind not in ("text/html", "application/xhtml+xml"):
            return [Check("snippet", False, f"The page is {kind}, not HTML: check the snippet on an HTML page."),
                    Check("site_key", False, "Not checked: no snippet on the page.")]
        scripts = _Scripts(page.url)
        scripts.feed(_text(page))
        scripts.close()
        ours = [s for s in scripts.running if self._is_ours(s["src"])]
        if not ours:
            return [self._missing(scripts, page), Check("site_key", False, "Not checked: no snippet on the page.")]
        keys = [s.get("data-site-key") for s in ours]
        found = Check("snippet", True, "The Ringback snippet is on the page." if len(ours) == 1 else
                      f"The Ringback snippet is on the page {len(ours)} times; once is enough.")
        return [found, self._site_key(scope, site, keys)]

    def _is_ours(self, src: str) -> bool:
        script, base = urlsplit(src), urlsplit(self._base)
        return script.path.endswith(SCRIPT_PATH) and script.netloc.lower() == base.netloc.lower()

    def _missing(self, scripts: _Scripts, page: FetchedPage) -> Check:
        elsewhere = next((s["src"] for s in scripts.running if urlsplit(s["src"]).path.endswith(SCRIPT_PATH)), None)
        if elsewhere is not None:
            return Check("snippet", False, f"A swap script is on the page, but it loads from "
                                           f"{urlsplit(elsewhere).netloc}, not from {urlsplit(self._base).netloc}: "
                                           f"paste the snippet again.")
        if any(self._is_ours(s["src"]) for s in scripts.commented):
            return Check("snippet", False, "The snippet is on the page inside an HTML comment, where it does not "
                                           "run: take it out of the comment.")
        where = " in the first 2 MB of the page" if page.truncated else ""
        return Check("snippet", False, f"No Ringback snippet was found{where}: paste it into the page's <head>.")

    def _site_key(self, scope: TenantScope, site: Site, keys: list[str | None]) -> Check:
        if site.site_key in keys:
            return Check("site_key", True, f"The snippet carries this site's key ({site.site_key}).")
        key = next((k for k in keys if k), None)
        if key is None:
            return Check("site_key", False, "The snippet has no data-site-key: paste this site's snippet again.")
        other = self._sites.by_key(key) if len(key) <= 64 else None
        if other is not None and other.tenant_id == scope.tenant_id:
            # Only a site of the same tenant is named: another tenant's key names nobody.
            return Check("site_key", False, f"The snippet carries the key of your site \"{other.name}\" ({key}), "
                                            f"not this site's ({site.site_key}): paste this site's snippet.")
        return Check("site_key", False, f"The snippet carries the site key {key}, which is not this site's "
                                        f"({site.site_key}); a key stops working once it is replaced: "
                                        f"paste this site's snippet.")

    def _domain(self, site: Site, url: str) -> Check:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if site.allows_origin(f"{parts.scheme}://{host}"):
            return Check("domain", True, f"{host} is one of the site's domains, so the script will run there.")
        listed = ", ".join(sorted(site.domains)) or "none"
        return Check("domain", False, f"{host} is not one of the site's domains ({listed}): the script refuses to "
                                      f"run there. Add {host.removeprefix('www.')} to the site's domains.")


def _reachable(url: str, page: FetchedPage) -> Check:
    moved = f" (after redirects, at {page.url})" if page.url != url else ""
    if 200 <= page.status < 300:
        return Check("reachable", True, f"The page loads: it answered {page.status}{moved}.")
    return Check("reachable", False, f"The page answered {page.status}{moved}: check the URL, or that the page "
                                     f"is public.")


def _not_checked(why: str) -> list[Check]:
    return [Check("snippet", False, f"Not checked: {why}."), Check("site_key", False, f"Not checked: {why}.")]


def _answer(url: str, checks: list[Check]) -> dict[str, Any]:
    return {"url": url, "installed": all(c.ok for c in checks), "checks": [c.as_json() for c in checks]}


def _text(page: FetchedPage) -> str:
    charset = next((part.split("=", 1)[1].strip().strip('"') for part in page.content_type.split(";")[1:]
                    if part.strip().lower().startswith("charset=")), "utf-8")
    try:
        return page.body.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know: the tag we look for is ASCII anyway
        return page.body.decode("utf-8", errors="replace")


class _Scripts(HTMLParser):
    """The <script src> tags of a page, their src resolved against the page (or its
    <base href>), and those inside comments, which never run."""

    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self._base = page_url
        self.running: list[dict[str, str]] = []
        self.commented: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "base" and found.get("href") and not self.running:
            self._base = urljoin(self._base, found["href"])
        elif tag == "script" and found.get("src"):
            self.running.append({**found, "src": urljoin(self._base, found["src"].strip())})

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        inner = _Scripts(self._base)
        inner.feed(data)
        inner.close()
        self.commented.extend(inner.running)
