"""A site's outgoing webhook endpoints: list, add, read, change, remove, rotate the
secret, send a test delivery, read its recent deliveries (ringback.accounts.webhook_endpoints);
and the event types an endpoint may subscribe to."""
from chalice import Response

from pool_api.web import app, no_content, now, scope, version, versioned
from ringback.accounts.tenants import WRITE
from ringback.accounts.webhook_endpoints import NEW_WEBHOOK, ROTATION, WEBHOOK_CHANGE, WebhookEndpoints
from ringback.adapters.web import DASHBOARD_USERS
from ringback.bootstrap import services
from ringback.calls.deliveries import PAGE_DEFAULT
from ringback.errors import InvalidInput

BASE = "/v1/sites/{site}/webhooks"


def _webhooks() -> WebhookEndpoints:
    return services().webhooks


def _with_secret(body: dict, at_version: int, status: int = 200) -> Response:
    """An answer that shows a signing secret: the only ones, so nothing may keep them."""
    answer = versioned(body, at_version, status)
    answer.headers["Cache-Control"] = "no-store"
    return answer


@app.route(BASE, methods=["GET"], authorizer=DASHBOARD_USERS)
def list_webhooks(site):
    return versioned(*_webhooks().list(scope(), site, now()))


@app.route(BASE, methods=["POST"], authorizer=DASHBOARD_USERS)
def create_webhook(site):
    body = app.valid_body(NEW_WEBHOOK)
    return _with_secret(*_webhooks().create(scope(WRITE), site, body, version(), now()), status=201)


@app.route(BASE + "/{webhook_id}", methods=["GET"], authorizer=DASHBOARD_USERS)
def get_webhook(site, webhook_id):
    return versioned(*_webhooks().get(scope(), site, webhook_id, now()))


@app.route(BASE + "/{webhook_id}", methods=["PATCH"], authorizer=DASHBOARD_USERS)
def update_webhook(site, webhook_id):
    body = app.valid_body(WEBHOOK_CHANGE)
    return versioned(*_webhooks().update(scope(WRITE), site, webhook_id, body, version(), now()))


@app.route(BASE + "/{webhook_id}", methods=["DELETE"], authorizer=DASHBOARD_USERS)
def delete_webhook(site, webhook_id):
    _webhooks().delete(scope(WRITE), site, webhook_id, version(), now())
    return no_content()


@app.route(BASE + "/{webhook_id}/secret", methods=["POST"], authorizer=DASHBOARD_USERS)
def rotate_webhook_secret(site, webhook_id):
    body = app.valid_body(ROTATION) if app.current_request.raw_body else {}
    answer = _webhooks().rotate_secret(scope(WRITE), site, webhook_id, version(), now(),
                                       overlap_seconds=body.get("overlapSeconds"))
    return _with_secret(*answer)


@app.route(BASE + "/{webhook_id}/test", methods=["POST"], authorizer=DASHBOARD_USERS)
def test_webhook(site, webhook_id):
    return _webhooks().test(scope(WRITE), site, webhook_id, now())


@app.route(BASE + "/{webhook_id}/deliveries", methods=["GET"], authorizer=DASHBOARD_USERS)
def list_webhook_deliveries(site, webhook_id):
    params = app.current_request.query_params or {}
    raw = params.get("limit")
    if raw is not None and not (raw.isascii() and raw.isdigit() and len(raw) <= 4):
        raise InvalidInput("'limit' must be a whole number", code="invalid_parameter", details={"field": "limit"})
    return _webhooks().deliveries(scope(), site, webhook_id, now(), int(raw) if raw else PAGE_DEFAULT,
                                  params.get("cursor"))


@app.route("/v1/webhook-event-types", methods=["GET"], authorizer=DASHBOARD_USERS)
def list_webhook_event_types():
    scope()  # the same callers as every tenant route, though the list is the same for all
    return _webhooks().event_types()
