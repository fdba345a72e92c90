"""The callback widget in a real browser, loaded by the swap script's snippet, against a
stubbed API (tests/browser/widget_stub.py): what a visitor notices, from the triggers that
open it to the progress of the callback they asked for."""
from __future__ import annotations

import datetime
import json
import re
from itertools import pairwise

import pytest

from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.browser.stub import StubApi
from tests.browser.widget_stub import WidgetApi, error

READY = "() => !!(window.__ringback && window.__ringback.widget && window.__ringback.widget.state !== 'loading')"
OPEN = "() => !!(window.__ringback && window.__ringback.widget && window.__ringback.widget.isOpen)"
WIDGET = """() => { const w = window.__ringback.widget;
    return { state: w.state, reason: w.reason, isOpen: w.isOpen, openedBy: w.openedBy, status: w.status,
             statuses: w.statuses, locale: w.locale }; }"""
ACTIVE = """() => { const a = document.activeElement;
    return a ? (a.id || a.name || a.className || a.tagName) : null; }"""
HIDE_PAGE = """() => { window.__visibility = 'hidden';
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => window.__visibility });
    document.dispatchEvent(new Event('visibilitychange')); }"""
# Every text the status line shows, in order.
RECORD_STATUS = """() => { const el = document.querySelector('#ringback-callback .rb-status');
    window.__shown = [];
    new MutationObserver(() => { const t = el.textContent; if (window.__shown.at(-1) !== t) window.__shown.push(t); })
        .observe(el, { childList: true, characterData: true, subtree: true }); }"""
# HH:MM in the browser's time zone, for an epoch-ms time today (or another day: weekday first).
LOCAL_MS = """([h, m, days]) => { const d = new Date(); d.setDate(d.getDate() + days); d.setHours(h, m, 0, 0);
    return d.getTime(); }"""
WEEKDAY = "([ms, locale]) => new Date(ms).toLocaleDateString(locale, { weekday: 'short' })"


@pytest.fixture(scope="session")
def widget_script(swap_script):
    """The built widget (frontend/build.py builds both scripts; the edge serves it as
    /v1/widget.js and under its hashed name)."""
    path = swap_script.parent / "widget.js"
    assert path.is_file()
    return path


@pytest.fixture
def api(context, static_site, widget_script):
    StubApi(context)   # the swap script's sessions API
    return WidgetApi(context, static_site, widget_script)


@pytest.fixture
def visitor(browser, static_site, widget_script):
    """Another visitor with their own browser options (viewport, touch, language)."""
    made = []

    def make(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(EVENT_TIMEOUT_MS)
        made.append(context)
        StubApi(context)
        return context, WidgetApi(context, static_site, widget_script)

    yield make
    for context in made:
        context.close()


def tab(context):
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(e))
    return page


def visit(page, api, path="/shop/pricing", **options):
    page.goto(api.url(path), **options)
    page.wait_for_function(READY)
    return page.evaluate(WIDGET)


def wait_open(page, timeout=5000):
    page.wait_for_function(OPEN, timeout=timeout)
    assert page.is_visible("#rb-dialog")
    return page.evaluate(WIDGET)


def stays_closed(page, ms):
    page.wait_for_timeout(ms)
    assert page.evaluate(WIDGET)["isOpen"] is False
    assert page.is_hidden("#rb-dialog")


def submit_number(page, number):
    page.fill("#ringback-callback input[name=phone]", number)
    page.click("#ringback-callback button[type=submit]")


def status_text(page):
    return page.text_content("#ringback-callback .rb-status")


def wait_status(page, status):
    page.wait_for_function("s => window.__ringback.widget.status === s", arg=status)


# ---- loading ----

