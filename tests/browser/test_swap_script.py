"""The swap script in a real browser, against a stubbed API (no server of ours needed).

The page (pages/formats.html) carries the site's numbers in many formats, each with the
text it must read once swapped (data-expect), and content the script must leave alone.
"""
from __future__ import annotations

import gzip
import json
import time

import pytest

from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.browser.stub import NUMBERS, ORIGINAL, POOL_NUMBER, StubApi, probe_script

SWAPPED = "() => window.__ringback && window.__ringback.swappedAt !== null"
KEEP = """() => [...document.querySelectorAll('#keep *')].map(el =>
    [el.tagName, el.textContent, el.value === undefined ? null : el.value, el.getAttribute('href')])"""
EXPECTATIONS = """() => [...document.querySelectorAll('[data-expect]')].map(el => ({
    expect: el.dataset.expect, text: el.textContent,
    expectHref: el.dataset.href || null, href: el.dataset.href ? el.getAttribute('href') : null }))"""
ORIGINAL_DIGITS = ("4155550100", "4951234567", "2079460000", "446681800")


@pytest.fixture
def formats(static_site):
    return static_site + "/formats.html"


def keep_snapshot(page):
    return page.evaluate(KEEP)


def mismatches(page):
    return [row for row in page.evaluate(EXPECTATIONS)
            if row["text"] != row["expect"] or row["href"] != row["expectHref"]]


def stored(page):
    return json.loads(page.evaluate("() => localStorage.getItem('ringback:pk_test')") or "null")


def test_the_built_script_is_within_its_gzipped_size_budget(swap_script):
    size = len(gzip.compress(swap_script.read_bytes(), compresslevel=9))
    assert size <= 4096  # the swap script and the widget must stay under 12 KB together


def test_every_format_of_the_sites_numbers_shows_the_tracking_number_in_the_pages_own_format(page, formats):
    api = StubApi(page)
    page.goto(formats)
    page.wait_for_function(SWAPPED)
    page.wait_for_load_state("load")
    assert mismatches(page) == []
    assert page.title() == "Call (415) 555-0107"
    assert api.kinds() == ["start"] and page.errors == []


def test_the_first_request_names_the_site_visitor_page_and_referrer_without_a_preflight(page, formats):
    api = StubApi(page)
    page.goto(formats + "?utm_medium=cpc", referer="https://www.yelp.com/biz/demo")
    page.wait_for_function(SWAPPED)
    (call,) = api.calls
    assert call.body["siteKey"] == "pk_test" and call.body["sessionId"] is None
    assert call.body["page"] == formats + "?utm_medium=cpc"
    assert call.body["referrer"].startswith("https://www.yelp.com/")
    assert 8 <= len(call.body["clientId"]) <= 64 and call.body["clientId"].replace("-", "").replace("_", "").isalnum()
    assert call.content_type.startswith("text/plain")  # a CORS-simple request: no preflight round trip
    assert stored(page)["c"] == call.body["clientId"]


def test_scripts_styles_form_fields_editable_and_ignored_content_are_left_alone(page, formats, browser):
    # What the page holds without the script at all ...
    bare = browser.new_page()
    bare.route("**/v1/swap.js", lambda route: route.fulfill(body="", content_type="text/javascript"))
    bare.goto(formats)
    untouched = keep_snapshot(bare)
    styled = bare.evaluate("() => getComputedStyle(document.getElementById('styled'), '::after').content")
    bare.close()
    # ... is what it holds with the numbers swapped.
    StubApi(page)
    page.goto(formats)
    page.wait_for_function(SWAPPED)
    page.wait_for_load_state("load")
    assert keep_snapshot(page) == untouched
    assert page.input_value("#phone-input") == "(415) 555-0100"
    assert page.input_value("#note") == "Our old number was (415) 555-0100"
    assert page.evaluate("() => window.pagePhone") == "(415) 555-0100"
    assert page.evaluate("() => getComputedStyle(document.getElementById('styled'), '::after').content") == styled


