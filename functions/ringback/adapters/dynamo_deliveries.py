"""The webhook delivery log on DynamoDB (ringback.ports.DeliveryLog): one item per
attempt, under its endpoint, sorted by time (tables.accounts.WebhookDeliveryRecord).

Its writers hold PutItem on it and nothing else, its reader Query alone (infra/catalog.py),
so this adapter uses just those two: a put without a condition (an SQS message delivered
twice in the same millisecond is the same attempt, and replacing it loses nothing), and
a descending Query of one endpoint's key.
"""
from __future__ import annotations

from datetime import UTC, datetime

from ringback.adapters.tables import WebhookDeliveryRecord
from ringback.calls.deliveries import KEPT_MS, DeliveryAttempt


def _endpoint_key(tenant_id: str, site_id: str, endpoint_id: str) -> str:
    return f"{tenant_id}#{site_id}#{endpoint_id}"


def _attempt(r: WebhookDeliveryRecord) -> DeliveryAttempt:
    return DeliveryAttempt(
        tenant_id=r.tenant_id, site_id=r.site_id, endpoint_id=r.endpoint_id, event_id=r.event_id,
        event_type=r.event_type, attempt=int(r.attempt), at=int(r.at), outcome=r.outcome,
        http_status=None if r.http_status is None else int(r.http_status), duration_ms=int(r.duration_ms),
        error=r.error,
    )


class DynamoDeliveryLog:
    def add(self, attempt: DeliveryAttempt) -> None:
        WebhookDeliveryRecord(
            _endpoint_key(attempt.tenant_id, attempt.site_id, attempt.endpoint_id),
            attempt.delivery_id,
            tenant_id=attempt.tenant_id, site_id=attempt.site_id, endpoint_id=attempt.endpoint_id,
            event_id=attempt.event_id, event_type=attempt.event_type, attempt=attempt.attempt, at=attempt.at,
            outcome=attempt.outcome, http_status=attempt.http_status, duration_ms=attempt.duration_ms,
            error=attempt.error,
            # TTL is epoch seconds; PynamoDB writes a datetime as such.
            expire_after=datetime.fromtimestamp((attempt.at + KEPT_MS) / 1000, tz=UTC),
        ).save()

    def of_endpoint(self, tenant_id: str, site_id: str, endpoint_id: str, since_ms: int, limit: int,
                    after: str | None) -> tuple[list[DeliveryAttempt], str | None]:
        key = _endpoint_key(tenant_id, site_id, endpoint_id)
        # The range is a key condition on the delivery id ("{at:013d}#…"): attempts older
        # than since_ms are never read, whether or not TTL has removed them yet.
        low = f"{max(since_ms, 0):013d}"
        # DynamoDB refuses a start key outside the key condition: a cursor kept past the
        # end of the window has nothing after it.
        if after is not None and after < low:
            return [], None
        # The start key's partition is always the caller's endpoint, so a cursor cannot
        # reach into another endpoint's log. One item more than the page says whether
        # another follows, so the last page has no cursor.
        start = {"endpoint": {"S": key}, "delivery_id": {"S": after}} if after is not None else None
        records = list(WebhookDeliveryRecord.query(
            key, WebhookDeliveryRecord.delivery_id >= low, scan_index_forward=False, limit=limit + 1,
            last_evaluated_key=start,
        ))
        page = [_attempt(r) for r in records[:limit]]
        return page, (page[-1].delivery_id if len(records) > limit else None)
