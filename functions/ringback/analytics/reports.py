"""Reports over the analytics tables: the catalogue, the parameters a request may give,
the tenants it may read, and the SQL each report runs.

The SQL lives in `reports/{name}.sql`, in Athena's dialect (Trino). A file names what it
needs as `{{placeholder}}`; `render()` fills each with a value this module has validated
and written as a SQL literal itself (tenant ids against a pattern, dates parsed, strings
quoted, time zones looked up), so nothing from a request reaches the SQL raw. Every query
filters `tenant_id IN (...)` and a `dt` range, so Athena reads only the partitions of the
tenants and days asked for; the `Query` handed to a runner carries the same tenants and
ranges, so the DuckDB runner reads the same partitions and the Athena runner narrows its
credentials to the same tenants.

A runner (the `QueryRunner` port) is Athena in AWS (`adapters/athena.py`) and DuckDB on
this machine (`adapters/duckdb_runner.py`). Which visit of a journey a report credits
(`touch=`) is in `touches.py`; how a result is answered (JSON, CSV) in `report_output.py`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, Protocol, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ringback.accounts.tenants import TenantScope
from ringback.analytics import schema, touches
from ringback.clock import Clock
from ringback.errors import Forbidden, InvalidInput, NotFound
from ringback.ports import SiteDirectory

SQL_DIR = Path(__file__).with_name("reports")
MAX_DAYS = 366
DEFAULT_DAYS = 30
# A lease lasts at most this long: reports over leases also read the partitions of the
# leases that began this much before the range and may overlap it.
LONGEST_LEASE_DAYS = 7
FORMATS = ("json", "csv")

# Filter parameter -> the column it narrows. Which of them a report takes is in its entry.
FILTER_COLUMNS = {
    "site": "site_id",
    "source": "source",
    "medium": "medium",
    "campaign": "campaign",
    "keyword": "keyword",
    "landing_page": "landing_page",
    "pool": "pool_id",
}
# Parameters every report takes; anything else must be one of the report's filters.
COMMON_PARAMETERS = ("from", "to", "tenant", "tenants", "format", "tz")

_TENANT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_MAX_FILTER_LENGTH = 200


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    description: str
    tables: tuple[str, ...]
    filters: tuple[str, ...] = ()
    uses_timezone: bool = False
    # Each row belongs to one tenant, so a scope too wide for one query (the Athena
    # runner's session policy has a size limit) may run as several and be concatenated.
    rows_per_tenant: bool = False
    # Groups calls by their source: `touch=` picks the visit credited (touches.py).
    touches: bool = False

    @property
    def sql(self) -> str:
        return _sql_text(self.name)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "description": self.description,
                "filters": list(self.filters), "timezone": self.uses_timezone,
                "touches": list(touches.TOUCHES) if self.touches else []}


@cache
def _sql_text(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


_CALL_FILTERS = ("site", "source", "medium", "campaign", "keyword", "landing_page")
_CALLBACK_FILTERS = ("site", "source", "medium", "campaign", "keyword")

CATALOGUE: dict[str, Report] = {r.name: r for r in (
    Report("calls_by_source", "Calls by source",
           "Calls by source, medium, campaign, keyword and landing page: answered, missed, first-time callers, "
           "average talk time, leads (calls marked lead or sale), sales and their value. touch= credits the "
           "attributed visit (call, the default), the visitor's first touch (first) or their last non-direct "
           "touch (last).",
           ("calls",), _CALL_FILTERS, touches=True),
    Report("answered_by_hour", "Answered and missed calls by hour",
           "Answered against missed calls by weekday (1 = Monday) and hour, in the site's time zone or tz=.",
           ("calls",), _CALL_FILTERS, uses_timezone=True),
    Report("callers", "First-time and returning callers",
           "First-time against returning callers, and the time to answer: ring seconds of answered calls "
           "(average, p50, p90).",
           ("calls",), _CALL_FILTERS),
    Report("callback_funnel", "Callback funnel",
           "Callback requests, the operator answered, the visitor answered, completed; connect time p50 and p90 "
           "(the visitor answering, from the request).",
           ("callbacks",), _CALLBACK_FILTERS),
    Report("pool_health", "Pool health",
           "Per pool: lines, leases, utilisation (leased seconds over line-seconds in the range), overflow "
           "(leases sharing a line), and calls on shared lines.",
           ("leases", "calls"), ("pool",)),
    Report("cost_per_lead", "Cost per call and per lead",
           "Uploaded ad spend by source, medium and campaign, against calls, contacts (calls and callback "
           "requests) and leads (calls marked lead or sale): cost per call, per contact and per lead; sales "
           "and their value.",
           ("calls", "callbacks", "ad_spend"), ("source", "medium", "campaign"), rows_per_tenant=True),
    Report("missed_call_alerts", "Missed-call alerts",
           "Per site: missed calls, those a text was sent about, texts sent, delivered and failed, missed calls "
           "none of whose texts arrived, and the carrier's error codes of the failures.",
           ("calls",), ("site", "source", "medium", "campaign")),
    Report("agency_rollup", "Agency roll-up",
           "One row per tenant in scope (tenants=all: every client): calls, answered %, callbacks, connected %.",
           ("calls", "callbacks"), ("source", "medium", "campaign"), rows_per_tenant=True),
)}


def report(name: str, catalogue: Mapping[str, Report] = CATALOGUE) -> Report:
    found = catalogue.get(name)
    if found is None:
        raise NotFound(f"no report named {name!r}", code="report_not_found")
    return found


# -- what runs a query ------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    """One query as a runner receives it: the SQL (Athena's dialect) and the partitions
    it may read, which the SQL's own filters name too."""

    sql: str
    tenants: tuple[str, ...]
    # table -> (first dt, last dt), inclusive, as yyyy-mm-dd
    partitions: Mapping[str, tuple[str, str]]


@dataclass(frozen=True)
class ResultSet:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    # The bytes of data files the query read (Athena's DataScannedInBytes; DuckDB: the
    # files of the partitions selected). None when unknown.
    bytes_scanned: int | None = None


class QueryRunner(Protocol):
    def run(self, query: Query) -> ResultSet: ...

    def fits(self, tenants: Sequence[str]) -> bool:
        """Can one query read all these tenants (the Athena runner's session policy has a
        size limit)."""
        ...


# -- parameters ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportRequest:
    report: Report
    start: date  # first day, inclusive, in the report's time zone
    end: date  # last day, inclusive
    tenants: tuple[str, ...]
    filters: Mapping[str, str]
    timezone: str
    format: str = "json"
    touch: str = touches.DEFAULT_TOUCH  # the visit a report with touches credits

    @property
    def bounds_ms(self) -> tuple[int, int]:
        """[start 00:00, the day after end 00:00) in the report's time zone, as epoch ms."""
        zone = ZoneInfo(self.timezone)

        def midnight(day: date) -> int:
            return int(datetime(day.year, day.month, day.day, tzinfo=zone).timestamp() * 1000)

        return midnight(self.start), midnight(self.end + timedelta(days=1))


def tenants_for(scope: TenantScope, params: Mapping[str, str]) -> tuple[str, ...]:
    """The tenants a report reads: the scope's own tenant; `tenant=` one tenant the scope
    may read (an agency's client); or `tenants=all`, every tenant it may read."""
    one, every = params.get("tenant"), params.get("tenants")
    if one is not None and every is not None:
        raise InvalidInput("name one tenant or tenants=all, not both", code="invalid_parameter")
    if every is not None:
        if every != "all":
            raise InvalidInput("tenants= takes only 'all'", code="invalid_parameter")
        return tuple(sorted(scope.readable))
    if one is None:
        return (scope.tenant_id,)
    if one not in scope.readable:
        # The same answer whether the tenant exists or not: no probing.
        raise Forbidden("The report API refuses another tenant's data", code="tenant_forbidden")
    return (one,)


def parse_day(params: Mapping[str, str], name: str) -> date | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"'{name}' must be a date, YYYY-MM-DD", code="invalid_parameter") from None


