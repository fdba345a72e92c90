"""The composition root: settings in, adapters built once, on first use.

Nothing heavy happens at import, so a cold start and test collection stay fast. Tests
build their own Services (with fakes or another endpoint) instead of patching this.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ringback.accounts import Principal, TenantScope, resolve_scope
from ringback.clock import Clock, SystemClock
from ringback.ports import CallLog, PoolDirectory, SiteDirectory, TenantDirectory
from ringback.settings import Settings, load_settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    clock: Clock
    sites: SiteDirectory
    tenants: TenantDirectory
    pools: PoolDirectory
    calls: CallLog

    def scope_for(self, principal: Principal, requested_tenant: str | None) -> TenantScope:
        return resolve_scope(self.tenants, principal, requested_tenant)


def build_services(settings: Settings, clock: Clock | None = None) -> Services:
    from ringback.adapters import dynamo
    from ringback.adapters.tables import bind_tables

    bind_tables(settings.table_names(), settings.region, settings.aws_endpoint_url)
    return Services(
        settings=settings,
        clock=clock or SystemClock(),
        sites=dynamo.DynamoSites(),
        tenants=dynamo.DynamoTenants(),
        pools=dynamo.DynamoPools(),
        calls=dynamo.DynamoCallLog(),
    )


@cache
def services() -> Services:
    return build_services(load_settings())
