"""The onboarding wizard against the real local stack, as a new customer meets it: they
sign up, add their site, copy its snippet, check the install on their own page (first
without the snippet, which the wizard says, then with it), take the pool size the wizard
suggests for their traffic down to two numbers and buy them, and watch a call to the
number their page shows arrive in the wizard's last step with its source. Coming back
to /app/start, they land on that step with every step done."""
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.browser.dashboard import check_page, sign_up, watch
from tests.support.accounts import PASSWORD, call
from tests.support.calls import http, place_call
from tests.support.stack import EVENT_SECONDS, Stack, id_token

pytestmark = pytest.mark.e2e

EMAIL = "owner@drain-doctors.example"
OWN_NUMBER = "+12065550100"  # printed on the customer's page
OFFICE = "+13035550190"  # where their calls ring
CALLER = "+14155550071"


@pytest.fixture(scope="module")
def stack(swap_script, tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"))
    yield stack
    stack.stop()


def home_page(snippet: str = "") -> str:
    return ("<!doctype html><html lang=en><head><meta charset=utf-8><title>Drain Doctors</title>" + snippet
            + f'</head><body><header><a href="tel:{OWN_NUMBER}">(206) 555-0100</a></header>'
              "<p>Blocked drain? Call us.</p></body></html>")


def test_a_new_customer_sets_up_tracking_in_the_wizard_and_watches_their_test_call_arrive(stack, page, customer_site):
    pages, origin = customer_site
    (pages / "index.html").write_text(home_page())
    problems = watch(page)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=stack.url)
    sign_up(page, stack, EMAIL)

    # 1. The site: the shell's "Get started" opens the wizard on its first step.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Get started").click()
    page.get_by_role("heading", name="Step 1 of 5: Your site").wait_for()
    check_page(page, "onboarding-site", problems)
    page.get_by_label("Site name").fill("Drain Doctors")
    page.get_by_label("Domains your site runs on").fill("127.0.0.1")
    page.get_by_label("The phone number printed on your site").fill("(206) 555-0100")
    page.get_by_label("Calls ring at").fill(OFFICE)
    page.get_by_label("Time zone").select_option("America/Denver")
    page.get_by_role("button", name="Add the site").click()

    # 2. The snippet, copied with its button.
    page.get_by_role("heading", name="Step 2 of 5: The snippet").wait_for()
    snippet = page.get_by_label("Your snippet").input_value()
    token = id_token(stack, EMAIL, PASSWORD)
    status, listed = call(stack, "GET", "/v1/sites", token)
    assert status == 200, listed
    [site] = listed["sites"]
    assert (site["name"], site["domains"], site["ownNumbers"], site["destinationNumbers"], site["timezone"]) == (
        "Drain Doctors", ["127.0.0.1"], [OWN_NUMBER], [OFFICE], "America/Denver")
    assert f'data-site-key="{site["siteKey"]}"' in snippet
    page.get_by_role("button", name="Copy", exact=True).click()
    page.get_by_text("Copied.").wait_for()
    check_page(page, "onboarding-snippet", problems)

    # 3. The install check: the page has no snippet yet, and the wizard says so...
    page.get_by_role("button", name="Next: check the install").click()
    page.get_by_role("heading", name="Step 3 of 5: Check the install").wait_for()
    page.get_by_label("Address of a page with the snippet").fill(f"{origin}/")
    page.get_by_role("button", name="Check the page").click()
    result = page.locator(".onb-result[data-installed='false']")
    result.wait_for()
    assert page.locator(".onb-check[data-check='reachable'][data-ok='true']").count() == 1
    missing = page.locator(".onb-check[data-check='snippet']").inner_text()
    assert "The snippet is not on the page" in missing and "No Ringback snippet was found" in missing, missing
    assert "Paste the snippet below" in missing
    assert page.get_by_label("Your snippet").input_value() == snippet  # offered again, to paste
    check_page(page, "onboarding-install-missing", problems)
    # ...then it is pasted, and the check passes.
    (pages / "index.html").write_text(home_page(snippet))
    page.get_by_role("button", name="Check again").click()
    page.locator(".onb-result[data-installed='true']").wait_for()
    assert page.locator(".onb-check[data-ok='true']").count() == 4
    page.get_by_text("Your snippet is installed").wait_for()
    check_page(page, "onboarding-install-ok", problems)

    # 4. Numbers: the size for a thousand visitors a day, then two numbers bought.
    page.get_by_role("button", name="Next: numbers").click()
    advice = page.locator(".onb-advice")
    advice.wait_for()
    suggested = int(advice.get_attribute("data-size"))
    assert 20 <= suggested <= 50, suggested
    # The advice fills in the pool's size (a moment after it shows).
    expect(page.get_by_label("Numbers in the pool")).to_have_value(str(suggested), timeout=EVENT_TIMEOUT_MS)
    page.get_by_label("Visitors a day you expect").fill("100")
    page.get_by_role("button", name="Suggest a size").click()
    page.wait_for_function("(before) => { const a = document.querySelector('.onb-advice');"
                           " return a && Number(a.dataset.size) < before; }", arg=suggested, timeout=EVENT_TIMEOUT_MS)
    page.get_by_label("Area code").fill("212")
    page.get_by_role("button", name="Find numbers").click()
    page.locator(".onb-found").wait_for()
    page.get_by_label("Numbers in the pool").fill("2")
    check_page(page, "onboarding-numbers", problems)
    page.get_by_role("button", name="Buy 2 numbers").click()
    page.get_by_text('Bought: the pool "All visitors" has 2 numbers.').wait_for()
    page.wait_for_function("() => document.querySelectorAll('.onb-numbers tbody tr').length === 2",
                           timeout=EVENT_TIMEOUT_MS)
    status, pools = call(stack, "GET", "/v1/pools", token)
    assert status == 200 and [(p["siteId"], p["name"], p["numbers"]) for p in pools["pools"]] == [
        (site["siteId"], "All visitors", 2)], pools
    status, numbers = call(stack, "GET", f"/v1/sites/{site['siteId']}/numbers", token)
    bought = {n["number"] for n in numbers["numbers"]}
    assert len(bought) == 2 and all(n.startswith("+1212") for n in bought), numbers
    check_page(page, "onboarding-numbers-bought", problems)

    # 5. The test call: the customer's page shows one of the pool's numbers; they call it.
    page.get_by_role("button", name="Next: a test call").click()
    page.get_by_role("heading", name="Step 5 of 5: Test call").wait_for()
    page.locator(".onb-waiting").wait_for()
    check_page(page, "onboarding-call-waiting", problems)
    http("POST", f"{stack.carrier_url}/_carrier/script",
         {"number": OFFICE, "party": {"answer_after": 1, "talk_for": 5}})
    visitor = page.context.new_page()
    visitor.goto(f"{origin}/?utm_source=google&utm_medium=cpc&utm_campaign=drains")
    visitor.wait_for_function("() => window.__ringback && window.__ringback.swappedAt !== null",
                              timeout=EVENT_TIMEOUT_MS)
    dialled = visitor.locator("header a[href^='tel:']").get_attribute("href").removeprefix("tel:")
    assert dialled.partition(",")[0] in bought, (dialled, bought)
    visitor.close()
    # The calls page, open in another tab, shows the call live as well (step 6).
    desk = page.context.new_page()
    desk_problems = watch(desk)
    desk.goto(f"{stack.url}/app/calls")
    desk.get_by_text("No calls in the last seven days yet.").wait_for()
    sid = place_call(stack, CALLER, dialled)
    arrived = page.wait_for_selector(f".onb-arrived[data-call='tw:{sid}']", timeout=EVENT_TIMEOUT_MS)
    text = arrived.inner_text()
    assert "Your call arrived." in text and "+1 415-555-0071" in text and "google / cpc / drains" in text, text
    check_page(page, "onboarding-call-arrived", problems)

    # Coming back later, the wizard opens on its last step, every step done.
    page.goto(f"{stack.url}/app/start")
    page.wait_for_url("**/app/start/call?site=*", timeout=EVENT_TIMEOUT_MS)
    page.locator(f".onb-arrived[data-call='tw:{sid}']").wait_for()
    assert page.locator(".onb-steps li.done").count() == 5

    # 6. In the calls log, without a reload: the call with its source; its page plays the
    # recording, and the customer marks it a lead with a tag and a note.
    row = desk.locator(f"tr[data-call='tw:{sid}']")
    row.wait_for(timeout=EVENT_TIMEOUT_MS)
    assert "google / cpc / drains" in row.inner_text() and "+1 415-555-0071" in row.inner_text()
    row.get_by_role("link").first.click()
    desk.get_by_role("heading", name="Call from +1 415-555-0071").wait_for()
    desk.get_by_role("button", name="Play the recording").click()  # appears once the recording is in
    desk.get_by_label("Recording 1 of the call").wait_for()
    lead = desk.locator("section[aria-labelledby='lead-title']")
    lead.get_by_label("Lead", exact=True).check()
    lead.get_by_label("Tags").fill("blocked-drain")
    lead.get_by_role("button", name="Save").click()
    lead.get_by_text("Saved.").wait_for()
    notes = desk.locator("section[aria-labelledby='notes-title']")
    notes.get_by_label("Note").fill("Kitchen sink, wants a visit tomorrow morning.")
    notes.get_by_role("button", name="Add a note").click()
    notes.get_by_text("Kitchen sink, wants a visit tomorrow morning.").wait_for()
    check_page(desk, "walk-call-lead", desk_problems)
    status, stored = call(stack, "GET", f"/v1/calls/tw:{sid}", token)
    assert (stored["lead"]["status"], stored["lead"]["tags"]) == ("lead", ["blocked-drain"]), stored

    # 7. The calls-by-source report counts it as a lead of google / cpc / drains, once the
    # analytics pipeline has written the change (asynchronously, as in AWS).
    desk.get_by_role("link", name="Reports").click()
    report_shows_the_lead(desk, stack, token)
    check_page(desk, "walk-report", desk_problems)
    assert problems == [] and desk_problems == [], (problems, desk_problems)


def report_shows_the_lead(page, stack, token):
    """The calls-by-source report, once the analytics pipeline has the lead (it writes the
    table's changes to Parquet in the background, as in AWS): the campaign's row counts one
    lead on the page."""
    deadline = time.monotonic() + EVENT_SECONDS
    while True:
        status, answer = call(stack, "GET", "/v1/reports/calls_by_source?campaign=drains", token)
        assert status == 200, answer
        if answer["rows"] and answer["rows"][0]["leads"] == 1:
            break
        assert time.monotonic() < deadline, f"the report never counted the lead: {answer['rows']}"
        time.sleep(0.5)
    page.get_by_role("heading", name="Reports", level=1).wait_for()
    page.goto(f"{stack.url}/app/reports/calls_by_source")
    row = page.locator("#rep-rows tbody tr", has_text="drains")
    row.wait_for(timeout=EVENT_TIMEOUT_MS)
    assert row.locator("td[data-column='leads'] .rep-now").inner_text() == "1"
    assert "google" in row.inner_text() and "cpc" in row.inner_text()
