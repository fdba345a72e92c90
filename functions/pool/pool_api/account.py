"""The caller's account: its name and kind (customer or agency)."""
from chalice import Response

from pool_api.web import app, if_match, now, scope
from ringback.accounts.account_admin import ACCOUNT_CHANGE, AccountAdmin, account_etag, account_json
from ringback.adapters.web import DASHBOARD_USERS
from ringback.bootstrap import services


def _admin() -> AccountAdmin:
    svc = services()
    return AccountAdmin(svc.tenants, svc.audit)


def _answer(tenant):
    return Response(account_json(tenant), headers={"ETag": f'"{account_etag(tenant)}"'})


@app.route("/v1/account", methods=["GET"], authorizer=DASHBOARD_USERS)
def get_account():
    return _answer(_admin().get(scope()))


@app.route("/v1/account", methods=["PATCH"], authorizer=DASHBOARD_USERS)
def update_account():
    body = app.valid_body(ACCOUNT_CHANGE)
    return _answer(_admin().update(scope(), body, if_match(), now()))
