"""DynamoDB adapters (PynamoDB) for the directory ports.

Tenants and members live in ringback.adapters.dynamo_accounts, with the other account
ports; pools, their numbers and routes, and the numbers in quarantine in
ringback.adapters.dynamo_pools.
"""
from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from pynamodb.exceptions import UpdateError

from ringback.accounts.sites import Site
from ringback.adapters.dynamo_pools import DynamoNumbers, DynamoPools, DynamoRouting  # noqa: F401 - as before
from ringback.adapters.dynamo_visits import DynamoVisits  # noqa: F401 - re-exported, as before
from ringback.adapters.dynamo_writes import applied  # noqa: F401 - as before: the other adapters' import
from ringback.adapters.tables import (
    CallbackLegRecord,
    CallbackRequestRecord,
    CallRecord,
    RateCounterRecord,
    SiteRecord,
)
from ringback.calls.leads import lead_of
from ringback.calls.log import CallSummary, Page
from ringback.calls.retention import callback_leg_retain_until
from ringback.errors import InvalidInput, PreconditionFailed


def keep_ranked_entry(record, key_attribute, map_attribute, key: str, entry: dict, more_actions=()) -> bool:
    """SET map.key = entry, only over an entry of a lower `rank` (writes about one text may
    land in any order) and only on an existing item. An item written before the map
    existed cannot take a nested SET (DynamoDB: the document path is invalid), so the
    map is created with this entry instead."""
    path = map_attribute[key]
    newer = path.does_not_exist() | (path["rank"] < entry["rank"])
    try:
        return applied(lambda: record.update(actions=[path.set(entry), *more_actions],
                                             condition=key_attribute.exists() & newer))
    except UpdateError as error:
        if error.cause_response_code != "ValidationException":
            raise
    return applied(lambda: record.update(actions=[map_attribute.set({key: entry}), *more_actions],
                                         condition=key_attribute.exists() & map_attribute.does_not_exist()))


def _site(record: SiteRecord) -> Site:
    return Site(
        site_id=record.site_id,
        tenant_id=record.tenant_id,
        name=record.name,
        site_key=record.site_key,
        domains=frozenset(record.domains or ()),
        own_numbers=tuple(record.own_numbers or ()),
        destination_numbers=tuple(record.destination_numbers or ()),
        alert_contacts=tuple(record.alert_contacts or ()),
        country=record.country,
        timezone=record.timezone,
        working_hours=record.working_hours or {},
        settings=record.settings or {},
        created_at=int(record.created_at),
        version=int(record.version or 0),
    )


def _stale() -> PreconditionFailed:
    return PreconditionFailed("the site changed since it was read: read it again", code="stale_version")


def _at_version(expected: int):
    same = SiteRecord.version == expected
    return same | SiteRecord.version.does_not_exist() if expected == 0 else same


class DynamoSites:
    def by_key(self, site_key: str) -> Site | None:
        # The GSI is eventually consistent: a site key rotated a moment ago may still
        # resolve for about a second, which is acceptable for a public, non-secret key.
        for record in SiteRecord.by_site_key.query(site_key, limit=1):
            return _site(record)
        return None

    def get(self, site_id: str) -> Site | None:
        try:
            return _site(SiteRecord.get(site_id))
        except SiteRecord.DoesNotExist:
            return None

    def for_tenant(self, tenant_id: str) -> list[Site]:
        return [_site(r) for r in SiteRecord.by_tenant.query(tenant_id)]

    def save(self, site: Site, expected_version: int | None = None) -> None:
        record = SiteRecord(
            site.site_id,
            tenant_id=site.tenant_id,
            name=site.name,
            site_key=site.site_key,
            domains=set(site.domains),
            own_numbers=list(site.own_numbers),
            destination_numbers=list(site.destination_numbers),
            alert_contacts=list(site.alert_contacts),
            country=site.country,
            timezone=site.timezone,
            working_hours=site.working_hours,
            settings=site.settings,
            created_at=site.created_at,
            version=site.version + 1,
        )
        condition = _at_version(expected_version) if expected_version is not None else None
        if not applied(lambda: record.save(condition=condition)):
            raise _stale()

    def delete(self, site_id: str, expected_version: int) -> None:
        if not applied(lambda: SiteRecord(site_id).delete(condition=_at_version(expected_version))):
            raise _stale()


