"""The install check, as a customer's admin uses it from the dashboard: is the snippet on my
page, with my site's key, on one of my site's domains? Pages come from a fake fetcher;
the real one (redirects, the guard on every hop, the size cap) is tests/adapters/test_page_fetching.py."""
from dataclasses import replace

import pytest

from ringback.accounts.install_check import (
    INSTALL_CHECK_LIMITS,
    FetchedPage,
    InstallCheck,
    PageRefused,
    PageUnreachable,
)
from ringback.accounts.site_admin import snippet
from ringback.accounts.tenants import Principal
from ringback.errors import InvalidInput, RateLimited
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

NOW = 1_780_000_000_000
BASE = "http://localhost"  # the memory services' public base URL: where the snippet loads from


class Pages:
    """The web as the fake fetcher serves it: url -> FetchedPage, or an exception to raise."""

    def __init__(self):
        self.pages, self.asked = {}, []

    def __call__(self, url):
        self.asked.append(url)
        found = self.pages.get(url, PageUnreachable("the name does not resolve"))
        if isinstance(found, Exception):
            raise found
        return found

    def serve(self, url, html, status=200, content_type="text/html; charset=utf-8", at=None):
        self.pages[url] = FetchedPage(at or url, status, content_type, html.encode())


@pytest.fixture
def pages():
    return Pages()


@pytest.fixture
def svc(pages):
    def with_pages(services):
        return replace(services, install_check=InstallCheck(services.sites, pages, BASE, services.rate_counter))

    with shop_and_other(NOW, with_pages) as services:
        yield services


def call(method, path, user="u-admin", body=None):
    return call_function("pool", method, path, user, body)


def new_site(name="Joe's Plumbing", domains=("joes.example",), user="u-admin"):
    status, site, _ = call("POST", "/v1/sites", user, {"name": name, "domains": list(domains)})
    assert status == 201, site
    return site


def check(site_id, url, user="u-admin"):
    return call("POST", f"/v1/sites/{site_id}/install-check", user, {"url": url})


def page_with(head, body="<p>Call (415) 555-0100</p>"):
    return f"<!doctype html><html><head><title>Joe's</title>{head}</head><body>{body}</body></html>"


def the_snippet(site):
    return call("GET", f"/v1/sites/{site['siteId']}/snippet")[1]["snippet"]


def by_check(answer):
    return {c["check"]: (c["ok"], c["message"]) for c in answer["checks"]}


def test_a_page_with_the_sites_snippet_on_its_domain_is_installed(svc, pages):
    site = new_site()
    pages.serve("https://www.joes.example/", page_with(the_snippet(site)))
    status, answer, _ = check(site["siteId"], "https://www.joes.example/")
    assert status == 200, answer
    assert answer["url"] == "https://www.joes.example/" and answer["installed"] is True
    assert [c["check"] for c in answer["checks"]] == ["reachable", "snippet", "site_key", "domain"]
    assert all(c["ok"] for c in answer["checks"])
    assert by_check(answer)["domain"][1] == ("www.joes.example is one of the site's domains, so the script will "
                                             "run there.")


def test_a_page_without_the_snippet_says_where_to_paste_it(svc, pages):
    site = new_site()
    pages.serve("https://joes.example/", page_with('<script src="https://cdn.example/jquery.js"></script>'))
    answer = check(site["siteId"], "https://joes.example/")[1]
    checks = by_check(answer)
    assert answer["installed"] is False and checks["reachable"][0] and checks["domain"][0]
    assert checks["snippet"] == (False, "No Ringback snippet was found: paste it into the page's <head>.")
    assert checks["site_key"] == (False, "Not checked: no snippet on the page.")


def test_a_snippet_in_a_comment_does_not_count_and_the_check_says_why(svc, pages):
    site = new_site()
    pages.serve("https://joes.example/", page_with(f"<!-- {the_snippet(site)} -->"))
    snippet_check = by_check(check(site["siteId"], "https://joes.example/")[1])["snippet"]
    assert snippet_check[0] is False and "inside an HTML comment" in snippet_check[1]


def test_another_sites_key_is_named_when_it_is_the_tenants_own_and_never_when_it_is_not(svc, pages):
    site, sister = new_site(), new_site("Joe's Heating", ["heat.example"])
    pages.serve("https://joes.example/", page_with(the_snippet(sister)))
    ok, message = by_check(check(site["siteId"], "https://joes.example/")[1])["site_key"]
    assert not ok and "your site \"Joe's Heating\"" in message and sister["siteKey"] in message
    assert site["siteKey"] in message

    stranger = new_site("Other Co", ["other.example"], user="u-other")
    pages.serve("https://joes.example/b", page_with(the_snippet(site).replace(site["siteKey"], stranger["siteKey"])))
    ok, message = by_check(check(site["siteId"], "https://joes.example/b")[1])["site_key"]
    assert not ok and "Other Co" not in message and "not this site's" in message


def test_a_page_on_a_host_the_site_does_not_list_says_which_domain_to_add(svc, pages):
    site = new_site()
    pages.serve("https://www.joes-new.example/", page_with(the_snippet(site)))
    answer = check(site["siteId"], "https://www.joes-new.example/")[1]
    ok, message = by_check(answer)["domain"]
    assert answer["installed"] is False and not ok
    assert message == ("www.joes-new.example is not one of the site's domains (joes.example): the script refuses to "
                       "run there. Add joes-new.example to the site's domains.")


def test_a_redirect_is_judged_where_it_lands(svc, pages):
    site = new_site()
    pages.serve("https://joes.example/", page_with(the_snippet(site)), at="https://shop.joes-new.example/")
    checks = by_check(check(site["siteId"], "https://joes.example/")[1])
    assert checks["reachable"] == (True, "The page loads: it answered 200 (after redirects, at "
                                         "https://shop.joes-new.example/).")
    assert checks["domain"][0] is False and "Add shop.joes-new.example" in checks["domain"][1]


