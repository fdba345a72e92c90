"""Benchmark of the reports on DuckDB over a year of generated analytics data.

    python -m bench.reports [--calls 10000000] [--tenants 100] [--dir PATH]     (make bench-reports)

Generates, with numpy and pyarrow (no Python loop per row), a year (2025) of the analytics
tables for many tenants of skewed sizes (Zipf: the largest has about a quarter of all
calls), partitioned as in production, `events/{table}/tenant_id=T/dt=D/*.parquet`, one
compacted file per partition, in a local temporary folder:
- calls (10 million rows, 2% of them a change written twice, as a retried batch leaves
  it): more on weekdays and in business hours in each tenant's time zone, answer rates
  by hour, ring and talk times, sources, campaigns, keywords and landing pages, first-
  time and returning callers, pool and static tracking numbers;
- sessions (half a row per call: production has many more, but no report reads them),
  leases (for sessions routed to a pool), callbacks (5 per 100 calls), and daily ad
  spend per paid campaign.

Then each report runs (median of 3) for the largest tenant and one month (June), through
the same `Reports` and `DuckDbRunner` the local stack uses, with the bytes of the files
it read. The baseline, measured in the same process: a full-table COUNT(*) of calls
(every partition), and the same one-tenant one-month report given every partition
instead of its own (what a runner without partition pruning would read). A check
compares the calls report's total with a count made from the generated arrays. Figures
are printed, then one JSON line.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "functions")]

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.dataset as ds  # noqa: E402

from ringback.accounts.sites import Site  # noqa: E402
from ringback.accounts.tenants import TenantScope  # noqa: E402
from ringback.adapters.duckdb_runner import DuckDbRunner, partition_schema  # noqa: E402
from ringback.adapters.memory import MemorySites  # noqa: E402
from ringback.adapters.parquet_s3 import arrow_schema  # noqa: E402
from ringback.analytics import schema  # noqa: E402
from ringback.analytics.reports import CATALOGUE, Query, Reports, query_for  # noqa: E402
from ringback.clock import ManualClock  # noqa: E402

SECOND, MINUTE, HOUR, DAY = 1000, 60_000, 3_600_000, 86_400_000
YEAR_START = date(2025, 1, 1)
EPOCH_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z
DAYS = 365
MONTH = {"from": "2025-06-01", "to": "2025-06-30"}
ZONES = [("America/New_York", -5), ("America/Chicago", -6), ("America/Denver", -7),
         ("America/Los_Angeles", -8), ("Europe/London", 0), ("Europe/Paris", 1)]
# (source, medium, share of calls, routed to a pool, campaigns)
CHANNELS = [
    ("google", "cpc", 0.34, True, 6), ("google", "organic", 0.20, False, 0), (None, None, 0.14, False, 0),
    ("bing", "cpc", 0.07, True, 3), ("facebook", "paid", 0.08, True, 4), ("yelp", "referral", 0.06, False, 0),
    ("bing", "organic", 0.04, False, 0), ("newsletter", "email", 0.07, False, 2),
]
KEYWORDS = [f"keyword {i}" for i in range(40)]
PAGES = ["/", "/contact", "/pricing", "/services", "/emergency", "/about", "/blog/tips", "/locations",
         "/quote", "/reviews", "/faq", "/offers", "/careers", "/areas/north", "/areas/south"]
# Calls by local hour (a business's day), and the share answered at that hour.
HOURLY = np.array([1, 1, 1, 1, 1, 2, 4, 8, 14, 18, 19, 18, 16, 17, 18, 17, 15, 12, 9, 7, 5, 4, 3, 2], float)
ANSWERED_BY_HOUR = np.where((np.arange(24) >= 9) & (np.arange(24) < 18), 0.86,
                            np.where((np.arange(24) >= 7) & (np.arange(24) < 21), 0.62, 0.35))


# -- generation -----------------------------------------------------------------------------

def strings(vocabulary, index, valid=None):
    """vocabulary[index] as an Arrow string array, null where not valid: one take, no loop."""
    index = pa.array(np.asarray(index, dtype=np.int32), mask=None if valid is None else ~np.asarray(valid))
    return pa.array(vocabulary, pa.string()).take(index)


def prefixed(prefix, numbers, width):
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(pa.array(numbers).cast(pa.string()), width, "0"), "")


def day_names():
    """'yyyy-mm-dd' for the days -2..DAYS+1 of the year (local times spill over its edges)."""
    return [(YEAR_START + timedelta(days=d)).isoformat() for d in range(-2, DAYS + 2)]


class World:
    def __init__(self, tenants: int, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        weights = 1 / np.arange(1, tenants + 1) ** 1.1
        self.weights = weights / weights.sum()
        self.tenants = tenants
        self.tenant_ids = [f"tenant-{i:03d}" for i in range(tenants)]
        self.offsets = np.array([ZONES[i % len(ZONES)][1] for i in range(tenants)])
        weekday = (np.arange(DAYS) + 2) % 7  # 2025-01-01 was a Wednesday (Monday = 0)
        season = 1 + 0.15 * np.sin(2 * np.pi * (np.arange(DAYS) - 80) / DAYS)
        self.day_weights = np.where(weekday < 5, 1.0, 0.45) * season
        self.day_weights /= self.day_weights.sum()
        self.days = day_names()
        self.seq = 10**15

    def moments(self, n, tenant):
        """Start times: a day of the year, an hour of the tenant's business day (local)."""
        day = self.rng.choice(DAYS, n, p=self.day_weights)
        hour = self.rng.choice(24, n, p=HOURLY / HOURLY.sum())
        started = EPOCH_MS + day * DAY + (hour - self.offsets[tenant]) * HOUR + self.rng.integers(0, HOUR, n)
        return started.astype(np.int64), hour

    def partition_columns(self, tenant, started_ms):
        day_index = (started_ms - EPOCH_MS) // DAY + 2
        return strings(self.tenant_ids, tenant), strings(self.days, day_index)

    def change_columns(self, n, at_ms, name="MODIFY"):
        seq = np.arange(self.seq, self.seq + n, dtype=np.int64)
        self.seq += n
        return {"schema_version": pa.array(np.ones(n, np.int32)), "event_seq": prefixed("", seq, 40),
                "event_name": strings([name], np.zeros(n)), "event_at": pa.array(at_ms.astype(np.int64))}

    def lines_of(self, tenant_calls):
        """Lines per tenant's pool: enough for its busiest hours at about 40% use."""
        return np.maximum(3, np.ceil(tenant_calls / DAYS * 0.9 / 4)).astype(np.int64)

    def calls(self, total):
        rng = self.rng
        distinct = int(total * 0.98)
        tenant = rng.choice(self.tenants, distinct, p=self.weights)
        started, hour = self.moments(distinct, tenant)
        per_tenant = np.bincount(tenant, minlength=self.tenants)
        quality = rng.uniform(0.85, 1.08, self.tenants)
        answered = rng.random(distinct) < np.clip(ANSWERED_BY_HOUR[hour] * quality[tenant], 0, 0.98)
        missed = rng.choice(4, distinct, p=[0.72, 0.18, 0.05, 0.05])  # no-answer, busy, failed, canceled
        status = np.where(answered, 0, missed + 1)
        ring = np.select(
            [answered, missed == 0, missed == 1, missed == 3],
            [np.clip(rng.lognormal(np.log(9), 0.6, distinct), 1, 60), rng.integers(25, 31, distinct),
             rng.integers(0, 3, distinct), rng.integers(3, 25, distinct)], 0).astype(np.int32)
        talk = np.clip(rng.lognormal(np.log(150), 0.9, distinct), 5, 7200).astype(np.int32)
        shares = np.array([c[2] for c in CHANNELS])
        channel = rng.choice(len(CHANNELS), distinct, p=shares / shares.sum())
        pooled = np.array([c[3] for c in CHANNELS])[channel]
        campaigns = np.array([c[4] for c in CHANNELS])[channel]
        campaign = (rng.random(distinct) * np.maximum(campaigns, 1)).astype(np.int64)
        searchy = np.isin(np.array([c[1] for c in CHANNELS])[channel], ["cpc", "organic"])
        keyword = np.minimum(rng.zipf(1.6, distinct) - 1, len(KEYWORDS) - 1)
        page = np.minimum(rng.zipf(1.8, distinct) - 1, len(PAGES) - 1)
        lines = self.lines_of(per_tenant)
        line = (rng.random(distinct) * lines[tenant]).astype(np.int64)
        number = np.where(pooled, 14_150_000_000 + tenant * 10_000 + line, 18_000_000_000 + tenant * 100 + channel)
        # Callers: a tenant's calls come from a pool of 70% as many numbers; a caller's first call is first-time.
        caller = tenant.astype(np.int64) * 100_000_000 + (rng.random(distinct) * np.ceil(per_tenant[tenant] * 0.7))
        caller = caller.astype(np.int64)
        order = np.lexsort((started, caller))
        first = np.ones(distinct, bool)
        first[1:] = caller[order][1:] != caller[order][:-1]
        first_time = np.empty(distinct, bool)
        first_time[order] = first
        sources = [c[0] for c in CHANNELS]
        attributed = np.array([s is not None for s in sources])[channel]
        ids = np.arange(distinct, dtype=np.int64)
        campaign_names = [f"{c[0]}-{c[1]}-campaign-{k}" for c in CHANNELS for k in range(max(c[4], 1))]
        campaign_index = np.cumsum([0] + [max(c[4], 1) for c in CHANNELS])[:-1][channel] + campaign
        columns = {
            "call_id": prefixed("tw:CA", ids, 12),
            "site_id": prefixed("site-", tenant, 3),
            "tracking_number": prefixed("+", number, 11),
            "caller_key": prefixed("k", caller, 12),
            "started_at": pa.array(started),
            "status": strings(["answered", "no-answer", "busy", "failed", "canceled"], status),
            "answered": pa.array(answered),
            "attribution_method": strings(["lease", "static"], np.where(pooled, 0, 1), attributed),
            "session_id": pc.if_else(pa.array(attributed), prefixed("s_", ids, 12), pa.nulls(distinct, pa.string())),
            "confidence": pa.array(np.where(pooled, rng.uniform(0.6, 1.0, distinct), 1.0), mask=~attributed),
            "shared_line": pa.array(pooled & (rng.random(distinct) < 0.02)),
            "source": strings([c[0] or "" for c in CHANNELS], channel, attributed),
            "medium": strings([c[1] or "" for c in CHANNELS], channel, attributed),
            "campaign": strings(campaign_names, campaign_index, campaigns > 0),
            "keyword": strings(KEYWORDS, keyword, searchy),
            "landing_page": strings(PAGES, page, attributed),
            "first_time_caller": pa.array(first_time),
            "caller_country": strings(["US", "CA", "GB"], rng.choice(3, distinct, p=[0.9, 0.06, 0.04])),
            "ring_seconds": pa.array(ring),
            "talk_seconds": pa.array(talk, mask=~answered),
        }
        table = pa.table({**columns, **self.change_columns(distinct, started + (ring + talk) * SECOND)})
        tenant_id, dt = self.partition_columns(tenant, started)
        table = table.append_column("tenant_id", tenant_id).append_column("dt", dt)
        again = np.sort(rng.choice(distinct, total - distinct, replace=False))
        table = pa.concat_tables([table, table.take(pa.array(again))])
        expected = {"tenant": tenant, "started": started}
        return table, expected, per_tenant

    def sessions(self, n, per_tenant_calls):
        rng = self.rng
        tenant = rng.choice(self.tenants, n, p=self.weights)
        started, _ = self.moments(n, tenant)
        shares = np.array([c[2] for c in CHANNELS])
        channel = rng.choice(len(CHANNELS), n, p=shares / shares.sum())
        attributed = np.array([c[0] is not None for c in CHANNELS])[channel]
        pooled = np.array([c[3] for c in CHANNELS])[channel]
        ids = np.arange(n, dtype=np.int64) + 10**11
        seen = started + rng.integers(5 * SECOND, 30 * MINUTE, n)
        columns = {
            "session_id": prefixed("s_", ids, 12), "site_id": prefixed("site-", tenant, 3),
            "visitor_id": prefixed("v", rng.integers(0, 10**9, n), 10), "started_at": pa.array(started),
            "last_seen_at": pa.array(seen),
            "source": strings([c[0] or "" for c in CHANNELS], channel, attributed),
            "medium": strings([c[1] or "" for c in CHANNELS], channel, attributed),
            "campaign": pa.nulls(n, pa.string()), "keyword": pa.nulls(n, pa.string()),
            "landing_page": strings(PAGES, np.minimum(rng.zipf(1.8, n) - 1, len(PAGES) - 1)),
            "referrer_domain": strings(["google.com", "bing.com", "facebook.com", "yelp.com"],
                                       rng.integers(0, 4, n), attributed),
            "gclid": pa.nulls(n, pa.string()), "country": strings(["US"], np.zeros(n)),
            "region": strings(["US-CA", "US-NY", "US-TX", "US-FL"], rng.integers(0, 4, n)),
            "city": pa.nulls(n, pa.string()), "pages_viewed": pa.array(rng.integers(1, 12, n).astype(np.int32)),
        }
        table = pa.table({**columns, **self.change_columns(n, seen)})
        tenant_id, dt = self.partition_columns(tenant, started)
        table = table.append_column("tenant_id", tenant_id).append_column("dt", dt)
        # Sessions routed to a pool hold a line: their leases.
        lines = self.lines_of(per_tenant_calls)
        lt, ls = tenant[pooled], started[pooled]
        m = int(pooled.sum())
        line = (rng.random(m) * lines[lt]).astype(np.int64)
        number = 14_150_000_000 + lt * 10_000 + line
        ended = ls + np.clip(rng.lognormal(np.log(20 * MINUTE), 0.5, m), 3 * MINUTE, 7 * DAY).astype(np.int64)
        line_text = prefixed("+", number, 11)
        leases = pa.table({
            "line": line_text, "lease_started": prefixed("", ls, 13), "pool_id": prefixed("pool-", lt, 3),
            "session_id": prefixed("s_", ids[pooled], 12),
            "number": line_text, "started_at": pa.array(ls), "ended_at": pa.array(ended),
            "shared": pa.array(rng.random(m) < 0.01), **self.change_columns(m, ended),
        })
        tenant_id, dt = self.partition_columns(lt, ls)
        leases = leases.append_column("tenant_id", tenant_id).append_column("dt", dt)
        return table, leases

    def callbacks(self, n):
        rng = self.rng
        tenant = rng.choice(self.tenants, n, p=self.weights)
        created, _ = self.moments(n, tenant)
        outcome = rng.choice(4, n, p=[0.62, 0.23, 0.10, 0.05])  # completed, missed, failed, accepted
        operator = outcome < 2
        visitor = outcome == 0
        operator_at = created + np.clip(rng.lognormal(np.log(14 * SECOND), 0.5, n), 2 * SECOND, 10 * MINUTE)
        visitor_at = operator_at + np.clip(rng.lognormal(np.log(18 * SECOND), 0.4, n), 3 * SECOND, 5 * MINUTE)
        ended = visitor_at + rng.integers(30 * SECOND, 15 * MINUTE, n)
        shares = np.array([c[2] for c in CHANNELS])
        channel = rng.choice(len(CHANNELS), n, p=shares / shares.sum())
        attributed = np.array([c[0] is not None for c in CHANNELS])[channel]
        campaigns = np.array([c[4] for c in CHANNELS])[channel]
        campaign_names = [f"{c[0]}-{c[1]}-campaign-{k}" for c in CHANNELS for k in range(max(c[4], 1))]
        campaign_index = np.cumsum([0] + [max(c[4], 1) for c in CHANNELS])[:-1][channel] + \
            (rng.random(n) * np.maximum(campaigns, 1)).astype(np.int64)
        table = pa.table({
            "request_id": prefixed("cb_", np.arange(n), 10), "site_id": prefixed("site-", tenant, 3),
            "phone_key": prefixed("p", rng.integers(0, 10**9, n), 10), "created_at": pa.array(created),
            "status": strings(["completed", "missed", "failed", "accepted"], outcome),
            "session_id": pa.nulls(n, pa.string()),
            "source": strings([c[0] or "" for c in CHANNELS], channel, attributed),
            "medium": strings([c[1] or "" for c in CHANNELS], channel, attributed),
            "campaign": strings(campaign_names, campaign_index, campaigns > 0),
            "keyword": pa.nulls(n, pa.string()), "rounds": pa.array(rng.integers(1, 4, n).astype(np.int32)),
            "operator_answered_at": pa.array(operator_at.astype(np.int64), mask=~operator),
            "visitor_answered_at": pa.array(visitor_at.astype(np.int64), mask=~visitor),
            "ended_at": pa.array(ended.astype(np.int64), mask=outcome == 3),
            "talk_seconds": pa.array(rng.integers(20, 900, n).astype(np.int32), mask=~visitor),
            **self.change_columns(n, created),
        })
        tenant_id, dt = self.partition_columns(tenant, created)
        return table.append_column("tenant_id", tenant_id).append_column("dt", dt)

    def ad_spend(self):
        rng = self.rng
        paid = [(i, k) for i, c in enumerate(CHANNELS) for k in range(c[4]) if c[1] in ("cpc", "paid")]
        rows = self.tenants * DAYS * len(paid)
        tenant = np.repeat(np.arange(self.tenants), DAYS * len(paid))
        day = np.tile(np.repeat(np.arange(DAYS), len(paid)), self.tenants)
        which = np.tile(np.arange(len(paid)), self.tenants * DAYS)
        channel = np.array([p[0] for p in paid])[which]
        campaign_names = [f"{c[0]}-{c[1]}-campaign-{k}" for c in CHANNELS for k in range(max(c[4], 1))]
        campaign_index = np.cumsum([0] + [max(c[4], 1) for c in CHANNELS])[:-1][channel] + \
            np.array([p[1] for p in paid])[which]
        scale = self.weights[tenant] * 40_000
        spend = np.round(scale * rng.uniform(0.5, 1.5, rows), 2)
        day_ms = EPOCH_MS + day.astype(np.int64) * DAY
        table = pa.table({
            "day": strings(self.days, day + 2),
            "source": strings([c[0] or "" for c in CHANNELS], channel),
            "medium": strings([c[1] or "" for c in CHANNELS], channel),
            "campaign": strings(campaign_names, campaign_index),
            "spend": pa.array(spend), "currency": strings(["USD"], np.zeros(rows)),
            "clicks": pa.array((spend / rng.uniform(1.5, 4.0, rows)).astype(np.int64)),
            **self.change_columns(rows, day_ms, "INSERT"),
        })
        return table.append_column("tenant_id", strings(self.tenant_ids, tenant)) \
            .append_column("dt", strings(self.days, day + 2))


