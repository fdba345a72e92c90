import pytest

from ringback.accounts.provisioning import (
    add_pool,
    add_site,
    add_static_number,
    e164,
    enable_callbacks,
    open_tenant,
    set_alert_contacts,
)
from ringback.accounts.sites import Site
from ringback.accounts.tenants import Membership, Tenant, TenantScope
from ringback.errors import Conflict, InvalidInput, NotFound
from ringback.tracking.pools import MAX_LEASE_SECONDS, MIN_LEASE_SECONDS, Pool, pools_of

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


def test_a_new_site_starts_with_callbacks_off_and_no_alert_contacts():
    _, site = opened()
    assert site.settings["callback"]["enabled"] is False and site.alert_contacts == ()


def test_a_site_cannot_be_created_with_what_needs_a_number_it_does_not_have_yet():
    dirs, _ = opened()
    with pytest.raises(Conflict) as refused:
        add_site(dirs, Site("s2", "t1", "B", "pk_2", frozenset({"b.example"}), alert_contacts=("+14155550198",)))
    assert refused.value.code == "no_sms_number"
    with pytest.raises(Conflict) as refused:
        add_site(dirs, Site("s3", "t1", "C", "pk_3", frozenset({"c.example"}),
                            settings={"callback": {"enabled": True}}))
    assert refused.value.code == "no_voice_number"


def test_callbacks_are_refused_on_a_site_with_no_number_to_call_from():
    # The site's own number is the customer's, not the account's: the carrier would refuse
    # it as a caller ID (21210), so it does not count.
    dirs, site = opened()
    with pytest.raises(Conflict) as refused:
        enable_callbacks(dirs, site.site_id)
    assert refused.value.code == "no_voice_number" and "tracking number" in refused.value.message
    assert dirs.sites.get(site.site_id).settings["callback"]["enabled"] is False


def test_callbacks_turn_on_once_the_site_has_a_tracking_number():
    dirs, site = opened()
    add_pool(dirs, Pool("p1", "t1", "s1", "search"), ["+14155550101"], now_ms=1)
    enabled = enable_callbacks(dirs, site.site_id, countries=["US", "CA"])
    assert enabled.settings["callback"] == {"enabled": True, "countries": ["US", "CA"]}
    assert dirs.sites.get(site.site_id) == enabled


def test_a_callback_caller_id_must_be_one_of_the_sites_tracking_numbers():
    dirs, site = opened()
    add_static_number(dirs, site, "415 555 0150", {}, now_ms=1)
    with pytest.raises(InvalidInput) as refused:
        enable_callbacks(dirs, site.site_id, caller_id="+14155550100")  # the site's own number
    assert refused.value.code == "caller_id_not_owned"
    chosen = enable_callbacks(dirs, site.site_id, caller_id="(415) 555-0150")
    assert chosen.settings["callback"]["caller_id"] == "+14155550150"


def test_alert_contacts_need_a_tracking_number_that_can_text():
    dirs, site = opened()
    add_static_number(dirs, site, "+14155550150", {}, now_ms=1, sms=False)  # a landline: calls only
    with pytest.raises(Conflict) as refused:
        set_alert_contacts(dirs, site.site_id, ["(415) 555-0198"])
    assert refused.value.code == "no_sms_number" and "SMS" in refused.value.message
    add_pool(dirs, Pool("p1", "t1", "s1", "search"), ["+14155550101"], now_ms=1)
    assert set_alert_contacts(dirs, site.site_id, ["(415) 555-0198"]).alert_contacts == ("+14155550198",)
    assert set_alert_contacts(dirs, site.site_id, []).alert_contacts == ()


def test_an_unknown_site_cannot_be_set_up():
    dirs, _ = opened()
    with pytest.raises(NotFound):
        enable_callbacks(dirs, "nope")
    with pytest.raises(NotFound):
        set_alert_contacts(dirs, "nope", [])
