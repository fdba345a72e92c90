"""What a member does with a visitor's callback request: dial a missed or failed one again
(ringback.callbacks.retries). Reading requests is the reports function's
(GET /v1/callback-requests); starting a dial is this function's, as the widget's form
starts the first one."""
from chalice import Response

from pool_api.web import app, scope
from ringback.accounts.tenants import WRITE
from ringback.adapters.web import DASHBOARD_USERS
from ringback.bootstrap import services


@app.route("/v1/callback-requests/{request_id}/retry", methods=["POST"], authorizer=DASHBOARD_USERS)
def retry_callback(request_id):
    key = app.current_request.headers.get("idempotency-key")
    return Response(services().callbacks.retry(scope(WRITE), request_id, key), status_code=202)
