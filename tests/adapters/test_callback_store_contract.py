"""The callback store's contract, for the in-memory fake and the DynamoDB adapter alike."""
import pytest

from ringback.adapters import dynamo, memory
from ringback.callbacks.model import CallbackLeg, CallbackRequest


@pytest.fixture(params=["memory", "dynamodb"])
def store(request):
    if request.param == "memory":
        return memory.MemoryCallbacks()
    request.getfixturevalue("local_aws")
    return dynamo.DynamoCallbacks()


def new_request(uid, n=0, phone="+14155550123", tenant=None, created_at=1_800_000_000_000):
    return CallbackRequest(request_id=uid(f"cb{n}"), tenant_id=tenant or uid("tenant"), site_id=uid("site"),
                           phone=phone, created_at=created_at + n, attribution={"source": "google"})


def test_a_request_is_added_once_and_read_back_whole(store, uid):
    request = new_request(uid)
    request.move("accepted", request.created_at, page="https://example.com/")
    assert store.add(request)
    assert not store.add(request)
    stored = store.get(request.request_id)
    assert stored.phone == "+14155550123" and stored.version == 1
    assert stored.transitions == [{"status": "accepted", "at": request.created_at, "page": "https://example.com/"}]
    assert stored.attribution == {"source": "google"} and stored.pending is None
    assert store.get(uid("missing")) is None


def test_a_save_wins_only_over_the_version_it_read(store, uid):
    request = new_request(uid)
    store.add(request)
    first, second = store.get(request.request_id), store.get(request.request_id)
    first.pending = {"round": 1, "leg_seq": 0, "token": "t", "operator_leg": None, "answered": None}
    assert store.save(first)
    second.status = "failed"
    assert not store.save(second)  # it read version 1; the store is at 2 now
    stored = store.get(request.request_id)
    assert stored.version == 2 and stored.pending["token"] == "t" and stored.status == "accepted"


def test_a_members_retry_is_kept_with_the_request(store, uid):
    request = new_request(uid)
    store.add(request)
    reopened = store.get(request.request_id)
    assert reopened.retries == []
    reopened.retries.append({"attempt": 1, "at": 5, "by": "user:u1", "key": "dash-0001", "after": "missed",
                             "outcome": {"result": "visitor_no_answer"}, "rounds_before": 3, "round_base": 3})
    assert store.save(reopened)
    stored = store.get(request.request_id)
    assert stored.retries == reopened.retries and stored.attempt == 1 and stored.series == (3, 3)


def test_the_latest_request_for_a_phone_is_found_within_a_window(store, uid):
    tenant = uid("tenant")
    older = new_request(uid, 0, tenant=tenant)
    newer = new_request(uid, 1, tenant=tenant)
    newer.site_id = older.site_id
    store.add(older), store.add(newer)
    assert store.recent_for_phone(older.site_phone, older.created_at) == newer.request_id
    assert store.recent_for_phone(older.site_phone, newer.created_at + 1) is None
    assert store.recent_for_phone(f"{older.site_id}#+14155550999", 0) is None


def test_a_tenants_requests_page_newest_first(store, uid):
    tenant = uid("tenant")
    for n in range(5):
        store.add(new_request(uid, n, tenant=tenant))
    first = store.for_tenant(tenant, 0, 2_000_000_000_000, 3, None)
    assert [r.created_at for r in first.items] == [1_800_000_000_004, 1_800_000_000_003, 1_800_000_000_002]
    rest = store.for_tenant(tenant, 0, 2_000_000_000_000, 3, first.cursor)
    assert [r.created_at for r in rest.items] == [1_800_000_000_001, 1_800_000_000_000]
    assert store.for_tenant(uid("other"), 0, 2_000_000_000_000, 3, None).items == []


def test_legs_are_kept_per_request_and_replaced_by_key(store, uid):
    rid = uid("cb")
    store.put_leg(CallbackLeg(rid, "01#operator#00", "operator", "+14155550199", 1))
    store.put_leg(CallbackLeg(rid, "01#visitor#00", "visitor", "+14155550123", 2))
    store.put_leg(CallbackLeg(rid, "01#operator#00", "operator", "+14155550199", 1, "CA1", "completed", 6, 40, 7))
    legs = store.legs_of(rid)
    assert [(leg.leg, leg.status, leg.call_id) for leg in legs] == [
        ("01#operator#00", "completed", "CA1"), ("01#visitor#00", "queued", None)]
    assert (legs[0].ring_seconds, legs[0].talk_seconds, legs[0].answered_at) == (6, 40, 7)
    assert store.legs_of(uid("other")) == []


def test_an_alert_is_noted_forward_only_and_counts_as_a_write(store, uid):
    request = new_request(uid)
    store.add(request)
    stale = store.get(request.request_id)
    entry = {"to": "+14155550198", "from": "+14155550150", "error_code": None, "at": 1}
    store.note_alert(request.request_id, "tw:SM1", {**entry, "status": "sent", "rank": 2})
    store.note_alert(request.request_id, "tw:SM1", {**entry, "status": "queued", "rank": 0})
    stored = store.get(request.request_id)
    assert stored.alerts == {"tw:SM1": {**entry, "status": "sent", "rank": 2}} and stored.version == 2
    stale.status = "failed"
    assert not store.save(stale)  # it read before the alert was noted
    stored.status = "failed"
    assert store.save(stored) and store.get(request.request_id).alerts["tw:SM1"]["status"] == "sent"


def test_the_whisper_an_operator_heard_is_kept_on_the_round_and_a_stale_save_cannot_drop_it(store, uid):
    request = new_request(uid)
    store.add(request)
    heard = "Callback request from Café Ünïcode. Page /call/415-555-0134. " + "x" * 400
    answered, stale = store.get(request.request_id), store.get(request.request_id)
    answered.pending = {"round": 1, "leg_seq": 0, "token": "t", "operator_leg": "01#operator#00",
                        "answered": None, "whisper": heard}
    answered.rounds = [{"round": 0, "leg_seq": 0, "result": "operator_no_answer", "at": 1, "whisper": None}]
    assert store.save(answered)
    stale.pending = {"round": 1, "leg_seq": 0, "token": "t", "operator_leg": None, "answered": None}
    assert not store.save(stale)  # read before the whisper was written: refused, nothing lost
    stored = store.get(request.request_id)
    assert stored.pending["whisper"] == heard and stored.whisper == heard
    assert stored.as_json()["rounds"][0]["whisper"] is None