def test_content_added_or_changed_after_load_is_swapped(page, formats):
    StubApi(page)
    page.goto(formats)
    page.wait_for_function(SWAPPED)
    page.evaluate("""() => {
        const p = document.createElement('p');
        p.id = 'late';
        p.innerHTML = 'Call <b>(415) 555-0100</b> or <a id="late-link" href="tel:+1 415 555 0100">tap here</a>';
        document.body.appendChild(p);
        document.getElementById('phone-input').insertAdjacentText('afterend', ' or 415.555.0100');
        const text = document.querySelector('#header-phone').firstChild;
        text.data = 'Sales: +1 (415) 555-0100';           // a framework updating a text node
        document.querySelector('#keep a').setAttribute('href', 'tel:4155550100');
    }""")
    page.wait_for_function("() => document.getElementById('late-link').getAttribute('href') === 'tel:+14155550107'")
    assert page.text_content("#late") == "Call (415) 555-0107 or tap here"
    assert page.text_content("#header-phone") == "Sales: +1 (415) 555-0107"
    assert page.evaluate("() => document.getElementById('phone-input').nextSibling.data") == " or 415.555.0107"
    assert page.get_attribute("#keep a", "href") == "tel:+14155550107"
    assert page.input_value("#phone-input") == "(415) 555-0100"


@pytest.mark.parametrize("mode", ["down", "error"])
def test_when_the_api_fails_the_sites_own_numbers_stay_and_nothing_is_thrown(page, formats, mode):
    api = StubApi(page, mode=mode)
    page.goto(formats)
    page.wait_for_load_state("load")
    assert page.wait_for_function("() => window.__ringback && window.__ringback.settled").json_value() == "failed"
    # A new visitor gets one more try after a network error or a 5xx, and no more.
    assert api.kinds() == ["start", "start"]
    assert page.text_content("#header-phone") == "+1 (415) 555-0100"
    assert page.get_attribute("#header-phone", "href") == "tel:+14155550100"
    assert page.evaluate("() => window.__ringback.swappedAt") is None
    assert page.errors == []


def test_when_the_api_hangs_a_new_visitor_keeps_the_sites_number_after_two_tries(page, formats):
    StubApi(page, mode="hang")
    failed = []
    page.on("requestfailed", lambda r: "/v1/sessions" in r.url and failed.append((time.monotonic(), r.url)))
    started = time.monotonic()
    page.goto(formats)
    assert page.text_content("#header-phone") == "+1 (415) 555-0100"  # shown while waiting
    page.wait_for_function("() => true")
    while not failed and time.monotonic() - started < 8:
        page.wait_for_timeout(50)
    assert failed
    assert 1.8 < failed[0][0] - started < 5
    # A new visitor has nothing leased to show: one more, patient try (8 s), then no more.
    while len(failed) < 2 and time.monotonic() - started < 30:
        page.wait_for_timeout(100)
    assert failed[1][0] - failed[0][0] > 7
    page.wait_for_timeout(1000)
    assert len(failed) == 2
    assert page.text_content("#header-phone") == "+1 (415) 555-0100"
    assert page.errors == []


def test_a_new_visitor_whose_first_answer_is_late_gets_the_number_on_the_second_try(page, formats):
    api = StubApi(page, mode="hang-once")
    page.goto(formats)
    page.wait_for_function(SWAPPED, timeout=30_000)
    assert api.kinds() == ["start", "start"]
    assert page.text_content("#header-phone") != "+1 (415) 555-0100"
    assert page.errors == []


def test_when_the_script_itself_cannot_load_the_page_works_as_before(page, formats):
    page.route("**/v1/swap.js", lambda route: route.abort("connectionrefused"))
    page.goto(formats)
    assert page.text_content("#header-phone") == "+1 (415) 555-0100"
    assert page.errors == []


