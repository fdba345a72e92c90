"""One table change, as DynamoDB Streams reports it, becomes one analytics row.

A change names its source table (logical: "calls"), what happened (INSERT, MODIFY,
REMOVE), the stream's sequence number, roughly when (epoch ms), and the item after and
before it, as plain Python values (the adapter has already decoded DynamoDB's JSON).
`to_row()` answers which analytics table the change belongs to and the row to append:
the entity's columns as they are after the change, the change columns, and the
partition (`tenant_id`, `dt`).

- `dt` is the day (UTC) the entity began: every change of one entity lands in one
  partition, so a report takes its latest state with one window.
- Phone numbers never leave this module: a caller (and a callback's visitor) is an
  HMAC-SHA256 of the E.164 number keyed by the tenant's id, the same function for both,
  so a tenant's reports can tell first-time from returning callers and join calls to
  callbacks without holding a number.
- `event_seq` is the sequence number zero-padded to DynamoDB's maximum of 40 digits, so
  comparing the strings (what SQL's ORDER BY does) compares the numbers.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ringback.analytics.schema import BY_SOURCE, CALLBACKS, CALLS, LEASES, SESSIONS, Table
from ringback.analytics.touches import journey_columns
from ringback.callbacks.model import FINAL as CALLBACK_FINAL
from ringback.calls.alerts import alert_counts
from ringback.calls.leads import lead_of
from ringback.tracking.visits import Visit

SEQ_DIGITS = 40  # DynamoDB Streams sequence numbers have 21 to 40 digits
KEY_CHARS = 32


class UnusableChange(ValueError):
    """A change of a streamed table that cannot become a row (no tenant, no start time):
    a bug upstream. It fails the batch rather than vanish, so it ends in the dead letters."""


@dataclass(frozen=True)
class Change:
    source: str  # the logical DynamoDB table: "calls"
    event_name: str  # INSERT | MODIFY | REMOVE
    sequence_number: str  # as the stream gives it: what a partial batch failure names
    at_ms: int
    new: dict[str, Any] | None = field(default=None, repr=False)
    old: dict[str, Any] | None = field(default=None, repr=False)
    # A REMOVE done by DynamoDB's TTL (its retention ended), not by the product: only the
    # product's own deletes (a caller's erasure) take the entity's rows with it.
    by_ttl: bool = False

    @property
    def event_seq(self) -> str:
        return pad_seq(self.sequence_number)


def pad_seq(sequence_number: str) -> str:
    if not sequence_number.isdigit() or len(sequence_number) > SEQ_DIGITS:
        raise UnusableChange(f"not a stream sequence number: {sequence_number!r}")
    return sequence_number.zfill(SEQ_DIGITS)


def phone_key(tenant_id: str, number: str | None, secret: str | None = None) -> str | None:
    """A number's stand-in in analytics: stable within a tenant, different across tenants.
    Keyed by the deployment's analytics key (Settings.analytics_key) with the tenant id:
    without the secret, the few billion possible numbers could be tried one by one."""
    if not number:
        return None
    key = f"{secret}:{tenant_id}" if secret else tenant_id
    digest = hmac.new(key.encode(), number.encode(), hashlib.sha256).hexdigest()
    return digest[:KEY_CHARS]


def day_of(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d")


def to_row(change: Change, secret: str | None = None) -> tuple[Table, dict[str, Any]] | None:
    """The row this change appends, or None when it is no business event."""
    table = BY_SOURCE.get(change.source)
    if table is None:
        return None  # a streamed table analytics does not keep (callback_legs)
    if change.event_name == "REMOVE":
        # The product never deletes these items; only TTL does, when the tenant's
        # retention ends. That is housekeeping, not something that happened to the call
        # or session, and the analytics bucket has its own retention: nothing to write.
        return None
    if change.event_name not in ("INSERT", "MODIFY"):
        raise UnusableChange(f"unknown stream event {change.event_name!r}")
    item = change.new
    if not item:
        raise UnusableChange(f"{change.source} change {change.sequence_number} has no new image")
    tenant_id = item.get("tenant_id")
    if not tenant_id:
        raise UnusableChange(f"{change.source} change {change.sequence_number} has no tenant")
    columns = _ROWS[table.name](item, tenant_id)
    for column in ("caller_key", "phone_key"):  # the row makers leave the number; it is keyed here
        if column in columns:
            columns[column] = phone_key(tenant_id, columns[column], secret)
    start = _int(columns.get(_START[table.name]))
    if start is None:
        raise UnusableChange(f"{change.source} change {change.sequence_number} has no start time")
    row = {name: columns.get(name) for name, _ in table.columns}
    row.update(schema_version=table.version, event_seq=change.event_seq, event_name=change.event_name,
               event_at=int(change.at_ms), tenant_id=tenant_id, dt=day_of(start))
    return table, row


# -- one function per source table --------------------------------------------------------

_START = {SESSIONS.name: "started_at", LEASES.name: "started_at", CALLS.name: "started_at",
          CALLBACKS.name: "created_at"}


def _session(item: dict[str, Any], tenant_id: str) -> dict[str, Any]:
    # The visit's own rule for what a call would be attributed to: the same source and
    # medium the call log shows.
    visit = Visit(
        session_id=item["session_id"], tenant_id=tenant_id, site_id=item.get("site_id", ""),
        client_id=item.get("client_id", ""), started_at=0, last_seen_at=0, utm=dict(item.get("utm") or {}),
        gclid=item.get("gclid"), referrer_domain=item.get("referrer_domain"),
        landing_page=item.get("landing_page"), keyword=item.get("keyword"),
    )
    source = visit.source()
    region = item.get("region") or {}
    return {
        "session_id": item["session_id"], "site_id": item.get("site_id"), "visitor_id": item.get("client_id"),
        "started_at": _int(item.get("started_at")), "last_seen_at": _int(item.get("last_seen_at")),
        "source": source["source"], "medium": source["medium"], "campaign": source["campaign"],
        "keyword": source["keyword"], "landing_page": source["landing_page"],
        "referrer_domain": item.get("referrer_domain"), "gclid": item.get("gclid"),
        "country": region.get("country"), "region": region.get("region"), "city": region.get("city"),
        "pages_viewed": _int(item.get("pages_viewed")),
    }


def _lease(item: dict[str, Any], tenant_id: str) -> dict[str, Any]:
    line = item["line"]
    return {
        "line": line, "lease_started": item.get("started"), "pool_id": item.get("pool_id"),
        "session_id": item.get("session_id"), "number": line.partition(",")[0],
        "started_at": _int(item.get("started_at")), "ended_at": _int(item.get("ended_at")),
        "shared": bool(item.get("shared", False)),
    }


def _call(item: dict[str, Any], tenant_id: str) -> dict[str, Any]:
    attribution = _json(item.get("attribution"), {})
    outcome = _json(item.get("outcome"), {})
    status = item.get("status")
    alerts = alert_counts(item.get("alerts") or {})
    return {
        "call_id": item["call_id"], "site_id": item.get("site_id"), "tracking_number": item.get("tracking_number"),
        "caller_key": item.get("caller"), "started_at": _int(item.get("started_at")),
        "status": status, "answered": status == "answered",
        "attribution_method": attribution.get("method"), "session_id": attribution.get("session_id"),
        "confidence": _float(attribution.get("confidence")), "shared_line": _on_shared_line(attribution),
        **_source(attribution),
        "landing_page": attribution.get("landing_page"),
        "first_time_caller": _bool(attribution.get("first_time_caller")),
        "caller_country": attribution.get("caller_country"),
        "ring_seconds": _int(outcome.get("ring_seconds")), "talk_seconds": _int(outcome.get("talk_seconds")),
        "call_seconds": _int(item.get("call_seconds")),
        "alerts_sent": alerts["sent"], "alerts_delivered": alerts["delivered"], "alerts_failed": alerts["failed"],
        "alert_error_code": alerts["error_code"],
        # The visitor's journey, for reports that credit the first or the last touch.
        **journey_columns(attribution),
        "confidence_level": attribution.get("level"),
        **_lead(lead_of(_json(item.get("lead"), None))),
    }


def _callback(item: dict[str, Any], tenant_id: str) -> dict[str, Any]:
    attribution = _json(item.get("attribution"), {})
    outcome = _json(item.get("outcome"), {})
    transitions = _json(item.get("transitions"), [])
    rounds = _json(item.get("rounds"), [])
    ended = next((t for t in reversed(transitions) if t.get("status") in CALLBACK_FINAL), None)
    return {
        "request_id": item["request_id"], "site_id": item.get("site_id"),
        "phone_key": item.get("phone"), "created_at": _int(item.get("created_at")),
        "status": item.get("status"), "session_id": item.get("session_id") or attribution.get("session_id"),
        **_source(attribution),
        "rounds": len(rounds),
        "operator_answered_at": _first_at(transitions, "calling_visitor"),
        "visitor_answered_at": _first_at(transitions, "connected"),
        # When the request reached its final status; open requests have none yet.
        "ended_at": _int(ended.get("at")) if ended else None,
        "talk_seconds": _int(outcome.get("talk_seconds")),
    }


_ROWS: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
    SESSIONS.name: _session, LEASES.name: _lease, CALLS.name: _call, CALLBACKS.name: _callback,
}


# -- helpers ------------------------------------------------------------------------------


def _source(attribution: dict[str, Any]) -> dict[str, Any]:
    return {name: attribution.get(name) for name in ("source", "medium", "campaign", "keyword")}


def _lead(lead: dict[str, Any]) -> dict[str, Any]:
    """A call never qualified is a new lead; only a sale has a value."""
    return {"lead_status": lead.get("status"), "lead_value": _float(lead.get("value")),
            "lead_currency": lead.get("currency"), "tags": ",".join(lead.get("tags") or ())}


def _on_shared_line(attribution: dict[str, Any]) -> bool:
    """Did the call come while the line had more than one holder. Since the candidates are
    stored (ranked over days), a runner-up is only the next likeliest visitor: a shared line
    is a holder at the call whose lease was flagged shared, or two holders. Before, the
    candidates were only the line's holders, so any runner-up meant a shared line."""
    candidates = attribution.get("candidates")
    if candidates is None:
        return bool(attribution.get("runner_up"))
    holding = [set(c.get("reasons") or ()) for c in candidates if "held" in (c.get("reasons") or ())]
    return len(holding) > 1 or any("shared" in reasons for reasons in holding)


def _first_at(transitions: list[dict[str, Any]], status: str) -> int | None:
    return next((_int(t.get("at")) for t in transitions if t.get("status") == status), None)


def _json(value: Any, empty: Any) -> Any:
    """A JSONAttribute arrives as its JSON text; tolerate an already decoded value."""
    if value is None or value == "":
        return empty
    if isinstance(value, str):
        decoded = json.loads(value)
        return empty if decoded is None else decoded
    return value


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)