def test_the_snippet_loads_the_widget_once_after_the_page_is_parsed_and_the_numbers_are_swapped(page, api,
                                                                                                widget_script):
    state = visit(page, api)
    assert state["state"] == "ready" and state["isOpen"] is False
    loaded = page.evaluate("""() => {
        const scripts = [...document.querySelectorAll('script[src*="/scripts/widget."]')];
        const nav = performance.getEntriesByType('navigation')[0];
        const res = performance.getEntriesByName(scripts[0].src)[0];
        return { count: scripts.length, src: scripts[0].src, async: scripts[0].async, key: scripts[0].dataset.siteKey,
                 afterParse: res.startTime >= nav.domContentLoadedEventStart,
                 afterSwap: window.__ringback.swappedAt !== null
                     && window.__ringback.swappedAt <= res.startTime }; }""")
    # By its hashed name, cached for a year (frontend/build.py).
    hashed = json.loads((widget_script.parent / "manifest.json").read_text())["widget.js"]
    assert loaded == {"count": 1, "src": api.url(f"/scripts/{hashed}"), "async": True, "key": "pk_test",
                      "afterParse": True, "afterSwap": True}
    assert page.text_content("#host-text") == "Call (415) 555-0107 any time."
    assert page.is_visible("#ringback-callback .rb-launcher")
    # The launcher shows its phone icon: the reset of the page's styles leaves the icon's
    # shape alone (all:revert on a <path> would drop its d and fill, an empty circle).
    icon = page.evaluate("""() => { const p = document.querySelector('#ringback-callback .rb-launcher path');
        const box = p.getBoundingClientRect();
        return {w: box.width, h: box.height, fill: getComputedStyle(p).fill}; }""")
    assert icon["w"] > 10 and icon["h"] > 10 and icon["fill"] == "rgb(255, 255, 255)", icon
    assert page.is_hidden("#rb-dialog")
    assert api.config_requests == 1 and page.errors == []


@pytest.mark.parametrize("site", ["no callback block", "disabled", "config error", "config down"])
def test_without_a_working_callback_config_there_is_no_widget_and_the_page_is_untouched(page, api, site):
    if site == "no callback block":
        api.callback = False
    elif site == "disabled":
        api.callback["enabled"] = False
    else:
        api.config_mode = site.split()[1]
    state = visit(page, api)
    assert state["state"] == ("failed" if site.startswith("config") else "off")
    assert page.query_selector("#ringback-callback") is None
    page.wait_for_function("() => window.__ringback.swappedAt !== null")   # the swap goes on
    assert page.text_content("#host-text") == "Call (415) 555-0107 any time."
    assert page.errors == []


def test_the_widget_comes_even_when_the_sessions_api_is_down(browser, static_site, widget_script):
    context = browser.new_context()
    try:
        StubApi(context, mode="down")
        api = WidgetApi(context, static_site, widget_script)
        page = tab(context)
        assert visit(page, api)["state"] == "ready"
        page.click("#ringback-callback .rb-launcher")
        submit_number(page, "4155550123")
        wait_status(page, "accepted")
        assert api.posts[0].body["sessionId"] is None
        assert page.errors == []
    finally:
        context.close()


def test_the_widget_neither_takes_nor_changes_the_pages_styles(page, api):
    api.callback["theme"]["color"] = "#336699"
    snapshot = """() => Object.fromEntries(
        ['host-button', 'host-input', 'host-heading', 'host-text', 'tall'].map(id => {
        const s = getComputedStyle(document.getElementById(id));
        return [id, [s.background, s.color, s.font, s.margin, s.padding, s.border, s.textTransform, s.width,
                     s.position]]; }))"""
    page.add_init_script(
        f"document.addEventListener('DOMContentLoaded', () => {{ window.__before = ({snapshot})(); }})")
    visit(page, api)
    page.click("#ringback-callback .rb-launcher")
    wait_open(page)
    assert page.evaluate(snapshot) == page.evaluate("() => window.__before")
    ours = page.evaluate("""() => {
        const s = getComputedStyle(document.querySelector('#ringback-callback button[type=submit]'));
        const i = getComputedStyle(document.querySelector('#ringback-callback input[name=phone]'));
        return [s.backgroundColor, s.textTransform, s.borderTopStyle, i.borderTopWidth, i.borderTopColor]; }""")
    assert ours == ["rgb(51, 102, 153)", "none", "none", "1px", "rgb(184, 192, 204)"]


# ---- triggers ----

def test_it_opens_after_the_seconds_on_the_page(page, api):
    api.triggers(secondsOnPage=1)
    # The page notes when the popup opened, on its own clock (from navigation): on a busy
    # machine the test's own steps may take longer than the second, the page's never less.
    page.add_init_script("""(() => { const look = () => {
        const w = window.__ringback && window.__ringback.widget;
        if (w && w.isOpen) window.__openedAt = performance.now(); else requestAnimationFrame(look); };
        requestAnimationFrame(look); })()""")
    visit(page, api)
    state = wait_open(page, EVENT_TIMEOUT_MS)
    assert state["openedBy"] == "time"
    assert page.evaluate("window.__openedAt") >= 1000
    assert page.evaluate(ACTIVE) == "rb-phone"   # focus moved into the popup
    assert page.errors == []


