"""In-memory adapters: the fakes domain tests run on.

tests/adapters/ runs the same contract suite against these and the DynamoDB adapters,
so a fake that drifts from the real thing fails a test.
"""
from __future__ import annotations

import base64
import json
import threading
from dataclasses import replace

from ringback.accounts.sites import Site
from ringback.adapters.memory_accounts import MemoryTenants  # noqa: F401 - re-exported, as before
from ringback.adapters.memory_calls import MemoryCallLog  # noqa: F401 - re-exported, as before
from ringback.adapters.memory_leases import MemoryLeaseStore  # noqa: F401 - re-exported, as before
from ringback.adapters.memory_pools import MemoryNumbers, MemoryPools, MemoryRouting  # noqa: F401 - as before
from ringback.adapters.memory_visits import MemoryVisits  # noqa: F401 - re-exported, as before
from ringback.callbacks.model import CallbackLeg
from ringback.calls.log import Page
from ringback.errors import PreconditionFailed


class MemorySites:
    def __init__(self) -> None:
        self._sites: dict[str, Site] = {}

    def by_key(self, site_key: str) -> Site | None:
        return next((s for s in self._sites.values() if s.site_key == site_key), None)

    def get(self, site_id: str) -> Site | None:
        return self._sites.get(site_id)

    def for_tenant(self, tenant_id: str) -> list[Site]:
        return sorted((s for s in self._sites.values() if s.tenant_id == tenant_id), key=lambda s: s.site_id)

    def save(self, site: Site, expected_version: int | None = None) -> None:
        self._check(site.site_id, expected_version)
        self._sites[site.site_id] = replace(site, version=site.version + 1)

    def delete(self, site_id: str, expected_version: int) -> None:
        self._check(site_id, expected_version)
        self._sites.pop(site_id, None)

    def _check(self, site_id: str, expected_version: int | None) -> None:
        stored = self._sites.get(site_id)
        if expected_version is not None and (stored.version if stored else 0) != expected_version:
            raise PreconditionFailed("the site changed since it was read: read it again", code="stale_version")


class MemoryNotifier:
    """Texts as the carrier takes them. With `sms_numbers` set, a sender not among them is
    refused as Twilio refuses it (21606)."""

    def __init__(self, sms_numbers: set[str] | None = None) -> None:
        self.sent: list[dict] = []
        self.sms_numbers = sms_numbers

    def send_sms(self, to: str, sender: str, body: str, status_url: str, account: str | None = None) -> str:
        from ringback.calls.alerts import SmsRefused

        if self.sms_numbers is not None and sender not in self.sms_numbers:
            raise SmsRefused("21606", f"the From phone number {sender} is not a valid, SMS-capable number")
        self.sent.append({"to": to, "from": sender, "body": body, "status_url": status_url, "account": account})
        return f"tw:SM{len(self.sent):032d}"


class MemoryMessages:
    """Texts and their statuses; one lock makes each call one conditional write."""

    def __init__(self) -> None:
        self._messages: dict[str, object] = {}
        self._lock = threading.Lock()

    def add(self, message):
        with self._lock:
            stored = self._messages.get(message.message_id)
            if stored is not None:  # a status callback came first: its status stays
                message = replace(message, status=stored.status, error_code=stored.error_code,
                                  updated_at=stored.updated_at)
            self._messages[message.message_id] = message
            return message

    def advance(self, message_id, status, rank, error_code, at_ms):
        from ringback.calls.alerts import STATUS_RANK, Message

        with self._lock:
            stored = self._messages.get(message_id)
            if stored is not None and STATUS_RANK[stored.status] >= rank:
                return None
            moved = (replace(stored, status=status, error_code=error_code, updated_at=at_ms) if stored
                     else Message(message_id, status, at_ms, error_code=error_code))
            self._messages[message_id] = moved
            return moved

    def get(self, message_id):
        return self._messages.get(message_id)


class MemoryRateCounter:
    def __init__(self) -> None:
        self.buckets: dict[str, int] = {}
        self._lock = threading.Lock()

    def hit(self, bucket: str, expires_at_ms: int) -> int:
        with self._lock:
            self.buckets[bucket] = self.buckets.get(bucket, 0) + 1
            return self.buckets[bucket]


class MemoryRecordingStore:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.object_tags: dict[str, dict[str, str]] = {}

    def exists(self, key: str) -> bool:
        return key in self.objects

    def put(self, key: str, body: bytes, content_type: str, tags: dict[str, str] | None = None) -> None:
        self.objects[key] = body
        self.object_tags[key] = dict(tags or {})

    def tags(self, key: str) -> dict[str, str]:
        return dict(self.object_tags[key])

    def delete(self, key: str) -> int:
        self.object_tags.pop(key, None)
        return 1 if self.objects.pop(key, None) is not None else 0

    def get(self, key: str) -> bytes:
        return self.objects[key]

    def presign(self, key: str, seconds: int) -> str:
        return f"memory://recordings/{key}?expires={seconds}"


