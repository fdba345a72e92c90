import pytest

from ringback.accounts import Membership, Tenant
from ringback.errors import Conflict, InvalidInput
from ringback.pools import MAX_LEASE_SECONDS, MIN_LEASE_SECONDS, Pool, pools_of
from ringback.accounts import TenantScope
from ringback.provisioning import add_pool, add_site, add_static_number, e164, open_tenant
from ringback.sites import Site

from .fakes import directories


def opened():
    dirs = directories()
    open_tenant(dirs, Tenant("t1", "Plumbing"), Membership("t1", "u1", "u@x.test"))
    site = add_site(
        dirs,
        Site("s1", "t1", "Main", "pk_1", frozenset({"https://www.Example.com/"}), own_numbers=("(415) 555-0100",)),
    )
    return dirs, site


def test_numbers_are_stored_in_e164_whatever_the_customer_typed():
    assert e164("(415) 555-0100", "US") == "+14155550100"
    assert e164("8 (495) 123-45-67", "RU") == "+74951234567"
    assert e164("+44 20 7946 0958") == "+442079460958"
    with pytest.raises(InvalidInput):
        e164("12", "US")
    with pytest.raises(InvalidInput):
        e164("call me", "US")


def test_a_new_site_has_normalised_domains_and_numbers():
    _, site = opened()
    assert site.domains == {"www.example.com"}
    assert site.own_numbers == ("+14155550100",)


def test_a_tenant_is_opened_once():
    dirs, _ = opened()
    with pytest.raises(Conflict):
        open_tenant(dirs, Tenant("t1", "Again"), None)


def test_a_client_account_needs_an_agency_parent():
    dirs, _ = opened()
    with pytest.raises(InvalidInput):
        open_tenant(dirs, Tenant("c1", "Client", parent_id="t1"), None)  # t1 is a customer


@pytest.mark.parametrize("seconds", [MIN_LEASE_SECONDS - 1, MAX_LEASE_SECONDS + 1])
def test_lease_duration_stays_between_three_minutes_and_seven_days(seconds):
    with pytest.raises(InvalidInput):
        Pool("p", "t1", "s1", "bad", lease_seconds=seconds)
    Pool("p", "t1", "s1", "edge", lease_seconds=MIN_LEASE_SECONDS)
    Pool("p", "t1", "s1", "edge", lease_seconds=MAX_LEASE_SECONDS)


def test_pools_list_with_their_sizes_for_the_owning_tenant_only():
    dirs, site = opened()
    add_pool(dirs, Pool("p1", "t1", "s1", "search"), ["+14155550101", "(415) 555-0102"], now_ms=1)
    add_static_number(dirs, site, "415 555 0150", {"referrer_domain": "yelp.com"}, now_ms=1)
    listed = pools_of(TenantScope("t1", "owner", frozenset({"t1"})), dirs.sites, dirs.pools)
    assert [(p["poolId"], p["numbers"]) for p in listed] == [("p1", 2)]
    assert pools_of(TenantScope("t2", "owner", frozenset({"t2"})), dirs.sites, dirs.pools) == []


def test_a_pool_cannot_be_added_to_another_tenants_site():
    dirs, _ = opened()
    with pytest.raises(InvalidInput):
        add_pool(dirs, Pool("p1", "t2", "s1", "search"), ["+14155550101"], now_ms=1)


def test_an_extension_pool_runs_on_exactly_one_number():
    dirs, _ = opened()
    with pytest.raises(InvalidInput):
        add_pool(dirs, Pool("p1", "t1", "s1", "ext", mode="extensions"), ["+14155550101", "+14155550102"], now_ms=1)
