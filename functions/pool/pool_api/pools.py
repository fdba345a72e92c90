"""Number pools: the list and a pool's health, and managing one (created with numbers
bought for it, changed, grown, a number given back, deleted: ringback.tracking.pool_admin).
Every change of a pool names the version read as If-Match."""
from urllib.parse import unquote

from pool_api.web import app, no_content, now, query_number, scope, version, versioned
from ringback.accounts.tenants import WRITE
from ringback.adapters.web import DASHBOARD_USERS
from ringback.bootstrap import services
from ringback.tracking import pool_admin, pools, sizing


def _answer(pool: dict, status: int = 200):
    return versioned(pool, pool["version"], status)


@app.route("/v1/pools", methods=["GET"], authorizer=DASHBOARD_USERS)
def list_pools():
    svc = services()
    return {"pools": pools.pools_of(scope(), svc.sites, svc.pools)}


@app.route("/v1/sites/{site}/pools", methods=["POST"], authorizer=DASHBOARD_USERS)
def create_pool(site):
    body = app.valid_body(pool_admin.NEW_POOL)
    return _answer(services().pool_admin.create(scope(WRITE), site, body, now()), 201)


@app.route("/v1/pools/{pool_id}", methods=["GET"], authorizer=DASHBOARD_USERS)
def get_pool(pool_id):
    return _answer(services().pool_admin.get(scope(), pool_id))


@app.route("/v1/pools/{pool_id}", methods=["PATCH"], authorizer=DASHBOARD_USERS)
def update_pool(pool_id):
    body = app.valid_body(pool_admin.POOL_CHANGE)
    return _answer(services().pool_admin.update(scope(WRITE), pool_id, body, version(), now()))


@app.route("/v1/pools/{pool_id}", methods=["DELETE"], authorizer=DASHBOARD_USERS)
def delete_pool(pool_id):
    services().pool_admin.delete(scope(WRITE), pool_id, version(), now())
    return no_content()


@app.route("/v1/pools/{pool_id}/numbers", methods=["POST"], authorizer=DASHBOARD_USERS)
def add_pool_numbers(pool_id):
    body = app.valid_body(pool_admin.NUMBERS_WANTED)
    return _answer(services().pool_admin.add_numbers(scope(WRITE), pool_id, body, version(), now()))


@app.route("/v1/pools/{pool_id}/numbers/{number}", methods=["DELETE"], authorizer=DASHBOARD_USERS)
def remove_pool_number(pool_id, number):
    return _answer(services().pool_admin.remove_number(scope(WRITE), pool_id, unquote(number), version(), now()))


@app.route("/v1/pools/{pool_id}/health", methods=["GET"], authorizer=DASHBOARD_USERS)
def pool_health(pool_id):
    svc = services()
    health = sizing.report(
        scope(), svc.routing, svc.pools, svc.leases, pool_id, svc.clock.now_ms(),
        hours=query_number("hours", 24.0), target=query_number("target", 0.01),
        accuracy=query_number("accuracy", sizing.DEFAULT_ACCURACY),
    )
    return health.as_json()
