"""How many numbers a pool needs before it exists: the onboarding wizard asks with the
visitors a site expects a day (ringback.tracking.sizing.advise, the Erlang-B and accuracy
model a pool's health reports against its real traffic)."""
from pool_api.web import app, query_number, scope
from ringback.adapters.web import DASHBOARD_USERS
from ringback.tracking import sizing

# Seed 001's example site: "a site with 1000 users a day".
DEFAULT_DAILY_VISITORS = 1000


@app.route("/v1/pool-sizing", methods=["GET"], authorizer=DASHBOARD_USERS)
def pool_sizing():
    scope()  # any member of a tenant may ask; nothing of the tenant is read
    return sizing.advise(
        query_number("dailyVisitors", DEFAULT_DAILY_VISITORS),
        lease_seconds=query_number("leaseSeconds", sizing.MIN_LEASE_SECONDS),
        target=query_number("target", 0.01), accuracy=query_number("accuracy", sizing.DEFAULT_ACCURACY),
    ).as_json()