def test_it_opens_after_the_seconds_of_inactivity_and_not_while_the_visitor_is_active(page, api):
    api.triggers(inactivitySeconds=3)
    visit(page, api)
    # The page notes when each move reached it: a busy machine may space Playwright's
    # moves out, and the check below is only about moves the visitor really made.
    page.evaluate("""() => { window.__moves = [];
        addEventListener('mousemove', () => window.__moves.push(performance.now()), true); }""")
    for i in range(16):   # about 4 s of mouse moves, a fifth of a second apart
        page.mouse.move(100 + 10 * i, 200)
        page.wait_for_timeout(200)
    moves = page.evaluate("window.__moves")
    gaps = [b - a for a, b in pairwise(moves)]
    assert len(moves) == 16 and max(gaps) < 3000, gaps
    assert page.evaluate(WIDGET)["isOpen"] is False
    page.wait_for_function(f"() => {OPEN[6:]} && (window.__openedAt = performance.now())",
                           timeout=3000 + EVENT_TIMEOUT_MS)
    state = page.evaluate(WIDGET)
    idle_ms = page.evaluate("window.__openedAt - window.__moves[window.__moves.length - 1]")
    assert state["openedBy"] == "inactivity" and idle_ms >= 2900, idle_ms


def test_it_opens_at_the_scroll_depth(page, api):
    api.triggers(scrollPercent=50)
    visit(page, api)
    page.evaluate("() => window.scrollTo(0, (document.documentElement.scrollHeight - innerHeight) * 0.3)")
    stays_closed(page, 300)
    page.evaluate("() => window.scrollTo(0, (document.documentElement.scrollHeight - innerHeight) * 0.6)")
    assert wait_open(page, 2000)["openedBy"] == "scroll"


def test_it_opens_on_the_page_view_that_reaches_the_count(page, api):
    api.triggers(pagesViewed=3)
    visit(page, api, "/shop/home")
    stays_closed(page, 200)
    visit(page, api, "/shop/about")
    stays_closed(page, 200)
    visit(page, api, "/shop/pricing")
    assert wait_open(page, 2000)["openedBy"] == "pages"


def test_on_desktop_it_opens_when_the_pointer_leaves_toward_the_top(page, api):
    api.triggers(exitIntent=True)
    visit(page, api)
    page.mouse.move(600, 300)
    page.mouse.move(-5, 300)          # out through the side: not leaving
    page.mouse.move(600, 300)
    stays_closed(page, 200)
    page.mouse.move(600, 5, steps=4)
    page.mouse.move(600, -5)          # toward the tabs and the address bar
    assert wait_open(page, 2000)["openedBy"] == "exit"


MOBILE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


def test_on_mobile_it_opens_when_the_visitor_switches_away(visitor):
    context, api = visitor(**MOBILE)
    api.triggers(exitIntent=True)
    page = tab(context)
    visit(page, api, "/shop/home")
    visit(page, api)                   # leaving a page for the next is not switching away
    page.mouse.move(200, 5)
    page.mouse.move(200, -5)          # no pointer to leave with on a phone
    stays_closed(page, 200)
    page.evaluate(HIDE_PAGE)
    assert wait_open(page, 2000)["openedBy"] == "exit"
    assert page.evaluate(ACTIVE) == "rb-dialog"   # into the popup, with no keyboard popping up unasked
    assert page.errors == []


def test_on_mobile_back_opens_it_once_and_then_back_works_as_usual(visitor):
    context, api = visitor(**MOBILE)
    api.triggers(exitIntent=True)
    page = tab(context)
    visit(page, api, "/shop/home")
    visit(page, api, "/shop/pricing")
    page.tap("#host-heading")         # the entry is only added after a gesture
    page.wait_for_function("() => window.__ringback.widget.guarded === true")
    page.go_back()
    assert wait_open(page, 2000)["openedBy"] == "exit"
    assert page.url == api.url("/shop/pricing")
    page.tap("#ringback-callback .rb-close")
    page.go_back()
    page.wait_for_url(api.url("/shop/home"))
    assert page.errors == []


