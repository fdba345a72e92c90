"""A site's callback dial settings through the management API: read with their ETag,
replaced with If-Match, checked field by field, audited; the widget's own keys kept; and
the caller ID chosen (a tracking number, or a caller ID verified at the carrier) being the
one the legs really call from."""
from urllib.parse import quote

import pytest

from ringback.accounts.tenants import AUDIT, TenantScope
from ringback.callbacks.model import CallbackForm
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

NOW = 1_780_000_000_000
OFFICE, OPERATOR, VISITOR = "+14155550142", "+14155550199", "+14155550123"
ORIGIN = "https://joes.example"


@pytest.fixture
def svc():
    with shop_and_other(NOW) as services:
        yield services


def call(method, path, user="u-admin", body=None, etag=None):
    status, body, headers = call_function("pool", method, path, user, body, {"If-Match": etag} if etag else None)
    return status, body, headers.get("ETag")


@pytest.fixture
def site(svc):
    status, created, _ = call("POST", "/v1/sites", body={"name": "Joe's", "domains": ["joes.example"]})
    assert status == 201, created
    return created["siteId"]


def bought(site):
    offer = call("GET", "/v1/numbers/available?country=US&kind=local&areaCode=415&smsEnabled=true")[1]["numbers"][0]
    assert call("POST", f"/v1/sites/{site}/numbers", body={"number": offer["number"], "channel": {}})[0] == 201
    return offer["number"]


def verified(svc, number=OFFICE):
    started = call("POST", "/v1/caller-ids", body={"number": number})[1]
    validation = next(v for _, v, _ in svc.number_carrier.validations.values() if v.number == number)
    svc.number_carrier.press(validation.call_sid, started["validationCode"])
    return number


def put(site, body, user="u-admin"):
    etag = call("GET", f"/v1/sites/{site}/callbacks", user)[2]
    return call("PUT", f"/v1/sites/{site}/callbacks", user, body, etag)


def test_a_new_sites_settings_are_the_defaults_and_callbacks_are_off(site):
    status, settings, etag = call("GET", f"/v1/sites/{site}/callbacks")

    assert status == 200 and etag == '"v1"'
    assert settings == {"enabled": False, "operators": [], "hunt": "sequential", "ringSeconds": 20,
                        "visitorRingSeconds": 30, "operatorRetrySeconds": 120, "maxRounds": 4,
                        "visitorHours": ["09:00", "21:00"], "record": True, "countries": [], "callerId": None,
                        "blockedPrefixes": [], "callingFrom": None}


def test_an_admin_replaces_the_dial_settings_keeping_the_widgets_and_the_change_is_audited(svc, site):
    number = bought(site)
    stored = svc.sites.get(site)
    svc.sites.save(stored.__class__(**{**stored.__dict__, "settings": {
        **stored.settings, "callback": {**stored.settings["callback"], "triggers": {"secondsOnPage": 5},
                                        "theme": {"color": "#000"}, "max_rounds": 9}}}))
    body = {"enabled": True, "operators": ["(415) 555-0199"], "hunt": "simultaneous", "ringSeconds": 25,
            "visitorRingSeconds": 40, "operatorRetrySeconds": 60, "maxRounds": 2, "visitorHours": ["08:00", "20:00"],
            "record": False, "countries": ["US", "CA"], "callerId": number, "blockedPrefixes": ["+1900"]}

    status, settings, etag = put(site, body)

    assert status == 200, settings
    assert settings == {**body, "operators": [OPERATOR], "callingFrom": number}
    assert etag == f'"v{svc.sites.get(site).version}"'
    callback = svc.sites.get(site).settings["callback"]
    assert callback["triggers"] == {"secondsOnPage": 5} and callback["theme"] == {"color": "#000"}
    assert callback["caller_id"] == number and callback["ring_seconds"] == 25
    # A key left out goes back to its default.
    status, settings, _ = put(site, {"enabled": True, "operators": [OPERATOR]})
    assert settings["maxRounds"] == 4 and settings["callerId"] is None and settings["callingFrom"] == number
    scope = TenantScope("shop", "owner", frozenset({"shop"}), actor="user:u-owner").require(AUDIT)
    changes = [(e["before"], e["after"]) for e in svc.audit.read(scope)["entries"]
               if e["action"] == "site.callbacks_updated" and e["target"] == site]
    assert sorted((before["maxRounds"], after["maxRounds"], before["enabled"]) for before, after in changes) == [
        (2, 4, True), (9, 2, False)]


