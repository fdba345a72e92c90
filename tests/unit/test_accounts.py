import pytest

from ringback.accounts.tenants import Membership, Principal, Tenant, resolve_scope
from ringback.errors import Forbidden, InvalidInput

from .fakes import agency_world


def test_a_user_in_one_tenant_acts_for_it_without_naming_it():
    dirs = agency_world()
    scope = resolve_scope(dirs.tenants, Principal("u-client"), None)
    assert scope.tenant_id == "client-a"
    assert scope.readable == {"client-a"}


def test_a_user_cannot_act_for_a_tenant_they_do_not_belong_to():
    dirs = agency_world()
    with pytest.raises(Forbidden):
        resolve_scope(dirs.tenants, Principal("u-client"), "other")
    with pytest.raises(Forbidden):
        resolve_scope(dirs.tenants, Principal("u-client"), "client-b")


def test_an_agency_reads_all_its_clients_and_may_act_for_each():
    dirs = agency_world()
    agency = resolve_scope(dirs.tenants, Principal("u-agency"), None)
    assert agency.readable == {"agency", "client-a", "client-b"}
    acting = resolve_scope(dirs.tenants, Principal("u-agency"), "client-b")
    assert acting.tenant_id == "client-b" and acting.role == "admin"
    with pytest.raises(Forbidden):
        resolve_scope(dirs.tenants, Principal("u-agency"), "other")


def test_a_client_user_cannot_read_the_agency_or_a_sibling():
    dirs = agency_world()
    scope = resolve_scope(dirs.tenants, Principal("u-client"), None)
    for tenant in ("agency", "client-b", "other"):
        with pytest.raises(Forbidden):
            scope.require_readable(tenant)


def test_a_user_in_several_tenants_must_choose():
    dirs = agency_world()
    dirs.tenants.add_member(Membership("other", "u-client", "c@a.test", "analyst"))
    with pytest.raises(InvalidInput):
        resolve_scope(dirs.tenants, Principal("u-client"), None)
    assert resolve_scope(dirs.tenants, Principal("u-client"), "other").role == "analyst"


def test_a_stranger_gets_no_scope():
    dirs = agency_world()
    with pytest.raises(Forbidden):
        resolve_scope(dirs.tenants, Principal("nobody"), None)


def test_tenant_settings_are_validated():
    with pytest.raises(InvalidInput):
        Tenant("t", "T", kind="reseller")
    with pytest.raises(InvalidInput):
        Tenant("t", "T", retention_days=0)
