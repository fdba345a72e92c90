"""Call recordings: copied from the carrier into the tenant's own S3 prefix, then deleted
at the carrier, and served only to the owning tenant through short-lived links.

A recording is a resource of the carrier account the call was in (the tenant's
subaccount, which owns the number called): it is fetched and deleted there, the account
named by the AccountSid of its signed webhook, else the call's tenant's."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ringback.accounts.numbers import CarrierAccounts
from ringback.accounts.tenants import TenantScope
from ringback.calls.retention import RecordingRetention
from ringback.errors import NotFound

if TYPE_CHECKING:
    from ringback.ports import CallLog, CarrierRecordings, RecordingStore

LINK_SECONDS = 300


def recording_key(tenant_id: str, call_id: str, recording_sid: str, started_at_ms: int) -> str:
    day = datetime.fromtimestamp(started_at_ms / 1000, tz=UTC)
    return f"tenants/{tenant_id}/recordings/{day:%Y/%m/%d}/{call_id.replace(':', '_')}/{recording_sid}.wav"


class Recordings:
    def __init__(self, calls: CallLog, store: RecordingStore, carrier: CarrierRecordings,
                 on_archived: Callable[[str], None] | None = None,
                 carrier_accounts: CarrierAccounts | None = None, retention: RecordingRetention | None = None) -> None:
        self._calls, self._store, self._carrier = calls, store, carrier
        self._on_archived = on_archived
        self._carrier_accounts = carrier_accounts or CarrierAccounts(None)
        # Without a tenant directory every recording gets the default retention class.
        self._retention = retention or RecordingRetention(None)

    def archive(self, call_id: str, recording_sid: str, account: str | None = None) -> str:
        """Copy one recording to S3, then delete the carrier's copy. Safe to repeat: a
        retried callback finds the object already there and only finishes the delete."""
        stored = self._calls.get(call_id)
        if stored is None:
            raise NotFound("no such call", code="unknown_call")
        tenant_id, call = stored
        account = account or self._carrier_accounts.of(tenant_id)
        key = recording_key(tenant_id, call_id, recording_sid, call.started_at)
        first_time = recording_sid not in call.recordings
        if not self._store.exists(key):
            audio = self._carrier.download_recording(recording_sid, account=account)
            # The tag names the tenant's retention class; the bucket's lifecycle rule for
            # that class expires it (ringback.calls.retention).
            self._store.put(key, audio, "audio/wav", self._retention.tags_for(tenant_id))
        self._calls.add_recording(call_id, recording_sid, key)
        if first_time and self._on_archived is not None:
            self._on_archived(call_id)
        # Only after the copy is safely stored: the carrier's copy is the only other one.
        self._carrier.delete_recording(recording_sid, account=account)
        return key

    def link(self, scope: TenantScope, call_id: str) -> list[str]:
        """Presigned links to a call's recordings, for a tenant allowed to read the call."""
        stored = self._calls.get(call_id)
        if stored is None or stored[0] not in scope.readable:
            raise NotFound("no such call", code="unknown_call")  # the same answer for another tenant's call
        keys = stored[1].recordings.values()
        if not keys:
            raise NotFound("this call has no recording", code="no_recording")
        return [self._store.presign(key, LINK_SECONDS) for key in sorted(keys)]
