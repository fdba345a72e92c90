"""Reports for the dashboard: the call log and callback requests now, the Athena reports later."""
from ringback import calls
from ringback.adapters.web import DASHBOARD_USERS, RingbackApp
from ringback.bootstrap import services
from ringback.errors import InvalidInput
from ringback.recordings import LINK_SECONDS

app = RingbackApp("reports")


def _int_param(params, name, default=None):
    raw = params.get(name)
    if raw is None:
        if default is None:
            raise InvalidInput(f"'{name}' is required", code="missing_parameter")
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f"'{name}' must be an integer", code="invalid_parameter") from None


@app.route("/v1/calls/{call_id}/recordings", methods=["GET"], authorizer=DASHBOARD_USERS)
def call_recordings(call_id):
    svc = services()
    scope = svc.scope_for(app.principal(), app.current_request.headers.get("x-tenant-id"))
    return {"urls": svc.recordings.link(scope, call_id), "expiresInSeconds": LINK_SECONDS}


def _listing():
    """The scope, the tenant named (an agency's client) and the page asked for, as every
    dashboard listing takes them: a week back to now, 50 items, by default."""
    svc = services()
    request = app.current_request
    params = request.query_params or {}
    scope = svc.scope_for(app.principal(), request.headers.get("x-tenant-id"))
    now = svc.clock.now_ms()
    return svc, scope, params.get("tenant"), {
        "start_ms": _int_param(params, "from", now - 7 * 24 * 3600 * 1000),
        "end_ms": _int_param(params, "to", now + 1),
        "limit": _int_param(params, "limit", 50),
        "cursor": params.get("cursor"),
    }


@app.route("/v1/calls", methods=["GET"], authorizer=DASHBOARD_USERS)
def list_calls():
    svc, scope, tenant, page_of = _listing()
    page = calls.calls_between(svc.calls, scope, tenant, **page_of)
    return {"calls": [call.__dict__ for call in page.items], "cursor": page.cursor}


@app.route("/v1/callback-requests", methods=["GET"], authorizer=DASHBOARD_USERS)
def list_callbacks():
    svc, scope, tenant, page_of = _listing()
    page = svc.callbacks.list_for(scope, tenant, **page_of)
    return {"callbacks": [item.as_json() for item in page.items], "cursor": page.cursor}


@app.route("/v1/callback-requests/{request_id}", methods=["GET"], authorizer=DASHBOARD_USERS)
def callback_detail(request_id):
    svc = services()
    scope = svc.scope_for(app.principal(), app.current_request.headers.get("x-tenant-id"))
    return svc.callbacks.detail(scope, request_id)
