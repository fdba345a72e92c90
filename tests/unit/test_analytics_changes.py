"""A table change becomes one analytics row: what each source table's row says, where it
is partitioned, and that no phone number reaches it."""
import json

import pytest

from ringback.analytics import schema
from ringback.analytics.changes import Change, UnusableChange, phone_key, to_row
from ringback.callbacks.model import CallbackRequest

# 2026-11-03 23:59:59.000 UTC: the day a report groups by is the UTC day the entity began.
STARTED = 1_793_750_399_000
NEXT_DAY = STARTED + 2_000


def change(source, new, seq="1100000000017454423009", event="INSERT", old=None):
    return Change(source, event, seq, NEXT_DAY, new, old)


def visit_item(**extra):
    return {
        "session_id": "sess-1", "tenant_id": "t1", "site_id": "s1", "client_id": "client-0001",
        "visitor_key": "s1#client-0001", "started_at": STARTED, "last_seen_at": STARTED + 60_000,
        "utm": {"source": "google", "medium": "cpc", "campaign": "winter", "term": "boiler repair"},
        "gclid": "gc-1", "referrer": "https://www.google.com/", "referrer_domain": "google.com",
        "landing_page": "/boilers", "keyword": "boiler repair",
        "region": {"country": "US", "region": "CA", "city": "San Francisco"}, "pages_viewed": 3,
        "shown_lines": ["+14155550101"], "clicks": [], "retain_until": 1_900_000_000, **extra,
    }


GOOGLE_CPC = {"source": "google", "medium": "cpc", "campaign": "winter", "keyword": "boiler repair",
              "landing_page": "/boilers"}


def touch(session_id, at, **source):
    return {"session_id": session_id, "at": at, **{"campaign": None, "keyword": None, "landing_page": "/", **source}}


def attribution_json(**extra):
    """A call's attribution as InboundCalls stores it (docs: the call attribution JSON)."""
    return {
        "method": "ranked", "session_id": "sess-1", "visitor_key": "s1#client-0001", "confidence": 0.77,
        "level": "medium", **GOOGLE_CPC, "gclid": "gc-1", "yclid": None,
        "runner_up": {"session_id": "sess-2", "visitor_key": "s1#client-0002", "probability": 0.2,
                      "reasons": ["shown"]},
        "candidates": [
            {"session_id": "sess-1", "visitor_key": "s1#client-0001", "probability": 0.77, "reasons": ["held"]},
            {"session_id": "sess-2", "visitor_key": "s1#client-0002", "probability": 0.2, "reasons": ["shown"]},
        ],
        "code": {"entered": None, "valid": None, "matched": None},
        "first_touch": touch("sess-0", STARTED - 9 * 86_400_000, source="bing", medium="cpc", campaign="autumn",
                             keyword="boiler", landing_page="/offers"),
        "last_touch": touch("sess-1", STARTED - 600_000, **GOOGLE_CPC),
        "first_time_caller": True, "caller_country": "US", "caller_region": "California", **extra,
    }


def call_item(attribution=None, **extra):
    return {
        "call_id": "tw:CA1", "tenant_id": "t1", "site_id": "s1", "tracking_number": "+14155550101",
        "caller": "+14155550011", "tenant_caller": "t1#+14155550011", "started_at": STARTED,
        "status": "answered",
        "attribution": attribution if isinstance(attribution, str) else json.dumps(attribution or attribution_json()),
        "outcome": json.dumps({"ring_seconds": 4, "talk_seconds": 20, "recording_sid": "RE1"}),
        "recordings": {"RE1": "tenants/t1/recordings/x.wav"}, **extra,
    }


# A call stored before journeys and calibrated confidence: the attribution then had no
# candidates, touches or level, and a runner-up only when another session held the line.
BEFORE_JOURNEYS = {"method": "lease", "session_id": "sess-1", "confidence": 0.77, **GOOGLE_CPC, "gclid": "gc-1",
                   "yclid": None, "runner_up": {"session_id": "sess-2", "score": 0.3, "reasons": ["late"]},
                   "first_time_caller": True, "caller_country": "US", "caller_region": "California"}


