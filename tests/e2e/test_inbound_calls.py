"""Inbound calls through the local stack: the local carrier calls a tracking number that a
visitor was shown, over real HTTP, with signed webhooks."""
import json
import time
import urllib.parse
import urllib.request

import pytest

from devstack.demo import DEMO_ALERT_CONTACT, DEMO_DESTINATION
from tests.support.calls import aws_client, call_item, http, place_call, wait_for_hook
from tests.support.stack import EVENT_SECONDS, REQUEST_SECONDS
from tests.support.visits import GOOGLE_AD, open_site, shown_number  # noqa: F401 - open_site: a fixture the tests use

pytestmark = pytest.mark.e2e

WINTER_AD = f"{GOOGLE_AD}&utm_campaign=winter&utm_term=boiler+repair"


@pytest.mark.usefixtures("open_site")
def test_an_answered_call_carries_the_visit_and_its_recording_lands_in_s3(stack):
    http("POST", f"{stack.carrier_url}/_carrier/script",
         {"number": DEMO_DESTINATION, "party": {"answer_after": 2, "talk_for": 20}})
    number = shown_number(stack, "client-call-0001", WINTER_AD)
    sid = place_call(stack, "+14155550011", number)
    # The <Dial>'s end (status, talk time) and the recording are two webhooks, in either order.
    wait_for_hook(stack, "/v1/carrier/dial-complete", sid)
    wait_for_hook(stack, "/v1/carrier/recording", sid)
    item = call_item(stack, sid)
    attribution = json.loads(item["attribution"]["S"])
    assert attribution["source"] == "google" and attribution["campaign"] == "winter"
    assert attribution["keyword"] == "boiler repair" and attribution["first_time_caller"] is True
    assert item["status"]["S"] == "answered"
    outcome = json.loads(item["outcome"]["S"])
    assert outcome["talk_seconds"] == 20
    [key] = [v["S"] for v in item["recordings"]["M"].values()]
    s3 = aws_client(stack, "s3")
    head = s3.head_object(Bucket="ringback-local-recordings", Key=key)
    assert key.startswith(f"tenants/{stack.tenant_id}/recordings/") and head["ServerSideEncryption"] == "aws:kms"
    assert s3.get_object(Bucket="ringback-local-recordings", Key=key)["Body"].read()[:4] == b"RIFF"


@pytest.mark.usefixtures("open_site")
def test_a_missed_call_texts_the_site_within_the_call(stack):
    http("POST", f"{stack.carrier_url}/_carrier/script",
         {"number": DEMO_DESTINATION, "party": {"outcome": "no-answer"}})
    number = shown_number(stack, "client-call-0002", WINTER_AD)
    sid = place_call(stack, "+14155550022", number)
    wait_for_hook(stack, "/v1/carrier/dial-complete", sid)
    _, messages = http("GET", f"{stack.carrier_url}/_carrier/messages?to={urllib.parse.quote(DEMO_ALERT_CONTACT)}")
    texts = [m for m in messages if "+14155550022" in m["body"]]
    assert len(texts) == 1 and "google" in texts[0]["body"] and texts[0]["from"] == number
    assert call_item(stack, sid)["status"]["S"] == "no-answer"
    # The carrier reports the text's delivery and the call's end; both reach the call record.
    wait_for_hook(stack, "/v1/carrier/call-status", sid)
    deadline = time.monotonic() + EVENT_SECONDS
    while True:
        item = call_item(stack, sid)
        alerts = [a["M"] for a in item.get("alerts", {}).get("M", {}).values()]
        if [a["status"]["S"] for a in alerts] == ["delivered"] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [(a["to"]["S"], a["status"]["S"]) for a in alerts] == [(DEMO_ALERT_CONTACT, "delivered")], item
    assert item["status"]["S"] == "no-answer" and item["carrier_status"]["S"] == "completed"
    assert int(item["call_seconds"]["N"]) >= 0


def test_unsigned_and_forged_webhooks_are_refused_over_http(stack):
    params = "CallSid=CAforged&From=%2B14155550033&To=%2B14155550150"
    for headers in ({}, {"X-Twilio-Signature": "Zm9yZ2Vk"}):
        request = urllib.request.Request(f"{stack.url}/v1/carrier/voice", data=params.encode(), method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded", **headers})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=REQUEST_SECONDS)
        assert refused.value.code == 403
    assert call_item(stack, "CAforged") is None