@pytest.mark.parametrize(("serve", "reachable"), [
    (dict(html="<h1>Not found</h1>", status=404), "The page answered 404: check the URL, or that the page is public."),
    (None, "The page could not be loaded: the name does not resolve."),
])
def test_a_page_that_does_not_load_is_not_checked_for_the_snippet(svc, pages, serve, reachable):
    site = new_site()
    if serve:
        pages.serve("https://joes.example/gone", **serve)
    checks = by_check(check(site["siteId"], "https://joes.example/gone")[1])
    assert checks["reachable"] == (False, reachable)
    assert checks["snippet"][0] is False and checks["snippet"][1].startswith("Not checked")
    assert checks["domain"][0] is True


def test_a_page_that_is_not_html_says_so(svc, pages):
    site = new_site()
    pages.serve("https://joes.example/menu.pdf", "%PDF-1.7", content_type="application/pdf")
    ok, message = by_check(check(site["siteId"], "https://joes.example/menu.pdf")[1])["snippet"]
    assert not ok and message.startswith("The page is application/pdf, not HTML")


def test_a_swap_script_from_another_host_is_not_ours(svc, pages):
    site = new_site()
    copied = snippet(svc.sites.get(site["siteId"]), "https://old-ringback.example")
    pages.serve("https://joes.example/", page_with(copied))
    ok, message = by_check(check(site["siteId"], "https://joes.example/")[1])["snippet"]
    assert not ok and "loads from old-ringback.example" in message


def test_a_redirect_somewhere_we_do_not_fetch_is_reported_not_followed(svc, pages):
    site = new_site()
    pages.pages["https://joes.example/"] = PageRefused("http://169.254.169.254/latest/", "a metadata address",
                                                       redirected=True)
    checks = by_check(check(site["siteId"], "https://joes.example/")[1])
    assert checks["reachable"] == (False, "The page redirects to http://169.254.169.254/latest/, which we do not "
                                          "fetch (a metadata address).")


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/", "https://10.0.0.7/", "http://localhost:8001/", "https://intranet/",
    "ftp://joes.example/", "not a url", "https://user:pw@joes.example/",
])
def test_urls_the_guard_refuses_are_a_400_and_nothing_is_fetched(svc, pages, url):
    site = new_site()
    status, body, _ = check(site["siteId"], url)
    assert status == 400 and body["error"]["code"] == "page_url_refused", body
    assert body["error"]["details"] == {"field": "url"} and pages.asked == []


def test_a_host_that_resolves_inside_a_network_is_a_400_too(svc, pages):
    site = new_site()
    pages.pages["https://rebind.example/"] = PageRefused("https://rebind.example/", "it resolves to a private address",
                                                         redirected=False)
    status, body, _ = check(site["siteId"], "https://rebind.example/")
    assert status == 400 and body["error"]["code"] == "page_url_refused"


def test_on_the_local_stack_a_demo_page_on_loopback_is_checked(pages):
    from ringback.accounts.sites import Site
    from ringback.accounts.tenants import TenantScope
    from ringback.adapters.memory import MemorySites

    sites = MemorySites()
    sites.save(Site("s1", "t1", "Demo", "pk_demo", frozenset({"localhost"})))
    pages.serve("http://localhost:8001/", page_with(
        '<script src="http://127.0.0.1:8000/v1/swap.js" data-site-key="pk_demo"></script>'))
    scope = TenantScope("t1", "owner", frozenset({"t1"}))
    local = InstallCheck(sites, pages, "http://127.0.0.1:8000", allow_local=True)
    assert local.check(scope, "s1", "http://localhost:8001/", NOW)["installed"] is True
    with pytest.raises(InvalidInput):  # still never inside a network
        local.check(scope, "s1", "http://10.1.2.3/", NOW)
    with pytest.raises(InvalidInput):  # and in the cloud, not even loopback
        InstallCheck(sites, pages, "http://127.0.0.1:8000").check(scope, "s1", "http://localhost:8001/", NOW)


def test_a_tenant_checking_in_a_loop_is_slowed_down(svc, pages):
    site = new_site()
    pages.serve("https://joes.example/", page_with(""))
    scope = svc.scope_for(Principal("u-admin"), None)
    for _ in range(INSTALL_CHECK_LIMITS[0].per_window):
        svc.install_check.check(scope, site["siteId"], "https://joes.example/", NOW)
    with pytest.raises(RateLimited):
        svc.install_check.check(scope, site["siteId"], "https://joes.example/", NOW)
    status, body, headers = check(site["siteId"], "https://joes.example/")
    assert status == 429 and body["error"]["code"] == "rate_limited" and int(headers["Retry-After"]) > 0
    # Another tenant is not affected.
    other = new_site("Other Co", ["other.example"], user="u-other")
    pages.serve("https://other.example/", page_with(""))
    assert check(other["siteId"], "https://other.example/", user="u-other")[0] == 200


def test_an_analyst_may_not_check_and_another_tenants_site_is_not_found(svc, pages):
    site = new_site()
    pages.serve("https://joes.example/", page_with(the_snippet(site)))
    status, body, _ = check(site["siteId"], "https://joes.example/", user="u-analyst")
    assert status == 403 and body["error"]["code"] == "role_forbidden" and pages.asked == []
    status, body, _ = check(site["siteId"], "https://joes.example/", user="u-other")
    assert status == 404 and body["error"]["code"] == "unknown_site"
    status, body, _ = call("POST", f"/v1/sites/{site['siteId']}/install-check", body={"page": "https://joes.example/"})
    assert status == 400 and body["error"]["code"] == "invalid_field"
