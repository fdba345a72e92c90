"""A tenant erases one caller (DELETE /v1/callers/{number}) on the memory services: their
calls, recordings, callback requests and legs, texts and report rows go; other callers'
and other tenants' stay; the audit log says it happened without naming the number."""
import json
from urllib.parse import quote

import pytest

from ringback.accounts.sites import Site
from ringback.adapters.memory_erasure import MemoryErasableEventFiles
from ringback.analytics import schema
from ringback.analytics.changes import Change, phone_key
from ringback.analytics.erasure import CallerRows
from ringback.callbacks.model import CallbackLeg, CallbackRequest
from ringback.calls.alerts import Message
from ringback.calls.erasure import masked
from ringback.calls.log import CallSummary
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

NOW = 1_780_000_000_000
DAY = 86_400_000
ANNA, BORIS = "+14155550011", "+14155550022"


def add_call(svc, call_id, caller, tenant="shop", ago=DAY, alerts=()):
    svc.calls.add(tenant, CallSummary(call_id, f"s-{tenant}", "+14155550101", caller, NOW - ago, "answered", {}))
    key = f"tenants/{tenant}/recordings/{call_id}/RE{call_id}.wav"
    svc.recordings._store.put(key, b"RIFF", "audio/wav", {"retention-days": "90"})
    svc.calls.add_recording(call_id, f"RE{call_id}", key)
    for message_id in alerts:
        svc.alerts._messages.add(Message(message_id, "delivered", NOW, tenant, f"s-{tenant}", "missed_call",
                                         call_id=call_id, to="+14155550999", created_at=NOW))
        svc.calls.note_alert(call_id, message_id, {"to": "+14155550999", "status": "delivered", "rank": 3})
    return key


def add_request(svc, request_id, phone, tenant="shop"):
    request = CallbackRequest(request_id, tenant, f"s-{tenant}", phone, NOW - DAY, updated_at=NOW - DAY)
    request.move("accepted", NOW - DAY)
    request.recordings[f"RE{request_id}"] = f"tenants/{tenant}/recordings/callbacks/{request_id}.wav"
    store = svc.callbacks._store
    assert store.add(request)
    svc.recordings._store.put(request.recordings[f"RE{request_id}"], b"RIFF", "audio/wav")
    store.put_leg(CallbackLeg(request_id, "01#operator#01", "operator", "+14155550999", NOW - DAY))
    store.put_leg(CallbackLeg(request_id, "01#visitor#01", "visitor", phone, NOW - DAY))


def add_rows(svc, tenant, call_id, caller, request_id=None, seq=1):
    """The analytics rows the stream handler writes for a call (and a callback)."""
    changes = [Change("calls", "INSERT", str(seq), NOW, {
        "call_id": call_id, "tenant_id": tenant, "site_id": "s1", "tracking_number": "+14155550101",
        "caller": caller, "started_at": NOW - DAY, "status": "answered", "attribution": json.dumps({}),
        "outcome": json.dumps({})})]
    if request_id:
        changes.append(Change("callback_requests", "INSERT", str(seq + 1), NOW, {
            "request_id": request_id, "tenant_id": tenant, "site_id": "s1", "phone": caller,
            "created_at": NOW - DAY, "status": "accepted"}))
    svc.changes.record(changes)


def rows(svc, table):
    files = svc.changes._files
    return [row for key, found in files.files.items() if key.startswith(table.prefix) for row in found]


@pytest.fixture
def svc():
    with shop_and_other(NOW) as services:
        for tenant in ("shop", "other"):
            services.sites.save(Site(f"s-{tenant}", tenant, tenant.title(), f"pk_{tenant}",
                                     frozenset({f"{tenant}.test"})))
        yield services


def erase(number, user="u-admin", headers=None):
    status, body, _ = call_function("reports", "DELETE", f"/v1/callers/{quote(number)}", user, headers=headers)
    return status, body


