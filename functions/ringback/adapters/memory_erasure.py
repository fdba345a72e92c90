"""Fakes of what an erasure needs (ringback.calls.erasure.CallerRecords, and the
analytics files' day listing), over the other memory fakes' own data, so a test sees the
calls, requests and texts it placed through the product disappear. The DynamoDB adapter
is held to the same behaviour by tests/adapters/test_caller_erasure_contract.py."""
from __future__ import annotations

from collections.abc import Iterable

from ringback.adapters.memory import MemoryCallbacks, MemoryEventFiles, MemoryMessages
from ringback.adapters.memory_calls import MemoryCallLog
from ringback.calls.erasure import ErasableCall, ErasableRequest


class MemoryCallerRecords:
    def __init__(self, calls: MemoryCallLog, callbacks: MemoryCallbacks, messages: MemoryMessages) -> None:
        self._calls, self._callbacks, self._messages = calls, callbacks, messages

    def calls_of(self, tenant_id: str, caller: str) -> list[ErasableCall]:
        found = []
        for call in self._calls.of_caller(tenant_id, caller, limit=10**9):
            found.append(ErasableCall(call.call_id, tuple(sorted(call.recordings.values())),
                                      tuple(sorted(call.alerts))))
        return sorted(found, key=lambda call: call.call_id)

    def callback_requests_of(self, tenant_id: str, site_ids: Iterable[str], phone: str) -> list[ErasableRequest]:
        sites = set(site_ids)
        with self._callbacks._lock:
            stored = [dict(r) for r in self._callbacks._requests.values()]
        return sorted((ErasableRequest(r["request_id"], tuple(sorted(r["recordings"].values())),
                                       tuple(sorted(r["alerts"])))
                       for r in stored if r["site_id"] in sites and r["tenant_id"] == tenant_id
                       and r["phone"] == phone), key=lambda request: request.request_id)

    def texts_from(self, tenant_id: str, sender: str) -> list[str]:
        with self._messages._lock:
            stored = [self._messages.get(m) for m in list(self._messages._messages)]
        return sorted(m.message_id for m in stored
                      if m is not None and m.purpose == "text_received" and m.tenant_id == tenant_id
                      and m.sender == sender)

    def delete_messages(self, message_ids: Iterable[str]) -> int:
        with self._messages._lock:
            return sum(self._messages._messages.pop(m, None) is not None for m in message_ids)

    def delete_callback_request(self, request_id: str) -> int:
        with self._callbacks._lock:
            legs = [key for key in self._callbacks._legs if key[0] == request_id]
            for key in legs:
                del self._callbacks._legs[key]
            self._callbacks._requests.pop(request_id, None)
        return len(legs)

    def delete_call(self, call_id: str) -> None:
        self._calls.forget(call_id)


class MemoryErasableEventFiles(MemoryEventFiles):
    """The memory files have no versions: forgetting them only counts, for a test."""

    def __init__(self) -> None:
        super().__init__()
        self.versions_forgotten: list[str] = []

    def days_of(self, table, tenant_id: str) -> list[str]:
        return sorted(dt for tenant, dt in self.partitions(table) if tenant == tenant_id)

    def forget_versions(self, table, tenant_id: str, dt: str, name: str) -> None:
        self.versions_forgotten.append(self._prefix(table, tenant_id, dt) + name)
