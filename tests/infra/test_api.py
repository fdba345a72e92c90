"""ApiConstruct: API Gateway serves exactly the Chalice apps' routes, each to its own
function, with our authorizer (users and API keys) on tenant routes and the apps' error shape for its own errors."""
from __future__ import annotations

import json

import pytest
from aws_cdk import App, RemovalPolicy, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from chalice import Chalice

from infra.catalog import FUNCTIONS, load_app
from infra.constructs.api import STAGE_THROTTLE, ApiConstruct, DuplicateRouteError, collect_routes


def _chalice_routes() -> dict[tuple[str, str], tuple[str, object]]:
    routes = {}
    for spec in FUNCTIONS:
        for path, methods in load_app(spec.name).routes.items():
            for method, entry in methods.items():
                routes[(path, method)] = (spec.name, entry)
    return routes


def _resource_paths(synth) -> dict[str, str]:
    """Logical id of each API resource -> its full path, as API Gateway will match it."""
    resources = synth.of_type("AWS::ApiGateway::Resource")
    api_id = synth.logical_id(synth.stack.api.rest_api)

    def path(logical: str) -> str:
        props = resources[logical]["Properties"]
        parent = props["ParentId"]
        if parent == {"Fn::GetAtt": [api_id, "RootResourceId"]}:
            return "/" + props["PathPart"]
        return path(parent["Ref"]) + "/" + props["PathPart"]

    return {logical: path(logical) for logical in resources}


def _methods(synth) -> dict[tuple[str, str], dict]:
    paths = _resource_paths(synth)
    methods = {}
    for method in synth.of_type("AWS::ApiGateway::Method").values():
        props = method["Properties"]
        resource = props["ResourceId"]
        path = paths[resource["Ref"]] if "Ref" in resource else "/"
        methods[(path, props["HttpMethod"])] = props
    return methods


def test_every_chalice_route_is_served_at_its_exact_path(synth):
    served = {key for key in _methods(synth) if key[1] != "OPTIONS"}
    assert served == set(_chalice_routes())


def test_each_route_reaches_the_function_whose_app_declares_it(synth):
    methods = _methods(synth)
    for (path, method), (function, _) in _chalice_routes().items():
        uri = json.dumps(methods[(path, method)]["Integration"]["Uri"])
        function_id = synth.logical_id(synth.stack.functions.functions[function])
        assert function_id in uri, f"{method} {path}"
        assert methods[(path, method)]["Integration"]["Type"] == "AWS_PROXY"


def test_tenant_routes_require_our_authorizer(synth):
    methods = _methods(synth)
    authorizer = synth.logical_id(synth.stack.api.authorizer)
    dashboard = [k for k, (_, entry) in _chalice_routes().items() if entry.authorizer is not None]
    assert dashboard, "the catalog has dashboard routes"
    for key in dashboard:
        assert methods[key]["AuthorizationType"] == "CUSTOM", key
        assert methods[key]["AuthorizerId"] == {"Ref": authorizer}, key


def test_the_authorizer_is_the_pool_functions_worker_reading_the_authorization_header_uncached(synth):
    (authorizer,) = synth.of_type("AWS::ApiGateway::Authorizer").values()
    worker = synth.logical_id(synth.stack.functions.workers["pool-authorizer"])
    props = authorizer["Properties"]
    assert props["Type"] == "REQUEST" and props["IdentitySource"] == "method.request.header.Authorization"
    assert worker in json.dumps(props["AuthorizerUri"])
    # Cached answers would let a revoked key work on until the cache expired.
    assert props["AuthorizerResultTtlInSeconds"] == 0
    # It trusts tokens of the dashboard's own pool and client, named in its environment.
    (fn,) = [r for r in synth.of_type("AWS::Lambda::Function").values()
             if worker in json.dumps(r) or r["Properties"].get("Handler") == "app.authorize"]
    env = fn["Properties"]["Environment"]["Variables"]
    assert env["RINGBACK_USER_POOL_ID"] == {"Ref": synth.logical_id(synth.stack.auth.user_pool)}
    assert "RINGBACK_USER_POOL_CLIENT_ID" in env


