"""The demo customer's site against the real local stack (`python -m devstack`): the
snippet loads /v1/swap.js from the API's origin and talks to the real sessions API, its
rules engine and the demo pool (utm_medium cpc|ppc) and static number (yelp.com)."""
from __future__ import annotations

import json
import re
import time

import pytest

from devstack.demo import DEMO_POOL_NUMBERS, DEMO_STATIC_NUMBER
from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.browser.stub import probe_script
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

SWAPPED = "() => window.__ringback && window.__ringback.swappedAt !== null"
ANSWERED = "() => window.__ringback && !!window.__ringback.sessionId"
FORMATS = "() => [...document.querySelectorAll('#formats li, .phone')].map(el => el.textContent)"
KEEP = """() => ({
    note: document.getElementById('note').value, input: document.getElementById('phone-input').value,
    editable: document.getElementById('editable').textContent,
    other: document.getElementById('other-number').textContent,
    order: document.getElementById('order-number').textContent, data: document.getElementById('page-data').textContent,
    noscript: document.querySelector('noscript').textContent })"""


@pytest.fixture(scope="module")
def stack(swap_script, tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"))
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def originals(stack, browser):
    """The demo page as it reads without Ringback."""
    page = browser.new_page()
    page.route("**/v1/swap.js", lambda route: route.fulfill(body="", content_type="text/javascript"))
    page.goto(stack.site_url + "/")
    texts, keep = page.evaluate(FORMATS), page.evaluate(KEEP)
    page.close()
    return texts, keep


def shown_as(texts, number, code=None, label="ext."):
    """The page's texts with the site's number written as `number`, format kept (the demo
    numbers differ from +14155550100 in the last four digits only), and a pool's code
    written after it for hand dialling."""
    last4 = number[-4:] + (f" {label} {code}" if code else "")
    return [re.sub(r"0100(?!.*0100)", last4, text) for text in texts]


def eventually(page, expression, timeout=60.0):
    """Poll from here: under page.clock, the page's own timers do not run by themselves."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true: {expression}"
        page.wait_for_timeout(50)


def sessions_requests(page):
    requests = []
    page.on("request", lambda r: requests.append(r) if "/v1/sessions" in r.url else None)
    return requests


def test_the_script_is_served_small_and_cacheable(stack, swap_script):
    from tests.support.stack import get

    status, headers, body = get(f"{stack.url}/v1/swap.js")
    assert status == 200 and body == swap_script.read_bytes()
    assert headers["Content-Type"].startswith("application/javascript")
    assert headers["Cache-Control"] == "public, max-age=300"


def test_a_paid_search_visitor_sees_a_pool_number_in_every_format_the_page_uses(stack, page, originals):
    texts, keep = originals
    page.goto(stack.site_url + "/?utm_medium=cpc")
    page.wait_for_function(SWAPPED)
    offer = json.loads(page.evaluate(f"() => localStorage.getItem('ringback:{stack.site_key}')"))
    (shown,) = offer["n"]
    assert shown["original"] == "+14155550100" and shown["kind"] == "pool"
    assert shown["number"] in DEMO_POOL_NUMBERS
    code = shown["extension"]
    assert re.fullmatch(r"\d{4}", code) and shown["extensionLabel"] == "ext."
    page.wait_for_load_state("load")
    assert page.evaluate(FORMATS) == shown_as(texts, shown["number"], code)
    # A tap dials the number, waits, then sends the visit's code to the prompt.
    assert page.get_attribute("#header-phone", "href") == f"tel:{shown['number']},,{code}"
    assert page.get_attribute("#call-button", "href") == f"tel:{shown['number']},,{code}"
    assert page.evaluate(KEEP) == keep
    assert page.errors == []


def test_a_visitor_from_yelp_sees_the_static_number(stack, page, originals):
    page.goto(stack.site_url + "/", referer="https://www.yelp.com/biz/demo-plumbing")
    page.wait_for_function(ANSWERED)
    page.wait_for_load_state("load")
    assert page.evaluate(FORMATS) == shown_as(originals[0], DEMO_STATIC_NUMBER)
    assert page.get_attribute("#header-phone", "href") == f"tel:{DEMO_STATIC_NUMBER}"


def test_a_visitor_no_rule_applies_to_sees_the_sites_own_number(stack, page, originals):
    page.goto(stack.site_url + "/")
    page.wait_for_function(ANSWERED)
    page.wait_for_load_state("load")
    assert page.evaluate(FORMATS) == originals[0]
    assert page.evaluate("() => window.__ringback.swappedAt") is None


def test_a_returning_visitor_keeps_their_number_swapped_before_first_paint_with_no_request_first(stack, context):
    first = context.new_page()
    first.goto(stack.site_url + "/?utm_medium=ppc")
    first.wait_for_function(SWAPPED)
    before = json.loads(first.evaluate(f"() => localStorage.getItem('ringback:{stack.site_key}')"))
    first.close()

    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    requests = sessions_requests(page)
    page.add_init_script(probe_script("#formats li, .phone"))
    page.goto(stack.site_url + "/?utm_medium=ppc")
    page.wait_for_function("() => window.__probe.fetches.length > 0 && window.__probe.frames > 3"
                           " && performance.getEntriesByType('paint').length > 0")
    probe = page.evaluate("""() => ({ unswapped: window.__probe.unswappedFrames, fetches: window.__probe.fetches,
        swappedAt: window.__ringback.swappedAt, cached: window.__ringback.cached,
        paints: Object.fromEntries(performance.getEntriesByType('paint').map(p => [p.name, p.startTime])) })""")
    assert probe["cached"] == 1 and probe["unswapped"] == []
    assert probe["swappedAt"] < probe["paints"]["first-paint"]
    assert probe["fetches"][0]["t"] > probe["swappedAt"] and probe["fetches"][0]["left"] == []
    # Answered, or given up after its 2 s on a busy machine: either way the lease stands.
    page.wait_for_function("() => !!window.__ringback.settled")
    after = json.loads(page.evaluate(f"() => localStorage.getItem('ringback:{stack.site_key}')"))
    assert json.loads(requests[0].post_data)["sessionId"] == before["s"]
    assert after["s"] == before["s"] and after["n"] == before["n"]  # same visitor, same number
    assert errors == []


@pytest.mark.parametrize("down", ["**/v1/sessions", "**/v1/**"], ids=["sessions-api-down", "whole-api-down"])
def test_when_the_api_is_down_the_site_shows_its_own_numbers_and_throws_nothing(stack, page, originals, down):
    page.route(down, lambda route: route.abort("connectionrefused"))
    page.goto(stack.site_url + "/?utm_medium=cpc")
    page.wait_for_load_state("load")
    # After load the swap script either never came (the whole API is down) or has run; once
    # it has given up on the API, what the page shows is what stays.
    outcome = page.wait_for_function("() => !window.__ringback ? 'no script' : window.__ringback.settled")
    assert outcome.json_value() == ("failed" if down.endswith("sessions") else "no script")
    assert page.evaluate(FORMATS) == originals[0]
    assert page.errors == []


def test_content_the_site_adds_later_is_swapped_too(stack, page):
    page.goto(stack.site_url + "/?utm_medium=cpc")
    page.wait_for_function(SWAPPED)
    href = page.evaluate("() => document.getElementById('header-phone').getAttribute('href')")
    number, _, code = href[4:].partition(",,")
    page.evaluate("""() => { const footer = document.createElement('footer');
        footer.innerHTML = '<p id="late">Emergency line: (415) 555-0100 · '
            + '<a id="late-link" href="tel:4155550100">call</a></p>';
        document.body.appendChild(footer); }""")
    page.wait_for_function("() => document.getElementById('late-link').getAttribute('href') !== 'tel:4155550100'")
    shown = f"({number[2:5]}) {number[5:8]}-{number[8:]} ext. {code}"
    assert page.text_content("#late") == f"Emergency line: {shown} · call"
    assert page.get_attribute("#late-link", "href") == f"tel:{number},,{code}"


def test_a_tel_click_reaches_the_server_as_a_beacon(stack, page):
    page.goto(stack.site_url + "/?utm_medium=cpc")
    page.wait_for_function(SWAPPED)
    finished = []
    page.on("requestfinished", lambda r: finished.append(r) if r.url.endswith("/clicks") else None)
    page.evaluate("() => window.addEventListener('click', e => e.preventDefault())")
    page.click("#header-phone")
    deadline = time.monotonic() + EVENT_TIMEOUT_MS / 1000
    while not finished and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    (beacon,) = finished
    body = json.loads(beacon.post_data)
    # The number tapped, without the code its link dials after it.
    assert body["number"] == page.get_attribute("#header-phone", "href")[4:].partition(",")[0]
    assert beacon.response().status == 204


def test_the_heartbeat_keeps_the_lease_while_visible_and_stops_when_hidden(stack, page):
    page.clock.install()
    requests = sessions_requests(page)
    page.goto(stack.site_url + "/?utm_medium=cpc")
    page.wait_for_function(ANSWERED)
    first = json.loads(page.evaluate(f"() => localStorage.getItem('ringback:{stack.site_key}')"))
    assert 0 < first["t"] < first["e"] - first["at"]   # touch well before the lease ends
    page.clock.fast_forward(first["t"] + 1000)
    eventually(page, f"() => JSON.parse(localStorage.getItem('ringback:{stack.site_key}')).at > {first['at']}")
    touched = json.loads(page.evaluate(f"() => localStorage.getItem('ringback:{stack.site_key}')"))
    assert touched["s"] == first["s"] and touched["n"] == first["n"] and touched["e"] >= first["e"]
    assert [r.url.rsplit("/", 1)[-1] for r in requests] == ["sessions", "touch"]

    page.evaluate("""() => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
        document.dispatchEvent(new Event('visibilitychange')); }""")
    page.clock.fast_forward(3 * first["t"])
    page.wait_for_timeout(200)
    assert len(requests) == 2
