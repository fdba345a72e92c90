"""Inbound calls through the local stack: the local carrier calls a tracking number that a
visitor was shown, over real HTTP, with signed webhooks."""
import json
import time
import urllib.parse
import urllib.request

import boto3
import pytest

from devstack import aws
from devstack.seed import DEMO_ALERT_CONTACT, DEMO_DESTINATION, DEMO_SITE_KEY

pytestmark = pytest.mark.e2e


def http(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def aws_client(stack, service):
    return boto3.client(service, endpoint_url=stack.moto_url, region_name=aws.REGION,
                        aws_access_key_id="local", aws_secret_access_key="local")


@pytest.fixture(scope="module")
def open_site(stack):
    """The demo site open around the clock, so the test does not depend on the hour."""
    aws_client(stack, "dynamodb").update_item(
        TableName="ringback-local-sites", Key={"site_id": {"S": "demo-site"}},
        UpdateExpression="SET working_hours = :open", ExpressionAttributeValues={":open": {"S": "{}"}},
    )
    return stack


def shown_number(stack, client_id):
    status, offer = http("POST", f"{stack.url}/v1/sessions", {
        "siteKey": DEMO_SITE_KEY, "clientId": client_id,
        "page": f"{stack.site_url}/?utm_source=google&utm_medium=cpc&utm_campaign=winter&utm_term=boiler+repair",
        "referrer": "https://www.google.com/",
    }, {"Origin": stack.site_url})
    assert status == 200
    return offer["numbers"][0]["number"]


def place_call(stack, caller, number):
    status, call = http("POST", f"{stack.carrier_url}/_carrier/inbound", {"from": caller, "to": number})
    assert status in (200, 201), call
    return call["sid"]


def wait_for_hook(stack, suffix, call_sid, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, log = http("GET", f"{stack.carrier_url}/_carrier/webhooks")
        for exchange in log:
            if exchange["url"].endswith(suffix) and call_sid in json.dumps(exchange):
                return exchange
        time.sleep(0.1)
    pytest.fail(f"the carrier never called {suffix} for {call_sid}")


def call_item(stack, call_sid):
    item = aws_client(stack, "dynamodb").get_item(
        TableName="ringback-local-calls", Key={"call_id": {"S": f"tw:{call_sid}"}}, ConsistentRead=True)
    return item.get("Item")


def test_an_answered_call_carries_the_visit_and_its_recording_lands_in_s3(open_site):
    stack = open_site
    http("POST", f"{stack.carrier_url}/_carrier/script",
         {"number": DEMO_DESTINATION, "party": {"answer_after": 2, "talk_for": 20}})
    number = shown_number(stack, "client-call-0001")
    sid = place_call(stack, "+14155550011", number)
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
    assert key.startswith("tenants/demo/recordings/") and head["ServerSideEncryption"] == "aws:kms"
    assert s3.get_object(Bucket="ringback-local-recordings", Key=key)["Body"].read()[:4] == b"RIFF"


def test_a_missed_call_texts_the_site_within_the_call(open_site):
    stack = open_site
    http("POST", f"{stack.carrier_url}/_carrier/script", {"number": DEMO_DESTINATION, "party": {"outcome": "no-answer"}})
    number = shown_number(stack, "client-call-0002")
    sid = place_call(stack, "+14155550022", number)
    wait_for_hook(stack, "/v1/carrier/dial-complete", sid)
    _, messages = http("GET", f"{stack.carrier_url}/_carrier/messages?to={urllib.parse.quote(DEMO_ALERT_CONTACT)}")
    texts = [m for m in messages if "+14155550022" in m["body"]]
    assert len(texts) == 1 and "google" in texts[0]["body"] and texts[0]["from"] == number
    assert call_item(stack, sid)["status"]["S"] == "no-answer"


def test_unsigned_and_forged_webhooks_are_refused_over_http(stack):
    params = "CallSid=CAforged&From=%2B14155550033&To=%2B14155550150"
    for headers in ({}, {"X-Twilio-Signature": "Zm9yZ2Vk"}):
        request = urllib.request.Request(f"{stack.url}/v1/carrier/voice", data=params.encode(), method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded", **headers})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 403
    assert call_item(stack, "CAforged") is None
