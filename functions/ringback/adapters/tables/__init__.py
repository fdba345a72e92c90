"""Every DynamoDB table of the product, defined once as a PynamoDB model.

The same classes are used by the adapters at run time, by the local stack to create
the tables on moto, and by infra/ to synthesize the CDK tables (infra/constructs/data.py
reads key schemas, GSIs and TTL attributes from `table_specs()`), so code and template
cannot disagree. docs/data-model.md lists the access pattern behind every key.

The models live by capability (accounts, tracking, calls, guards); this module lists
them all and turns each into the description CDK and the local stack create it from.

Times are epoch milliseconds (NumberAttribute) so they compare and sort in key
conditions; TTL attributes are epoch seconds as DynamoDB requires.
"""
from __future__ import annotations

from dataclasses import dataclass

from pynamodb.attributes import TTLAttribute
from pynamodb.connection import Connection
from pynamodb.models import Model

from ringback.adapters.tables.accounts import (
    ApiKeyRecord,
    AuditEntryRecord,
    InvitationRecord,
    MemberRecord,
    TenantRecord,
    WebhookDeliveryRecord,
)
from ringback.adapters.tables.calls import CallbackLegRecord, CallbackRequestRecord, CallRecord, MessageRecord
from ringback.adapters.tables.guards import IdempotencyRecord, RateCounterRecord
from ringback.adapters.tables.tracking import (
    LeaseHistoryRecord,
    LeaseRecord,
    PoolRecord,
    PoolSlotRecord,
    QuarantineRecord,
    SiteRecord,
    TrackingNumberRecord,
    VisitRecord,
)

ALL_MODELS: tuple[type[Model], ...] = (
    TenantRecord,
    MemberRecord,
    InvitationRecord,
    ApiKeyRecord,
    AuditEntryRecord,
    WebhookDeliveryRecord,
    SiteRecord,
    TrackingNumberRecord,
    PoolRecord,
    PoolSlotRecord,
    QuarantineRecord,
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
