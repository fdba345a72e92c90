"""The call log's fake (ringback.ports.CallLog), held to the DynamoDB adapter's contract
by tests/adapters/test_directories_contract.py."""
from __future__ import annotations

import base64
import json
import threading
from collections import defaultdict
from dataclasses import replace

from ringback.calls.leads import new_lead
from ringback.calls.log import CallSummary, Page
from ringback.errors import InvalidInput


class MemoryCallLog:
    def __init__(self) -> None:
        self._calls: dict[str, tuple[str, CallSummary]] = {}
        # (tenant, caller) -> call ids, as the by_tenant_caller index: a caller's history
        # is read on every inbound call, so it must not scan the whole log.
        self._by_caller: dict[tuple[str, str], list[str]] = defaultdict(list)
        self._lock = threading.Lock()

    def get(self, call_id: str):
        return self._calls.get(call_id)

    def has_caller(self, tenant_id: str, caller: str) -> bool:
        return bool(self._by_caller.get((tenant_id, caller)))

    def previous_calls(self, tenant_id: str, caller: str, before_ms: int, limit: int = 10) -> list[CallSummary]:
        with self._lock:
            calls = [self._calls[call_id][1] for call_id in self._by_caller.get((tenant_id, caller), ())]
        earlier = sorted((c for c in calls if c.started_at < before_ms), key=lambda c: (c.started_at, c.call_id),
                         reverse=True)
        # What the index projects: the outcome, recordings, alerts, carrier status and lead stay behind.
        return [replace(c, outcome={}, recordings={}, alerts={}, carrier_status=None, call_seconds=None,
                        lead=new_lead(), lead_version=0)
                for c in earlier[:limit]]

    def of_caller(self, tenant_id: str, caller: str, limit: int) -> list[CallSummary]:
        with self._lock:
            calls = [self._calls[call_id][1] for call_id in self._by_caller.get((tenant_id, caller), ())]
        return sorted(calls, key=lambda c: (c.started_at, c.call_id), reverse=True)[:limit]

    def set_lead(self, call_id: str, lead: dict, expected_version: int) -> bool:
        with self._lock:
            stored = self._calls.get(call_id)
            if stored is None or stored[1].lead_version != expected_version:
                return False
            tenant, call = stored
            # A copy, as DynamoDB keeps what was written, not the caller's dict.
            self._calls[call_id] = (tenant, replace(call, lead=json.loads(json.dumps(lead)),
                                                    lead_version=expected_version + 1))
            return True

    def cursor_after(self, tenant_id: str, call: CallSummary) -> str:
        return _cursor({"tenant_id": tenant_id, "started_at": call.started_at, "call_id": call.call_id})

    def finish(self, call_id: str, status: str, outcome: dict) -> bool:
        with self._lock:
            tenant, call = self._calls[call_id]
            if call.status not in ("ringing", "abandoned"):
                return False
            self._calls[call_id] = (tenant, replace(call, status=status, outcome=outcome))
            return True

    def record_end(self, call_id: str, carrier_status: str, call_seconds: int) -> bool:
        with self._lock:
            tenant, call = self._calls[call_id]
            if call.carrier_status is not None:
                return False
            status = "abandoned" if call.status == "ringing" else call.status
            self._calls[call_id] = (tenant, replace(call, carrier_status=carrier_status, call_seconds=call_seconds,
                                                    status=status))
            return True

    def note_alert(self, call_id: str, message_id: str, alert: dict) -> None:
        with self._lock:
            if call_id not in self._calls:
                return  # as DynamoDB's condition on the call existing: nothing to note on
            tenant, call = self._calls[call_id]
            if alert["rank"] > call.alerts.get(message_id, {}).get("rank", -1):
                self._calls[call_id] = (tenant, replace(call, alerts={**call.alerts, message_id: dict(alert)}))


    def add_recording(self, call_id: str, recording_sid: str, key: str) -> None:
        with self._lock:
            tenant, call = self._calls[call_id]
            self._calls[call_id] = (tenant, replace(call, recordings={**call.recordings, recording_sid: key}))

    def annotate(self, call_id: str, outcome: dict) -> None:
        with self._lock:
            tenant, call = self._calls[call_id]
            self._calls[call_id] = (tenant, replace(call, outcome=outcome))


    def add(self, tenant_id: str, call: CallSummary, retain_until_ms: int | None = None) -> bool:
        with self._lock:
            if call.call_id in self._calls:
                return False
            self._calls[call.call_id] = (tenant_id, call)
            self._by_caller[(tenant_id, call.caller)].append(call.call_id)
            return True

    def forget(self, call_id: str) -> None:
        """The call gone, as an erasure deletes it (ringback.adapters.memory_erasure)."""
        with self._lock:
            stored = self._calls.pop(call_id, None)
            if stored is not None:
                self._by_caller[(stored[0], stored[1].caller)].remove(call_id)

    def between(self, tenant_id: str, start_ms: int, end_ms: int, limit: int, cursor: str | None) -> Page[CallSummary]:
        after = None
        if cursor:
            try:
                after = json.loads(base64.urlsafe_b64decode(cursor.encode()))
            except ValueError:
                after = None
            if not isinstance(after, dict) or after.get("tenant_id") != tenant_id:
                raise InvalidInput("the cursor is not one this API issued", code="invalid_cursor")
        matching = sorted(
            (c for t, c in self._calls.values() if t == tenant_id and start_ms <= c.started_at < end_ms),
            key=lambda c: (c.started_at, c.call_id),
            reverse=True,
        )
        if after:
            matching = [c for c in matching if (c.started_at, c.call_id) < (after["started_at"], after["call_id"])]
        page = matching[:limit]
        next_cursor = None
        if len(matching) > limit:
            next_cursor = self.cursor_after(tenant_id, page[-1])
        return Page(items=page, cursor=next_cursor)


def _cursor(key: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()
