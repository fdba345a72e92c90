import pytest

from ringback.accounts.sites import Site, normalise_domain, public_config, site_for_origin
from ringback.adapters.memory import MemorySites
from ringback.errors import Forbidden, InvalidInput, NotFound


def make_site(**overrides):
    fields = dict(
        site_id="s1", tenant_id="t1", name="Plumbing", site_key="pk_abc",
        domains=frozenset({"example.com"}), own_numbers=("+14155550100",),
        destination_numbers=("+14155550199",), alert_contacts=("+14155550198",),
    )
    fields.update(overrides)
    return Site(**fields)


@pytest.mark.parametrize(
    "origin", ["https://example.com", "http://example.com", "https://www.example.com", "https://shop.eu.example.com:8443"]
)
def test_site_accepts_its_domain_and_subdomains(origin):
    assert make_site().allows_origin(origin)


@pytest.mark.parametrize(
    "origin",
    [None, "", "null", "https://evilexample.com", "https://example.com.evil.io", "ftp://example.com", "example.com"],
)
def test_site_refuses_other_origins(origin):
    assert not make_site().allows_origin(origin)


def test_public_endpoint_gate_names_what_is_wrong():
    sites = MemorySites()
    sites.save(make_site())
    assert site_for_origin(sites, "pk_abc", "https://www.example.com").site_id == "s1"
    with pytest.raises(NotFound):
        site_for_origin(sites, "pk_unknown", "https://example.com")
    with pytest.raises(Forbidden):
        site_for_origin(sites, "pk_abc", "https://attacker.io")
    with pytest.raises(InvalidInput):
        site_for_origin(sites, "", "https://example.com")


def test_public_config_reveals_nothing_about_the_tenant_or_its_staff():
    config = public_config(make_site())
    blob = repr(config)
    assert "t1" not in blob and "s1" not in blob
    assert "+14155550199" not in blob and "+14155550198" not in blob
    assert config["ownNumbers"] == ["+14155550100"]


def test_domains_are_normalised_from_what_customers_paste():
    assert normalise_domain(" https://WWW.Example.com/path ") == "www.example.com"
    assert normalise_domain("*.example.com") == "example.com"
    with pytest.raises(InvalidInput):
        normalise_domain("not a domain")
