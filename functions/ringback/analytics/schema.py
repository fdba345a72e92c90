"""The analytics tables, defined once: the Parquet files, the Glue tables, the local DuckDB
views and the report SQL all read these definitions.

Every table is an append-only log of changes, partitioned Hive-style by tenant and date:

    s3://ANALYTICS/events/{table}/tenant_id={tenant}/dt={yyyy-mm-dd}/{file}.parquet

`dt` is the day the entity began (a call's start, a session's start), never the day of
the change, so every change of one entity lands in one partition and a report takes its
latest state with one window (`ROW_NUMBER() OVER (PARTITION BY key ORDER BY event_seq
DESC)`). Files may hold a change twice (a retried batch, a compaction racing a reader):
the same window removes the copy, so nothing is counted twice.

A table's `version` is bumped whenever a column changes meaning or type; columns are only
ever added at the end, so old files stay readable (missing columns read as null).
Phone numbers never enter analytics: a caller is an HMAC of their number under the
tenant's id (`caller_key`), enough to tell first-time from returning callers.
"""
from __future__ import annotations

from dataclasses import dataclass

# Column types, in Glue/Athena terms; adapters map them to Arrow and DuckDB types.
STRING, BIGINT, INT, DOUBLE, BOOLEAN = "string", "bigint", "int", "double", "boolean"

PARTITIONS = (("tenant_id", STRING), ("dt", STRING))
# Written on every row of every table: which change of which entity this row is.
CHANGE_COLUMNS = (
    ("schema_version", INT),
    ("event_seq", STRING),  # the stream's sequence number, zero-padded: orders an entity's changes
    ("event_name", STRING),  # INSERT | MODIFY | REMOVE
    ("event_at", BIGINT),  # epoch ms of the change
)


@dataclass(frozen=True)
class Table:
    name: str
    version: int
    key: tuple[str, ...]  # what identifies one entity across its changes
    columns: tuple[tuple[str, str], ...]
    source: str | None  # the DynamoDB table whose stream feeds it; None: uploaded

    @property
    def all_columns(self) -> tuple[tuple[str, str], ...]:
        return self.columns + CHANGE_COLUMNS

    @property
    def prefix(self) -> str:
        return f"events/{self.name}/"


SESSIONS = Table(
    "sessions", 1, ("session_id",),
    (
        ("session_id", STRING), ("site_id", STRING), ("visitor_id", STRING), ("started_at", BIGINT),
        ("last_seen_at", BIGINT), ("source", STRING), ("medium", STRING), ("campaign", STRING),
        ("keyword", STRING), ("landing_page", STRING), ("referrer_domain", STRING), ("gclid", STRING),
        ("country", STRING), ("region", STRING), ("city", STRING), ("pages_viewed", INT),
    ),
    "visits",
)

LEASES = Table(
    "leases", 1, ("line", "lease_started"),
    (
        ("line", STRING), ("lease_started", STRING), ("pool_id", STRING), ("session_id", STRING),
        ("number", STRING), ("started_at", BIGINT), ("ended_at", BIGINT), ("shared", BOOLEAN),
    ),
    "lease_history",
)

# Version 2 added the carrier's view of the call's end (call_seconds: the caller's whole
# time on the line) and the missed-call texts about it: how many were sent, delivered and
# failed (failed or undelivered) and the first failure's carrier error code. In version 1
# rows these read as null, meaning "not tracked yet", not "no texts"; `status` may also be
# `abandoned` from version 2 on (the caller hung up before any outcome was stored).
# Version 3 added the visitor's journey: the first touch and the last non-direct touch
# across their visits (the attributed visit's when every later one was direct), and the
# attribution's confidence level (high, medium, low). Version 1 and 2 rows read them as
# null ("journey not tracked yet"), as do calls with no known visitor. `shared_line` then
# stopped meaning "had a runner-up": candidates are ranked over days, so it is read from
# the candidates that held the line at the call (changes._on_shared_line).
# Version 4 added what the business says about the call (ringback.calls.leads): its lead
# status (new until somebody qualifies it), a sale's value and currency, and its tags, comma
# separated in the order set ("" when none; a tag holds no comma). Version 1 to 3 rows read
# them as null ("not tracked yet"), which no report counts as a lead.
CALLS = Table(
    "calls", 4, ("call_id",),
    (
        ("call_id", STRING), ("site_id", STRING), ("tracking_number", STRING), ("caller_key", STRING),
        ("started_at", BIGINT), ("status", STRING), ("answered", BOOLEAN), ("attribution_method", STRING),
        ("session_id", STRING), ("confidence", DOUBLE), ("shared_line", BOOLEAN), ("source", STRING),
        ("medium", STRING), ("campaign", STRING), ("keyword", STRING), ("landing_page", STRING),
        ("first_time_caller", BOOLEAN), ("caller_country", STRING), ("ring_seconds", INT),
        ("talk_seconds", INT),
        ("call_seconds", INT), ("alerts_sent", INT), ("alerts_delivered", INT), ("alerts_failed", INT),
        ("alert_error_code", STRING),
        ("first_touch_source", STRING), ("first_touch_medium", STRING), ("first_touch_campaign", STRING),
        ("first_touch_keyword", STRING), ("first_touch_landing_page", STRING),
        ("last_touch_source", STRING), ("last_touch_medium", STRING), ("last_touch_campaign", STRING),
        ("last_touch_keyword", STRING), ("last_touch_landing_page", STRING),
        ("confidence_level", STRING),
        ("lead_status", STRING), ("lead_value", DOUBLE), ("lead_currency", STRING), ("tags", STRING),
    ),
    "calls",
)

CALLBACKS = Table(
    "callbacks", 1, ("request_id",),
    (
        ("request_id", STRING), ("site_id", STRING), ("phone_key", STRING), ("created_at", BIGINT),
        ("status", STRING), ("session_id", STRING), ("source", STRING), ("medium", STRING),
        ("campaign", STRING), ("keyword", STRING), ("rounds", INT), ("operator_answered_at", BIGINT),
        ("visitor_answered_at", BIGINT), ("ended_at", BIGINT), ("talk_seconds", INT),
    ),
    "callback_requests",
)

AD_SPEND = Table(
    "ad_spend", 1, ("day", "source", "medium", "campaign"),
    (
        ("day", STRING), ("source", STRING), ("medium", STRING), ("campaign", STRING), ("spend", DOUBLE),
        ("currency", STRING), ("clicks", BIGINT),
    ),
    None,
)

TABLES: tuple[Table, ...] = (SESSIONS, LEASES, CALLS, CALLBACKS, AD_SPEND)
BY_SOURCE = {t.source: t for t in TABLES if t.source}


def table(name: str) -> Table:
    return next(t for t in TABLES if t.name == name)
