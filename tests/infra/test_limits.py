"""Limits per door: a throttle per route group, usage plans per tenant API key, AWS WAF at
CloudFront, and an API that answers only requests which came through CloudFront, with no
secret value in the template or any function's environment."""
from __future__ import annotations

import json
import re

import pytest
from aws_cdk import App, Environment

from infra.catalog import FUNCTIONS, load_app
from infra.constructs.api import (
    API_KEY_DAILY_QUOTA,
    API_KEY_THROTTLE,
    CARRIER,
    PUBLIC,
    TENANT,
    THROTTLES,
    collect_routes,
)
from infra.constructs.firewall import (
    CALLBACK_REQUEST_PATH,
    EDGE_REGION,
    MANAGED_RULE_GROUPS,
    ORIGIN_HEADER,
)
from infra.stack import RingbackStack
from ringback.adapters.usage_plans import usage_key_value
from tests.infra.test_api import _methods

ROUTES = collect_routes({spec.name: load_app(spec.name) for spec in FUNCTIONS})


def _escaped(path: str) -> str:
    return path.replace("/", "~1")


def _one(synth, type_: str, where=lambda props: True) -> tuple[str, dict]:
    (found,) = [(k, v["Properties"]) for k, v in synth.of_type(type_).items() if where(v["Properties"])]
    return found


def test_every_method_is_throttled_by_its_door(synth):
    (stage,) = synth.of_type("AWS::ApiGateway::Stage").values()
    settings = {(s["ResourcePath"], s["HttpMethod"]): s for s in stage["Properties"]["MethodSettings"]}
    groups = {route.group for route in ROUTES}
    assert groups == {PUBLIC, TENANT, CARRIER}
    for route in ROUTES:
        setting = settings[("/" + _escaped(route.path), route.method)]
        expected = THROTTLES[route.group]
        assert (setting["ThrottlingRateLimit"], setting["ThrottlingBurstLimit"]) == (expected.rate, expected.burst), \
            f"{route.method} {route.path}"
    # The carrier's webhooks never share a bucket, or a limit, with the public routes.
    assert next(r for r in ROUTES if r.path == "/v1/carrier/voice").group == CARRIER
    assert next(r for r in ROUTES if r.path == "/v1/sessions").group == PUBLIC
    assert THROTTLES[CARRIER] != THROTTLES[PUBLIC]


def test_tenant_routes_are_metered_by_the_key_the_authorizer_names(synth):
    _, api = _one(synth, "AWS::ApiGateway::RestApi")
    assert api["ApiKeySourceType"] == "AUTHORIZER"  # a key a caller sends is never read
    methods = _methods(synth)
    for route in ROUTES:
        assert methods[(route.path, route.method)].get("ApiKeyRequired", False) is (route.group == TENANT), \
            f"{route.method} {route.path}"


def test_each_api_key_has_its_own_limits_and_the_dashboards_users_share_theirs(synth):
    stage_id = synth.logical_id(synth.stack.api.rest_api.deployment_stage)
    plans = {p["UsagePlanName"]: (k, p) for k, p in
             ((k, v["Properties"]) for k, v in synth.of_type("AWS::ApiGateway::UsagePlan").items())}
    assert set(plans) == {"ringback-prod-api-keys", "ringback-prod-dashboard"}
    _, keys_plan = plans["ringback-prod-api-keys"]
    assert keys_plan["Throttle"] == {"RateLimit": API_KEY_THROTTLE.rate, "BurstLimit": API_KEY_THROTTLE.burst}
    assert keys_plan["Quota"] == {"Limit": API_KEY_DAILY_QUOTA, "Period": "DAY"}
    for _, plan in plans.values():
        assert [s["Stage"] for s in plan["ApiStages"]] == [{"Ref": stage_id}]
    # The dashboard's key is the one the authorizer names for signed-in users.
    key_id, key = _one(synth, "AWS::ApiGateway::ApiKey")
    assert key["Value"] == usage_key_value("prod", None)
    _, link = _one(synth, "AWS::ApiGateway::UsagePlanKey")
    assert link == {"KeyId": {"Ref": key_id}, "KeyType": "API_KEY",
                    "UsagePlanId": {"Ref": plans["ringback-prod-dashboard"][0]}}


