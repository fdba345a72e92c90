"""Number pools through the management API, as a tenant's admin runs them: a pool created
with numbers bought for it into the tenant's own subaccount, read and changed at the
version read, grown, a number given back, the pool deleted; and the refusals (an analyst,
another tenant, a stale version, a number a visitor holds, a purchase that fails part
way)."""
from urllib.parse import quote

import pytest

from ringback.accounts.purchases import DAY_MS, QUARANTINE_DAYS
from ringback.accounts.tenants import AUDIT, TenantScope
from ringback.tracking.leases import Allocator
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

NOW = 1_780_000_000_000
HOOKS = ("http://localhost/v1/carrier/voice", "http://localhost/v1/carrier/call-status")


@pytest.fixture
def svc():
    with shop_and_other(NOW) as services:
        yield services


def call(method, path, user="u-admin", body=None, etag=None):
    return call_function("pool", method, path, user, body, {"If-Match": etag} if etag else None)


def new_site(user="u-admin"):
    status, site, _ = call("POST", "/v1/sites", user, {"name": "Joe's Plumbing", "domains": ["joes.example"]})
    assert status == 201, site
    return site["siteId"]


def new_pool(site, numbers=None, user="u-admin", **fields):
    body = {"name": "paid search", "leaseSeconds": 600, "rule": {"utm_medium": "cpc"},
            "numbers": numbers or {"count": 3, "areaCode": "415"}, **fields}
    status, pool, headers = call("POST", f"/v1/sites/{site}/pools", user, body)
    assert status == 201, pool
    return pool, headers["ETag"]


def actions(svc):
    owner = TenantScope("shop", "owner", frozenset({"shop"}), actor="user:u-owner").require(AUDIT)
    return [e for e in svc.audit.read(owner)["entries"]]


def test_an_admin_creates_a_pool_of_numbers_bought_into_the_tenants_subaccount(svc):
    site = new_site()

    pool, etag = new_pool(site)

    assert etag == '"v1"' and pool["version"] == 1
    assert {k: pool[k] for k in ("siteId", "name", "mode", "leaseSeconds", "exhaustionPolicy", "rule", "size")} == {
        "siteId": site, "name": "paid search", "mode": "numbers", "leaseSeconds": 600,
        "exhaustionPolicy": "share_oldest", "rule": {"utm_medium": ["cpc"]}, "size": 3}
    account = svc.tenants.get("shop").carrier_account
    assert account and account != svc.number_carrier.main_sid
    for number in pool["numbers"]:
        held = svc.number_carrier.held[number]
        assert number.startswith("+1415") and held.account_sid == account
        assert (held.voice_url, held.status_callback) == HOOKS
    tracked = {n.number: n for n in svc.pools.site_numbers(site)}
    assert set(tracked) == set(pool["numbers"]) and {n.pool_id for n in tracked.values()} == {pool["poolId"]}
    assert [r.target for r in svc.routing.routes_for(site)] == [pool["poolId"]]
    [entry] = [e for e in actions(svc) if e["action"] == "pool.created"]
    assert entry["before"] is None and entry["after"]["numbers"] == pool["numbers"]


def test_named_numbers_are_bought_all_or_none(svc):
    site, theirs = new_site(), new_site("u-other")
    taken = "+14155550105"
    new_pool(theirs, {"numbers": [taken]}, user="u-other")

    status, refused, _ = call("POST", f"/v1/sites/{site}/pools", body={
        "name": "search", "numbers": {"numbers": ["+14155550104", "(415) 555-0105", "+14155550106"]}})

    assert status == 409 and refused["error"]["code"] == "number_not_available"
    # The first was bought, then given back when the second failed; the third never.
    assert "+14155550104" not in svc.number_carrier.held and "+14155550106" not in svc.number_carrier.held
    assert svc.pools.for_site(site) == [] and svc.pools.site_numbers(site) == []
    status, pool, _ = call("POST", f"/v1/sites/{site}/pools", body={
        "name": "search", "numbers": {"numbers": ["+14155550104", "+14155550106"]}})
    assert status == 201 and pool["numbers"] == ["+14155550104", "+14155550106"]


