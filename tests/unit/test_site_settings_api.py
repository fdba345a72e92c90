"""A site's inbound routing and callback widget through the management API, as an admin
sets them up: read with the site's ETag, replace with If-Match, and what changes for a
caller or a visitor afterwards; and the refusals, each naming the field at fault."""
import json
import re
from pathlib import Path

import pytest

from ringback import bootstrap
from ringback.accounts.provisioning import Directories, enable_callbacks
from ringback.accounts.site_settings import WIDGET_LANGUAGES, WIDGET_TEXTS
from ringback.accounts.tenants import AUDIT, Membership, TenantScope
from ringback.calls.inbound import IncomingCall
from tests.support.authorizer import call_function

from .code_prompt import receive
from .tracking_world import ORIGIN, world

WIDGET_JS = Path(__file__).resolve().parents[2] / "frontend" / "src" / "widget.js"
ROUTING = "/v1/sites/s1/routing"
WIDGET = "/v1/sites/s1/widget"


@pytest.fixture
def svc():
    services, _, _, _ = world()
    services.tenants.add_member(Membership("t1", "u-admin", "a@plumbing.test", "admin"))
    services.tenants.add_member(Membership("t1", "u-analyst", "b@plumbing.test", "analyst"))
    services.tenants.add_member(Membership("t1", "u-owner", "o@plumbing.test", "owner"))
    from ringback.accounts.tenants import Tenant
    services.tenants.save(Tenant("t2", "Other"))
    services.tenants.add_member(Membership("t2", "u-other", "o@other.test", "owner"))
    bootstrap.install(services)
    yield services
    bootstrap.install(None)


def call(method, path, user="u-admin", body=None, version=None):
    headers = {"If-Match": f'"v{version}"'} if version is not None else None
    return call_function("pool", method, path, user, body, headers)


def etag(path):
    status, _, headers = call("GET", path)
    assert status == 200
    return int(headers["ETag"].strip('"v'))


def audit(svc, action):
    scope = TenantScope("t1", "owner", frozenset({"t1"}), actor="user:u-owner").require(AUDIT)
    return [e for e in svc.audit.read(scope)["entries"] if e["action"] == action]


def test_a_new_site_rings_its_destinations_at_once_with_a_whisper_and_a_recording(svc):
    status, routing, headers = call("GET", ROUTING, "u-analyst")
    assert status == 200 and headers["ETag"] == f'"v{svc.sites.get("s1").version}"'
    assert routing == {"destinations": [], "strategy": "all_at_once", "ringSeconds": 20,
                       "whisper": {"enabled": True}, "recording": {"enabled": True},
                       "voicemail": {"enabled": True}, "offHours": {"action": "voicemail"}}


def test_routing_set_through_the_api_is_what_the_next_call_does(svc):
    body = {"destinations": ["(415) 555-0199", "+1 415 555 0198"], "strategy": "in_order", "ringSeconds": 15,
            "whisper": {"enabled": True, "text": "Plumbing line, {source|website} caller"},
            "recording": {"enabled": False, "notice": "Calls may be recorded."},
            "voicemail": {"enabled": False, "prompt": "Sorry, we missed you. Call again soon."},
            "offHours": {"action": "forward", "number": "415-555-0177"}}
    status, routing, headers = call("PUT", ROUTING, body=body, version=etag(ROUTING))
    assert status == 200, routing
    assert routing["destinations"] == ["+14155550199", "+14155550198"]
    assert routing["offHours"] == {"action": "forward", "number": "+14155550177"}
    assert headers["ETag"] == f'"v{svc.sites.get("s1").version}"' and call("GET", ROUTING)[1] == routing

    _, plan = svc.inbound.receive(IncomingCall("tw:CA1", "+14155550150", "+14155550001"))
    assert (plan.action, plan.destinations, plan.ring_seconds, plan.next_leg) == ("dial", ("+14155550199",), 15, 1)
    assert plan.record is False and plan.recording_notice is None  # no notice for a call not recorded
    assert svc.inbound.whisper_for("tw:CA1") == "Plumbing line, website caller"
    [entry] = audit(svc, "site.routing_updated")
    assert entry["before"]["strategy"] == "all_at_once" and entry["after"] == routing