def test_only_the_pool_function_and_its_enrolment_manage_usage_keys_and_only_in_the_api_keys_plan(synth):
    plan_id = synth.logical_id(synth.stack.api.api_keys_plan)
    # The pool function makes and revokes keys; its enrolment worker meters the keys made
    # before usage plans, on deploy (tests/infra/test_key_enrolment.py).
    managers = {synth.logical_id(synth.stack.functions.functions["pool"].role),
                synth.logical_id(synth.stack.functions.workers["pool-enrolment"].role)}
    holders = {}
    for logical, policy in synth.of_type("AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            if any(a.startswith("apigateway:") for a in actions):
                holders.setdefault(logical, []).append(statement)
    assert len(holders) == 2
    assert {r["Ref"] for only in holders for r in synth.resources[only]["Properties"]["Roles"]} == managers
    for only in holders:
        text = json.dumps(holders[only])
        assert '"apigateway:*"' not in text and '"Resource": "*"' not in text
        posts = next(s for s in holders[only] if s["Action"] == "apigateway:POST")
        assert any({"Ref": plan_id} in r["Fn::Join"][1] for r in posts["Resource"] if "usageplans" in json.dumps(r))


def _edge_acl(synth) -> dict:
    return _one(synth, "AWS::WAFv2::WebACL", lambda p: p["Scope"] == "CLOUDFRONT")


def test_cloudfront_has_a_web_acl_with_aws_managed_rule_groups(synth):
    acl_id, acl = _edge_acl(synth)
    _, distribution = _one(synth, "AWS::CloudFront::Distribution")
    assert distribution["DistributionConfig"]["WebACLId"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    managed = {r["Statement"]["ManagedRuleGroupStatement"]["Name"]: r for r in acl["Rules"]
               if "ManagedRuleGroupStatement" in r["Statement"]}
    assert set(managed) == set(MANAGED_RULE_GROUPS) >= {
        "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList"}
    for rule in managed.values():
        assert rule["OverrideAction"] == {"None": {}}  # they block, not merely count
        # A visitor's SMS may read "<script>": the carrier's signed webhooks are left to their signature.
        scope = rule["Statement"]["ManagedRuleGroupStatement"]["ScopeDownStatement"]["NotStatement"]["Statement"]
        assert scope["ByteMatchStatement"]["SearchString"] == "/v1/carrier/"


def test_cloudfront_limits_each_ip_on_the_public_routes_only(synth):
    _, acl = _edge_acl(synth)
    rate = {r["Name"]: r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]}
    assert rate, "rate rules per IP"
    for rule in rate.values():
        statement = rule["Statement"]["RateBasedStatement"]
        response = rule["Action"]["Block"]["CustomResponse"]
        assert statement["AggregateKeyType"] == "IP" and response["ResponseCode"] == 429
        # A page's widget can read the refusal (CORS), as it reads the API's own.
        assert response["ResponseHeaders"] == [{"Name": "Access-Control-Allow-Origin", "Value": "*"}]
        body = json.loads(acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]["Content"])
        assert body["error"]["code"] == "rate_limited"
    public = re.compile(rate["PublicRoutesPerIp"]["Statement"]["RateBasedStatement"]["ScopeDownStatement"]
                        ["RegexMatchStatement"]["RegexString"])
    for path in ("/v1/sessions", "/v1/sessions/s-1/touch", "/v1/sites/pk_abc/config", "/v1/callbacks"):
        assert public.match(path), path
    for path in ("/v1/sites/site-1/routing", "/v1/carrier/voice", "/v1/calls", "/v1/sessions/x/y/z"):
        assert not public.match(path), path
    callbacks = rate["CallbackRequestsPerIp"]["Statement"]["RateBasedStatement"]
    pattern = callbacks["ScopeDownStatement"]["RegexMatchStatement"]["RegexString"]
    assert re.compile(pattern).match(CALLBACK_REQUEST_PATH)
    assert callbacks["Limit"] < rate["PublicRoutesPerIp"]["Statement"]["RateBasedStatement"]["Limit"]


