"""One contract, two implementations, for what the management API needs of pools: the
pool at the version read, a number taken out of a pool only while no visitor holds it,
the numbers in quarantine, and a tenant's carrier subaccount named once. The fakes and
the DynamoDB adapters on a moto server."""
import itertools
import random
from dataclasses import replace

import pytest

from ringback.accounts.tenants import Tenant
from ringback.adapters import memory_accounts
from ringback.adapters.memory_pools import MemoryQuarantine
from ringback.errors import PreconditionFailed
from ringback.tracking.leases import Allocator
from ringback.tracking.pools import Pool

NOW = 1_800_000_000_000
DAY_MS = 86_400_000
_NUMBERS = itertools.count(random.randrange(10**8))


def numbers(n):
    """Fictional numbers unique within a test session: tests share the moto server."""
    return [f"+1555{next(_NUMBERS) % 10**7:07d}" for _ in range(n)]


def new_pool(pools, uid, size, **kwargs):
    pool = Pool(uid("pool"), uid("t"), uid("site"), "search", lease_seconds=300, created_at=5, **kwargs)
    pools.save(pool, expected_version=0)
    bought = numbers(size)
    pools.add_numbers(pool, bought, NOW)
    return pools.get(pool.pool_id), bought


@pytest.fixture(params=["memory", "dynamodb"])
def quarantine(request):
    if request.param == "memory":
        return MemoryQuarantine()
    request.getfixturevalue("local_aws")
    from ringback.adapters.dynamo_pools import DynamoQuarantine

    return DynamoQuarantine()


@pytest.fixture(params=["memory", "dynamodb"])
def tenants(request):
    if request.param == "memory":
        return memory_accounts.MemoryTenants()
    request.getfixturevalue("local_aws")
    from ringback.adapters.dynamo_accounts import DynamoTenants

    return DynamoTenants()


def test_a_pool_is_changed_only_at_the_version_read(lease_backend, uid):
    pools, _, _ = lease_backend
    pool, _ = new_pool(pools, uid, 1)
    assert pool.version == 1 and pools.get(pool.pool_id) == pool

    pools.save(replace(pool, name="first admin", rule={"utm_medium": ["cpc"]}), expected_version=1)
    with pytest.raises(PreconditionFailed):  # a second admin who read version 1
        pools.save(replace(pool, name="second admin"), expected_version=1)
    with pytest.raises(PreconditionFailed):  # it exists already
        pools.save(pool, expected_version=0)
    current = pools.get(pool.pool_id)
    assert (current.name, current.rule, current.version) == ("first admin", {"utm_medium": ["cpc"]}, 2)
    with pytest.raises(PreconditionFailed):
        pools.delete(pool.pool_id, expected_version=1)
    pools.delete(pool.pool_id, expected_version=2)
    assert pools.get(pool.pool_id) is None and pools.get(uid("no-such-pool")) is None


def test_a_pool_saved_as_read_keeps_the_overflow_counted_meanwhile(lease_backend, uid):
    pools, store, _ = lease_backend
    pool, _ = new_pool(pools, uid, 1)
    store.count_overflow(pool.pool_id)
    store.count_overflow(pool.pool_id)

    pools.save(replace(pool, lease_seconds=900), expected_version=pool.version)

    stored = pools.get(pool.pool_id)
    assert (stored.lease_seconds, stored.overflow_count) == (900, 2)


def test_a_number_leaves_its_pool_only_while_no_visitor_holds_it(lease_backend, uid):
    pools, store, _ = lease_backend
    pool, (held, free) = new_pool(pools, uid, 2)
    allocator = Allocator(store, random.Random(1))
    taken = allocator.allocate(pool, uid("sess"), uid("visitor"), NOW, NOW + DAY_MS).lease
    held, free = (taken.line, free if taken.line == held else held)

    assert pools.remove_number(pool, held, NOW + 1_000) is False
    assert sorted(pools.numbers_of(pool)) == sorted([held, free])
    assert pools.remove_number(pool, free, NOW + 1_000) is True
    assert pools.numbers_of(pool) == [held]
    assert pools.remove_number(pool, free, NOW + 1_000) is False  # not the pool's any more
    # The removed line is off the free list: no visitor can be given it (the full pool
    # shares the held line instead).
    shared = allocator.allocate(pool, uid("sess2"), uid("visitor2"), NOW + 2_000, NOW + DAY_MS).lease
    assert shared.line == held and shared.shared
    # Once the leases have ended, the held number goes too.
    assert pools.remove_number(pool, held, shared.expires_at - 1) is False
    assert pools.remove_number(pool, held, shared.expires_at) is True
    assert pools.numbers_of(pool) == [] and pools.site_numbers(pool.site_id) == []


def test_another_pools_number_is_not_removed(lease_backend, uid):
    pools, _, _ = lease_backend
    pool, [number] = new_pool(pools, uid, 1)
    other, _ = new_pool(pools, lambda name: uid(name) + "-other", 1)

    assert pools.remove_number(other, number, NOW) is False
    assert pools.numbers_of(pool) == [number]


def test_an_extension_numbers_lines_all_leave_or_none_do(lease_backend, uid):
    pools, store, _ = lease_backend
    pool, [number] = new_pool(pools, uid, 1, mode="extensions")
    taken = Allocator(store, random.Random(2)).allocate(pool, uid("sess"), uid("visitor"), NOW, NOW + DAY_MS).lease
    assert taken.line.startswith(number + ",")

    assert pools.remove_number(pool, number, NOW + 1_000) is False
    # Every line still leasable but the one held.
    assert len([c for c in store.lines(pool.pool_key(0), 1000) if c.free_at <= NOW + 1_000]) == 999
    assert pools.remove_number(pool, number, taken.expires_at + 1) is True
    assert store.lines(pool.pool_key(0), 10) == [] and pools.numbers_of(pool) == []


def test_a_quarantined_number_is_held_until_its_quarantine_ends(quarantine, uid):
    first, second, never = numbers(3)
    quarantine.hold(first, NOW + 30 * DAY_MS, uid("t"), NOW)
    quarantine.hold(second, NOW + DAY_MS, uid("t"), NOW)

    assert quarantine.held([first, second, never], NOW) == {first: NOW + 30 * DAY_MS, second: NOW + DAY_MS}
    # Ended, even if DynamoDB's TTL has not removed the item yet.
    assert quarantine.held([first, second], NOW + DAY_MS) == {first: NOW + 30 * DAY_MS}
    assert quarantine.held([], NOW) == {}
    quarantine.hold(second, NOW + 40 * DAY_MS, uid("t2"), NOW + 10 * DAY_MS)  # released again later
    assert quarantine.held([second], NOW + 2 * DAY_MS) == {second: NOW + 40 * DAY_MS}


def test_a_tenants_carrier_subaccount_is_named_once(tenants, uid):
    tenant = Tenant(uid("t"), "Joe's Plumbing", created_at=1)
    tenants.create(tenant)

    assert tenants.keep_carrier_account(tenant.tenant_id, "AC" + "1" * 32) == "AC" + "1" * 32
    assert tenants.keep_carrier_account(tenant.tenant_id, "AC" + "2" * 32) == "AC" + "1" * 32
    assert tenants.get(tenant.tenant_id) == replace(tenant, carrier_account="AC" + "1" * 32)
    assert tenants.keep_carrier_account(uid("no-such-tenant"), "AC" + "3" * 32) is None
    assert tenants.get(uid("no-such-tenant")) is None