class MemoryCarrierRecordings:
    """The carrier's copies of recordings, as the fake carrier keeps them."""

    def __init__(self) -> None:
        self.recordings: dict[str, bytes] = {}
        self.deleted: list[str] = []
        self.accounts: dict[str, str | None] = {}  # recording sid -> the account last asked for it

    def download_recording(self, recording_sid: str, account: str | None = None) -> bytes:
        self.accounts[recording_sid] = account
        return self.recordings[recording_sid]

    def delete_recording(self, recording_sid: str, account: str | None = None) -> None:
        self.recordings.pop(recording_sid, None)
        self.deleted.append(recording_sid)
        self.accounts[recording_sid] = account


class MemoryDeliveryQueue:
    """Deliveries waiting to be sent, with the delay each was queued with."""

    def __init__(self) -> None:
        self.waiting: list[tuple[object, int]] = []

    def send(self, delivery, delay_seconds: int) -> None:
        self.waiting.append((delivery, delay_seconds))

    def take_all(self) -> list:
        taken, self.waiting = [d for d, _ in self.waiting], []
        return taken


class MemoryCallbacks:
    """Callback requests and legs; one lock makes save() a conditional write."""

    def __init__(self) -> None:
        self._requests: dict[str, dict] = {}
        self._legs: dict[tuple[str, str], CallbackLeg] = {}
        self._lock = threading.Lock()

    def add(self, request) -> bool:
        with self._lock:
            if request.request_id in self._requests:
                return False
            self._requests[request.request_id] = _snapshot(request, 1)
            return True

    def get(self, request_id: str):
        from ringback.callbacks.model import CallbackRequest

        with self._lock:
            stored = self._requests.get(request_id)
            return CallbackRequest(**json.loads(json.dumps(stored))) if stored else None

    def save(self, request) -> bool:
        with self._lock:
            stored = self._requests.get(request.request_id)
            if stored is None or stored["version"] != request.version:
                return False
            self._requests[request.request_id] = _snapshot(request, request.version + 1)
            return True

    def recent_for_phone(self, site_phone: str, since_ms: int) -> str | None:
        with self._lock:
            matches = [r for r in self._requests.values()
                       if f"{r['site_id']}#{r['phone']}" == site_phone and r["created_at"] >= since_ms]
        return max(matches, key=lambda r: r["created_at"])["request_id"] if matches else None

    def for_tenant(self, tenant_id: str, start_ms: int, end_ms: int, limit: int, cursor: str | None) -> Page:
        with self._lock:
            rows = sorted((r for r in self._requests.values()
                           if r["tenant_id"] == tenant_id and start_ms <= r["created_at"] < end_ms),
                          key=lambda r: (r["created_at"], r["request_id"]), reverse=True)
        offset = int(base64.urlsafe_b64decode(cursor).decode()) if cursor else 0
        page = rows[offset:offset + limit]
        more = offset + limit < len(rows)
        return Page(items=[self.get(r["request_id"]) for r in page],
                    cursor=base64.urlsafe_b64encode(str(offset + limit).encode()).decode() if more else None)

    def put_leg(self, leg) -> None:
        with self._lock:
            self._legs[(leg.request_id, leg.leg)] = replace(leg)

    def legs_of(self, request_id: str) -> list:
        with self._lock:
            return [replace(leg) for (rid, _), leg in sorted(self._legs.items()) if rid == request_id]

    def note_alert(self, request_id: str, message_id: str, alert: dict) -> None:
        with self._lock:
            stored = self._requests.get(request_id)
            if stored is None or alert["rank"] <= stored["alerts"].get(message_id, {}).get("rank", -1):
                return
            stored["alerts"] = {**stored["alerts"], message_id: json.loads(json.dumps(alert))}
            stored["version"] += 1  # a write like any other: a read-modify-write in flight must read again


def _snapshot(request, version: int) -> dict:
    data = json.loads(json.dumps(request.__dict__))
    data["version"] = version
    return data


