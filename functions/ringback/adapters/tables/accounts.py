"""Accounts: tenants, agencies' clients, members, invitations, API keys, the audit log."""
from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ringback.adapters.tables.base import TableMeta

# --- Accounts -----------------------------------------------------------------------


class TenantsByParent(GlobalSecondaryIndex):
    """An agency lists its client sub-accounts."""

    class Meta:
        index_name = "by_parent"
        projection = AllProjection()

    parent_id = UnicodeAttribute(hash_key=True)
    tenant_id = UnicodeAttribute(range_key=True)


class TenantRecord(Model):
    """A paying customer, or an agency whose clients are tenants with parent_id set."""

    class Meta(TableMeta):
        table_name = "tenants"

    tenant_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    kind = UnicodeAttribute(default="customer")  # customer | agency
    parent_id = UnicodeAttribute(null=True)  # the agency that manages this client
    plan = UnicodeAttribute(default="trial")
    retention_days = NumberAttribute(default=395)
    created_at = NumberAttribute()
    carrier_account = UnicodeAttribute(null=True)  # the carrier subaccount of its numbers
    # Absent on tenants from before the setting: the default class (ringback.calls.retention).
    recording_retention_days = NumberAttribute(null=True)
    by_parent = TenantsByParent()


class MembersByUser(GlobalSecondaryIndex):
    """After sign-in: which tenants may this user act for."""

    class Meta:
        index_name = "by_user"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    tenant_id = UnicodeAttribute(range_key=True)


class MemberRecord(Model):
    """A dashboard user (Cognito `sub`) and their role in one tenant."""

    class Meta(TableMeta):
        table_name = "members"

    tenant_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)
    email = UnicodeAttribute()
    role = UnicodeAttribute(default="owner")  # owner | admin | analyst | operator
    created_at = NumberAttribute()
    by_user = MembersByUser()


class InvitationsByEmail(GlobalSecondaryIndex):
    """At sign-in: the invitations waiting for a verified address, in every tenant."""

    class Meta:
        index_name = "by_email"
        projection = AllProjection()

    email = UnicodeAttribute(hash_key=True)


class InvitationRecord(Model):
    """An invitation of an e-mail address into one tenant, with a role.

    DynamoDB's TTL deletes it some time after it expired (`expire_after`, epoch seconds);
    until then the dashboard lists it as expired, and sign-in compares `expires_at` itself.
    """

    class Meta(TableMeta):
        table_name = "invitations"

    tenant_id = UnicodeAttribute(hash_key=True)
    invitation_id = UnicodeAttribute(range_key=True)
    email = UnicodeAttribute()  # normalised: trimmed, lower case
    role = UnicodeAttribute()
    invited_by = UnicodeAttribute()  # the actor: user:{sub}
    created_at = NumberAttribute()
    expires_at = NumberAttribute()
    expire_after = TTLAttribute()
    by_email = InvitationsByEmail()


class ApiKeysByTenant(GlobalSecondaryIndex):
    """A tenant's keys, for the dashboard's list and the per-tenant limit."""

    class Meta:
        index_name = "by_tenant"
        projection = AllProjection()

    tenant_id = UnicodeAttribute(hash_key=True)
    key_id = UnicodeAttribute(range_key=True)


class ApiKeyRecord(Model):
    """An API key of one tenant. Only the SHA-256 of its secret is stored, never the
    secret: the key id (from the presented `rbk_{key_id}_{secret}`) finds the item, and
    the hash is compared. Revoked keys stay, with revoked_at, so the list shows them."""

    class Meta(TableMeta):
        table_name = "api_keys"

    key_id = UnicodeAttribute(hash_key=True)
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    access = UnicodeAttribute()  # read | write
    secret_hash = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = NumberAttribute()
    last_used_at = NumberAttribute(null=True)  # only ever moved forward
    revoked_at = NumberAttribute(null=True)
    by_tenant = ApiKeysByTenant()


class AuditEntryRecord(Model):
    """Who changed what in a tenant, when, and how it was before and after.

    `entry_id` is "{at:013d}#{random}", so a tenant's entries sort by time and the log
    reads newest first in one descending Query. Kept for a fixed period (`retain_until`),
    not the tenant's call retention.
    """

    class Meta(TableMeta):
        table_name = "audit_log"

    tenant_id = UnicodeAttribute(hash_key=True)
    entry_id = UnicodeAttribute(range_key=True)
    at = NumberAttribute()
    actor = UnicodeAttribute()  # user:{sub} | key:{key_id}
    action = UnicodeAttribute()  # site.updated, member.removed, api_key.created ...
    target = UnicodeAttribute()
    before = JSONAttribute(null=True)  # any JSON value; absent for None
    after = JSONAttribute(null=True)
    retain_until = TTLAttribute()


class WebhookDeliveryRecord(Model):
    """One attempt to deliver a webhook to one of a site's endpoints (ringback.calls.deliveries).

    `endpoint` is "{tenant_id}#{site_id}#{endpoint_id}": an endpoint stored before endpoints
    had ids is named from its URL (calls/events.legacy_id), so two tenants' ids could be
    equal, and the tenant and site in the key keep their logs apart. `delivery_id` is
    "{at:013d}#{event_id}#{attempt:02d}", so newest first is one descending Query and the
    last 30 days a key condition. Append-only: the events worker and a test delivery put,
    the dashboard queries; nothing updates or deletes. TTL removes an attempt 30 days on
    (`expire_after`); reads bound the range themselves, since TTL deletes lazily.
    """

    class Meta(TableMeta):
        table_name = "webhook_deliveries"

    endpoint = UnicodeAttribute(hash_key=True)
    delivery_id = UnicodeAttribute(range_key=True)
    tenant_id = UnicodeAttribute()
    site_id = UnicodeAttribute()
    endpoint_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    attempt = NumberAttribute()
    at = NumberAttribute()
    outcome = UnicodeAttribute()  # delivered | failed | refused | timed_out
    http_status = NumberAttribute(null=True)  # absent: no answer came
    duration_ms = NumberAttribute()
    error = UnicodeAttribute(null=True)  # short, masked; never a body, header or secret
    expire_after = TTLAttribute()