def valid_timezone(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+\-/]{0,63}", name):
        raise InvalidInput("tz must be an IANA time zone, e.g. America/New_York", code="invalid_parameter")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"unknown time zone {name!r}", code="invalid_parameter") from None
    return name


def valid_filter(name: str, value: str) -> str:
    if not value or len(value) > _MAX_FILTER_LENGTH or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InvalidInput(f"filter {name!r} must be 1 to {_MAX_FILTER_LENGTH} printable characters",
                           code="invalid_parameter")
    return value


# -- SQL literals --------------------------------------------------------------------------

def sql_string(value: str) -> str:
    """A string as a SQL literal: the only way a value enters the SQL. The value has been
    validated (no control characters); quotes are doubled, as both dialects read them."""
    if any(ord(ch) < 32 for ch in value):
        raise InvalidInput("control characters are not allowed", code="invalid_parameter")
    return "'" + value.replace("'", "''") + "'"


def sql_tenant(tenant_id: str) -> str:
    if not _TENANT_ID.fullmatch(tenant_id):
        raise InvalidInput("not a tenant id", code="invalid_parameter")
    return sql_string(tenant_id)


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill `{{name}}` placeholders with SQL fragments built by this module; a placeholder
    with no value is a bug in the report, not something to leave in the SQL."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"the report SQL names an unknown placeholder {{{{{name}}}}}")
        return values[name]

    return _PLACEHOLDER.sub(fill, template)


def utc_day(ms: int) -> date:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).date()


