import pytest

from ringback.accounts.sites import Site
from ringback.errors import InvalidInput
from ringback.tracking.visits import new_visit

SITE = Site("s1", "t1", "Main", "pk", frozenset({"shop.example"}))


def test_a_visit_carries_utm_click_ids_referrer_landing_page_and_region():
    v = new_visit(
        SITE, "sess", "client-0001",
        "https://www.shop.example/pricing?utm_source=google&utm_medium=cpc&utm_campaign=winter&utm_term=boiler&gclid=G1#top",
        "https://www.google.com/",
        {"cloudfront-viewer-country": "US", "cloudfront-viewer-country-region": "CA",
         "cloudfront-viewer-city": "Oakland"},
        5,
    )
    assert v.utm == {"source": "google", "medium": "cpc", "campaign": "winter", "term": "boiler"}
    assert (v.gclid, v.keyword, v.referrer_domain) == ("G1", "boiler", "google.com")
    assert v.landing_page == "https://www.shop.example/pricing"
    assert v.region == {"country": "US", "region": "CA", "city": "Oakland"}
    assert v.source()["campaign"] == "winter" and v.visitor_key == "s1#client-0001"


def test_the_keyword_comes_from_a_search_referrer_when_utm_term_is_absent():
    v = new_visit(SITE, "s", "client-0001", "https://shop.example/", "https://yandex.ru/search/?text=boiler+repair",
                  {}, 0)
    assert v.keyword == "boiler repair" and v.source()["source"] == "yandex.ru"


def test_internal_navigation_is_not_a_referral():
    v = new_visit(SITE, "s", "client-0001", "https://shop.example/b", "https://www.shop.example/a", {}, 0)
    assert v.referrer_domain is None and v.source()["source"] == "direct"


@pytest.mark.parametrize("page", [None, "", "javascript:alert(1)", "https://x.example/" + "a" * 3000, 42])
def test_bad_pages_are_refused(page):
    with pytest.raises(InvalidInput):
        new_visit(SITE, "s", "client-0001", page, None, {}, 0)
