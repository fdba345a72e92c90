"""The public HTTP API: one API Gateway REST API whose routes are the Chalice apps' routes.

Chalice dispatches on `requestContext.resourcePath`, so every resource here carries
exactly the path its Chalice route declares ("/v1/sites/{site}/config"), with a
Lambda proxy integration to the function whose app declares it. Routes come from the
apps themselves (`infra.catalog.load_app`), never from a second list that could drift.

Tenant routes (authorizer "dashboard-users") get the REQUEST authorizer that accepts
Cognito ID tokens and API keys (the pool function's `authorizer` worker); public routes
(the ones with CORS) are called from customers' pages and are guarded in the code by the
site key and the page's Origin, and here by stage throttling.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from chalice import Chalice, CORSConfig
from constructs import Construct

from infra.catalog import FUNCTIONS  # noqa: F401  (puts the shared package on the path)
from infra.constructs import acknowledge
from infra.constructs.auth import DASHBOARD_AUTHORIZER
from ringback.adapters.carrier import WEBHOOKS as CARRIER_WEBHOOKS

THROTTLE_RATE = 200  # requests per second, steady, per stage across all methods
THROTTLE_BURST = 400


class DuplicateRouteError(ValueError):
    pass


@dataclass(frozen=True)
class Route:
    function: str
    path: str
    method: str
    authorizer: str | None
    cors: CORSConfig | None


def collect_routes(apps: Mapping[str, Chalice]) -> list[Route]:
    """Every (path, method) of every app, refusing one claimed by two apps: API Gateway
    can send it to only one function, and which one would be an accident."""
    owners: dict[tuple[str, str], str] = {}
    routes: list[Route] = []
    for function, app in apps.items():
        for path, methods in app.routes.items():
            for method, entry in methods.items():
                key = (path, method)
                if key in owners:
                    raise DuplicateRouteError(
                        f"route {method} {path} is defined by both functions/{owners[key]}/app.py "
                        f"and functions/{function}/app.py; a route must belong to one function"
                    )
                owners[key] = function
                authorizer = entry.authorizer.name if entry.authorizer is not None else None
                routes.append(Route(function, path, method, authorizer, entry.cors))
    return sorted(routes, key=lambda r: (r.path, r.method))


def _error_template(code: str) -> str:
    # $context.error.messageString is already a quoted JSON string.
    return (
        '{"error": {"code": "' + code + '", "message": $context.error.messageString, '
        '"requestId": "$context.requestId"}}'
    )


# Answers API Gateway gives before a function runs, in the apps' error shape
# (ringback.adapters.web.error_body) and with the apps' codes.
GATEWAY_ERRORS: tuple[tuple[apigw.ResponseType, str, str | None], ...] = (
    (apigw.ResponseType.DEFAULT_4_XX, "invalid_request", None),
    (apigw.ResponseType.DEFAULT_5_XX, "internal_error", None),
    (apigw.ResponseType.UNAUTHORIZED, "unauthenticated", None),
    (apigw.ResponseType.ACCESS_DENIED, "forbidden", None),
    (apigw.ResponseType.THROTTLED, "rate_limited", None),
    # With no IAM or API-key auth on this API, a "missing authentication token" only
    # ever means no such route.
    (apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, "not_found", "404"),
)


class ApiConstruct(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stage_name: str,
        apps: Mapping[str, Chalice],
        functions: Mapping[str, lambda_.IFunction],
        authorizer_function: lambda_.IFunction,
        log_retention: logs.RetentionDays,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, id)
        self.stage_name = stage_name
        self.routes = collect_routes(apps)

        self.access_logs = logs.LogGroup(
            self, "AccessLogs", retention=log_retention, removal_policy=removal_policy
        )
        self.rest_api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=f"ringback-{stage_name}",
            description="Ringback public API (widget, dashboard, carrier webhooks)",
            # CloudFront is the only edge in front of it.
            endpoint_types=[apigw.EndpointType.REGIONAL],
            # Execution logging needs the account-level CloudWatch role. It is one setting
            # per account and region that other APIs may rely on, so it outlives the stack.
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.RETAIN,
            deploy_options=apigw.StageOptions(
                stage_name=stage_name,
                access_log_destination=apigw.LogGroupLogDestination(self.access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=True,
                ),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                # Full request/response logging would write visitors' phone numbers.
                data_trace_enabled=False,
                metrics_enabled=True,
                tracing_enabled=True,
                throttling_rate_limit=THROTTLE_RATE,
                throttling_burst_limit=THROTTLE_BURST,
            ),
        )
        self._acknowledge_api_level()

        for response_type, code, status in GATEWAY_ERRORS:
            self.rest_api.add_gateway_response(
                f"Error{response_type.response_type}",
                type=response_type,
                status_code=status,
                response_headers={
                    "Content-Type": "'application/json'",
                    # Lets the widget on a customer's page read the error, as it can
                    # read the apps' own errors.
                    "Access-Control-Allow-Origin": "'*'",
                },
                templates={"application/json": _error_template(code)},
            )

        # One authorizer for users and API keys alike (ringback.adapters.identity). No
        # result cache: a revoked key or a removed member is refused on the next request.
        self.authorizer = apigw.RequestAuthorizer(
            self,
            "DashboardAuthorizer",
            authorizer_name=DASHBOARD_AUTHORIZER,
            handler=authorizer_function,
            identity_sources=[apigw.IdentitySource.header("Authorization")],
            results_cache_ttl=Duration.seconds(0),
        )
        # Rejects a request missing a declared path parameter before it costs an
        # invocation. Bodies are validated by the apps (one error shape); with no model
        # attached to a method, body validation here passes every body.
        self.validator = self.rest_api.add_request_validator(
            "Requests", validate_request_parameters=True, validate_request_body=True
        )

        # One permission per function for the whole API, instead of one per method:
        # Lambda resource policies are capped at 20 KB.
        integrations = {
            name: apigw.LambdaIntegration(function, scope_permission_to_method=False)
            for name, function in functions.items()
        }
        self.methods: dict[tuple[str, str], apigw.Method] = {}
        for route in self.routes:
            if route.function not in integrations:
                raise KeyError(f"route {route.method} {route.path}: no function '{route.function}'")
            self.methods[(route.path, route.method)] = self._add_route(route, integrations[route.function])
        self._add_cors_preflights()

    def _add_route(self, route: Route, integration: apigw.Integration) -> apigw.Method:
        resource = self.rest_api.root.resource_for_path(route.path)
        path_parameters = {
            f"method.request.path.{part[1:-1]}": True
            for part in route.path.split("/")
            if part.startswith("{") and part.endswith("}")
        }
        options: dict = {
            "request_validator": self.validator,
            "request_parameters": path_parameters or None,
        }
        if route.authorizer == DASHBOARD_AUTHORIZER:
            options.update(
                authorization_type=apigw.AuthorizationType.CUSTOM,
                authorizer=self.authorizer,
            )
        elif route.authorizer is not None:
            raise ValueError(
                f"route {route.method} {route.path} names authorizer '{route.authorizer}'; "
                f"infra/constructs/api.py knows only '{DASHBOARD_AUTHORIZER}'"
            )
        method = resource.add_method(route.method, integration, **options)
        if route.authorizer is None:
            if route.path.startswith(CARRIER_WEBHOOKS):
                reason = (
                    "Called by the telephony carrier, which cannot use Cognito; every request "
                    "is refused unless its X-Twilio-Signature (HMAC of URL and body) matches."
                )
            else:
                reason = (
                    "Public by design: called from customers' web pages without a user; "
                    "guarded by the site key, the Origin check and stage throttling."
                )
            acknowledge(method, "APIG4", reason)
            acknowledge(method, "COG4", reason)
        else:
            acknowledge(method, "COG4", "Authorized by our REQUEST authorizer, which verifies the Cognito ID "
                        "token as a Cognito authorizer does (signature against the pool's JWKS, issuer, "
                        "audience, expiry) and also accepts the tenant's API keys, which a Cognito "
                        "authorizer cannot.")
        return method

    def _add_cors_preflights(self) -> None:
        by_path: dict[str, list[Route]] = {}
        for route in self.routes:
            if route.cors is not None:
                by_path.setdefault(route.path, []).append(route)
        for path, routes in by_path.items():
            configs = {tuple(sorted(r.cors.get_access_control_headers().items())) for r in routes}
            if len(configs) > 1:
                raise ValueError(f"{path}: its methods declare different CORS settings")
            headers = dict(configs.pop())
            max_age = headers.get("Access-Control-Max-Age")
            expose = headers.get("Access-Control-Expose-Headers")
            self.rest_api.root.resource_for_path(path).add_cors_preflight(
                allow_origins=[headers["Access-Control-Allow-Origin"]],
                allow_headers=headers["Access-Control-Allow-Headers"].split(","),
                allow_methods=sorted({r.method for r in routes}),
                expose_headers=expose.split(",") if expose else None,
                allow_credentials=headers.get("Access-Control-Allow-Credentials") == "true" or None,
                max_age=Duration.seconds(int(max_age)) if max_age else None,
            )

    def _acknowledge_api_level(self) -> None:
        acknowledge(
            self.rest_api.deployment_stage,
            "APIG3",
            "No WAF yet: the API is reached through CloudFront, throttled per stage, and "
            "public routes are limited per site and visitor by the rate_counters table.",
        )
        acknowledge(
            self.rest_api.node.find_child("CloudWatchRole"),
            "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
            "API Gateway's account-level logging role uses the AWS-managed "
            "AmazonAPIGatewayPushToCloudWatchLogs policy, the documented minimum for it.",
        )
