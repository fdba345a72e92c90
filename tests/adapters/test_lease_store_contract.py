"""The lease store's contract, for the fake and for DynamoDB on moto."""
import itertools
import random
import threading

from ringback.tracking.leases import Allocator, Lease, LeaseRequest
from ringback.tracking.pools import Pool
from ringback.accounts.sites import Site
from ringback.tracking.visits import Visit

NOW = 1_800_000_000_000
# Fictional numbers unique within a test session, so tests sharing the moto server never
# share a line.
_NUMBERS = itertools.count(random.randrange(10**8))


def pool_with(pools, uid, size, **kwargs):
    pool = Pool(uid("pool"), uid("t"), uid("site"), "search", lease_seconds=300, **kwargs)
    pools.save(pool)
    numbers = [f"+1555{next(_NUMBERS) % 10**7:07d}" for _ in range(size)]
    pools.add_numbers(pool, numbers, NOW)
    return pool, numbers


def request(pool, line, session, at=NOW, until=None, shared=False):
    lease = Lease(session, line, pool.pool_id, pool.tenant_id, at, until or at + 300_000, shared)
    return LeaseRequest(lease, pool.pool_key(0), f"site#{session}", at + 86_400_000)


def test_the_free_list_is_ordered_by_how_long_a_line_has_been_free(lease_backend, uid):
    pools, store, _ = lease_backend
    pool, numbers = pool_with(pools, uid, 3)
    assert store.take(request(pool, numbers[0], "a", at=NOW, until=NOW + 1000), NOW)
    assert store.take(request(pool, numbers[1], "b", at=NOW, until=NOW + 2000), NOW)
    later = NOW + 5000
    assert [c.line for c in store.free_lines(pool.pool_key(0), later, 5)] == [numbers[2], numbers[0], numbers[1]]
    assert [c.line for c in store.free_lines(pool.pool_key(0), NOW + 1500, 5)] == [numbers[2], numbers[0]]


def test_a_held_line_cannot_be_taken_and_its_history_answers_who_held_it(lease_backend, uid):
    pools, store, _ = lease_backend
    pool, numbers = pool_with(pools, uid, 1)
    line = numbers[0]
    assert store.take(request(pool, line, "first"), NOW)
    assert not store.take(request(pool, line, "second", at=NOW + 1000), NOW + 1000)
    assert store.take(request(pool, line, "third", at=NOW + 400_000), NOW + 400_000)
    assert [h.session_id for h in store.held_at(line, NOW + 100_000)] == ["first"]
    assert [h.session_id for h in store.held_at(line, NOW + 500_000)] == ["third"]
    assert store.held_at(line, NOW + 350_000) == []
    assert store.last_line_of("site#third", pool.pool_id) == line
    assert [h.session_id for h in store.history_of_pool(pool.pool_id, NOW, NOW + 1_000_000)] == ["first", "third"]


def test_a_line_moved_to_another_pool_cannot_be_taken_for_the_old_one(lease_backend, uid):
    pools, store, _ = lease_backend
    pool, numbers = pool_with(pools, uid, 1)
    foreign = Pool(uid("other"), pool.tenant_id, pool.site_id, "x")
    assert not store.take(request(foreign, numbers[0], "s"), NOW)


def test_extension_moves_the_lease_end_and_fails_once_the_line_is_free(lease_backend, uid):
    pools, store, _ = lease_backend
    pool, numbers = pool_with(pools, uid, 1)
    wanted = request(pool, numbers[0], "s")
    assert store.take(wanted, NOW)
    assert store.extend(wanted.lease, NOW + 600_000, pool.pool_key(0), NOW + 200_000)
    [lease] = store.leases_of("s")
    assert lease.expires_at == NOW + 600_000
    assert store.held_at(numbers[0], NOW + 550_000)[0].ended_at == NOW + 600_000
    assert not store.extend(lease, NOW + 1_300_000, pool.pool_key(0), NOW + 700_000)


def test_sharing_flags_both_the_lease_and_its_history(lease_backend, uid):
    pools, store, _ = lease_backend
    pool, numbers = pool_with(pools, uid, 1)
    assert store.take(request(pool, numbers[0], "a"), NOW)
    store.share(request(pool, numbers[0], "b", at=NOW + 10, until=NOW + 400_000, shared=True))
    holders = store.held_at(numbers[0], NOW + 100_000)
    assert {h.session_id for h in holders} == {"a", "b"}
    assert [h.shared for h in holders if h.session_id == "b"] == [True]
    assert store.oldest_lines(pool.pool_key(0), 1)[0].free_at == NOW + 400_000


def test_visits_record_clicks_only_for_their_own_visitor(lease_backend, uid):
    _, _, visits = lease_backend
    site = Site(uid("site"), uid("t"), "x", uid("pk"), frozenset({"a.example"}))
    visit = Visit(uid("sess"), site.tenant_id, site.site_id, "client-0001", NOW, NOW, utm={"source": "google"},
                  region={"country": "US"}, landing_page="https://a.example/")
    visits.save(visit, NOW + 1000)
    assert visits.get(visit.session_id) == visit
    visits.page_viewed(visit.session_id, NOW + 5)
    assert visits.get(visit.session_id).pages_viewed == 2
    assert visits.add_click(visit.session_id, site.site_id, "client-0001", "+14155550101", NOW + 9)
    assert not visits.add_click(visit.session_id, site.site_id, "client-9999", "+14155550101", NOW + 9)
    assert not visits.add_click(visit.session_id, uid("other-site"), "client-0001", "+14155550101", NOW + 9)


def test_32_concurrent_allocators_never_lease_one_line_twice(lease_backend, uid):
    pools, store, _ = lease_backend
    pool, numbers = pool_with(pools, uid, 20)
    results, errors = [], []

    def visitor(i):
        try:
            allocation = Allocator(store).allocate(pool, f"{uid('s')}-{i}", f"site#v{i}", NOW, NOW + 86_400_000)
            results.append(allocation.lease)
        except Exception as error:  # surfaced below, with the thread's failure
            errors.append(error)

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    held = [lease.line for lease in results if lease is not None]
    assert len(held) == len(set(held)) == 20  # every line leased once
    assert sum(1 for lease in results if lease is None) == 12  # the rest overflowed