def callback_item(request: CallbackRequest):
    return {
        "request_id": request.request_id, "tenant_id": request.tenant_id, "site_id": request.site_id,
        "session_id": request.session_id, "phone": request.phone, "site_phone": request.site_phone,
        "created_at": request.created_at, "updated_at": request.updated_at, "status": request.status,
        "rounds": json.dumps(request.rounds), "pending": json.dumps(request.pending),
        "transitions": json.dumps(request.transitions), "attribution": json.dumps(request.attribution),
        "outcome": json.dumps(request.outcome), "version": 4,
    }


def test_a_session_row_carries_the_visits_source_and_region_on_its_start_day():
    table, row = to_row(change("visits", visit_item()))
    assert table is schema.SESSIONS
    assert row["tenant_id"] == "t1" and row["dt"] == "2026-11-03"
    assert row["session_id"] == "sess-1" and row["visitor_id"] == "client-0001"
    assert (row["source"], row["medium"], row["campaign"], row["keyword"]) == ("google", "cpc", "winter",
                                                                               "boiler repair")
    assert (row["country"], row["region"], row["city"]) == ("US", "CA", "San Francisco")
    assert row["pages_viewed"] == 3 and row["last_seen_at"] == STARTED + 60_000


def test_a_session_without_utm_is_attributed_as_the_call_log_would():
    _, row = to_row(change("visits", visit_item(utm={}, referrer_domain=None, keyword=None)))
    assert (row["source"], row["medium"]) == ("direct", "none")


def test_a_lease_row_names_its_line_number_and_holder():
    item = {"line": "+14155550101,123", "started": f"{STARTED:013d}#sess-1", "session_id": "sess-1",
            "tenant_id": "t1", "pool_id": "p1", "visitor_key": "s1#client-0001", "started_at": STARTED,
            "ended_at": STARTED + 900_000, "shared": True, "retain_until": 1_900_000_000}
    table, row = to_row(change("lease_history", item, event="MODIFY", old=item))
    assert table is schema.LEASES
    assert row["line"] == "+14155550101,123" and row["number"] == "+14155550101"
    assert row["lease_started"] == f"{STARTED:013d}#sess-1" and row["pool_id"] == "p1"
    assert row["ended_at"] == STARTED + 900_000 and row["shared"] is True
    assert row["event_name"] == "MODIFY" and row["dt"] == "2026-11-03"


def test_a_call_row_carries_outcome_attribution_and_a_caller_key_but_no_number():
    table, row = to_row(change("calls", call_item()))
    assert table is schema.CALLS
    assert row["status"] == "answered" and row["answered"] is True
    assert row["attribution_method"] == "ranked" and row["session_id"] == "sess-1" and row["confidence"] == 0.77
    assert row["confidence_level"] == "medium"
    assert row["shared_line"] is False  # the runner-up was shown the number days ago, not holding it now
    assert (row["source"], row["campaign"], row["landing_page"]) == ("google", "winter", "/boilers")
    assert row["first_time_caller"] is True and row["caller_country"] == "US"
    assert (row["ring_seconds"], row["talk_seconds"]) == (4, 20)
    assert row["caller_key"] == phone_key("t1", "+14155550011") and len(row["caller_key"]) == 32
    assert "+14155550011" not in json.dumps(row) and "4155550011" not in json.dumps(row)


def test_a_call_row_counts_its_alert_texts_and_keeps_the_carriers_duration():
    alerts = {
        "tw:SM2": {"to": "+14155550198", "from": "+14155550101", "status": "failed", "error_code": "30003",
                   "rank": 3},
        "tw:SM1": {"to": "+14155550197", "from": "+14155550101", "status": "delivered", "error_code": None,
                   "rank": 3},
        "tw:SM3": {"to": "+14155550196", "from": "+14155550101", "status": "undelivered", "error_code": "30005",
                   "rank": 3},
    }
    table, row = to_row(change("calls", call_item(status="no-answer", alerts=alerts, call_seconds=41,
                                                  carrier_status="completed")))
    assert table.version == 4
    assert (row["alerts_sent"], row["alerts_delivered"], row["alerts_failed"]) == (3, 1, 2)
    assert row["alert_error_code"] == "30003" and row["call_seconds"] == 41  # the first failure, by message id
    assert "4155550198" not in json.dumps(row)  # the contacts' numbers stay out too


