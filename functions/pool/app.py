"""The management API: who works in a tenant (members, invitations, API keys, an agency's
clients, the audit log), sites (and whether their snippet is installed), number pools and
their sizing, a member's retry of a missed callback; and the API's authorizer."""
from functools import cache
from urllib.parse import unquote

from chalice import Response

import pool_api.account  # noqa: F401  (each module registers its routes on the app)
import pool_api.alerts  # noqa: F401
import pool_api.callback_requests  # noqa: F401
import pool_api.callbacks  # noqa: F401
import pool_api.caller_ids  # noqa: F401
import pool_api.install_check  # noqa: F401
import pool_api.pools  # noqa: F401
import pool_api.site_settings  # noqa: F401
import pool_api.sizing  # noqa: F401
import pool_api.webhooks  # noqa: F401
from pool_api.web import app, query_number, versioned
from pool_api.web import now as _now
from pool_api.web import scope as _scope
from pool_api.web import version as _version
from ringback.accounts import number_shop, schemas, site_admin
from ringback.accounts.api_keys import refuse_keys
from ringback.accounts.audit import AuditFilter
from ringback.accounts.members import member_json
from ringback.accounts.site_admin import site_json
from ringback.adapters.identity import CognitoTokens, authenticate, authorizer_response
from ringback.adapters.web import DASHBOARD_USERS
from ringback.bootstrap import observed, services
from ringback.errors import Unavailable

__all__ = ["app", "authorize"]


# -- the authorizer (a worker of this function: infra/catalog.py) ------------------------


@cache
def _tokens():
    settings = services().settings
    if settings is None or not settings.user_pool_id:
        return None
    return CognitoTokens(settings.token_issuer, settings.user_pool_client_id, settings.token_keys_url)


@observed
def authorize(event, context):
    """API Gateway's REQUEST authorizer for every tenant route."""
    svc = services()
    return authorizer_response(event, lambda header: authenticate(header, _tokens(), svc.api_keys, _now()),
                               svc.api_keys.usage_identifier)


# -- who I am; a new user's first sign-in opens their tenant ------------------------------


@app.route("/v1/me", methods=["GET"], authorizer=DASHBOARD_USERS)
def me():
    svc, principal = services(), app.principal()
    if principal.key_id is not None:
        return {"apiKey": {"keyId": principal.key_id, "tenantId": principal.key_tenant,
                           "access": principal.key_access}, "memberships": []}
    memberships = svc.members.sign_in(principal, _now())
    tenants = {m.tenant_id: svc.tenants.get(m.tenant_id) for m in memberships}
    return {"user": {"userId": principal.user_id, "email": principal.email},
            "memberships": [{"tenantId": m.tenant_id, "name": tenants[m.tenant_id].name,
                             "kind": tenants[m.tenant_id].kind, "role": m.role}
                            for m in memberships if tenants[m.tenant_id] is not None]}


# -- members and invitations ---------------------------------------------------------------


@app.route("/v1/members", methods=["GET"], authorizer=DASHBOARD_USERS)
def list_members():
    return services().members.list(_scope())


@app.route("/v1/invitations", methods=["POST"], authorizer=DASHBOARD_USERS)
def invite():
    body = app.valid_body(schemas.INVITATION)
    invitation = services().members.invite(_scope(), body["email"], body["role"], _now())
    return Response(invitation.as_json(), status_code=201)


@app.route("/v1/invitations/{invitation_id}", methods=["DELETE"], authorizer=DASHBOARD_USERS)
def cancel_invitation(invitation_id):
    services().members.cancel_invitation(_scope(), invitation_id, _now())
    return Response("", status_code=204)


@app.route("/v1/members/{user_id}", methods=["PATCH"], authorizer=DASHBOARD_USERS)
def change_role(user_id):
    body = app.valid_body(schemas.ROLE_CHANGE)
    return member_json(services().members.change_role(_scope(), user_id, body["role"], _now()))


@app.route("/v1/members/{user_id}", methods=["DELETE"], authorizer=DASHBOARD_USERS)
def remove_member(user_id):
    """`me` leaves the tenant; any other id is removed by a manager."""
    principal = app.principal()
    if user_id == "me":
        refuse_keys(principal)
        services().members.leave(_scope(), principal, _now())
    else:
        services().members.remove(_scope(), user_id, _now())
    return Response("", status_code=204)


# -- API keys --------------------------------------------------------------------------------


@app.route("/v1/api-keys", methods=["GET"], authorizer=DASHBOARD_USERS)
def list_keys():
    return {"apiKeys": [k.as_json() for k in services().api_keys.list(_scope())]}


