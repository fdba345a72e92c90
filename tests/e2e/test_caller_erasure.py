"""A tenant erases one caller on the local stack, as in AWS: the reports function, with its
synthesized role held by the local IAM, deletes the caller's calls, recordings (every
version), callback request and legs, texts and report rows; another caller's stay, the
audit log says so, and another tenant cannot do it."""
import time
import urllib.parse

import pyarrow.dataset as ds
import pytest

from devstack import aws
from devstack.demo import DEMO_DESTINATION
from ringback.adapters.parquet_s3 import s3_filesystem
from tests.support.accounts import call, new_user_token
from tests.support.callbacks import configure, script, settled
from tests.support.calls import (
    aws_client,
    call_after_a_visit,
    call_item,
    http,
    place_call,
    wait_for_hook,
)
from tests.support.stack import EVENT_SECONDS, id_token

pytestmark = pytest.mark.e2e

ANNA, BORIS = "+14155550091", "+14155550092"
RECORDINGS, ANALYTICS = "ringback-local-recordings", "ringback-local-analytics"


def report_rows(stack, table):
    try:
        dataset = ds.dataset(f"{ANALYTICS}/events/{table}/", filesystem=s3_filesystem(aws.REGION, stack.moto_url),
                             format="parquet", partitioning="hive")
    except FileNotFoundError:
        return []
    return dataset.to_table().to_pylist()


def eventually(check, what, timeout=EVENT_SECONDS):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(what)
        time.sleep(0.3)


def item(stack, table, key):
    return aws_client(stack, "dynamodb").get_item(TableName=f"ringback-local-{table}", Key=key,
                                                  ConsistentRead=True).get("Item")


def test_a_tenant_erases_one_caller_and_only_that_caller(stack):
    owner = id_token(stack)
    # Anna: an answered, recorded call; a missed call, texted to the alert contact; a
    # callback she asked for; a text she sent. Boris: an answered call.
    answered = call_after_a_visit(stack, "erasure-anna-1", "erasure", ANNA, answer_after=1, talk_for=5)
    wait_for_hook(stack, "/v1/carrier/recording", answered)
    http("POST", f"{stack.carrier_url}/_carrier/script",
         {"number": DEMO_DESTINATION, "party": {"outcome": "no-answer"}})
    status, offer = http("POST", f"{stack.url}/v1/sessions", {
        "siteKey": stack.site_key, "clientId": "erasure-anna-2",
        "page": f"{stack.site_url}/?utm_source=google&utm_medium=cpc",
    }, {"Origin": stack.site_url})
    assert status == 200, offer
    missed = place_call(stack, ANNA, offer["numbers"][0]["number"])
    wait_for_hook(stack, "/v1/carrier/dial-complete", missed)
    eventually(lambda: call_item(stack, missed).get("alerts", {}).get("M"), "the missed call was never texted")
    status, _ = http("POST", f"{stack.carrier_url}/_carrier/inbound_sms",
                     {"from": ANNA, "to": offer["numbers"][0]["number"], "body": "Please erase my data"})
    assert status == 201
    kept = call_after_a_visit(stack, "erasure-boris-1", "erasure", BORIS, answer_after=1, talk_for=5)
    # Last, since it rewrites the site's settings: a callback, the operator and Anna answering.
    configure(stack)
    script(stack, DEMO_DESTINATION, answer_after=1, talk_for=3)
    script(stack, ANNA, answer_after=1, talk_for=3)
    status, accepted = http("POST", f"{stack.url}/v1/callbacks", {"siteKey": stack.site_key, "phone": ANNA,
                                                                 "country": "US"}, {"Origin": stack.site_url})
    assert status == 202, accepted
    request_id = accepted["requestId"]
    settled(stack, request_id)

    anna_calls = {f"tw:{answered}", f"tw:{missed}"}
    recording_keys = [v["S"] for v in call_item(stack, answered)["recordings"]["M"].values()]
    alert_ids = list(call_item(stack, missed)["alerts"]["M"])
    eventually(lambda: anna_calls | {f"tw:{kept}"} <= {r["call_id"] for r in report_rows(stack, "calls")},
               "the calls never reached the report tables")
    eventually(lambda: request_id in {r["request_id"] for r in report_rows(stack, "callbacks")},
               "the callback never reached the report tables")
    path = f"/v1/callers/{urllib.parse.quote(ANNA)}"

    # Another tenant: refused in the demo tenant, and nobody it knows in its own.
    stranger = new_user_token(stack, "eraser@elsewhere.example")
    assert call(stack, "GET", "/v1/me", stranger)[0] == 200
    assert call(stack, "DELETE", path, stranger, tenant=stack.tenant_id)[0] == 403
    assert call(stack, "DELETE", path, stranger)[0] == 404
    assert call_item(stack, answered) is not None

    status, erased = call(stack, "DELETE", path, owner)
    assert status == 200, erased
    counts = erased["erased"]
    assert counts["calls"] == 2 and counts["callbackRequests"] == 1 and counts["recordings"] >= 1
    assert counts["messages"] >= 2 and counts["reportRows"] >= 2 and counts["callbackLegs"] >= 1

    assert call_item(stack, answered) is None and call_item(stack, missed) is None
    s3 = aws_client(stack, "s3")
    for key in recording_keys:
        versions = s3.list_object_versions(Bucket=RECORDINGS, Prefix=key)
        assert not versions.get("Versions") and not versions.get("DeleteMarkers"), key
    assert item(stack, "callback_requests", {"request_id": {"S": request_id}}) is None
    legs = aws_client(stack, "dynamodb").query(TableName="ringback-local-callback_legs",
                                               KeyConditionExpression="request_id = :r",
                                               ExpressionAttributeValues={":r": {"S": request_id}})
    assert legs["Count"] == 0
    for message_id in alert_ids:
        assert item(stack, "messages", {"message_id": {"S": message_id}}) is None
    texts = aws_client(stack, "dynamodb").scan(TableName="ringback-local-messages")["Items"]
    assert not [t for t in texts if t.get("sender", {}).get("S") == ANNA]
    # The report rows go, and stay gone once the stream has delivered everything.
    eventually(lambda: not anna_calls & {r["call_id"] for r in report_rows(stack, "calls")},
               "the erased calls' report rows are still there")
    time.sleep(3)
    assert not anna_calls & {r["call_id"] for r in report_rows(stack, "calls")}
    assert request_id not in {r["request_id"] for r in report_rows(stack, "callbacks")}

    # Boris's call stays, with its row; Anna is nobody now, and the log says why.
    assert call_item(stack, kept) is not None
    assert f"tw:{kept}" in {r["call_id"] for r in report_rows(stack, "calls")}
    assert call(stack, "GET", path, owner)[0] == 404
    assert call(stack, "DELETE", path, owner)[0] == 404
    status, log = call(stack, "GET", "/v1/audit?action=caller.erased", owner)
    assert status == 200, log
    [entry] = log["entries"]
    assert entry["target"] == erased["erasureId"] and entry["after"]["calls"] == 2
    assert ANNA not in str(entry)
