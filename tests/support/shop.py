"""The memory services the management API's unit tests run on: two tenants, "shop" (an
admin, an analyst and an owner) and "other" (its owner, a stranger to shop), installed as
the functions' services for the test."""
from contextlib import contextmanager

from ringback import bootstrap
from ringback.accounts.tenants import Membership, Tenant
from ringback.bootstrap import build_memory_services
from ringback.clock import ManualClock


@contextmanager
def shop_and_other(now_ms: int, change=None):
    """`change`, if given, turns the memory services into the ones a test needs (its own
    webhook receiver, say) before the tenants are added."""
    services = build_memory_services(ManualClock(now_ms))
    if change is not None:
        services = change(services)
    for tenant in ("shop", "other"):
        services.tenants.save(Tenant(tenant, tenant.title()))
    services.tenants.add_member(Membership("shop", "u-admin", "a@shop.test", "admin"))
    services.tenants.add_member(Membership("shop", "u-analyst", "b@shop.test", "analyst"))
    services.tenants.add_member(Membership("shop", "u-owner", "c@shop.test", "owner"))
    services.tenants.add_member(Membership("other", "u-other", "o@other.test", "owner"))
    bootstrap.install(services)
    try:
        yield services
    finally:
        bootstrap.install(None)
