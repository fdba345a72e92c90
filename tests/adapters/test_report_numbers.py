"""Every report, run by the DuckDB runner over a small generated month whose answers are
worked out by hand below. The month is February 2026 in New York (UTC-5, no DST change),
the site's time zone: [2026-02-01 05:00 UTC, 2026-03-01 05:00 UTC).

Tenant t1 (site s1, New York) has seven calls in that month, plus one before it and one
after it; a call with two changes, whose latest change is also in a retried file; six
callback requests in the month (one with two changes, its latest twice) and one after;
leases in two pools, one begun before the month; ad spend with a day uploaded twice.
Tenant t2 (an agency's other client) has one call; `other` has calls nobody in scope may
see. Tenant t3 (site s3) has the journeys of seed 001's debate, "the first visit brought
them, the sale came on the 10th": calls whose first, last non-direct and attributed
visits differ, and one call in a file written before journeys were tracked.
"""
import pytest

from ringback.accounts.sites import Site
from ringback.accounts.tenants import TenantScope
from ringback.adapters.duckdb_runner import DuckDbRunner
from ringback.adapters.memory import MemorySites
from ringback.adapters.parquet_s3 import arrow_schema
from ringback.analytics import schema
from ringback.analytics.reports import Query, Reports
from ringback.clock import ManualClock
from tests.support.analytics import DAY, HOUR, MINUTE, SECOND, EventLog, utc_ms

FEBRUARY = {"from": "2026-02-01", "to": "2026-02-28"}
T1 = TenantScope("t1", "owner", frozenset({"t1"}))
T3 = TenantScope("t3", "owner", frozenset({"t3"}))
AGENCY = TenantScope("agency", "admin", frozenset({"agency", "t1", "t2"}))
POOL_NUMBER_1, POOL_NUMBER_2, EXT_NUMBER, STATIC = "+14155550101", "+14155550102", "+14155550200", "+14155550150"


def spring(**extra):
    return dict(source="google", medium="cpc", campaign="spring", keyword="plumber", landing_page="/", **extra)


# The visits of t3's journeys, as a call row names them (its own columns, or first_touch_*
# and last_touch_*).
PAID = dict(source="google", medium="cpc", campaign="spring", keyword="plumber", landing_page="/")
ORGANIC = dict(source="google", medium="organic", campaign=None, keyword=None, landing_page="/blog")
DIRECT = dict(source="direct", medium="none", campaign=None, keyword=None, landing_page="/")
SOCIAL = dict(source="facebook", medium="paid", campaign="promo", keyword=None, landing_page="/offer")


def journey(call=None, first=None, last=None):
    """A call's columns: the attributed visit's source, then its journey's two ends."""
    return {**(call or {}), **{f"first_touch_{k}": v for k, v in (first or {}).items()},
            **{f"last_touch_{k}": v for k, v in (last or {}).items()}}


def journeys(log: EventLog) -> None:
    call = lambda **c: log.add("calls", "t3", **{"site_id": "s3", "status": "answered", "answered": True,  # noqa: E731
                                                   "talk_seconds": 60, **c})
    # Came from a paid search on the 2nd; came back on the 10th by typing the address, and
    # called: the call's own visit is direct, the ad is both its first and last touch.
    call(call_id="j1", started_at=utc_ms("2026-02-10", 15), first_time_caller=True, confidence_level="high",
         **journey(DIRECT, first=PAID, last=PAID))
    # A paid search first, then an organic result, then the call.
    call(call_id="j2", started_at=utc_ms("2026-02-12", 15), first_time_caller=True, confidence_level="high",
         **journey(ORGANIC, first=PAID, last=ORGANIC))
    # A social ad first, an organic result, a direct return that called (missed).
    call(call_id="j3", started_at=utc_ms("2026-02-13", 15), status="no-answer", answered=False, talk_seconds=None,
         first_time_caller=True, confidence_level="medium", **journey(DIRECT, first=SOCIAL, last=ORGANIC))
    # One visit: every answer is the same.
    call(call_id="j4", started_at=utc_ms("2026-02-14", 15), first_time_caller=True, confidence_level="high",
         **journey(ORGANIC, first=ORGANIC, last=ORGANIC))
    # Nobody's visit could be supported: no source, no journey.
    call(call_id="j5", started_at=utc_ms("2026-02-15", 15), first_time_caller=False, confidence_level=None)