def test_the_api_answers_only_requests_carrying_cloudfronts_origin_secret(synth):
    acl_id, acl = _one(synth, "AWS::WAFv2::WebACL", lambda p: p["Scope"] == "REGIONAL" and "api" in p["Name"])
    assert "Block" in acl["DefaultAction"]
    (allow,) = acl["Rules"]
    match = allow["Statement"]["ByteMatchStatement"]
    assert allow["Action"] == {"Allow": {}} and match["PositionalConstraint"] == "EXACTLY"
    assert match["FieldToMatch"] == {"SingleHeader": {"Name": ORIGIN_HEADER.lower()}}
    stage_id = synth.logical_id(synth.stack.api.rest_api.deployment_stage)
    _, association = _one(synth, "AWS::WAFv2::WebACLAssociation",
                          lambda p: p["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]})
    assert {"Ref": stage_id} in association["ResourceArn"]["Fn::Join"][1]
    # CloudFront adds the same value to every request it sends the API, and to nothing else.
    _, distribution = _one(synth, "AWS::CloudFront::Distribution")
    origins = distribution["DistributionConfig"]["Origins"]
    api = [o for o in origins if "execute-api" in json.dumps(o["DomainName"])]
    assert api and all(o["OriginCustomHeaders"] == [{"HeaderName": ORIGIN_HEADER, "HeaderValue": match["SearchString"]}]
                       for o in api)
    assert all("OriginCustomHeaders" not in o for o in origins if o not in api)


def test_no_origin_secret_value_in_the_template_or_any_environment(synth):
    secret_id = synth.logical_id(synth.stack.api_firewall.origin_secret)
    secret = synth.resources[secret_id]["Properties"]
    assert "SecretString" not in secret and "GenerateSecretString" in secret  # made by Secrets Manager
    reference = {"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": secret_id}, ":SecretString:value::}}"]]}
    _, distribution = _one(synth, "AWS::CloudFront::Distribution")
    values = [h["HeaderValue"] for o in distribution["DistributionConfig"]["Origins"]
              for h in o.get("OriginCustomHeaders", [])]
    assert values == [reference]  # resolved by CloudFormation at deploy time, never written here
    for function in synth.of_type("AWS::Lambda::Function").values():
        environment = json.dumps(function["Properties"].get("Environment", {}))
        assert secret_id not in environment and "resolve:secretsmanager" not in environment
    for output in synth.template.to_json().get("Outputs", {}).values():
        assert secret_id not in json.dumps(output)


def test_a_stack_outside_us_east_1_must_be_given_the_web_acl():
    with pytest.raises(ValueError, match=EDGE_REGION):
        RingbackStack(App(), "Elsewhere", stage="prod", frontend_dir=None,
                      env=Environment(account="123456789012", region="eu-west-1"))


def test_outside_us_east_1_the_web_acl_lives_in_a_us_east_1_stack_of_its_own(monkeypatch, tmp_path):
    from aws_cdk.assertions import Template

    from infra.app import build_app
    from tests.infra.conftest import cdk_context

    monkeypatch.setenv("CDK_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "123456789012")
    app, stack, _ = build_app(App(context=cdk_context(), outdir=str(tmp_path)))
    firewall = app.node.find_child("Ringback-prod-edge-firewall")
    assert (firewall.region, stack.region) == (EDGE_REGION, "eu-west-1")
    acls = Template.from_stack(firewall).find_resources("AWS::WAFv2::WebACL")
    assert [acl["Properties"]["Scope"] for acl in acls.values()] == ["CLOUDFRONT"]
    main = Template.from_stack(stack).to_json()["Resources"]
    assert not [r for r in main.values()
                if r["Type"] == "AWS::WAFv2::WebACL" and r["Properties"]["Scope"] == "CLOUDFRONT"]
    (distribution,) = [r for r in main.values() if r["Type"] == "AWS::CloudFront::Distribution"]
    web_acl = distribution["Properties"]["DistributionConfig"]["WebACLId"]
    assert web_acl["Fn::GetStackOutput"]["Region"] == EDGE_REGION


def test_a_key_over_its_day_or_naming_no_meter_gets_the_apps_error_shape(synth):
    responses = {r["Properties"]["ResponseType"]: r["Properties"]
                 for r in synth.of_type("AWS::ApiGateway::GatewayResponse").values()}
    for response_type, code in (("QUOTA_EXCEEDED", "quota_exceeded"), ("INVALID_API_KEY", "api_key_not_metered")):
        template = responses[response_type]["ResponseTemplates"]["application/json"]
        assert f'"code": "{code}"' in template, response_type