def test_a_call_without_texts_counts_none():
    _, row = to_row(change("calls", call_item()))
    assert (row["alerts_sent"], row["alerts_failed"], row["alert_error_code"], row["call_seconds"]) == (
        0, 0, None, None)


def test_a_ringing_call_is_not_answered_and_has_no_durations_yet():
    _, row = to_row(change("calls", call_item(status="ringing", outcome="{}",
                                              attribution=json.dumps({"method": "unattributed",
                                                                      "session_id": None, "confidence": 0.0}))))
    assert row["answered"] is False and row["ring_seconds"] is None and row["talk_seconds"] is None
    assert row["attribution_method"] == "unattributed" and row["shared_line"] is False
    assert row["source"] is None


def test_a_call_row_keeps_the_journeys_first_and_last_touch_beside_the_attributed_visit():
    _, row = to_row(change("calls", call_item()))
    assert (row["source"], row["medium"], row["campaign"]) == ("google", "cpc", "winter")
    assert {k: row[f"first_touch_{k}"] for k in ("source", "medium", "campaign", "keyword", "landing_page")} == {
        "source": "bing", "medium": "cpc", "campaign": "autumn", "keyword": "boiler", "landing_page": "/offers"}
    assert {k: row[f"last_touch_{k}"] for k in ("source", "medium", "campaign", "keyword", "landing_page")} == {
        "source": "google", "medium": "cpc", "campaign": "winter", "keyword": "boiler repair",
        "landing_page": "/boilers"}


def test_an_unattributed_call_has_no_touches_and_no_level():
    unattributed = attribution_json(method="unattributed", session_id=None, visitor_key=None, confidence=0.31,
                                    level=None, first_touch=None, last_touch=None, runner_up=None,
                                    **{k: None for k in ("source", "medium", "campaign", "keyword", "landing_page",
                                                         "gclid")})
    _, row = to_row(change("calls", call_item(unattributed)))
    assert row["attribution_method"] == "unattributed" and row["confidence_level"] is None
    assert all(row[f"{end}_touch_{k}"] is None for end in ("first", "last")
               for k in ("source", "medium", "campaign", "keyword", "landing_page"))


def test_a_static_numbers_channel_is_its_calls_first_and_last_touch():
    static = {"method": "static", "session_id": None, "confidence": 1.0, "level": "high", "source": "yellowpages",
              "medium": "directory", "campaign": None, "keyword": None, "landing_page": None,
              "first_touch": None, "last_touch": None}
    _, row = to_row(change("calls", call_item(static)))
    assert (row["first_touch_source"], row["first_touch_medium"]) == ("yellowpages", "directory")
    assert (row["last_touch_source"], row["last_touch_medium"]) == ("yellowpages", "directory")
    assert row["confidence_level"] == "high"


def test_a_call_stored_before_journeys_reads_null_touches_and_keeps_its_old_meaning():
    _, row = to_row(change("calls", call_item(BEFORE_JOURNEYS)))
    assert row["first_touch_source"] is None and row["last_touch_source"] is None
    assert row["confidence_level"] is None
    assert (row["attribution_method"], row["source"], row["confidence"]) == ("lease", "google", 0.77)
    assert row["shared_line"] is True  # then, a runner-up held the line too


@pytest.mark.parametrize("reasons,shared", [
    ([["held"], ["shown"]], False),
    ([["held", "shared"], ["shown"]], True),  # the holder got the line as a flagged share
    ([["held", "tapped"], ["held"]], True),  # two holders at the call
    ([["shown", "shared"], ["held"]], False),  # shared days ago, not at the call
    ([], False),
])
def test_a_call_was_on_a_shared_line_when_the_line_had_two_holders_at_the_call(reasons, shared):
    candidates = [{"session_id": f"sess-{i}", "visitor_key": f"s1#c{i}", "probability": 0.1, "reasons": r}
                  for i, r in enumerate(reasons)]
    _, row = to_row(change("calls", call_item(attribution_json(candidates=candidates))))
    assert row["shared_line"] is shared


