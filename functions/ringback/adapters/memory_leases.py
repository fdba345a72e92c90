"""The lease store's fake, indexed the way the DynamoDB tables are (a pool's slots, a
line's history, a pool's history, a visitor's lines, a session's leases), so a replay of a
week of traffic asks each question of the few items it concerns, not of every lease ever
taken. One lock makes each method as atomic as a DynamoDB conditional write or
transaction.

`slots` and `history` stay plain mappings for the code and tests that read or change them
directly (the pools fake deletes a number's slots under `locked()`): every write to them,
by whoever, keeps the indexes.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import replace
from typing import Callable, Hashable

from ringback.adapters.meter import RequestMeter
from ringback.tracking.leases import Candidate, HistoryEntry, Lease


class IndexedDict(dict):
    """A dict that keeps, for each named index, the keys of the items under each value
    the index function gives. Only item writes and deletions are indexed (no update())."""

    def __init__(self, **indexes: Callable[[Hashable, object], Hashable]) -> None:
        super().__init__()
        self._functions = indexes
        self._indexes: dict[str, dict[Hashable, set]] = {name: defaultdict(set) for name in indexes}

    def __setitem__(self, key, value) -> None:
        if key in self:
            self._unindex(key, self[key])
        super().__setitem__(key, value)
        for name, index_of in self._functions.items():
            self._indexes[name][index_of(key, value)].add(key)

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

    def _unindex(self, key, value) -> None:
        for name, index_of in self._functions.items():
            keys = self._indexes[name].get(index_of(key, value))
            if keys is not None:
                keys.discard(key)


class MemoryLeaseStore:
    def __init__(self) -> None:
        self.meter = RequestMeter()
        self._lock = threading.Lock()
        # line -> {"pool_key", "free_at", "session_id", "holders"}
        self.slots = IndexedDict(pool_key=lambda line, slot: slot["pool_key"])
        self.leases = IndexedDict(session=lambda key, lease: key[0])  # (session_id, line) -> Lease
        # (line, history key) -> HistoryEntry
        self.history = IndexedDict(line=lambda key, entry: key[0], pool=lambda key, entry: entry.pool_id,
                                   visitor=lambda key, entry: (entry.visitor_key, entry.pool_id))
        self.overflow: dict[str, int] = {}

    def add_slot(self, line: str, pool_key: str, free_at: int = 0) -> None:
        # A slot's pool key is never changed in place (a line never moves pools), so the
        # index by pool key, made when the slot is stored, stays true.
        self.slots[line] = {"pool_key": pool_key, "free_at": free_at, "session_id": None, "holders": 0}

    def locked(self):
        """The store's lock: the pools fake removes a number's slots under it, as DynamoDB
        deletes each slot on a condition no take() can slip past."""
        return self._lock

    def free_lines(self, pool_key, now_ms, limit):
        self.meter.add()
        with self._lock:
            free = sorted((s["free_at"], line) for line in self.slots.keys_under("pool_key", pool_key)
                          if (s := self.slots[line])["free_at"] <= now_ms)
        return [Candidate(line, at) for at, line in free[:limit]]

    def oldest_lines(self, pool_key, limit):
        self.meter.add()
        with self._lock:
            ordered = sorted((self.slots[line]["free_at"], line) for line in self.slots.keys_under("pool_key", pool_key))
        return [Candidate(line, at) for at, line in ordered[:limit]]

    def last_line_of(self, visitor_key, pool_id):
        self.meter.add()
        with self._lock:
            mine = sorted((h.started_at, h.session_id, h.line) for h in self.history.under("visitor", (visitor_key, pool_id)))
        return mine[-1][2] if mine else None

    def _record(self, request) -> None:
        lease = request.lease
        self.leases[(lease.session_id, lease.line)] = lease
        self.history[(lease.line, lease.history_key)] = HistoryEntry(
            lease.line, lease.session_id, lease.pool_id, lease.tenant_id, request.visitor_key,
            lease.leased_at, lease.expires_at, lease.shared,
        )

    def take(self, request, now_ms):
        self.meter.add()
        lease = request.lease
        with self._lock:
            slot = self.slots.get(lease.line)
            if slot is None or slot["pool_key"] != request.pool_key or slot["free_at"] > now_ms:
                return False
            slot.update(free_at=lease.expires_at, session_id=lease.session_id, holders=1)
            self._record(request)
            return True

    def share(self, request):
        self.meter.add(2)
        lease = request.lease
        with self._lock:
            slot = self.slots[lease.line]
            slot["holders"] += 1
            slot["session_id"] = lease.session_id
            slot["free_at"] = max(slot["free_at"], lease.expires_at)
            self._record(request)

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
            slot["free_at"] = max(slot["free_at"], until)
            self.leases[(lease.session_id, lease.line)] = replace(lease, expires_at=until)
            key = (lease.line, lease.history_key)
            self.history[key] = replace(self.history[key], ended_at=until)
            return True

    def held_at(self, line, at_ms, grace_ms=0):
        self.meter.add()
        with self._lock:
            return sorted((h for h in self.history.under("line", line) if h.started_at <= at_ms <= h.ended_at + grace_ms),
                          key=lambda h: h.started_at, reverse=True)

    def history_of_pool(self, pool_id, since_ms, until_ms):
        self.meter.add()
        with self._lock:
            return sorted((h for h in self.history.under("pool", pool_id)
                           if h.started_at <= until_ms and h.ended_at >= since_ms),
                          key=lambda h: (h.started_at, h.session_id))
