"""The snippet from the edge, on the local stack as CloudFront serves it (devstack/gateway.py
plays infra/edge_routes.py): a visitor's first paint never waits on a function, the
scripts are the hashed build with their caching, and a site's config, cached at the edge,
follows a change to the site at once (the pool function invalidates it, under its IAM
policy: the stack fails the test if IAM would have refused it)."""
from __future__ import annotations

import json

import pytest

from bench.swap import make_cold
from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.support.accounts import call
from tests.support.stack import Stack, get, id_token

pytestmark = pytest.mark.e2e

PAINT_AND_API = """() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const api = performance.getEntriesByType('resource').find(r => /\\/v1\\/sessions$/.test(r.name));
  return {paint: paint ? paint.startTime : null, answered: api ? api.responseEnd : null,
          swapped: window.__ringback.swappedAt, number: document.getElementById('header-phone').textContent};
}"""


@pytest.fixture(scope="module")
def stack(swap_script, tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"))
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def manifest(swap_script):
    return json.loads((swap_script.parent / "manifest.json").read_text())


def test_a_first_view_paints_before_a_cold_function_answers_and_then_shows_the_number(stack, page):
    make_cold(stack)  # the widget function's process is gone: the next request starts it again
    page.goto(stack.site_url + "/?utm_medium=cpc")
    page.wait_for_function("() => window.__ringback && window.__ringback.settled", timeout=EVENT_TIMEOUT_MS)
    seen = page.evaluate(PAINT_AND_API)
    assert seen["paint"] is not None and seen["answered"] is not None
    # The page (with the site's own number) was on screen before the function answered...
    assert seen["paint"] < seen["answered"], seen
    # ...and the tracking number followed.
    assert seen["swapped"] is not None and seen["swapped"] >= seen["answered"] and "0100" not in seen["number"]
    assert page.errors == []


def test_the_snippets_address_is_the_current_build_for_five_minutes(stack, swap_script, manifest):
    status, headers, body = get(f"{stack.url}/v1/swap.js")
    assert status == 200 and body == (swap_script.parent / manifest["swap.js"]).read_bytes()
    assert headers["Cache-Control"] == "public, max-age=300"
    # Revalidating after the five minutes costs no body.
    assert get(f"{stack.url}/v1/swap.js", {"If-None-Match": headers["ETag"]})[0] == 304


@pytest.mark.parametrize("name", ["swap.js", "widget.js"])
def test_the_hashed_scripts_are_cached_for_a_year(stack, manifest, name):
    status, headers, _ = get(f"{stack.url}/scripts/{manifest[name]}")
    assert status == 200 and headers["Content-Type"].startswith("application/javascript")
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert get(f"{stack.url}/scripts/{name}")[0] == 404   # only hashed names are published


def test_a_site_change_reaches_the_widgets_config_at_once(stack):
    token = id_token(stack)
    origin = {"Origin": stack.site_url}
    config_url = f"{stack.url}/v1/sites/{stack.site_key}/config"
    status, headers, body = get(config_url, origin)
    assert status == 200
    status, headers, again = get(config_url, origin)
    assert headers["X-Cache"] == "Hit from cloudfront" and again == body   # the function is not asked again
    _, site = call(stack, "GET", f"/v1/sites/{stack.site_id}", token)
    status, _ = call(stack, "PATCH", f"/v1/sites/{stack.site_id}", token, {"name": "Demo Plumbing & Sons"},
                     if_match=f'"v{site["version"]}"')
    assert status == 200
    status, headers, changed = get(config_url, origin)
    assert status == 200 and headers["X-Cache"] == "Miss from cloudfront"
    assert json.loads(changed)["name"] == "Demo Plumbing & Sons"
    # Another page origin is a key of its own, and is refused by the function.
    assert get(config_url, {"Origin": "https://elsewhere.example"})[0] == 403
