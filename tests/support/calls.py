"""Driving calls through the local stack's carrier, for end-to-end tests."""
import json
import time
import urllib.error
import urllib.request

import boto3
import pytest

from devstack import aws
from tests.support.stack import EVENT_SECONDS, REQUEST_SECONDS


def http(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_SECONDS) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def aws_client(stack, service):
    return boto3.client(service, endpoint_url=stack.moto_url, region_name=aws.REGION,
                        aws_access_key_id="local", aws_secret_access_key="local")


def open_around_the_clock(stack):
    """The demo site open at every hour, so a test does not depend on when it runs."""
    aws_client(stack, "dynamodb").update_item(
        TableName="ringback-local-sites", Key={"site_id": {"S": stack.site_id}},
        UpdateExpression="SET working_hours = :open", ExpressionAttributeValues={":open": {"S": "{}"}},
    )


def place_call(stack, caller, number):
    status, call = http("POST", f"{stack.carrier_url}/_carrier/inbound", {"from": caller, "to": number})
    assert status in (200, 201), call
    return call["sid"]


def wait_for_hook(stack, suffix, call_sid, timeout=EVENT_SECONDS):
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


def call_after_a_visit(stack, client_id, campaign, caller, answer_after=1, talk_for=5):
    """A visitor from a Google ad (utm_campaign=campaign) sees a pool number and calls it;
    the demo operator answers. Returns the carrier's call SID once the <Dial> has ended."""
    from devstack.demo import DEMO_DESTINATION

    open_around_the_clock(stack)
    http("POST", f"{stack.carrier_url}/_carrier/script",
         {"number": DEMO_DESTINATION, "party": {"answer_after": answer_after, "talk_for": talk_for}})
    status, offer = http("POST", f"{stack.url}/v1/sessions", {
        "siteKey": stack.site_key, "clientId": client_id,
        "page": f"{stack.site_url}/?utm_source=google&utm_medium=cpc&utm_campaign={campaign}",
    }, {"Origin": stack.site_url})
    assert status == 200, offer
    sid = place_call(stack, caller, offer["numbers"][0]["number"])
    wait_for_hook(stack, "/v1/carrier/dial-complete", sid)
    return sid