def test_on_mobile_back_leaves_in_one_press_once_the_popup_was_shown(visitor):
    context, api = visitor(**MOBILE)
    api.triggers(exitIntent=True, cooldownHours=24)
    page = tab(context)
    visit(page, api, "/shop/home")
    visit(page, api, "/shop/pricing")
    page.tap("#ringback-callback .rb-launcher")   # opened by hand, then closed: no more automatic show
    wait_open(page)
    page.tap("#ringback-callback .rb-close")
    assert page.evaluate("() => window.__ringback.widget.guarded") is True
    page.go_back()
    page.wait_for_url(api.url("/shop/home"))
    assert page.errors == []


# ---- once per session, cooldown ----

def test_it_opens_by_itself_once_per_session_and_the_button_still_opens_it(context, api):
    api.triggers(secondsOnPage=1, cooldownHours=0)
    page = tab(context)
    visit(page, api)
    wait_open(page, 3000)
    page.keyboard.press("Escape")
    visit(page, api, "/shop/about")
    stays_closed(page, 1500)
    page.click("#ringback-callback .rb-launcher")
    assert wait_open(page)["openedBy"] == "manual"
    other = tab(context)               # a new tab is a new session
    visit(other, api)
    assert wait_open(other, 3000)["openedBy"] == "time"
    assert page.errors == [] and other.errors == []


def test_after_a_show_the_cooldown_keeps_it_from_opening_by_itself_until_it_is_over(context, api):
    api.triggers(secondsOnPage=1, cooldownHours=24)
    first = tab(context)
    visit(first, api)
    wait_open(first, 3000)
    first.click("#ringback-callback .rb-close")
    second = tab(context)
    visit(second, api)
    stays_closed(second, 1500)
    later = tab(context)
    later.clock.set_system_time(datetime.datetime.now() + datetime.timedelta(hours=25))
    visit(later, api)
    assert wait_open(later, 3000)["openedBy"] == "time"


# ---- targeting ----

def test_path_globs_choose_the_pages_with_a_widget(context, api):
    api.targeting(paths=["/shop/pricing*", "/shop/plans"], excludePaths=["/shop/pricing/old*"])
    page = tab(context)
    assert visit(page, api, "/shop/pricing/new")["state"] == "ready"
    assert visit(page, api, "/shop/plans")["state"] == "ready"
    for path in ["/shop/pricing/old-offer", "/shop/about", "/shop/plans/x"]:
        state = visit(page, api, path)
        assert (state["state"], state["reason"]) == ("off", "targeting"), path
        assert page.query_selector("#ringback-callback") is None
    assert page.errors == []


def test_utm_targeting_follows_the_sessions_landing_tags(context, api):
    api.targeting(utm={"source": ["google"], "medium": ["cpc", "ppc*"]})
    page = tab(context)
    assert visit(page, api, "/shop/pricing?utm_source=bing&utm_medium=cpc")["state"] == "off"
    other = tab(context)
    assert visit(other, api, "/shop/pricing?utm_source=Google&utm_medium=ppc-brand")["state"] == "ready"
    assert visit(other, api, "/shop/about")["state"] == "ready"   # same session, no tags in the URL
    assert visit(tab(context), api, "/shop/pricing")["state"] == "off"


def test_referrer_targeting_matches_the_domain_and_its_subdomains(context, api):
    api.targeting(referrers=["google.com"])
    assert visit(tab(context), api, referer="https://www.google.com/search?q=plumber")["state"] == "ready"
    assert visit(tab(context), api, referer="https://notgoogle.com/")["state"] == "off"
    assert visit(tab(context), api)["state"] == "off"


@pytest.mark.parametrize(("viewer", "shown"), [("US", True), ("DE", False), (None, False)])
def test_country_targeting_uses_the_viewers_country(page, api, viewer, shown):
    api.targeting(countries=["US", "CA"])
    api.callback["viewerCountry"] = viewer
    assert visit(page, api)["state"] == ("ready" if shown else "off")


# ---- locale, theme, keyword ----

RU = {
    "button": "Перезвоните мне", "title": "Перезвонить вам?", "phone": "Ваш номер телефона",
    "submit": "Позвоните мне", "accepted": "Заявка принята…",
}


