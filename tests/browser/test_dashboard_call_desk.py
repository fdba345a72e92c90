"""The call desk in the dashboard, as the demo business uses it: a call's page says where
the caller came from and plays its recording; the business marks it a sale with tags and
a note, which persist through the API and filter the log; the caller's card gathers their
calls; a missed call waits in the call-back queue until someone marks it done."""
import urllib.parse

import pytest
from playwright.sync_api import expect

from devstack.demo import DEMO_DESTINATION, DEMO_STATIC_NUMBER
from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.browser.dashboard import check_page, sign_in, watch
from tests.support.accounts import call
from tests.support.calls import call_after_a_visit, http, place_call, wait_for_hook
from tests.support.stack import Stack, id_token

pytestmark = pytest.mark.e2e

CALLER = "+14155550071"
MISSED_CALLER = "+14155550072"


@pytest.fixture(scope="module")
def stack(swap_script, tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"))
    yield stack
    stack.stop()


def test_a_call_is_qualified_annotated_and_found_again(stack, page):
    problems = watch(page)
    sid = call_after_a_visit(stack, "client-desk-01", "desk-roofing", CALLER, talk_for=6)
    call_id = f"tw:{sid}"
    sign_in(page, stack)
    page.locator(f"tr[data-call='{call_id}'] a").first.click()
    page.get_by_role("heading", name="Call from +1 415-555-0071").wait_for()
    attribution = page.locator("section[aria-labelledby='attribution']")
    attribution.locator("p.source").get_by_text("google / cpc / desk-roofing").wait_for()
    assert "% sure" in attribution.inner_text()

    # The recording comes on request, through a short-lived link, into the page's player.
    page.get_by_role("button", name="Play the recording").click()
    player = page.get_by_label("Recording 1 of the call")
    player.wait_for()
    assert player.get_attribute("src").startswith("http")
    check_page(page, "call", problems)

    lead = page.locator("section[aria-labelledby='lead-title']")
    lead.get_by_label("Sale", exact=True).check()
    lead.get_by_label("Sale value (USD)").fill("250")
    lead.get_by_label("Tags").fill("Roof, urgent")
    lead.get_by_role("button", name="Save").click()
    lead.get_by_text("Saved.").wait_for()
    lead.get_by_text("Last changed by demo@ringback.local").wait_for()
    notes = page.locator("section[aria-labelledby='notes-title']")
    notes.get_by_label("Note").fill("Wants a quote for the whole roof by Friday.")
    notes.get_by_role("button", name="Add a note").click()
    notes.get_by_text("Wants a quote for the whole roof by Friday.").wait_for()
    notes.get_by_text("demo@ringback.local,").wait_for()

    status, stored = call(stack, "GET", f"/v1/calls/{urllib.parse.quote(call_id)}", id_token(stack))
    assert status == 200, stored
    lead = stored["lead"]
    assert (lead["status"], lead["value"], lead["tags"]) == ("sale", 250, ["roof", "urgent"])
    assert [n["text"] for n in stored["lead"]["notes"]] == ["Wants a quote for the whole roof by Friday."]

    # A reload shows what was saved; the log filters by it.
    page.reload()
    expect(page.locator("section[aria-labelledby='lead-title']").get_by_label("Tags")).to_have_value("roof, urgent")
    page.goto(f"{stack.url}/app/calls")
    page.get_by_label("Lead status").select_option("sale")
    page.get_by_label("Tag", exact=True).fill("roof")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/app/calls?*leadStatus=sale*")
    rows = page.locator("table.calls tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1 and rows.first.get_attribute("data-call") == call_id
    assert "Sale" in rows.first.inner_text() and "#roof" in rows.first.inner_text()
    check_page(page, "calls-filtered", problems)

    # The caller's card gathers their calls.
    rows.first.get_by_role("link", name="+1 415-555-0071").click()
    page.get_by_role("heading", name="Caller +1 415-555-0071").wait_for()
    page.locator(f"a[href='/app/calls/{urllib.parse.quote(call_id)}']").wait_for()
    check_page(page, "caller", problems)


def test_a_missed_call_waits_in_the_queue_until_marked_done(stack, page):
    problems = watch(page)
    http("POST", f"{stack.carrier_url}/_carrier/script", {"number": DEMO_DESTINATION, "party": {"outcome": "busy"}})
    sid = place_call(stack, MISSED_CALLER, DEMO_STATIC_NUMBER)
    wait_for_hook(stack, "/v1/carrier/dial-complete", sid)
    sign_in(page, stack)
    page.get_by_role("link", name="To call back").click()
    row = page.locator(f"tr[data-call='tw:{sid}']")
    row.wait_for(timeout=EVENT_TIMEOUT_MS)
    assert row.get_by_role("link", name="Call back").get_attribute("href") == f"tel:{MISSED_CALLER}"
    check_page(page, "queue", problems)
    row.get_by_role("button", name="Mark done").click()
    row.wait_for(state="detached", timeout=EVENT_TIMEOUT_MS)
    status, stored = call(stack, "GET", f"/v1/calls/{urllib.parse.quote('tw:' + sid)}", id_token(stack))
    assert stored["lead"]["follow_up"] == "done", stored
    assert problems == []
