"""Tenants, agencies and who may act for them.

Tenant isolation starts here: every dashboard read or write is scoped by a TenantScope
that resolve_scope() built from the signed-in user's memberships, never from a tenant id
the client merely claims.
"""
from __future__ import annotations

from dataclasses import dataclass

from ringback.calls.retention import DEFAULT_RECORDING_RETENTION_DAYS, check_recording_retention
from ringback.errors import Forbidden, InvalidInput
from ringback.ports import TenantDirectory

TENANT_KINDS = ("customer", "agency")

# What a caller may do in a tenant. Routes ask for a permission, never for a role, so a
# role's reach is read here, in one table.
READ = "read"            # calls, callbacks, reports, settings
WRITE = "write"          # sites, pools, numbers, routing, widget, ad spend
MANAGE = "manage"        # members, invitations, API keys, client accounts
BILLING = "billing"      # plan, usage, invoices
AUDIT = "audit"          # the audit log
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "owner": frozenset({READ, WRITE, MANAGE, BILLING, AUDIT}),
    "admin": frozenset({READ, WRITE, MANAGE}),
    "analyst": frozenset({READ}),
    "billing": frozenset({BILLING}),
}
ROLES = tuple(ROLE_PERMISSIONS)
# An API key acts with one of these, never with a role: it cannot manage members or keys,
# so a leaked key cannot mint more keys or lock the owners out.
KEY_ACCESS: dict[str, frozenset[str]] = {"read": frozenset({READ}), "write": frozenset({READ, WRITE})}


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    name: str
    kind: str = "customer"
    parent_id: str | None = None  # the agency managing this client
    plan: str = "trial"
    retention_days: int = 395
    created_at: int = 0
    # The carrier subaccount holding the tenant's numbers, opened on its first purchase
    # (ringback.accounts.number_shop); None before.
    carrier_account: str | None = None
    # How long its call recordings are kept: one of the classes the recordings bucket has
    # a lifecycle rule for (ringback.calls.retention).
    recording_retention_days: int = DEFAULT_RECORDING_RETENTION_DAYS

    def __post_init__(self) -> None:
        if self.kind not in TENANT_KINDS:
            raise InvalidInput(f"tenant kind must be one of {TENANT_KINDS}")
        if not 1 <= self.retention_days <= 3650:
            raise InvalidInput("retention must be between 1 day and 10 years")
        check_recording_retention(self.recording_retention_days)
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
    """Who is calling, as the authorizer vouched for them: a signed-in user (the identity
    provider's `sub` and verified e-mail) or an API key of one tenant."""

    user_id: str
    email: str = ""
    # Set for an API key: the key's id, the one tenant it belongs to and its access.
    key_id: str | None = None
    key_tenant: str | None = None
    key_access: str | None = None

    @property
    def actor(self) -> str:
        """Who did it, as the audit log names them."""
        return f"key:{self.key_id}" if self.key_id else f"user:{self.user_id}"


@dataclass(frozen=True)
class TenantScope:
    """The tenant a request acts for, and every tenant it may read (an agency's clients)."""

    tenant_id: str
    role: str
    readable: frozenset[str]
    # What the role allows (ROLE_PERMISSIONS) unless given: an API key's come from its access.
    # Typed as it is once built: __post_init__ replaces the None default.
    permissions: frozenset[str] = None  # type: ignore[assignment]
    actor: str = ""

    def __post_init__(self) -> None:
        if self.permissions is None:
            object.__setattr__(self, "permissions", ROLE_PERMISSIONS.get(self.role, frozenset()))

    def require_readable(self, tenant_id: str) -> None:
        if tenant_id not in self.readable:
            # The same answer as for a tenant that does not exist: no probing.
            raise Forbidden("no access to that tenant", code="tenant_forbidden")

    def require(self, permission: str) -> TenantScope:
        if permission not in self.permissions:
            raise Forbidden(f"your role ({self.role}) may not do this: it needs '{permission}'",
                            code="role_forbidden")
        return self


def resolve_scope(tenants: TenantDirectory, principal: Principal, requested: str | None) -> TenantScope:
    """Pick the tenant a request acts for.

    A user in one tenant needs no choice; a user in several (or an agency user acting for
    a client) names it. An agency member may act for each of the agency's clients.
    """
    if principal.key_id is not None:
        return _key_scope(tenants, principal, requested)
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
    return TenantScope(tenant_id=tenant.tenant_id, role=membership.role, readable=frozenset(readable),
                       permissions=ROLE_PERMISSIONS.get(membership.role, frozenset()), actor=principal.actor)


def _key_scope(tenants: TenantDirectory, principal: Principal, requested: str | None) -> TenantScope:
    """An API key acts for its own tenant only: an agency's key does not reach its clients
    (each client account has keys of its own)."""
    if requested is not None and requested != principal.key_tenant:
        raise Forbidden("no access to that tenant", code="tenant_forbidden")
    tenant = tenants.get(principal.key_tenant or "")
    if tenant is None:
        raise Forbidden("no access to that tenant", code="tenant_forbidden")
    access = principal.key_access or "read"
    return TenantScope(tenant_id=tenant.tenant_id, role=f"api-key:{access}", readable=frozenset({tenant.tenant_id}),
                       permissions=KEY_ACCESS.get(access, frozenset()), actor=principal.actor)
