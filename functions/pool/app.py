"""Number pools for the dashboard: what a tenant has and how full it is."""
from ringback import pools
from ringback.adapters.web import DASHBOARD_USERS, RingbackApp
from ringback.bootstrap import services

app = RingbackApp("pool")


@app.route("/v1/pools", methods=["GET"], authorizer=DASHBOARD_USERS)
def list_pools():
    svc = services()
    scope = svc.scope_for(app.principal(), app.current_request.headers.get("x-tenant-id"))
    return {"pools": pools.pools_of(scope, svc.sites, svc.pools)}
