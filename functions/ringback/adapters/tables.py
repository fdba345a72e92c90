"""Every DynamoDB table of the product, defined once as a PynamoDB model.

The same classes are used by the adapters at run time, by the local stack to create
the tables on moto, and by infra/ to synthesize the CDK tables (infra/constructs/data.py
reads key schemas, GSIs and TTL attributes from `table_specs()`), so code and template
cannot disagree. docs/data-model.md lists the access pattern behind every key.

Times are epoch milliseconds (NumberAttribute) so they compare and sort in key
conditions; TTL attributes are epoch seconds as DynamoDB requires.
"""
from __future__ import annotations

from dataclasses import dataclass

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
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model


class _Meta:
    # Placeholders until bind_tables() runs; a model used unbound fails loudly on the
    # placeholder region rather than silently reaching a real account.
    region = "unbound"
    host = None
    billing_mode = "PAY_PER_REQUEST"
    stream_view_type = None  # tables that feed analytics set NEW_AND_OLD_IMAGES


class _Streamed(_Meta):
    # Analytics (functions/reports) consumes these tables' changes from DynamoDB Streams.
    stream_view_type = "NEW_AND_OLD_IMAGES"


# --- Accounts -----------------------------------------------------------------------


class TenantsByParent(GlobalSecondaryIndex):
    """An agency lists its client sub-accounts."""

    class Meta:
        index_name = "by_parent"
        projection = AllProjection()

    parent_id = UnicodeAttribute(hash_key=True)
    tenant_id = UnicodeAttribute(range_key=True)


class TenantRecord(Model):
    """A paying customer, or an agency whose clients are tenants with parent_id set."""

    class Meta(_Meta):
        table_name = "tenants"

    tenant_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    kind = UnicodeAttribute(default="customer")  # customer | agency
    parent_id = UnicodeAttribute(null=True)  # the agency that manages this client
    plan = UnicodeAttribute(default="trial")
    retention_days = NumberAttribute(default=395)
    created_at = NumberAttribute()
    by_parent = TenantsByParent()


class MembersByUser(GlobalSecondaryIndex):
    """After sign-in: which tenants may this user act for."""

    class Meta:
        index_name = "by_user"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    tenant_id = UnicodeAttribute(range_key=True)


class MemberRecord(Model):
    """A dashboard user (Cognito `sub`) and their role in one tenant."""

    class Meta(_Meta):
        table_name = "members"

    tenant_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute(range_key=True)
    email = UnicodeAttribute()
    role = UnicodeAttribute(default="owner")  # owner | admin | analyst | operator
    created_at = NumberAttribute()
    by_user = MembersByUser()


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

    class Meta(_Meta):
        table_name = "sites"

    site_id = UnicodeAttribute(hash_key=True)
    tenant_id = UnicodeAttribute()
    name = UnicodeAttribute()
    site_key = UnicodeAttribute()
    domains = UnicodeSetAttribute()  # allowed origins' hosts; "*.example.com" allows subdomains
    own_numbers = ListAttribute(of=UnicodeAttribute, default=list)  # E.164 numbers printed on the site
    destination_numbers = ListAttribute(of=UnicodeAttribute, default=list)  # where calls are forwarded
    alert_contacts = ListAttribute(of=UnicodeAttribute, default=list)  # missed-call SMS recipients
    country = UnicodeAttribute(default="US")  # default region for parsing visitor numbers
    timezone = UnicodeAttribute(default="UTC")
    working_hours = JSONAttribute(default=dict)  # {"mon": [["09:00", "18:00"]], ...}
    settings = JSONAttribute(default=dict)  # widget, recording, whisper, rules
    created_at = NumberAttribute()
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

    class Meta(_Meta):
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

    class Meta(_Meta):
        table_name = "pools"

    pool_id = UnicodeAttribute(hash_key=True)
    tenant_id = UnicodeAttribute()
    site_id = UnicodeAttribute()
    name = UnicodeAttribute()
    mode = UnicodeAttribute(default="numbers")  # numbers | extensions
    lease_seconds = NumberAttribute(default=900)  # 180 .. 604800
    exhaustion_policy = UnicodeAttribute(default="default_number")  # default_number | share_oldest
    shards = NumberAttribute(default=1)  # free-list partitions, for pools beyond ~1,000 writes/s
    rule = JSONAttribute(default=dict)  # which visits this pool serves
    overflow_count = NumberAttribute(default=0)
    created_at = NumberAttribute()
    by_site = PoolsBySite()


# --- Leases ---------------------------------------------------------------------------


