"""Limits per door on the local stack: the edge believes no viewer header a client sends,
and each tenant API key is metered in the API's usage plan from creation to revocation,
by the pool function under its own IAM policy (Stack.stop fails on any denial)."""
import json
import urllib.request

import boto3
import pytest

from devstack import aws, viewers
from tests.support.stack import id_token

pytestmark = pytest.mark.e2e


def request(stack, method, path, body=None, headers=None, source=None):
    req = urllib.request.Request(stack.url + path, data=json.dumps(body).encode() if body is not None else None,
                                 method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with (viewers.opener(source).open if source else urllib.request.urlopen)(req, timeout=15) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _visit_region(stack, session_id) -> dict:
    dynamodb = boto3.client("dynamodb", endpoint_url=stack.moto_url, region_name=aws.REGION,
                            aws_access_key_id="local", aws_secret_access_key="local")
    item = dynamodb.get_item(TableName="ringback-local-visits", Key={"session_id": {"S": session_id}})["Item"]
    return {k: v["S"] for k, v in item["region"]["M"].items()}


def test_a_forged_viewer_country_sent_to_the_local_stack_is_not_believed(stack):
    body = {"siteKey": stack.site_key, "clientId": "client-forger-0001", "page": f"{stack.site_url}/?utm_medium=cpc"}
    forged = {"Origin": stack.site_url, "CloudFront-Viewer-Country": "KP", "CloudFront-Viewer-Country-Region": "01",
              "CloudFront-Viewer-City": "Pyongyang", "CloudFront-Viewer-Address": "203.0.113.9:443"}
    status, offer = request(stack, "POST", "/v1/sessions", body, forged)
    assert status == 200
    assert _visit_region(stack, offer["sessionId"]) == {}  # 127.0.0.1 is nowhere the edge can place
    # From an address the local edge places in California, the visit is Californian, whatever it claims.
    status, offer = request(stack, "POST", "/v1/sessions", {**body, "clientId": "client-forger-0002"}, forged,
                            source=viewers.CALIFORNIA)
    assert status == 200
    assert _visit_region(stack, offer["sessionId"]) == {"country": "US", "region": "CA", "city": "Oakland"}


def test_an_api_key_is_metered_in_the_usage_plan_until_it_is_revoked(stack):
    token = {"Authorization": id_token(stack)}
    status, created = request(stack, "POST", "/v1/api-keys", {"name": "Metered CRM", "access": "read"}, token)
    assert status == 201, created
    key_id = created["keyId"]
    apigateway = boto3.client("apigateway", endpoint_url=stack.moto_url, region_name=aws.REGION,
                              aws_access_key_id="local", aws_secret_access_key="local")
    (plan,) = [p for p in apigateway.get_usage_plans()["items"] if p["name"] == "ringback-local-api-keys"]

    def metered() -> set[str]:
        return {k["name"] for k in apigateway.get_usage_plan_keys(usagePlanId=plan["id"])["items"]}

    assert f"ringback-local-key-{key_id}" in metered()
    status, _ = request(stack, "GET", "/v1/calls", headers={"Authorization": f"Bearer {created['secret']}"})
    assert status == 200
    status, _ = request(stack, "DELETE", f"/v1/api-keys/{key_id}", headers=token)
    assert status == 204
    assert f"ringback-local-key-{key_id}" not in metered()


def test_a_key_without_a_meter_is_refused_as_api_gateway_refuses_it_until_it_is_metered(stack):
    """A key made before usage plans (its meter missing): API Gateway answers INVALID_API_KEY,
    in our shape, until the deploy's enrolment (infra/constructs/key_enrolment.py) meters it."""
    token = {"Authorization": id_token(stack)}
    status, created = request(stack, "POST", "/v1/api-keys", {"name": "Older CRM", "access": "read"}, token)
    assert status == 201, created
    apigateway = boto3.client("apigateway", endpoint_url=stack.moto_url, region_name=aws.REGION,
                              aws_access_key_id="local", aws_secret_access_key="local")
    (plan,) = [p for p in apigateway.get_usage_plans()["items"] if p["name"] == "ringback-local-api-keys"]
    (meter,) = [k for k in apigateway.get_usage_plan_keys(usagePlanId=plan["id"])["items"]
                if k["name"] == f"ringback-local-key-{created['keyId']}"]
    apigateway.delete_usage_plan_key(usagePlanId=plan["id"], keyId=meter["id"])
    bearer = {"Authorization": f"Bearer {created['secret']}"}
    status, answer = request(stack, "GET", "/v1/calls", headers=bearer)
    assert status == 403 and answer["error"]["code"] == "api_key_not_metered", answer
    apigateway.create_usage_plan_key(usagePlanId=plan["id"], keyId=meter["id"], keyType="API_KEY")
    status, _ = request(stack, "GET", "/v1/calls", headers=bearer)
    assert status == 200
