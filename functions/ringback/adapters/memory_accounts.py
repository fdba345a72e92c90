"""In-memory fakes of the account ports (tenants and members, invitations, API keys, the
audit log), for domain tests; tests/adapters/ holds each to the same contract as its
DynamoDB adapter."""
from __future__ import annotations

import threading
from dataclasses import replace

from ringback.accounts.api_keys import ApiKey
from ringback.accounts.audit import AuditEntry
from ringback.accounts.members import Invitation
from ringback.accounts.tenants import Membership, Tenant


class MemoryTenants:
    def __init__(self) -> None:
        self._tenants: dict[str, Tenant] = {}
        self._members: dict[tuple[str, str], Membership] = {}
        self._lock = threading.Lock()

    def get(self, tenant_id: str) -> Tenant | None:
        return self._tenants.get(tenant_id)

    def clients_of(self, agency_id: str) -> list[Tenant]:
        return sorted((t for t in self._tenants.values() if t.parent_id == agency_id), key=lambda t: t.tenant_id)

    def save(self, tenant: Tenant) -> None:
        self._tenants[tenant.tenant_id] = tenant

    def create(self, tenant: Tenant) -> bool:
        with self._lock:
            if tenant.tenant_id in self._tenants:
                return False
            self._tenants[tenant.tenant_id] = tenant
            return True

    def set_profile(self, tenant_id: str, name: str, kind: str,
                    recording_retention_days: int | None = None) -> None:
        with self._lock:
            tenant = self._tenants.get(tenant_id)
            if tenant is not None:
                days = recording_retention_days or tenant.recording_retention_days
                self._tenants[tenant_id] = replace(tenant, name=name, kind=kind, recording_retention_days=days)

    def keep_carrier_account(self, tenant_id: str, account_sid: str) -> str | None:
        with self._lock:
            tenant = self._tenants.get(tenant_id)
            if tenant is None:
                return None
            if tenant.carrier_account is None:
                tenant = self._tenants[tenant_id] = replace(tenant, carrier_account=account_sid)
            return tenant.carrier_account

    def memberships_of(self, user_id: str) -> list[Membership]:
        return sorted((m for (_, u), m in self._members.items() if u == user_id), key=lambda m: m.tenant_id)

    def members_of(self, tenant_id: str) -> list[Membership]:
        return sorted((m for (t, _), m in self._members.items() if t == tenant_id), key=lambda m: m.user_id)

    def add_member(self, membership: Membership) -> None:
        self._members[(membership.tenant_id, membership.user_id)] = membership

    def remove_member(self, tenant_id: str, user_id: str) -> None:
        self._members.pop((tenant_id, user_id), None)


class MemoryInvitations:
    def __init__(self) -> None:
        self._items: dict[tuple[str, str], Invitation] = {}

    def save(self, invitation: Invitation) -> None:
        self._items[(invitation.tenant_id, invitation.invitation_id)] = invitation

    def get(self, tenant_id: str, invitation_id: str) -> Invitation | None:
        return self._items.get((tenant_id, invitation_id))

    def of_tenant(self, tenant_id: str) -> list[Invitation]:
        return sorted((i for (t, _), i in self._items.items() if t == tenant_id), key=lambda i: i.invitation_id)

    def pending_for(self, email: str) -> list[Invitation]:
        return sorted((i for i in self._items.values() if i.email == email),
                      key=lambda i: (i.tenant_id, i.invitation_id))

    def delete(self, tenant_id: str, invitation_id: str) -> None:
        self._items.pop((tenant_id, invitation_id), None)


class MemoryApiKeys:
    def __init__(self) -> None:
        self._keys: dict[str, ApiKey] = {}

    def save(self, key: ApiKey) -> None:
        self._keys[key.key_id] = key

    def get(self, key_id: str) -> ApiKey | None:
        return self._keys.get(key_id)

    def of_tenant(self, tenant_id: str) -> list[ApiKey]:
        return sorted((k for k in self._keys.values() if k.tenant_id == tenant_id), key=lambda k: k.key_id)

    def touch(self, key_id: str, at_ms: int) -> None:
        key = self._keys.get(key_id)
        if key is not None and (key.last_used_at or 0) < at_ms:
            self._keys[key_id] = replace(key, last_used_at=at_ms)


    def revoke(self, key_id: str, at_ms: int) -> None:
        key = self._keys.get(key_id)
        if key is not None and key.revoked_at is None:
            self._keys[key_id] = replace(key, revoked_at=at_ms)


class MemoryAuditLog:
    def __init__(self) -> None:
        self._entries: list[AuditEntry] = []

    def add(self, entry: AuditEntry) -> None:
        self._entries.append(entry)

    def of_tenant(self, tenant_id: str, limit: int, cursor: str | None, start_ms: int | None = None,
                  end_ms: int | None = None) -> tuple[list[AuditEntry], str | None]:
        mine = sorted((e for e in self._entries if e.tenant_id == tenant_id
                       and (start_ms is None or e.at >= start_ms) and (end_ms is None or e.at < end_ms)),
                      key=lambda e: e.entry_id, reverse=True)
        if cursor is not None:
            mine = [e for e in mine if e.entry_id < cursor]
        page = mine[:limit]
        return page, (page[-1].entry_id if len(mine) > limit else None)


class MemoryUserInviter:
    """The dashboard's user pool as invitations see it: each address's user and its
    status, as Cognito names them, and the invitation e-mails sent (`sent`)."""

    def __init__(self) -> None:
        self._status: dict[str, str] = {}
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def invite(self, email: str) -> bool:
        with self._lock:
            # The pool matches addresses without case, as the deployed one does.
            status = self._status.get(email.casefold())
            if status not in (None, "FORCE_CHANGE_PASSWORD"):
                return False
            self._status[email.casefold()] = "FORCE_CHANGE_PASSWORD"
            self.sent.append(email)
            return True

    def signed_up(self, email: str, confirmed: bool = True) -> None:
        """A user who signed up themselves (and confirmed their code, or not yet)."""
        self._status[email.casefold()] = "CONFIRMED" if confirmed else "UNCONFIRMED"

    def set_password(self, email: str) -> None:
        """The invitee answered NEW_PASSWORD_REQUIRED at their first sign-in."""
        if self._status.get(email.casefold()) == "FORCE_CHANGE_PASSWORD":
            self._status[email.casefold()] = "CONFIRMED"