def query_for(request: ReportRequest, tenants: Sequence[str] | None = None) -> Query:
    """The report's SQL for these parameters (and these tenants: a part of the request's,
    when a wide scope runs in parts)."""
    tenants = tuple(tenants if tenants is not None else request.tenants)
    from_ms, to_ms = request.bounds_ms
    # `dt` is the UTC day an entity began: the days that hold [from_ms, to_ms).
    dt_from, dt_to = utc_day(from_ms), utc_day(to_ms - 1)
    lease_dt_from = dt_from - timedelta(days=LONGEST_LEASE_DAYS)
    # A source filter narrows the same visit the report groups by.
    credited = {field: touches.column(request.touch, field) for field in touches.FIELDS}
    columns = {credited.get(FILTER_COLUMNS[name], FILTER_COLUMNS[name]): value
               for name, value in sorted(request.filters.items())}
    values = {
        "tenants": ", ".join(sql_tenant(t) for t in tenants),
        "tenant_rows": ", ".join(f"({sql_tenant(t)})" for t in tenants),
        "dt_from": sql_string(dt_from.isoformat()),
        "dt_to": sql_string(dt_to.isoformat()),
        "lease_dt_from": sql_string(lease_dt_from.isoformat()),
        "from_day": sql_string(request.start.isoformat()),
        "to_day": sql_string(request.end.isoformat()),
        "from_ms": str(int(from_ms)),
        "to_ms": str(int(to_ms)),
        "timezone": sql_string(request.timezone),
        "filters": "".join(f"AND {column} = {sql_string(value)} " for column, value in columns.items()),
        "credited": touches.credited_columns(request.touch),
    }
    ranges = {
        "leases": (lease_dt_from.isoformat(), dt_to.isoformat()),
        "ad_spend": (request.start.isoformat(), request.end.isoformat()),
    }
    partitions = {name: ranges.get(name, (dt_from.isoformat(), dt_to.isoformat())) for name in request.report.tables}
    for name in partitions:
        schema.table(name)  # every table a report reads is an analytics table
    return Query(render(request.report.sql, values), tenants, partitions)


# -- the use case -------------------------------------------------------------------------

@dataclass
class Reports:
    runner: QueryRunner
    sites: SiteDirectory
    clock: Clock
    catalogue: Mapping[str, Report] = field(default_factory=lambda: CATALOGUE)

    def list(self) -> list[dict[str, Any]]:
        return [entry.as_json() for entry in self.catalogue.values()]

    def parse(self, scope: TenantScope, name: str, params: Mapping[str, str]) -> ReportRequest:
        entry = report(name, self.catalogue)
        allowed = {*COMMON_PARAMETERS, *entry.filters, *(("touch",) if entry.touches else ())}
        unknown = sorted(set(params) - allowed)
        if unknown:
            raise InvalidInput(f"unknown parameters for {name}: {', '.join(unknown)}", code="invalid_parameter",
                               details={"filters": list(entry.filters)})
        output = params.get("format", "json")
        if output not in FORMATS:
            raise InvalidInput("format must be json or csv", code="invalid_parameter")
        touch = touches.valid_touch(params.get("touch"))
        tenants = tenants_for(scope, params)
        filters = {key: valid_filter(key, params[key]) for key in entry.filters if key in params}
        zone = self._timezone(params, tenants, filters.get("site"))
        today = datetime.fromtimestamp(self.clock.now_ms() / 1000, tz=ZoneInfo(zone)).date()
        end = parse_day(params, "to") or today
        start = parse_day(params, "from") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise InvalidInput("'from' must not be after 'to'", code="invalid_range")
        if (end - start).days + 1 > MAX_DAYS:
            raise InvalidInput(f"a report covers at most {MAX_DAYS} days", code="invalid_range")
        return ReportRequest(entry, start, end, tenants, filters, zone, output, touch)

    def run(self, scope: TenantScope, name: str, params: Mapping[str, str]) -> tuple[ReportRequest, ResultSet]:
        request = self.parse(scope, name, params)
        return request, self.execute(request)

    def execute(self, request: ReportRequest) -> ResultSet:
        if self.runner.fits(request.tenants):
            return self.runner.run(query_for(request))
        if not request.report.rows_per_tenant:
            raise InvalidInput(
                f"{len(request.tenants)} tenants are too many for one {request.report.name} report: name one tenant, "
                "or ask for the agency roll-up", code="too_many_tenants")
        results = [self.runner.run(query_for(request, part)) for part in self._parts(request.tenants)]
        scanned = [r.bytes_scanned for r in results]
        return ResultSet(results[0].columns, [row for r in results for row in r.rows],
                         None if None in scanned else sum(cast(list[int], scanned)))

    def _parts(self, tenants: Sequence[str]) -> Iterable[tuple[str, ...]]:
        part: list[str] = []
        for tenant in tenants:
            if part and not self.runner.fits([*part, tenant]):
                yield tuple(part)
                part = []
            part.append(tenant)
        if part:
            yield tuple(part)

    def _timezone(self, params: Mapping[str, str], tenants: Sequence[str], site_id: str | None) -> str:
        """tz= when given; else the site's when the report is narrowed to one; else the
        single tenant's, when all its sites share one; else UTC."""
        if "tz" in params:
            return valid_timezone(params["tz"])
        if site_id is not None:
            site = self.sites.get(site_id)
            if site is None or site.tenant_id not in tenants:
                raise Forbidden("The report API refuses another tenant's data", code="tenant_forbidden")
            return site.timezone
        if len(tenants) == 1:
            zones = {site.timezone for site in self.sites.for_tenant(tenants[0])}
            if len(zones) == 1:
                return zones.pop()
        return "UTC"
