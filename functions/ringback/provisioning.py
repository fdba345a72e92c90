"""Opening an account: a tenant, its first site, its numbers.

Self sign-up, agency sub-accounts and the local stack's demo tenant all go through here,
so a demo looks exactly like a customer who signed up.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

import phonenumbers

from ringback.accounts import Membership, Tenant
from ringback.errors import Conflict, InvalidInput
from ringback.pools import Pool
from ringback.rules import validate_rule
from ringback.ports import PoolDirectory, SiteDirectory, TenantDirectory
from ringback.sites import Site, normalise_domain


def new_site_key() -> str:
    # Public (it ships in the snippet) but unguessable, so sites cannot be enumerated.
    return "pk_" + secrets.token_urlsafe(18)


def e164(number: str, region: str | None = None) -> str:
    """A number as the carrier writes it, or InvalidInput."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput(f"not a phone number: {number!r}", code="invalid_phone") from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidInput(f"not a possible phone number: {number!r}", code="invalid_phone")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class Directories:
    tenants: TenantDirectory
    sites: SiteDirectory
    pools: PoolDirectory


def open_tenant(dirs: Directories, tenant: Tenant, owner: Membership | None) -> Tenant:
    if dirs.tenants.get(tenant.tenant_id) is not None:
        raise Conflict("that tenant exists already", code="tenant_exists")
    if tenant.parent_id is not None:
        agency = dirs.tenants.get(tenant.parent_id)
        if agency is None or agency.kind != "agency":
            raise InvalidInput("a client account must belong to an agency", code="invalid_parent")
    dirs.tenants.save(tenant)
    if owner is not None:
        dirs.tenants.add_member(owner)
    return tenant


def add_site(dirs: Directories, site: Site) -> Site:
    if dirs.tenants.get(site.tenant_id) is None:
        raise InvalidInput("unknown tenant", code="unknown_tenant")
    if not site.domains:
        raise InvalidInput("a site needs at least one domain", code="invalid_domain")
    normalised = Site(
        **{
            **site.__dict__,
            "domains": frozenset(normalise_domain(d) for d in site.domains),
            "own_numbers": tuple(e164(n, site.country) for n in site.own_numbers),
            "destination_numbers": tuple(e164(n, site.country) for n in site.destination_numbers),
            "alert_contacts": tuple(e164(n, site.country) for n in site.alert_contacts),
        }
    )
    dirs.sites.save(normalised)
    return normalised


def add_pool(dirs: Directories, pool: Pool, numbers: list[str], now_ms: int) -> Pool:
    site = dirs.sites.get(pool.site_id)
    if site is None or site.tenant_id != pool.tenant_id:
        raise InvalidInput("unknown site", code="unknown_site")
    if not numbers:
        raise InvalidInput("a pool needs at least one number", code="empty_pool")
    if pool.mode == "extensions" and len(numbers) != 1:
        raise InvalidInput("an extension pool runs on exactly one number", code="invalid_pool_mode")
    pool = Pool(**{**pool.__dict__, "rule": validate_rule(pool.rule)})
    dirs.pools.save(pool)
    dirs.pools.add_numbers(pool, [e164(n, site.country) for n in numbers], now_ms)
    return pool


def add_static_number(dirs: Directories, site: Site, number: str, channel: dict, now_ms: int) -> str:
    number = e164(number, site.country)
    dirs.pools.add_static_number(site.tenant_id, site.site_id, number, validate_rule(channel), now_ms)
    return number