def test_a_caller_key_differs_between_tenants_and_matches_the_callback_phone_key():
    assert phone_key("t1", "+14155550011") != phone_key("t2", "+14155550011")
    assert phone_key("t1", "+14155550011") == phone_key("t1", "+14155550011")
    assert phone_key("t1", None) is None


def test_a_callback_row_reads_its_milestones_from_the_transitions():
    request = CallbackRequest("cb-1", "t1", "s1", "+14155550123", STARTED, session_id="sess-1",
                              attribution={"method": "session", "session_id": "sess-1", "source": "google",
                                           "medium": "cpc", "campaign": "winter", "keyword": None})
    request.move("accepted", STARTED)
    request.move("calling_operator", STARTED + 1_000, round=1)
    request.move("calling_visitor", STARTED + 5_000, round=1)
    request.move("connected", STARTED + 9_000, round=1)
    request.move("completed", STARTED + 60_000, reason="connected")
    request.rounds = [{"round": 1, "leg_seq": 1, "result": "connected", "at": STARTED + 9_000}]
    request.outcome = {"result": "connected", "rounds": 1, "talk_seconds": 51}
    table, row = to_row(change("callback_requests", callback_item(request), event="MODIFY"))
    assert table is schema.CALLBACKS
    assert row["status"] == "completed" and row["rounds"] == 1 and row["talk_seconds"] == 51
    assert row["operator_answered_at"] == STARTED + 5_000 and row["visitor_answered_at"] == STARTED + 9_000
    assert row["ended_at"] == STARTED + 60_000
    assert (row["source"], row["medium"], row["session_id"]) == ("google", "cpc", "sess-1")
    assert row["phone_key"] == phone_key("t1", "+14155550123") and "+14155550123" not in json.dumps(row)


def test_an_open_callback_has_no_end_and_no_answer_yet():
    request = CallbackRequest("cb-2", "t1", "s1", "+14155550123", STARTED)
    request.move("accepted", STARTED)
    request.move("calling_operator", STARTED + 1_000, round=1)
    _, row = to_row(change("callback_requests", callback_item(request)))
    assert row["ended_at"] is None and row["operator_answered_at"] is None and row["rounds"] == 0
    assert row["talk_seconds"] is None and row["source"] is None


def test_every_row_has_exactly_the_tables_columns_its_change_and_its_partition():
    for source, item in (("visits", visit_item()), ("calls", call_item())):
        table, row = to_row(change(source, item))
        assert set(row) == {name for name, _ in table.all_columns} | {"tenant_id", "dt"}
        assert row["schema_version"] == table.version and row["event_at"] == NEXT_DAY


def test_sequence_numbers_are_padded_so_string_order_is_numeric_order():
    short, long = change("calls", call_item(), seq="999999999999999999999"), change(
        "calls", call_item(), seq="1000000000000000000000")
    assert int(short.sequence_number) < int(long.sequence_number)
    assert to_row(short)[1]["event_seq"] < to_row(long)[1]["event_seq"]
    assert len(to_row(short)[1]["event_seq"]) == 40


def test_a_ttl_removal_and_an_unkept_table_write_nothing():
    assert to_row(change("calls", None, event="REMOVE", old=call_item())) is None
    assert to_row(change("callback_legs", {"request_id": "cb-1", "leg": "01#operator#00"})) is None


def test_a_change_without_tenant_or_start_cannot_be_used():
    with pytest.raises(UnusableChange):
        to_row(change("calls", call_item(tenant_id=None)))
    with pytest.raises(UnusableChange):
        to_row(change("calls", call_item(started_at=None)))
    with pytest.raises(UnusableChange):
        to_row(change("calls", call_item(), seq="not-a-number"))


def test_the_deployments_analytics_key_keys_callers_too():
    from ringback.analytics.changes import phone_key

    plain, keyed = phone_key("t1", "+14155550123"), phone_key("t1", "+14155550123", "deployment-key")
    assert keyed != plain and keyed == phone_key("t1", "+14155550123", "deployment-key")
    assert phone_key("t2", "+14155550123", "deployment-key") != keyed