def test_erasing_a_caller_removes_their_calls_recordings_callbacks_texts_and_report_rows(svc):
    anna_recording = add_call(svc, "a1", ANNA, alerts=("tw:SM1",))
    add_call(svc, "a2", ANNA, ago=2 * DAY)
    boris_recording = add_call(svc, "b1", BORIS, alerts=("tw:SM2",))
    add_request(svc, "r-anna", ANNA)
    add_request(svc, "r-boris", BORIS)
    # A text Anna sent to a tracking number.
    svc.alerts._messages.add(Message("tw:SMin", "received", NOW, "shop", "s-shop", "text_received",
                                     to="+14155550101", sender=ANNA, created_at=NOW))
    add_rows(svc, "shop", "a1", ANNA, "r-anna", seq=1)
    add_rows(svc, "shop", "b1", BORIS, "r-boris", seq=3)

    status, body = erase(ANNA)

    assert status == 200
    assert body["erased"] == {"calls": 2, "recordings": 3, "callbackRequests": 1, "callbackLegs": 2,
                              "messages": 2, "reportRows": 2}
    assert body["erasureId"].startswith("er_") and body["caller"] == masked(ANNA) and ANNA not in json.dumps(body)
    assert svc.calls.get("a1") is None and svc.calls.get("a2") is None
    assert not svc.recordings._store.exists(anna_recording)
    assert svc.callbacks._store.get("r-anna") is None and svc.callbacks._store.legs_of("r-anna") == []
    assert svc.alerts._messages.get("tw:SM1") is None and svc.alerts._messages.get("tw:SMin") is None
    assert [r["call_id"] for r in rows(svc, schema.CALLS)] == ["b1"]
    assert [r["request_id"] for r in rows(svc, schema.CALLBACKS)] == ["r-boris"]
    # Boris is untouched.
    assert svc.calls.get("b1") is not None and svc.recordings._store.exists(boris_recording)
    assert svc.callbacks._store.get("r-boris") is not None and len(svc.callbacks._store.legs_of("r-boris")) == 2
    assert svc.alerts._messages.get("tw:SM2") is not None


def test_the_audit_log_says_who_erased_a_caller_and_what_without_the_number(svc):
    add_call(svc, "a1", ANNA)
    _, erased = erase(ANNA)
    status, log = call_function("pool", "GET", "/v1/audit", "u-owner")[:2]
    assert status == 200
    [entry] = [e for e in log["entries"] if e["action"] == "caller.erased"]
    assert entry["actor"] == "user:u-admin" and entry["target"] == erased["erasureId"]
    assert entry["after"]["calls"] == 1 and entry["after"]["recordings"] == 1
    assert ANNA not in json.dumps(entry) and ANNA[2:] not in json.dumps(entry)


def test_a_second_erasure_finds_nothing_changes_nothing_and_is_not_audited(svc):
    add_call(svc, "a1", ANNA)
    add_call(svc, "b1", BORIS)
    assert erase(ANNA)[0] == 200
    status, again = erase(ANNA)
    assert status == 404 and again["error"]["code"] == "unknown_caller"
    assert svc.calls.get("b1") is not None
    log = call_function("pool", "GET", "/v1/audit", "u-owner")[1]
    assert [e["action"] for e in log["entries"]].count("caller.erased") == 1


def test_another_tenant_cannot_erase_the_shops_caller(svc):
    key = add_call(svc, "a1", ANNA)
    add_call(svc, "b1", BORIS)
    add_call(svc, "x1", ANNA, tenant="other")
    # Naming the shop from another tenant is refused; erasing in its own tenant touches
    # only its own call of that number.
    status, body = erase(ANNA, user="u-other", headers={"X-Tenant-Id": "shop"})
    assert status == 403 and body["error"]["code"] == "tenant_forbidden"
    status, body = erase(BORIS, user="u-other", headers={"X-Tenant-Id": "other"})
    assert status == 404  # the shop's caller is nobody the other tenant knows
    status, body = erase(ANNA, user="u-other")
    assert status == 200 and body["erased"]["calls"] == 1 and body["tenantId"] == "other"
    assert svc.calls.get("a1") is not None and svc.recordings._store.exists(key)
    assert svc.calls.get("x1") is None


