"""API Gateway on one local port: every function's Chalice routes under the paths the
REST API uses, with the same authorizer (the pool function's worker), plus the frontend's static files.

Requests become API Gateway proxy events (chalice.local builds them), so the handlers
run exactly as they do in Lambda.
"""
from __future__ import annotations

import base64
import json
import mimetypes
import threading
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from chalice import Chalice
from chalice.config import Config
from chalice.local import LocalChalice, LocalGateway, RouteMatcher

from ringback.adapters.web import error_body

API_PREFIXES = ("/v1/", "/health")


class RouteConflict(RuntimeError):
    pass


class Unauthorized(Exception):
    pass


class Denied(Exception):
    pass


class Authorizer:
    """API Gateway's REQUEST authorizer, locally: the same worker the API invokes in AWS
    (the pool function's `authorizer`, running in its own process with its own role),
    asked with the event API Gateway sends, its answer read as API Gateway reads it."""

    def __init__(self, invoke: Callable[[dict], dict], api_arn: str = "arn:aws:execute-api:local:000000000000:local") -> None:
        self._invoke, self._api_arn = invoke, api_arn

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
            return _json(HTTPStatus.NOT_FOUND, error_body("not_found", f"no route for {urlsplit(path).path}", None))
        gateway = self._gateways[self._owners[route]]
        gateway.client_ip.value = client_ip
        try:
            response = gateway.handle_request(method=method, path=path, headers=headers, body=body)
        except Unauthorized:
            return _json(HTTPStatus.UNAUTHORIZED, error_body("unauthenticated", "Unauthorized", None))
        except Denied:
            return _json(HTTPStatus.FORBIDDEN, error_body("forbidden", "User is not authorized to access this resource", None))
        except Exception as error:  # noqa: BLE001 - the function crashed or never answered
            # API Gateway answers a failed Lambda integration with 502 (our gateway
            # responses give it the product's error shape).
            print(f"gateway: {method} {urlsplit(path).path}: the function failed: {error}", flush=True)
            return _json(HTTPStatus.BAD_GATEWAY, error_body("internal_error", "an internal error occurred", None))
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


def _json(status: int, body: dict):
    return int(status), {"Content-Type": "application/json"}, json.dumps(body).encode()


def dashboard_path(path: str) -> str:
    """The dashboard's own addresses (/app/calls/CA…) serve its one page, as the
    distribution's viewer-request function (infra/constructs/edge.py) rewrites them."""
    if path == "/app" or (path.startswith("/app/") and "." not in path.rsplit("/", 1)[-1]):
        return "/app/index.html"
    return path


class StaticFiles:
    """Files under a folder, with optional {{NAME}} substitution in HTML (the demo site
    needs the local API's address and the demo site's key), and files the stack writes
    (the dashboard's config.json, which the deploy writes in AWS)."""

    def __init__(self, root: Path, substitutions: dict[str, str] | None = None,
                 generated: dict[str, bytes] | None = None) -> None:
        self._root = root.resolve()
        self._substitutions = substitutions or {}
        self._generated = generated or {}

    def get(self, path: str):
        relative = unquote(urlsplit(path).path).lstrip("/")
        if relative in self._generated:
            return 200, {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-cache"}, \
                self._generated[relative]
        target = (self._root / relative).resolve()
        if self._root not in target.parents and target != self._root:
            return _json(HTTPStatus.NOT_FOUND, error_body("not_found", "no such file", None))
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return _json(HTTPStatus.NOT_FOUND, error_body("not_found", "no such file", None))
        content = target.read_bytes()
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type == "text/html" and self._substitutions:
            text = content.decode()
            for name, value in self._substitutions.items():
                text = text.replace("{{" + name + "}}", value)
            content = text.encode()
        if content_type.startswith("text/") or content_type == "application/javascript":
            content_type += "; charset=utf-8"
        return 200, {"Content-Type": content_type, "Cache-Control": "no-cache"}, content


Handler = Callable[[str, str, dict, bytes | None, str], tuple[int, dict, bytes]]


def serve(host: str, port: int, handle: Handler) -> ThreadingHTTPServer:
    """An HTTP server on its own thread; call .shutdown() to stop it."""

    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _respond(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items()}
            status, response_headers, payload = handle(self.command, self.path, headers, body, self.client_address[0])
            self.send_response(status)
            for name, value in response_headers.items():
                if name.lower() not in {"content-length", "connection"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _respond

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
            pass  # the functions log every request themselves, masked

    server = ThreadingHTTPServer((host, port), RequestHandler)
    server.daemon_threads = True
    # A short poll interval: shutdown() waits for the loop to notice (Ctrl-C within 2 s).
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"http-{port}",
                     daemon=True).start()
    return server


def edge_handler(api: LocalApi, frontend: StaticFiles) -> Handler:
    """What CloudFront does: /v1/* and /health to the API, everything else to the bucket."""

    def handle(method, path, headers, body, client_ip):
        route_path = urlsplit(path).path
        if route_path == "/health" or route_path.startswith(API_PREFIXES[0]):
            return api.handle(method, path, headers, body, client_ip)
        if method not in {"GET", "HEAD"}:
            return _json(HTTPStatus.METHOD_NOT_ALLOWED, error_body("method_not_allowed", "static files are read-only", None))
        return frontend.get(dashboard_path(route_path))

    return handle


def static_handler(files: StaticFiles) -> Handler:
    def handle(method, path, headers, body, client_ip):
        return files.get(path)

    return handle
