"""The report SQL files: Athena's dialect, translatable for DuckDB, and every table they
read filtered to the tenants and the days asked for, so Athena prunes partitions."""
from datetime import date

import pytest
import sqlglot
from sqlglot import exp

from ringback.adapters.duckdb_runner import to_duckdb
from ringback.analytics import schema
from ringback.analytics.reports import CATALOGUE, SQL_DIR, ReportRequest, query_for

TENANTS = ("t1", "client-2")
HOSTILE = "o'brien'); DROP TABLE calls; --"


def rendered(name, filters=None):
    report = CATALOGUE[name]
    filters = filters if filters is not None else {f: f"{f}-value" for f in report.filters}
    request = ReportRequest(report, date(2026, 2, 1), date(2026, 2, 28), TENANTS, filters, "America/New_York")
    return query_for(request)


def test_every_sql_file_is_a_catalogued_report_and_back():
    assert sorted(p.stem for p in SQL_DIR.glob("*.sql")) == sorted(CATALOGUE)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_each_report_parses_as_trino_and_translates_to_duckdb(name):
    sql = rendered(name).sql
    tree = sqlglot.parse_one(sql, read="trino", error_level=sqlglot.ErrorLevel.RAISE)
    assert isinstance(tree, exp.Query)
    duck = to_duckdb(sql)
    sqlglot.parse_one(duck, read="duckdb", error_level=sqlglot.ErrorLevel.RAISE)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_table_read_is_filtered_by_tenant_and_day(name):
    query = rendered(name)
    tree = sqlglot.parse_one(query.sql, read="trino")
    analytics = {t.name for t in schema.TABLES}
    read = set()
    for table in tree.find_all(exp.Table):
        if table.name not in analytics:
            continue  # a CTE
        read.add(table.name)
        select = table.find_ancestor(exp.Select)
        where = select.args.get("where")
        assert where is not None, f"{name}: {table.name} is read without a WHERE"
        tenant_in = [node for node in where.find_all(exp.In) if node.this.name == "tenant_id"]
        assert tenant_in and {e.name for e in tenant_in[0].expressions} == set(TENANTS)
        assert any(node.this.name == "dt" for node in where.find_all(exp.Between)), f"{name}: no dt range"
    assert read == set(query.partitions) == set(CATALOGUE[name].tables)


def test_a_filter_value_stays_one_string_literal():
    tree = sqlglot.parse_one(rendered("calls_by_source", {"source": HOSTILE}).sql, read="trino")
    literals = [node.this for node in tree.find_all(exp.Literal) if node.is_string]
    assert HOSTILE in literals
    assert not any(isinstance(node, exp.Drop) for node in tree.walk())


def test_leases_are_read_from_a_week_before_the_range():
    assert rendered("pool_health").partitions == {"leases": ("2026-01-25", "2026-03-01"),
                                                   "calls": ("2026-02-01", "2026-03-01")}


def test_duckdb_counts_zero_where_trino_does():
    assert "COALESCE(COUNT_IF(x), 0)" in to_duckdb("SELECT count_if(x) FROM t")