class SlotsByPoolFreeAt(GlobalSecondaryIndex):
    """The free list: the first item of (pool shard, free_at <= now) is the line free longest."""

    class Meta:
        index_name = "by_pool_free_at"
        projection = KeysOnlyProjection()

    pool_key = UnicodeAttribute(hash_key=True)  # "{pool_id}#{shard}"
    free_at = NumberAttribute(range_key=True)


class PoolSlotRecord(Model):
    """The lease state of one line of a pool: a number, or a number plus an extension code.

    A slot is never deleted while its number is in the pool; `free_at` is when the current
    lease ends (or ended). Allocation reads it through the GSI and grabs it with a write
    conditioned on the free_at it read, which is what makes a double lease impossible.
    """

    class Meta(_Meta):
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
    by_pool_free_at = SlotsByPoolFreeAt()


class LeaseRecord(Model):
    """A live lease of one line to one session; DynamoDB's TTL removes it after expiry.

    Readers compare `expires_at` themselves: TTL deletion is lazy (up to days late).
    """

    class Meta(_Meta):
        table_name = "leases"

    session_id = UnicodeAttribute(hash_key=True)
    line = UnicodeAttribute(range_key=True)
    tenant_id = UnicodeAttribute()
    pool_id = UnicodeAttribute()
    leased_at = NumberAttribute()
    expires_at = NumberAttribute()
    history_key = UnicodeAttribute()  # the range key of this lease's history item
    shared = BooleanAttribute(default=False)
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


class LeaseHistoryRecord(Model):
    """Who held a line from when until when, kept for the tenant's retention period.

    `started` is "{leased_at:013d}#{session_id}", so the holder at instant t is the first
    item at or before t in descending order whose `ended_at` is not before t.
    """

    class Meta(_Streamed):
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
    retain_until = TTLAttribute()
    by_visitor = HistoryByVisitor()
    by_pool = HistoryByPool()


# --- Visits ---------------------------------------------------------------------------


