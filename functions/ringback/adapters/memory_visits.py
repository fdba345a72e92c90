"""The visit log's fake (ringback.ports.VisitLog), held to the DynamoDB adapter's
contract by tests/adapters/test_lease_store_contract.py (DynamoVisits is its DynamoDB twin)."""
from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from dataclasses import replace

from ringback.tracking.visits import Visit, visitor_key


def _start(entry: tuple[int, str]) -> int:
    return entry[0]


class MemoryVisits:
    def __init__(self) -> None:
        self._visits: dict[str, Visit] = {}
        self.clicks: dict[str, list] = {}
        # visitor key -> session ids in start order, as the by_visitor index (a visitor's
        # journey is read on every inbound call).
        self._by_visitor: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self._lock = threading.Lock()

    def save(self, visit, retain_until_ms: int) -> None:
        with self._lock:
            if visit.session_id in self._visits:
                raise RuntimeError("a session id was issued twice")
            self._visits[visit.session_id] = visit
            insort(self._by_visitor[visit.visitor_key], (visit.started_at, visit.session_id))

    def get(self, session_id: str):
        visit = self._visits.get(session_id)
        if visit is None:
            return None
        return replace(visit, clicks=tuple(self.clicks.get(session_id, [])))

    def page_viewed(self, session_id: str, now_ms: int) -> None:
        with self._lock:
            visit = self._visits[session_id]
            self._visits[session_id] = replace(visit, pages_viewed=visit.pages_viewed + 1, last_seen_at=now_ms)

    def add_click(self, session_id: str, site_id: str, client_id: str, line: str, at_ms: int) -> bool:
        visit = self._visits.get(session_id)
        if visit is None or visit.site_id != site_id or visit.client_id != client_id:
            return False
        with self._lock:
            self.clicks.setdefault(session_id, []).append({"line": line, "at": at_ms})
        return True

    def of_visitor(self, site_id: str, client_id: str, since_ms: int, until_ms: int) -> list:
        with self._lock:
            started = self._by_visitor.get(visitor_key(site_id, client_id), [])
            window = started[bisect_left(started, since_ms, key=_start):bisect_right(started, until_ms, key=_start)]
        return [self.get(session_id) for _, session_id in window]