def test_an_extension_pool_runs_on_exactly_one_number(svc):
    site = new_site()

    status, refused, _ = call("POST", f"/v1/sites/{site}/pools", body={
        "name": "email", "mode": "extensions", "numbers": {"count": 2}})
    assert status == 400 and refused["error"]["details"]["field"] == "numbers"
    assert svc.number_carrier.held == {}

    pool, etag = new_pool(site, {"count": 1}, mode="extensions")
    assert pool["size"] == 1 and len([s for s in svc.leases.slots if s.startswith(pool["numbers"][0] + ",")]) == 1000
    status, refused, _ = call("POST", f"/v1/pools/{pool['poolId']}/numbers", body={"count": 1}, etag=etag)
    assert status == 409 and refused["error"]["code"] == "invalid_pool_mode"
    # Its health counts the thousand lines its one number holds, not one line.
    status, health, _ = call("GET", f"/v1/pools/{pool['poolId']}/health")
    assert status == 200 and health["size"] == 1000, health


@pytest.mark.parametrize("body,field", [
    ({"name": "x", "leaseSeconds": 60, "numbers": {"count": 1}}, "leaseSeconds"),
    ({"name": "x", "rule": {"favourite_colour": "blue"}, "numbers": {"count": 1}}, "rule"),
    ({"name": "x", "numbers": {"count": 1, "numbers": ["+14155550101"]}}, "numbers.count"),
    ({"name": "x", "numbers": {"numbers": ["+14155550101"], "areaCode": "415"}}, "numbers.areaCode"),
    ({"name": "x", "numbers": {"count": 1, "kind": "mobile"}}, "numbers.kind"),
    ({"name": "x", "numbers": {"count": 21}}, "numbers.count"),
    ({"name": "x", "numbers": {"numbers": ["not a number"]}}, "numbers.numbers"),
    ({"name": "x", "exhaustionPolicy": "panic", "numbers": {"count": 1}}, "exhaustionPolicy"),
])
def test_a_pool_the_api_cannot_create_is_refused_naming_the_field_and_nothing_is_bought(svc, body, field):
    site = new_site()

    status, refused, _ = call("POST", f"/v1/sites/{site}/pools", body=body)

    assert status == 400 and refused["error"]["details"]["field"] == field, refused
    assert svc.number_carrier.held == {}


def test_a_pool_is_read_by_its_tenant_only_and_changed_at_the_version_read(svc):
    site = new_site()
    pool, etag = new_pool(site)
    path = f"/v1/pools/{pool['poolId']}"

    assert call("GET", path, "u-analyst")[1] == pool
    assert call("GET", path, "u-other")[0] == 404
    assert call("PATCH", path, body={"name": "cpc"})[1]["error"]["code"] == "version_required"
    assert call("PATCH", path, body={"name": "cpc"})[0] == 428
    assert call("PATCH", path, "u-analyst", {"name": "cpc"}, etag)[0] == 403
    assert call("PATCH", path, "u-other", {"name": "cpc"}, etag)[0] == 404

    status, changed, headers = call("PATCH", path, body={"name": "cpc", "leaseSeconds": 1800,
                                                         "exhaustionPolicy": "share_oldest",
                                                         "rule": {"utm_source": ["google"]}}, etag=etag)

    assert status == 200 and headers["ETag"] == '"v2"', changed
    assert (changed["name"], changed["leaseSeconds"], changed["exhaustionPolicy"], changed["rule"]) == (
        "cpc", 1800, "share_oldest", {"utm_source": ["google"]})
    assert changed["numbers"] == pool["numbers"] and svc.routing.pool(pool["poolId"]).lease_seconds == 1800
    status, stale, _ = call("PATCH", path, body={"name": "second admin"}, etag=etag)
    assert status == 412 and stale["error"]["code"] == "stale_version"
    [entry] = [e for e in actions(svc) if e["action"] == "pool.updated"]
    assert (entry["before"]["name"], entry["after"]["name"]) == ("paid search", "cpc")


