"""Which visit of a journey a report credits (touch=): the columns it reads, the parameter's
rules, and the SQL it renders, on both dialects."""
from datetime import date

import pytest
import sqlglot
from sqlglot import exp

from ringback.accounts.tenants import TenantScope
from ringback.adapters.duckdb_runner import to_duckdb
from ringback.adapters.memory import MemorySites
from ringback.analytics import schema, touches
from ringback.analytics.report_output import as_json
from ringback.analytics.reports import CATALOGUE, ReportRequest, Reports, ResultSet, query_for
from ringback.clock import ManualClock
from ringback.errors import InvalidInput
from tests.support.analytics import utc_ms

CUSTOMER = TenantScope("t1", "owner", frozenset({"t1"}))


class NoRows:
    def fits(self, tenants):
        return True

    def run(self, query):
        return ResultSet(("source",), [])


@pytest.fixture
def reports():
    return Reports(NoRows(), MemorySites(), ManualClock(utc_ms("2026-03-10")))


def request(touch, filters=None, name="calls_by_source"):
    return ReportRequest(CATALOGUE[name], date(2026, 2, 1), date(2026, 2, 28), ("t1",), filters or {}, "UTC",
                         touch=touch)


def grouped_by(sql):
    """The source column of the credited CTE, as the report groups it."""
    tree = sqlglot.parse_one(sql, read="trino")
    credited = next(cte for cte in tree.find_all(exp.CTE) if cte.alias == "credited")
    return {select.alias_or_name: select.this.name if isinstance(select, exp.Alias) else select.name
            for select in credited.this.expressions}


def test_every_touch_column_is_a_calls_column():
    calls = {name for name, _ in schema.CALLS.columns}
    for touch in touches.TOUCHES:
        assert {touches.column(touch, field) for field in touches.FIELDS} <= calls


@pytest.mark.parametrize("touch,source", [("call", "source"), ("first", "first_touch_source"),
                                          ("last", "last_touch_source")])
def test_each_touch_groups_by_its_visits_columns_under_the_calls_names(touch, source):
    columns = grouped_by(query_for(request(touch)).sql)
    assert columns["source"] == source
    assert columns["landing_page"] == touches.column(touch, "landing_page")


@pytest.mark.parametrize("touch", touches.TOUCHES)
def test_each_touch_renders_as_trino_and_translates_to_duckdb(touch):
    sql = query_for(request(touch, {"source": "google", "site": "s1"})).sql
    sqlglot.parse_one(sql, read="trino", error_level=sqlglot.ErrorLevel.RAISE)
    sqlglot.parse_one(to_duckdb(sql), read="duckdb", error_level=sqlglot.ErrorLevel.RAISE)


def test_a_source_filter_narrows_the_credited_visit_and_a_site_filter_the_call():
    sql = query_for(request("first", {"source": "google", "site": "s1"})).sql
    assert "AND first_touch_source = 'google'" in sql and "AND site_id = 's1'" in sql
    assert "AND source = " not in sql
    assert "AND source = 'google'" in query_for(request("call", {"source": "google"})).sql


def test_the_default_touch_is_the_attributed_visit(reports):
    assert reports.parse(CUSTOMER, "calls_by_source", {}).touch == "call"
    assert reports.parse(CUSTOMER, "calls_by_source", {"touch": "last"}).touch == "last"


@pytest.mark.parametrize("value", ["", "First", "both", "first,last", "call "])
def test_anything_but_call_first_or_last_is_refused(reports, value):
    with pytest.raises(InvalidInput) as refused:
        reports.parse(CUSTOMER, "calls_by_source", {"touch": value})
    assert refused.value.code == "invalid_parameter"
    assert refused.value.details == {"parameter": "touch", "allowed": ["call", "first", "last"]}


def test_a_report_that_credits_no_visit_refuses_touch(reports):
    with pytest.raises(InvalidInput) as refused:
        reports.parse(CUSTOMER, "answered_by_hour", {"touch": "first"})
    assert refused.value.code == "invalid_parameter"


def test_the_catalogue_and_the_answer_name_the_touches(reports):
    listed = {entry["name"]: entry["touches"] for entry in reports.list()}
    assert listed["calls_by_source"] == ["call", "first", "last"]
    assert listed["callers"] == []
    parsed = reports.parse(CUSTOMER, "calls_by_source", {"touch": "first"})
    assert as_json(parsed, ResultSet(("source",), []))["touch"] == "first"
    assert "touch" not in as_json(reports.parse(CUSTOMER, "callers", {}), ResultSet(("callers",), []))
