"""Tracking numbers bought through the management API, as a tenant's admin buys them: a
search of the carrier's stock, a purchase into the tenant's own subaccount that the site
then tracks, and a release; and the refusals (an analyst, another tenant, a number
someone has, a number a visitor holds)."""
from urllib.parse import quote

import pytest

from ringback.accounts.tenants import AUDIT, TenantScope
from ringback.tracking.leases import HistoryEntry
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

NOW = 1_780_000_000_000


@pytest.fixture
def svc():
    with shop_and_other(NOW) as services:
        yield services


def call(method, path, user, body=None):
    return call_function("pool", method, path, user, body)[:2]


def new_site(user="u-admin"):
    status, site = call("POST", "/v1/sites", user, {"name": "Joe's Plumbing", "domains": ["joes.example"]})
    assert status == 201, site
    return site["siteId"]


def first_offer(user="u-admin", query="areaCode=415&smsEnabled=true"):
    status, found = call("GET", f"/v1/numbers/available?country=US&kind=local&{query}", user)
    assert status == 200, found
    return found["numbers"][0]


def test_an_admin_buys_a_number_into_the_tenants_own_subaccount_and_the_site_tracks_it(svc):
    site = new_site()
    offer = first_offer()
    assert offer["number"].startswith("+1415") and offer["locality"] == "San Francisco"

    status, bought = call("POST", f"/v1/sites/{site}/numbers", "u-admin",
                          {"number": offer["number"], "channel": {"utm_source": "google"}})

    assert status == 201, bought
    assert bought == {"number": offer["number"], "siteId": site, "channel": {"utm_source": ["google"]},
                      "capabilities": {"voice": True, "sms": True}}
    account = svc.tenants.get("shop").carrier_account
    held = svc.number_carrier.held[offer["number"]]
    assert account and held.account_sid == account and account != svc.number_carrier.main_sid
    assert (held.voice_url, held.status_callback) == ("http://localhost/v1/carrier/voice",
                                                       "http://localhost/v1/carrier/call-status")
    [tracked] = svc.pools.site_numbers(site)
    assert (tracked.number, tracked.kind, tracked.channel, tracked.sms) == (
        offer["number"], "static", {"utm_source": ["google"]}, True)
    # The next purchase goes into the same subaccount; the number bought is no longer offered.
    second = first_offer()
    assert second["number"] != offer["number"]
    assert call("POST", f"/v1/sites/{site}/numbers", "u-admin", {"number": second["number"], "channel": {}})[0] == 201
    assert svc.number_carrier.held[second["number"]].account_sid == account
    actions = [e["action"] for e in svc.audit.read(_owner_scope(svc))["entries"]]
    assert actions.count("number.bought") == 2


def _owner_scope(svc):
    return TenantScope("shop", "owner", frozenset({"shop"}), actor="user:u-owner").require(AUDIT)


def test_a_number_someone_else_has_is_refused_and_nothing_is_tracked(svc):
    site, theirs = new_site(), new_site("u-other")
    offer = first_offer()
    assert call("POST", f"/v1/sites/{theirs}/numbers", "u-other", {"number": offer["number"], "channel": {}})[0] == 201

    status, refused = call("POST", f"/v1/sites/{site}/numbers", "u-admin", {"number": offer["number"], "channel": {}})

    assert status == 409 and refused["error"]["code"] == "number_not_available"
    assert svc.pools.site_numbers(site) == []
    assert svc.tenants.get("other").carrier_account != svc.tenants.get("shop").carrier_account


def test_a_bad_channel_rule_is_refused_before_anything_is_bought(svc):
    site = new_site()
    offer = first_offer()

    status, refused = call("POST", f"/v1/sites/{site}/numbers", "u-admin",
                           {"number": offer["number"], "channel": {"favourite_colour": "blue"}})

    assert status == 400 and refused["error"]["code"] == "invalid_rule"
    assert offer["number"] not in svc.number_carrier.held


def test_an_analyst_searches_but_cannot_buy_and_another_tenant_cannot_buy_into_our_site(svc):
    site = new_site()
    offer = first_offer("u-analyst")

    assert call("POST", f"/v1/sites/{site}/numbers", "u-analyst", {"number": offer["number"], "channel": {}})[0] == 403
    assert call("POST", f"/v1/sites/{site}/numbers", "u-other", {"number": offer["number"], "channel": {}})[0] == 404
    assert svc.number_carrier.held == {}


@pytest.mark.parametrize("query,field", [("areaCode=41", "areaCode"), ("kind=landline", "kind"),
                                         ("country=usa", "country"), ("contains=5", "contains")])
def test_a_malformed_search_is_refused_naming_the_field(svc, query, field):
    status, refused = call("GET", f"/v1/numbers/available?{query}", "u-admin")

    assert status == 400 and refused["error"]["details"]["field"] == field


def test_a_released_number_goes_back_to_the_carrier_and_the_site_stops_tracking_it(svc):
    site = new_site()
    offer = first_offer()
    call("POST", f"/v1/sites/{site}/numbers", "u-admin", {"number": offer["number"], "channel": {}})
    path = f"/v1/sites/{site}/numbers/{quote(offer['number'])}"

    assert call("DELETE", path, "u-analyst")[0] == 403
    assert call("DELETE", path, "u-other")[0] == 404
    assert call("DELETE", path, "u-admin")[0] == 204

    assert svc.pools.site_numbers(site) == [] and offer["number"] not in svc.number_carrier.held
    assert call("DELETE", path, "u-admin")[1]["error"]["code"] == "unknown_number"
    assert "number.released" in [e["action"] for e in svc.audit.read(_owner_scope(svc))["entries"]]


def test_a_number_a_visitor_holds_right_now_is_not_released(svc):
    site = new_site()
    offer = first_offer()
    call("POST", f"/v1/sites/{site}/numbers", "u-admin", {"number": offer["number"], "channel": {}})
    svc.leases.history[(offer["number"], "h1")] = HistoryEntry(offer["number"], "sess-1", "p1", "shop", "v1",
                                                               NOW - 60_000, NOW + 60_000)

    status, refused = call("DELETE", f"/v1/sites/{site}/numbers/{quote(offer['number'])}", "u-admin")

    assert status == 409 and refused["error"]["code"] == "number_in_use"
    assert offer["number"] in svc.number_carrier.held and svc.pools.site_numbers(site)


def test_a_number_not_bought_here_is_not_released(svc):
    site = new_site()
    svc.pools.add_static_number("shop", site, "+14155550150", {}, NOW)

    status, refused = call("DELETE", f"/v1/sites/{site}/numbers/%2B14155550150", "u-admin")

    assert status == 409 and refused["error"]["code"] == "number_not_bought_here"