def test_more_numbers_are_bought_into_a_pool_at_the_version_read(svc):
    site = new_site()
    pool, etag = new_pool(site)
    path = f"/v1/pools/{pool['poolId']}/numbers"

    assert call("POST", path, body={"count": 2})[0] == 428
    status, grown, headers = call("POST", path, body={"count": 2, "areaCode": "212"}, etag=etag)

    assert status == 200 and headers["ETag"] == '"v2"' and grown["size"] == 5, grown
    assert len([n for n in grown["numbers"] if n.startswith("+1212")]) == 2
    assert svc.pools.size(svc.pools.get(pool["poolId"])) == 5
    status, stale, _ = call("POST", path, body={"numbers": ["+12125550150"]}, etag=etag)
    assert status == 412 and "+12125550150" not in svc.number_carrier.held  # given back
    assert "pool.numbers_added" in [e["action"] for e in actions(svc)]


def lease(svc, pool_id, session="sess-1"):
    allocation = Allocator(svc.leases).allocate(svc.pools.get(pool_id), session, f"visitor-{session}", NOW,
                                                NOW + 30 * DAY_MS)
    return allocation.lease.line


def test_a_number_is_given_back_into_quarantine_unless_a_visitor_holds_it_or_it_is_the_last(svc):
    site = new_site()
    pool, etag = new_pool(site, {"count": 2})
    held = lease(svc, pool["poolId"])
    free = next(n for n in pool["numbers"] if n != held)
    path = f"/v1/pools/{pool['poolId']}/numbers/"

    status, refused, _ = call("DELETE", path + quote(held), etag=etag)
    assert status == 409 and refused["error"]["code"] == "number_in_use"
    assert held in svc.number_carrier.held and svc.pools.size(svc.pools.get(pool["poolId"])) == 2
    assert call("DELETE", path + quote(free), "u-analyst", etag=etag)[0] == 403
    assert call("DELETE", path + quote(free), "u-other", etag=etag)[0] == 404
    assert call("DELETE", path + quote("+14155550199"), etag=etag)[1]["error"]["code"] == "unknown_number"

    status, shrunk, headers = call("DELETE", path + quote(free), etag=etag)

    assert status == 200 and shrunk["numbers"] == [held] and headers["ETag"] == '"v2"', shrunk
    assert free not in svc.number_carrier.held and svc.number_quarantine.held([free], NOW) == {
        free: NOW + QUARANTINE_DAYS * DAY_MS}
    assert free not in [n.number for n in svc.pools.site_numbers(site)] and free not in svc.leases.slots
    status, refused, _ = call("DELETE", path + quote(held), etag=headers["ETag"])
    assert status == 409 and refused["error"]["code"] == "pool_would_be_empty"
    [entry] = [e for e in actions(svc) if e["action"] == "pool.number_removed"]
    assert len(entry["before"]["numbers"]) == 2 and entry["after"]["numbers"] == [held]


