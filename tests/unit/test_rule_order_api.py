"""A site's tracking numbers, their channel rules and the order the rules apply in,
through the management API: what a visitor then sees, and the refusals."""
from urllib.parse import quote

import pytest

from ringback import bootstrap
from ringback.accounts.sites import Site
from ringback.accounts.tenants import AUDIT, Membership, Tenant, TenantScope
from ringback.tracking.rules import Route, choose
from ringback.tracking.visits import new_visit
from tests.support.authorizer import call_function

from .tracking_world import page, world

NUMBERS = "/v1/sites/s1/numbers"
ORDER = "/v1/sites/s1/rule-order"
STATIC = "+14155550150"


@pytest.fixture
def svc():
    services, clock, _, _ = world()
    services.tenants.add_member(Membership("t1", "u-admin", "a@plumbing.test", "admin"))
    services.tenants.add_member(Membership("t1", "u-analyst", "b@plumbing.test", "analyst"))
    services.tenants.save(Tenant("t2", "Other"))
    services.tenants.add_member(Membership("t2", "u-other", "o@other.test", "owner"))
    bootstrap.install(services)
    yield services, clock
    bootstrap.install(None)


def call(method, path, user="u-admin", body=None, version=None):
    headers = {"If-Match": f'"v{version}"'} if version is not None else None
    return call_function("pool", method, path, user, body, headers)


def version(svc):
    return svc.sites.get("s1").version


def test_the_site_lists_its_static_and_pool_numbers_with_the_rules_that_show_them(svc):
    svc, _ = svc
    status, listed, headers = call("GET", NUMBERS, "u-analyst")
    assert status == 200 and headers["ETag"] == f'"v{version(svc)}"'
    assert listed["numbers"][0] == {"number": STATIC, "kind": "static", "channel": {"referrer_domain": ["yelp.com"]},
                                    "capabilities": {"voice": True, "sms": True}}
    assert [(n["number"], n["kind"], n["poolId"], n["poolName"], n["channel"]) for n in listed["numbers"][1:]] == [
        (f"+1415555{n:04d}", "pool", "p1", "search", {"utm_medium": ["cpc"]}) for n in (101, 102, 103)]
    assert call("GET", "/v1/sites/s1/numbers", "u-other")[0] == 404


def test_a_static_numbers_channel_changes_what_visitors_from_that_channel_see(svc):
    svc, _ = svc
    path = f"{NUMBERS}/{quote(STATIC)}"
    status, number, headers = call("PATCH", path, body={"channel": {"utm_source": "Newsletter"}}, version=version(svc))
    assert status == 200 and number["channel"] == {"utm_source": ["newsletter"]}
    assert headers["ETag"] == f'"v{version(svc)}"'
    offer = svc.tracking.start(page(query="?utm_source=newsletter&utm_medium=email", referrer=""))
    assert offer.numbers[0].number == STATIC
    scope = TenantScope("t1", "owner", frozenset({"t1"}), actor="user:u-owner").require(AUDIT)
    [entry] = [e for e in svc.audit.read(scope)["entries"] if e["action"] == "number.channel_updated"]
    assert entry["before"] == {"channel": {"referrer_domain": ["yelp.com"]}}
    assert entry["after"] == {"channel": {"utm_source": ["newsletter"]}} and entry["target"] == f"s1/{STATIC}"


def test_a_channel_change_is_refused_for_what_it_cannot_apply_to(svc):
    svc, _ = svc
    body = {"channel": {"utm_source": ["bing"]}}
    read = version(svc)
    status, refused, _ = call("PATCH", f"{NUMBERS}/{quote('+14155550101')}", body=body, version=read)
    assert status == 409 and refused["error"]["code"] == "number_in_pool"
    assert call("PATCH", f"{NUMBERS}/{quote('+14155550179')}", body=body, version=read)[0] == 404
    status, refused, _ = call("PATCH", f"{NUMBERS}/{quote(STATIC)}", body={"channel": {"colour": ["red"]}},
                              version=read)
    assert status == 400 and refused["error"]["details"]["field"] == "channel"
    assert call("PATCH", f"{NUMBERS}/{quote(STATIC)}", body=body)[0] == 428
    assert call("PATCH", f"{NUMBERS}/{quote(STATIC)}", "u-analyst", body, version=read)[0] == 403
    assert call("PATCH", f"/v1/sites/s1/numbers/{quote(STATIC)}", "u-other", body, version=read)[0] == 404
    assert call("PATCH", f"{NUMBERS}/{quote(STATIC)}", body=body, version=read)[0] == 200
    assert call("PATCH", f"{NUMBERS}/{quote(STATIC)}", body=body, version=read)[0] == 412  # read before it
    assert version(svc) == read + 1


