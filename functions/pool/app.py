"""Number pools for the dashboard: what a tenant has, how full it is, how big it should be."""
from ringback.tracking import pools
from ringback.tracking import sizing
from ringback.adapters.web import DASHBOARD_USERS, RingbackApp
from ringback.bootstrap import services
from ringback.errors import InvalidInput

app = RingbackApp("pool")


def _scope():
    return services().scope_for(app.principal(), app.current_request.headers.get("x-tenant-id"))


def _number(params, name, default):
    raw = params.get(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError:
        raise InvalidInput(f"'{name}' must be a number", code="invalid_parameter") from None


@app.route("/v1/pools", methods=["GET"], authorizer=DASHBOARD_USERS)
def list_pools():
    svc = services()
    return {"pools": pools.pools_of(_scope(), svc.sites, svc.pools)}


@app.route("/v1/pools/{pool_id}/health", methods=["GET"], authorizer=DASHBOARD_USERS)
def pool_health(pool_id):
    svc = services()
    params = app.current_request.query_params or {}
    health = sizing.report(
        _scope(), svc.routing, svc.pools, svc.leases, pool_id, svc.clock.now_ms(),
        hours=_number(params, "hours", 24.0), target=_number(params, "target", 0.01),
    )
    return health.as_json()