def test_russian_texts_when_the_site_chooses_russian(page, api):
    api.callback["locale"] = "ru"
    assert visit(page, api)["locale"] == "ru"
    assert page.get_attribute("#ringback-callback .rb-launcher", "aria-label") == RU["button"]
    page.click("#ringback-callback .rb-launcher")
    wait_open(page)
    assert page.text_content("#rb-title") == RU["title"]
    assert page.text_content("label[for=rb-phone]") == RU["phone"]
    assert page.text_content("#ringback-callback button[type=submit]") == RU["submit"]
    assert "Канада" in page.text_content("#rb-country")   # country names in Russian
    assert page.get_attribute("#ringback-callback", "lang") == "ru"
    submit_number(page, "4155550123")
    page.wait_for_function("t => document.querySelector('#ringback-callback .rb-status').textContent === t",
                           arg=RU["accepted"])
    assert api.posts[0].body["locale"] == "ru"


@pytest.mark.parametrize(("browser_locale", "page_lang", "expected"), [
    ("ru-RU", "en", "ru"),    # the visitor's language first
    ("de-DE", "ru", "ru"),    # then the page's
    ("fr-FR", "en", "en"),    # else English
])
def test_auto_locale_follows_the_visitor_then_the_page(visitor, browser_locale, page_lang, expected):
    context, api = visitor(locale=browser_locale)
    api.callback["locale"] = "auto"
    page = tab(context)
    assert visit(page, api, f"/shop/pricing?lang={page_lang}")["locale"] == expected


def test_the_sites_colour_position_and_texts(page, api):
    api.callback["theme"] = {"color": "#ff5500", "position": "left",
                             "texts": {"en": {"title": "Call us now", "submit": "Ring me"}, "ru": {"title": "Звоните"}}}
    visit(page, api)
    page.click("#ringback-callback .rb-launcher")
    wait_open(page)
    shown = page.evaluate("""() => {
        const l = document.querySelector('#ringback-callback .rb-launcher'), d = document.getElementById('rb-dialog');
        return { launcher: getComputedStyle(l).backgroundColor, left: l.getBoundingClientRect().left,
                 dialogLeft: d.getBoundingClientRect().left, right: innerWidth - d.getBoundingClientRect().right,
                 submit: getComputedStyle(
                     document.querySelector('#ringback-callback button[type=submit]')).backgroundColor }; }""")
    assert shown["launcher"] == shown["submit"] == "rgb(255, 85, 0)"
    assert shown["left"] == 20 and shown["dialogLeft"] == 20 and shown["right"] > 500
    assert page.text_content("#rb-title") == "Call us now"
    assert page.text_content("#ringback-callback button[type=submit]") == "Ring me"
    assert page.text_content("#rb-text") == "Leave your number and we'll call you right away."   # not overridden


