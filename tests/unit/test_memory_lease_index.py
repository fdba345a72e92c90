"""The lease store's fake answers from its indexes, and the indexes follow every write,
including the direct ones the pools fake and some tests make."""
from ringback.adapters.memory_leases import IndexedDict, MemoryLeaseStore
from ringback.tracking.leases import HistoryEntry


def entry(line, session, pool="p1", visitor="v1", start=0, end=100):
    return HistoryEntry(line, session, pool, "t1", visitor, start, end)


def test_an_index_follows_writes_replacements_and_deletions():
    items = IndexedDict(parity=lambda key, value: value % 2)
    items["a"], items["b"], items["c"] = 1, 2, 3
    assert sorted(items.under("parity", 1)) == [1, 3]
    items["a"] = 4  # moves from odd to even
    assert sorted(items.under("parity", 0)) == [2, 4] and items.under("parity", 1) == [3]
    del items["b"]
    assert items.pop("c") == 3 and items.pop("missing", None) is None
    assert items.under("parity", 0) == [4] and items.under("parity", 1) == []


def test_history_written_directly_is_found_by_line_pool_and_visitor():
    store = MemoryLeaseStore()
    store.history[("+1", "h1")] = entry("+1", "s1", start=10, end=50)
    store.history[("+1", "h2")] = entry("+1", "s2", visitor="v2", start=60, end=90)
    store.history[("+2", "h3")] = entry("+2", "s3", pool="p2", start=0, end=100)
    assert [h.session_id for h in store.held_at("+1", 70)] == ["s2"]
    assert [h.session_id for h in store.held_at("+1", 55, grace_ms=10)] == ["s1"]
    assert [h.session_id for h in store.history_of_pool("p1", 0, 100)] == ["s1", "s2"]
    assert store.last_lease_of("v2", "p1").session_id == "s2" and store.last_lease_of("v2", "p2") is None
    store.history[("+1,005", "h4")] = entry("+1,005", "s4", start=80, end=95)
    assert [h.session_id for h in store.shown_on("+1", 55, 100)] == ["s2", "s4"]
    assert [h.session_id for h in store.shown_on("+1", 0, 20)] == ["s1"]
    del store.history[("+1", "h2")]
    assert [h.session_id for h in store.shown_on("+1", 55, 100)] == ["s4"]


def test_a_deleted_slot_is_never_offered_again():
    store = MemoryLeaseStore()
    for line in ("+1", "+2", "+3"):
        store.add_slot(line, "p1#0", free_at=5)
    store.add_slot("+9", "p2#0")
    with store.locked():
        del store.slots["+2"]
    assert [c.line for c in store.lines("p1#0", 10)] == ["+1", "+3"]
    assert store.lines("p2#0", 10)[0].line == "+9"


def test_a_pools_lines_stay_in_free_at_order_through_takes_shares_and_extensions():
    from ringback.tracking.leases import Lease, LeaseRequest

    store = MemoryLeaseStore()
    for line in ("+1", "+2", "+3"):
        store.add_slot(line, "p1#0")

    def wanted(line, session, until, **kwargs):
        return LeaseRequest(Lease(session, line, "p1", "t1", 0, until), "p1#0", "v", 10**6, **kwargs)

    assert store.take(wanted("+1", "a", 300, sequence=1), 0)
    assert store.take(wanted("+2", "b", 200, sequence=1), 0)
    assert [(c.line, c.free_at) for c in store.lines("p1#0", 10)] == [("+3", 0), ("+2", 200), ("+1", 300)]
    assert store.extend(store.leases_of("b")[0], 400, "p1#0", 100)
    assert store.share(wanted("+3", "c", 250, sequence=1, seen_sequence=0), 0)
    assert [(c.line, c.free_at, c.sequence) for c in store.lines("p1#0", 10)] == [
        ("+3", 250, 1), ("+1", 300, 1), ("+2", 400, 1)]
    assert [c.line for c in store.lines("p1#0", 1)] == ["+3"]
