"""The lease store's fake, indexed the way the DynamoDB tables are (a pool's slots in
free-at order, a line's history, a pool's, a number's and a visitor's, a session's
leases), so a replay of a week of traffic asks each question of the few items it
concerns, not of every lease ever taken. One lock makes each method as atomic as a
DynamoDB conditional write or transaction.

`slots` and `history` stay plain mappings for the code and tests that read or change them
directly (the pools fake deletes a number's slots under `locked()`): every write to them,
by whoever, keeps the indexes. Their values are replaced, never changed in place, since
an index keeps what each value was filed under.
"""
from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import replace
from typing import Any

from ringback.adapters.meter import RequestMeter
from ringback.tracking.leases import Candidate, HistoryEntry, Lease

MAX_LEASE_MS = 7 * 24 * 3_600_000  # as the DynamoDB adapter reaches back for a running lease


class IndexedDict(dict):
    """A dict that keeps, for each named index, the keys of the items under each value
    the index function gives; an index given an order in `orders` keeps them sorted by
    it, as a GSI's range key does. Only item writes and deletions are indexed (no
    update()), so values must be replaced, not changed in place."""

    # An index function takes (key, value); keys are strings or tuples, as each store's are.
    def __init__(self, orders: dict[str, Callable[[Any, Any], tuple]] | None = None,
                 **indexes: Callable[[Any, Any], Hashable]) -> None:
        super().__init__()
        self._functions = indexes
        self._orders = orders or {}
        self._indexes: dict[str, dict[Hashable, set]] = {name: defaultdict(set) for name in indexes}
        # index -> group -> sorted [(order, key)]
        self._sorted: dict[str, dict[Hashable, list]] = {name: defaultdict(list) for name in self._orders}

    def __setitem__(self, key, value) -> None:
        if key in self:
            self._unindex(key, self[key])
        super().__setitem__(key, value)
        for name, index_of in self._functions.items():
            group = index_of(key, value)
            self._indexes[name][group].add(key)
            if name in self._orders:
                insort(self._sorted[name][group], (self._orders[name](key, value), key))

    def __delitem__(self, key) -> None:
        self._unindex(key, self[key])
        super().__delitem__(key)

    def pop(self, key, *default):
        if key in self:
            self._unindex(key, self[key])
        return super().pop(key, *default)

    def under(self, index: str, value: Hashable) -> list:
        """The items whose index value is `value`."""
        return [self[key] for key in self._indexes[index].get(value, ())]

    def keys_under(self, index: str, value: Hashable) -> list:
        return list(self._indexes[index].get(value, ()))

    def ordered(self, index: str, value: Hashable, low=None, high=None, limit: int | None = None) -> list:
        """The (key, item) pairs under `value` of an ordered index, in its order; `low`
        and `high` (inclusive) bound the first element of the order."""
        entries = self._sorted[index].get(value, [])
        start = 0 if low is None else bisect_left(entries, low, key=lambda e: e[0][0])
        stop = len(entries) if high is None else bisect_right(entries, high, key=lambda e: e[0][0])
        if limit is not None:
            stop = min(stop, start + limit)
        return [(key, self[key]) for _, key in entries[start:stop]]

    def _unindex(self, key, value) -> None:
        for name, index_of in self._functions.items():
            group = index_of(key, value)
            keys = self._indexes[name].get(group)
            if keys is not None:
                keys.discard(key)
            if name in self._orders:
                entries = self._sorted[name].get(group, [])
                entry = (self._orders[name](key, value), key)
                at = bisect_left(entries, entry)
                if at < len(entries) and entries[at] == entry:
                    del entries[at]