def test_the_keyword_comes_from_utm_term_with_a_fallback_when_there_is_none(context, api):
    api.callback["theme"]["texts"] = {"en": {"title": "Looking for {keyword|a plumber}?",
                                             "text": "We fix {keyword} today."}}
    page = tab(context)
    visit(page, api, "/shop/pricing?utm_term=leak+repair")
    page.click("#ringback-callback .rb-launcher")
    assert page.text_content("#rb-title") == "Looking for leak repair?"
    assert page.text_content("#rb-text") == "We fix leak repair today."
    visit(page, api, "/shop/about")   # later pages of the session keep it
    assert page.text_content("#rb-title") == "Looking for leak repair?"
    other = tab(context)
    visit(other, api)                  # no keyword: the fallback, or the built-in text
    assert other.text_content("#rb-title") == "Looking for a plumber?"
    assert other.text_content("#rb-text") == "Leave your number and we'll call you right away."
    third = tab(context)
    visit(third, api, "/shop/pricing?utm_term=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
    assert third.text_content("#rb-title") == "Looking for <img src=x onerror=alert(1)>?"   # text, not markup
    assert third.query_selector("#rb-title img") is None


# ---- accessibility ----

def test_keyboard_opens_traps_focus_in_and_escape_closes_the_dialog(page, api):
    visit(page, api)
    for _ in range(10):                # the button is reachable with Tab
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('rb-launcher')"):
            break
    assert page.get_attribute("#ringback-callback .rb-launcher", "aria-expanded") == "false"
    page.keyboard.press("Enter")
    wait_open(page)
    dialog = page.evaluate("""() => { const d = document.getElementById('rb-dialog');
        return [d.getAttribute('role'), d.getAttribute('aria-modal'),
                document.getElementById(d.getAttribute('aria-labelledby')).textContent]; }""")
    assert dialog == ["dialog", "true", "Want us to call you?"]
    assert page.get_attribute("#ringback-callback .rb-launcher", "aria-expanded") == "true"
    assert page.evaluate(ACTIVE) == "rb-phone"   # focus moved in, to the number
    assert page.get_by_label("Your phone number").get_attribute("name") == "phone"
    assert page.get_by_label("Country").get_attribute("name") == "country"
    assert page.get_by_role("dialog", name="Want us to call you?").is_visible()
    assert page.get_attribute("#ringback-callback .rb-status", "aria-live") == "polite"
    assert page.get_attribute("#ringback-callback .rb-status", "role") == "status"
    inside = "() => document.getElementById('rb-dialog').contains(document.activeElement)"
    seen = set()
    for _ in range(6):
        page.keyboard.press("Tab")
        assert page.evaluate(inside)
        seen.add(page.evaluate(ACTIVE))
    assert seen == {"rb-close", "rb-country", "rb-phone"}   # the submit button waits for a valid number
    page.keyboard.type("4155550123")
    page.focus("#ringback-callback .rb-close")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(ACTIVE) == "rb-submit"   # from the first, back round to the last
    page.keyboard.press("Tab")
    assert page.evaluate(ACTIVE) == "rb-close"
    page.focus("#host-input")          # focus sent outside comes back
    assert page.evaluate(inside)
    page.keyboard.press("Escape")
    assert page.evaluate(WIDGET)["isOpen"] is False and page.is_hidden("#rb-dialog")
    assert page.evaluate("() => document.activeElement.classList.contains('rb-launcher')")
    assert page.get_attribute("#ringback-callback .rb-launcher", "aria-expanded") == "false"
    assert page.errors == []


def test_a_click_on_the_page_closes_the_popup(page, api):
    visit(page, api)
    page.evaluate("() => window.__ringback.widget.open()")
    assert wait_open(page)["openedBy"] == "manual"
    page.click("#host-heading")
    assert page.evaluate(WIDGET)["isOpen"] is False


# ---- layout ----

def test_on_a_phone_the_popup_is_a_bottom_sheet_not_the_whole_screen(visitor):
    context, api = visitor(**MOBILE)
    page = tab(context)
    visit(page, api)
    page.tap("#ringback-callback .rb-launcher")
    wait_open(page)
    box = page.evaluate("""() => { const r = document.getElementById('rb-dialog').getBoundingClientRect();
        return [r.left, r.right, r.top, r.bottom]; }""")
    left, right, top, bottom = box
    assert (left, right, bottom) == (0, 390, 844)
    assert top > 844 * 0.3                 # the page stays in view above it


def test_on_a_desktop_the_popup_sits_by_its_button(page, api):
    page.set_viewport_size({"width": 1280, "height": 720})
    visit(page, api)
    page.click("#ringback-callback .rb-launcher")
    wait_open(page)
    d = page.evaluate("""() => { const r = document.getElementById('rb-dialog').getBoundingClientRect();
        return [r.width, r.right, r.bottom]; }""")
    b = page.evaluate("() => document.querySelector('#ringback-callback .rb-launcher').getBoundingClientRect().top")
    assert d[0] == 340 and d[1] == 1260 and d[2] < b


# ---- the phone number ----

def test_the_number_is_checked_as_typed_and_sent_as_e164(page, api):
    visit(page, api)
    page.click("#ringback-callback .rb-launcher")
    submit = "#ringback-callback button[type=submit]"
    phone = "#ringback-callback input[name=phone]"
    assert page.get_attribute(phone, "placeholder") == "2015550123"
    assert page.is_disabled(submit)
    page.type(phone, "(415) 555-01")
    assert page.is_disabled(submit)
    assert page.text_content("#ringback-callback .rb-hint") == ""   # no complaint mid-typing
    page.type(phone, "23")
    assert page.is_enabled(submit)
    page.click(submit)
    page.wait_for_function("() => window.__ringback.widget.requestId === 'cb_1'")
    (posted,) = api.posts
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('ringback:pk_test'))")
    assert posted.body == {"siteKey": "pk_test", "phone": "+14155550123", "country": "US", "sessionId": "s_test1",
                           "clientId": stored["c"], "page": api.url(), "locale": "en"}
    assert posted.headers["content-type"] == "application/json"
    assert page.is_hidden("#ringback-callback form")
    assert page.errors == []