def test_a_visit_two_rules_match_sees_the_first_of_the_sites_order(svc):
    svc, clock = svc
    both = dict(query="?utm_source=google&utm_medium=cpc", referrer="https://www.yelp.com/biz/joes")
    # Without an order, equal rules go static first.
    assert svc.tracking.start(page(client="visitor-0001", **both)).numbers[0].number == STATIC
    status, order, _ = call("GET", ORDER)
    assert status == 200 and order["order"] == [STATIC, "p1"]
    status, order, headers = call("PUT", ORDER, body={"order": ["p1", "+1 (415) 555-0150"]}, version=version(svc))
    assert status == 200 and order["order"] == ["p1", STATIC] and headers["ETag"] == f'"v{version(svc)}"'
    assert [r["kind"] for r in order["routes"]] == ["pool", "static"]
    clock.advance(seconds=61)  # the public path's cached site
    shown = svc.tracking.start(page(client="visitor-0002", **both)).numbers[0]
    assert shown.number.startswith("+1415555010")
    assert call("GET", ORDER, "u-analyst")[1]["order"] == ["p1", STATIC]


def test_routes_the_order_leaves_out_come_after_it_by_the_usual_precedence():
    google = Route("static", "+14155550150", {"utm_source": ["google"]})
    catch_all = Route("pool", "p-all", {})
    medium = Route("pool", "p-cpc", {"utm_medium": ["cpc"]})
    site = Site("s1", "t1", "Main", "pk", frozenset({"shop.example"}))
    visit = new_visit(site, "s", "client-0001", "https://shop.example/?utm_source=google&utm_medium=cpc", None, {}, 0)
    routes = [google, catch_all, medium]
    assert choose(routes, visit) == google  # no order: static first at equal specificity
    assert choose(routes, visit, ["p-all"]) == catch_all
    assert choose(routes, visit, ["p-cpc", "p-all"]) == medium
    assert choose(routes, visit, ["nothing-of-ours"]) == google


@pytest.mark.parametrize("order,field,code", [
    (["p1", "p-gone"], "order.1", "unknown_route"),
    (["p1", "p1"], "order.1", "duplicate_route"),
    (["+14155550150", "(415) 555-0150"], "order.1", "duplicate_route"),
    (["+1"], "order.0", "unknown_route"),
])
def test_an_order_naming_what_the_site_does_not_have_is_refused(svc, order, field, code):
    svc, _ = svc
    status, refused, _ = call("PUT", ORDER, body={"order": order}, version=version(svc))
    assert status == 400 and refused["error"]["code"] == code, refused
    assert refused["error"]["details"]["field"] == field


def test_the_rule_order_is_versioned_with_the_site_and_kept_to_its_writers(svc):
    svc, _ = svc
    read = version(svc)
    assert call("PUT", ORDER, body={"order": ["p1"]})[0] == 428
    assert call("PUT", ORDER, "u-analyst", {"order": ["p1"]}, version=read)[0] == 403
    assert call("PUT", ORDER, "u-other", {"order": ["p1"]}, version=read)[0] == 404
    assert call("PATCH", f"{NUMBERS}/{quote(STATIC)}", body={"channel": {}}, version=read)[0] == 200
    assert call("PUT", ORDER, body={"order": ["p1"]}, version=read)[0] == 412  # a channel changed since
    assert svc.sites.get("s1").settings.get("rule_order") is None