class MemoryWorkflow:
    """The dial workflow's fake: records the executions started (by name, as Step Functions
    refuses a name twice) and how each task token was answered."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.answers: dict[str, tuple] = {}

    def start(self, request_id: str, attempt: int = 0) -> None:
        from ringback.callbacks.model import execution_name

        name = execution_name(request_id, attempt)
        if name not in self.started:
            self.started.append(name)

    def succeed(self, token: str, output: dict) -> None:
        self.answers.setdefault(token, ("success", output))

    def fail(self, token: str, error: str, cause: str) -> None:
        self.answers.setdefault(token, ("failure", error, cause))


class MemoryDialer:
    """Outbound calls as the fake carrier takes them. With `caller_ids` set, a From not
    among them is refused as Twilio refuses it (21210)."""

    def __init__(self, caller_ids: set[str] | None = None) -> None:
        self.placed: list[dict] = []
        self.cancelled: list[str] = []
        self.cancelled_in: list[str | None] = []  # the account of each cancel, in order
        self.caller_ids = caller_ids

    def place_call(self, to: str, caller_id: str, answer_url: str, status_url: str, ring_seconds: int,
                   account: str | None = None) -> str:
        from ringback.callbacks.model import CallRefused

        if self.caller_ids is not None and caller_id not in self.caller_ids:
            raise CallRefused("21210", f"The source phone number provided, {caller_id}, is not yet verified")
        call_id = f"CA{len(self.placed) + 1:032d}"
        self.placed.append({"to": to, "from": caller_id, "answer_url": answer_url, "status_url": status_url,
                            "ring_seconds": ring_seconds, "call_id": call_id, "account": account})
        return call_id

    def cancel(self, call_id: str, account: str | None = None) -> None:
        self.cancelled.append(call_id)
        self.cancelled_in.append(account)


def MemoryIdempotency():
    """Powertools idempotency's persistence layer, in memory: the same put-if-absent
    rule as its DynamoDB layer (an expired or abandoned in-progress record is replaced)."""
    import datetime as dt

    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyItemAlreadyExistsError,
        IdempotencyItemNotFoundError,
    )
    from aws_lambda_powertools.utilities.idempotency.persistence.base import STATUS_CONSTANTS, BasePersistenceLayer

    class _Layer(BasePersistenceLayer):
        def __init__(self) -> None:
            super().__init__()
            self.records: dict = {}
            self._lock = threading.Lock()

        def _get_record(self, idempotency_key):
            with self._lock:
                if idempotency_key not in self.records:
                    raise IdempotencyItemNotFoundError
                return self.records[idempotency_key]

        def _put_record(self, data_record) -> None:
            now = dt.datetime.now()
            with self._lock:
                old = self.records.get(data_record.idempotency_key)
                if old is not None:
                    expired = old.expiry_timestamp is not None and old.expiry_timestamp < int(now.timestamp())
                    abandoned = (old.status == STATUS_CONSTANTS["INPROGRESS"]
                                 and old.in_progress_expiry_timestamp is not None
                                 and old.in_progress_expiry_timestamp < int(now.timestamp() * 1000))
                    if not (expired or abandoned):
                        self._validate_payload(data_payload=data_record, stored_data_record=old)
                        raise IdempotencyItemAlreadyExistsError(old_data_record=old)
                self.records[data_record.idempotency_key] = data_record

        def _update_record(self, data_record) -> None:
            with self._lock:
                self.records[data_record.idempotency_key] = data_record

        def _delete_record(self, data_record) -> None:
            with self._lock:
                self.records.pop(data_record.idempotency_key, None)

    return _Layer()


# A file's rows (`list` would name MemoryEventFiles.list inside the class).
Rows = list[dict]


class MemoryEventFiles:
    """Analytics Parquet files as rows in a dict (ringback.analytics.pipeline.EventFiles)."""

    def __init__(self) -> None:
        self.files: dict[str, list[dict]] = {}  # key -> rows, as the bucket would hold them
        self._lock = threading.Lock()

    def _prefix(self, table, tenant_id: str, dt: str) -> str:
        from ringback.analytics.pipeline import partition_key

        return partition_key(table, tenant_id, dt, "")

    def write(self, table, tenant_id: str, dt: str, name: str, rows: list[dict]) -> str:
        key = self._prefix(table, tenant_id, dt) + name
        with self._lock:
            self.files[key] = [{c: row.get(c) for c, _ in table.all_columns} for row in rows]
        return key

    def list(self, table, tenant_id: str, dt: str) -> list[str]:
        prefix = self._prefix(table, tenant_id, dt)
        with self._lock:
            return sorted(k[len(prefix):] for k in self.files if k.startswith(prefix))

    def partitions(self, table) -> dict[tuple[str, str], int]:
        counts: dict[tuple[str, str], int] = {}
        with self._lock:
            keys = [k for k in self.files if k.startswith(table.prefix)]
        for key in keys:
            tenant, day = key[len(table.prefix):].split("/")[:2]
            part = (tenant.removeprefix("tenant_id="), day.removeprefix("dt="))
            counts[part] = counts.get(part, 0) + 1
        return counts

    def read(self, table, tenant_id: str, dt: str, name: str) -> Rows:
        key = self._prefix(table, tenant_id, dt) + name
        with self._lock:
            if key not in self.files:
                raise FileNotFoundError(key)
            rows = self.files[key]
        return [{c: row.get(c) for c, _ in table.all_columns} for row in rows]

    def delete(self, table, tenant_id: str, dt: str, names) -> None:
        prefix = self._prefix(table, tenant_id, dt)
        with self._lock:
            for name in names:
                self.files.pop(prefix + name, None)


def no_pages(url: str):
    """The install check's page fetcher in memory: no network, so no page. A test that
    wants one passes its own."""
    from ringback.accounts.install_check import PageUnreachable

    raise PageUnreachable(f"no network in memory services ({url})")