@pytest.mark.parametrize(("country", "typed", "sent", "shown_country"), [
    ("RU", "8 (912) 345-67-89", "+79123456789", "RU"),   # Russian trunk prefix 8
    ("US", "+7 912 345 67 89", "+79123456789", "RU"),    # the selector follows the country code
    ("US", "1 (415) 555-0123", "+14155550123", "US"),    # with the country code, no plus
    ("CA", "+1 506 234 5678", "+15062345678", "CA"),     # a shared code keeps the chosen country
    ("US", "0049 30 1234567", None, "US"),               # a country the site does not call
    ("US", "415 555 01234", None, "US"),                 # too long
])
def test_numbers_in_the_forms_visitors_type_them(page, api, country, typed, sent, shown_country):
    visit(page, api)
    page.click("#ringback-callback .rb-launcher")
    page.select_option("#ringback-callback select[name=country]", country)
    page.fill("#ringback-callback input[name=phone]", typed)
    assert page.input_value("#ringback-callback select[name=country]") == shown_country
    submit = "#ringback-callback button[type=submit]"
    if sent is None:
        assert page.is_disabled(submit)
        page.focus("#ringback-callback .rb-close")   # leaving the field shows why
        assert page.get_attribute("#ringback-callback input[name=phone]", "aria-invalid") == "true"
        assert page.text_content("#ringback-callback .rb-hint") == (
            "Sorry, we can't call this country." if typed.startswith("00") else "Enter a number like 2015550123")
        return
    page.click(submit)
    page.wait_for_function("() => window.__ringback.widget.requestId !== null")
    assert (api.posts[0].body["phone"], api.posts[0].body["country"]) == (sent, shown_country)


# ---- submission: idempotency and errors ----

def test_a_network_failure_is_retried_with_the_same_idempotency_key(page, api):
    api.post_answers = ["network"]
    visit(page, api)
    page.click("#ringback-callback .rb-launcher")
    submit_number(page, "4155550123")
    wait_status(page, "accepted")
    first, second = api.posts
    assert re.fullmatch(r"[0-9a-f]{32}", first.key) and second.key == first.key
    assert second.body == first.body
    assert page.errors == []


def test_after_a_failed_retry_the_visitor_sends_again_under_the_same_key(page, api):
    api.post_answers = ["network", "network"]
    visit(page, api)
    page.click("#ringback-callback .rb-launcher")
    submit_number(page, "4155550123")
    page.wait_for_function("() => document.querySelector('#ringback-callback .rb-status').dataset.code === 'network'")
    assert status_text(page) == "No connection. Please try again."
    assert page.is_enabled("#ringback-callback button[type=submit]")
    page.click("#ringback-callback button[type=submit]")
    wait_status(page, "accepted")
    assert [p.key for p in api.posts] == [api.posts[0].key] * 3


def test_a_refused_number_corrected_is_a_new_request_with_a_new_key(page, api):
    api.post_answers = [error("invalid_phone")]
    visit(page, api)
    page.click("#ringback-callback .rb-launcher")
    submit_number(page, "4155550123")
    page.wait_for_function("() => document.querySelector('#ringback-callback .rb-status').dataset.status === 'error'")
    submit_number(page, "4155550124")
    wait_status(page, "accepted")
    assert api.posts[0].key != api.posts[1].key


@pytest.mark.parametrize(("answer", "shown"), [
    (error("invalid_phone"), "This number doesn't look right."),
    (error("country_not_allowed", 403), "Sorry, we can't call this country."),
    (error("premium_number"), "Sorry, we can't call premium-rate numbers."),
    (error("rate_limited", 429), "Too many requests. Please try again later."),
    ((429, {}), "Too many requests. Please try again later."),
    (error("site_suspended", 403), "Something went wrong. Please try again."),
    ((500, {"message": "Internal server error"}), "Something went wrong. Please try again."),
])
def test_refusals_are_explained_and_the_form_stays_usable(page, api, answer, shown):
    api.post_answers = [answer]
    visit(page, api)
    page.click("#ringback-callback .rb-launcher")
    submit_number(page, "4155550123")
    page.wait_for_function("() => document.querySelector('#ringback-callback .rb-status').dataset.status === 'error'")
    assert status_text(page) == shown
    assert page.is_visible("#ringback-callback input[name=phone]")
    assert page.is_enabled("#ringback-callback button[type=submit]")
    assert page.evaluate("() => window.__ringback.widget.requestId") is None
    assert page.errors == []


