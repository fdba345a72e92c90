"""Tenants, agencies and who may act for them.

Tenant isolation starts here: every dashboard read or write is scoped by a TenantScope
that resolve_scope() built from the signed-in user's memberships, never from a tenant id
the client merely claims.
"""
from __future__ import annotations

from dataclasses import dataclass

from ringback.errors import Forbidden, InvalidInput
from ringback.ports import TenantDirectory

TENANT_KINDS = ("customer", "agency")
ROLES = ("owner", "admin", "analyst", "operator")


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    name: str
    kind: str = "customer"
    parent_id: str | None = None  # the agency managing this client
    plan: str = "trial"
    retention_days: int = 395
    created_at: int = 0

    def __post_init__(self) -> None:
        if self.kind not in TENANT_KINDS:
            raise InvalidInput(f"tenant kind must be one of {TENANT_KINDS}")
        if not 1 <= self.retention_days <= 3650:
            raise InvalidInput("retention must be between 1 day and 10 years")
        if self.parent_id == self.tenant_id:
            raise InvalidInput("a tenant cannot manage itself")


@dataclass(frozen=True)
class Membership:
    tenant_id: str
    user_id: str
    email: str
    role: str = "owner"
    created_at: int = 0


@dataclass(frozen=True)
class Principal:
    """A signed-in dashboard user, as the identity provider vouched for them."""

    user_id: str
    email: str = ""


@dataclass(frozen=True)
class TenantScope:
    """The tenant a request acts for, and every tenant it may read (an agency's clients)."""

    tenant_id: str
    role: str
    readable: frozenset[str]

    def require_readable(self, tenant_id: str) -> None:
        if tenant_id not in self.readable:
            # The same answer as for a tenant that does not exist: no probing.
            raise Forbidden("no access to that tenant", code="tenant_forbidden")


def resolve_scope(tenants: TenantDirectory, principal: Principal, requested: str | None) -> TenantScope:
    """Pick the tenant a request acts for.

    A user in one tenant needs no choice; a user in several (or an agency user acting for
    a client) names it. An agency member may act for each of the agency's clients.
    """
    memberships = tenants.memberships_of(principal.user_id)
    if not memberships:
        raise Forbidden("this user belongs to no tenant", code="no_tenant")
    by_tenant = {m.tenant_id: m for m in memberships}
    if requested is None:
        if len(by_tenant) > 1:
            raise InvalidInput("this user belongs to several tenants: name one", code="tenant_required")
        requested = next(iter(by_tenant))
    membership = by_tenant.get(requested)
    if membership is None:
        tenant = tenants.get(requested)
        agency = tenant.parent_id if tenant else None
        if agency is None or agency not in by_tenant:
            raise Forbidden("no access to that tenant", code="tenant_forbidden")
        membership = by_tenant[agency]
    tenant = tenants.get(requested)
    if tenant is None:
        raise Forbidden("no access to that tenant", code="tenant_forbidden")
    readable = {tenant.tenant_id}
    if tenant.kind == "agency":
        readable |= {client.tenant_id for client in tenants.clients_of(tenant.tenant_id)}
    return TenantScope(tenant_id=tenant.tenant_id, role=membership.role, readable=frozenset(readable))
