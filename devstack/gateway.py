"""API Gateway on one local port: every function's Chalice routes under the paths the
REST API uses, with the same authorizer (the pool function's worker).

Requests become API Gateway proxy events (chalice.local builds them), so the handlers
run exactly as they do in Lambda. In front of it, what CloudFront does is devstack/edge.py;
the frontend's files are devstack/static_files.py, the HTTP server devstack/http_server.py.
"""
from __future__ import annotations

import base64
import threading
import uuid
from collections.abc import Callable
from http import HTTPStatus
from urllib.parse import urlsplit

from chalice import Chalice
from chalice.config import Config
from chalice.local import LocalChalice, LocalGateway, RouteMatcher

# The edge, the static files and the server are importable from here too, as the local
# stack's front door (devstack/__main__.py and the tests import them as the gateway's).
from devstack.edge import (  # noqa: F401
    API_PREFIXES,
    EdgeConfigCache,
    EdgeScripts,
    cloudfront_invalidations,
    dashboard_path,
    edge_handler,
)
from devstack.http_server import Handler, json_answer, serve  # noqa: F401
from devstack.static_files import StaticFiles, static_handler  # noqa: F401
from infra.gateway_messages import NOT_METERED
from ringback.adapters.web import error_body


class RouteConflict(RuntimeError):
    pass


class Unauthorized(Exception):
    pass


class Denied(Exception):
    pass


class NotMetered(Denied):
    """The authorizer named a usage key no usage plan holds: API Gateway's INVALID_API_KEY."""


class UsagePlanMeters:
    """Which usage keys the API's usage plans hold, asked of the local API Gateway (moto) as
    API Gateway checks an authorizer's usageIdentifierKey. A key once found stays known: a
    plan drops a key only when its API key is revoked, which the authorizer refuses first."""

    def __init__(self, apigateway) -> None:
        self._apigateway = apigateway
        self._known: set[str] = set()
        self._lock = threading.Lock()

    def holds(self, value: str) -> bool:
        if value in self._known:
            return True
        values: set[str] = set()
        for plan in self._apigateway.get_usage_plans(limit=500)["items"]:
            keys = self._apigateway.get_usage_plan_keys(usagePlanId=plan["id"], limit=1000)["items"]
            values.update(key["value"] for key in keys if key.get("value"))
        with self._lock:
            self._known |= values
        return value in values


class Authorizer:
    """API Gateway's REQUEST authorizer, locally: the same worker the API invokes in AWS
    (the pool function's `authorizer`, running in its own process with its own role),
    asked with the event API Gateway sends, its answer read as API Gateway reads it."""

    def __init__(self, invoke: Callable[[dict], dict], api_arn: str = "arn:aws:execute-api:local:000000000000:local",
                 meters: UsagePlanMeters | None = None) -> None:
        self._invoke, self._api_arn, self._meters = invoke, api_arn, meters

    def context(self, lambda_event: dict) -> dict:
        request = lambda_event["requestContext"]
        event = {
            "type": "REQUEST",
            "methodArn": f"{self._api_arn}/local/{request['httpMethod']}{request['resourcePath']}",
            "resource": request["resourcePath"], "path": lambda_event.get("path"),
            "httpMethod": request["httpMethod"], "headers": lambda_event.get("headers") or {},
            "queryStringParameters": lambda_event.get("queryStringParameters"),
            "pathParameters": lambda_event.get("pathParameters"), "requestContext": request,
        }
        if not (lambda_event.get("headers") or {}).get("authorization"):
            # API Gateway refuses a request without the identity source before invoking.
            raise Unauthorized("no Authorization header")
        try:
            answer = self._invoke(event)
        except Exception as error:  # noqa: BLE001 - the authorizer raised: API Gateway's 401 or 500
            if "Unauthorized" in str(error):
                raise Unauthorized(str(error)) from None
            raise
        statements = (answer.get("policyDocument") or {}).get("Statement") or []
        if not any(st.get("Effect") == "Allow" for st in statements):
            raise Denied("the authorizer denied the request")
        # Every tenant route requires a usage plan key, read from the authorizer: API
        # Gateway answers 403 when it names none (infra/constructs/api.py).
        if not answer.get("usageIdentifierKey"):
            raise Denied("the authorizer named no usage plan key")
        if self._meters is not None and not self._meters.holds(answer["usageIdentifierKey"]):
            raise NotMetered("no usage plan holds the key the authorizer named")
        return {**(answer.get("context") or {}), "principalId": answer.get("principalId")}


def _localise(app: Chalice) -> Chalice:
    # Chalice keeps the current request on the app; under a threaded server it must be
    # per thread, which is what chalice.local's LocalChalice provides.
    if not isinstance(app, LocalChalice):
        app.__class__ = type(f"Local{type(app).__name__}", (LocalChalice, type(app)), {})
    return app


