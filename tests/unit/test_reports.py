"""The report catalogue's rules: which tenants a request reads, which parameters it may
give, the days and time zone it covers, and how results are shaped; on a fake runner."""
from datetime import date
from decimal import Decimal

import pytest

from ringback.accounts.sites import Site
from ringback.accounts.tenants import TenantScope
from ringback.adapters.memory import MemorySites
from ringback.analytics.report_output import as_csv, as_json
from ringback.analytics.reports import ReportRequest, Reports, ResultSet, tenants_for
from ringback.clock import ManualClock
from ringback.errors import Forbidden, InvalidInput, NotFound
from tests.support.analytics import utc_ms

AGENCY = TenantScope("agency", "admin", frozenset({"agency", "client-a", "client-b"}))
CUSTOMER = TenantScope("client-a", "owner", frozenset({"client-a"}))


class FakeRunner:
    """Answers every query with one row naming its tenants; `fits` at most `room` tenants."""

    def __init__(self, room=None):
        self.queries = []
        self.room = room

    def fits(self, tenants):
        return self.room is None or len(tenants) <= self.room

    def run(self, query):
        self.queries.append(query)
        return ResultSet(("tenant_id",), [(t,) for t in query.tenants], 100)


@pytest.fixture
def reports():
    sites = MemorySites()
    sites.save(Site("s-a", "client-a", "A", "pk_a", frozenset({"a.example"}), timezone="Europe/Paris"))
    sites.save(Site("s-b", "client-b", "B", "pk_b", frozenset({"b.example"}), timezone="America/Chicago"))
    sites.save(Site("s-b2", "client-b", "B2", "pk_b2", frozenset({"b2.example"}), timezone="Asia/Tokyo"))
    return Reports(FakeRunner(), sites, ManualClock(utc_ms("2026-03-10", 12)))


def test_a_customer_reads_its_own_tenant_by_default():
    assert tenants_for(CUSTOMER, {}) == ("client-a",)


def test_an_agency_names_one_client_or_all_of_them():
    assert tenants_for(AGENCY, {"tenant": "client-b"}) == ("client-b",)
    assert tenants_for(AGENCY, {"tenants": "all"}) == ("agency", "client-a", "client-b")


@pytest.mark.parametrize("params", [{"tenant": "other"}, {"tenant": "client-b"}])
def test_the_report_api_refuses_another_tenants_data(params):
    with pytest.raises(Forbidden, match="The report API refuses another tenant's data"):
        tenants_for(CUSTOMER, params)


@pytest.mark.parametrize("params", [{"tenants": "client-a,other"}, {"tenants": "all", "tenant": "client-a"}])
def test_anything_but_one_tenant_or_all_is_refused(params):
    with pytest.raises(InvalidInput):
        tenants_for(AGENCY, params)


@pytest.mark.parametrize("params,code", [
    ({"from": "2025-01-01", "to": "2026-01-02"}, "invalid_range"),  # 367 days
    ({"from": "2026-02-10", "to": "2026-02-01"}, "invalid_range"),
    ({"from": "2026-02-30"}, "invalid_parameter"),
    ({"from": "20260201"}, "invalid_parameter"),
    ({"pool": "p1"}, "invalid_parameter"),  # not a filter of this report
    ({"limit": "5"}, "invalid_parameter"),
    ({"format": "xml"}, "invalid_parameter"),
    ({"tz": "Mars/Olympus"}, "invalid_parameter"),
    ({"tz": "../../etc/passwd"}, "invalid_parameter"),
    ({"source": ""}, "invalid_parameter"),
    ({"source": "x" * 201}, "invalid_parameter"),
    ({"source": "a\nb"}, "invalid_parameter"),
])
def test_bad_parameters_are_refused(reports, params, code):
    with pytest.raises(InvalidInput) as refused:
        reports.parse(CUSTOMER, "calls_by_source", params)
    assert refused.value.code == code


def test_an_unknown_report_is_not_found(reports):
    with pytest.raises(NotFound):
        reports.parse(CUSTOMER, "salaries", {})


