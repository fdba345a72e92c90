"""Accounts on DynamoDB: tenants and their members (ringback.ports.TenantDirectory),
invitations (Invitations), API keys (ApiKeyStore) and the audit log (AuditLog).

docs/data-model.md names the access pattern behind each key. The writes that must not
race are conditional: a tenant is created once (`attribute_not_exists`), and a key's
last use only moves forward, whichever of two concurrent requests lands last.
"""
from __future__ import annotations

from datetime import UTC, datetime

from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from ringback.accounts.api_keys import ApiKey
from ringback.accounts.audit import AuditEntry
from ringback.accounts.members import Invitation
from ringback.accounts.tenants import Membership, Tenant
from ringback.adapters.dynamo import applied
from ringback.adapters.tables import (
    ApiKeyRecord,
    AuditEntryRecord,
    InvitationRecord,
    MemberRecord,
    TenantRecord,
)
from ringback.calls.retention import DEFAULT_RECORDING_RETENTION_DAYS

DAY_MS = 86_400_000
# An expired invitation stays listed (as expired) this long, then TTL deletes it.
INVITATION_KEPT_AFTER_EXPIRY_MS = 30 * DAY_MS
# The audit log's retention, the same for every tenant: longer than the default call
# retention (395 days), so a year's changes can be read beside a year's calls.
AUDIT_RETENTION_MS = 400 * DAY_MS


def _seconds(epoch_ms: int) -> datetime:
    """A TTL attribute's value (PynamoDB writes it as epoch seconds)."""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)


def _int(value) -> int | None:
    return None if value is None else int(value)


# --- Tenants and members ----------------------------------------------------------------


def _tenant(record: TenantRecord) -> Tenant:
    return Tenant(
        tenant_id=record.tenant_id,
        name=record.name,
        kind=record.kind,
        parent_id=record.parent_id,
        plan=record.plan,
        retention_days=int(record.retention_days),
        created_at=int(record.created_at),
        carrier_account=record.carrier_account,
        recording_retention_days=int(record.recording_retention_days or DEFAULT_RECORDING_RETENTION_DAYS),
    )


def _tenant_record(tenant: Tenant) -> TenantRecord:
    return TenantRecord(
        tenant.tenant_id,
        name=tenant.name,
        kind=tenant.kind,
        parent_id=tenant.parent_id,
        plan=tenant.plan,
        retention_days=tenant.retention_days,
        created_at=tenant.created_at,
        carrier_account=tenant.carrier_account,
        recording_retention_days=tenant.recording_retention_days,
    )


def _membership(record: MemberRecord) -> Membership:
    return Membership(record.tenant_id, record.user_id, record.email, record.role, int(record.created_at))


class DynamoTenants:
    def get(self, tenant_id: str) -> Tenant | None:
        try:
            return _tenant(TenantRecord.get(tenant_id))
        except TenantRecord.DoesNotExist:
            return None

    def clients_of(self, agency_id: str) -> list[Tenant]:
        return [_tenant(r) for r in TenantRecord.by_parent.query(agency_id)]

    def save(self, tenant: Tenant) -> None:
        _tenant_record(tenant).save()

    def create(self, tenant: Tenant) -> bool:
        # Two first sign-ins of one user at once derive the same tenant id: one PutItem wins.
        record = _tenant_record(tenant)
        return applied(lambda: record.save(condition=TenantRecord.tenant_id.does_not_exist()))

    def set_profile(self, tenant_id: str, name: str, kind: str,
                    recording_retention_days: int | None = None) -> None:
        actions: list[Action] = [TenantRecord.name.set(name), TenantRecord.kind.set(kind)]
        if recording_retention_days is not None:
            actions.append(TenantRecord.recording_retention_days.set(recording_retention_days))
        applied(lambda: TenantRecord(tenant_id).update(actions=actions, condition=TenantRecord.tenant_id.exists()))

    def keep_carrier_account(self, tenant_id: str, account_sid: str) -> str | None:
        # Two first purchases at once each open a subaccount: one UpdateItem wins, and the
        # loser reads the winner's (consistently: it was written a moment ago).
        kept = applied(lambda: TenantRecord(tenant_id).update(
            actions=[TenantRecord.carrier_account.set(account_sid)],
            condition=TenantRecord.tenant_id.exists() & TenantRecord.carrier_account.does_not_exist(),
        ))
        if kept:
            return account_sid
        try:
            return TenantRecord.get(tenant_id, consistent_read=True).carrier_account
        except TenantRecord.DoesNotExist:
            return None

    def memberships_of(self, user_id: str) -> list[Membership]:
        return [_membership(r) for r in MemberRecord.by_user.query(user_id)]

    def members_of(self, tenant_id: str) -> list[Membership]:
        # Consistent: "is there another owner?" is asked of this list right after a change.
        return [_membership(r) for r in MemberRecord.query(tenant_id, consistent_read=True)]

    def add_member(self, membership: Membership) -> None:
        MemberRecord(
            membership.tenant_id,
            membership.user_id,
            email=membership.email,
            role=membership.role,
            created_at=membership.created_at,
        ).save()

    def remove_member(self, tenant_id: str, user_id: str) -> None:
        MemberRecord(tenant_id, user_id).delete()


# --- Invitations ------------------------------------------------------------------------


def _invitation(r: InvitationRecord) -> Invitation:
    return Invitation(
        tenant_id=r.tenant_id, invitation_id=r.invitation_id, email=r.email, role=r.role,
        invited_by=r.invited_by, created_at=int(r.created_at), expires_at=int(r.expires_at),
    )


