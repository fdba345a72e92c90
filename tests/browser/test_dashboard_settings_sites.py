"""The site settings against the real local stack, driven as the demo owner does: a site
added and deleted; the demo site renamed and its snippet shown; a number bought from the
carrier's inventory and released; a pool's rule changed and the rule order reordered from
the keyboard; routing and working hours; the widget designer's live preview running the
real widget script and following an unsaved text; the callback settings, alert contacts
and a caller ID verification. Every change is read back through the API, and every tab
passes check_page."""
import pytest

from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.browser.dashboard import SCREENSHOTS, check_page, sign_in, watch
from tests.support.accounts import PASSWORD, accept_invitation, call
from tests.support.stack import Stack, id_token

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(swap_script, tmp_path_factory):
    # swap_script builds the scripts the edge serves: /v1/widget.js among them.
    stack = Stack(tmp_path_factory.mktemp("devstack"))
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def token(stack):
    return id_token(stack)


@pytest.fixture(scope="module")
def site_id(stack, token):
    status, body = call(stack, "GET", "/v1/sites", token)
    assert status == 200
    return body["sites"][0]["siteId"]


def settled(page):
    page.wait_for_function("() => !document.querySelector('.state.loading')", timeout=EVENT_TIMEOUT_MS)


def open_tab(page, stack, site_id, tab):
    page.goto(f"{stack.url}/app/settings/sites/{site_id}/{tab}")
    page.wait_for_selector(f".tab-body[data-tab='{tab}']", timeout=EVENT_TIMEOUT_MS)
    settled(page)


def test_a_site_is_added_with_its_hours_and_deleted_after_a_confirmation(stack, page, token):
    problems = watch(page)
    sign_in(page, stack)
    page.goto(f"{stack.url}/app/settings/sites")
    page.get_by_role("heading", name="Your sites").wait_for()
    settled(page)
    check_page(page, "settings-sites", problems)

    page.get_by_role("button", name="Add a site").click()
    page.get_by_label("Name").fill("Second shop")
    page.get_by_label("Allowed domains").fill("second.example, shop.example")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_label("On these hours").check()
    page.get_by_label("Open on Saturday").check()
    check_page(page, "settings-sites-new", problems)
    page.get_by_role("button", name="Create the site").click()
    page.get_by_role("heading", name="Second shop").wait_for()

    _, body = call(stack, "GET", "/v1/sites", token)
    [made] = [s for s in body["sites"] if s["name"] == "Second shop"]
    assert made["domains"] == ["second.example", "shop.example"] and made["timezone"] == "Europe/London"
    assert made["workingHours"]["mon"] == [["09:00", "18:00"]] and made["workingHours"]["sat"] == [["09:00", "18:00"]]
    assert "sun" not in made["workingHours"]

    page.get_by_role("link", name="← All sites").click()
    row = page.locator(f"tr[data-site='{made['siteId']}']")
    row.get_by_role("button", name="Delete").click()
    row.get_by_role("button", name="No").wait_for()  # the question takes the focus, on the safe answer
    assert page.evaluate("() => document.activeElement.textContent") == "No"
    row.get_by_role("button", name="Yes").click()
    row.wait_for(state="detached")
    _, body = call(stack, "GET", "/v1/sites", token)
    assert [s for s in body["sites"] if s["siteId"] == made["siteId"]] == []
    assert problems == [], problems


def test_the_general_tab_renames_the_site_and_shows_its_snippet(stack, page, token, site_id):
    problems = watch(page)
    sign_in(page, stack)
    open_tab(page, stack, site_id, "general")
    _, snippet = call(stack, "GET", f"/v1/sites/{site_id}/snippet", token)
    assert page.locator("pre.snippet").inner_text() == snippet["snippet"]
    check_page(page, "settings-site-general", problems)

    page.get_by_label("Name").fill("Demo Plumbing (main site)")
    page.get_by_role("button", name="Save").first.click()
    page.get_by_role("status").get_by_text("Saved.").wait_for()
    page.get_by_role("heading", name="Demo Plumbing (main site)").wait_for()
    _, site = call(stack, "GET", f"/v1/sites/{site_id}", token)
    assert site["name"] == "Demo Plumbing (main site)"
    assert problems == [], problems