def test_a_change_needs_the_version_it_read(svc, site):
    body = {"enabled": False}
    status, refused, _ = call("PUT", f"/v1/sites/{site}/callbacks", body=body)
    assert status == 428 and refused["error"]["code"] == "version_required"

    status, refused, _ = call("PUT", f"/v1/sites/{site}/callbacks", body=body, etag='"v0"')
    assert status == 412 and refused["error"]["code"] == "stale_version"


def test_an_unverified_caller_id_is_refused_on_the_caller_id_field(svc, site):
    bought(site)

    status, refused, _ = put(site, {"enabled": True, "operators": [OPERATOR], "callerId": OFFICE})

    assert status == 400 and refused["error"]["code"] == "caller_id_not_verified"
    assert refused["error"]["details"]["field"] == "callerId"
    assert svc.sites.get(site).settings["callback"]["enabled"] is False


def test_another_tenants_verified_caller_id_is_not_ours(svc, site):
    bought(site)
    started = call("POST", "/v1/caller-ids", "u-other", {"number": OFFICE})[1]
    validation = next(iter(svc.number_carrier.validations.values()))[1]
    svc.number_carrier.press(validation.call_sid, started["validationCode"])

    status, refused, _ = put(site, {"enabled": True, "operators": [OPERATOR], "callerId": OFFICE})

    assert status == 400 and refused["error"]["code"] == "caller_id_not_verified"


def test_a_verified_caller_id_is_what_the_legs_call_from_in_the_tenants_subaccount(svc, site):
    bought(site)
    verified(svc)
    status, settings, _ = put(site, {"enabled": True, "operators": [OPERATOR], "callerId": OFFICE,
                                     "visitorHours": ["00:00", "24:00"]})
    assert status == 200 and settings["callingFrom"] == OFFICE
    key = svc.sites.get(site).site_key

    request, _ = svc.callbacks.request(CallbackForm(key, ORIGIN, VISITOR, country="US"))
    step = svc.callbacks.plan(request.request_id, None)
    svc.callbacks.ring(request.request_id, {"round": 1, "leg_seq": 0, "operators": list(step.ring.operators),
                                            "ring_seconds": 20}, "token-1")

    [placed] = svc.callbacks._dialer.placed
    assert (placed["to"], placed["from"]) == (OPERATOR, OFFICE)
    assert placed["account"] == svc.tenants.get("shop").carrier_account


def test_a_verified_caller_id_alone_is_enough_to_switch_callbacks_on(svc, site):
    verified(svc)

    status, settings, _ = put(site, {"enabled": True, "operators": [OPERATOR], "callerId": OFFICE})

    assert status == 200 and settings["callingFrom"] == OFFICE


def test_callbacks_cannot_be_switched_on_with_nothing_to_call_from_or_nobody_to_ring(svc, site):
    status, refused, _ = put(site, {"enabled": True, "operators": [OPERATOR]})
    assert status == 409 and refused["error"]["code"] == "no_voice_number"

    bought(site)
    status, refused, _ = put(site, {"enabled": True})
    assert status == 400 and refused["error"]["code"] == "no_operators"
    assert refused["error"]["details"]["field"] == "operators"
    # Off, nothing is needed.
    assert put(site, {"enabled": False})[0] == 200


@pytest.mark.parametrize("body,field", [
    ({"enabled": True, "ringSeconds": 500}, "ringSeconds"),
    ({"enabled": True, "hunt": "random"}, "hunt"),
    ({"enabled": True, "visitorHours": ["9am", "5pm"]}, "visitorHours.0"),
    ({"enabled": True, "visitorHours": ["09:00", "09:00"]}, "visitorHours"),
    ({"enabled": True, "operators": ["not a phone"]}, "operators"),
    ({"enabled": True, "countries": ["XX"]}, "countries"),
    ({"enabled": True, "blockedPrefixes": ["1900"]}, "blockedPrefixes.0"),
    ({"enabled": "yes"}, "enabled"),
])
def test_a_bad_setting_is_refused_naming_its_field(svc, site, body, field):
    bought(site)

    status, refused, _ = put(site, body)

    assert status == 400 and refused["error"]["details"]["field"] == field, refused


def test_an_analyst_reads_but_cannot_change_and_another_tenant_cannot_reach_the_site(svc, site):
    etag = call("GET", f"/v1/sites/{site}/callbacks", "u-analyst")[2]

    assert call("PUT", f"/v1/sites/{site}/callbacks", "u-analyst", {"enabled": False}, etag)[0] == 403
    assert call("GET", f"/v1/sites/{site}/callbacks", "u-other")[0] == 404
    assert call("PUT", f"/v1/sites/{site}/callbacks", "u-other", {"enabled": False}, etag)[0] == 404
    assert call("DELETE", f"/v1/caller-ids/{quote(OFFICE)}", "u-other")[0] == 404