def test_a_year_of_366_days_is_allowed(reports):
    request = reports.parse(CUSTOMER, "calls_by_source", {"from": "2024-01-01", "to": "2024-12-31"})
    assert (request.end - request.start).days + 1 == 366


def test_the_default_range_is_the_last_thirty_days_to_today_in_the_sites_zone(reports):
    request = reports.parse(CUSTOMER, "answered_by_hour", {})
    assert (request.start, request.end, request.timezone) == (date(2026, 2, 9), date(2026, 3, 10), "Europe/Paris")


def test_the_time_zone_is_the_named_sites_else_the_tenants_only_one_else_utc(reports):
    assert reports.parse(AGENCY, "answered_by_hour", {"tenant": "client-b", "site": "s-b2"}).timezone == "Asia/Tokyo"
    assert reports.parse(AGENCY, "answered_by_hour", {"tenant": "client-b"}).timezone == "UTC"  # two zones
    assert reports.parse(AGENCY, "answered_by_hour", {"tenants": "all"}).timezone == "UTC"
    assert reports.parse(AGENCY, "answered_by_hour", {"tenants": "all", "tz": "Asia/Tokyo"}).timezone == "Asia/Tokyo"


def test_a_site_of_another_tenant_is_refused(reports):
    with pytest.raises(Forbidden):
        reports.parse(CUSTOMER, "calls_by_source", {"site": "s-b"})


def test_days_are_whole_days_in_the_reports_zone_across_a_dst_change():
    request = ReportRequest(None, date(2026, 3, 8), date(2026, 3, 8), ("t",), {}, "America/New_York")
    start, end = request.bounds_ms
    assert (start, end) == (utc_ms("2026-03-08", 5), utc_ms("2026-03-09", 4))  # a 23-hour day


def test_the_query_carries_the_tenants_and_partitions_it_filters(reports):
    reports.run(AGENCY, "agency_rollup", {"tenants": "all", "from": "2026-02-01", "to": "2026-02-28"})
    query = reports.runner.queries[-1]
    assert query.tenants == ("agency", "client-a", "client-b")
    assert query.partitions == {"calls": ("2026-02-01", "2026-02-28"), "callbacks": ("2026-02-01", "2026-02-28")}
    assert "'agency', 'client-a', 'client-b'" in query.sql


def test_a_scope_too_wide_for_one_query_runs_per_tenant_reports_in_parts():
    many = TenantScope("agency", "admin", frozenset({"agency", *(f"c{i}" for i in range(5))}))
    reports = Reports(FakeRunner(room=2), MemorySites(), ManualClock(utc_ms("2026-03-10")))
    _, result = reports.run(many, "agency_rollup", {"tenants": "all"})
    assert [q.tenants for q in reports.runner.queries] == [("agency", "c0"), ("c1", "c2"), ("c3", "c4")]
    assert [r[0] for r in result.rows] == ["agency", "c0", "c1", "c2", "c3", "c4"]
    assert result.bytes_scanned == 300
    with pytest.raises(InvalidInput) as refused:
        reports.run(many, "calls_by_source", {"tenants": "all"})
    assert refused.value.code == "too_many_tenants"


def test_csv_has_a_header_plain_cells_and_no_formulas():
    result = ResultSet(("source", "calls", "rate", "answered", "note"),
                       [("=HYPERLINK(\"http://x\")", 3, Decimal("12.5"), True, None), ("google", -2, 0.5, False, "+1")])
    assert as_csv(result).splitlines() == [
        "source,calls,rate,answered,note",
        "\"'=HYPERLINK(\"\"http://x\"\")\",3,12.5,true,",
        "google,-2,0.5,false,'+1",
    ]


def test_json_rows_are_objects_with_plain_values(reports):
    request = reports.parse(CUSTOMER, "calls_by_source", {"from": "2026-02-01", "to": "2026-02-28"})
    body = as_json(request, ResultSet(("source", "rate"), [("google", Decimal("1.5")), (None, float("nan"))], 42))
    assert body["rows"] == [{"source": "google", "rate": 1.5}, {"source": None, "rate": None}]
    assert (body["from"], body["to"], body["tenants"], body["bytesScanned"]) == ("2026-02-01", "2026-02-28",
                                                                                 ["client-a"], 42)
