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
    assert store.last_line_of("v2", "p1") == "+1" and store.last_line_of("v2", "p2") is None


def test_a_deleted_slot_is_never_offered_again():
    store = MemoryLeaseStore()
    for line in ("+1", "+2", "+3"):
        store.add_slot(line, "p1#0", free_at=5)
    store.add_slot("+9", "p2#0")
    with store.locked():
        del store.slots["+2"]
    assert [c.line for c in store.free_lines("p1#0", 10, 10)] == ["+1", "+3"]
    assert [c.line for c in store.oldest_lines("p1#0", 10)] == ["+1", "+3"]
    assert store.free_lines("p1#0", 4, 10) == []