def write(root: Path, name: str, table: pa.Table) -> dict:
    """One compacted file per partition, in the production layout; columns in the types
    the pipeline writes."""
    definition = schema.table(name)
    file_schema = arrow_schema(definition)
    columns = [table[c].cast(f.type) if c in table.column_names else pa.nulls(len(table), f.type)
               for c, f in zip(file_schema.names, file_schema, strict=True)]
    typed = pa.Table.from_arrays(columns + [table["tenant_id"], table["dt"]],
                                 schema=pa.schema(list(file_schema) + list(partition_schema())))
    typed = typed.sort_by([("tenant_id", "ascending"), ("dt", "ascending")])
    started = time.perf_counter()
    ds.write_dataset(typed, str(root / definition.prefix), format="parquet",
                     partitioning=ds.partitioning(partition_schema(), flavor="hive"),
                     basename_template="compacted-{i}.parquet", max_partitions=1_000_000, max_open_files=512,
                     existing_data_behavior="overwrite_or_ignore")
    files = [p for p in (root / definition.prefix).rglob("*.parquet")]
    return {"table": name, "rows": len(typed), "files": len(files), "bytes": sum(p.stat().st_size for p in files),
            "write_s": round(time.perf_counter() - started, 1)}


# -- measuring ------------------------------------------------------------------------------

