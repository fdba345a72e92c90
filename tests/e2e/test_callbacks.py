"""Callbacks end to end on the local stack, over HTTP: the request, the state machine that
CDK deploys running on moto's Step Functions engine, our real handlers as its Lambda
tasks, and the local carrier ringing the operator and then the visitor.

The phone network and the product's clock both run 100x faster than real time
(configuration of the stack, not another code path), so a 2-minute retry takes 1.2 s
and the next opening a few seconds.
"""
import json
import time

import pytest

from devstack.demo import DEMO_DESTINATION, DEMO_STATIC_NUMBER
from tests.support.callbacks import configure, dashboard, opening_soon, script, settled, wait_for
from tests.support.calls import aws_client, http
from tests.support.stack import EVENT_SECONDS, Stack, get

pytestmark = pytest.mark.e2e

SCALE = 0.01
ALERT = "+14155550198"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"), clock_scale=SCALE)
    yield stack
    stack.stop()


def origin(stack):
    return {"Origin": stack.site_url}


def start_visit(stack):
    status, session = http("POST", f"{stack.url}/v1/sessions", {
        "siteKey": stack.site_key, "clientId": "e2e-visitor-000001",
        "page": f"{stack.site_url}/pricing?utm_source=google&utm_medium=cpc&utm_campaign=winter&utm_term=burst+pipe",
        "referrer": "https://www.google.com/",
    }, origin(stack))
    assert status == 200, session
    return session["sessionId"]


def request_callback(stack, phone, session_id=None, key=None, **extra):
    headers = {**origin(stack), **({"Idempotency-Key": key} if key else {})}
    return http("POST", f"{stack.url}/v1/callbacks", {
        "siteKey": stack.site_key, "phone": phone, "country": "US", "sessionId": session_id,
        "page": f"{stack.site_url}/pricing", **extra}, headers)


def test_the_operator_is_rung_first_then_the_visitor_and_both_legs_are_kept(stack):
    configure(stack)
    visitor = "+14155550123"
    script(stack, DEMO_DESTINATION, answer_after=4, talk_for=40)
    script(stack, visitor, answer_after=3, talk_for=30)
    session_id = start_visit(stack)

    status, accepted = request_callback(stack, "(415) 555-0123", session_id, key="e2e-connected-0001")
    assert status == 202 and accepted["status"] == "accepted", accepted
    rid = accepted["requestId"]
    # The same key again (a retried POST) answers the same request.
    again_status, again = request_callback(stack, "(415) 555-0123", session_id, key="e2e-connected-0001")
    assert again_status == 202 and again["requestId"] == rid

    final, seen = wait_for(stack, rid, ("completed", "missed", "failed"))
    assert final["status"] == "completed", seen
    assert seen[0] == "accepted" and "calling_operator" in seen

    detail = settled(stack, rid)
    assert [t["status"] for t in detail["transitions"]] == [
        "accepted", "calling_operator", "calling_visitor", "connected", "completed"]
    assert detail["attribution"]["source"] == "google" and detail["attribution"]["keyword"] == "burst pipe"
    assert detail["attribution"]["session_id"] == session_id
    legs = {leg["role"]: leg for leg in detail["legs"]}
    assert legs["operator"]["number"] == DEMO_DESTINATION and legs["operator"]["status"] == "completed"
    assert legs["visitor"]["number"] == visitor and legs["visitor"]["talk_seconds"] == 30
    assert legs["operator"]["ring_seconds"] is not None and legs["visitor"]["ring_seconds"] is not None
    assert detail["outcome"]["talk_seconds"] == 30
    # What the operator heard before the visitor was put through, kept on the round.
    assert detail["whisper"].startswith("Callback request from ")
    assert "Source google, keyword burst pipe. Page /pricing." in detail["whisper"]
    assert [r["whisper"] for r in detail["rounds"]] == [detail["whisper"]]
    # The recording reached the tenant's prefix in S3 (encrypted) and its link works.
    [link] = detail["recording_links"]
    s3 = aws_client(stack, "s3")
    [obj] = s3.list_objects_v2(Bucket="ringback-local-recordings",
                               Prefix=f"tenants/{stack.tenant_id}/recordings/")["Contents"][-1:]
    assert "/callbacks/" + rid + "/" in obj["Key"]
    assert s3.head_object(Bucket="ringback-local-recordings", Key=obj["Key"])["ServerSideEncryption"] == "aws:kms"
    assert get(link)[0] == 200
    # Both legs rang as incoming calls from one number the account owns at the carrier (the
    # static tracking number, not the site's own, which the carrier refuses: 21210): the
    # operator's by the Calls API, the visitor's through the operator's <Dial>.
    _, state = http("GET", f"{stack.carrier_url}/_carrier/state")
    calls = [c for c in state["calls"] if c["to"] in (DEMO_DESTINATION, visitor)]
    assert {c["from"] for c in calls} == {DEMO_STATIC_NUMBER}


