"""The demo tenant of the local stack, opened the way a customer's account is opened."""
from __future__ import annotations

from dataclasses import dataclass

from ringback.accounts.tenants import Membership, Tenant
from ringback.tracking.pools import Pool
from ringback.accounts.provisioning import (
    Directories,
    add_pool,
    add_site,
    add_static_number,
    enable_callbacks,
    open_tenant,
    set_alert_contacts,
)
from ringback.accounts.sites import Site

# 555-0100..0199 numbers are reserved for fiction: nobody real is ever dialled.
DEMO_SITE_KEY = "pk_demo_local"
DEMO_OWN_NUMBER = "+1 415-555-0100"
DEMO_POOL_NUMBERS = [f"+1415555{n:04d}" for n in range(101, 111)]
# The demo's static tracking number: a number the account rents from the carrier, so the
# callback legs call from it and alert texts go from it (the site's own number above is
# the company's, which the carrier would refuse as a caller ID or sender).
DEMO_STATIC_NUMBER = "+14155550150"
DEMO_DESTINATION = "+14155550199"  # the demo company's operator
DEMO_ALERT_CONTACT = "+14155550198"
DEMO_EMAIL = "demo@ringback.local"
DEMO_PASSWORD = "Demo-Passw0rd-2026"


@dataclass(frozen=True)
class DemoTenant:
    tenant_id: str
    site: Site
    pool: Pool
    static_number: str


def seed_demo(dirs: Directories, now_ms: int, owner_user_id: str | None) -> DemoTenant:
    """In the order sign-up takes: the site, its numbers, then what needs a number of the
    account (alert texts, callbacks), which provisioning refuses earlier."""
    tenant = open_tenant(
        dirs,
        Tenant(tenant_id="demo", name="Demo Plumbing Co", kind="customer", created_at=now_ms),
        Membership("demo", owner_user_id, DEMO_EMAIL, "owner", now_ms) if owner_user_id else None,
    )
    site = add_site(
        dirs,
        Site(
            site_id="demo-site",
            tenant_id=tenant.tenant_id,
            name="demo plumbing site",
            site_key=DEMO_SITE_KEY,
            domains=frozenset({"localhost"}),
            own_numbers=(DEMO_OWN_NUMBER,),
            destination_numbers=(DEMO_DESTINATION,),
            country="US",
            timezone="America/Los_Angeles",
            # Open around the clock, so a person trying the phone page reaches the operator
            # at any hour; off-hours handling is covered by the tests.
            working_hours={},
            settings={"widget": {"language": "en", "color": "#0b6bcb", "position": "bottom-right"}},
            created_at=now_ms,
        ),
    )
    pool = add_pool(
        dirs,
        Pool(
            pool_id="demo-pool",
            tenant_id=tenant.tenant_id,
            site_id=site.site_id,
            name="paid search",
            lease_seconds=15 * 60,
            rule={"utm_medium": ["cpc", "ppc"]},
            created_at=now_ms,
        ),
        DEMO_POOL_NUMBERS,
        now_ms,
    )
    static = add_static_number(dirs, site, DEMO_STATIC_NUMBER, {"referrer_domain": "yelp.com"}, now_ms)
    set_alert_contacts(dirs, site.site_id, [DEMO_ALERT_CONTACT])
    # The callback widget opens after 15 s on a page or on exit intent; the operator is rung
    # first, then the visitor (ringback/callbacks/policy.py), both from the static number.
    site = enable_callbacks(
        dirs, site.site_id,
        countries=["US"],
        triggers={"secondsOnPage": 15, "exitIntent": True, "cooldownHours": 24},
        theme={"color": "#0b6bcb", "position": "right"},
        caller_id=DEMO_STATIC_NUMBER,
    )
    return DemoTenant(tenant.tenant_id, site, pool, static)