def timed(fn, repeat=3):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000_000)
    parser.add_argument("--tenants", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--dir", help="generate into this folder and keep it (default: a temporary one)")
    args = parser.parse_args(argv)
    root = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="ringback-bench-reports-"))
    try:
        return run(root, args)
    finally:
        if not args.dir:
            shutil.rmtree(root, ignore_errors=True)


def run(root: Path, args) -> int:
    started = time.perf_counter()
    world = World(args.tenants, args.seed)
    calls, truth, per_tenant = world.calls(args.calls)
    generated = [write(root, "calls", calls)]
    del calls
    sessions, leases = world.sessions(args.calls // 2, per_tenant)
    generated += [write(root, "sessions", sessions), write(root, "leases", leases)]
    del sessions, leases
    generated += [write(root, "callbacks", world.callbacks(args.calls // 20)),
                  write(root, "ad_spend", world.ad_spend())]
    generation_s = time.perf_counter() - started
    for g in generated:
        print(f"generated {g['table']:9} {g['rows']:>11,} rows  {g['files']:>7,} files  "
              f"{g['bytes'] / 1e6:8.1f} MB  (written in {g['write_s']} s)", flush=True)
    print(f"generation: {generation_s:.0f} s", flush=True)

    sites = MemorySites()
    for i, tenant in enumerate(world.tenant_ids):
        sites.save(Site(f"site-{i:03d}", tenant, tenant, f"pk_{i}", frozenset({f"{tenant}.example"}),
                        timezone=ZONES[i % len(ZONES)][0]))
    runner = DuckDbRunner.on_directory(str(root), threads=args.threads)
    reports = Reports(runner, sites, ManualClock(EPOCH_MS + 400 * DAY))
    biggest = world.tenant_ids[0]
    scope = TenantScope(biggest, "owner", frozenset({biggest}))

    # Baseline: every partition of calls, counted.
    everything = Query("SELECT count(*) AS calls FROM calls", tuple(world.tenant_ids),
                       {"calls": ("0000-01-01", "9999-12-31")})
    baseline_ms, baseline = timed(lambda: runner.run(everything), repeat=1)
    whole_bytes = baseline.bytes_scanned
    print(f"baseline: full-table COUNT(*) of calls: {baseline.rows[0][0]:,} rows, {whole_bytes / 1e6:.1f} MB "
          f"in {baseline_ms:.0f} ms", flush=True)

    table_bytes = {name: sum(f.size for f in runner.partition_files(name, world.tenant_ids, "0000", "9999"))
                   for name in ("calls", "callbacks", "leases", "ad_spend")}
    results = []
    for name in CATALOGUE:
        ms, (request, result) = timed(lambda name=name: reports.run(scope, name, MONTH))
        whole = sum(table_bytes[t] for t in CATALOGUE[name].tables)
        results.append({"report": name, "ms": round(ms, 1), "rows": len(result.rows),
                        "bytes_scanned": result.bytes_scanned, "tables_bytes": whole})
        print(f"{name:17} {biggest}, June: {ms:8.1f} ms  {len(result.rows):4} rows  "
              f"{result.bytes_scanned / 1e6:7.2f} MB read of {whole / 1e6:7.1f} MB in its tables "
              f"({100 * result.bytes_scanned / whole:.2f}%)", flush=True)
    clients = world.tenant_ids[:20]
    agency = TenantScope("agency", "admin", frozenset(clients))
    agency_ms, (_, agency_result) = timed(lambda: reports.run(agency, "agency_rollup", {**MONTH, "tenants": "all"}))
    print(f"agency_rollup     {len(clients)} clients, June: {agency_ms:8.1f} ms  {len(agency_result.rows):4} rows  "
          f"{agency_result.bytes_scanned / 1e6:7.2f} MB read", flush=True)

    # The same one-tenant one-month report handed every partition: no pruning.
    request, pruned = reports.run(scope, "calls_by_source", MONTH)
    query = query_for(request)
    unpruned_query = Query(query.sql, tuple(world.tenant_ids), {"calls": ("0000-01-01", "9999-12-31")})
    pruned_ms = next(r["ms"] for r in results if r["report"] == "calls_by_source")
    unpruned_ms, unpruned = timed(lambda: runner.run(unpruned_query), repeat=1)
    assert unpruned.rows == pruned.rows, "pruning changed the answer"
    print(f"calls_by_source handed every partition (no pruning; {unpruned.bytes_scanned / 1e6:.1f} MB of files): "
          f"{unpruned_ms:.0f} ms, same answer", flush=True)

    # The report's total against a count made from the generated arrays.
    start_ms, end_ms = request.bounds_ms
    mine = (truth["tenant"] == 0) & (truth["started"] >= start_ms) & (truth["started"] < end_ms)
    reported = sum(row[result_index(pruned, "calls")] for row in pruned.rows)
    check = "ok" if reported == int(mine.sum()) else f"MISMATCH: report {reported}, generated {int(mine.sum())}"
    print(f"check: calls_by_source total {reported:,} = generated {int(mine.sum()):,}: {check}", flush=True)

    ratios = {
        "bytes_whole_table_over_one_tenant_month": round(whole_bytes / pruned.bytes_scanned, 1),
        "one_tenant_month_share_of_bytes_pct": round(100 * pruned.bytes_scanned / whole_bytes, 3),
        "full_count_ms_over_report_ms": round(baseline_ms / pruned_ms, 2),
        "unpruned_ms_over_pruned_ms": round(unpruned_ms / pruned_ms, 2),
    }
    print(f"ratios: {ratios}", flush=True)
    print(json.dumps({
        "bench": "reports", "calls": args.calls, "tenants": args.tenants, "threads": args.threads,
        "generation_s": round(generation_s, 1), "tables": generated, "tenant": biggest, "month": MONTH,
        "baseline": {"query": "full-table COUNT(*) of calls", "ms": round(baseline_ms, 1), "bytes": whole_bytes},
        "reports": results,
        "agency_rollup_clients": {"clients": len(clients), "ms": round(agency_ms, 1),
                                  "bytes_scanned": agency_result.bytes_scanned},
        "unpruned_calls_by_source": {"ms": round(unpruned_ms, 1), "bytes": unpruned.bytes_scanned},
        "ratios": ratios, "check": check,
    }))
    return 0 if check == "ok" else 1


def result_index(result, column):
    return result.columns.index(column)


if __name__ == "__main__":
    sys.exit(main())