class _RemoteApp:
    """A function's app as the gateway sees it: its routes, and a call that invokes the
    function's own process (devstack/functions.py) instead of running it here."""

    def __init__(self, app: Chalice, invoke: Callable[[dict], dict]) -> None:
        self._app, self._invoke = app, invoke

    def __getattr__(self, name: str):
        return getattr(self._app, name)

    def __call__(self, event: dict, context) -> dict:
        # API Gateway hands Lambda the body as text, or base64 for bytes that are not.
        body = event.get("body")
        if isinstance(body, bytes):
            try:
                event = {**event, "body": body.decode("utf-8")}
            except UnicodeDecodeError:
                event = {**event, "body": base64.b64encode(body).decode(), "isBase64Encoded": True}
        return self._invoke(event)


class _FunctionGateway(LocalGateway):
    """One function's routes, with request ids, the caller's IP and a real token check."""

    def __init__(self, name: str, app: Chalice, authorizer: Authorizer | None,
                 invoke: Callable[[str, dict], dict] | None = None) -> None:
        super().__init__(app if invoke else _localise(app),
                         Config.create(chalice_stage="local", app_name=name, function_name=name))
        if invoke is not None:
            self._app_object = _RemoteApp(app, lambda event: invoke(name, event))
        self._check_caller = authorizer
        self._authorizer = self  # LocalGateway calls self._authorizer.authorize(...)
        self.client_ip = threading.local()

    def _generate_lambda_event(self, method, path, headers, body):
        event = super()._generate_lambda_event(method, path, headers, body)
        event["requestContext"]["requestId"] = str(uuid.uuid4())
        event["requestContext"]["identity"]["sourceIp"] = getattr(self.client_ip, "value", "127.0.0.1")
        event["requestContext"]["stage"] = "local"
        return event

    def authorize(self, raw_path, lambda_event, lambda_context):
        context = lambda_event["requestContext"]
        route = self._app_object.routes[context["resourcePath"]].get(context["httpMethod"])
        if route is None or route.authorizer is None:
            return lambda_event, lambda_context
        if self._check_caller is None:
            raise Unauthorized("no authorizer is configured")
        context["authorizer"] = self._check_caller.context(lambda_event)
        return lambda_event, lambda_context


class LocalApi:
    """Routes a request to the function that owns its path, as the REST API does."""

    def __init__(self, apps: dict[str, Chalice], authorizer: Authorizer | None,
                 invoke: Callable[[str, dict], dict] | None = None) -> None:
        """`invoke(function, event)` runs a function where it lives (its own process);
        without it the apps run in this process."""
        owners: dict[str, str] = {}
        for name, app in apps.items():
            for path in app.routes:
                if path in owners:
                    raise RouteConflict(f"{path} is served by both {owners[path]} and {name}")
                owners[path] = name
        self._owners = owners
        self._matcher = RouteMatcher(list(owners))
        self._gateways = {name: _FunctionGateway(name, app, authorizer, invoke) for name, app in apps.items()}

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes | None, client_ip: str):
        try:
            route = self._matcher.match_route(path).route
        except ValueError:
            return json_answer(HTTPStatus.NOT_FOUND,
                               error_body("not_found", f"no route for {urlsplit(path).path}", None))
        gateway = self._gateways[self._owners[route]]
        gateway.client_ip.value = client_ip
        try:
            response = gateway.handle_request(method=method, path=path, headers=headers, body=body)
        except Unauthorized:
            return json_answer(HTTPStatus.UNAUTHORIZED, error_body("unauthenticated", "Unauthorized", None))
        except NotMetered:
            return json_answer(HTTPStatus.FORBIDDEN, error_body("api_key_not_metered", NOT_METERED, None))
        except Denied:
            return json_answer(HTTPStatus.FORBIDDEN,
                               error_body("forbidden", "User is not authorized to access this resource", None))
        except Exception as error:  # noqa: BLE001 - the function crashed or never answered
            # API Gateway answers a failed Lambda integration with 502 (our gateway
            # responses give it the product's error shape).
            print(f"gateway: {method} {urlsplit(path).path}: the function failed: {error}", flush=True)
            return json_answer(HTTPStatus.BAD_GATEWAY, error_body("internal_error", "an internal error occurred", None))
        response_headers = dict(response.get("headers") or {})
        for name, values in (response.get("multiValueHeaders") or {}).items():
            response_headers[name] = ", ".join(values)
        # API Gateway's proxy integration labels a response without a Content-Type as JSON
        # (Chalice sets none when a view returns a dict).
        if not any(name.lower() == "content-type" for name in response_headers):
            response_headers["Content-Type"] = "application/json"
        payload = response.get("body") or b""
        if response.get("isBase64Encoded"):
            payload = base64.b64decode(payload)
        elif isinstance(payload, str):
            payload = payload.encode()
        return response["statusCode"], response_headers, payload