@app.route("/v1/api-keys", methods=["POST"], authorizer=DASHBOARD_USERS)
def create_key():
    body = app.valid_body(schemas.API_KEY)
    key, secret = services().api_keys.create(_scope(), body["name"], body["access"], _now())
    # The only time the secret leaves the service.
    return Response({**key.as_json(), "secret": secret}, status_code=201,
                    headers={"Cache-Control": "no-store"})


@app.route("/v1/api-keys/{key_id}", methods=["DELETE"], authorizer=DASHBOARD_USERS)
def revoke_key(key_id):
    services().api_keys.revoke(_scope(), key_id, _now())
    return Response("", status_code=204)


# -- an agency's clients, and the audit log ----------------------------------------------------


@app.route("/v1/clients", methods=["GET"], authorizer=DASHBOARD_USERS)
def list_clients():
    scope = _scope()
    return {"clients": [{"tenantId": c.tenant_id, "name": c.name, "createdAt": c.created_at}
                        for c in services().members.clients(scope)]}


@app.route("/v1/clients", methods=["POST"], authorizer=DASHBOARD_USERS)
def open_client():
    body = app.valid_body(schemas.CLIENT)
    client = services().members.open_client(_scope(), body["name"], _now())
    return Response({"tenantId": client.tenant_id, "name": client.name, "createdAt": client.created_at},
                    status_code=201)


@app.route("/v1/audit", methods=["GET"], authorizer=DASHBOARD_USERS)
def audit_log():
    params = app.current_request.query_params or {}
    return services().audit.read(_scope(), limit=int(query_number("limit", 50)), cursor=params.get("cursor"),
                                 where=AuditFilter.from_params(params))


# -- sites ---------------------------------------------------------------------------------


def _site_response(site, status=200):
    return versioned(site_json(site), site.version, status)


@app.route("/v1/sites", methods=["GET"], authorizer=DASHBOARD_USERS)
def list_sites():
    return {"sites": [site_json(s) for s in services().site_admin.list(_scope())]}


@app.route("/v1/sites", methods=["POST"], authorizer=DASHBOARD_USERS)
def create_site():
    body = app.valid_body(site_admin.NEW_SITE)
    return _site_response(services().site_admin.create(_scope(), body, _now()), 201)


@app.route("/v1/sites/{site}", methods=["GET"], authorizer=DASHBOARD_USERS)
def get_site(site):
    return _site_response(services().site_admin.get(_scope(), site))


@app.route("/v1/sites/{site}", methods=["PATCH"], authorizer=DASHBOARD_USERS)
def update_site(site):
    body = app.valid_body(site_admin.SITE_CHANGE)
    return _site_response(services().site_admin.update(_scope(), site, body, _version(), _now()))


@app.route("/v1/sites/{site}", methods=["DELETE"], authorizer=DASHBOARD_USERS)
def delete_site(site):
    services().site_admin.delete(_scope(), site, _version(), _now())
    return Response("", status_code=204)


@app.route("/v1/sites/{site}/snippet", methods=["GET"], authorizer=DASHBOARD_USERS)
def site_snippet(site):
    return services().site_admin.snippet(_scope(), site)


@app.route("/v1/sites/{site}/site-key", methods=["POST"], authorizer=DASHBOARD_USERS)
def rotate_site_key(site):
    return _site_response(services().site_admin.rotate_key(_scope(), site, _version(), _now()))


# -- tracking numbers bought from the carrier ----------------------------------------------------


def _shop():
    shop = services().number_shop
    if shop is None:
        raise Unavailable("this stage has no carrier account to buy numbers from", code="carrier_not_configured")
    return shop


@app.route("/v1/numbers/available", methods=["GET"], authorizer=DASHBOARD_USERS)
def available_numbers():
    params = app.current_request.query_params or {}
    sms = {"true": True, "false": False}.get((params.get("smsEnabled") or "").lower())
    found = _shop().search(_scope(), params.get("country", "US"), params.get("kind", "local"),
                           area_code=params.get("areaCode"), contains=params.get("contains"), sms=sms,
                           limit=int(query_number("limit", 20)))
    return {"numbers": [n.as_json() for n in found]}


@app.route("/v1/sites/{site}/numbers", methods=["POST"], authorizer=DASHBOARD_USERS)
def buy_number(site):
    body = app.valid_body(number_shop.NEW_NUMBER)
    return Response(_shop().buy(_scope(), site, body["number"], body["channel"], _now()), status_code=201)


@app.route("/v1/sites/{site}/numbers/{number}", methods=["DELETE"], authorizer=DASHBOARD_USERS)
def release_number(site, number):
    _shop().release(_scope(), site, unquote(number), _now())
    return Response("", status_code=204)
