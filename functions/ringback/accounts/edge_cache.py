"""A site's public config is cached at the edge, and forgotten there when the site changes.

The widget reads GET /v1/sites/{key}/config on every page view. CloudFront keeps each
answer for CONFIG_MAX_AGE_SECONDS per site key, page origin and viewer country
(infra/edge_routes.py), so a page view rarely reaches the function. A change to a site
(its settings, domains, numbers, hours, widget, callbacks, key, or its deletion) is seen
at the edge at once: every save or delete of a site goes through SitesSeenByEdge, which
invalidates the config paths of the key the site had and the key it has now. If the CDN
cannot be told, the change stands (it is saved, and the answer to the change is not an
error the customer would retry); the edge then serves the old config until it expires.
"""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from ringback.accounts.sites import Site
from ringback.ports import EdgeCache, SiteDirectory

# Long enough that a busy site's page views are answered at the edge, short enough that
# "open now" and the next opening (ringback.callbacks.offer) are at most a minute old.
CONFIG_MAX_AGE_SECONDS = 60

log = logging.getLogger(__name__)


class EdgeCacheUnavailable(Exception):
    """The CDN was not told (throttled, unreachable, refused)."""


def config_path(site_key: str) -> str:
    """The path the widget reads a site's config at, as the edge caches it."""
    return f"/v1/sites/{quote(site_key, safe='')}/config"


class SitesSeenByEdge:
    """The sites, with every change forgotten by the edge cache. Reads go straight through."""

    def __init__(self, sites: SiteDirectory, edge: EdgeCache) -> None:
        self._sites, self._edge = sites, edge

    def by_key(self, site_key: str) -> Site | None:
        return self._sites.by_key(site_key)

    def get(self, site_id: str) -> Site | None:
        return self._sites.get(site_id)

    def for_tenant(self, tenant_id: str) -> list[Site]:
        return self._sites.for_tenant(tenant_id)

    def save(self, site: Site, expected_version: int | None = None) -> None:
        before = self._sites.get(site.site_id)
        self._sites.save(site, expected_version)
        self._forget(before, site)

    def delete(self, site_id: str, expected_version: int) -> None:
        before = self._sites.get(site_id)
        self._sites.delete(site_id, expected_version)
        self._forget(before)

    def __getattr__(self, name: str) -> Any:  # what an adapter offers beyond the port
        return getattr(self._sites, name)

    def _forget(self, *versions: Site | None) -> None:
        # The old key too: after a rotation its cached config must stop answering.
        paths = sorted({config_path(site.site_key) for site in versions if site is not None and site.site_key})
        if not paths:
            return
        try:
            self._edge.invalidate(paths)
        except EdgeCacheUnavailable as error:
            log.error("the edge was not told that %s changed; it serves the old config for up to %s s: %s",
                      ", ".join(paths), CONFIG_MAX_AGE_SECONDS, error)