def test_a_number_bought_from_the_carrier_is_listed_and_released(stack, page, token, site_id):
    problems = watch(page)
    sign_in(page, stack)
    open_tab(page, stack, site_id, "numbers")
    check_page(page, "settings-site-numbers", problems)

    page.get_by_role("button", name="Buy a number").click()
    page.get_by_label("Area code").fill("212")
    page.get_by_role("button", name="Search", exact=True).click()
    choice = page.locator("input[name='buy-number']").first
    choice.wait_for()
    number = choice.get_attribute("value")
    assert number.startswith("+1212555")
    choice.check()
    page.get_by_label("UTM source").last.fill("newsletter")
    check_page(page, "settings-site-numbers-buy", problems)
    page.get_by_role("button", name="Buy +1 212-").click()
    row = page.locator(f"tr[data-number='{number}']")
    row.wait_for()
    assert "UTM source: newsletter" in row.inner_text()
    _, listed = call(stack, "GET", f"/v1/sites/{site_id}/numbers", token)
    [bought] = [n for n in listed["numbers"] if n["number"] == number]
    assert bought["kind"] == "static" and bought["channel"] == {"utm_source": ["newsletter"]}

    row.get_by_role("button", name="Release").click()
    row.get_by_role("button", name="Yes").click()
    row.wait_for(state="detached")
    _, listed = call(stack, "GET", f"/v1/sites/{site_id}/numbers", token)
    assert number not in [n["number"] for n in listed["numbers"]]
    assert problems == [], problems


def test_a_pools_rule_is_changed_and_the_rule_order_reordered_from_the_keyboard(stack, page, token, site_id):
    problems = watch(page)
    sign_in(page, stack)
    open_tab(page, stack, site_id, "pools")
    page.locator(".pool .health .advice").wait_for()
    page.get_by_text("the first rule that matches the visit wins").wait_for()
    check_page(page, "settings-site-pools", problems)

    _, before = call(stack, "GET", f"/v1/sites/{site_id}/rule-order", token)
    first, second = before["order"][0], before["order"][1]
    moving = page.locator(f"ol.rule-order li[data-route='{second}'] button[data-dir='up']")
    moving.focus()
    page.keyboard.press("Enter")
    # The focus stays on the moved rule, now first: its "up" is off, so on its "down".
    page.wait_for_function(f"() => document.activeElement.closest('li')?.dataset.route === {second!r}")
    assert page.locator("ol.rule-order li").first.get_attribute("data-route") == second
    page.get_by_text("The new order is not saved yet.").wait_for()
    page.get_by_role("button", name="Save the order").click()
    page.locator("#order-title").locator("xpath=..").get_by_text("Saved.").wait_for()
    _, after = call(stack, "GET", f"/v1/sites/{site_id}/rule-order", token)
    assert after["order"][:2] == [second, first]

    pool = page.locator(".pool").first
    pool_id = pool.get_attribute("data-pool")
    pool.get_by_role("button", name="Edit").click()
    pool.get_by_label("UTM source").fill("google, bing")
    pool.get_by_label("Lease time, minutes").fill("45")
    check_page(page, "settings-site-pools-edit", problems)
    pool.get_by_role("button", name="Save").click()
    page.locator(f".pool[data-pool='{pool_id}']").get_by_text("UTM source: google, bing").wait_for()
    _, saved = call(stack, "GET", f"/v1/pools/{pool_id}", token)
    assert saved["rule"]["utm_source"] == ["google", "bing"] and saved["leaseSeconds"] == 45 * 60
    assert saved["rule"]["utm_medium"] == ["cpc", "ppc"]
    assert problems == [], problems


def test_routing_and_working_hours_are_saved(stack, page, token, site_id):
    problems = watch(page)
    sign_in(page, stack)
    open_tab(page, stack, site_id, "routing")
    check_page(page, "settings-site-routing", problems)

    page.get_by_label("Add a destination").fill("+1 415 555 0177")
    page.get_by_role("button", name="Add a destination").click()
    page.get_by_label("Ring", exact=True).select_option("in_order")
    page.get_by_label("Ring each, seconds").fill("25")
    page.get_by_role("button", name="Move +1 415-555-0177 up").click()
    page.locator("form[aria-labelledby='routing-title']").get_by_role("button", name="Save").click()
    page.locator("form[aria-labelledby='routing-title']").get_by_text("Saved.").wait_for()
    _, routing = call(stack, "GET", f"/v1/sites/{site_id}/routing", token)
    assert routing["destinations"] == ["+14155550177", "+14155550199"]
    assert routing["strategy"] == "in_order" and routing["ringSeconds"] == 25

    hours = page.locator("form[aria-labelledby='hours-title']")
    hours.get_by_label("On these hours").check()
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        hours.get_by_label(f"Open on {day}").check()
    hours.get_by_label("Monday, range 1: opens").fill("08:30")
    hours.get_by_role("button", name="Add a range to Friday").click()
    hours.get_by_label("Friday, range 2: opens").fill("19:00")
    hours.get_by_label("Friday, range 2: closes").fill("23:00")
    check_page(page, "settings-site-routing-hours", problems)
    hours.get_by_role("button", name="Save the hours").click()
    hours.get_by_text("Saved.").wait_for()
    _, site = call(stack, "GET", f"/v1/sites/{site_id}", token)
    assert site["workingHours"]["mon"] == [["08:30", "18:00"]]
    assert site["workingHours"]["fri"] == [["09:00", "18:00"], ["19:00", "23:00"]]
    assert "sat" not in site["workingHours"]
    assert problems == [], problems