# ---- off hours ----

@pytest.mark.parametrize("pick", [None, 1])
def test_off_hours_it_still_opens_and_offers_the_opening_or_a_chosen_slot(page, api, pick):
    slots = [{"at": 1795600000000, "label": "Thu 09:00"}, {"at": 1795603600000, "label": "Thu 10:00"}]
    api.callback.update({"open": False, "nextOpening": slots[0]["at"], "nextOpeningLocal": "09:00", "slots": slots})
    api.triggers(secondsOnPage=1)
    visit(page, api)
    wait_open(page, 3000)
    assert page.text_content("#rb-text") == "We're closed now. We'll call you at 09:00."
    options = page.eval_on_selector_all("#ringback-callback select[name=slot] option",
                                        "os => os.map(o => [o.value, o.textContent])")
    assert options == [["", "As soon as we open (09:00)"], ["1795600000000", "Thu 09:00"],
                       ["1795603600000", "Thu 10:00"]]
    if pick is not None:
        page.select_option("#ringback-callback select[name=slot]", str(slots[pick]["at"]))
    scheduled = page.evaluate(LOCAL_MS, [9, 30, 1])
    api.post_answers = [(202, {"requestId": "cb_1", "status": "scheduled", "scheduledFor": scheduled, "merged": False})]
    api.statuses = [{"status": "scheduled", "scheduledFor": scheduled}]
    submit_number(page, "4155550123")
    wait_status(page, "scheduled")
    body = api.posts[0].body
    if pick is None:
        assert "slot" not in body
    else:
        assert body["slot"] == slots[pick]["at"]
    weekday = page.evaluate(WEEKDAY, [scheduled, "en"])
    assert status_text(page) == f"We'll call you at {weekday} 09:30"   # tomorrow: with its weekday


# ---- progress ----

def test_the_visitor_sees_the_callback_progress_until_connected_and_polling_stops(page, api):
    api.statuses = [{"status": "calling_operator"}, {"status": "calling_visitor"}, {"status": "connected"}]
    visit(page, api)
    page.click("#ringback-callback .rb-launcher")
    page.evaluate(RECORD_STATUS)
    submit_number(page, "4155550123")
    page.wait_for_function("() => window.__ringback.widget.status === 'connected'", timeout=8000)
    assert page.evaluate("() => window.__shown") == [
        "Sending…", "Request received…", "Calling a manager…", "Connecting you…", "Connected"]
    assert page.evaluate(WIDGET)["statuses"] == ["accepted", "calling_operator", "calling_visitor", "connected"]
    assert all(url.endswith("/v1/callbacks/cb_1?siteKey=pk_test") for url in api.polls)
    polls = len(api.polls)
    page.wait_for_timeout(1800)
    assert len(api.polls) == polls == 3       # a final status: no more polling
    assert page.errors == []


def test_a_retry_shows_its_time_and_a_miss_says_we_will_be_in_touch(page, api):
    visit(page, api)
    retry_at = page.evaluate(LOCAL_MS, [12, 34, 0])
    api.statuses = [{"status": "retry_scheduled", "retryAt": retry_at, "attempt": 2}, {"status": "missed"}]
    page.click("#ringback-callback .rb-launcher")
    submit_number(page, "4155550123")
    wait_status(page, "retry_scheduled")
    assert status_text(page) == "We'll retry at 12:34"
    wait_status(page, "missed")
    assert status_text(page) == "Sorry, we couldn't reach you. We'll be in touch."


def test_polling_runs_only_while_the_popup_is_open_and_survives_errors(page, api):
    api.statuses = ["network", {"status": "calling_operator"}]
    visit(page, api)
    page.click("#ringback-callback .rb-launcher")
    submit_number(page, "4155550123")
    wait_status(page, "accepted")
    page.click("#ringback-callback .rb-close")
    page.wait_for_timeout(1800)
    assert api.polls == []
    page.click("#ringback-callback .rb-launcher")
    wait_status(page, "calling_operator")      # the failed poll is retried, later
    assert len(api.polls) == 2
    assert page.errors == []


