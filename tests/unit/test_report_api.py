"""The report API as the dashboard calls it: the catalogue, a report as JSON and as CSV,
the tenants a user may read (an agency its clients, nobody another tenant), and the
ad-spend upload. Reports run on DuckDB over Parquet files in a temporary folder."""
import dataclasses
import json

import pytest
from chalice.test import Client

from infra.catalog import load_app
from ringback import bootstrap
from ringback.accounts.sites import Site
from ringback.accounts.tenants import Membership, Tenant
from ringback.adapters.duckdb_runner import DuckDbRunner
from ringback.adapters.memory import MemoryEventFiles
from ringback.analytics.ad_spend import AdSpend
from ringback.analytics.reports import Reports
from ringback.bootstrap import build_memory_services
from ringback.clock import ManualClock
from tests.support.analytics import EventLog, utc_ms
from tests.support.authorizer import PrincipalFromHeader

MARCH = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def svc(tmp_path):
    clock = ManualClock(utc_ms("2026-04-02", 12))
    services = build_memory_services(clock)
    tenants = services.tenants
    tenants.save(Tenant("agency", "Agency", kind="agency"))
    tenants.save(Tenant("client-a", "Client A", parent_id="agency"))
    tenants.save(Tenant("client-b", "Client B", parent_id="agency"))
    tenants.save(Tenant("other", "Other Co"))
    tenants.add_member(Membership("agency", "u-agency", "a@agency.test", "admin"))
    tenants.add_member(Membership("client-a", "u-client", "c@a.test", "owner"))
    tenants.add_member(Membership("client-a", "u-analyst", "an@a.test", "analyst"))
    tenants.add_member(Membership("other", "u-other", "o@other.test", "owner"))
    services.sites.save(Site("s-a", "client-a", "A", "pk_a", frozenset({"a.example"}), timezone="America/New_York"))

    log = EventLog()
    for tenant, calls in (("client-a", 2), ("client-b", 1), ("other", 5)):
        for i in range(calls):
            log.add("calls", tenant, call_id=f"{tenant}-{i}", site_id="s", started_at=utc_ms("2026-03-10", 15 + i),
                    status="answered", answered=True, ring_seconds=4, source=f"=src-{tenant}", medium="cpc")
    log.write(tmp_path)
    files = MemoryEventFiles()
    services = dataclasses.replace(services, reports=Reports(DuckDbRunner.on_directory(str(tmp_path)),
                                                             services.sites, clock),
                                   ad_spend=AdSpend(files, clock, new_id=lambda: "x1"))
    bootstrap.install(services)
    yield services
    bootstrap.install(None)


def call(method, path, user, body=None, headers=None):
    with Client(load_app("reports")) as client:
        client.http._local_gateway._authorizer = PrincipalFromHeader()
        return client.http.request(method, path, headers={**({"Authorization": user} if user else {}),
                                                          **(headers or {})}, body=body or b"")


def error_code(response):
    return json.loads(response.body)["error"]["code"]


def test_the_catalogue_lists_every_report(svc):
    response = call("GET", "/v1/reports", "u-client")
    assert response.status_code == 200
    assert [r["name"] for r in json.loads(response.body)["reports"]] == [
        "calls_by_source", "answered_by_hour", "callers", "callback_funnel", "pool_health", "cost_per_lead",
        "missed_call_alerts", "agency_rollup"]


def test_a_customer_sees_its_own_calls(svc):
    response = call("GET", f"/v1/reports/calls_by_source?{MARCH}", "u-client")
    assert response.status_code == 200
    body = json.loads(response.body)
    assert body["tenants"] == ["client-a"] and body["timezone"] == "America/New_York"
    assert [(r["source"], r["calls"]) for r in body["rows"]] == [("=src-client-a", 2)]


