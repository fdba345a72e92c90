"""A tenant chooses how long its recordings are kept (PATCH /v1/account
recordingRetentionDays); every recording stored afterwards is tagged with that class, the
tag the recordings bucket's lifecycle rule expires (tests/infra/test_retention.py)."""
import pytest

from ringback.calls.log import CallSummary
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

NOW = 1_780_000_000_000


@pytest.fixture
def svc():
    with shop_and_other(NOW) as services:
        yield services


def call(method, path, user, body=None, headers=None):
    return call_function("pool", method, path, user, body, headers)


def record_a_call(svc, call_id):
    svc.calls.add("shop", CallSummary(call_id, "s-shop", "+14155550101", "+14155550011", NOW, "answered", {}))
    svc.recordings._carrier.recordings[f"RE{call_id}"] = b"RIFF"
    return svc.recordings.archive(call_id, f"RE{call_id}")


def test_recordings_are_kept_ninety_days_until_the_tenant_chooses_otherwise(svc):
    status, account, _ = call("GET", "/v1/account", "u-owner")
    assert status == 200 and account["recordingRetentionDays"] == 90
    key = record_a_call(svc, "tw:CA1")
    assert svc.recordings._store.tags(key) == {"retention-days": "90"}


def test_a_changed_retention_tags_the_recordings_made_afterwards(svc):
    before = record_a_call(svc, "tw:CA1")
    _, _, headers = call("GET", "/v1/account", "u-owner")
    status, account, _ = call("PATCH", "/v1/account", "u-owner", {"recordingRetentionDays": 365},
                              {"If-Match": headers["ETag"]})
    assert status == 200 and account["recordingRetentionDays"] == 365
    after = record_a_call(svc, "tw:CA2")
    assert svc.recordings._store.tags(after) == {"retention-days": "365"}
    # One stored already keeps the class it was stored with.
    assert svc.recordings._store.tags(before) == {"retention-days": "90"}
    status, log, _ = call("GET", "/v1/audit", "u-owner")
    changed = next(e for e in log["entries"] if e["action"] == "account.updated")
    assert (changed["before"]["recordingRetentionDays"], changed["after"]["recordingRetentionDays"]) == (90, 365)


@pytest.mark.parametrize("days", [0, 45, 3650, "90"])
def test_a_retention_the_bucket_has_no_rule_for_is_refused(svc, days):
    _, _, headers = call("GET", "/v1/account", "u-owner")
    status, error, _ = call("PATCH", "/v1/account", "u-owner", {"recordingRetentionDays": days},
                            {"If-Match": headers["ETag"]})
    assert status == 400, error
    assert error["error"]["details"]["field"] == "recordingRetentionDays"
    assert call("GET", "/v1/account", "u-owner")[1]["recordingRetentionDays"] == 90


def test_a_callback_request_is_kept_for_the_tenants_retention():
    from ringback.accounts.sites import Site
    from ringback.accounts.tenants import Tenant
    from ringback.bootstrap import build_memory_services
    from ringback.callbacks.model import CallbackForm
    from ringback.clock import ManualClock

    svc = build_memory_services(ManualClock(NOW))
    svc.tenants.save(Tenant("shop", "Shop", retention_days=30))
    svc.sites.save(Site("s-shop", "shop", "Shop", "pk_shop", frozenset({"shop.test"}),
                        settings={"callback": {"enabled": True, "visitor_hours": ["00:00", "24:00"]}}))
    request, merged = svc.callbacks.request(CallbackForm(site_key="pk_shop", origin="https://shop.test",
                                                         phone="+14155550011", country="US"))
    assert not merged and request.retain_until == NOW + 30 * 86_400_000
    assert svc.callbacks._store.get(request.request_id).retain_until == NOW + 30 * 86_400_000


def test_an_inbound_call_is_kept_for_the_tenants_retention(monkeypatch):
    """A call to the static number of a tenant keeping 30 days is stored with that expiry."""
    from ringback.calls.inbound import IncomingCall
    from tests.unit.tracking_world import START, world

    svc, _, _, _ = world()  # tenant t1 keeps its data 30 days
    kept = {}
    add = svc.calls.add

    def watched_add(tenant_id, call, retain_until_ms=None):
        kept[call.call_id] = retain_until_ms
        return add(tenant_id, call, retain_until_ms)

    monkeypatch.setattr(svc.calls, "add", watched_add)
    record, _ = svc.inbound.receive(IncomingCall("tw:CA1", "+14155550150", "+14155550001"))
    assert record is not None and kept == {"tw:CA1": START + 30 * 86_400_000}