class DynamoInvitations:
    def save(self, invitation: Invitation) -> None:
        InvitationRecord(
            invitation.tenant_id,
            invitation.invitation_id,
            email=invitation.email,
            role=invitation.role,
            invited_by=invitation.invited_by,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
            expire_after=_seconds(invitation.expires_at + INVITATION_KEPT_AFTER_EXPIRY_MS),
        ).save()

    def get(self, tenant_id: str, invitation_id: str) -> Invitation | None:
        try:
            return _invitation(InvitationRecord.get(tenant_id, invitation_id, consistent_read=True))
        except InvitationRecord.DoesNotExist:
            return None

    def of_tenant(self, tenant_id: str) -> list[Invitation]:
        return [_invitation(r) for r in InvitationRecord.query(tenant_id, consistent_read=True)]

    def pending_for(self, email: str) -> list[Invitation]:
        # A handful at most: ordered here rather than by an index key.
        found = [_invitation(r) for r in InvitationRecord.by_email.query(email)]
        return sorted(found, key=lambda i: (i.tenant_id, i.invitation_id))

    def delete(self, tenant_id: str, invitation_id: str) -> None:
        InvitationRecord(tenant_id, invitation_id).delete()


# --- API keys ---------------------------------------------------------------------------


def _api_key(r: ApiKeyRecord) -> ApiKey:
    return ApiKey(
        key_id=r.key_id, tenant_id=r.tenant_id, name=r.name, access=r.access, secret_hash=r.secret_hash,
        created_by=r.created_by, created_at=int(r.created_at), last_used_at=_int(r.last_used_at),
        revoked_at=_int(r.revoked_at),
    )


class DynamoApiKeys:
    def save(self, key: ApiKey) -> None:
        ApiKeyRecord(
            key.key_id,
            tenant_id=key.tenant_id,
            name=key.name,
            access=key.access,
            secret_hash=key.secret_hash,
            created_by=key.created_by,
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        ).save()

    def get(self, key_id: str) -> ApiKey | None:
        # Consistent: a key revoked a moment ago must not authenticate the next request.
        try:
            return _api_key(ApiKeyRecord.get(key_id, consistent_read=True))
        except ApiKeyRecord.DoesNotExist:
            return None

    def of_tenant(self, tenant_id: str) -> list[ApiKey]:
        return [_api_key(r) for r in ApiKeyRecord.by_tenant.query(tenant_id)]

    def touch(self, key_id: str, at_ms: int) -> None:
        # Requests of one key race: the condition keeps the latest use, and a use older
        # than the one stored changes nothing. An unknown key is not created.
        applied(lambda: ApiKeyRecord(key_id).update(
            actions=[ApiKeyRecord.last_used_at.set(at_ms)],
            condition=ApiKeyRecord.key_id.exists()
            & (ApiKeyRecord.last_used_at.does_not_exist() | (ApiKeyRecord.last_used_at < at_ms)),
        ))

    def revoke(self, key_id: str, at_ms: int) -> None:
        applied(lambda: ApiKeyRecord(key_id).update(
            actions=[ApiKeyRecord.revoked_at.set(at_ms)],
            condition=ApiKeyRecord.key_id.exists() & ApiKeyRecord.revoked_at.does_not_exist(),
        ))


# --- Audit log --------------------------------------------------------------------------


def _entry(r: AuditEntryRecord) -> AuditEntry:
    return AuditEntry(
        tenant_id=r.tenant_id, entry_id=r.entry_id, at=int(r.at), actor=r.actor, action=r.action,
        target=r.target, before=r.before, after=r.after,
    )


class DynamoAuditLog:
    def add(self, entry: AuditEntry) -> None:
        # Append-only: an entry is never overwritten (a repeated id fails loudly).
        AuditEntryRecord(
            entry.tenant_id,
            entry.entry_id,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            target=entry.target,
            before=entry.before,
            after=entry.after,
            retain_until=_seconds(entry.at + AUDIT_RETENTION_MS),
        ).save(condition=AuditEntryRecord.entry_id.does_not_exist())

    def of_tenant(self, tenant_id: str, limit: int, cursor: str | None, start_ms: int | None = None,
                  end_ms: int | None = None) -> tuple[list[AuditEntry], str | None]:
        # The cursor is the last entry id read; the tenant of the start key is always the
        # caller's own, so a cursor cannot reach into another tenant's log. One item more
        # than the page tells whether another page follows, so the last page has no cursor.
        if end_ms is not None and end_ms <= max(start_ms or 0, 0):
            return [], None
        # The time range is a key condition on the entry id ("{at:013d}#{random}"): only
        # entries within it are read. "~" sorts after "#" and every hex digit.
        low = f"{start_ms:013d}" if start_ms is not None else None
        high = f"{end_ms - 1:013d}~" if end_ms is not None else None
        if low is not None and high is not None:
            condition: Condition | None = AuditEntryRecord.entry_id.between(low, high)
        elif low is not None:
            condition = AuditEntryRecord.entry_id >= low
        else:
            condition = AuditEntryRecord.entry_id <= high if high is not None else None
        # DynamoDB refuses a start key outside the key condition (a cursor kept while the
        # range changed): above the range, read from its newest end; below it, nothing is left.
        if cursor is not None and high is not None and cursor > high:
            cursor = None
        if cursor is not None and low is not None and cursor < low:
            return [], None
        start = {"tenant_id": {"S": tenant_id}, "entry_id": {"S": cursor}} if cursor is not None else None
        records = list(AuditEntryRecord.query(
            tenant_id, condition, scan_index_forward=False, limit=limit + 1, last_evaluated_key=start,
        ))
        page = [_entry(r) for r in records[:limit]]
        return page, (page[-1].entry_id if len(records) > limit else None)