def test_when_no_operator_answers_the_round_is_retried_then_the_request_is_missed(stack):
    configure(stack, max_rounds=2, operator_retry_seconds=60, ring_seconds=10)
    script(stack, DEMO_DESTINATION, outcome="no-answer")
    status, accepted = request_callback(stack, "+14155550124")
    assert status == 202
    final, seen = wait_for(stack, accepted["requestId"], ("completed", "missed", "failed"))
    assert final["status"] == "missed" and "retry_scheduled" in seen
    # The site is told at once (the text follows the status write by a request or two).
    deadline = time.monotonic() + EVENT_SECONDS
    while True:
        _, messages = http("GET", f"{stack.carrier_url}/_carrier/messages?to=%2B{ALERT[1:]}")
        if any("+14155550124" in m["body"] for m in messages) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert any("+14155550124" in m["body"] for m in messages), messages
    # From a number of the account that can text, and its delivery is kept on the request.
    assert {m["from"] for m in messages if "+14155550124" in m["body"]} == {DEMO_STATIC_NUMBER}
    deadline = time.monotonic() + EVENT_SECONDS
    while True:
        alerts = dashboard(stack, f"/v1/callback-requests/{accepted['requestId']}")["alerts"]
        if [a["status"] for a in alerts.values()] == ["delivered"] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [(a["to"], a["status"]) for a in alerts.values()] == [(ALERT, "delivered")], alerts


def test_a_busy_visitor_is_called_again_two_minutes_later(stack):
    configure(stack)
    visitor = "+14155550125"
    script(stack, DEMO_DESTINATION, answer_after=2, talk_for=40)
    script(stack, visitor, outcome="busy")
    status, accepted = request_callback(stack, visitor)
    rid = accepted["requestId"]
    retry, _ = wait_for(stack, rid, ("retry_scheduled",))
    assert retry["retryAt"] is not None
    script(stack, visitor, answer_after=2, talk_for=10)
    final, seen = wait_for(stack, rid, ("completed", "missed", "failed"))
    assert final["status"] == "completed"
    detail = settled(stack, rid)
    assert [r["result"] for r in detail["rounds"]] == ["visitor_busy", "connected"]
    busy_at = next(t["at"] for t in detail["transitions"] if t["status"] == "retry_scheduled")
    second_ring = [t["at"] for t in detail["transitions"] if t["status"] == "calling_operator"][1]
    retry_at = next(t["at_time"] for t in detail["transitions"] if t["status"] == "retry_scheduled")
    # The plan chose two minutes (not the five of a visitor who did not answer), and the
    # workflow's Wait never rang earlier. How much later is Step Functions' timer (whole
    # real seconds: at this scale up to 100 product seconds) plus the machine's load, so
    # it is not asserted: on a busy machine a real second of latency is 100 s here.
    assert retry_at - busy_at == 120_000
    assert second_ring >= retry_at


