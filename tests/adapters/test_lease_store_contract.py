"""The lease store's contract, for the fake and for DynamoDB on moto."""
import itertools
import random
import threading

from ringback.accounts.sites import Site
from ringback.adapters.memory_leases import MemoryLeaseStore
from ringback.adapters.tables import PoolSlotRecord
from ringback.tracking.leases import Allocator, Lease, LeaseRequest
from ringback.tracking.pools import Pool
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


def request(pool, line, session, at=NOW, until=None, shared=False, code=None, sequence=None, seen=None,
            visitor=None):
    lease = Lease(session, line, pool.pool_id, pool.tenant_id, at, until or at + 300_000, shared, code)
    return LeaseRequest(lease, pool.pool_key(0), visitor or f"site#{session}", at + 86_400_000, sequence, seen)


def test_a_pools_lines_come_in_free_at_order_free_or_held_with_their_sequence(lease_backend, uid):
    a, b = uid("a"), uid("b")
    pools, store, _ = lease_backend
    pool, numbers = pool_with(pools, uid, 3)
    assert store.take(request(pool, numbers[0], a, at=NOW, until=NOW + 1000, code="001", sequence=1), NOW)
    assert store.take(request(pool, numbers[1], b, at=NOW, until=NOW + 2000, code="001", sequence=1), NOW)
    assert [(c.line, c.free_at, c.sequence) for c in store.lines(pool.pool_key(0), 5)] == [
        (numbers[2], 0, 0), (numbers[0], NOW + 1000, 1), (numbers[1], NOW + 2000, 1)]
    assert [c.line for c in store.lines(pool.pool_key(0), 2)] == [numbers[2], numbers[0]]
    assert store.lines(uid("no-such-pool") + "#0", 5) == []


def test_a_take_stores_the_lines_sequence_and_the_leases_code(lease_backend, uid):
    a, b = uid("a"), uid("b")
    pools, store, _ = lease_backend
    pool, [line] = pool_with(pools, uid, 1)
    assert store.take(request(pool, line, a, code="008", sequence=7), NOW)
    assert store.lines(pool.pool_key(0), 1)[0].sequence == 7
    [lease] = store.leases_of(a)
    assert lease.code == "008"
    [entry] = store.held_at(line, NOW + 1)
    assert (entry.code, entry.number, entry.visitor_key) == ("008", line, f"site#{a}")
    # A returning visitor's take keeps the line's sequence (and their old code).
    assert store.take(request(pool, line, b, at=NOW + 400_000, code="008"), NOW + 400_000)
    assert store.lines(pool.pool_key(0), 1)[0].sequence == 7
    assert store.leases_of(b)[0].code == "008"


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
    assert store.last_lease_of("site#third", pool.pool_id).session_id == "third"
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


def test_sharing_flags_both_the_lease_and_its_history_and_counts_the_overflow(lease_backend, uid):
    a, b = uid("a"), uid("b")
    pools, store, _ = lease_backend
    pool, numbers = pool_with(pools, uid, 1)
    assert store.take(request(pool, numbers[0], a, code="001", sequence=1), NOW)
    before = store.meter.count
    assert store.share(request(pool, numbers[0], b, at=NOW + 10, until=NOW + 400_000, shared=True, code="002",
                               sequence=2, seen=1), NOW + 10)
    assert store.meter.count - before == 1  # one transaction: slot, lease, history, overflow
    holders = store.held_at(numbers[0], NOW + 100_000)
    assert {h.session_id for h in holders} == {a, b}
    assert [(h.shared, h.code) for h in holders if h.session_id == b] == [(True, "002")]
    assert store.leases_of(b)[0].shared and store.leases_of(b)[0].code == "002"
    [line] = store.lines(pool.pool_key(0), 1)
    assert (line.free_at, line.sequence) == (NOW + 400_000, 2)
    assert pools.get(pool.pool_id).overflow_count == 1


