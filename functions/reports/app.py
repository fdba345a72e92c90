"""Reports for the dashboard: the call log and what the business says about each call (its
lead, tags, notes, follow-up), callers, the work queue, callback requests, and the SQL
reports over the analytics tables (with the ad spend they are costed against)."""
from urllib.parse import unquote

from chalice import Response

from ringback.accounts.tenants import READ, WRITE
from ringback.adapters.web import DASHBOARD_USERS, RingbackApp
from ringback.analytics import report_output
from ringback.bootstrap import observed, services
from ringback.calls import log as calls
from ringback.calls.desk import desk_of
from ringback.calls.filters import CallFilter
from ringback.calls.leads import LEAD_CHANGE, NEW_NOTE, author_of
from ringback.calls.recordings import LINK_SECONDS
from ringback.errors import InvalidInput, Unavailable

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
    return {"urls": svc.recordings.link(scope, unquote(call_id)), "expiresInSeconds": LINK_SECONDS}


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
    where = CallFilter.from_params(app.current_request.query_params or {})
    page = calls.calls_between(svc.calls, scope, tenant, **page_of, where=where)
    return {"calls": [calls.call_json(call) for call in page.items], "cursor": page.cursor}


# -- one call: its lead, tags, notes and follow-up (ringback.calls.desk) -----------------


def _scope(permission=READ):
    svc = services()
    return svc, svc.scope_for(app.principal(), app.current_request.headers.get("x-tenant-id"), permission)


def _version_read():
    """The lead version an edit was read at: If-Match: "v3" (the call's ETag)."""
    raw = (app.current_request.headers.get("if-match") or "").strip().removeprefix("W/").strip('"')
    if not raw:
        return None
    if not (raw.startswith("v") and raw[1:].isdigit()):
        raise InvalidInput('If-Match must be an ETag this API gave, such as "v3"', code="invalid_if_match",
                           details={"field": "If-Match"})
    return int(raw[1:])


def _versioned(call, body=None, status=200):
    return Response(calls.call_json(call) if body is None else body, status_code=status,
                    headers={"ETag": f'"v{call.lead_version}"'})


@app.route("/v1/calls/{call_id}", methods=["GET"], authorizer=DASHBOARD_USERS)
def get_call(call_id):
    svc, scope = _scope()
    return _versioned(desk_of(svc).call(scope, unquote(call_id)))


@app.route("/v1/calls/{call_id}", methods=["PATCH"], authorizer=DASHBOARD_USERS)
def change_call(call_id):
    svc, scope = _scope(WRITE)
    body = app.valid_body(LEAD_CHANGE)
    changed = desk_of(svc).change_lead(scope, author_of(app.principal()), unquote(call_id), body["lead"],
                                       _version_read())
    return _versioned(changed)


@app.route("/v1/calls/{call_id}/notes", methods=["POST"], authorizer=DASHBOARD_USERS)
def add_call_note(call_id):
    svc, scope = _scope(WRITE)
    body = app.valid_body(NEW_NOTE)
    note, call = desk_of(svc).add_note(scope, author_of(app.principal()), unquote(call_id), body["text"])
    return _versioned(call, {"noteId": note["note_id"], "text": note["text"], "author": note["author"],
                             "at": note["at"]}, status=201)


@app.route("/v1/callers/{number}", methods=["GET"], authorizer=DASHBOARD_USERS)
def caller_card(number):
    svc, scope = _scope()
    tenant = (app.current_request.query_params or {}).get("tenant")
    return desk_of(svc).caller_card(scope, tenant, unquote(number))


@app.route("/v1/callers/{number}", methods=["DELETE"], authorizer=DASHBOARD_USERS)
def erase_caller(number):
    """Everything the tenant holds about one caller, erased (ringback.calls.erasure)."""
    svc, scope = _scope(WRITE)
    if svc.erasure is None:
        raise Unavailable("this stage cannot erase callers", code="erasure_not_configured")
    return svc.erasure.erase(scope, unquote(number)).as_json()


@app.route("/v1/work-queue", methods=["GET"], authorizer=DASHBOARD_USERS)
def work_queue():
    svc, scope = _scope()
    tenant = (app.current_request.query_params or {}).get("tenant")
    return desk_of(svc).work_queue(scope, tenant)


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


# -- reports: SQL over the analytics tables (Athena in AWS, DuckDB locally) --------------


def _reporting():
    svc = services()
    if svc.reports is None:
        raise Unavailable("reports are not configured here", code="reports_unavailable")
    return svc, svc.scope_for(app.principal(), app.current_request.headers.get("x-tenant-id"))


@app.route("/v1/reports", methods=["GET"], authorizer=DASHBOARD_USERS)
def list_reports():
    svc, _ = _reporting()
    return {"reports": svc.reports.list()}


@app.route("/v1/reports/{name}", methods=["GET"], authorizer=DASHBOARD_USERS)
def run_report(name):
    svc, scope = _reporting()
    request, result = svc.reports.run(scope, name, app.current_request.query_params or {})
    if request.format == "csv":
        return Response(body=report_output.as_csv(result), status_code=200, headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{report_output.csv_filename(request)}"',
        })
    return report_output.as_json(request, result)


@app.route("/v1/ad-spend", methods=["POST"], authorizer=DASHBOARD_USERS, content_types=["text/csv"])
def upload_ad_spend():
    svc, scope = _reporting()
    request = app.current_request
    summary = svc.ad_spend.upload(scope, (request.query_params or {}).get("tenant"), request.raw_body or b"")
    return Response(body=summary, status_code=201, headers={"Content-Type": "application/json"})


# -- the analytics pipeline: table streams to Parquet ------------------------------------


@observed
@app.lambda_function(name="record_changes")
def record_changes(event, context):
    """DynamoDB Streams event source (ReportBatchItemFailures): one shard's batch of
    changes of the streamed tables becomes Parquet. A failure names the first change not
    written, so the stream retries from there and nothing before it is written twice."""
    from ringback.adapters.dynamo_streams import changes_from_event
    from ringback.analytics.pipeline import BatchFailed

    svc = services()
    changes, unreadable = changes_from_event(event, svc.settings.table_prefix)
    failed = unreadable
    try:
        keys = svc.changes.record(changes)
    except BatchFailed as error:
        app.logger.exception("changes not written", extra={"written": len(error.written)})
        failed = error.first_failed.sequence_number
    else:
        app.logger.info("changes written", extra={"changes": len(changes), "files": len(keys)})
    if unreadable is not None:
        app.logger.error("unreadable stream record", extra={"sequence_number": unreadable})
    return {"batchItemFailures": [{"itemIdentifier": failed}] if failed else []}


@observed
@app.lambda_function(name="compact_changes")
def compact_changes(event, context):
    """Scheduled daily: folds the small files of the finished days (and of any partition
    with too many) into one each, leaving a time margin before the function's timeout."""
    from ringback.analytics.changes import day_of

    svc = services()
    time_left = getattr(context, "get_remaining_time_in_millis", None)
    run = svc.changes.compact_due(day_of(svc.clock.now_ms()),
                                  keep_going=lambda: time_left is None or time_left() > 15_000)
    app.logger.info("changes compacted", extra=run.as_json())
    if run.failed:
        raise RuntimeError(f"{len(run.failed)} partitions not compacted: {run.failed[:5]}")
    return run.as_json()
