"""The pool function's app and what every management route does alike: the caller's
tenant scope, the version an update was read at (If-Match), a versioned answer (ETag)."""
from __future__ import annotations

from chalice import Response

from ringback.accounts.tenants import READ
from ringback.adapters.web import RingbackApp
from ringback.bootstrap import services
from ringback.errors import InvalidInput

app = RingbackApp("pool")


def scope(permission: str = READ):
    """The caller's scope in the tenant they act in (X-Tenant-Id: an agency acting in a client)."""
    return services().scope_for(app.principal(), app.current_request.headers.get("x-tenant-id"), permission)


def now() -> int:
    return services().clock.now_ms()


def query_number(name: str, default: float) -> float:
    raw = (app.current_request.query_params or {}).get(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise InvalidInput(f"'{name}' must be a number", code="invalid_parameter",
                           details={"field": name}) from None


def if_match() -> str | None:
    """The ETag an update was read at (If-Match), without its quotes or weak prefix."""
    return (app.current_request.headers.get("if-match") or "").strip().removeprefix("W/").strip('"') or None


def version() -> int | None:
    """The version an update was read at: If-Match: "v3" (the ETag GET gave)."""
    raw = if_match()
    if not raw:
        return None
    if not (raw.startswith("v") and raw[1:].isdigit()):
        raise InvalidInput('If-Match must be an ETag this API gave, such as "v3"', code="invalid_if_match",
                           details={"field": "If-Match"})
    return int(raw[1:])


def versioned(body: dict, at_version: int, status: int = 200) -> Response:
    """A versioned resource, with the ETag an update sends back as If-Match."""
    return Response(body, status_code=status, headers={"ETag": f'"v{at_version}"'})


def no_content() -> Response:
    return Response("", status_code=204)
