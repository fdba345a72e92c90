"""Call tracking through the local stack: sessions, heartbeats, clicks and pool health."""
import json
import os
import subprocess
import sys
import urllib.request

import boto3
import pytest

from devstack import aws, viewers
from devstack.demo import DEMO_POOL_NUMBERS, DEMO_STATIC_NUMBER
from tests.support.stack import REPO, REQUEST_SECONDS, get, id_token

pytestmark = pytest.mark.e2e


def post(stack, path, body, origin=None, content_type="application/json"):
    request = urllib.request.Request(
        stack.url + path, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": content_type, "Origin": origin or stack.site_url},
    )
    try:
        # A visitor in California, as the local edge locates addresses (devstack/viewers.py).
        with viewers.opener(viewers.CALIFORNIA).open(request, timeout=REQUEST_SECONDS) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def visit(stack, client, query="?utm_source=google&utm_medium=cpc&utm_term=leak", referrer="", session=None):
    return post(stack, "/v1/sessions", {
        "siteKey": stack.site_key, "clientId": client, "sessionId": session,
        "page": f"{stack.site_url}/{query}", "referrer": referrer,
    })


def test_a_paid_visit_leases_a_pool_number_and_stores_the_visit(stack):
    status, offer = visit(stack, "client-e2e-0001")
    assert status == 200
    [shown] = offer["numbers"]
    assert shown["original"] == "+14155550100" and shown["number"] in DEMO_POOL_NUMBERS and shown["kind"] == "pool"
    dynamodb = boto3.client("dynamodb", endpoint_url=stack.moto_url, region_name=aws.REGION,
                            aws_access_key_id="local", aws_secret_access_key="local")
    item = dynamodb.get_item(TableName="ringback-local-visits", Key={"session_id": {"S": offer["sessionId"]}})["Item"]
    assert item["utm"]["M"]["medium"]["S"] == "cpc" and item["keyword"]["S"] == "leak"
    assert item["region"]["M"] == {"country": {"S": "US"}, "region": {"S": "CA"}, "city": {"S": "Oakland"}}


def test_a_yelp_visit_sees_the_static_number_and_a_direct_one_the_sites_own(stack):
    _, offer = visit(stack, "client-e2e-0002", query="", referrer="https://www.yelp.com/biz/demo")
    assert offer["numbers"][0]["number"] == DEMO_STATIC_NUMBER
    _, offer = visit(stack, "client-e2e-0003", query="")
    assert offer["numbers"][0] == {"original": "+14155550100", "number": "+14155550100", "extension": None,
                                   "kind": "default"}


def test_heartbeat_keeps_the_number_and_a_click_beacon_is_accepted(stack):
    _, offer = visit(stack, "client-e2e-0004")
    status, touched = post(stack, f"/v1/sessions/{offer['sessionId']}/touch",
                           {"siteKey": stack.site_key, "clientId": "client-e2e-0004"})
    assert status == 200 and touched["numbers"] == offer["numbers"]
    status, _ = post(stack, f"/v1/sessions/{offer['sessionId']}/clicks",
                     {"siteKey": stack.site_key, "clientId": "client-e2e-0004",
                      "number": offer["numbers"][0]["number"]},
                     content_type="text/plain;charset=UTF-8")
    assert status == 204
    status, body = post(stack, f"/v1/sessions/{offer['sessionId']}/touch",
                        {"siteKey": stack.site_key, "clientId": "client-someone-else"})
    assert status == 404 and body["error"]["code"] == "unknown_session"


def test_bad_input_gets_a_4xx_in_the_error_shape(stack):
    status, body = post(stack, "/v1/sessions", {"siteKey": stack.site_key, "clientId": "x", "page": stack.site_url})
    assert status == 400 and body["error"]["code"] == "invalid_client_id"
    status, body = post(stack, "/v1/sessions", {"siteKey": stack.site_key, "clientId": "client-e2e-0005",
                                                "page": stack.site_url}, origin="https://evil.example")
    assert status == 403 and body["error"]["code"] == "origin_not_allowed"


def test_the_pool_reports_its_health_to_its_owner(stack):
    for i in range(3):
        visit(stack, f"client-e2e-1{i:03d}")
    token = id_token(stack)
    status, _, body = get(f"{stack.url}/v1/pools/{stack.pool_id}/health?hours=1&target=0.05", {"Authorization": token})
    health = json.loads(body)
    assert status == 200 and health["size"] == 10 and health["leases"] >= 3
    assert health["peak_concurrent"] >= 3 and health["recommended_size"] >= 1
    status, _, body = get(f"{stack.url}/v1/pools/someone-elses/health", {"Authorization": token})
    assert status == 404


def test_the_cli_reports_pool_health_from_the_same_tables(stack):
    visit(stack, "client-e2e-cli-01")
    env = {**os.environ, **aws.LOCAL_CREDENTIALS,
           **aws.local_settings(stack.moto_url, stack.url).as_environment()}
    result = subprocess.run(
        [sys.executable, "functions/pool/cli.py", "--tenant", stack.tenant_id, "--hours", "1", "--json"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    [report] = [json.loads(line) for line in result.stdout.splitlines()]
    assert report["pool_id"] == stack.pool_id and report["size"] == 10 and report["leases"] >= 1
    assert 0 < report["utilisation"] <= 1 and report["recommended_size"] >= 1