def test_the_widget_designer_previews_the_real_widget_with_unsaved_texts(stack, page, token, site_id):
    problems = watch(page)
    sign_in(page, stack)
    open_tab(page, stack, site_id, "widget")
    frame = page.frame_locator("iframe.preview-frame")
    # The real script built the real widget in the frame, open as the designer asked.
    frame.locator("#ringback-callback .rb-launcher").wait_for()
    title = frame.locator("#rb-title")
    title.wait_for()
    assert title.inner_text() == "Want us to call you?"
    page.get_by_text("The real widget script is running").wait_for()
    check_page(page, "settings-site-widget", problems)

    page.get_by_label("Title", exact=True).fill("Shall we ring you back?")
    frame.locator("#rb-title", has_text="Shall we ring you back?").wait_for()
    page.get_by_label("Position").select_option("left")
    frame.locator("#ringback-callback.rb-left").wait_for()
    # A full-page screenshot leaves the sandboxed frame (another process) blank: the
    # preview is saved on its own, as the designer sees it.
    page.locator("section.preview").screenshot(path=str(SCREENSHOTS / "settings-site-widget-preview-1280.png"))
    page.get_by_label("Seconds on the page").fill("20")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    _, widget = call(stack, "GET", f"/v1/sites/{site_id}/widget", token)
    assert widget["theme"]["texts"]["en"]["title"] == "Shall we ring you back?"
    assert widget["theme"]["position"] == "left" and widget["triggers"]["secondsOnPage"] == 20

    page.get_by_label("Phone width").check()
    frame.locator("#rb-title", has_text="Shall we ring you back?").wait_for()
    check_page(page, "settings-site-widget-phone", problems)
    page.set_viewport_size({"width": 390, "height": 800})
    frame.locator("#rb-title", has_text="Shall we ring you back?").wait_for()
    page.locator("section.preview").screenshot(path=str(SCREENSHOTS / "settings-site-widget-preview-390.png"))
    assert problems == [], problems


def test_callback_settings_alert_contacts_and_a_caller_id(stack, page, token, site_id):
    problems = watch(page)
    sign_in(page, stack)
    open_tab(page, stack, site_id, "callbacks")
    check_page(page, "settings-site-callbacks", problems)
    page.get_by_label("Rounds at most").fill("4")
    page.get_by_label("Record callbacks").uncheck()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    _, settings = call(stack, "GET", f"/v1/sites/{site_id}/callbacks", token)
    assert settings["maxRounds"] == 4 and settings["record"] is False and settings["callerId"] == "+14155550150"

    open_tab(page, stack, site_id, "alerts")
    check_page(page, "settings-site-alerts", problems)
    page.get_by_label("Numbers to text").fill("+14155550198\n+1 415 555 0166")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    _, contacts = call(stack, "GET", f"/v1/sites/{site_id}/alert-contacts", token)
    assert [c["number"] for c in contacts["contacts"]] == ["+14155550198", "+14155550166"]

    open_tab(page, stack, site_id, "caller-ids")
    check_page(page, "settings-site-caller-ids", problems)
    page.get_by_label("Number", exact=True).fill("+14155550142")
    page.get_by_label("Name", exact=True).fill("Office")
    page.get_by_role("button", name="Call me to verify").click()
    page.locator(".verify-code .code").wait_for()
    assert page.locator(".verify-code .code").inner_text().strip().isdigit()
    page.locator("tr[data-caller-id='+14155550142']").wait_for()
    check_page(page, "settings-site-caller-ids-code", problems)
    assert problems == [], problems


def test_an_analyst_sees_the_settings_but_no_control_that_would_be_refused(stack, page, token, site_id):
    status, _ = call(stack, "POST", "/v1/invitations", token, {"email": "analyst-sites@example.com", "role": "analyst"})
    assert status in (200, 201)
    accept_invitation(stack, "analyst-sites@example.com")
    problems = watch(page)
    sign_in(page, stack, "analyst-sites@example.com", PASSWORD)
    for tab in ("general", "numbers", "pools", "routing", "widget", "callbacks", "alerts"):
        open_tab(page, stack, site_id, tab)
        page.get_by_text("Your role can see these settings but not change them.").wait_for()
        body = page.locator(".tab-body")
        for name in ("Save", "Buy a number", "New pool", "Release", "Delete", "Make a new site key", "Save the order"):
            assert body.get_by_role("button", name=name, exact=True).count() == 0, (tab, name)
        assert body.locator("fieldset.plain:not([disabled])").count() == 0, tab
    open_tab(page, stack, site_id, "widget")
    page.frame_locator("iframe.preview-frame").locator("#rb-title").wait_for()  # a viewer still sees the preview
    check_page(page, "settings-site-widget-analyst", problems)
    page.goto(f"{stack.url}/app/settings/sites")
    settled(page)
    assert page.get_by_role("button", name="Add a site").count() == 0
    assert problems == [], problems
