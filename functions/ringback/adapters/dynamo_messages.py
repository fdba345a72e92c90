"""The texts we send, on DynamoDB (ringback.ports.MessageLog): one item per message,
keyed by the carrier's message id, so a status callback is one conditional UpdateItem.

The carrier may report on a text before our own write of it lands (its status callback
races the create's answer). So both writes are upserts: the status callback creates a
bare item when there is none, and our write fills in what the text was about without
overwriting a status already there (`if_not_exists`). Each returns the item as stored,
and whichever lands second sees both halves.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import Attribute
from pynamodb.expressions.update import Action

from ringback.adapters.dynamo import applied
from ringback.adapters.tables import MessageRecord
from ringback.calls.alerts import Message
from ringback.calls.retention import message_retain_until


def _expiry(sent_at_ms: int) -> datetime:
    return datetime.fromtimestamp(message_retain_until(sent_at_ms) / 1000, tz=UTC)


def _message(r: MessageRecord) -> Message:
    return Message(
        message_id=r.message_id, status=r.status, updated_at=int(r.updated_at), tenant_id=r.tenant_id,
        site_id=r.site_id, purpose=r.purpose, call_id=r.call_id, request_id=r.request_id, to=r.to,
        sender=r.sender, error_code=r.error_code, created_at=None if r.created_at is None else int(r.created_at),
    )


class DynamoMessages:
    def add(self, message: Message) -> Message:
        record = MessageRecord(message.message_id)
        about: tuple[tuple[Attribute[Any], Any], ...] = (
            (MessageRecord.tenant_id, message.tenant_id), (MessageRecord.site_id, message.site_id),
            (MessageRecord.purpose, message.purpose), (MessageRecord.call_id, message.call_id),
            (MessageRecord.request_id, message.request_id), (MessageRecord.to, message.to),
            (MessageRecord.sender, message.sender), (MessageRecord.created_at, message.created_at),
        )
        actions: list[Action] = [attribute.set(value) for attribute, value in about if value is not None]
        actions += [
            MessageRecord.status.set(MessageRecord.status | message.status),
            MessageRecord.status_rank.set(MessageRecord.status_rank | message.rank),
            MessageRecord.updated_at.set(MessageRecord.updated_at | message.updated_at),
        ]
        if message.error_code is not None:
            actions.append(MessageRecord.error_code.set(MessageRecord.error_code | message.error_code))
        actions.append(MessageRecord.retain_until.set(_expiry(message.created_at or message.updated_at)))
        if message.purpose == "text_received" and message.tenant_id and message.sender:
            # A visitor's own text: found by its sender when that caller's data is erased.
            actions.append(MessageRecord.tenant_sender.set(f"{message.tenant_id}#{message.sender}"))
        record.update(actions=actions)  # the item as stored comes back into `record`
        return _message(record)

    def advance(self, message_id: str, status: str, rank: int, error_code: str | None,
                at_ms: int) -> Message | None:
        record = MessageRecord(message_id)
        actions: list[Action] = [MessageRecord.status.set(status), MessageRecord.status_rank.set(rank),
                   MessageRecord.updated_at.set(at_ms),
                   # A status callback that beat our own write still leaves an item that expires.
                   MessageRecord.retain_until.set(MessageRecord.retain_until | _expiry(at_ms))]
        actions.append(MessageRecord.error_code.set(error_code) if error_code else MessageRecord.error_code.remove())
        moved = applied(lambda: record.update(
            actions=actions,
            condition=MessageRecord.status_rank.does_not_exist() | (MessageRecord.status_rank < rank),
        ))
        return _message(record) if moved else None

    def get(self, message_id: str) -> Message | None:
        try:
            return _message(MessageRecord.get(message_id, consistent_read=True))
        except MessageRecord.DoesNotExist:
            return None