class MemoryLeaseStore:
    def __init__(self) -> None:
        self.meter = RequestMeter()
        self._lock = threading.Lock()
        # line -> {"pool_key", "free_at", "session_id", "holders", "sequence"}
        self.slots = IndexedDict(pool_key=lambda line, slot: slot["pool_key"],
                                 orders={"pool_key": lambda line, slot: (slot["free_at"], line)})
        self.leases = IndexedDict(session=lambda key, lease: key[0])  # (session_id, line) -> Lease
        # (line, history key) -> HistoryEntry
        self.history = IndexedDict(line=lambda key, entry: key[0], pool=lambda key, entry: entry.pool_id,
                                   visitor=lambda key, entry: (entry.visitor_key, entry.pool_id),
                                   number=lambda key, entry: entry.number,
                                   orders={"number": lambda key, entry: (entry.started_at, entry.session_id, key)})
        self.overflow: dict[str, int] = {}

    def add_slot(self, line: str, pool_key: str, free_at: int = 0) -> None:
        # A slot's pool key is never changed (a line never moves pools), so the index by
        # pool key, made when the slot is stored, stays true.
        self.slots[line] = {"pool_key": pool_key, "free_at": free_at, "session_id": None, "holders": 0,
                            "sequence": 0}

    def _set_slot(self, line: str, **changes) -> None:
        self.slots[line] = {**self.slots[line], **changes}  # replaced, so the free-at order follows

    def locked(self):
        """The store's lock: the pools fake removes a number's slots under it, as DynamoDB
        deletes each slot on a condition no take() can slip past."""
        return self._lock

    def lines(self, pool_key, limit):
        self.meter.add()
        with self._lock:
            ordered = self.slots.ordered("pool_key", pool_key, limit=limit)
        return [Candidate(line, slot["free_at"], slot.get("sequence", 0)) for line, slot in ordered]

    def last_lease_of(self, visitor_key, pool_id):
        self.meter.add()
        with self._lock:
            mine = self.history.under("visitor", (visitor_key, pool_id))
        return max(mine, key=lambda h: (h.started_at, h.session_id), default=None)

    def _record(self, request) -> None:
        lease = request.lease
        self.leases[(lease.session_id, lease.line)] = lease
        self.history[(lease.line, lease.history_key)] = HistoryEntry(
            lease.line, lease.session_id, lease.pool_id, lease.tenant_id, request.visitor_key,
            lease.leased_at, lease.expires_at, lease.shared, lease.code,
        )

    def take(self, request, now_ms):
        self.meter.add()
        lease = request.lease
        with self._lock:
            slot = self.slots.get(lease.line)
            if slot is None or slot["pool_key"] != request.pool_key or slot["free_at"] > now_ms:
                return False
            sequence = slot.get("sequence", 0) if request.sequence is None else request.sequence
            self._set_slot(lease.line, free_at=lease.expires_at, session_id=lease.session_id, holders=1,
                           sequence=sequence)
            self._record(request)
            return True

    def share(self, request, now_ms):
        self.meter.add()
        lease = request.lease
        with self._lock:
            slot = self.slots.get(lease.line)
            if (slot is None or slot["pool_key"] != request.pool_key or slot["free_at"] > lease.expires_at
                    or request.seen_sequence is not None and slot.get("sequence", 0) != request.seen_sequence):
                return False
            sequence = slot.get("sequence", 0) if request.sequence is None else request.sequence
            self._set_slot(lease.line, holders=slot["holders"] + 1, session_id=lease.session_id,
                           free_at=lease.expires_at, sequence=sequence)
            self._record(request)
            self.overflow[lease.pool_id] = self.overflow.get(lease.pool_id, 0) + 1
            return True

    def count_overflow(self, pool_id):
        self.meter.add()
        with self._lock:
            self.overflow[pool_id] = self.overflow.get(pool_id, 0) + 1

    def leases_of(self, session_id) -> list[Lease]:
        self.meter.add()
        with self._lock:
            return sorted(self.leases.under("session", session_id), key=lambda lease: lease.line)

    def extend(self, lease, until, pool_key, now_ms):
        self.meter.add()
        with self._lock:
            slot = self.slots.get(lease.line)
            if slot is None or slot["pool_key"] != pool_key or slot["free_at"] < now_ms:
                return False
            self._set_slot(lease.line, free_at=max(slot["free_at"], until))
            self.leases[(lease.session_id, lease.line)] = replace(lease, expires_at=until)
            key = (lease.line, lease.history_key)
            self.history[key] = replace(self.history[key], ended_at=until)
            return True

    def held_at(self, line, at_ms, grace_ms=0):
        self.meter.add()
        with self._lock:
            return sorted((h for h in self.history.under("line", line)
                           if h.started_at <= at_ms <= h.ended_at + grace_ms),
                          key=lambda h: h.started_at, reverse=True)

    def history_of_pool(self, pool_id, since_ms, until_ms):
        self.meter.add()
        with self._lock:
            return sorted((h for h in self.history.under("pool", pool_id)
                           if h.started_at <= until_ms and h.ended_at >= since_ms),
                          key=lambda h: (h.started_at, h.session_id))

    def shown_on(self, number, since_ms, until_ms):
        self.meter.add()
        with self._lock:
            # As the by_number index is read: leases started in the window or up to one
            # longest lease before it, kept when they ran into it.
            started = self.history.ordered("number", number, low=since_ms - MAX_LEASE_MS, high=until_ms)
        return [h for _, h in started if h.ended_at >= since_ms]