def test_a_pool_in_use_is_not_deleted_and_a_deleted_pools_numbers_go_into_quarantine(svc):
    site = new_site()
    pool, etag = new_pool(site)
    path = f"/v1/pools/{pool['poolId']}"
    lease(svc, pool["poolId"])

    assert call("DELETE", path)[0] == 428
    assert call("DELETE", path, "u-other", etag=etag)[0] == 404
    status, refused, _ = call("DELETE", path, etag=etag)
    assert status == 409 and refused["error"]["code"] == "pool_in_use"
    assert svc.pools.size(svc.pools.get(pool["poolId"])) == 3 and all(n in svc.number_carrier.held
                                                                       for n in pool["numbers"])

    svc.clock.advance(seconds=601)  # the lease has ended
    assert call("DELETE", path, etag=etag)[0] == 204

    now = svc.clock.now_ms()
    assert svc.pools.get(pool["poolId"]) is None and svc.pools.site_numbers(site) == []
    assert svc.routing.routes_for(site) == [] and call("GET", path)[0] == 404
    assert not any(n in svc.number_carrier.held for n in pool["numbers"])
    assert svc.number_quarantine.held(pool["numbers"], now) == dict.fromkeys(
        pool["numbers"], now + QUARANTINE_DAYS * DAY_MS)
    [entry] = [e for e in actions(svc) if e["action"] == "pool.deleted"]
    assert entry["before"]["numbers"] == pool["numbers"] and entry["after"] is None


def test_a_quarantined_number_is_offered_to_nobody_and_sold_to_nobody_until_its_quarantine_ends(svc):
    site, theirs = new_site(), new_site("u-other")
    pool, etag = new_pool(site, {"count": 2, "areaCode": "415", "contains": "555010"})
    released = pool["numbers"][0]
    status, _, _ = call("DELETE", f"/v1/pools/{pool['poolId']}/numbers/{quote(released)}", etag=etag)
    assert status == 200 and released not in svc.number_carrier.held

    def offered(user):
        status, found, _ = call("GET", "/v1/numbers/available?areaCode=415&contains=555010&limit=50", user)
        assert status == 200, found
        return [n["number"] for n in found["numbers"]]

    assert released not in offered("u-admin") and released not in offered("u-other")
    for user, path, body in (
            ("u-other", f"/v1/sites/{theirs}/pools", {"name": "x", "numbers": {"numbers": [released]}}),
            ("u-other", f"/v1/sites/{theirs}/numbers", {"number": released, "channel": {}}),
            ("u-admin", f"/v1/sites/{site}/numbers", {"number": released, "channel": {}})):
        status, refused, _ = call("POST", path, user, body)
        assert status == 409 and refused["error"]["code"] == "number_quarantined", refused
        assert refused["error"]["details"] == {"number": released,
                                               "until": NOW + QUARANTINE_DAYS * DAY_MS}
    # Bought by count, the search skips it too: of 415-555-0100..0109, one is the shop's and
    # one in quarantine, so eight are for sale, and a ninth is not to be had.
    status, refused, _ = call("POST", f"/v1/sites/{theirs}/pools", "u-other", {
        "name": "x", "numbers": {"count": 9, "areaCode": "415", "contains": "555010"}})
    assert status == 409 and refused["error"]["details"] == {"wanted": 9, "available": 8}
    other_pool, _ = new_pool(theirs, {"count": 8, "areaCode": "415", "contains": "555010"}, user="u-other")
    assert released not in other_pool["numbers"] and len(other_pool["numbers"]) == 8
    assert released not in svc.number_carrier.held

    svc.clock.advance(hours=24 * QUARANTINE_DAYS, seconds=1)
    assert released in offered("u-other")
    assert call("POST", f"/v1/sites/{theirs}/numbers", "u-other", {"number": released, "channel": {}})[0] == 201


def test_a_released_static_number_is_quarantined_too(svc):
    site = new_site()
    status, found, _ = call("GET", "/v1/numbers/available?areaCode=312")
    number = found["numbers"][0]["number"]
    assert call("POST", f"/v1/sites/{site}/numbers", body={"number": number, "channel": {}})[0] == 201

    assert call("DELETE", f"/v1/sites/{site}/numbers/{quote(number)}")[0] == 204

    assert svc.number_quarantine.held([number], NOW) == {number: NOW + QUARANTINE_DAYS * DAY_MS}
    status, refused, _ = call("POST", f"/v1/sites/{site}/numbers", body={"number": number, "channel": {}})
    assert status == 409 and refused["error"]["code"] == "number_quarantined"
