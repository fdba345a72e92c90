import pytest

from ringback.accounts.sites import Site
from ringback.errors import InvalidInput
from ringback.tracking.rules import Route, choose, validate_rule
from ringback.tracking.visits import new_visit

SITE = Site("s1", "t1", "Main", "pk", frozenset({"shop.example"}))


def visit(query="", referrer=None, path="/", country=None, region=None):
    viewer = {}
    if country:
        viewer["cloudfront-viewer-country"] = country
    if region:
        viewer["cloudfront-viewer-country-region"] = region
    return new_visit(SITE, "s", "client-0001", f"https://shop.example{path}{query}", referrer, viewer, 0)


def test_every_condition_of_a_rule_must_hold_and_any_value_of_a_condition_may():
    route = Route("pool", "p", {"utm_source": ["google", "bing"], "utm_medium": ["cpc"]})
    assert choose([route], visit("?utm_source=Bing&utm_medium=cpc")) == route
    assert choose([route], visit("?utm_source=google&utm_medium=organic")) is None


@pytest.mark.parametrize(
    "rule,matching,other",
    [
        ({"referrer_domain": ["yelp.com"]}, dict(referrer="https://m.yelp.com/biz"), dict(referrer="https://notyelp.com/")),
        ({"referrer_domain": ["direct"]}, dict(), dict(referrer="https://google.com/")),
        ({"landing_page": ["/promo/*"]}, dict(path="/promo/winter"), dict(path="/pricing")),
        ({"region": ["us-ca"]}, dict(country="US", region="CA"), dict(country="US", region="NY")),
        ({"region": ["ru"]}, dict(country="RU", region="MOW"), dict(country="KZ")),
        ({"click_id": ["gclid"]}, dict(query="?gclid=abc"), dict(query="?yclid=abc")),
    ],
)
def test_each_condition_kind(rule, matching, other):
    route = Route("static", "+1", validate_rule(rule))
    assert choose([route], visit(**matching)) == route
    assert choose([route], visit(**other)) is None


def test_precedence_priority_then_specificity_then_static_then_id():
    paid = visit("?utm_source=google&utm_medium=cpc&utm_campaign=winter")
    broad_pool = Route("pool", "p-broad", {"utm_medium": ["cpc"]})
    campaign_pool = Route("pool", "p-winter", {"utm_medium": ["cpc"], "utm_campaign": ["winter"]})
    google_static = Route("static", "+2", {"utm_source": ["google"]})
    catch_all = Route("pool", "p-all", {})
    routes = [catch_all, broad_pool, google_static, campaign_pool]
    assert choose(routes, paid) == campaign_pool  # the more specific rule
    # A static route before a pool at equal specificity.
    assert choose([catch_all, broad_pool, google_static], paid) == google_static
    forced = Route("pool", "p-forced", {"priority": 10, "utm_medium": ["cpc"]})
    assert choose(routes + [forced], paid) == forced  # an explicit priority beats specificity
    assert choose(routes, visit()) == catch_all  # the empty rule catches the rest
    twin = Route("pool", "p-aaa", {"utm_medium": ["cpc"]})
    assert choose([broad_pool, twin], visit("?utm_medium=cpc")) == twin  # then by id: deterministic


def test_rules_are_validated_when_saved():
    assert validate_rule({"utm_source": "Google"}) == {"utm_source": ["google"]}
    for bad in ({"utm_sauce": ["x"]}, {"utm_source": []}, {"priority": -1}, ["utm_source"]):
        with pytest.raises(InvalidInput):
            validate_rule(bad)