def test_of_two_sharers_that_read_one_sequence_only_one_wins(lease_backend, uid):
    a, b, c = uid("a"), uid("b"), uid("c")
    pools, store, _ = lease_backend
    pool, [line] = pool_with(pools, uid, 1)
    assert store.take(request(pool, line, a, code="001", sequence=1), NOW)
    first = request(pool, line, b, at=NOW + 10, shared=True, code="002", sequence=2, seen=1)
    second = request(pool, line, c, at=NOW + 10, shared=True, code="002", sequence=2, seen=1)
    assert store.share(first, NOW + 10)
    assert not store.share(second, NOW + 10)
    assert store.leases_of(c) == [] and {h.session_id for h in store.held_at(line, NOW + 20)} == {a, b}
    assert pools.get(pool.pool_id).overflow_count == 1  # a lost share counts nothing
    # Concurrent sharers of one read: exactly one wins.
    results = []
    racers = [threading.Thread(target=lambda i=i: results.append(store.share(
        request(pool, line, uid(f"r{i}"), at=NOW + 20, shared=True, code="003", sequence=3, seen=2), NOW + 20)))
        for i in range(8)]
    for t in racers:
        t.start()
    for t in racers:
        t.join()
    assert sorted(results) == [False] * 7 + [True]
    assert store.lines(pool.pool_key(0), 1)[0].sequence == 3


def test_a_share_is_refused_for_another_pool_or_when_it_would_move_the_end_back(lease_backend, uid):
    a, b, c = uid("a"), uid("b"), uid("c")
    pools, store, _ = lease_backend
    pool, [line] = pool_with(pools, uid, 1)
    assert store.take(request(pool, line, a, until=NOW + 600_000, code="001", sequence=1), NOW)
    # The holder's lease ends after the sharer's would: its end stands, the share fails.
    assert not store.share(request(pool, line, b, shared=True, code="002", sequence=2, seen=1), NOW)
    foreign = Pool(uid("other"), pool.tenant_id, pool.site_id, "x")
    assert not store.share(request(foreign, line, c, until=NOW + 700_000, shared=True, code="002", sequence=2,
                                   seen=1), NOW)
    assert store.leases_of(b) == [] and store.leases_of(c) == []
    assert store.lines(pool.pool_key(0), 1)[0].free_at == NOW + 600_000
    assert pools.get(pool.pool_id).overflow_count == 0


def _forget_sequence(store, line):
    """Make the slot look written before codes: no sequence at all."""
    if isinstance(store, MemoryLeaseStore):
        store.slots[line] = {k: v for k, v in store.slots[line].items() if k != "sequence"}
    else:
        PoolSlotRecord(line).update(actions=[PoolSlotRecord.sequence.remove()])


def test_a_slot_without_a_sequence_counts_as_sequence_zero(lease_backend, uid):
    a, b, c = uid("a"), uid("b"), uid("c")
    pools, store, _ = lease_backend
    pool, [line] = pool_with(pools, uid, 1)
    assert store.take(request(pool, line, a), NOW)
    _forget_sequence(store, line)
    assert store.lines(pool.pool_key(0), 1)[0].sequence == 0
    assert not store.share(request(pool, line, b, shared=True, code="002", sequence=2, seen=1), NOW)
    assert store.share(request(pool, line, c, shared=True, code="001", sequence=1, seen=0), NOW)


def test_the_last_lease_of_a_visitor_is_their_latest_in_that_pool(lease_backend, uid):
    s1, s2, s3 = uid("s1"), uid("s2"), uid("s3")
    pools, store, _ = lease_backend
    pool, numbers = pool_with(pools, uid, 2)
    other, [elsewhere] = pool_with(pools, lambda name: uid(name) + "-other", 1)
    visitor = uid("site#visitor")
    assert store.last_lease_of(visitor, pool.pool_id) is None
    assert store.take(request(pool, numbers[0], s1, code="005", sequence=5, visitor=visitor), NOW)
    assert store.take(request(pool, numbers[1], s2, at=NOW + 1000, code="009", sequence=9, visitor=visitor),
                      NOW + 1000)
    assert store.take(request(other, elsewhere, s3, at=NOW + 2000, code="001", sequence=1, visitor=visitor),
                      NOW + 2000)
    latest = store.last_lease_of(visitor, pool.pool_id)
    assert (latest.line, latest.code, latest.session_id, latest.started_at) == (numbers[1], "009", s2, NOW + 1000)
    assert store.last_lease_of(visitor, other.pool_id).line == elsewhere