@pytest.mark.parametrize("user,query", [
    ("u-client", "tenant=other"),
    ("u-client", "tenant=client-b"),  # a sibling client
    ("u-client", "tenant=agency"),  # a client does not read its agency
    ("u-agency", "tenant=other"),
])
def test_the_report_api_refuses_another_tenants_data(svc, user, query):
    response = call("GET", f"/v1/reports/calls_by_source?{MARCH}&{query}", user)
    assert response.status_code == 403
    assert json.loads(response.body)["error"] == {"code": "tenant_forbidden",
                                                  "message": "The report API refuses another tenant's data"}


def test_calls_by_source_credits_the_touch_asked_for(svc):
    body = json.loads(call("GET", f"/v1/reports/calls_by_source?{MARCH}&touch=first", "u-client").body)
    assert body["touch"] == "first"
    # These calls were written with no journey: their first touch is unknown.
    assert [(r["source"], r["calls"]) for r in body["rows"]] == [(None, 2)]


def test_an_agency_reads_one_client_or_all_of_them_and_nobody_else(svc):
    one = json.loads(call("GET", f"/v1/reports/calls_by_source?{MARCH}&tenant=client-b", "u-agency").body)
    assert [(r["source"], r["calls"]) for r in one["rows"]] == [("=src-client-b", 1)]
    every = json.loads(call("GET", f"/v1/reports/agency_rollup?{MARCH}&tenants=all", "u-agency").body)
    assert [(r["tenant_id"], r["calls"]) for r in every["rows"]] == [("agency", 0), ("client-a", 2), ("client-b", 1)]


def test_tenants_all_for_a_customer_is_just_itself(svc):
    body = json.loads(call("GET", f"/v1/reports/agency_rollup?{MARCH}&tenants=all", "u-other").body)
    assert [(r["tenant_id"], r["calls"]) for r in body["rows"]] == [("other", 5)]


def test_the_x_tenant_header_cannot_reach_another_tenant(svc):
    response = call("GET", f"/v1/reports/calls_by_source?{MARCH}", "u-client", headers={"X-Tenant-Id": "other"})
    assert response.status_code == 403 and error_code(response) == "tenant_forbidden"


def test_csv_output_is_a_download_with_formulas_defused(svc):
    response = call("GET", f"/v1/reports/calls_by_source?{MARCH}&format=csv", "u-client")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="calls_by_source_2026-03-01_2026-03-31.csv"'
    lines = response.body.decode().splitlines()
    assert lines[0] == ("source,medium,campaign,keyword,landing_page,calls,answered,missed,answered_pct,"
                        "first_time_callers,avg_talk_seconds,leads,sales,sale_value,sale_currency")
    assert lines[1].startswith("'=src-client-a,cpc,,,,2,2,0,100.0,0,")


@pytest.mark.parametrize("path,status,code", [
    ("/v1/reports/salaries", 404, "report_not_found"),
    ("/v1/reports/calls_by_source?from=2025-01-01&to=2026-03-01", 400, "invalid_range"),
    (f"/v1/reports/calls_by_source?{MARCH}&pool=p1", 400, "invalid_parameter"),
    (f"/v1/reports/calls_by_source?{MARCH}&tenants=everyone", 400, "invalid_parameter"),
    (f"/v1/reports/calls_by_source?{MARCH}&touch=sideways", 400, "invalid_parameter"),
    (f"/v1/reports/answered_by_hour?{MARCH}&touch=first", 400, "invalid_parameter"),  # credits no visit
])
def test_bad_requests_get_our_error_shape(svc, path, status, code):
    response = call("GET", path, "u-client")
    assert response.status_code == status and error_code(response) == code


def test_signed_out_callers_are_refused(svc):
    response = call("GET", "/v1/reports", None)
    assert response.status_code == 401 and error_code(response) == "unauthenticated"


CSV = (b"day,source,medium,campaign,spend,currency,clicks\r\n"
       b"2026-03-01,google,cpc,spring,120.50,USD,310\r\n"
       b"2026-03-02,google,cpc,spring,99,usd,\r\n"
       b"2026-03-02,bing,cpc,,10.25,USD,7\r\n")


