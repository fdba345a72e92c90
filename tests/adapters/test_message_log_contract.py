"""The message log's contract, for the in-memory fake and the DynamoDB adapter alike: a
text is kept once, its status only moves forward, and a status the carrier reports
before our own write is not lost."""
import pytest

from ringback.adapters import memory
from ringback.calls.alerts import STATUS_RANK, Message


@pytest.fixture(params=["memory", "dynamodb"])
def messages(request):
    if request.param == "memory":
        return memory.MemoryMessages()
    from ringback.adapters.dynamo_messages import DynamoMessages

    request.getfixturevalue("local_aws")
    return DynamoMessages()


def text(uid, **overrides):
    fields = dict(message_id=f"tw:{uid('SM')}", status="queued", updated_at=1_000, tenant_id=uid("t"),
                  site_id="s1", purpose="missed_call", call_id="tw:CA1", to="+14155550198",
                  sender="+14155550101", created_at=1_000)
    return Message(**{**fields, **overrides})


def advance(messages, message, status, error_code=None, at=2_000):
    return messages.advance(message.message_id, status, STATUS_RANK[status], error_code, at)


def test_a_text_is_kept_with_what_it_was_about(messages, uid):
    sent = text(uid)
    assert messages.add(sent) == sent
    assert messages.get(sent.message_id) == sent
    assert messages.get(f"tw:{uid('SM-missing')}") is None


def test_a_status_moves_forward_only_and_a_retry_changes_nothing(messages, uid):
    sent = messages.add(text(uid))
    moved = advance(messages, sent, "sent")
    assert (moved.status, moved.updated_at, moved.call_id, moved.to) == ("sent", 2_000, "tw:CA1", "+14155550198")
    assert advance(messages, sent, "sent", at=3_000) is None
    failed = advance(messages, sent, "failed", "30003", at=4_000)
    assert (failed.status, failed.error_code) == ("failed", "30003")
    assert advance(messages, sent, "delivered", at=5_000) is None  # final statuses share a rank
    assert advance(messages, sent, "queued", at=6_000) is None
    stored = messages.get(sent.message_id)
    assert (stored.status, stored.error_code, stored.updated_at) == ("failed", "30003", 4_000)


def test_a_status_that_beats_our_write_is_kept_and_our_write_completes_it(messages, uid):
    sent = text(uid)
    early = advance(messages, sent, "delivered", at=900)
    assert early.status == "delivered" and early.call_id is None  # what it was about is not known yet
    stored = messages.add(sent)
    assert (stored.status, stored.updated_at, stored.call_id, stored.tenant_id) == ("delivered", 900, "tw:CA1",
                                                                                 sent.tenant_id)
    assert messages.get(sent.message_id) == stored


def test_a_refused_text_is_kept_as_failed_with_its_code(messages, uid):
    refused = text(uid, message_id=f"unsent:{uid('x')}", status="failed", error_code="21606")
    assert messages.add(refused) == refused
    assert advance(messages, refused, "sent") is None


def test_a_call_stored_before_alerts_were_kept_still_takes_its_first_alert(local_aws, uid):
    # Items written before this attribute existed have no `alerts` map, and DynamoDB refuses
    # a SET on a path inside a map that is not there.
    from devstack import aws
    from ringback.adapters.dynamo import DynamoCallLog

    call_id = uid("tw:CA-old")
    aws.client("dynamodb", local_aws).put_item(TableName=local_aws.table_name("calls"), Item={
        "call_id": {"S": call_id}, "tenant_id": {"S": uid("t")}, "site_id": {"S": "s1"},
        "tracking_number": {"S": "+14155550101"}, "caller": {"S": "+14155550001"},
        "tenant_caller": {"S": "t#+14155550001"}, "started_at": {"N": "1000"}, "status": {"S": "busy"}})
    log = DynamoCallLog()
    entry = {"to": "+14155550198", "from": "+14155550101", "error_code": None, "at": 1}
    log.note_alert(call_id, "tw:SM1", {**entry, "status": "queued", "rank": 0})
    log.note_alert(call_id, "tw:SM1", {**entry, "status": "delivered", "rank": 3})
    assert log.get(call_id)[1].alerts == {"tw:SM1": {**entry, "status": "delivered", "rank": 3}}
