"""Rate counters and idempotency records."""
from __future__ import annotations

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.models import Model

from ringback.adapters.tables.base import TableMeta

# --- Guards -----------------------------------------------------------------------------


class RateCounterRecord(Model):
    """A fixed-window counter: one atomic ADD per request, expired by TTL."""

    class Meta(TableMeta):
        table_name = "rate_counters"

    bucket = UnicodeAttribute(hash_key=True)  # "{scope}#{subject}#{window start}"
    hits = NumberAttribute(default=0)
    expire_after = TTLAttribute()


class IdempotencyRecord(Model):
    """Powertools idempotency's table; Powertools reads and writes it, we only define it."""

    class Meta(TableMeta):
        table_name = "idempotency"

    id = UnicodeAttribute(hash_key=True)
    expiration = TTLAttribute()


