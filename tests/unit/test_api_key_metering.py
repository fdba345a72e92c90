"""Limits per door: each tenant API key is metered at the gateway under its own usage plan
key, from creation to revocation, and the authorizer names that meter on every request."""
import pytest

from ringback.accounts.api_keys import ApiKeys
from ringback.accounts.audit import Audit
from ringback.accounts.members import Members
from ringback.accounts.tenants import Principal, resolve_scope
from ringback.adapters.identity import authorizer_response
from ringback.adapters.memory_accounts import (
    MemoryApiKeys,
    MemoryAuditLog,
    MemoryInvitations,
    MemoryTenants,
    MemoryUserInviter,
)
from ringback.adapters.memory_usage import MemoryUsageMeter
from ringback.errors import Unauthenticated, Unavailable

NOW = 1_795_000_000_000
ANN = Principal("sub-ann", "ann@plumbing.example")
EVENT = {"methodArn": "arn:aws:execute-api:us-east-1:1:api/prod/GET/v1/calls", "headers": {}}


class _FailingStore(MemoryApiKeys):
    def save(self, key) -> None:
        raise OSError("the table is unreachable")


@pytest.fixture
def world():
    tenants, log = MemoryTenants(), MemoryAuditLog()
    audit = Audit(log)
    Members(tenants, MemoryInvitations(), audit, MemoryUserInviter()).sign_in(ANN, NOW)
    meter, store = MemoryUsageMeter("prod"), MemoryApiKeys()
    return resolve_scope(tenants, ANN, None), ApiKeys(store, audit, meter), meter, store, audit


def test_a_new_key_is_metered_and_the_authorizer_names_its_own_meter(world):
    ann, keys, meter, _, _ = world
    key, secret = keys.create(ann, "CRM sync", "read", NOW)
    assert meter.metered == {key.key_id}
    answer = authorizer_response({**EVENT, "headers": {"Authorization": f"Bearer {secret}"}},
                                 lambda header: keys.authenticate(header.split()[-1], NOW), keys.usage_identifier)
    assert answer["usageIdentifierKey"] == f"ringback-prod-key-{key.key_id}"
    # Another key of the same tenant has a meter of its own: a busy integration uses up its own limits.
    other, _ = keys.create(ann, "Billing export", "read", NOW)
    assert meter.identifier(other.key_id) != answer["usageIdentifierKey"]


def test_signed_in_users_are_metered_under_the_dashboards_key():
    keys = ApiKeys(MemoryApiKeys(), Audit(MemoryAuditLog()), MemoryUsageMeter("prod"))
    answer = authorizer_response(EVENT, lambda header: ANN, keys.usage_identifier)
    assert answer["usageIdentifierKey"] == "ringback-prod-dashboard-users"
    assert answer["policyDocument"]["Statement"][0]["Effect"] == "Allow"


def test_a_revoked_key_is_metered_no_more(world):
    ann, keys, meter, _, _ = world
    key, secret = keys.create(ann, "CRM sync", "write", NOW)
    keys.revoke(ann, key.key_id, NOW + 1)
    assert meter.metered == set()
    with pytest.raises(Unauthenticated):
        keys.authenticate(secret, NOW + 2)


def test_when_the_gateway_cannot_meter_a_key_none_is_made(world):
    ann, keys, meter, _, audit = world
    meter.unreachable = True
    with pytest.raises(Unavailable) as refused:
        keys.create(ann, "CRM sync", "read", NOW)
    assert refused.value.code == "usage_plan_unavailable"
    assert keys.list(ann) == [] and [e["action"] for e in audit.read(ann)["entries"]] == ["tenant.opened"]


def test_a_key_the_table_could_not_store_leaves_no_meter_behind():
    tenants, log = MemoryTenants(), MemoryAuditLog()
    audit = Audit(log)
    Members(tenants, MemoryInvitations(), audit, MemoryUserInviter()).sign_in(ANN, NOW)
    meter = MemoryUsageMeter("prod")
    keys = ApiKeys(_FailingStore(), audit, meter)
    with pytest.raises(OSError):
        keys.create(resolve_scope(tenants, ANN, None), "CRM sync", "read", NOW)
    assert meter.metered == set()