def test_an_analyst_may_not_erase(svc):
    add_call(svc, "a1", ANNA)
    status, body = erase(ANNA, user="u-analyst")
    assert status == 403 and body["error"]["code"] == "role_forbidden"
    assert svc.calls.get("a1") is not None


@pytest.mark.parametrize("number", ["4155550011", "+1 415", "anna", "+0123456789"])
def test_a_number_not_in_e164_is_refused_before_anything_is_read(svc, number):
    status, body = erase(number)
    assert status == 400
    assert body["error"]["code"] == "invalid_number" and body["error"]["details"] == {"field": "number"}


def test_report_rows_are_matched_by_the_callers_key_on_every_day_of_the_tenant():
    files = MemoryErasableEventFiles()
    secret = "analytics-key"
    for day, caller, tenant in (("2026-01-01", ANNA, "t1"), ("2026-06-01", ANNA, "t1"),
                                ("2026-06-01", BORIS, "t1"), ("2026-06-01", ANNA, "t2")):
        files.write(schema.CALLS, tenant, day, f"{caller}-{tenant}.parquet",
                    [{"call_id": f"{day}-{caller}", "caller_key": phone_key(tenant, caller, secret)}])
    assert CallerRows(files, secret).erase("t1", ANNA) == 2
    left = sorted((key.split("/")[2], row["call_id"]) for key, found in files.files.items() for row in found)
    assert left == [("tenant_id=t1", f"2026-06-01-{BORIS}"), ("tenant_id=t2", f"2026-06-01-{ANNA}")]
    # The emptied files are gone, and their earlier versions with them.
    assert len(files.versions_forgotten) == 2


def test_a_change_still_in_the_stream_cannot_bring_an_erased_call_back():
    """The stream handler writes a call's last change after the sweep; the call's REMOVE,
    which the stream delivers after it, takes its rows with it. TTL's removals do not: the
    analytics bucket keeps its own retention."""
    from ringback.analytics.pipeline import ChangeLog

    files = MemoryErasableEventFiles()
    log = ChangeLog(files)
    item = {"call_id": "tw:CA1", "tenant_id": "t1", "site_id": "s1", "tracking_number": "+14155550101",
            "caller": ANNA, "started_at": NOW, "status": "answered", "attribution": "{}", "outcome": "{}"}
    other = {**item, "call_id": "tw:CA2", "caller": BORIS}
    log.record([Change("calls", "INSERT", "1", NOW, item), Change("calls", "INSERT", "2", NOW, other)])
    late = Change("calls", "MODIFY", "3", NOW, {**item, "status": "completed"}, item)
    log.record([late, Change("calls", "REMOVE", "4", NOW, None, {**item, "status": "completed"})])
    assert [r["call_id"] for found in files.files.values() for r in found] == ["tw:CA2"]
    log.record([Change("calls", "REMOVE", "5", NOW, None, other, by_ttl=True)])
    assert [r["call_id"] for found in files.files.values() for r in found] == ["tw:CA2"]


def test_a_stream_record_says_whether_ttl_or_the_product_removed_the_item():
    from ringback.adapters.dynamo_streams import change_from_record

    def record(**extra):
        return {"eventName": "REMOVE", "eventSourceARN": "arn:aws:dynamodb:r:1:table/ringback-prod-calls/stream/x",
                "dynamodb": {"SequenceNumber": "7", "ApproximateCreationDateTime": 1, "OldImage": {}}, **extra}

    ttl = record(userIdentity={"type": "Service", "principalId": "dynamodb.amazonaws.com"})
    assert change_from_record(ttl, "ringback-prod-").by_ttl is True
    assert change_from_record(record(), "ringback-prod-").by_ttl is False


def test_an_erasure_never_deletes_a_recording_outside_the_tenants_prefix(svc):
    add_call(svc, "a1", ANNA)
    elsewhere = "tenants/other/recordings/x1/REx1.wav"
    svc.recordings._store.put(elsewhere, b"RIFF", "audio/wav")
    svc.calls.add_recording("a1", "REforged", elsewhere)  # an item that names another tenant's object
    status, body = erase(ANNA)
    assert status == 200 and body["erased"]["recordings"] == 1
    assert svc.recordings._store.exists(elsewhere)
