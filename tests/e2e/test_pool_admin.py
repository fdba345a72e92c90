"""A new tenant runs a number pool through the API, over HTTP on the local stack: creates
one with three numbers bought into its own carrier subaccount, reads it, changes it at
the version read (a stale version is refused), gives one number back, deletes the pool;
and the numbers given back are quarantined: the carrier has them for sale again, but
nobody can find or buy them through us."""
import time
import urllib.parse

import pytest

from devstack import aws
from devstack.carrier import client
from tests.support.accounts import call, etag_of, new_user_token

pytestmark = pytest.mark.e2e

AREA = "617"


def owning_subaccount(main, number):
    return [a.sid for a in main.api.v2010.accounts.list() if a.sid != aws.CARRIER_ACCOUNT_SID
            and number in [n.phone_number for n in main.api.v2010.accounts(a.sid).incoming_phone_numbers.list()]]


def test_a_new_tenant_runs_a_pool_and_the_numbers_it_gives_back_are_quarantined(stack):
    token = new_user_token(stack, "owner@pool-admin.example")
    assert call(stack, "GET", "/v1/me", token)[0] == 200
    status, site = call(stack, "POST", "/v1/sites", token,
                        {"name": "Boston Plumbing", "domains": ["boston-plumbing.example"]})
    assert status == 201, site

    status, pool = call(stack, "POST", f"/v1/sites/{site['siteId']}/pools", token, {
        "name": "paid search", "leaseSeconds": 900, "rule": {"utm_medium": ["cpc"]},
        "numbers": {"count": 3, "areaCode": AREA}})
    assert status == 201, pool
    assert pool["size"] == 3 and all(n.startswith(f"+1{AREA}") for n in pool["numbers"])
    main = client(stack.carrier_port, aws.CARRIER_ACCOUNT_SID, aws.CARRIER_AUTH_TOKEN)
    [subaccount] = owning_subaccount(main, pool["numbers"][0])
    owned = {n.phone_number: n for n in main.api.v2010.accounts(subaccount).incoming_phone_numbers.list()}
    assert set(owned) == set(pool["numbers"])
    assert {(n.voice_url, n.status_callback) for n in owned.values()} == {
        (f"{stack.url}/v1/carrier/voice", f"{stack.url}/v1/carrier/call-status")}

    path = f"/v1/pools/{pool['poolId']}"
    assert etag_of(stack, path, token) == '"v1"'
    assert call(stack, "GET", path, token) == (200, pool)
    status, changed = call(stack, "PATCH", path, token, {"name": "cpc", "leaseSeconds": 1800}, if_match='"v1"')
    assert status == 200 and (changed["name"], changed["leaseSeconds"], changed["version"]) == ("cpc", 1800, 2)
    status, stale = call(stack, "PATCH", path, token, {"name": "second admin"}, if_match='"v1"')
    assert status == 412 and stale["error"]["code"] == "stale_version", stale

    given_back = pool["numbers"][0]
    status, shrunk = call(stack, "DELETE", f"{path}/numbers/{urllib.parse.quote(given_back)}", token,
                          if_match='"v2"')
    assert status == 200 and shrunk["numbers"] == pool["numbers"][1:] and shrunk["version"] == 3, shrunk
    assert call(stack, "DELETE", path, token, if_match='"v2"')[0] == 412
    assert call(stack, "DELETE", path, token, if_match='"v3"')[0] == 204
    assert call(stack, "GET", path, token)[0] == 404
    assert main.api.v2010.accounts(subaccount).incoming_phone_numbers.list() == []

    # For sale at the carrier again, but not through us: not offered, and not sold.
    at_carrier = [n.phone_number for n in main.available_phone_numbers("US").local.list(area_code=AREA, limit=100)]
    assert set(pool["numbers"]) <= set(at_carrier)
    status, found = call(stack, "GET", f"/v1/numbers/available?areaCode={AREA}&limit=50", token)
    assert status == 200 and not set(pool["numbers"]) & {n["number"] for n in found["numbers"]}, found
    status, refused = call(stack, "POST", f"/v1/sites/{site['siteId']}/numbers", token,
                           {"number": given_back, "channel": {}})
    assert status == 409 and refused["error"]["code"] == "number_quarantined", refused
    assert refused["error"]["details"]["until"] > time.time() * 1000
    status, audit = call(stack, "GET", "/v1/audit", token)
    assert {"pool.created", "pool.updated", "pool.number_removed", "pool.deleted"} <= {
        e["action"] for e in audit["entries"]}
