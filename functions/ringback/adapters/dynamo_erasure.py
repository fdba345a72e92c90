"""One caller's items in the operational tables (ringback.calls.erasure.CallerRecords).

Each lookup is a Query of an index keyed by the tenant (or by one of its sites) and the
number, so nothing of another tenant is read, and nothing is scanned. Deletes are
unconditional (deleting what is gone already is what a repeated erasure does) and one
DeleteItem each: the role may delete, and BatchWriteItem would let it put as well.
"""
from __future__ import annotations

from collections.abc import Iterable

from ringback.adapters.tables import (
    CallbackLegRecord,
    CallbackRequestRecord,
    CallRecord,
    MessageRecord,
)
from ringback.calls.erasure import ErasableCall, ErasableRequest


def _keys(attribute) -> tuple[str, ...]:
    return tuple(sorted((attribute.as_dict() if attribute else {}).values()))


def _ids(attribute) -> tuple[str, ...]:
    return tuple(sorted((attribute.as_dict() if attribute else {}).keys()))


class DynamoCallerRecords:
    def calls_of(self, tenant_id: str, caller: str) -> list[ErasableCall]:
        # The index projects no recordings or alerts: its keys, then the items.
        ids = [r.call_id for r in CallRecord.by_tenant_caller.query(f"{tenant_id}#{caller}")]
        found = []
        for record in CallRecord.batch_get(ids) if ids else ():
            if record.tenant_id == tenant_id:
                found.append(ErasableCall(record.call_id, _keys(record.recordings), _ids(record.alerts)))
        return sorted(found, key=lambda call: call.call_id)

    def callback_requests_of(self, tenant_id: str, site_ids: Iterable[str], phone: str) -> list[ErasableRequest]:
        ids = [r.request_id for site_id in site_ids
               for r in CallbackRequestRecord.by_site_phone.query(f"{site_id}#{phone}")]
        found = []
        for record in CallbackRequestRecord.batch_get(ids) if ids else ():
            if record.tenant_id == tenant_id and record.phone == phone:
                found.append(ErasableRequest(record.request_id, _keys(record.recordings), _ids(record.alerts)))
        return sorted(found, key=lambda request: request.request_id)

    def texts_from(self, tenant_id: str, sender: str) -> list[str]:
        return sorted(r.message_id for r in MessageRecord.by_tenant_sender.query(f"{tenant_id}#{sender}"))

    def delete_messages(self, message_ids: Iterable[str]) -> int:
        ids = list(message_ids)
        present = [r.message_id for r in MessageRecord.batch_get(ids)] if ids else []
        for message_id in present:
            MessageRecord(message_id).delete()
        return len(present)

    def delete_callback_request(self, request_id: str) -> int:
        legs = list(CallbackLegRecord.query(request_id, consistent_read=True))
        for leg in legs:
            leg.delete()
        CallbackRequestRecord(request_id).delete()
        return len(legs)

    def delete_call(self, call_id: str) -> None:
        CallRecord(call_id).delete()