def test_a_returning_visitor_sees_the_tracking_number_before_first_paint_and_before_any_request(context, formats):
    first = context.new_page()
    api = StubApi(first)
    first.goto(formats)
    first.wait_for_function(SWAPPED)
    session = stored(first)["s"]
    first.close()

    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    api = StubApi(page)
    page.add_init_script(probe_script("[data-expect]", ORIGINAL_DIGITS))
    page.goto(formats)
    page.wait_for_function("() => window.__probe.fetches.length > 0")
    page.wait_for_function("() => window.__probe.frames > 3")
    probe = page.evaluate("""() => ({
        frames: window.__probe.frames, unswapped: window.__probe.unswappedFrames, fetches: window.__probe.fetches,
        swappedAt: window.__ringback.swappedAt, cached: window.__ringback.cached,
        paints: performance.getEntriesByType('paint').map(p => [p.name, p.startTime]),
        mark: performance.getEntriesByName('ringback:swapped').map(m => m.startTime) })""")
    assert probe["cached"] == 1
    assert probe["unswapped"] == []                                    # never a frame showing the original
    first_paint = dict(probe["paints"]).get("first-paint")
    assert first_paint is not None and probe["swappedAt"] < first_paint  # swapped before first paint
    # The mark and swappedAt are two clock reads in a row: equal to within a millisecond.
    assert len(probe["mark"]) == 1 and abs(probe["mark"][0] - probe["swappedAt"]) < 1
    fetch = probe["fetches"][0]
    assert fetch["t"] > probe["swappedAt"] and fetch["left"] == []     # no request before the swap
    page.wait_for_function("() => document.readyState === 'complete'")
    assert mismatches(page) == []
    assert api.kinds() == ["start"] and api.calls[0].body["sessionId"] == session
    # The page view is told and answered (given 2 s like any request, not aborted at once).
    assert page.wait_for_function("() => window.__ringback.settled").json_value() == "answered"
    assert errors == []


def test_after_the_lease_the_visitor_is_new_again_and_keeps_their_client_id(context, formats):
    first = context.new_page()
    StubApi(first)
    first.goto(formats)
    first.wait_for_function(SWAPPED)
    client_id = stored(first)["c"]
    first.evaluate("""() => { const s = JSON.parse(localStorage.getItem('ringback:pk_test'));
                              s.e = Date.now() - 1; localStorage.setItem('ringback:pk_test', JSON.stringify(s)); }""")
    first.close()
    page = context.new_page()
    api = StubApi(page, mode="hang")
    page.goto(formats)
    page.wait_for_load_state("load")
    assert page.text_content("#header-phone") == "+1 (415) 555-0100"   # nothing from the lapsed lease
    assert page.evaluate("() => window.__ringback.cached") is None
    assert api.calls[0].body["sessionId"] is None and api.calls[0].body["clientId"] == client_id


def test_unreadable_storage_does_not_stop_the_swap(page, formats):
    page.add_init_script("localStorage.setItem('ringback:pk_test', '{not json')")
    StubApi(page)
    page.goto(formats)
    page.wait_for_function(SWAPPED)
    assert page.text_content("#header-phone") == "+1 (415) 555-0107"
    assert page.errors == []


