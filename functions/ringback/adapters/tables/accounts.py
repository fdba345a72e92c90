"""Accounts: tenants, agencies' clients, members."""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
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


