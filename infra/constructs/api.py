"""The public HTTP API: one API Gateway REST API whose routes are the Chalice apps' routes.

Chalice dispatches on `requestContext.resourcePath`, so every resource here carries
exactly the path its Chalice route declares ("/v1/sites/{site}/config"), with a
Lambda proxy integration to the function whose app declares it. Routes come from the
apps themselves (`infra.catalog.load_app`), never from a second list that could drift.

Tenant routes (authorizer "dashboard-users") get the REQUEST authorizer that accepts
Cognito ID tokens and API keys (the pool function's `authorizer` worker); public routes
(the ones with CORS) are called from customers' pages and are guarded in the code by the
site key and the page's Origin, and here by throttling.

Limits per door (docs/architecture.md, "Limits per door"): every method is throttled by
the group it belongs to (public routes, tenant API, carrier webhooks), each method with
its own token bucket, so a flood of sessions cannot use up what the carrier's webhooks
need. On top, the tenant API is metered per API key by usage plans: the API reads the
key from the authorizer (apiKeySource AUTHORIZER; ringback.adapters.usage_plans), each
tenant API key has its own rate, burst and daily quota, and signed-in users share the
dashboard's plan.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from chalice import Chalice, CORSConfig
from constructs import Construct

from infra.catalog import FUNCTIONS  # noqa: F401  (puts the shared package on the path)
from infra.constructs import acknowledge, acknowledge_wildcard
from infra.constructs.auth import DASHBOARD_AUTHORIZER
from infra.gateway_messages import NOT_METERED
from ringback.adapters.carrier import WEBHOOKS as CARRIER_WEBHOOKS
from ringback.adapters.usage_plans import API_KEYS, DASHBOARD, usage_key_value, usage_plan_name


@dataclass(frozen=True)
class Throttle:
    rate: int  # requests per second, steady
    burst: int


PUBLIC, TENANT, CARRIER = "public", "tenant", "carrier"
# Per method of each group. Public: the swap script and widget on every customer page;
# tenant: the dashboard and tenants' code (also metered per key below); carrier: Twilio's
# webhooks, whose calls must never wait behind a flood on the other two.
THROTTLES = {PUBLIC: Throttle(300, 600), TENANT: Throttle(100, 200), CARRIER: Throttle(200, 400)}
# Anything not named per method (the CORS preflights, answered by API Gateway itself).
STAGE_THROTTLE = Throttle(100, 200)
# Per tenant API key, across every tenant route; and for all signed-in users together.
API_KEY_THROTTLE, API_KEY_DAILY_QUOTA = Throttle(10, 20), 100_000
DASHBOARD_THROTTLE = Throttle(200, 400)


class DuplicateRouteError(ValueError):
    pass


@dataclass(frozen=True)
class Route:
    function: str
    path: str
    method: str
    authorizer: str | None
    cors: CORSConfig | None

    @property
    def group(self) -> str:
        if self.path.startswith(f"{CARRIER_WEBHOOKS}/"):
            return CARRIER
        return TENANT if self.authorizer is not None else PUBLIC


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


def _error_template(code: str, message: str | None = None) -> str:
    # $context.error.messageString is already a quoted JSON string.
    said = json.dumps(message) if message else "$context.error.messageString"
    return (
        '{"error": {"code": "' + code + '", "message": ' + said + ', '
        '"requestId": "$context.requestId"}}'
    )


# Answers API Gateway gives before a function runs, in the apps' error shape
# (ringback.adapters.web.error_body) and with the apps' codes (and a message of our own).
GATEWAY_ERRORS: tuple[tuple[apigw.ResponseType, str, str | None, str | None], ...] = (
    (apigw.ResponseType.DEFAULT_4_XX, "invalid_request", None, None),
    (apigw.ResponseType.DEFAULT_5_XX, "internal_error", None, None),
    (apigw.ResponseType.UNAUTHORIZED, "unauthenticated", None, None),
    (apigw.ResponseType.ACCESS_DENIED, "forbidden", None, None),
    (apigw.ResponseType.THROTTLED, "rate_limited", None, None),
    # A tenant API key's daily quota (its usage plan) is used up.
    (apigw.ResponseType.QUOTA_EXCEEDED, "quota_exceeded", None, None),
    # The authorizer named a usage key the plans do not know (ringback.adapters.usage_plans):
    # a tenant key not enrolled yet. Each deploy enrols every live key before it may
    # succeed (infra/constructs/key_enrolment.py), so this is a deploy's window, or a
    # meter deleted by hand. The authorizer does not check: see KeyEnrolment.
    (apigw.ResponseType.INVALID_API_KEY, "api_key_not_metered", "403", NOT_METERED),
    # With no IAM auth on this API (keys come from the authorizer), a "missing
    # authentication token" only ever means no such route.
    (apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, "not_found", "404", None),
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
            # Usage plans meter the key the authorizer names (usageIdentifierKey), never
            # one a caller sends.
            api_key_source_type=apigw.ApiKeySourceType.AUTHORIZER,
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
                throttling_rate_limit=STAGE_THROTTLE.rate,
                throttling_burst_limit=STAGE_THROTTLE.burst,
                method_options={
                    f"{route.path}/{route.method}": apigw.MethodDeploymentOptions(
                        throttling_rate_limit=THROTTLES[route.group].rate,
                        throttling_burst_limit=THROTTLES[route.group].burst,
                        metrics_enabled=True,
                        logging_level=apigw.MethodLoggingLevel.ERROR,
                        data_trace_enabled=False,
                    )
                    for route in self.routes
                },
            ),
        )
        self._acknowledge_api_level()

        for response_type, code, status, message in GATEWAY_ERRORS:
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
                templates={"application/json": _error_template(code, message)},
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
        self._add_usage_plans(stage_name)

    def _add_usage_plans(self, stage_name: str) -> None:
        stage = self.rest_api.deployment_stage
        self.api_keys_plan = self.rest_api.add_usage_plan(
            "ApiKeysPlan",
            name=usage_plan_name(stage_name, API_KEYS),
            description="Each tenant API key: its own rate, burst and daily quota (keys added by the pool function)",
            throttle=apigw.ThrottleSettings(rate_limit=API_KEY_THROTTLE.rate, burst_limit=API_KEY_THROTTLE.burst),
            quota=apigw.QuotaSettings(limit=API_KEY_DAILY_QUOTA, period=apigw.Period.DAY),
            api_stages=[apigw.UsagePlanPerApiStage(api=self.rest_api, stage=stage)],
        )
        self.dashboard_plan = self.rest_api.add_usage_plan(
            "DashboardPlan",
            name=usage_plan_name(stage_name, DASHBOARD),
            description="Signed-in users of the dashboard, together",
            throttle=apigw.ThrottleSettings(rate_limit=DASHBOARD_THROTTLE.rate, burst_limit=DASHBOARD_THROTTLE.burst),
            api_stages=[apigw.UsagePlanPerApiStage(api=self.rest_api, stage=stage)],
        )
        # Its value is the identifier the authorizer names for users, not a credential: the
        # API never reads a key from a request (ringback.adapters.usage_plans).
        dashboard_key = apigw.ApiKey(
            self, "DashboardUsageKey",
            api_key_name=usage_key_value(stage_name, None),
            value=usage_key_value(stage_name, None),
            description="Meters signed-in dashboard users; named by the authorizer, never sent by a caller",
        )
        self.dashboard_plan.add_api_key(dashboard_key)

    def grant_usage_keys(self, function: lambda_.IFunction, *, list_plan_keys: bool = False) -> iam.Policy:
        """What ringback.adapters.usage_plans does: find the API keys plan by name, create
        a key and add it to that plan, find a key by name and delete it; with
        `list_plan_keys`, also read which keys the plan holds (the deploy's enrolment).

        A policy of its own, not the role's default one: the function depends on its
        default policy, the plan on the stage, the stage on the methods and the methods on
        the function, so naming the plan's id in the default policy would be a cycle."""
        apigateway = f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}::"
        keys = f"{apigateway}/apikeys"
        plan_keys = f"{apigateway}/usageplans/{self.api_keys_plan.usage_plan_id}/keys"
        policy = iam.Policy(self, f"UsageKeys{function.node.id}", statements=[
            iam.PolicyStatement(actions=["apigateway:GET"], resources=[
                f"{apigateway}/usageplans", keys, *([plan_keys] if list_plan_keys else [])]),
            iam.PolicyStatement(actions=["apigateway:POST"], resources=[
                keys, f"{apigateway}/usageplans/{self.api_keys_plan.usage_plan_id}/keys"]),
            iam.PolicyStatement(actions=["apigateway:DELETE"], resources=[
                f"{keys}/*", f"{apigateway}/usageplans/{self.api_keys_plan.usage_plan_id}/keys/*"]),
        ])
        if function.role is None:
            raise ValueError(f"{function.node.path}: a function with no role cannot be granted usage keys")
        policy.attach_to_role(function.role)
        reason = ("An API key's id is assigned by API Gateway when the pool function creates it, so no "
                  "ARN can name it beforehand; the function deletes only the key it finds under the name "
                  "it gave it (ringback.adapters.usage_plans), and only from the API keys plan.")
        acknowledge_wildcard(policy, f"Resource::{keys}/*", reason)
        acknowledge_wildcard(
            policy, f"Resource::{apigateway}/usageplans/{self.api_keys_plan.usage_plan_id}/keys/*", reason)
        return policy

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
                # Metered by the usage plans: the key is the one the authorizer names.
                api_key_required=True,
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
                    "guarded by the site key, the Origin check, per-method throttles and WAF rate rules per IP."
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
        by_path: dict[str, list[tuple[Route, CORSConfig]]] = {}
        for route in self.routes:
            if route.cors is not None:
                by_path.setdefault(route.path, []).append((route, route.cors))
        for path, pairs in by_path.items():
            routes = [r for r, _ in pairs]
            configs = {tuple(sorted(cors.get_access_control_headers().items())) for _, cors in pairs}
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
            self.rest_api.node.find_child("CloudWatchRole"),
            "IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
            "API Gateway's account-level logging role uses the AWS-managed "
            "AmazonAPIGatewayPushToCloudWatchLogs policy, the documented minimum for it.",
        )