def test_leaving_parts_out_of_a_routing_puts_them_back_to_their_defaults(svc):
    first = {"destinations": ["+14155550199"], "recording": {"enabled": False}}
    assert call("PUT", ROUTING, body=first, version=etag(ROUTING))[0] == 200
    status, routing, _ = call("PUT", ROUTING, body={"destinations": ["+14155550199"]}, version=etag(ROUTING))
    assert status == 200 and routing["recording"] == {"enabled": True}


@pytest.mark.parametrize("change,field,code", [
    ({"destinations": ["12345"]}, "destinations.0", "invalid_phone"),
    ({"destinations": ["+14155550199", "(415) 555-0199"]}, "destinations.1", "duplicate_destination"),
    ({"destinations": ["+14155550150"]}, "destinations.0", "destination_is_tracking_number"),
    ({"strategy": "round_robin"}, "strategy", "invalid_field"),
    ({"ringSeconds": 2}, "ringSeconds", "invalid_field"),
    ({"whisper": {"text": "hello"}}, "whisper", "invalid_field"),
    ({"whisper": {"enabled": True, "text": "Call about {product}"}}, "whisper.text", "invalid_placeholder"),
    ({"offHours": {"action": "forward"}}, "offHours.number", "number_required"),
    ({"offHours": {"action": "hangup", "number": "+14155550177"}}, "offHours.number", "invalid_field"),
    ({"offHours": {"action": "forward", "number": "not a number"}}, "offHours.number", "invalid_phone"),
    ({"offHours": {"action": "sms"}}, "offHours.action", "invalid_field"),
    ({"colour": "red"}, None, "invalid_field"),
])
def test_a_routing_the_api_cannot_honour_is_refused_naming_the_field(svc, change, field, code):
    before = svc.sites.get("s1")
    status, refused, _ = call("PUT", ROUTING, body={"destinations": ["+14155550199"], **change},
                              version=before.version)
    assert status == 400 and refused["error"]["code"] == code, refused
    assert refused["error"]["details"]["field"] == field
    assert svc.sites.get("s1") == before


def test_routing_is_versioned_with_the_site_and_kept_to_its_tenant_and_writers(svc):
    body = {"destinations": ["+14155550199"]}
    read = etag(ROUTING)
    assert call("PUT", ROUTING, body=body)[:2][0] == 428
    assert call("PUT", ROUTING, body=body, version=read)[0] == 200
    status, refused, _ = call("PUT", ROUTING, body={"destinations": []}, version=read)  # read before the change
    assert status == 412 and refused["error"]["code"] == "stale_version"
    assert call("PUT", ROUTING, "u-analyst", body, version=read + 1)[0] == 403
    assert call("GET", ROUTING, "u-other")[0] == 404
    assert call("PUT", ROUTING, "u-other", body, version=read + 1)[0] == 404
    assert svc.sites.get("s1").destination_numbers == ("+14155550199",)


# -- the widget --------------------------------------------------------------------------