def before_journeys(root) -> None:
    """A t3 call in a file written by calls version 2, with no journey columns: what the
    bucket holds from before this version. The readers must still read it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    journey_columns = {name for name, _ in schema.CALLS.columns if "_touch_" in name or name == "confidence_level"}
    old = pa.schema([f for f in arrow_schema(schema.CALLS) if f.name not in journey_columns])
    row = {"call_id": "j6", "site_id": "s3", "started_at": utc_ms("2026-02-20", 15), "status": "answered",
           "answered": True, "talk_seconds": 30, "first_time_caller": True, **PAID, "schema_version": 2,
           "event_seq": f"{1:040d}", "event_name": "INSERT", "event_at": utc_ms("2026-02-20", 15)}
    folder = root / schema.CALLS.prefix / "tenant_id=t3" / "dt=2026-02-20"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([{c: row.get(c) for c in old.names}], schema=old),
                   str(folder / "before-journeys.parquet"))


def month() -> EventLog:
    log = EventLog()
    call = lambda tenant="t1", **c: log.add("calls", tenant, **{"site_id": "s1", **c})  # noqa: E731
    # Monday 2 Feb, 09:30 and 10:10 in New York.
    call(call_id="c1", started_at=utc_ms("2026-02-02", 14, 30), status="answered", answered=True, ring_seconds=5,
         talk_seconds=60, first_time_caller=True, caller_key="k1", tracking_number=POOL_NUMBER_1, shared_line=False,
         **spring())
    # Two texts about it: one delivered, one failed (30003: the handset was off).
    call(call_id="c2", started_at=utc_ms("2026-02-02", 15, 10), status="no-answer", answered=False, ring_seconds=30,
         first_time_caller=True, caller_key="k2", tracking_number=POOL_NUMBER_1, shared_line=True, alerts_sent=2,
         alerts_delivered=1, alerts_failed=1, alert_error_code="30003", **spring())
    # Tuesday 03:00 UTC is still Monday 22:00 in New York.
    call(call_id="c3", started_at=utc_ms("2026-02-03", 3), status="answered", answered=True, ring_seconds=15,
         talk_seconds=120, first_time_caller=False, caller_key="k1", tracking_number=POOL_NUMBER_2, **spring())
    # Tuesday 10 Feb, 11:00.
    # Its one text failed (30006: a landline): nobody heard of this call.
    call(call_id="c4", started_at=utc_ms("2026-02-10", 16), status="busy", answered=False, ring_seconds=0,
         first_time_caller=True, caller_key="k3", tracking_number=EXT_NUMBER, source="bing", medium="cpc",
         campaign="brand", landing_page="/contact", alerts_sent=1, alerts_delivered=0, alerts_failed=1,
         alert_error_code="30006")
    # Wednesday 11 Feb, 12:00: unattributed.
    call(call_id="c5", started_at=utc_ms("2026-02-11", 17), status="answered", answered=True, ring_seconds=10,
         talk_seconds=30, first_time_caller=False, caller_key="k2", tracking_number=STATIC)
    # Thursday 12 Feb, 13:00: ringing, then answered; the answer is in a retried file too.
    c6 = dict(call_id="c6", started_at=utc_ms("2026-02-12", 18), first_time_caller=True, caller_key="k4",
              tracking_number=STATIC, **spring())
    call(**c6, status="ringing", answered=False)
    answered = call(**c6, status="answered", answered=True, ring_seconds=26, talk_seconds=90, event_name="MODIFY")
    log.again("calls", "t1", answered, file="retried")
    # Sunday 1 March 03:00 UTC is Saturday 28 February 22:00 in New York: in the month.
    call(call_id="c7", started_at=utc_ms("2026-03-01", 3), status="no-answer", answered=False, ring_seconds=20,
         first_time_caller=True, caller_key="k5", tracking_number=STATIC, source="google", medium="organic")
    # Outside the month in New York.
    call(call_id="c-before", started_at=utc_ms("2026-02-01", 4), status="answered", answered=True, **spring())
    call(call_id="c-after", started_at=utc_ms("2026-03-01", 6), status="answered", answered=True, **spring())
    # Other tenants.
    call("t2", call_id="d1", site_id="s2", started_at=utc_ms("2026-02-14", 20), status="answered", answered=True,
         ring_seconds=7, first_time_caller=True, caller_key="q1", **spring())
    for i in range(3):
        call("other", call_id=f"o{i}", site_id="s9", started_at=utc_ms("2026-02-02", 15), status="answered",
             answered=True, ring_seconds=99, caller_key=f"z{i}", tracking_number=POOL_NUMBER_1, **spring())

    callback = lambda **c: log.add("callbacks", "t1", **{"site_id": "s1", **c})  # noqa: E731
    t = utc_ms("2026-02-05", 15)
    callback(request_id="r1", created_at=t, status="completed", operator_answered_at=t + 20 * SECOND,
             visitor_answered_at=t + 35 * SECOND, **spring())
    callback(request_id="r2", created_at=t + DAY, status="missed", operator_answered_at=t + DAY + 10 * SECOND,
             **spring())
    callback(request_id="r3", created_at=t + 2 * DAY, status="failed", source="bing", medium="cpc", campaign="brand")
    r4 = dict(request_id="r4", created_at=t + 3 * DAY, **spring())
    callback(**r4, status="calling_operator")
    done = callback(**r4, status="completed", operator_answered_at=t + 3 * DAY + 30 * SECOND,
                    visitor_answered_at=t + 3 * DAY + 65 * SECOND, event_name="MODIFY")
    log.again("callbacks", "t1", done, file="retried")
    callback(request_id="r5", created_at=t + 15 * DAY, status="accepted")
    callback(request_id="r6", created_at=t + 16 * DAY, status="completed",
             operator_answered_at=t + 16 * DAY + 5 * SECOND, visitor_answered_at=t + 16 * DAY + 50 * SECOND,
             **spring())
    callback(request_id="r-after", created_at=utc_ms("2026-03-02", 15), status="completed", **spring())

    lease = lambda **c: log.add("leases", "t1", **c)  # noqa: E731
    line1, line2, ext = POOL_NUMBER_1, POOL_NUMBER_2, f"{EXT_NUMBER},101"
    a = utc_ms("2026-02-02", 10)
    lease(line=line1, lease_started="a", pool_id="p1", number=POOL_NUMBER_1, started_at=a, ended_at=a + HOUR,
          shared=False)
    b = utc_ms("2026-02-03", 10)
    lease(line=line1, lease_started="b", pool_id="p1", number=POOL_NUMBER_1, started_at=b, ended_at=b + 30 * MINUTE,
          shared=True)
    # Begun on 31 January, overlapping the month by two hours (05:00 to 07:00 UTC on 1 February).
    lease(line=line2, lease_started="c", pool_id="p1", number=POOL_NUMBER_2, started_at=utc_ms("2026-01-31", 10),
          ended_at=utc_ms("2026-02-01", 7), shared=False)
    d = utc_ms("2026-02-10", 12)
    lease(line=line2, lease_started="d", pool_id="p1", number=POOL_NUMBER_2, started_at=d, ended_at=d + 10 * MINUTE,
          shared=False)
    lease(line=line2, lease_started="d", pool_id="p1", number=POOL_NUMBER_2, started_at=d, ended_at=d + 20 * MINUTE,
          shared=False, event_name="MODIFY")  # extended
    # Begun at 23:30 on the 28th in New York, running 30 minutes past the month's end.
    e = utc_ms("2026-03-01", 4, 30)
    lease(line=line2, lease_started="e", pool_id="p1", number=POOL_NUMBER_2, started_at=e, ended_at=e + HOUR,
          shared=False)
    f = utc_ms("2026-02-15", 0)
    lease(line=ext, lease_started="f", pool_id="p2", number=EXT_NUMBER, started_at=f, ended_at=f + 2 * HOUR,
          shared=False)

    spend = lambda day, source, medium, campaign, amount, clicks, file="upload-1": log.add(  # noqa: E731
        "ad_spend", "t1", file=file, day=day, source=source, medium=medium, campaign=campaign, spend=amount,
        currency="USD", clicks=clicks)
    spend("2026-02-02", "google", "cpc", "spring", 100.0, 50)
    spend("2026-02-03", "google", "cpc", "spring", 80.0, 45)
    spend("2026-02-03", "google", "cpc", "spring", 60.0, 40, file="upload-2")  # corrected by a later upload
    spend("2026-02-10", "Bing", "cpc", "brand", 30.0, 10)
    spend("2026-02-15", "facebook", "paid", "promo", 25.0, 5)
    spend("2026-03-01", "google", "cpc", "spring", 999.0, 1)  # after the month
    journeys(log)
    return log


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("analytics")
    month().write(root)
    before_journeys(root)
    sites = MemorySites()
    sites.save(Site("s1", "t1", "Plumbing", "pk_1", frozenset({"plumbing.example"}), timezone="America/New_York"))
    sites.save(Site("s2", "t2", "Roofing", "pk_2", frozenset({"roofing.example"}), timezone="America/Los_Angeles"))
    sites.save(Site("s3", "t3", "Heating", "pk_3", frozenset({"heating.example"}), timezone="America/New_York"))
    return Reports(DuckDbRunner.on_directory(str(root)), sites, ManualClock(utc_ms("2026-03-10")))


def rows(reports, name, scope=T1, **params):
    request, result = reports.run(scope, name, {**FEBRUARY, **params})
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def test_calls_by_source_counts_each_calls_latest_state_once(reports):
    assert [tuple(r.values()) for r in rows(reports, "calls_by_source")] == [
        # No call of this month was marked a lead (see tests/adapters/test_lead_reports.py).
        ("google", "cpc", "spring", "plumber", "/", 4, 3, 1, 75.0, 3, 90.0, 0, 0, None, None),
        ("bing", "cpc", "brand", None, "/contact", 1, 0, 1, 0.0, 1, None, 0, 0, None, None),
        ("google", "organic", None, None, None, 1, 0, 1, 0.0, 1, None, 0, 0, None, None),
        (None, None, None, None, None, 1, 1, 0, 100.0, 0, 30.0, 0, 0, None, None),
    ]


def test_filters_narrow_a_report(reports):
    assert [(r["source"], r["calls"]) for r in rows(reports, "calls_by_source", medium="cpc")] == [
        ("google", 4), ("bing", 1)]
    assert rows(reports, "calls_by_source", source="o'brien'; DROP TABLE calls --") == []


def test_answered_and_missed_by_weekday_and_hour_in_the_sites_time_zone(reports):
    assert [tuple(r.values()) for r in rows(reports, "answered_by_hour")] == [
        (1, 9, 1, 1, 0, 100.0),  # Monday 09:30
        (1, 10, 1, 0, 1, 0.0),
        (1, 22, 1, 1, 0, 100.0),  # Tuesday 03:00 UTC
        (2, 11, 1, 0, 1, 0.0),
        (3, 12, 1, 1, 0, 100.0),
        (4, 13, 1, 1, 0, 100.0),
        (6, 22, 1, 0, 1, 0.0),  # Saturday 28th, 22:00: 1 March in UTC
    ]


def test_a_given_time_zone_moves_hours_and_the_months_edges(reports):
    utc = [(r["weekday"], r["hour_of_day"]) for r in rows(reports, "answered_by_hour", tz="UTC")]
    # c-before (1 Feb 04:00 UTC) comes in, c7 (1 March 03:00 UTC) goes out.
    assert utc == [(1, 14), (1, 15), (2, 3), (2, 16), (3, 17), (4, 18), (7, 4)]


def test_first_time_and_returning_callers_and_time_to_answer(reports):
    assert [tuple(r.values())[:6] for r in rows(reports, "callers")] == [
        ("all", 7, 5, 4, 57.1, 14.0),
        ("first_time", 5, 5, 2, 40.0, 15.5),
        ("returning", 2, 2, 2, 100.0, 12.5),
    ]
    returning = rows(reports, "callers")[2]
    # Of 10 and 15 s: an approximate percentile may interpolate or not.
    assert 10 <= returning["p50_ring_seconds"] <= 15 and 14.5 <= returning["p90_ring_seconds"] <= 15


def test_ring_time_percentiles_over_a_hundred_answered_calls(tmp_path):
    log = EventLog()
    for seconds in range(101):
        log.add("calls", "t9", call_id=f"x{seconds}", site_id="s", started_at=utc_ms("2026-02-10") + seconds,
                status="answered", answered=True, ring_seconds=seconds, first_time_caller=True)
    log.write(tmp_path)
    runner = Reports(DuckDbRunner.on_directory(str(tmp_path)), MemorySites(), ManualClock(0))
    _, result = runner.run(TenantScope("t9", "owner", frozenset({"t9"})), "callers", FEBRUARY)
    every = dict(zip(result.columns, result.rows[0], strict=True))
    assert every["avg_ring_seconds"] == 50.0
    assert every["p50_ring_seconds"] == pytest.approx(50, abs=1)
    assert every["p90_ring_seconds"] == pytest.approx(90, abs=1)


def test_missed_call_alerts_count_the_texts_that_never_arrived(reports):
    # Missed in February: c2 (two texts, one failed), c4 (its one text failed) and c7 (a
    # row from before alerts were tracked: no texts). Answered calls are not counted.
    assert rows(reports, "missed_call_alerts") == [
        {"site_id": "s1", "missed_calls": 3, "alerted_calls": 2, "texts_sent": 3, "texts_delivered": 1,
         "texts_failed": 2, "calls_no_text_reached": 1, "error_codes": "30003,30006"},
    ]
    assert [r["missed_calls"] for r in rows(reports, "missed_call_alerts", source="bing")] == [1]
    assert rows(reports, "missed_call_alerts", AGENCY, tenant="t2") == []  # t2's one call was answered


def test_callback_funnel_and_connect_time(reports):
    funnel = rows(reports, "callback_funnel")[0]
    assert {k: funnel[k] for k in ("requested", "operator_answered", "visitor_answered", "completed",
                                   "not_connected", "connected_pct", "p50_connect_seconds")} == {
        "requested": 6, "operator_answered": 4, "visitor_answered": 3, "completed": 3, "not_connected": 2,
        "connected_pct": 50.0, "p50_connect_seconds": 50.0}
    assert 62.0 <= funnel["p90_connect_seconds"] <= 65.0  # of 35, 50 and 65 s, interpolated or not


def test_an_empty_funnel_counts_zero(reports):
    funnel = rows(reports, "callback_funnel", source="nowhere")[0]
    assert (funnel["requested"], funnel["operator_answered"], funnel["connected_pct"]) == (0, 0, None)


def test_pool_health_utilisation_overflow_and_calls_on_shared_lines(reports):
    month_seconds = 28 * 24 * 3600
    assert rows(reports, "pool_health") == [
        {"pool_id": "p1", "lines": 2, "leases": 4, "leased_seconds": 15_600.0, "line_seconds": 2.0 * month_seconds,
         "utilisation_pct": round(100 * 15_600 / (2 * month_seconds), 2), "shared_leases": 1, "overflow_pct": 25.0,
         "calls": 3, "calls_on_shared_lines": 1},
        {"pool_id": "p2", "lines": 1, "leases": 1, "leased_seconds": 7_200.0, "line_seconds": 1.0 * month_seconds,
         "utilisation_pct": round(100 * 7_200 / month_seconds, 2), "shared_leases": 0, "overflow_pct": 0.0,
         "calls": 1, "calls_on_shared_lines": 0},
    ]
    assert [r["pool_id"] for r in rows(reports, "pool_health", pool="p2")] == ["p2"]


def test_cost_per_call_and_per_lead_from_the_latest_upload(reports):
    assert [tuple(r.values()) for r in rows(reports, "cost_per_lead")] == [
        # Contacts are calls and callback requests; no call of this month was marked a lead,
        # so there is no cost per lead (see tests/adapters/test_lead_reports.py).
        ("t1", "google", "cpc", "spring", "USD", 160.0, 90, 4, 3, 4, 8, 0, 0, None, 40.0, 20.0, None),
        ("t1", "bing", "cpc", "brand", "USD", 30.0, 10, 1, 0, 1, 2, 0, 0, None, 30.0, 15.0, None),
        ("t1", "facebook", "paid", "promo", "USD", 25.0, 5, 0, 0, 0, 0, 0, 0, None, None, None, None),
        ("t1", "", "", "", None, None, None, 1, 1, 1, 2, 0, 0, None, None, None, None),
        ("t1", "google", "organic", "", None, None, None, 1, 0, 0, 1, 0, 0, None, None, None, None),
    ]


def test_agency_rollup_lists_every_tenant_in_scope_and_no_other(reports):
    assert [tuple(r.values()) for r in rows(reports, "agency_rollup", AGENCY, tenants="all",
                                            tz="America/New_York")] == [
        ("agency", 0, 0, None, 0, 0, None),
        ("t1", 7, 4, 57.1, 6, 3, 50.0),
        ("t2", 1, 1, 100.0, 0, 0, None),
    ]


def test_one_client_of_an_agency_is_read_alone(reports):
    assert [(r["source"], r["calls"]) for r in rows(reports, "calls_by_source", AGENCY, tenant="t2")] == [
        ("google", 1)]


def test_a_report_reads_only_its_tenants_and_days(reports):
    runner = reports.runner
    month_files = runner.partition_files("calls", ["t1"], "2026-02-01", "2026-03-01")
    every_file = runner.partition_files("calls", ["t1", "t2", "other"], "0000-00-00", "9999-99-99")
    assert {f.dt for f in month_files} == {"2026-02-01", "2026-02-02", "2026-02-03", "2026-02-10", "2026-02-11",
                                           "2026-02-12", "2026-03-01"}
    assert not any("tenant_id=other" in f.path for f in month_files)
    _, result = reports.run(T1, "calls_by_source", FEBRUARY)
    assert result.bytes_scanned == sum(f.size for f in month_files) < sum(f.size for f in every_file)


def credited(reports, touch=None, **params):
    return [(r["source"], r["medium"], r["campaign"], r["landing_page"], r["calls"], r["answered"])
            for r in rows(reports, "calls_by_source", T3, **({"touch": touch} if touch else {}), **params)]


def test_calls_by_source_credits_the_attributed_visit_by_default(reports):
    assert credited(reports) == credited(reports, "call") == [
        ("direct", "none", None, "/", 2, 1),  # j1, j3: the visits that called were typed-in returns
        ("google", "organic", None, "/blog", 2, 2),  # j2, j4
        ("google", "cpc", "spring", "/", 1, 1),  # j6, from before journeys: its attributed visit
        (None, None, None, None, 1, 1),  # j5, unattributed
    ]


def test_the_first_visit_brought_them(reports):
    # The paid search that began j1's and j2's journeys gets both calls, though neither
    # came from an ad visit; the call stored before journeys has no first touch.
    assert credited(reports, "first") == [
        ("google", "cpc", "spring", "/", 2, 2),  # j1, j2
        (None, None, None, None, 2, 2),  # j5 (unattributed), j6 (before journeys)
        ("facebook", "paid", "promo", "/offer", 1, 0),  # j3
        ("google", "organic", None, "/blog", 1, 1),  # j4
    ]


def test_the_sale_came_on_the_last_visit_that_was_not_direct(reports):
    # A direct return says nothing about the ad: j1's last touch is still the paid search,
    # j3's the organic result before it typed the address.
    assert credited(reports, "last") == [
        ("google", "organic", None, "/blog", 3, 2),  # j2, j3, j4
        (None, None, None, None, 2, 2),  # j5, j6
        ("google", "cpc", "spring", "/", 1, 1),  # j1
    ]


def test_a_source_filter_narrows_the_visit_the_report_credits(reports):
    assert credited(reports, "first", source="google") == [
        ("google", "cpc", "spring", "/", 2, 2), ("google", "organic", None, "/blog", 1, 1)]
    assert credited(reports, "last", medium="cpc") == [("google", "cpc", "spring", "/", 1, 1)]
    assert credited(reports, "last", source="facebook") == []
    assert credited(reports, "call", medium="none") == [("direct", "none", None, "/", 2, 1)]


def test_a_file_from_before_journeys_reads_its_new_columns_as_null(reports):
    result = reports.runner.run(Query(
        "SELECT call_id, source, first_touch_source, last_touch_source, confidence_level, schema_version "
        "FROM calls WHERE call_id IN ('j1', 'j6') ORDER BY call_id", ("t3",), {"calls": ("2026-02-01", "2026-03-01")}))
    assert result.rows == [("j1", "direct", "google", "google", "high", schema.CALLS.version),
                           ("j6", "google", None, None, None, 2)]