def test_public_routes_are_open_and_answer_cors_preflight(synth):
    methods = _methods(synth)
    public = [k for k, (_, entry) in _chalice_routes().items() if entry.cors is not None]
    assert public, "the catalog has public routes"
    for path, method in public:
        assert methods[(path, method)]["AuthorizationType"] == "NONE"
        preflight = methods[(path, "OPTIONS")]
        assert preflight["Integration"]["Type"] == "MOCK"
        headers = preflight["Integration"]["IntegrationResponses"][0]["ResponseParameters"]
        assert headers["method.response.header.Access-Control-Allow-Origin"] == "'*'"
        assert method in headers["method.response.header.Access-Control-Allow-Methods"]


@pytest.mark.parametrize(
    "response_type, code",
    [("DEFAULT_4XX", "invalid_request"), ("DEFAULT_5XX", "internal_error"),
     ("UNAUTHORIZED", "unauthenticated"), ("THROTTLED", "rate_limited")],
)
def test_gateway_errors_use_the_apps_json_error_shape(synth, response_type, code):
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in synth.of_type("AWS::ApiGateway::GatewayResponse").values()
    }
    response = responses[response_type]
    assert response["ResponseParameters"]["gatewayresponse.header.Content-Type"] == "'application/json'"
    template = response["ResponseTemplates"]["application/json"]
    assert template == (
        '{"error": {"code": "' + code + '", "message": $context.error.messageString, '
        '"requestId": "$context.requestId"}}'
    )
    # With VTL values filled in, the template is the apps' JSON error body.
    filled = template.replace("$context.error.messageString", '"Unauthorized"').replace(
        "$context.requestId", "req-1"
    )
    assert json.loads(filled) == {"error": {"code": code, "message": "Unauthorized", "requestId": "req-1"}}


def test_stage_logs_throttles_traces_and_measures(synth):
    (stage,) = synth.of_type("AWS::ApiGateway::Stage").values()
    props = stage["Properties"]
    assert props["StageName"] == "prod"
    assert props["TracingEnabled"] is True
    assert "DestinationArn" in props["AccessLogSetting"]
    # The stage's default, for what no route names (CORS preflights); each route's own
    # throttle, by its door, is in tests/infra/test_limits.py.
    (settings,) = [s for s in props["MethodSettings"] if s["ResourcePath"] == "/*"]
    assert settings["HttpMethod"] == "*"
    assert settings["ThrottlingRateLimit"] == STAGE_THROTTLE.rate
    assert settings["ThrottlingBurstLimit"] == STAGE_THROTTLE.burst
    assert all(s["MetricsEnabled"] is True and s["DataTraceEnabled"] is False for s in props["MethodSettings"])
    assert settings["LoggingLevel"] == "ERROR"
    assert settings["DataTraceEnabled"] is False


def test_one_invoke_permission_per_function_not_per_route(synth):
    permissions = [
        p for p in synth.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "apigateway.amazonaws.com"
    ]
    routed = {function for function, _ in _chalice_routes().values()}
    # ...and one for the authorizer, which API Gateway invokes too, only from this API's
    # authorizers.
    authorizer = synth.logical_id(synth.stack.functions.workers["pool-authorizer"])
    invoking_authorizer = [p for p in permissions if authorizer in json.dumps(p["Properties"]["FunctionName"])]
    assert len(invoking_authorizer) == 1
    assert "/authorizers/" in json.dumps(invoking_authorizer[0]["Properties"]["SourceArn"])
    assert len(permissions) == len(routed) + 1


def _app(name: str, path: str) -> Chalice:
    app = Chalice(app_name=name)
    app.route(path, methods=["GET"])(lambda: {})
    return app


def test_a_route_claimed_by_two_apps_is_refused_by_name():
    apps = {"widget": _app("widget", "/v1/things"), "pool": _app("pool", "/v1/things")}
    with pytest.raises(DuplicateRouteError, match=r"GET /v1/things .*functions/widget/app.py.*functions/pool/app.py"):
        collect_routes(apps)


def test_a_route_claimed_by_two_apps_stops_synthesis():
    stack = Stack(App(), "Probe")
    functions = {
        name: lambda_.Function.from_function_arn(
            stack, name, f"arn:aws:lambda:us-east-1:111111111111:function:{name}"
        )
        for name in ("widget", "pool")
    }
    with pytest.raises(DuplicateRouteError):
        ApiConstruct(
            stack,
            "Api",
            stage_name="test",
            apps={"widget": _app("widget", "/v1/things"), "pool": _app("pool", "/v1/things")},
            functions=functions,
            authorizer_function=functions["pool"],
            log_retention=logs.RetentionDays.ONE_WEEK,
            removal_policy=RemovalPolicy.DESTROY,
        )