def widget_config(svc):
    from chalice.test import Client

    from infra.catalog import load_app

    with Client(load_app("widget")) as client:
        response = client.http.get("/v1/sites/pk_1/config", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    return json.loads(response.body)["callback"]


def test_the_widget_serves_what_the_admin_set_and_the_dial_settings_stay(svc):
    dirs = Directories(svc.tenants, svc.sites, svc.pools)
    enable_callbacks(dirs, "s1", operators=["+14155550199"], hunt="simultaneous", countries=["US", "CA"])
    body = {
        "triggers": {"secondsOnPage": 20, "inactivitySeconds": 45, "scrollPercent": 60, "pagesViewed": 2,
                     "exitIntent": False, "cooldownHours": 12},
        "targeting": {"paths": ["/pricing*"], "excludePaths": ["/careers"], "utm": {"medium": ["cpc", "ppc"]},
                      "referrers": ["https://www.Google.com/"], "countries": ["US"]},
        "theme": {"color": "#0b6bcb", "position": "left",
                  "texts": {"en": {"title": "Need a plumber for {keyword|your pipes}?", "closed": "Back at {time}."},
                            "de": {"button": "Rückruf"}}},
        "locale": "de",
    }
    status, widget, _ = call("PUT", WIDGET, body=body, version=etag(WIDGET))
    assert status == 200, widget
    served = widget_config(svc)
    assert {k: served[k] for k in ("triggers", "targeting", "theme", "locale")} == widget == call("GET", WIDGET)[1]
    assert served["targeting"]["referrers"] == ["www.google.com"]
    assert [c["code"] for c in served["countries"]] == ["US", "CA"]
    callback = svc.sites.get("s1").settings["callback"]
    assert callback["hunt"] == "simultaneous" and callback["operators"] == ["+14155550199"]
    [entry] = audit(svc, "site.widget_updated")
    assert entry["before"]["locale"] == "auto" and entry["after"]["locale"] == "de"


def test_a_widget_left_unset_opens_as_a_new_site_does(svc):
    status, widget, _ = call("PUT", WIDGET, body={}, version=etag(WIDGET))
    assert status == 200
    assert widget == {"triggers": {"secondsOnPage": 30, "exitIntent": True, "cooldownHours": 24},
                      "targeting": {}, "theme": {}, "locale": "auto"}


@pytest.mark.parametrize("body,field,code", [
    ({"theme": {"texts": {"en": {"headline": "Hi"}}}}, "theme.texts.en.headline", "unknown_text"),
    ({"theme": {"texts": {"en": {"hint": "Type it like {time}"}}}}, "theme.texts.en.hint", "invalid_placeholder"),
    ({"theme": {"texts": {"en": {"title": "x" * 201}}}}, "theme.texts.en.title", "invalid_field"),
    ({"theme": {"texts": {"EN": {"title": "Hi"}}}}, "theme.texts", "invalid_field"),
    ({"theme": {"color": "red; background: url(x)"}}, "theme.color", "invalid_field"),
    ({"theme": {"position": "top"}}, "theme.position", "invalid_field"),
    ({"locale": "fr"}, "locale", "unknown_locale"),
    ({"locale": "english"}, "locale", "invalid_field"),
    ({"triggers": {"scrollPercent": 140}}, "triggers.scrollPercent", "invalid_field"),
    ({"triggers": {"onClick": True}}, "triggers", "invalid_field"),
    ({"targeting": {"paths": ["pricing"]}}, "targeting.paths.0", "invalid_path"),
    ({"targeting": {"utm": {"gclid": ["x"]}}}, "targeting.utm", "invalid_field"),
    ({"targeting": {"countries": ["usa"]}}, "targeting.countries.0", "invalid_field"),
    ({"targeting": {"referrers": ["not a domain"]}}, "targeting.referrers.0", "invalid_domain"),
    ({"enabled": True}, None, "invalid_field"),  # the dial settings are /callbacks'
])
def test_widget_settings_the_widget_cannot_use_are_refused_naming_the_field(svc, body, field, code):
    before = svc.sites.get("s1")
    status, refused, _ = call("PUT", WIDGET, body=body, version=before.version)
    assert status == 400 and refused["error"]["code"] == code, refused
    assert refused["error"]["details"]["field"] == field
    assert svc.sites.get("s1") == before


def test_widget_settings_are_versioned_with_the_site(svc):
    read = etag(WIDGET)
    assert call("PUT", ROUTING, body={"destinations": []}, version=read)[0] == 200  # another part of the site
    assert call("PUT", WIDGET, body={"locale": "ru"}, version=read)[0] == 412
    assert call("PUT", WIDGET, body={"locale": "ru"})[0] == 428
    assert call("PUT", WIDGET, "u-analyst", {"locale": "ru"}, version=read + 1)[0] == 403
    assert call("GET", WIDGET, "u-other")[0] == 404


def _texts_in_widget_js():
    source = WIDGET_JS.read_text()
    block = re.search(r"var TEXTS = \{(.*?)\n  \};", source, re.S).group(1)
    languages = re.findall(r"^    (\w+): \{", block, re.M)
    en = re.search(r"^    en: \{(.*?)^    \}", block, re.S | re.M).group(1)
    entries = re.findall(r"(\w+): (?:'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\")", en)
    return languages, {key: single or double for key, single, double in entries}


def test_the_text_keys_the_api_accepts_are_the_widgets_own():
    languages, en = _texts_in_widget_js()
    assert tuple(languages) == WIDGET_LANGUAGES
    assert set(en) == set(WIDGET_TEXTS)
    for key, text in en.items():
        assert tuple(sorted(re.findall(r"\{(\w+)\}", text))) == tuple(sorted(WIDGET_TEXTS[key])), key


NUMBER_ROUTING = "/v1/sites/s1/numbers/%2B14155550150/routing"


def test_a_tracking_number_with_its_own_routing_rings_its_own_branch_and_the_others_follow_the_site(svc):
    site_body = {"destinations": ["+14155550199"]}
    assert call("PUT", ROUTING, body=site_body, version=etag(ROUTING))[0] == 200
    status, own, _ = call("GET", NUMBER_ROUTING)
    assert status == 200 and own["own"] is False and own["destinations"] == ["+14155550199"]

    branch = {"destinations": ["+13035550190"], "whisper": {"enabled": True, "text": "Denver branch"},
              "recording": {"enabled": False}}
    status, own, headers = call("PUT", NUMBER_ROUTING, body=branch, version=etag(NUMBER_ROUTING))
    assert status == 200, own
    assert own["own"] is True and own["destinations"] == ["+13035550190"]
    assert headers["ETag"] == f'"v{svc.sites.get("s1").version}"'  # versioned with the site

    _, plan = svc.inbound.receive(IncomingCall("tw:CAstatic", "+14155550150", "+14155550002"))
    assert plan.destinations == ("+13035550190",) and plan.record is False
    assert svc.inbound.whisper_for("tw:CAstatic") == "Denver branch"
    _, plan = receive(svc.inbound, IncomingCall("tw:CApool", "+14155550101", "+14155550003"))
    assert plan.destinations == ("+14155550199",) and plan.record is True  # the site's
    [entry] = audit(svc, "number.routing_updated")
    assert entry["target"] == "+14155550150" and entry["after"]["destinations"] == ["+13035550190"]

    status, back, _ = call("DELETE", NUMBER_ROUTING, version=etag(NUMBER_ROUTING))
    assert status == 200 and back["own"] is False and back["destinations"] == ["+14155550199"]
    _, plan = svc.inbound.receive(IncomingCall("tw:CAstatic2", "+14155550150", "+14155550004"))
    assert plan.destinations == ("+14155550199",)


def test_only_the_sites_own_tracking_numbers_get_a_routing_and_only_from_its_writers(svc):
    body = {"destinations": ["+13035550190"]}
    status, error, _ = call("PUT", "/v1/sites/s1/numbers/%2B14155550177/routing", body=body,
                            version=etag(ROUTING))
    assert status == 404 and error["error"]["code"] == "unknown_number"
    assert call("PUT", NUMBER_ROUTING, "u-analyst", body, version=etag(ROUTING))[0] == 403
    assert call("PUT", NUMBER_ROUTING, "u-other", body, version=etag(ROUTING))[0] == 404
    assert call("PUT", NUMBER_ROUTING, body=body)[0] == 428
    assert call("PUT", NUMBER_ROUTING, body=body, version=etag(ROUTING) - 1)[0] == 412
