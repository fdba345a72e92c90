"""Caller IDs verified through the management API, as a tenant's admin verifies the office
line: the carrier calls it, the code is keyed in, and the number is a caller ID of the
tenant's own subaccount; and what is refused (an analyst, another tenant, a number in use
by a site's callbacks)."""
from urllib.parse import quote

import pytest

from ringback.accounts.caller_ids import PENDING_MS
from ringback.accounts.tenants import AUDIT, TenantScope
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

NOW = 1_780_000_000_000
OFFICE = "+14155550142"


@pytest.fixture
def svc():
    with shop_and_other(NOW) as services:
        yield services


def call(method, path, user, body=None, headers=None):
    return call_function("pool", method, path, user, body, headers)[:2]


def start(user="u-admin", number=OFFICE, **extra):
    return call("POST", "/v1/caller-ids", user, {"number": number, **extra})


def validation_of(svc, number=OFFICE):
    """The carrier's side of the live validation call to `number`."""
    return next(v for _, v, _ in svc.number_carrier.validations.values() if v.number == number)


def listed(user="u-admin"):
    status, body = call("GET", "/v1/caller-ids", user)
    assert status == 200, body
    return body["callerIds"]


def _owner_scope():
    return TenantScope("shop", "owner", frozenset({"shop"}), actor="user:u-owner").require(AUDIT)


def test_the_office_line_is_verified_in_the_tenants_own_subaccount_once_its_code_is_keyed_in(svc):
    status, started = start(friendlyName="Front desk")

    assert status == 202, started
    assert started["status"] == "pending" and started["number"] == OFFICE
    code = started["validationCode"]
    assert len(code) == 6 and code.isdigit()
    account = svc.tenants.get("shop").carrier_account
    assert account and account != svc.number_carrier.main_sid
    assert listed() == [{"number": OFFICE, "friendlyName": "Front desk", "status": "pending", "startedAt": NOW}]

    svc.number_carrier.press(validation_of(svc).call_sid, code)

    assert listed() == [{"number": OFFICE, "friendlyName": "Front desk", "status": "verified"}]
    assert [c.number for c in svc.number_carrier.caller_ids(account)] == [OFFICE]
    [entry] = [e for e in svc.audit.read(_owner_scope())["entries"] if e["action"] == "caller_id.verification_started"]
    assert entry["target"] == OFFICE and code not in str(entry)  # the code is the carrier's and the user's alone


def test_a_wrong_code_leaves_the_number_unverified_and_the_attempt_shows_as_failed_for_a_while(svc):
    code = start()[1]["validationCode"]

    svc.number_carrier.press(validation_of(svc).call_sid, "111111" if code != "111111" else "222222")

    [attempt] = listed()
    assert (attempt["number"], attempt["status"]) == (OFFICE, "failed")
    svc.clock.advance(ms=PENDING_MS + 1)
    assert listed() == []


def test_a_number_verified_already_is_refused(svc):
    code = start()[1]["validationCode"]
    svc.number_carrier.press(validation_of(svc).call_sid, code)

    status, refused = start()

    assert status == 409 and refused["error"]["code"] == "caller_id_already_verified"


def test_a_number_not_in_international_format_is_refused_naming_the_field(svc):
    status, refused = start(number="415 555 0142")

    assert status == 400 and refused["error"]["details"]["field"] == "number"
    assert svc.tenants.get("shop").carrier_account is None  # nothing opened for it


def test_an_analyst_lists_but_cannot_verify_and_another_tenant_sees_none_of_ours(svc):
    code = start()[1]["validationCode"]
    svc.number_carrier.press(validation_of(svc).call_sid, code)

    assert start("u-analyst", "+14155550143")[0] == 403
    assert [c["number"] for c in listed("u-analyst")] == [OFFICE]
    assert listed("u-other") == []
    assert call("DELETE", f"/v1/caller-ids/{quote(OFFICE)}", "u-other")[0] == 404
    assert call("DELETE", f"/v1/caller-ids/{quote(OFFICE)}", "u-analyst")[0] == 403


def test_a_removed_caller_id_is_gone_at_the_carrier_and_audited(svc):
    code = start()[1]["validationCode"]
    svc.number_carrier.press(validation_of(svc).call_sid, code)
    path = f"/v1/caller-ids/{quote(OFFICE)}"

    assert call("DELETE", path, "u-admin")[0] == 204

    assert listed() == [] and svc.number_carrier.caller_ids(svc.tenants.get("shop").carrier_account) == []
    assert call("DELETE", path, "u-admin")[1]["error"]["code"] == "unknown_caller_id"
    removed = [e for e in svc.audit.read(_owner_scope())["entries"] if e["action"] == "caller_id.removed"]
    assert removed[0]["before"] == {"number": OFFICE, "friendlyName": OFFICE}


def test_a_caller_id_a_sites_callbacks_call_from_is_not_removed(svc):
    code = start()[1]["validationCode"]
    svc.number_carrier.press(validation_of(svc).call_sid, code)
    status, site = call("POST", "/v1/sites", "u-admin", {"name": "Joe's", "domains": ["joes.example"],
                                                         "destinationNumbers": ["+14155550199"]})
    _, got = call_function("pool", "GET", f"/v1/sites/{site['siteId']}/callbacks", "u-admin")[::2]
    status, _ = call("PUT", f"/v1/sites/{site['siteId']}/callbacks", "u-admin",
                     {"enabled": True, "callerId": OFFICE}, {"If-Match": got["ETag"]})
    assert status == 200

    status, refused = call("DELETE", f"/v1/caller-ids/{quote(OFFICE)}", "u-admin")

    assert status == 409 and refused["error"]["code"] == "caller_id_in_use"
    assert refused["error"]["details"]["siteIds"] == [site["siteId"]]


def test_verifying_and_buying_share_one_subaccount(svc):
    start()
    account = svc.tenants.get("shop").carrier_account
    status, site = call("POST", "/v1/sites", "u-admin", {"name": "Joe's", "domains": ["joes.example"]})
    offer = call("GET", "/v1/numbers/available?country=US&kind=local&areaCode=415", "u-admin")[1]["numbers"][0]

    assert call("POST", f"/v1/sites/{site['siteId']}/numbers", "u-admin",
                {"number": offer["number"], "channel": {}})[0] == 201

    assert svc.number_carrier.held[offer["number"]].account_sid == account
