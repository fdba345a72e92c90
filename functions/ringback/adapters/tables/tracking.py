"""Sites, their tracking numbers, pools, leases and visits."""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from ringback.adapters.tables.base import StreamedMeta, TableMeta, string_list

# --- Sites and numbers ----------------------------------------------------------------


class SitesByTenant(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_tenant"
        projection = AllProjection()

    tenant_id = UnicodeAttribute(hash_key=True)
    site_id = UnicodeAttribute(range_key=True)


class SitesByKey(GlobalSecondaryIndex):
    """Public endpoints receive the site key from the snippet, never the site id."""

    class Meta:
        index_name = "by_site_key"
        projection = AllProjection()

    site_key = UnicodeAttribute(hash_key=True)


class SiteRecord(Model):
    """A customer's website: where the snippet may run and how calls are handled."""

    class Meta(TableMeta):
        table_name = "sites"

    site_id = UnicodeAttribute(hash_key=True)
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    site_key = UnicodeAttribute()
    domains = UnicodeSetAttribute()  # allowed origins' hosts; "*.example.com" allows subdomains
    own_numbers = string_list(default=list)  # E.164 numbers printed on the site
    destination_numbers = string_list(default=list)  # where calls are forwarded
    alert_contacts = string_list(default=list)  # missed-call SMS recipients
    country = UnicodeAttribute(default="US")  # default region for parsing visitor numbers
    timezone = UnicodeAttribute(default="UTC")
    working_hours = JSONAttribute(default=dict)  # {"mon": [["09:00", "18:00"]], ...}
    settings = JSONAttribute(default=dict)  # widget, recording, whisper, rules
    created_at = NumberAttribute()
    version = NumberAttribute(null=True)  # +1 on each save; updates are conditioned on it
    by_tenant = SitesByTenant()
    by_site_key = SitesByKey()


class NumbersBySite(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_site"
        projection = AllProjection()

    site_id = UnicodeAttribute(hash_key=True)
    number = UnicodeAttribute(range_key=True)


class StaticNumbersBySite(GlobalSecondaryIndex):
    """Sparse: only static numbers carry static_site_id, so session start reads a site's
    static channels in one Query without touching its (possibly large) pools."""

    class Meta:
        index_name = "static_by_site"
        projection = AllProjection()

    static_site_id = UnicodeAttribute(hash_key=True)
    number = UnicodeAttribute(range_key=True)


class TrackingNumberRecord(Model):
    """A number we rent from the carrier: static (one channel) or a member of a pool."""

    class Meta(TableMeta):
        table_name = "tracking_numbers"

    number = UnicodeAttribute(hash_key=True)  # E.164; the inbound webhook's `To`
    tenant_id = UnicodeAttribute()
    site_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # static | pool
    pool_id = UnicodeAttribute(null=True)
    channel = JSONAttribute(null=True)  # static numbers: the rule that selects it
    provider = UnicodeAttribute(default="twilio")
    provider_sid = UnicodeAttribute(null=True)
    # Every tracking number takes calls; whether the carrier lets it send texts depends on
    # the number (US local numbers can, many landlines abroad cannot). Alerts are sent
    # only from numbers that can (Twilio refuses others with error 21606).
    sms = BooleanAttribute(default=True)
    static_site_id = UnicodeAttribute(null=True)  # set for static numbers only
    created_at = NumberAttribute()
    by_site = NumbersBySite()
    static_by_site = StaticNumbersBySite()


class PoolsBySite(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_site"
        projection = AllProjection()

    site_id = UnicodeAttribute(hash_key=True)
    pool_id = UnicodeAttribute(range_key=True)


class PoolRecord(Model):
    """A set of numbers (or one number's extension codes) leased to visitor sessions."""

    class Meta(TableMeta):
        table_name = "pools"

    pool_id = UnicodeAttribute(hash_key=True)
    tenant_id = UnicodeAttribute()
    site_id = UnicodeAttribute()
    name = UnicodeAttribute()
    mode = UnicodeAttribute(default="numbers")  # numbers | extensions
    lease_seconds = NumberAttribute(default=180)  # 180 .. 604800
    exhaustion_policy = UnicodeAttribute(default="share_oldest")  # default_number | share_oldest
    shards = NumberAttribute(default=1)  # free-list partitions, for pools beyond ~1,000 writes/s
    rule = JSONAttribute(default=dict)  # which visits this pool serves
    overflow_count = NumberAttribute(default=0)
    created_at = NumberAttribute()
    version = NumberAttribute(null=True)  # +1 on each save; updates are conditioned on it
    by_site = PoolsBySite()


class QuarantineRecord(Model):
    """A number released lately (ringback.accounts.purchases): nobody buys it through us
    before `until`. TTL removes the item some days after that (`expire_after`, the same
    instant in epoch seconds); readers compare `until` themselves."""

    class Meta(TableMeta):
        table_name = "number_quarantine"

    number = UnicodeAttribute(hash_key=True)  # E.164
    until = NumberAttribute()
    tenant_id = UnicodeAttribute()  # who released it
    released_at = NumberAttribute()
    expire_after = TTLAttribute()


# --- Leases ---------------------------------------------------------------------------


class SlotsByPoolFreeAt(GlobalSecondaryIndex):
    """A pool shard's lines in free-at order: the first is the line free longest, or, when
    all are held, the one whose holder was active least recently. `sequence` is projected
    so that one Query is all an allocation reads (the next code comes from it)."""

    class Meta:
        index_name = "by_pool_free_at"
        projection = IncludeProjection(["sequence"])

    pool_key = UnicodeAttribute(hash_key=True)  # "{pool_id}#{shard}"
    free_at = NumberAttribute(range_key=True)


class PoolSlotRecord(Model):
    """The lease state of one line of a pool: a number, or a number plus an extension code.

    A slot is never deleted while its number is in the pool; `free_at` is when the current
    lease ends (or ended). Allocation reads it through the GSI and grabs it with a write
    conditioned on the free_at it read, which is what makes a double lease impossible.
    """

    class Meta(TableMeta):
        table_name = "pool_slots"

    line = UnicodeAttribute(hash_key=True)  # "+14155550100" or "+14155550100,123"
    pool_key = UnicodeAttribute()
    free_at = NumberAttribute(default=0)
    tenant_id = UnicodeAttribute()
    pool_id = UnicodeAttribute()
    number = UnicodeAttribute()
    extension = UnicodeAttribute(null=True)
    session_id = UnicodeAttribute(null=True)  # the current or latest holder
    leased_at = NumberAttribute(null=True)
    holders = NumberAttribute(default=0)  # >1 while shared under the share_oldest policy
    # Leases taken of the line so far (numbers mode): the next lease's code follows from it
    # (ringback.tracking.codes). Absent on slots written before codes: read as 0.
    sequence = NumberAttribute(default=0)
    by_pool_free_at = SlotsByPoolFreeAt()


class LeaseRecord(Model):
    """A live lease of one line to one session; DynamoDB's TTL removes it after expiry.

    Readers compare `expires_at` themselves: TTL deletion is lazy (up to days late).
    """

    class Meta(TableMeta):
        table_name = "leases"

    session_id = UnicodeAttribute(hash_key=True)
    line = UnicodeAttribute(range_key=True)
    tenant_id = UnicodeAttribute()
    pool_id = UnicodeAttribute()
    leased_at = NumberAttribute()
    expires_at = NumberAttribute()
    history_key = UnicodeAttribute()  # the range key of this lease's history item
    shared = BooleanAttribute(default=False)
    code = UnicodeAttribute(null=True)  # the 3-digit payload shown with the number
    expire_after = TTLAttribute()


class HistoryByVisitor(GlobalSecondaryIndex):
    """A returning visitor's previous line, to offer it again when it is free."""

    class Meta:
        index_name = "by_visitor"
        projection = AllProjection()

    visitor_key = UnicodeAttribute(hash_key=True)  # "{site_id}#{client_id}"
    started = UnicodeAttribute(range_key=True)


class HistoryByPool(GlobalSecondaryIndex):
    """A pool's leases over a window: utilisation, peak concurrency and sizing."""

    class Meta:
        index_name = "by_pool"
        projection = AllProjection()

    pool_id = UnicodeAttribute(hash_key=True)
    started = UnicodeAttribute(range_key=True)


class HistoryByNumber(GlobalSecondaryIndex):
    """Every lease of a number's lines (the number, or each "number,extension"), oldest
    first: the visits a call to that number may have come from."""

    class Meta:
        index_name = "by_number"
        projection = AllProjection()

    number = UnicodeAttribute(hash_key=True)  # E.164, the line without its extension
    started = UnicodeAttribute(range_key=True)


class LeaseHistoryRecord(Model):
    """Who held a line from when until when, kept for the tenant's retention period.

    `started` is "{leased_at:013d}#{session_id}", so the holder at instant t is the first
    item at or before t in descending order whose `ended_at` is not before t.
    """

    class Meta(StreamedMeta):
        table_name = "lease_history"

    line = UnicodeAttribute(hash_key=True)
    started = UnicodeAttribute(range_key=True)
    session_id = UnicodeAttribute()
    tenant_id = UnicodeAttribute()
    pool_id = UnicodeAttribute()
    visitor_key = UnicodeAttribute()
    started_at = NumberAttribute()
    ended_at = NumberAttribute()  # moved forward when the lease is extended
    shared = BooleanAttribute(default=False)
    code = UnicodeAttribute(null=True)  # the 3-digit payload shown with the number
    # The line without its extension. Absent on items written before the by_number index,
    # which it leaves out (a sparse index).
    number = UnicodeAttribute(null=True)
    retain_until = TTLAttribute()
    by_visitor = HistoryByVisitor()
    by_pool = HistoryByPool()
    by_number = HistoryByNumber()


# --- Visits ---------------------------------------------------------------------------


class VisitsByVisitor(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_visitor"
        projection = AllProjection()

    visitor_key = UnicodeAttribute(hash_key=True)
    started_at = NumberAttribute(range_key=True)


class VisitRecord(Model):
    """One visitor session on a site, with everything attribution needs."""

    class Meta(StreamedMeta):
        table_name = "visits"

    session_id = UnicodeAttribute(hash_key=True)
    tenant_id = UnicodeAttribute()
    site_id = UnicodeAttribute()
    client_id = UnicodeAttribute()  # first-party id the script keeps in localStorage
    visitor_key = UnicodeAttribute()
    started_at = NumberAttribute()
    last_seen_at = NumberAttribute()
    utm: MapAttribute[str, Any] = MapAttribute(default=dict)  # source, medium, campaign, term, content
    gclid = UnicodeAttribute(null=True)
    yclid = UnicodeAttribute(null=True)
    referrer = UnicodeAttribute(null=True)
    referrer_domain = UnicodeAttribute(null=True)
    landing_page = UnicodeAttribute(null=True)
    keyword = UnicodeAttribute(null=True)
    region: MapAttribute[str, Any] = MapAttribute(default=dict)  # country, region, city from CloudFront viewer headers
    device = UnicodeAttribute(null=True)  # mobile | desktop, from CloudFront's device headers
    pages_viewed = NumberAttribute(default=1)
    shown_lines = string_list(default=list)
    # [{"line": ..., "at": ms}] from tel: click beacons
    clicks: ListAttribute[dict[str, Any]] = ListAttribute(default=list)
    retain_until = TTLAttribute()
    by_visitor = VisitsByVisitor()


