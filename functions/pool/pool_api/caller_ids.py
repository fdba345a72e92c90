"""Caller IDs the tenant verifies at the carrier, to show on its callbacks
(ringback.accounts.caller_ids)."""
from urllib.parse import unquote

from chalice import Response

from pool_api.web import app, no_content, now, scope
from ringback.accounts.caller_ids import NEW_CALLER_ID, CallerIds
from ringback.accounts.tenants import WRITE
from ringback.adapters.web import DASHBOARD_USERS
from ringback.bootstrap import services
from ringback.errors import Unavailable


def _caller_ids() -> CallerIds:
    caller_ids = services().caller_ids
    if caller_ids is None:
        raise Unavailable("this stage has no carrier account to verify caller IDs with",
                          code="carrier_not_configured")
    return caller_ids


@app.route("/v1/caller-ids", methods=["POST"], authorizer=DASHBOARD_USERS)
def start_caller_id_verification():
    """202: the carrier is calling the number; whoever answers keys in validationCode."""
    body = app.valid_body(NEW_CALLER_ID)
    started = _caller_ids().start(scope(WRITE), body["number"], body.get("friendlyName"), now())
    # The code is shown once, to the user about to take the call.
    return Response(started, status_code=202, headers={"Cache-Control": "no-store"})


@app.route("/v1/caller-ids", methods=["GET"], authorizer=DASHBOARD_USERS)
def list_caller_ids():
    return {"callerIds": _caller_ids().list(scope(), now())}


@app.route("/v1/caller-ids/{number}", methods=["DELETE"], authorizer=DASHBOARD_USERS)
def remove_caller_id(number):
    _caller_ids().remove(scope(WRITE), unquote(number), now())
    return no_content()