def test_an_off_hours_request_is_called_back_when_the_site_opens(stack):
    # The site opens 10 product minutes from now (6 s of real time), in its own timezone.
    hours, opens = opening_soon(stack, "+14155550127")
    configure(stack, working_hours=hours, timezone_name="America/New_York")
    script(stack, DEMO_DESTINATION, answer_after=2, talk_for=40)
    script(stack, "+14155550126", answer_after=2, talk_for=5)

    status, config = http("GET", f"{stack.url}/v1/sites/{stack.site_key}/config", None, origin(stack))
    assert config["callback"]["open"] is False and config["callback"]["nextOpening"] == int(opens.timestamp() * 1000)
    status, accepted = request_callback(stack, "+14155550126")
    rid = accepted["requestId"]
    scheduled, _ = wait_for(stack, rid, ("scheduled",))
    assert scheduled["scheduledFor"] == int(opens.timestamp() * 1000)
    final, seen = wait_for(stack, rid, ("completed", "missed", "failed"), timeout=2 * EVENT_SECONDS)
    assert final["status"] == "completed", seen
    detail = dashboard(stack, f"/v1/callback-requests/{rid}")
    first_ring = next(t["at"] for t in detail["transitions"] if t["status"] == "calling_operator")
    assert first_ring >= int(opens.timestamp() * 1000)


def test_bad_requests_get_our_error_shape(stack):
    configure(stack)
    status, body = request_callback(stack, "555")
    assert status == 400 and json.loads(body)["error"]["code"] == "invalid_phone"
    status, body = request_callback(stack, "+44 20 7946 0000")
    assert status == 400 and json.loads(body)["error"]["code"] == "country_not_allowed"
    status, body = http("POST", f"{stack.url}/v1/callbacks", {"siteKey": stack.site_key, "phone": "+14155550128"},
                        {"Origin": "https://evil.example"})
    assert status == 403 and json.loads(body)["error"]["code"] == "origin_not_allowed"


def test_a_member_retries_a_missed_request_and_it_is_dialled_once_more(stack):
    from tests.support.stack import id_token

    configure(stack, max_rounds=1, ring_seconds=10)
    script(stack, DEMO_DESTINATION, outcome="no-answer")
    visitor = "+14155550129"
    status, accepted = request_callback(stack, visitor)
    rid = accepted["requestId"]
    final, _ = wait_for(stack, rid, ("completed", "missed", "failed"))
    assert final["status"] == "missed"

    script(stack, DEMO_DESTINATION, answer_after=2, talk_for=40)
    script(stack, visitor, answer_after=2, talk_for=10)
    owner = {"Authorization": id_token(stack), "Idempotency-Key": "e2e-retry-000001"}
    url = f"{stack.url}/v1/callback-requests/{rid}/retry"
    status, retried = http("POST", url, None, owner)
    assert status == 202 and retried["retry"]["attempt"] == 1, retried
    # The same key again answers the same retry; another press while it dials is refused.
    status, again = http("POST", url, None, owner)
    assert status == 202 and again["retry"] == retried["retry"], again
    status, body = http("POST", url, None, {"Authorization": owner["Authorization"]})
    assert status == 409 and json.loads(body)["error"]["code"] == "callback_in_progress"

    final, seen = wait_for(stack, rid, ("completed", "missed", "failed"))
    assert final["status"] == "completed", seen
    detail = settled(stack, rid)
    manual = [t for t in detail["transitions"] if t.get("reason") == "manual_retry"]
    assert len(manual) == 1 and manual[0]["by"] == retried["retry"]["requestedBy"]
    assert manual[0]["by"].startswith("user:")
    assert [r["result"] for r in detail["rounds"]][-1] == "connected"
    # One execution for the visitor's request, one for the retry: nothing dialled twice.
    executions = aws_client(stack, "stepfunctions").list_executions(
        stateMachineArn=next(line.split("callback workflow ")[1].rstrip(")\n")
                             for line in stack.output if "callback workflow" in line))["executions"]
    assert sorted(e["name"] for e in executions if e["name"].startswith(rid)) == [rid, f"{rid}-retry-1"]
