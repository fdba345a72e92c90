"""The account itself through the API: an owner renames it and turns it into an agency,
which can then open client accounts; stale ETags, analysts and clients are refused."""
import pytest

from ringback.accounts.tenants import Membership, Tenant
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

NOW = 1_780_000_000_000


@pytest.fixture
def svc():
    with shop_and_other(NOW) as services:
        yield services


def call(method, path, user, body=None, headers=None):
    return call_function("pool", method, path, user, body, headers)


def test_an_owner_renames_the_account_and_makes_it_an_agency_that_opens_clients(svc):
    status, account, headers = call("GET", "/v1/account", "u-owner")
    assert status == 200 and account["name"] == "Shop" and account["kind"] == "customer"
    etag = headers["ETag"]

    status, changed, headers = call("PATCH", "/v1/account", "u-owner", {"name": "Shop Agency", "kind": "agency"},
                                    {"If-Match": etag})
    assert status == 200, changed
    assert (changed["name"], changed["kind"]) == ("Shop Agency", "agency") and headers["ETag"] != etag
    assert call("POST", "/v1/clients", "u-owner", {"name": "Joe's Plumbing"})[0] == 201
    # Two owners who read the same account: the second one's change is refused.
    status, error, _ = call("PATCH", "/v1/account", "u-owner", {"name": "Other"}, {"If-Match": etag})
    assert status == 412 and error["error"]["code"] == "stale_version"
    # With clients, it stays an agency.
    status, error, _ = call("PATCH", "/v1/account", "u-owner", {"kind": "customer"}, {"If-Match": headers["ETag"]})
    assert status == 409 and error["error"]["code"] == "agency_has_clients"
    status, log, _ = call("GET", "/v1/audit", "u-owner")
    renamed = next(e for e in log["entries"] if e["action"] == "account.updated")
    assert renamed["before"]["kind"] == "customer" and renamed["after"]["kind"] == "agency"


def test_the_account_is_changed_only_by_its_managers_and_only_with_an_etag(svc):
    _, _, headers = call("GET", "/v1/account", "u-owner")
    status, error, _ = call("PATCH", "/v1/account", "u-analyst", {"name": "Mine"}, {"If-Match": headers["ETag"]})
    assert status == 403
    status, error, _ = call("PATCH", "/v1/account", "u-owner", {"name": "No etag"})
    assert status == 428 and error["error"]["code"] == "version_required"
    status, error, _ = call("PATCH", "/v1/account", "u-owner", {"plan": "enterprise"}, {"If-Match": headers["ETag"]})
    assert status == 400 and error["error"]["code"] == "invalid_field"
    assert svc.tenants.get("shop").name == "Shop"


def test_a_client_account_cannot_become_an_agency(svc):
    svc.tenants.save(Tenant("agency", "Agency", kind="agency"))
    svc.tenants.save(Tenant("client", "Client", parent_id="agency"))
    svc.tenants.add_member(Membership("client", "u-client", "c@client.example", "owner"))
    _, _, headers = call("GET", "/v1/account", "u-client")
    status, error, _ = call("PATCH", "/v1/account", "u-client", {"kind": "agency"}, {"If-Match": headers["ETag"]})
    assert status == 409 and error["error"]["code"] == "client_cannot_be_agency"
    assert error["error"]["details"]["field"] == "kind"
