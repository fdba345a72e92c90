"""Public API for the code on customers' pages: the swap script and the callback widget.

Every route here is public: it is guarded by the site key plus the page's Origin
(ringback.sites.site_for_origin), and by API Gateway's throttling.
"""
from functools import cache
from pathlib import Path

from chalice import Response

from ringback import sites
from ringback.adapters.web import PUBLIC_CORS, RingbackApp
from ringback.bootstrap import services
from ringback.errors import Unavailable
from ringback.tracking import PageContext

app = RingbackApp("widget")

# navigator.sendBeacon posts text/plain, which needs no CORS preflight.
JSON_OR_BEACON = ["application/json", "text/plain"]
VIEWER_HEADERS = ("cloudfront-viewer-country", "cloudfront-viewer-country-region", "cloudfront-viewer-city")
SCRIPT = Path(__file__).parent / "static" / "swap.js"


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
    )


def _client_address() -> str | None:
    # Behind CloudFront the connection comes from an edge; CloudFront names the viewer.
    viewer = app.current_request.headers.get("cloudfront-viewer-address")
    if viewer:
        return viewer.rsplit(":", 1)[0]
    return app.current_request.context.get("identity", {}).get("sourceIp")


@app.route("/health", methods=["GET"], cors=PUBLIC_CORS)
def health():
    return {"status": "ok", "stage": services().settings.stage}


@app.route("/v1/sites/{site_key}/config", methods=["GET"], cors=PUBLIC_CORS)
def site_config(site_key):
    site = sites.site_for_origin(services().sites, site_key, app.origin())
    return sites.public_config(site)


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


@cache
def _script() -> str:
    if not SCRIPT.is_file():
        raise Unavailable("the swap script was not built (make build)", code="script_missing")
    return SCRIPT.read_text()


@app.route("/v1/swap.js", methods=["GET"], cors=PUBLIC_CORS)
def swap_script():
    return Response(
        body=_script(),
        status_code=200,
        headers={"Content-Type": "application/javascript; charset=utf-8", "Cache-Control": "public, max-age=300"},
    )
