"""The expiry each DynamoDB adapter stamps, from the item's own time (the clock's, when it
was written) and ringback.calls.retention: what the tables' TTL then removes on time."""
from datetime import UTC, datetime

from devstack import aws
from ringback.adapters import dynamo
from ringback.adapters.dynamo_leases import DynamoLeaseStore
from ringback.adapters.dynamo_messages import DynamoMessages
from ringback.callbacks.model import CallbackLeg, CallbackRequest
from ringback.calls import retention
from ringback.calls.alerts import Message
from tests.adapters.test_lease_store_contract import NOW, pool_with, request

DAY = retention.DAY_MS


def ttl(local_aws, table: str, key: dict) -> int | None:
    item = aws.client("dynamodb", local_aws).get_item(TableName=local_aws.table_name(table), Key=key,
                                                      ConsistentRead=True).get("Item", {})
    return int(item["retain_until"]["N"]) if "retain_until" in item else None


def seconds(ms: int) -> int:
    return int(datetime.fromtimestamp(ms / 1000, tz=UTC).timestamp())


def test_a_callback_leg_expires_four_hundred_days_after_it_was_placed(local_aws, uid):
    request_id = uid("r")
    dynamo.DynamoCallbacks().put_leg(CallbackLeg(request_id, "01#operator#01", "operator", "+14155550999", NOW))
    key = {"request_id": {"S": request_id}, "leg": {"S": "01#operator#01"}}
    assert ttl(local_aws, "callback_legs", key) == seconds(NOW + 400 * DAY)


def test_a_callback_request_keeps_the_retention_it_was_created_with(local_aws, uid):
    store = dynamo.DynamoCallbacks()
    request = CallbackRequest(uid("r"), uid("t"), uid("s"), "+14155550011", NOW, retain_until=NOW + 395 * DAY)
    assert store.add(request)
    assert ttl(local_aws, "callback_requests", {"request_id": {"S": request.request_id}}) == seconds(NOW + 395 * DAY)
    stored = store.get(request.request_id)
    assert stored.retain_until == NOW + 395 * DAY
    stored.move("calling_operator", NOW + 1000)
    assert store.save(stored)  # a later write keeps it
    assert ttl(local_aws, "callback_requests", {"request_id": {"S": request.request_id}}) == seconds(NOW + 395 * DAY)


def test_a_text_expires_four_hundred_days_after_it_was_sent_even_if_its_status_came_first(local_aws, uid):
    messages = DynamoMessages()
    messages.add(Message(uid("SM1"), "queued", NOW, uid("t"), uid("s"), "missed_call", to="+14155550999",
                         created_at=NOW))
    assert ttl(local_aws, "messages", {"message_id": {"S": uid("SM1")}}) == seconds(NOW + 400 * DAY)
    # The carrier's status callback beat our own write: the bare item expires too.
    messages.advance(uid("SM2"), "delivered", 3, None, NOW + 5000)
    assert ttl(local_aws, "messages", {"message_id": {"S": uid("SM2")}}) == seconds(NOW + 5000 + 400 * DAY)


def test_lease_history_outlives_a_one_day_tenant_retention(local_aws, uid):
    store = DynamoLeaseStore()
    pool, [line] = pool_with(dynamo.DynamoPools(), uid, 1)
    taken = request(pool, line, uid("a"))  # the tenant's retention: one day
    assert store.take(taken, NOW)
    key = {"line": {"S": line}, "started": {"S": taken.lease.history_key}}
    assert ttl(local_aws, "lease_history", key) == seconds(NOW + retention.LEASE_HISTORY_MIN_DAYS * DAY)


def test_a_call_is_kept_for_the_retention_it_was_stored_with(local_aws, uid):
    from ringback.calls.log import CallSummary

    call = CallSummary(uid("tw:CA"), uid("s"), "+14155550101", "+14155550011", NOW, "ringing", {})
    assert dynamo.DynamoCallLog().add(uid("t"), call, NOW + 395 * DAY)
    assert ttl(local_aws, "calls", {"call_id": {"S": call.call_id}}) == seconds(NOW + 395 * DAY)
