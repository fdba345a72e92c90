"""Public API for the code on customers' pages: the swap script and the callback widget.

Every route here is public: it is guarded by the site key plus the page's Origin
(ringback.accounts.sites.site_for_origin), and by API Gateway's throttling. The scripts
themselves are not served here: CloudFront serves them from S3 (infra/edge_routes.py), so
a page's <head> never waits on this function.
"""
import re

from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from chalice import Response

from ringback.accounts import sites
from ringback.accounts.edge_cache import CONFIG_MAX_AGE_SECONDS
from ringback.adapters.web import PUBLIC_CORS, RingbackApp
from ringback.bootstrap import services
from ringback.callbacks import offer as callback_offer
from ringback.callbacks.model import CallbackForm
from ringback.errors import Conflict, InvalidInput
from ringback.tracking.sessions import PageContext

app = RingbackApp("widget")

# navigator.sendBeacon posts text/plain, which needs no CORS preflight.
JSON_OR_BEACON = ["application/json", "text/plain"]
VIEWER_HEADERS = ("cloudfront-viewer-country", "cloudfront-viewer-country-region", "cloudfront-viewer-city",
                  "cloudfront-is-mobile-viewer", "cloudfront-is-tablet-viewer", "cloudfront-is-desktop-viewer")
# The edge keeps a config for a minute (per page origin and viewer country), and is told
# when the site changes; browsers ask the edge each time, since they cannot be told.
CONFIG_CACHE_CONTROL = f"public, max-age=0, s-maxage={CONFIG_MAX_AGE_SECONDS}"
IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,128}$")
# A retried POST with the same key gets the first answer for a day; the payload check
# refuses the same key reused for another number.
IDEMPOTENCY = IdempotencyConfig(event_key_jmespath="key", payload_validation_jmespath="form.phone",
                                expires_after_seconds=24 * 3600, raise_on_no_idempotency_key=True)


def _context(session_id=None) -> PageContext:
    body = app.json_body()
    headers = app.current_request.headers
    return PageContext(
        site_key=body.get("siteKey") or "",
        origin=app.origin(),
        client_id=body.get("clientId"),
        session_id=session_id if session_id is not None else body.get("sessionId"),
        page=body.get("page"),
        referrer=body.get("referrer"),
        viewer={h: headers[h] for h in VIEWER_HEADERS if h in headers},
        client_address=_client_address(),
        returning=body.get("returning") is True,
        language=body.get("lang") if isinstance(body.get("lang"), str) else None,
    )


def _client_address() -> str | None:
    # Behind CloudFront the connection comes from an edge; CloudFront names the viewer.
    return app.viewer_address()


@app.route("/health", methods=["GET"], cors=PUBLIC_CORS)
def health():
    return {"status": "ok", "stage": services().settings.stage}


# `{site}` is the site key here; the management API names sites by id under the same
# path part, and API Gateway allows one variable name per level of the path.
@app.route("/v1/sites/{site}/config", methods=["GET"], cors=PUBLIC_CORS)
def site_config(site):
    svc = services()
    site = sites.site_for_origin(svc.sites, site, app.origin())
    viewer = app.current_request.headers.get("cloudfront-viewer-country")
    config = {**sites.public_config(site), "callback": callback_offer.public_config(site, svc.clock.now_ms(), viewer)}
    return Response(body=config, status_code=200,
                    headers={"Content-Type": "application/json", "Cache-Control": CONFIG_CACHE_CONTROL})


@app.route("/v1/callbacks", methods=["POST"], cors=PUBLIC_CORS, content_types=JSON_OR_BEACON)
def request_callback():
    body = app.json_body()
    headers = app.current_request.headers
    key = headers.get("idempotency-key")
    if key is not None and not IDEMPOTENCY_KEY.match(key):
        raise InvalidInput("Idempotency-Key is 8 to 128 letters, digits or _.:-", code="invalid_idempotency_key")
    slot = body.get("slot")
    form = {
        "site_key": body.get("siteKey") or "", "origin": app.origin(), "phone": body.get("phone") or "",
        "country": body.get("country"), "session_id": body.get("sessionId"), "page": body.get("page"),
        "slot": slot, "locale": body.get("locale"), "client_address": _client_address(),
        "viewer_country": headers.get("cloudfront-viewer-country"),
    }
    request = {"key": f"{form['site_key']}:{key}", "form": form}
    if key and app.lambda_context is not None:
        # An invocation that dies mid-request leaves its key "in progress" only until
        # this invocation's own timeout; then a retry may run.
        IDEMPOTENCY.register_lambda_context(app.lambda_context)
    # Without a key a retried POST still lands on the same request: repeats for a phone
    # within 10 minutes merge (ringback.callbacks.model.MERGE_WINDOW_MS).
    accept = (idempotent_function(data_keyword_argument="request", config=IDEMPOTENCY,
                                  persistence_store=services().idempotency)(_accept) if key else _accept)
    try:
        answer = accept(request=request)
    except IdempotencyValidationError:
        raise Conflict("this Idempotency-Key was used for another request", code="idempotency_key_reused") from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict("the same request is being handled; retry shortly", code="request_in_progress") from None
    return Response(body=answer, status_code=202, headers={"Content-Type": "application/json"})


def _accept(request: dict) -> dict:
    stored, merged = services().callbacks.request(CallbackForm(**request["form"]))
    return {**stored.public(), "merged": merged}


@app.route("/v1/callbacks/{request_id}", methods=["GET"], cors=PUBLIC_CORS)
def callback_status(request_id):
    site_key = (app.current_request.query_params or {}).get("siteKey") or ""
    return services().callbacks.public_status(site_key, app.origin(), request_id)


@app.route("/v1/sessions", methods=["POST"], cors=PUBLIC_CORS, content_types=JSON_OR_BEACON)
def start_session():
    return services().tracking.start(_context()).as_json()


@app.route("/v1/sessions/{session_id}/touch", methods=["POST"], cors=PUBLIC_CORS, content_types=JSON_OR_BEACON)
def touch_session(session_id):
    return services().tracking.touch(_context(session_id)).as_json()


@app.route("/v1/sessions/{session_id}/clicks", methods=["POST"], cors=PUBLIC_CORS, content_types=JSON_OR_BEACON)
def record_click(session_id):
    services().tracking.click(_context(session_id), app.json_body().get("number"))
    return Response(body="", status_code=204)
