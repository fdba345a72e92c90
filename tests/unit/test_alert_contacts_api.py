"""A site's alert contacts through the management API: read them with the site's ETag,
replace them at the version read; refused for a site with no number that can text, a
number that is not one, an analyst and another tenant."""
import pytest

from ringback.accounts.provisioning import Directories, add_static_number
from ringback.accounts.tenants import Principal
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

NOW = 1_780_000_000_000


@pytest.fixture
def svc():
    with shop_and_other(NOW) as services:
        yield services


def call(method, path, user="u-admin", body=None, etag=None):
    return call_function("pool", method, path, user, body, {"If-Match": etag} if etag else None)


def new_site(svc, sms: bool | None):
    status, site, _ = call("POST", "/v1/sites", body={"name": "Joe's Plumbing", "domains": ["joes.example"]})
    assert status == 201, site
    if sms is not None:
        add_static_number(Directories(svc.tenants, svc.sites, svc.pools), svc.sites.get(site["siteId"]),
                          "+14155550150", {"utm_source": ["yelp"]}, NOW, sms=sms)
    return f"/v1/sites/{site['siteId']}/alert-contacts"


def test_an_admin_sets_who_is_texted_and_the_texts_go_from_the_sites_number(svc):
    path = new_site(svc, sms=True)
    status, contacts, headers = call("GET", path, "u-analyst")
    assert status == 200 and contacts == {"contacts": [], "sender": "+14155550150"}
    status, contacts, headers = call("PUT", path, body={"contacts": [{"number": "(415) 555-0198"},
                                                                     {"number": "+14155550198"},
                                                                     {"number": "+442079460000"}]},
                                     etag=headers["ETag"])
    assert status == 200, contacts
    assert contacts["contacts"] == [{"number": "+14155550198"}, {"number": "+442079460000"}]
    assert headers["ETag"] == '"v2"'
    site_id = path.split("/")[3]
    assert svc.sites.get(site_id).alert_contacts == ("+14155550198", "+442079460000")
    entries = svc.audit.read(svc.scope_for(Principal("u-owner"), None))["entries"]
    change = next(e for e in entries if e["action"] == "alert_contacts.updated")
    assert (change["before"], change["after"]) == ([], contacts["contacts"])


def test_contacts_are_replaced_only_at_the_version_read(svc):
    path = new_site(svc, sms=True)
    body = {"contacts": [{"number": "+14155550198"}]}
    status, refused, _ = call("PUT", path, body=body)
    assert status == 428 and refused["error"]["code"] == "version_required"
    read = call("GET", path)[2]["ETag"]
    assert call("PUT", path, body=body, etag=read)[0] == 200
    # A second admin who read the same version is told, not silently overwritten.
    status, refused, _ = call("PUT", path, body={"contacts": []}, etag=read)
    assert status == 412 and refused["error"]["code"] == "stale_version"
    assert call("GET", path)[1]["contacts"] == [{"number": "+14155550198"}]


def test_a_site_with_no_number_that_can_text_gets_no_contacts(svc):
    for sms in (None, False):
        path = new_site(svc, sms=sms)
        etag = call("GET", path)[2]["ETag"]
        status, refused, _ = call("PUT", path, body={"contacts": [{"number": "+14155550198"}]}, etag=etag)
        assert status == 409 and refused["error"]["code"] == "no_sms_number"
        # Clearing them is always allowed.
        assert call("PUT", path, body={"contacts": []}, etag=etag)[0] == 200


@pytest.mark.parametrize("body,field", [
    ({"contacts": [{"number": "+14155550198"}, {"number": "12"}]}, "contacts.1.number"),
    ({"contacts": [{"number": "not a phone"}]}, "contacts.0.number"),
    ({"contacts": [{"phone": "+14155550198"}]}, "contacts.0"),
    ({"contacts": [{"number": f"+1415555{n:04d}"} for n in range(11)]}, "contacts"),
    ({}, None),
])
def test_a_bad_contact_is_named(svc, body, field):
    path = new_site(svc, sms=True)
    status, refused, _ = call("PUT", path, body=body, etag=call("GET", path)[2]["ETag"])
    assert status == 400, refused
    assert refused["error"]["details"]["field"] == field, refused


def test_an_analyst_cannot_change_them_and_another_tenant_sees_nothing(svc):
    path = new_site(svc, sms=True)
    etag = call("GET", path)[2]["ETag"]
    body = {"contacts": [{"number": "+14155550198"}]}
    assert call("PUT", path, "u-analyst", body, etag)[0] == 403
    assert call("GET", path, "u-other")[0] == 404
    assert call("PUT", path, "u-other", body, etag)[0] == 404
    assert call("GET", path, None)[0] == 401
