"""The reports count leads by what the business marked (calls version 4): calls_by_source's
leads, sales and sale value, and cost_per_lead's cost per lead; a call's latest change is
what counts, and files from before leads read as no lead. DuckDB over Parquet files."""
import pytest

from ringback.accounts.sites import Site
from ringback.accounts.tenants import TenantScope
from ringback.adapters.duckdb_runner import DuckDbRunner
from ringback.adapters.memory import MemorySites
from ringback.adapters.parquet_s3 import arrow_schema
from ringback.analytics import schema
from ringback.analytics.reports import Reports
from ringback.clock import ManualClock
from tests.support.analytics import EventLog, utc_ms

T1 = TenantScope("t1", "owner", frozenset({"t1"}))
MARCH = {"from": "2026-03-01", "to": "2026-03-31", "tz": "UTC"}
SPRING = dict(source="google", medium="cpc", campaign="spring")
BRAND = dict(source="bing", medium="cpc", campaign="brand")


def before_leads(root) -> None:
    """A call in a file written by calls version 3, which had no lead columns."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    lead_columns = {"lead_status", "lead_value", "lead_currency", "tags"}
    old = pa.schema([f for f in arrow_schema(schema.CALLS) if f.name not in lead_columns])
    row = {"call_id": "old", "site_id": "s1", "started_at": utc_ms("2026-03-03", 12), "status": "answered",
           "answered": True, **SPRING, "schema_version": 3, "event_seq": f"{1:040d}", "event_name": "INSERT",
           "event_at": utc_ms("2026-03-03", 12)}
    folder = root / schema.CALLS.prefix / "tenant_id=t1" / "dt=2026-03-03"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist([{c: row.get(c) for c in old.names}], schema=old),
                   str(folder / "before-leads.parquet"))


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("leads")
    log = EventLog()
    call = lambda **c: log.add("calls", "t1", **{"site_id": "s1", "status": "answered", "answered": True, **c})  # noqa: E731
    day = lambda d: utc_ms(f"2026-03-{d:02d}", 15)  # noqa: E731
    call(call_id="sale-1", started_at=day(2), lead_status="sale", lead_value=100.0, lead_currency="USD",
         tags="vip", **SPRING)
    call(call_id="sale-2", started_at=day(4), lead_status="sale", lead_value=50.25, lead_currency="USD", **SPRING)
    call(call_id="lead-1", started_at=day(5), lead_status="lead", tags="", **SPRING)
    # Marked a lead, then not a lead after all: the latest change counts.
    call(call_id="changed", started_at=day(6), lead_status="lead", **SPRING)
    call(call_id="changed", started_at=day(6), lead_status="not_lead", event_name="MODIFY", **SPRING)
    call(call_id="spam", started_at=day(7), lead_status="spam", **SPRING)
    call(call_id="new", started_at=day(8), lead_status="new", tags="", **SPRING)
    call(call_id="brand-sale", started_at=day(9), lead_status="sale", lead_value=10.0, lead_currency="USD", **BRAND)
    call(call_id="brand-sale-eur", started_at=day(10), lead_status="sale", lead_value=20.0, lead_currency="EUR",
         **BRAND)
    spend = lambda amount, **s: log.add("ad_spend", "t1", day="2026-03-02", spend=amount, currency="USD",  # noqa: E731
                                        clicks=10, **s)
    spend(90.0, **SPRING)
    spend(40.0, **BRAND)
    log.write(root)
    before_leads(root)
    sites = MemorySites()
    sites.save(Site("s1", "t1", "Plumbing", "pk_1", frozenset({"plumbing.example"}), timezone="UTC"))
    return Reports(DuckDbRunner.on_directory(str(root)), sites, ManualClock(utc_ms("2026-04-02")))


def rows(reports, name):
    _, result = reports.run(T1, name, MARCH)
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def test_calls_by_source_counts_the_calls_marked_lead_or_sale_and_the_sales_value(reports):
    got = {r["source"]: r for r in rows(reports, "calls_by_source")}
    # google: 6 calls this month plus one from before leads; 2 sales and a lead are leads
    # (not the one marked a lead and then not a lead, nor spam, new or the old one).
    assert {k: got["google"][k] for k in ("calls", "leads", "sales", "sale_value", "sale_currency")} == {
        "calls": 7, "leads": 3, "sales": 2, "sale_value": 150.25, "sale_currency": "USD"}
    assert {k: got["bing"][k] for k in ("calls", "leads", "sales", "sale_value", "sale_currency")} == {
        "calls": 2, "leads": 2, "sales": 2, "sale_value": 30.0, "sale_currency": "mixed"}


def test_cost_per_lead_divides_the_spend_by_the_calls_marked_leads(reports):
    got = {r["source"]: r for r in rows(reports, "cost_per_lead")}
    google = got["google"]
    assert (google["spend"], google["calls"], google["contacts"], google["leads"], google["sales"]) == (
        90.0, 7, 7, 3, 2)
    assert (google["cost_per_call"], google["cost_per_contact"], google["cost_per_lead"]) == (12.86, 12.86, 30.0)
    assert google["sale_value"] == 150.25
    assert (got["bing"]["leads"], got["bing"]["cost_per_lead"]) == (2, 20.0)


def test_a_call_from_before_leads_reads_no_lead_status(reports):
    from ringback.analytics.reports import Query

    result = reports.runner.run(Query(
        "SELECT call_id, lead_status, lead_value, tags, schema_version FROM calls "
        "WHERE call_id IN ('old', 'sale-1') ORDER BY call_id", ("t1",), {"calls": ("2026-03-01", "2026-04-01")}))
    assert result.rows == [("old", None, None, None, 3), ("sale-1", "sale", 100.0, "vip", schema.CALLS.version)]
