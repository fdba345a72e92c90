"""The doors' shared frame: one JSON error shape, one exception-to-status table,
structured logs with phone numbers masked, and the caller's identity from the gateway.

Every API answer that is not a success looks like
    {"error": {"code": "origin_not_allowed", "message": "...", "requestId": "..."}}
whether it comes from a domain rule, Chalice itself (405, 415, bad JSON) or a crash.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from chalice import Chalice, ChaliceViewError, CORSConfig, CustomAuthorizer, Response
from chalice.app import Request

from ringback.accounts.tenants import Principal
from ringback.adapters.logs import get_logger
from ringback.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    RateLimited,
    RingbackError,
    Unauthenticated,
    Unavailable,
)

STATUS_BY_ERROR: dict[type[RingbackError], int] = {
    InvalidInput: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    PreconditionFailed: 412,
    RateLimited: 429,
    Unavailable: 503,
}

# Chalice's own errors arrive as {"Code": "BadRequestError", "Message": ...}.
_CHALICE_CODES = {
    "BadRequestError": "invalid_request",
    "UnauthorizedError": "unauthenticated",
    "ForbiddenError": "forbidden",
    "NotFoundError": "not_found",
    "MethodNotAllowedError": "method_not_allowed",
    "UnsupportedMediaType": "unsupported_media_type",
    "ConflictError": "conflict",
    "TooManyRequestsError": "rate_limited",
    "RequestTimeoutError": "timeout",
    "EntityTooLargeError": "payload_too_large",
    "InternalServerError": "internal_error",
}

# Public endpoints are called from customers' sites. The origin is checked per request
# against the site's domains (ringback.accounts.sites.site_for_origin), so CORS itself may be open.
PUBLIC_CORS = CORSConfig(
    allow_origin="*",
    allow_headers=["Content-Type", "Idempotency-Key"],
    max_age=600,
)

# Every tenant route names this authorizer: signed-in users and API keys. The API binds it
# where it is built (infra/constructs/api.py: a REQUEST authorizer, the pool function's
# `authorizer` worker); the local gateway runs the same worker. The URI is that binding's.
DASHBOARD_USERS = CustomAuthorizer("dashboard-users", authorizer_uri="bound-in-infra", ttl_seconds=0)


def error_body(code: str, message: str, request_id: str | None, details: Any = None) -> dict:
    error: dict[str, Any] = {"code": code, "message": message}
    if request_id:
        error["requestId"] = request_id
    if details is not None:
        error["details"] = details
    return {"error": error}


# What Chalice's Request reads of a REST API (v1) proxy event; its requestContext must
# name the resource path and method.
_REST_EVENT_KEYS = ("headers", "multiValueQueryStringParameters", "pathParameters", "stageVariables", "body")


def is_rest_proxy_event(event: Any) -> bool:
    """API Gateway's REST API (v1) proxy format, the only one our routes are served in. An
    HTTP API (v2) event (version "2.0", routeKey, rawPath, requestContext.http) is not."""
    if not isinstance(event, dict) or event.get("version", "1.0") != "1.0":
        return False
    context = event.get("requestContext")
    return (isinstance(context, dict) and isinstance(context.get("resourcePath"), str)
            and isinstance(context.get("httpMethod"), str) and all(key in event for key in _REST_EVENT_KEYS))


class RingbackApp(Chalice):
    """A Chalice app whose views may raise domain errors."""

    # Chalice declares it Optional: it is None only outside a request, and views and
    # middleware run inside one.
    current_request: Request

    def __init__(self, app_name: str) -> None:
        super().__init__(app_name=app_name)
        self.logger = get_logger(app_name)
        self.register_middleware(self._frame, "http")

    def __call__(self, event: Any, context: Any) -> dict[str, Any]:
        # Chalice reads a REST API event without checking it, so any other shape (an HTTP
        # API integration, a misrouted test event) would crash inside it as a 500. Refused
        # here instead, with a response that both payload formats accept.
        if not is_rest_proxy_event(event):
            request_context = event.get("requestContext") if isinstance(event, dict) else None
            request_id = request_context.get("requestId") if isinstance(request_context, dict) else None
            self.logger.warning("unsupported event format", extra={
                "event_version": event.get("version") if isinstance(event, dict) else None})
            return {
                "statusCode": 400,
                "headers": {"Content-Type": "application/json"},
                "body": json.dumps(error_body(
                    "unsupported_payload_format",
                    "this API serves API Gateway REST API (v1) proxy events only", request_id)),
                "isBase64Encoded": False,
            }
        # Traced, and the request's business metrics flushed when it ends (lazily: the
        # composition root imports the domain, which imports this module).
        from ringback.bootstrap import observed

        return observed(super().__call__)(event, context)

    # -- the caller ---------------------------------------------------------------
    def principal(self) -> Principal:
        """The caller (a signed-in user or an API key), as the API's authorizer vouched
        (ringback.adapters.identity)."""
        from ringback.adapters.identity import principal_from

        principal = principal_from(self.current_request.context.get("authorizer") or {})
        if principal is None:
            raise Unauthenticated("sign in, or send an API key, to use this endpoint")
        return principal

    def origin(self) -> str | None:
        return self.current_request.headers.get("origin")

    def viewer_address(self) -> str | None:
        """The visitor's IP address, as CloudFront names it (CloudFront-Viewer-Address,
        "ip:port"), or None. Never the connection's source address: behind CloudFront that
        is an edge server shared by many visitors. The header is believable because only
        requests that came through CloudFront reach the API (infra/constructs/firewall.py),
        and CloudFront, like the local edge (devstack/viewers.py), sets it itself."""
        request = self.current_request
        viewer = request.headers.get("cloudfront-viewer-address") if request is not None else None
        address = viewer.rsplit(":", 1)[0].strip("[]") if viewer and ":" in viewer else None
        return address or None

    def json_body(self) -> dict:
        request = self.current_request
        try:
            body = json.loads(request.raw_body or b"{}")
        except ValueError:
            raise InvalidInput("the body is not valid JSON", code="invalid_json") from None
        if not isinstance(body, dict):
            raise InvalidInput("the body must be a JSON object", code="invalid_json")
        return body

    def valid_body(self, schema: dict) -> dict:
        """The JSON body, checked against a JSON Schema (Powertools validation); the first
        field at fault comes back as `details.field`."""
        from aws_lambda_powertools.utilities.validation import SchemaValidationError, validate

        body = self.json_body()
        try:
            validate(event=body, schema=schema)
        except SchemaValidationError as error:
            field = ".".join(str(p) for p in (error.path or [])[1:]) or None
            message = (error.validation_message or "invalid").replace("data.", "", 1).replace("data ", "the body ", 1)
            raise InvalidInput(message, code="invalid_field", details={"field": field, "rule": error.rule}) from None
        return body

    # -- routes -------------------------------------------------------------------
    def route(self, path: str, **kwargs: Any) -> Callable[..., Any]:
        register = super().route(path, **kwargs)

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def guarded(*args: Any, **kw: Any) -> Any:
                try:
                    return view(*args, **kw)
                except RingbackError as error:
                    return self._error_response(error)
                except ChaliceViewError:
                    raise
                except Exception:
                    # Caught here rather than by Chalice, whose own logger would write the
                    # traceback unmasked.
                    self.logger.exception("unhandled error")
                    return Response(
                        body=error_body("internal_error", "an internal error occurred", self._request_id()),
                        status_code=500,
                        headers={"Content-Type": "application/json"},
                    )

            return register(guarded)

        return decorator

    def _request_id(self) -> str | None:
        request = self.current_request
        return request.context.get("requestId") if request is not None else None

    def _error_response(self, error: RingbackError) -> Response:
        status = next(
            (code for cls, code in STATUS_BY_ERROR.items() if isinstance(error, cls)), 400
        )
        headers: dict[str, str | list[str]] = {"Content-Type": "application/json"}
        if isinstance(error, RateLimited):
            headers["Retry-After"] = str(error.retry_after_seconds)
        if isinstance(error, PreconditionFailed) and error.code == "version_required":
            status = 428
        self.logger.info("request refused", extra={"status": status, "code": error.code})
        return Response(
            body=error_body(error.code, error.message, self._request_id(), error.details),
            status_code=status,
            headers=headers,
        )

    def _frame(self, event: Any, get_response: Callable[[Any], Response]) -> Response:
        self.logger.thread_safe_append_keys(request_id=event.context.get("requestId"), path=event.path)
        try:
            response = get_response(event)
        except Exception:
            self.logger.exception("unhandled error")
            response = Response(body={"Code": "InternalServerError", "Message": "internal error"}, status_code=500)
        body = response.body
        if response.status_code >= 400 and isinstance(body, dict) and "Code" in body:
            code = _CHALICE_CODES.get(body["Code"], "error")
            message = body.get("Message", "")
            if response.status_code >= 500:
                message = "an internal error occurred"
            response.body = error_body(code, message, self._request_id())
            response.headers["Content-Type"] = "application/json"
        self.logger.info("request served", extra={"status": response.status_code, "method": event.method})
        self.logger.thread_safe_remove_keys(["request_id", "path"])
        return response
