"""Opening an account: a tenant, its first site, its numbers, then what uses them.

Self sign-up, agency sub-accounts and the local stack's demo tenant all go through here,
so a demo looks exactly like a customer who signed up.

The order matters: callbacks call from a number the account owns at the carrier, and
missed-call texts go from one that can text (ringback/accounts/numbers.py), so a site gets its
tracking numbers before `enable_callbacks()` and `set_alert_contacts()`, which refuse a
site without them. A new site therefore starts with callbacks off and no alert contacts:
a setup that the carrier would refuse fails here, naming what is missing, not as a failed
call later.
"""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import phonenumbers

from ringback.accounts import numbers as number_rules
from ringback.accounts.sites import Site, normalise_domain
from ringback.accounts.tenants import Membership, Tenant
from ringback.errors import Conflict, InvalidInput, NotFound
from ringback.ports import PoolDirectory, SiteDirectory, TenantDirectory
from ringback.tracking.pools import Pool
from ringback.tracking.rules import validate_rule


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
    # A site has no tracking numbers before it exists: nothing to text alerts from yet.
    if site.alert_contacts:
        raise _missing_sms_number()
    callback = dict(site.settings.get("callback", {}))
    if callback.get("enabled") is True:
        raise _missing_voice_number()
    # Off until enable_callbacks(): the widget's default is on, which would take requests
    # this site has no number to call back from.
    settings = {**site.settings, "callback": {**callback, "enabled": False}}
    normalised = Site(
        **{
            **site.__dict__,
            "domains": frozenset(normalise_domain(d) for d in site.domains),
            "own_numbers": tuple(e164(n, site.country) for n in site.own_numbers),
            "destination_numbers": tuple(e164(n, site.country) for n in site.destination_numbers),
            "alert_contacts": (),
            "settings": settings,
        }
    )
    dirs.sites.save(normalised)
    return replace(normalised, version=normalised.version + 1)


def enable_callbacks(dirs: Directories, site_id: str, **settings: Any) -> Site:
    """Switch callbacks on (with any callback settings: operators, caller_id, countries,
    triggers...). Refused for a site with no tracking number to call from, or a caller_id
    that is not one of its tracking numbers (the carrier refuses both: 21210)."""
    site = _site(dirs, site_id)
    owned = dirs.pools.site_numbers(site.site_id)
    if not owned:
        raise _missing_voice_number()
    callback = {**site.settings.get("callback", {}), **settings, "enabled": True}
    # A caller ID verified at the carrier is chosen through the API, which asks the carrier
    # (ringback.callbacks.settings); one chosen here is a tracking number.
    kept_verified = "caller_id" not in settings and callback.get("caller_id_source") == number_rules.VERIFIED
    if callback.get("caller_id") and not kept_verified:
        callback["caller_id"] = e164(callback["caller_id"], site.country)
        if callback["caller_id"] not in {n.number for n in owned}:
            raise InvalidInput("the callback caller ID must be one of the site's tracking numbers: the carrier "
                               "refuses a caller ID the account does not own", code="caller_id_not_owned",
                               details={"caller_id": callback["caller_id"]})
        callback["caller_id_source"] = number_rules.TRACKING
    return _save(dirs, site, settings={**site.settings, "callback": callback})


def set_alert_contacts(dirs: Directories, site_id: str, contacts: list[str],
                       expected_version: int | None = None) -> Site:
    """Who is texted about missed calls and callbacks. Refused for a site none of whose
    tracking numbers can send texts (the carrier refuses such a sender: 21606). With
    `expected_version` (the API's If-Match), saved only over that version of the site."""
    site = _site(dirs, site_id)
    normalised = tuple(dict.fromkeys(e164(n, site.country) for n in contacts))
    if normalised and number_rules.sms_sender(dirs.pools.site_numbers(site.site_id)) is None:
        raise _missing_sms_number()
    changed = replace(site, alert_contacts=normalised)
    dirs.sites.save(changed, expected_version=expected_version)
    return replace(changed, version=changed.version + 1)


def _site(dirs: Directories, site_id: str) -> Site:
    site = dirs.sites.get(site_id)
    if site is None:
        raise NotFound("unknown site", code="unknown_site")
    return site


def _save(dirs: Directories, site: Site, **changes: Any) -> Site:
    changed = Site(**{**site.__dict__, **changes})
    dirs.sites.save(changed)
    return replace(changed, version=changed.version + 1)


def _missing_voice_number() -> Conflict:
    return Conflict("callbacks need a tracking number to call from: add the site's numbers first",
                    code="no_voice_number", details={"missing": "a tracking number of the site"})


def _missing_sms_number() -> Conflict:
    return Conflict("alert texts need a tracking number that can send SMS: add one to the site first",
                    code="no_sms_number", details={"missing": "an SMS-capable tracking number of the site"})


def add_pool(dirs: Directories, pool: Pool, numbers: list[str], now_ms: int,
             sms: bool | Mapping[str, bool] = True) -> Pool:
    """Store a new pool and its numbers; the pool as stored. `sms`: whether the carrier
    lets the numbers send texts, for all of them or by number (as the carrier sold them)."""
    site = dirs.sites.get(pool.site_id)
    if site is None or site.tenant_id != pool.tenant_id:
        raise InvalidInput("unknown site", code="unknown_site")
    if not numbers:
        raise InvalidInput("a pool needs at least one number", code="empty_pool")
    if pool.mode == "extensions" and len(numbers) != 1:
        raise InvalidInput("an extension pool runs on exactly one number", code="invalid_pool_mode")
    pool = Pool(**{**pool.__dict__, "rule": validate_rule(pool.rule)})
    numbers = [e164(n, site.country) for n in numbers]
    dirs.pools.save(pool, expected_version=0)
    texting = sms if isinstance(sms, Mapping) else dict.fromkeys(numbers, sms)
    for can_text in (True, False):
        group = [n for n in numbers if texting.get(n, True) is can_text]
        if group:
            dirs.pools.add_numbers(pool, group, now_ms, sms=can_text)
    return replace(pool, version=pool.version + 1)


def add_static_number(dirs: Directories, site: Site, number: str, channel: dict[str, Any], now_ms: int,
                      sms: bool = True) -> str:
    """`sms`: whether the carrier lets the number send texts (true of US local numbers)."""
    number = e164(number, site.country)
    dirs.pools.add_static_number(site.tenant_id, site.site_id, number, validate_rule(channel), now_ms, sms=sms)
    return number