def test_ad_spend_is_written_to_the_tenants_day_partitions(svc):
    response = call("POST", "/v1/ad-spend", "u-client", CSV, {"Content-Type": "text/csv"})
    assert response.status_code == 201
    assert json.loads(response.body) == {"tenant": "client-a", "rows": 3, "days": 2, "from": "2026-03-01",
                                         "to": "2026-03-02", "currency": "USD"}
    files = svc.ad_spend._files.files
    assert sorted(files) == [
        "events/ad_spend/tenant_id=client-a/dt=2026-03-01/upload-1775131200000-x1.parquet",
        "events/ad_spend/tenant_id=client-a/dt=2026-03-02/upload-1775131200000-x1.parquet",
    ]
    day2 = files["events/ad_spend/tenant_id=client-a/dt=2026-03-02/upload-1775131200000-x1.parquet"]
    assert [(r["source"], r["spend"], r["currency"], r["clicks"], r["event_name"]) for r in day2] == [
        ("google", 99.0, "USD", None, "INSERT"), ("bing", 10.25, "USD", 7, "INSERT")]


def test_an_agency_uploads_for_a_client_but_not_for_a_stranger(svc):
    ok = call("POST", "/v1/ad-spend?tenant=client-b", "u-agency", CSV, {"Content-Type": "text/csv"})
    assert ok.status_code == 201 and json.loads(ok.body)["tenant"] == "client-b"
    refused = call("POST", "/v1/ad-spend?tenant=other", "u-agency", CSV, {"Content-Type": "text/csv"})
    assert refused.status_code == 403 and error_code(refused) == "tenant_forbidden"


def test_an_analyst_reads_but_may_not_upload_spend(svc):
    assert call("GET", "/v1/reports", "u-analyst").status_code == 200
    response = call("POST", "/v1/ad-spend", "u-analyst", CSV, {"Content-Type": "text/csv"})
    assert response.status_code == 403 and error_code(response) == "role_forbidden"


@pytest.mark.parametrize("body,expected", [
    (b"date,source,spend\r\n2026-03-01,google,1\r\n", None),
    (b"day,source,medium,campaign,spend,currency,clicks\r\n2026-13-01,google,cpc,,1,USD,\r\n", 2),
    (b"day,source,medium,campaign,spend,currency,clicks\r\n2026-03-01,google,cpc,,$1,000,USD,\r\n", 2),
    (b"day,source,medium,campaign,spend,currency,clicks\r\n2026-03-01,,cpc,,1,USD,\r\n", 2),
    (b"day,source,medium,campaign,spend,currency,clicks\r\n2026-03-01,google,cpc,,1,dollars,\r\n", 2),
    (b"day,source,medium,campaign,spend,currency,clicks\r\n2026-06-01,google,cpc,,1,USD,\r\n", 2),  # future
    (b"day,source,medium,campaign,spend,currency,clicks\r\n2026-03-01,google,cpc,a,1,USD,\r\n"
     b"2026-03-01,Google,CPC,A,2,USD,\r\n", 3),  # the same row twice
    (b"day,source,medium,campaign,spend,currency,clicks\r\n2026-03-01,google,cpc,a,1,USD,\r\n"
     b"2026-03-02,google,cpc,a,1,EUR,\r\n", None),  # two currencies
    (b"day,source,medium,campaign,spend,currency,clicks\r\n", None),  # no rows
])
def test_a_bad_csv_is_refused_whole_with_its_line_numbers(svc, body, expected):
    response = call("POST", "/v1/ad-spend", "u-client", body, {"Content-Type": "text/csv"})
    assert response.status_code == 400 and error_code(response) == "invalid_csv"
    if expected is not None:
        assert [e["line"] for e in json.loads(response.body)["error"]["details"]["errors"]] == [expected]
    assert svc.ad_spend._files.files == {}
