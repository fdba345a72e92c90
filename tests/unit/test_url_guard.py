"""Where a customer's webhook may point: public https hosts, and on the local stack alone
http and loopback; never a private, link-local or metadata address (SSRF)."""
import pytest

from ringback.errors import InvalidInput
from ringback.settings import SettingsError, load_settings
from ringback.url_guard import address_refusal, check_url


@pytest.mark.parametrize("address,reason", [
    ("127.0.0.1", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.9", "private"),
    ("192.168.1.1", "private"),
    ("fd12:3456::1", "private"),
    ("169.254.169.254", "metadata"),      # EC2 and Lambda's instance metadata
    ("fd00:ec2::254", "metadata"),        # the same over IPv6
    ("169.254.170.2", "metadata"),        # container credentials
    ("100.100.100.200", "metadata"),
    ("169.254.10.10", "link-local"),
    ("fe80::1%eth0", "link-local"),
    ("100.64.0.1", "not public"),         # carrier-grade NAT
    ("0.0.0.0", "private"),
    ("224.0.0.1", "not public"),          # multicast
    ("::ffff:127.0.0.1", "loopback"),     # IPv4 in IPv6 reaches the IPv4 host
    ("::ffff:10.0.0.1", "private"),
    ("64:ff9b::a9fe:a9fe", "metadata"),   # NAT64 of 169.254.169.254
    ("2002:a00:1::1", "private"),         # 6to4 of 10.0.0.1
    ("not-an-ip", "not an address"),
])
def test_addresses_inside_a_network_are_refused(address, reason):
    assert address_refusal(address) == reason


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert address_refusal(address) is None


def test_the_local_stack_may_reach_loopback_but_nothing_else_inside():
    assert address_refusal("127.0.0.1", allow_local=True) is None
    assert address_refusal("::1", allow_local=True) is None
    for address in ("10.0.0.1", "169.254.169.254", "192.168.0.1"):
        assert address_refusal(address, allow_local=True) is not None


@pytest.mark.parametrize("url", [
    "http://crm.example/hooks",                 # not https
    "ftp://crm.example/hooks",
    "https://user:pass@crm.example/hooks",      # credentials in the URL
    "https:///hooks",                           # no host
    "https://169.254.169.254/latest/meta-data",
    "https://10.0.0.1/hooks",
    "https://[::1]/hooks",
    "https://127.0.0.1:9001/2018-06-01/runtime/invocation/next",  # the Lambda runtime API
    "https://localhost/hooks",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://printer.local/",
    "https://intranet/",                        # a single label resolves through search domains
    "https://2130706433/",                      # 127.0.0.1 written as one number
    "https://crm.example:notaport/",
    "https://crm.example/a b",
    "https://crm.example/" + "x" * 2100,
])
def test_a_url_that_could_reach_inside_is_refused_naming_the_field(url):
    with pytest.raises(InvalidInput) as refused:
        check_url(url)
    assert refused.value.code == "invalid_webhook_url" and refused.value.details == {"field": "url"}


@pytest.mark.parametrize("url", ["https://crm.example/hooks?tenant=1", "https://hooks.crm.example:8443/in",
                                 "https://93.184.216.34/in"])
def test_public_https_urls_are_accepted(url):
    assert check_url(url) == url


def test_the_local_stack_accepts_its_receivers_on_loopback_over_http():
    assert check_url("http://127.0.0.1:8123/hooks", allow_local=True)
    assert check_url("http://localhost:8123/hooks", allow_local=True)
    with pytest.raises(InvalidInput):
        check_url("http://10.0.0.1/hooks", allow_local=True)
    with pytest.raises(InvalidInput):
        check_url("http://127.0.0.1:8123/hooks")


BASE_ENV = {"RINGBACK_STAGE": "prod", "RINGBACK_TABLE_PREFIX": "ringback-prod-",
            "RINGBACK_PUBLIC_BASE_URL": "https://d123.cloudfront.net", "AWS_REGION": "us-east-1"}


def test_local_webhooks_are_refused_outside_a_local_stack():
    assert load_settings(BASE_ENV).webhooks_allow_local is False
    with pytest.raises(SettingsError, match="local stack only"):
        load_settings({**BASE_ENV, "RINGBACK_WEBHOOKS_ALLOW_LOCAL": "true"})
    local = load_settings({**BASE_ENV, "RINGBACK_WEBHOOKS_ALLOW_LOCAL": "true",
                           "AWS_ENDPOINT_URL": "http://127.0.0.1:4566"})
    assert local.webhooks_allow_local is True
    assert local.as_environment()["RINGBACK_WEBHOOKS_ALLOW_LOCAL"] == "true"