def test_the_heartbeat_runs_only_while_the_tab_is_visible(page, formats):
    api = StubApi(page, touch_after_ms=150)
    page.goto(formats)
    page.wait_for_function(SWAPPED)
    deadline = time.monotonic() + EVENT_TIMEOUT_MS / 1000
    while api.kinds().count("touch") < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert api.kinds().count("touch") >= 2
    touch = next(c for c in api.calls if c.kind == "touch")
    assert touch.body == {"siteKey": "pk_test", "clientId": stored(page)["c"]}
    page.evaluate("""() => { window.__visibility = 'hidden';
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => window.__visibility });
        document.dispatchEvent(new Event('visibilitychange')); }""")
    hidden_from = len(api.calls)
    # Not a wait for an event but a window in which none may happen: over four heartbeats.
    page.wait_for_timeout(700)
    assert api.kinds()[hidden_from:].count("touch") <= 1   # at most one already in flight
    settled = len(api.calls)
    page.wait_for_timeout(400)
    assert len(api.calls) == settled
    page.evaluate("() => { window.__visibility = 'visible'; document.dispatchEvent(new Event('visibilitychange')); }")
    seen_again = time.monotonic()
    while len(api.calls) == settled and time.monotonic() - seen_again < 3:
        page.wait_for_timeout(20)
    assert api.kinds()[settled] == "touch"
    assert time.monotonic() - seen_again < 1   # overdue: sent as soon as the tab is seen again


def test_numbers_given_by_a_touch_replace_the_ones_shown_and_can_give_the_site_its_number_back(page, formats):
    api = StubApi(page, touch_after_ms=100)
    page.goto(formats)
    page.wait_for_function(SWAPPED)
    api.numbers = [dict(NUMBERS[0], number="+14155550103")] + NUMBERS[1:]
    page.wait_for_function("() => document.getElementById('header-phone').textContent === '+1 (415) 555-0103'")
    assert page.get_attribute("#header-phone", "href") == "tel:+14155550103"
    assert page.text_content("#formats li") == "(415) 555-0103"
    api.numbers = [dict(NUMBERS[0], number=ORIGINAL, kind="default")]
    page.wait_for_function("() => document.getElementById('header-phone').textContent === '+1 (415) 555-0100'")
    assert page.get_attribute("#header-phone", "href") == "tel:+14155550100"
    assert page.text_content("#toll-free") == "Toll free"
    assert page.get_attribute("#toll-free", "href") == "tel:+18005550100"   # our extension is taken back
    assert "1-800-555-0100" in page.text_content("#formats") and "ext. 123" not in page.text_content("#formats")
    assert "(800) 555-0100 ext. 7" not in page.text_content("#formats")     # replaced earlier, ours to drop


def test_a_session_the_server_forgot_is_started_again(page, formats):
    api = StubApi(page, touch_after_ms=100, mode="gone")
    page.goto(formats)
    page.wait_for_function(SWAPPED)
    page.wait_for_function("() => window.__ringback.sessionId === 's_test2'")
    assert api.kinds()[:3] == ["start", "touch", "start"]
    assert api.calls[2].body["sessionId"] is None


def test_a_tel_click_sends_a_beacon_with_the_number_shown(page, formats):
    api = StubApi(page)
    page.goto(formats)
    page.wait_for_function(SWAPPED)
    beacons = []
    page.on("request", lambda r: beacons.append(r) if r.url.endswith("/clicks") else None)
    page.evaluate("() => window.addEventListener('click', e => e.preventDefault())")  # stay on the page
    before = int(time.time() * 1000)
    page.click("#header-phone")
    page.click("#toll-free")
    page.click("#keep a")   # a number that is not the site's: its own, as dialled
    page.click("#formats li")   # not a link: no beacon
    deadline = time.monotonic() + EVENT_TIMEOUT_MS / 1000
    while api.kinds().count("clicks") < 3 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    page.wait_for_timeout(100)
    clicks = [c for c in api.calls if c.kind == "clicks"]
    assert [c.body["number"] for c in clicks] == [POOL_NUMBER, "+18005550100", "+14155550199"]
    assert clicks[0].body["siteKey"] == "pk_test" and clicks[0].body["clientId"] == stored(page)["c"]
    assert before <= clicks[0].body["at"] <= int(time.time() * 1000)
    assert clicks[0].content_type.startswith("text/plain")
    assert beacons[0].url.endswith(f"/v1/sessions/{stored(page)['s']}/clicks") and beacons[0].resource_type == "ping"