class VisitsByVisitor(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_visitor"
        projection = AllProjection()

    visitor_key = UnicodeAttribute(hash_key=True)
    started_at = NumberAttribute(range_key=True)


class VisitRecord(Model):
    """One visitor session on a site, with everything attribution needs."""

    class Meta(_Streamed):
        table_name = "visits"

    session_id = UnicodeAttribute(hash_key=True)
    tenant_id = UnicodeAttribute()
    site_id = UnicodeAttribute()
    client_id = UnicodeAttribute()  # first-party id the script keeps in localStorage
    visitor_key = UnicodeAttribute()
    started_at = NumberAttribute()
    last_seen_at = NumberAttribute()
    utm = MapAttribute(default=dict)  # source, medium, campaign, term, content
    gclid = UnicodeAttribute(null=True)
    yclid = UnicodeAttribute(null=True)
    referrer = UnicodeAttribute(null=True)
    referrer_domain = UnicodeAttribute(null=True)
    landing_page = UnicodeAttribute(null=True)
    keyword = UnicodeAttribute(null=True)
    region = MapAttribute(default=dict)  # country, region, city from CloudFront viewer headers
    pages_viewed = NumberAttribute(default=1)
    shown_lines = ListAttribute(of=UnicodeAttribute, default=list)
    clicks = ListAttribute(default=list)  # [{"line": ..., "at": ms}] from tel: click beacons
    retain_until = TTLAttribute()
    by_visitor = VisitsByVisitor()


# --- Calls and callbacks ----------------------------------------------------------------


class CallsByTenantTime(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_tenant_time"
        projection = AllProjection()

    tenant_id = UnicodeAttribute(hash_key=True)
    started_at = NumberAttribute(range_key=True)


class CallsByCaller(GlobalSecondaryIndex):
    """First-time or returning caller, and a caller's history, in one Query."""

    class Meta:
        index_name = "by_tenant_caller"
        projection = IncludeProjection(["status", "site_id"])

    tenant_caller = UnicodeAttribute(hash_key=True)  # "{tenant_id}#{caller E.164}"
    started_at = NumberAttribute(range_key=True)


class CallRecord(Model):
    """An inbound call to a tracking number. Keyed by the carrier's call id, so a
    webhook retried by the carrier lands on the same item (conditional put)."""

    class Meta(_Streamed):
        table_name = "calls"

    call_id = UnicodeAttribute(hash_key=True)  # "{provider}:{CallSid}"
    tenant_id = UnicodeAttribute()
    site_id = UnicodeAttribute()
    tracking_number = UnicodeAttribute()
    caller = UnicodeAttribute()
    tenant_caller = UnicodeAttribute()
    started_at = NumberAttribute()
    status = UnicodeAttribute(default="ringing")
    attribution = JSONAttribute(default=dict)
    outcome = JSONAttribute(default=dict)  # ring/talk seconds, voicemail
    # Written apart from the outcome: the recording callback and the Dial action race.
    recordings = MapAttribute(default=dict)  # recording sid -> S3 key
    # The missed-call texts about this call: message id -> {to, from, status, error_code,
    # rank}; each entry moves only forward (its rank), as the message's status callbacks do.
    alerts = MapAttribute(default=dict)
    # The carrier's final status callback: how the call itself ended and the caller's whole
    # time on the line (CallDuration). The operator's talk time is the outcome's.
    carrier_status = UnicodeAttribute(null=True)
    call_seconds = NumberAttribute(null=True)
    retain_until = TTLAttribute(null=True)
    by_tenant_time = CallsByTenantTime()
    by_tenant_caller = CallsByCaller()


class CallbacksByTenantTime(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_tenant_time"
        projection = AllProjection()

    tenant_id = UnicodeAttribute(hash_key=True)
    created_at = NumberAttribute(range_key=True)


class CallbacksBySitePhone(GlobalSecondaryIndex):
    """Repeats for one phone within a window merge into one request."""

    class Meta:
        index_name = "by_site_phone"
        projection = KeysOnlyProjection()

    site_phone = UnicodeAttribute(hash_key=True)  # "{site_id}#{visitor E.164}"
    created_at = NumberAttribute(range_key=True)


class CallbackRequestRecord(Model):
    """A visitor's request to be called back, and every state it went through. Written
    read-modify-write, conditioned on `version` (the workflow and webhooks race)."""

    class Meta(_Streamed):
        table_name = "callback_requests"

    request_id = UnicodeAttribute(hash_key=True)
    tenant_id = UnicodeAttribute()
    site_id = UnicodeAttribute()
    session_id = UnicodeAttribute(null=True)
    phone = UnicodeAttribute()
    site_phone = UnicodeAttribute()
    created_at = NumberAttribute()
    updated_at = NumberAttribute(default=0)
    scheduled_for = NumberAttribute(null=True)
    retry_at = NumberAttribute(null=True)
    status = UnicodeAttribute(default="accepted")
    rounds = JSONAttribute(default=list)  # [{"round", "leg_seq", "result", "at"}]
    pending = JSONAttribute(null=True)  # the round being rung, with its task token
    transitions = JSONAttribute(default=list)  # [{"status": ..., "at": ms, ...detail}]
    attribution = JSONAttribute(default=dict)
    outcome = JSONAttribute(default=dict)
    recordings = MapAttribute(default=dict)  # recording sid -> S3 key
    alerts = MapAttribute(default=dict)  # missed-callback texts, as on CallRecord
    locale = UnicodeAttribute(null=True)
    version = NumberAttribute(default=1)
    retain_until = TTLAttribute(null=True)
    by_tenant_time = CallbacksByTenantTime()
    by_site_phone = CallbacksBySitePhone()


class LegsByCallId(GlobalSecondaryIndex):
    """A carrier status webhook names only the call id; this finds its callback leg."""

    class Meta:
        index_name = "by_call_id"
        projection = AllProjection()

    call_id = UnicodeAttribute(hash_key=True)


class CallbackLegRecord(Model):
    """One call placed for a callback: the operator's or the visitor's, per round."""

    class Meta(_Streamed):
        table_name = "callback_legs"

    request_id = UnicodeAttribute(hash_key=True)
    leg = UnicodeAttribute(range_key=True)  # "{round:02d}#{role}#{seq:02d}"
    call_id = UnicodeAttribute(null=True)  # absent until the carrier has taken the call
    role = UnicodeAttribute()  # operator | visitor
    number = UnicodeAttribute()
    status = UnicodeAttribute(default="queued")
    started_at = NumberAttribute()
    answered_at = NumberAttribute(null=True)
    ring_seconds = NumberAttribute(null=True)
    talk_seconds = NumberAttribute(null=True)
    error_code = UnicodeAttribute(null=True)  # the carrier refused to place it (Twilio's code)
    by_call_id = LegsByCallId()


class MessageRecord(Model):
    """A text we sent through the carrier (a missed-call or missed-callback alert), keyed
    by the carrier's message id, so its status callbacks land on it. The status only moves
    forward (`status_rank`: queued < sent < delivered | undelivered | failed), so a retried
    or late callback changes nothing."""

    class Meta(_Meta):
        table_name = "messages"

    message_id = UnicodeAttribute(hash_key=True)  # "{provider}:{MessageSid}", or "unsent:..." when refused
    tenant_id = UnicodeAttribute(null=True)  # null only while a status callback beat our own write
    site_id = UnicodeAttribute(null=True)
    purpose = UnicodeAttribute(null=True)  # missed_call | missed_callback
    call_id = UnicodeAttribute(null=True)  # what the text was about: a call ...
    request_id = UnicodeAttribute(null=True)  # ... or a callback request
    to = UnicodeAttribute(null=True)
    sender = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    status_rank = NumberAttribute()
    error_code = UnicodeAttribute(null=True)
    created_at = NumberAttribute(null=True)
    updated_at = NumberAttribute()


# --- Guards -----------------------------------------------------------------------------


class RateCounterRecord(Model):
    """A fixed-window counter: one atomic ADD per request, expired by TTL."""

    class Meta(_Meta):
        table_name = "rate_counters"

    bucket = UnicodeAttribute(hash_key=True)  # "{scope}#{subject}#{window start}"
    hits = NumberAttribute(default=0)
    expire_after = TTLAttribute()


class IdempotencyRecord(Model):
    """Powertools idempotency's table; Powertools reads and writes it, we only define it."""

    class Meta(_Meta):
        table_name = "idempotency"

    id = UnicodeAttribute(hash_key=True)
    expiration = TTLAttribute()


ALL_MODELS: tuple[type[Model], ...] = (
    TenantRecord,
    MemberRecord,
    SiteRecord,
    TrackingNumberRecord,
    PoolRecord,
    PoolSlotRecord,
    LeaseRecord,
    LeaseHistoryRecord,
    VisitRecord,
    CallRecord,
    CallbackRequestRecord,
    CallbackLegRecord,
    MessageRecord,
    RateCounterRecord,
    IdempotencyRecord,
)


# --- One description of each table for the local stack and CDK --------------------------

_DYNAMO_TYPES = {"S": "S", "N": "N", "B": "B"}


@dataclass(frozen=True)
class KeySpec:
    name: str
    type: str  # S | N | B


@dataclass(frozen=True)
class IndexSpec:
    name: str
    partition: KeySpec
    sort: KeySpec | None
    projection: str  # ALL | KEYS_ONLY | INCLUDE
    non_key_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableSpec:
    """What CloudFormation and CreateTable need, read from a model."""

    logical_name: str
    model: type[Model]
    partition: KeySpec
    sort: KeySpec | None
    indexes: tuple[IndexSpec, ...]
    ttl_attribute: str | None
    stream_view_type: str | None


def _key(attr) -> KeySpec:
    return KeySpec(attr.attr_name, _DYNAMO_TYPES[attr.attr_type])


def _spec(model: type[Model], logical_name: str) -> TableSpec:
    attrs = model.get_attributes()
    partition = next(a for a in attrs.values() if a.is_hash_key)
    sort = next((a for a in attrs.values() if a.is_range_key), None)
    indexes = []
    for index in model._indexes.values():
        index_attrs = index.Meta.attributes
        ipart = next(a for a in index_attrs.values() if a.is_hash_key)
        isort = next((a for a in index_attrs.values() if a.is_range_key), None)
        projection = index.Meta.projection
        indexes.append(
            IndexSpec(
                name=index.Meta.index_name,
                partition=_key(ipart),
                sort=_key(isort) if isort else None,
                projection=projection.projection_type,
                non_key_attributes=tuple(getattr(projection, "non_key_attributes", None) or ()),
            )
        )
    ttl = next((a.attr_name for a in attrs.values() if isinstance(a, TTLAttribute)), None)
    return TableSpec(
        logical_name=logical_name,
        model=model,
        partition=_key(partition),
        sort=_key(sort) if sort else None,
        indexes=tuple(sorted(indexes, key=lambda i: i.name)),
        ttl_attribute=ttl,
        stream_view_type=model.Meta.stream_view_type,
    )


_LOGICAL_NAMES = {model: model.Meta.table_name for model in ALL_MODELS}


def table_specs() -> tuple[TableSpec, ...]:
    return tuple(_spec(model, _LOGICAL_NAMES[model]) for model in ALL_MODELS)


def bind_tables(names: dict[str, str], region: str, host: str | None) -> Connection:
    """Point every model at its physical table, before first use, over one connection.

    `names` maps logical name ("calls") to physical table name ("ringback-dev-calls").
    Left alone, PynamoDB gives each model its own botocore session and client, and each
    costs about 100 ms of CPU on its first request (botocore parses its endpoint rules
    again per session): fifteen of them were most of a first page view. One client, which
    botocore makes thread-safe, serves every table; the caller may build it at start-up
    (`connection.client`), as a Lambda builds its clients during init. Rebinding (a test
    process pointed at another server) replaces it.
    """
    shared = Connection(region=region, host=host)
    for model in ALL_MODELS:
        logical = _LOGICAL_NAMES[model]
        model.Meta.table_name = names[logical]
        model.Meta.region = region
        model.Meta.host = host
        model._connection = None
        table = model._get_connection()
        shared.add_meta_table(table.get_meta_table())
        table.connection = shared
    return shared
