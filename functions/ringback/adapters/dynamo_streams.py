"""DynamoDB Streams records, as Lambda delivers them, become `Change`s.

The record's `eventSourceARN` names the table (`.../table/ringback-prod-calls/stream/...`);
the images are DynamoDB JSON, decoded here with boto3's deserializer and with numbers
turned from Decimal into int or float, so the domain sees plain Python values.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from ringback.analytics.changes import Change

_TABLE_IN_ARN = re.compile(r":table/([^/]+)/stream/")
_deserializer = TypeDeserializer()


def table_of(event_source_arn: str, table_prefix: str) -> str:
    """The logical table name of a stream ARN: "calls" for ringback-prod-calls."""
    match = _TABLE_IN_ARN.search(event_source_arn or "")
    if match is None:
        raise ValueError(f"not a DynamoDB stream ARN: {event_source_arn!r}")
    return match.group(1).removeprefix(table_prefix)


def changes_from_event(event: dict[str, Any], table_prefix: str) -> tuple[list[Change], str | None]:
    """The batch's changes up to the first record that cannot be read, and that record's
    sequence number (None when every record reads)."""
    changes = []
    for record in event.get("Records", []):
        try:
            changes.append(change_from_record(record, table_prefix))
        except (KeyError, TypeError, ValueError, ArithmeticError):
            return changes, record["dynamodb"]["SequenceNumber"]
    return changes, None


def change_from_record(record: dict[str, Any], table_prefix: str) -> Change:
    stream = record["dynamodb"]
    return Change(
        source=table_of(record.get("eventSourceARN", ""), table_prefix),
        event_name=record["eventName"],
        sequence_number=stream["SequenceNumber"],
        # Seconds in Lambda's event (a fraction when the stream has millisecond precision).
        at_ms=int(Decimal(str(stream.get("ApproximateCreationDateTime", 0))) * 1000),
        new=_image(stream.get("NewImage")),
        old=_image(stream.get("OldImage")),
        by_ttl=_removed_by_ttl(record),
    )


def _removed_by_ttl(record: dict[str, Any]) -> bool:
    """TTL's deletes carry DynamoDB's own service identity; the product's carry none."""
    identity = record.get("userIdentity") or {}
    return identity.get("type") == "Service" and identity.get("principalId") == "dynamodb.amazonaws.com"


def _image(image: dict[str, Any] | None) -> dict[str, Any] | None:
    if image is None:
        return None
    return {name: _plain(_deserializer.deserialize(value)) for name, value in image.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(v) for v in value)
    return value
