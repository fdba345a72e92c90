"""A site's public config is cached at the edge; every change to the site, through the
management API, tells the edge to forget it (ringback.accounts.edge_cache), so the next
page view's widget reads the change. The config answer says how long the edge keeps it."""
import pytest

from ringback.accounts.edge_cache import CONFIG_MAX_AGE_SECONDS, config_path
from tests.support.authorizer import call_function
from tests.support.shop import shop_and_other

NOW = 1_780_000_000_000


@pytest.fixture
def svc():
    with shop_and_other(NOW) as services:
        yield services


def call(method, path, user="u-admin", body=None, headers=None):
    return call_function("pool", method, path, user, body, headers)


def new_site():
    status, site, headers = call("POST", "/v1/sites", body={"name": "Joe's", "domains": ["joes.example"]})
    assert status == 201
    return site, headers["ETag"]


def test_a_changed_site_is_forgotten_by_the_edge(svc):
    site, etag = new_site()
    svc.edge_cache.invalidations.clear()
    status, _, _ = call("PATCH", f"/v1/sites/{site['siteId']}", body={"name": "Joe & Sons"},
                        headers={"If-Match": etag})
    assert status == 200
    assert svc.edge_cache.invalidated == [config_path(site["siteKey"])]


def test_the_widgets_settings_reach_the_edge_at_once(svc):
    site, etag = new_site()
    svc.edge_cache.invalidations.clear()
    status, _, _ = call("PUT", f"/v1/sites/{site['siteId']}/widget", body={"triggers": {"secondsOnPage": 5}},
                        headers={"If-Match": etag})
    assert status == 200, _
    assert svc.edge_cache.invalidated == [config_path(site["siteKey"])]


def test_a_new_site_key_forgets_the_old_keys_config_too(svc):
    site, etag = new_site()
    svc.edge_cache.invalidations.clear()
    status, rotated, _ = call("POST", f"/v1/sites/{site['siteId']}/site-key", headers={"If-Match": etag})
    assert status == 200 and rotated["siteKey"] != site["siteKey"]
    # The old key must stop answering at the edge as it stops at the function.
    assert sorted(svc.edge_cache.invalidated) == sorted([config_path(site["siteKey"]),
                                                         config_path(rotated["siteKey"])])


def test_a_deleted_site_is_forgotten_by_the_edge(svc):
    site, etag = new_site()
    svc.edge_cache.invalidations.clear()
    assert call("DELETE", f"/v1/sites/{site['siteId']}", headers={"If-Match": etag})[0] == 204
    assert svc.edge_cache.invalidated == [config_path(site["siteKey"])]


def test_a_refused_change_tells_the_edge_nothing(svc):
    site, _ = new_site()
    svc.edge_cache.invalidations.clear()
    status, _, _ = call("PATCH", f"/v1/sites/{site['siteId']}", body={"name": "x"}, headers={"If-Match": '"v9"'})
    assert status == 412
    assert svc.edge_cache.invalidated == []


def test_when_the_edge_cannot_be_told_the_change_still_stands(svc, caplog):
    site, etag = new_site()
    svc.edge_cache.unavailable = True
    status, changed, _ = call("PATCH", f"/v1/sites/{site['siteId']}", body={"name": "Joe & Sons"},
                              headers={"If-Match": etag})
    assert status == 200 and changed["name"] == "Joe & Sons"
    assert call("GET", f"/v1/sites/{site['siteId']}")[1]["name"] == "Joe & Sons"
    assert any("the edge was not told" in record.message for record in caplog.records)


def test_a_config_path_is_the_path_the_widget_reads(svc):
    assert config_path("pk_abc") == "/v1/sites/pk_abc/config"
    # A key is a path segment: anything else is escaped, never a wildcard or another path.
    assert config_path("pk/*") == "/v1/sites/pk%2F%2A/config"


def test_the_config_answer_lets_the_edge_keep_it_a_minute_and_browsers_not_at_all(svc):
    site, _ = new_site()
    status, config, headers = call_function("widget", "GET", f"/v1/sites/{site['siteKey']}/config", None,
                                            headers={"Origin": "https://joes.example"})
    assert status == 200 and config["siteKey"] == site["siteKey"]
    assert headers["Cache-Control"] == f"public, max-age=0, s-maxage={CONFIG_MAX_AGE_SECONDS}"
