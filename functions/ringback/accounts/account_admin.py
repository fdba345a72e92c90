"""The tenant's own account as its owners see it: its name, whether it is an agency, and
how long its call recordings are kept (ringback.calls.retention).

A business that signs up gets an account named after its e-mail domain; the owner renames
it, and an agency turns its account into one here, after which it opens client accounts
(ringback.accounts.members). The account has no stored version, so its ETag is a digest of
what it shows: an update sent with an old ETag is refused, as for every other resource.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from ringback.accounts.audit import Audit
from ringback.accounts.tenants import MANAGE, TENANT_KINDS, Tenant, TenantScope
from ringback.calls.retention import RECORDING_RETENTION_DAYS
from ringback.errors import Conflict, NotFound, PreconditionFailed
from ringback.ports import TenantDirectory

ACCOUNT_CHANGE = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 120},
                   "kind": {"type": "string", "enum": list(TENANT_KINDS)},
                   # One of the recordings bucket's lifecycle classes (ringback.calls.retention).
                   "recordingRetentionDays": {"type": "integer", "enum": list(RECORDING_RETENTION_DAYS)}},
}


def account_json(tenant: Tenant) -> dict[str, Any]:
    return {"tenantId": tenant.tenant_id, "name": tenant.name, "kind": tenant.kind, "parentId": tenant.parent_id,
            "plan": tenant.plan, "retentionDays": tenant.retention_days,
            "recordingRetentionDays": tenant.recording_retention_days, "createdAt": tenant.created_at}


def account_etag(tenant: Tenant) -> str:
    shown = json.dumps(account_json(tenant), sort_keys=True).encode()
    return hashlib.sha256(shown).hexdigest()[:16]


class AccountAdmin:
    def __init__(self, tenants: TenantDirectory, audit: Audit) -> None:
        self._tenants, self._audit = tenants, audit

    def get(self, scope: TenantScope) -> Tenant:
        tenant = self._tenants.get(scope.tenant_id)
        if tenant is None:
            raise NotFound("unknown tenant", code="unknown_tenant")
        return tenant

    def update(self, scope: TenantScope, body: dict[str, Any], etag: str | None, now_ms: int) -> Tenant:
        scope.require(MANAGE)
        tenant = self.get(scope)
        if not etag:
            raise PreconditionFailed("send the ETag of GET /v1/account as If-Match", code="version_required")
        if etag != account_etag(tenant):
            raise PreconditionFailed("the account changed since you read it: read it again", code="stale_version")
        kind = body.get("kind", tenant.kind)
        if kind == "agency" and tenant.parent_id is not None:
            # An agency's client is managed by that agency; a chain of agencies would let
            # one agency's staff reach another's clients.
            raise Conflict("a client account cannot become an agency", code="client_cannot_be_agency",
                           details={"field": "kind"})
        if kind == "customer" and tenant.kind == "agency" and self._tenants.clients_of(tenant.tenant_id):
            raise Conflict("an agency with client accounts stays an agency", code="agency_has_clients",
                           details={"field": "kind"})
        changed = replace(tenant, name=body.get("name", tenant.name).strip() or tenant.name, kind=kind,
                          recording_retention_days=body.get("recordingRetentionDays",
                                                            tenant.recording_retention_days))
        self._tenants.set_profile(tenant.tenant_id, changed.name, changed.kind, changed.recording_retention_days)
        self._audit.record(scope, "account.updated", tenant.tenant_id, account_json(tenant), account_json(changed),
                           now_ms)
        return changed
