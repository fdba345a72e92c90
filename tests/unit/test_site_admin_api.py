"""Sites through the management API, as a customer's admin (or their code) uses it: create,
read with an ETag, change with If-Match, the snippet, a new site key, delete; and the
refusals: a stale version, a missing one, a bad field, an analyst, another tenant."""

import pytest

from ringback.accounts.tenants import Membership
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

NOW = 1_780_000_000_000


@pytest.fixture
def svc():
    with shop_and_other(NOW) as services:
        yield services


def call(method, path, user, body=None, headers=None):
    return call_function("pool", method, path, user, body, headers)


def new_site(user="u-admin", **fields):
    body = {"name": "Joe's Plumbing", "domains": ["https://www.joes.example/"], **fields}
    return call("POST", "/v1/sites", user, body)


def test_an_admin_creates_a_site_and_gets_its_snippet(svc):
    status, site, headers = new_site(timezone="America/New_York", ownNumbers=["(415) 555-0100"])
    assert status == 201 and headers["ETag"] == '"v1"'
    assert site["domains"] == ["www.joes.example"] and site["ownNumbers"] == ["+14155550100"]
    assert site["siteKey"].startswith("pk_")
    status, snippet, _ = call("GET", f"/v1/sites/{site['siteId']}/snippet", "u-analyst")
    assert status == 200 and f'data-site-key="{site["siteKey"]}"' in snippet["snippet"]
    assert snippet["snippet"].startswith('<script src="http://localhost/v1/swap.js"')
    assert [s["siteId"] for s in call("GET", "/v1/sites", "u-analyst")[1]["sites"]] == [site["siteId"]]


def test_two_admins_never_overwrite_each_other(svc):
    _, site, _ = new_site()
    path = f"/v1/sites/{site['siteId']}"
    _, _, headers = call("GET", path, "u-admin")
    etag = headers["ETag"]
    status, changed, headers = call("PATCH", path, "u-admin", {"name": "Joe's"}, {"If-Match": etag})
    assert status == 200 and changed["name"] == "Joe's" and headers["ETag"] == '"v2"'
    # The second admin read the same version and is told, not silently overwritten.
    status, refused, _ = call("PATCH", path, "u-admin", {"name": "Joe & Sons"}, {"If-Match": etag})
    assert status == 412 and refused["error"]["code"] == "stale_version"
    status, refused, _ = call("PATCH", path, "u-admin", {"name": "Joe & Sons"})
    assert status == 428 and refused["error"]["code"] == "version_required"
    assert call("GET", path, "u-admin")[1]["name"] == "Joe's"
    entries = svc.audit.read(svc.scope_for(_owner(svc), None))["entries"]
    update = next(e for e in entries if e["action"] == "site.updated")
    assert (update["before"]["name"], update["after"]["name"], update["actor"]) == ("Joe's Plumbing", "Joe's",
                                                                                   "user:u-admin")


def _owner(svc):
    from ringback.accounts.tenants import Principal
    svc.tenants.add_member(Membership("shop", "u-owner", "o@shop.test", "owner"))
    return Principal("u-owner")


@pytest.mark.parametrize("body,field", [
    ({"domains": []}, "domains"),
    ({"ownNumbers": ["12"]}, "ownNumbers"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"workingHours": {"mon": [["09:00", "25:00"]]}}, "workingHours.mon.0.1"),
    ({"colour": "red"}, None),
])
def test_a_bad_field_is_named(svc, body, field):
    _, site, headers = new_site()
    status, error, _ = call("PATCH", f"/v1/sites/{site['siteId']}", "u-admin", body, {"If-Match": headers["ETag"]})
    assert status == 400, error
    assert error["error"]["details"]["field"] == field, error


def test_a_new_site_key_retires_the_old_one(svc):
    _, site, headers = new_site()
    status, rotated, _ = call("POST", f"/v1/sites/{site['siteId']}/site-key", "u-admin",
                              headers={"If-Match": headers["ETag"]})
    assert status == 200 and rotated["siteKey"] != site["siteKey"]
    assert svc.sites.by_key(site["siteKey"]) is None and svc.sites.by_key(rotated["siteKey"]) is not None


def test_an_analyst_reads_but_cannot_change_and_another_tenant_sees_nothing(svc):
    _, site, headers = new_site()
    path = f"/v1/sites/{site['siteId']}"
    assert call("PATCH", path, "u-analyst", {"name": "x"}, {"If-Match": headers["ETag"]})[0] == 403
    assert new_site("u-analyst")[0] == 403
    assert call("GET", path, "u-other")[0] == 404
    assert call("DELETE", path, "u-other", headers={"If-Match": headers["ETag"]})[0] == 404
    assert call("GET", "/v1/sites", "u-other")[1]["sites"] == []
    assert call("GET", "/v1/sites", None)[0] == 401


def test_a_site_is_deleted_at_the_version_read(svc):
    _, site, headers = new_site()
    path = f"/v1/sites/{site['siteId']}"
    assert call("DELETE", path, "u-admin", headers={"If-Match": '"v9"'})[0] == 412
    assert call("DELETE", path, "u-admin", headers={"If-Match": headers["ETag"]})[0] == 204
    assert call("GET", path, "u-admin")[0] == 404
