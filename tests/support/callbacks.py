"""Callbacks on the local stack, for end-to-end tests (HTTP and Chromium)."""
import json
import time

import pytest

from tests.support.calls import aws_client, http
from tests.support.stack import EVENT_SECONDS, get, id_token

FINAL = ("completed", "missed", "failed")


def configure(stack, working_hours=None, timezone_name="America/Los_Angeles", **callback):
    """The demo site's callback settings. Visitors may be called at any hour unless a test
    says otherwise, so the tests do not depend on when they run."""
    settings = {"widget": {}, "callback": {"enabled": True, "countries": ["US"],
                                           "visitor_hours": ["00:00", "24:00"], **callback}}
    aws_client(stack, "dynamodb").update_item(
        TableName="ringback-local-sites", Key={"site_id": {"S": stack.site_id}},
        UpdateExpression="SET settings = :s, working_hours = :h, #tz = :tz",
        ExpressionAttributeNames={"#tz": "timezone"},
        ExpressionAttributeValues={":s": {"S": json.dumps(settings)}, ":h": {"S": json.dumps(working_hours or {})},
                                   ":tz": {"S": timezone_name}},
    )
    time.sleep(0.8)  # the site cache (60 product seconds at the tests' clock scale) has expired


def script(stack, number, **party):
    assert http("POST", f"{stack.carrier_url}/_carrier/script", {"number": number, "party": party})[0] == 200


def status_of(stack, request_id):
    status, body = http("GET", f"{stack.url}/v1/callbacks/{request_id}?siteKey={stack.site_key}", None,
                        {"Origin": stack.site_url})
    assert status == 200, body
    return body


def wait_for(stack, request_id, wanted, timeout=EVENT_SECONDS):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = status_of(stack, request_id)
        if not seen or seen[-1] != current["status"]:
            seen.append(current["status"])
        if current["status"] in wanted:
            return current, seen
        time.sleep(0.05)
    pytest.fail(f"{request_id} never reached {wanted}; went through {seen}")


def dashboard(stack, path):
    status, _, body = get(f"{stack.url}{path}", {"Authorization": id_token(stack)})
    assert status == 200, body
    return json.loads(body)


def settled(stack, rid, timeout=EVENT_SECONDS):
    """The request once the carrier's last callbacks (the legs' completion, the recording)
    have landed: they may trail the workflow's end by a few webhooks."""
    deadline = time.monotonic() + timeout
    while True:
        detail = dashboard(stack, f"/v1/callback-requests/{rid}")
        legs_done = all(leg["status"] in ("completed", "busy", "no-answer", "failed", "canceled")
                        for leg in detail["legs"])
        if legs_done and (detail["recordings"] or detail["status"] != "completed"):
            return detail
        assert time.monotonic() < deadline, detail
        time.sleep(0.1)


def opening_soon(stack, probe_phone, zone_name="America/New_York", minutes=10):
    """Working hours that open about `minutes` product minutes from now in `zone_name`,
    for two hours, and the opening itself. The product clock runs fast in these stacks,
    so "now" is read from the stack: the time stamped on a fresh request from probe_phone."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    status, accepted = http("POST", f"{stack.url}/v1/callbacks",
                            {"siteKey": stack.site_key, "phone": probe_phone, "country": "US"},
                            {"Origin": stack.site_url})
    assert status == 202, accepted
    now = datetime.fromtimestamp(accepted["updatedAt"] / 1000, tz=UTC)
    opens = (now + timedelta(minutes=minutes)).astimezone(ZoneInfo(zone_name)).replace(second=0, microsecond=0)
    opens += timedelta(minutes=1)
    closes = "24:00" if opens.hour >= 22 else f"{opens + timedelta(hours=2):%H:%M}"
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[opens.weekday()]
    return {day: [[f"{opens:%H:%M}", closes]]}, opens