def _encode_cursor(key: dict | None) -> str | None:
    return _encode_key(key) if key else None


def _encode_key(key: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def _decode_cursor(cursor: str | None) -> dict | None:
    if not cursor:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError:
        key = None
    if not isinstance(key, dict):
        raise InvalidInput("the cursor is not one this API issued", code="invalid_cursor")
    return key


def _call(r: CallRecord) -> CallSummary:
    return CallSummary(
        call_id=r.call_id,
        site_id=r.site_id,
        tracking_number=r.tracking_number,
        caller=r.caller,
        started_at=int(r.started_at),
        status=r.status,
        attribution=r.attribution or {},
        outcome=r.outcome or {},
        recordings=dict(r.recordings.as_dict()) if r.recordings else {},
        alerts=dict(r.alerts.as_dict()) if r.alerts else {},
        carrier_status=r.carrier_status,
        call_seconds=_int(r.call_seconds),
        lead=lead_of(r.lead),
        lead_version=_int(r.lead_version) or 0,
    )


class DynamoCallLog:
    def get(self, call_id: str) -> tuple[str, CallSummary] | None:
        try:
            record = CallRecord.get(call_id, consistent_read=True)
        except CallRecord.DoesNotExist:
            return None
        return record.tenant_id, _call(record)

    def finish(self, call_id: str, status: str, outcome: dict) -> bool:
        return applied(lambda: CallRecord(call_id).update(
            actions=[CallRecord.status.set(status), CallRecord.outcome.set(outcome)],
            condition=CallRecord.status.is_in("ringing", "abandoned"),
        ))

    def record_end(self, call_id: str, carrier_status: str, call_seconds: int) -> bool:
        # Attributes apart from status and outcome, so the <Dial> action's write and this
        # one never undo each other, whichever lands first.
        kept = applied(lambda: CallRecord(call_id).update(
            actions=[CallRecord.carrier_status.set(carrier_status), CallRecord.call_seconds.set(call_seconds)],
            condition=CallRecord.call_id.exists() & CallRecord.carrier_status.does_not_exist(),
        ))
        if kept:
            applied(lambda: CallRecord(call_id).update(actions=[CallRecord.status.set("abandoned")],
                                                       condition=CallRecord.status == "ringing"))
        return kept

    def note_alert(self, call_id: str, message_id: str, alert: dict) -> None:
        keep_ranked_entry(CallRecord(call_id), CallRecord.call_id, CallRecord.alerts, message_id, alert)

    def add_recording(self, call_id: str, recording_sid: str, key: str) -> None:
        CallRecord(call_id).update(actions=[CallRecord.recordings[recording_sid].set(key)],
                                   condition=CallRecord.call_id.exists())

    def annotate(self, call_id: str, outcome: dict) -> None:
        CallRecord(call_id).update(actions=[CallRecord.outcome.set(outcome)], condition=CallRecord.call_id.exists())

    def has_caller(self, tenant_id: str, caller: str) -> bool:
        return any(True for _ in CallRecord.by_tenant_caller.query(f"{tenant_id}#{caller}", limit=1))

    def previous_calls(self, tenant_id: str, caller: str, before_ms: int, limit: int = 10) -> list[CallSummary]:
        # One Query of the index, which projects what attribution weighs (the number
        # called, the attribution); the outcome and the rest stay on the call item.
        return [_call(r) for r in CallRecord.by_tenant_caller.query(
            f"{tenant_id}#{caller}", CallRecord.started_at < before_ms,
            scan_index_forward=False, limit=limit, page_size=limit,
        )]

    def of_caller(self, tenant_id: str, caller: str, limit: int) -> list[CallSummary]:
        # The index projects too little for the card (no outcome, no lead), and a GSI's
        # projection cannot change in place: its keys, then the whole items in one batch.
        keys = [r.call_id for r in CallRecord.by_tenant_caller.query(
            f"{tenant_id}#{caller}", scan_index_forward=False, limit=limit, page_size=limit)]
        calls = [_call(r) for r in CallRecord.batch_get(keys)] if keys else []
        return sorted(calls, key=lambda c: (c.started_at, c.call_id), reverse=True)

    def set_lead(self, call_id: str, lead: dict, expected_version: int) -> bool:
        same = CallRecord.lead_version == expected_version
        at_version = same | CallRecord.lead_version.does_not_exist() if expected_version == 0 else same
        return applied(lambda: CallRecord(call_id).update(
            actions=[CallRecord.lead.set(lead), CallRecord.lead_version.set(expected_version + 1)],
            condition=CallRecord.call_id.exists() & at_version,
        ))

    def cursor_after(self, tenant_id: str, call: CallSummary) -> str:
        # by_tenant_time's LastEvaluatedKey: the table's key and the index's.
        return _encode_key({"call_id": {"S": call.call_id}, "tenant_id": {"S": tenant_id},
                               "started_at": {"N": str(call.started_at)}})

    def add(self, tenant_id: str, call: CallSummary, retain_until_ms: int | None = None) -> bool:
        record = CallRecord(
            call.call_id,
            tenant_id=tenant_id,
            site_id=call.site_id,
            tracking_number=call.tracking_number,
            caller=call.caller,
            tenant_caller=f"{tenant_id}#{call.caller}",
            started_at=call.started_at,
            status=call.status,
            attribution=call.attribution,
            outcome=call.outcome,
            retain_until=None if retain_until_ms is None
            else datetime.fromtimestamp(retain_until_ms / 1000, tz=UTC),
        )
        return applied(lambda: record.save(condition=CallRecord.call_id.does_not_exist()))

    def between(self, tenant_id: str, start_ms: int, end_ms: int, limit: int, cursor: str | None) -> Page[CallSummary]:
        last_key = _decode_cursor(cursor)
        if last_key and last_key.get("tenant_id", {}).get("S") != tenant_id:
            # A cursor carries its tenant; replaying another tenant's cursor reads nothing of theirs.
            raise InvalidInput("the cursor is not one this API issued", code="invalid_cursor")
        result = CallRecord.by_tenant_time.query(
            tenant_id,
            CallRecord.started_at.between(start_ms, end_ms - 1),
            scan_index_forward=False,
            limit=limit,
            last_evaluated_key=last_key,
        )
        items = [_call(r) for r in result]
        return Page(items=items, cursor=_encode_cursor(result.last_evaluated_key))


class DynamoRateCounter:
    def hit(self, bucket: str, expires_at_ms: int) -> int:
        record = RateCounterRecord(bucket)
        # One atomic ADD; the TTL removes the bucket after its window.
        record.update(
            actions=[
                RateCounterRecord.hits.add(1),
                RateCounterRecord.expire_after.set(datetime.fromtimestamp(expires_at_ms / 1000, tz=UTC)),
            ]
        )
        return int(record.hits)


class DynamoCallbacks:
    """Callback requests and their legs (ringback.callbacks.model.CallbackStore)."""

    def add(self, request) -> bool:
        record = _callback_record(request, version=1)
        return applied(lambda: record.save(condition=CallbackRequestRecord.request_id.does_not_exist()))

    def get(self, request_id: str):
        try:
            return _callback(CallbackRequestRecord.get(request_id, consistent_read=True))
        except CallbackRequestRecord.DoesNotExist:
            return None

    def save(self, request) -> bool:
        record = _callback_record(request, version=request.version + 1)
        return applied(lambda: record.save(condition=CallbackRequestRecord.version == request.version))

    def recent_for_phone(self, site_phone: str, since_ms: int) -> str | None:
        for record in CallbackRequestRecord.by_site_phone.query(
            site_phone, CallbackRequestRecord.created_at >= since_ms, scan_index_forward=False, limit=1
        ):
            return record.request_id
        return None

    def for_tenant(self, tenant_id: str, start_ms: int, end_ms: int, limit: int, cursor: str | None) -> Page:
        last_key = _decode_cursor(cursor)
        if last_key and last_key.get("tenant_id", {}).get("S") != tenant_id:
            raise InvalidInput("the cursor is not one this API issued", code="invalid_cursor")
        result = CallbackRequestRecord.by_tenant_time.query(
            tenant_id, CallbackRequestRecord.created_at.between(start_ms, end_ms - 1),
            scan_index_forward=False, limit=limit, last_evaluated_key=last_key,
        )
        items = [_callback(r) for r in result]
        return Page(items=items, cursor=_encode_cursor(result.last_evaluated_key))

    def put_leg(self, leg) -> None:
        CallbackLegRecord(
            leg.request_id, leg.leg, call_id=leg.call_id, role=leg.role, number=leg.number, status=leg.status,
            started_at=leg.started_at, answered_at=leg.answered_at, ring_seconds=leg.ring_seconds,
            talk_seconds=leg.talk_seconds, error_code=leg.error_code,
            retain_until=datetime.fromtimestamp(callback_leg_retain_until(leg.started_at) / 1000, tz=UTC),
        ).save()

    def legs_of(self, request_id: str) -> list:
        from ringback.callbacks.model import CallbackLeg

        return [
            CallbackLeg(r.request_id, r.leg, r.role, r.number, int(r.started_at), r.call_id, r.status,
                        _int(r.ring_seconds), _int(r.talk_seconds), _int(r.answered_at), r.error_code)
            for r in CallbackLegRecord.query(request_id, consistent_read=True)
        ]

    def note_alert(self, request_id: str, message_id: str, alert: dict) -> None:
        # The version moves too: a read-modify-write that read before this lands fails its
        # condition and reads again, so it cannot put the request back without the alert.
        keep_ranked_entry(CallbackRequestRecord(request_id), CallbackRequestRecord.request_id,
                          CallbackRequestRecord.alerts, message_id, alert,
                          (CallbackRequestRecord.version.add(1),))


def _int(value) -> int | None:
    return None if value is None else int(value)


def _callback_record(request, version: int) -> CallbackRequestRecord:
    return CallbackRequestRecord(
        request.request_id, tenant_id=request.tenant_id, site_id=request.site_id, session_id=request.session_id,
        phone=request.phone, site_phone=request.site_phone, created_at=request.created_at,
        updated_at=request.updated_at, scheduled_for=request.scheduled_for, retry_at=request.retry_at,
        status=request.status, rounds=request.rounds, pending=request.pending, transitions=request.transitions,
        attribution=request.attribution, outcome=request.outcome, recordings=dict(request.recordings),
        alerts=dict(request.alerts), locale=request.locale, retries=request.retries, version=version,
        retain_until=None if request.retain_until is None
        else datetime.fromtimestamp(request.retain_until / 1000, tz=UTC),
    )


def _callback(r: CallbackRequestRecord):
    from ringback.callbacks.model import CallbackRequest

    return CallbackRequest(
        request_id=r.request_id, tenant_id=r.tenant_id, site_id=r.site_id, phone=r.phone,
        created_at=int(r.created_at), session_id=r.session_id, status=r.status,
        scheduled_for=_int(r.scheduled_for), retry_at=_int(r.retry_at), rounds=list(r.rounds or []),
        pending=r.pending, transitions=list(r.transitions or []), attribution=dict(r.attribution or {}),
        outcome=dict(r.outcome or {}), recordings=dict(r.recordings.as_dict()) if r.recordings else {},
        alerts=dict(r.alerts.as_dict()) if r.alerts else {}, locale=r.locale, version=int(r.version),
        updated_at=int(r.updated_at or 0), retries=list(r.retries or []),
        retain_until=int(r.retain_until.timestamp() * 1000) if r.retain_until else None,
    )