def test_shown_on_finds_every_lease_of_a_numbers_lines_that_ran_in_the_window(lease_backend, uid):
    early, elsewhere, inside, later, long = uid("early"), uid("elsewhere"), uid("inside"), uid("later"), uid("long")
    pools, store, _ = lease_backend
    pool, [number] = pool_with(pools, uid, 1, mode="extensions")
    plain, [other] = pool_with(pools, lambda name: uid(name) + "-plain", 1)
    day = 86_400_000

    def lease(line, session, at, until):
        assert store.take(request(pool, f"{number},{line}", session, at=at, until=until, code=line), at)

    lease("001", early, NOW - 3 * day, NOW - 3 * day + 300_000)  # ended before the window
    lease("002", long, NOW - 2 * day, NOW + 1000)  # started before, ran into it
    lease("001", inside, NOW + 5000, NOW + 305_000)
    lease("003", later, NOW + 2 * day, NOW + 2 * day + 300_000)  # started after the window
    assert store.take(request(plain, other, elsewhere, at=NOW + 10), NOW + 10)

    shown = store.shown_on(number, NOW, NOW + day)
    assert [(h.session_id, h.line, h.code, h.number) for h in shown] == [
        (long, f"{number},002", "002", number), (inside, f"{number},001", "001", number)]
    assert [h.session_id for h in store.shown_on(number, NOW - 4 * day, NOW + 3 * day)] == [
        early, long, inside, later]
    assert [h.session_id for h in store.shown_on(other, NOW, NOW + day)] == [elsewhere]
    assert store.shown_on(number, NOW + 3 * day, NOW + 4 * day) == []


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


def allocate_at_once(store, pool, uid, visitors):
    """`visitors` allocators on threads at one instant: their leases (None: overflow)."""
    results, errors = [], []

    def visitor(i):
        try:
            allocation = Allocator(store).allocate(pool, f"{uid('s')}-{i}", f"site#v{i}", NOW, NOW + 86_400_000)
            results.append(allocation.lease)
        except Exception as error:  # surfaced below, with the thread's failure
            errors.append(error)

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(visitors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results


def test_32_concurrent_allocators_never_lease_one_line_twice(lease_backend, uid):
    pools, store, _ = lease_backend
    pool, numbers = pool_with(pools, uid, 20, exhaustion_policy="default_number")
    results = allocate_at_once(store, pool, uid, 32)
    held = [lease.line for lease in results if lease is not None]
    assert len(held) == len(set(held)) == 20  # every line leased once
    assert sum(1 for lease in results if lease is None) == 12  # the rest overflowed


def test_32_concurrent_allocators_on_a_full_pool_share_with_distinct_codes(lease_backend, uid):
    pools, store, _ = lease_backend
    pool, numbers = pool_with(pools, uid, 20, exhaustion_policy="share_oldest")
    results = allocate_at_once(store, pool, uid, 32)
    granted = [lease for lease in results if lease is not None]
    exclusive = [lease.line for lease in granted if not lease.shared]
    assert len(exclusive) == len(set(exclusive)) == 20  # every line leased once, exclusively
    # The rest share (flagged), and no two leases of one number show one code.
    assert all(lease.code for lease in granted)
    assert len({(lease.line, lease.code) for lease in granted}) == len(granted)
    assert len(granted) > 20
    assert pools.get(pool.pool_id).overflow_count == 32 - 20  # shared or not served: counted either way


def test_a_visitors_visits_come_oldest_first_within_the_window_with_their_clicks(lease_backend, uid):
    _, _, visits = lease_backend
    site_id, other_site = uid("site"), uid("other-site")

    def visit(session, site, client, at):
        v = Visit(uid(session), "t1", site, client, at, at, utm={"source": session}, region={"country": "US"})
        visits.save(v, at + 86_400_000)
        return v

    later = visit("later", site_id, "client-0001", NOW + 3_600_000)
    first = visit("first", site_id, "client-0001", NOW)
    visit("before", site_id, "client-0001", NOW - 1)
    visit("stranger", site_id, "client-0002", NOW + 10)
    visit("elsewhere", other_site, "client-0001", NOW + 10)
    visit("after", site_id, "client-0001", NOW + 7_200_001)
    assert visits.add_click(first.session_id, site_id, "client-0001", "+14155550101", NOW + 9)

    found = visits.of_visitor(site_id, "client-0001", NOW, NOW + 7_200_000)
    assert [v.session_id for v in found] == [first.session_id, later.session_id]
    assert found[0].clicks == ({"line": "+14155550101", "at": NOW + 9},) and found[0].utm == {"source": "first"}
    assert visits.of_visitor(site_id, "client-0009", 0, NOW * 2) == []
