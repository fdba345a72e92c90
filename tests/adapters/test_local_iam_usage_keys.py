"""The local AWS endpoint holds the pool function's usage-key calls (ringback.adapters.
usage_plans) to its policy, as API Gateway's IAM check would: apigateway:<HTTP method> on
the path each call names. The statements are the shape infra/constructs/api.py grants
(tests/infra/test_key_enrolment.py holds the enrolment worker's synthesized policy to it)."""
import json
import urllib.request
import uuid

import pytest

from devstack import aws
from ringback.accounts.api_keys import ApiKey, enrol_existing_keys
from ringback.adapters.memory_key_pages import MemoryKeyPages
from ringback.adapters.usage_plans import (
    API_KEYS,
    ApiGatewayUsageMeter,
    usage_plan_name,
)
from ringback.errors import Unavailable
from tests.adapters.test_local_iam import admin, as_role

ARN = f"arn:aws:apigateway:{aws.REGION}::"


@pytest.fixture(scope="module")
def endpoint():
    server = aws.MotoServer(aws.free_port(), enforce_iam=True).start()
    yield server.url
    server.stop()


def _grants(plan_id: str, *, add_to_plan: bool = True, list_plan_keys: bool = False) -> list[dict]:
    posts = [f"{ARN}/apikeys"] + ([f"{ARN}/usageplans/{plan_id}/keys"] if add_to_plan else [])
    gets = [f"{ARN}/usageplans", f"{ARN}/apikeys"] + ([f"{ARN}/usageplans/{plan_id}/keys"] if list_plan_keys else [])
    return [{"Effect": "Allow", "Action": "apigateway:GET", "Resource": gets},
            {"Effect": "Allow", "Action": "apigateway:POST", "Resource": posts},
            {"Effect": "Allow", "Action": "apigateway:DELETE",
             "Resource": [f"{ARN}/apikeys/*", f"{ARN}/usageplans/{plan_id}/keys/*"]}]


def _plan(endpoint) -> tuple[str, str]:
    stage = f"t{uuid.uuid4().hex[:6]}"
    plan = admin(endpoint, "apigateway").create_usage_plan(name=usage_plan_name(stage, API_KEYS))["id"]
    return stage, plan


def test_the_pool_functions_grants_enroll_and_withdraw_a_key(endpoint):
    stage, plan = _plan(endpoint)
    session, _ = as_role(endpoint, _grants(plan))
    meter = ApiGatewayUsageMeter(stage, client=session.client("apigateway", endpoint_url=endpoint))
    key = "k" + uuid.uuid4().hex[:16]
    meter.enroll(key)
    keys = admin(endpoint, "apigateway").get_usage_plan_keys(usagePlanId=plan)["items"]
    assert [k["name"] for k in keys] == [meter.identifier(key)]
    meter.withdraw(key)
    assert admin(endpoint, "apigateway").get_usage_plan_keys(usagePlanId=plan)["items"] == []


def test_without_the_grant_on_its_plan_a_key_is_not_enrolled_and_no_key_is_left(endpoint):
    stage, plan = _plan(endpoint)
    session, role = as_role(endpoint, _grants(plan, add_to_plan=False))
    meter = ApiGatewayUsageMeter(stage, client=session.client("apigateway", endpoint_url=endpoint))
    key = "k" + uuid.uuid4().hex[:16]
    with pytest.raises(Unavailable):
        meter.enroll(key)
    with urllib.request.urlopen(f"{endpoint}/_ringback/iam/denials", timeout=30) as response:
        denied = json.loads(response.read())
    assert any(d["action"] == "apigateway:POST" and d["resource"] == f"{ARN}/usageplans/{plan}/keys"
               and role in d["principal"] for d in denied)
    # The API key made before the refusal was deleted again: nothing unmetered lingers.
    names = [k["name"] for k in admin(endpoint, "apigateway").get_api_keys()["items"]]
    assert meter.identifier(key) not in names


def _old_keys(count: int) -> MemoryKeyPages:
    store = MemoryKeyPages()
    for _ in range(count):
        store.save(ApiKey("k" + uuid.uuid4().hex[:16], "t-acme", "CRM sync", "read", "0" * 64, "sub-ann", 1))
    return store


def test_the_enrolment_workers_grants_list_the_plan_and_enrol_the_old_keys(endpoint):
    stage, plan = _plan(endpoint)
    session, _ = as_role(endpoint, _grants(plan, list_plan_keys=True))
    meter = ApiGatewayUsageMeter(stage, client=session.client("apigateway", endpoint_url=endpoint))
    store = _old_keys(3)
    run = enrol_existing_keys(store, meter)
    assert run.done and len(run.enrolled) == 3
    members = admin(endpoint, "apigateway").get_usage_plan_keys(usagePlanId=plan)["items"]
    assert sorted(k["name"] for k in members) == sorted(meter.identifier(k) for k in run.enrolled)


def test_the_pool_functions_grants_may_not_list_the_plan_so_they_cannot_run_the_enrolment(endpoint):
    stage, plan = _plan(endpoint)
    session, role = as_role(endpoint, _grants(plan))
    meter = ApiGatewayUsageMeter(stage, client=session.client("apigateway", endpoint_url=endpoint))
    with pytest.raises(Unavailable):
        enrol_existing_keys(_old_keys(1), meter)
    with urllib.request.urlopen(f"{endpoint}/_ringback/iam/denials", timeout=30) as response:
        denied = json.loads(response.read())
    assert any(d["action"] == "apigateway:GET" and d["resource"] == f"{ARN}/usageplans/{plan}/keys"
               and role in d["principal"] for d in denied)
    assert admin(endpoint, "apigateway").get_usage_plan_keys(usagePlanId=plan)["items"] == []
