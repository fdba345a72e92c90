"""What the routes that manage one part of a site (its webhook endpoints, its alert
contacts) share with the site routes: the site is the tenant's or not found, a change
names the version it read, and is saved only over that version.

The version is the site's: its ETag on GET /v1/sites/{id} and on every part's GET, so a
change to any part of a site refuses a writer who read the site before it.
"""
from __future__ import annotations

from ringback.accounts.sites import Site
from ringback.accounts.tenants import TenantScope
from ringback.errors import NotFound, PreconditionFailed
from ringback.ports import SiteDirectory


def site_of(sites: SiteDirectory, scope: TenantScope, site_id: str) -> Site:
    site = sites.get(site_id)
    if site is None or site.tenant_id != scope.tenant_id:
        # Another tenant's site is not found rather than forbidden: no probing.
        raise NotFound("no such site", code="unknown_site")
    return site


def require_version(what: str, current: int, sent: int | None) -> None:
    """An update names the version it read (If-Match): without one it is refused (428),
    and over a newer one (412), so two admins never overwrite each other silently."""
    if sent is None:
        raise PreconditionFailed(f"send the version of the {what} you read as If-Match (the ETag of its GET)",
                                 code="version_required")
    if sent != current:
        raise PreconditionFailed(f"the {what} changed since you read it: read it again", code="stale_version",
                                 details={"current": current})


def site_at(sites: SiteDirectory, scope: TenantScope, site_id: str, version: int | None) -> Site:
    """The site, if it is still at the version the caller read (If-Match)."""
    site = site_of(sites, scope, site_id)
    require_version("site", site.version, version)
    return site
