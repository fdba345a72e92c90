"""The callbacks pages against the real local stack: a visitor of the demo site (from a
Google ad) asks to be called back, the operator does not answer, and the demo owner sees
the missed request appear in the live list with its page and source; its page shows the
round, the operator's leg and the outcome; "Retry now" dials it again, and the new round
appears on that page, connected, with its recording.

The phone network and the product's clock run 100x faster than real time, as in
test_callback_e2e.py: a 10 s ring takes 0.1 s."""
import re

import pytest

from devstack.demo import DEMO_DESTINATION
from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.browser.dashboard import check_page, sign_in, watch
from tests.support.callbacks import FINAL, configure, dashboard, script, settled, wait_for
from tests.support.calls import http
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

VISITOR = "+14155550141"


@pytest.fixture(scope="module")
def stack(swap_script, tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"), clock_scale=0.01)
    yield stack
    stack.stop()


def leave_number(stack, phone: str) -> str:
    """What the widget sends for a visitor who came from an ad: their session, then the form."""
    page = f"{stack.site_url}/pricing?utm_source=google&utm_medium=cpc&utm_campaign=winter"
    status, offer = http("POST", f"{stack.url}/v1/sessions", {"siteKey": stack.site_key, "clientId": "cb-dash-01",
                                                              "page": page}, {"Origin": stack.site_url})
    assert status == 200, offer
    status, accepted = http("POST", f"{stack.url}/v1/callbacks", {
        "siteKey": stack.site_key, "phone": phone, "country": "US", "sessionId": offer["sessionId"], "page": page,
    }, {"Origin": stack.site_url})
    assert status == 202, accepted
    return accepted["requestId"]


def test_a_missed_callback_is_listed_live_and_retried_by_hand_into_a_new_round(stack, page):
    problems = watch(page)
    configure(stack, max_rounds=1, ring_seconds=10)
    script(stack, DEMO_DESTINATION, outcome="no-answer")
    sign_in(page, stack)
    page.get_by_role("link", name="Callbacks").click()
    page.get_by_role("heading", name="Callbacks").wait_for()
    page.wait_for_function("() => !document.querySelector('.state.loading')", timeout=EVENT_TIMEOUT_MS)
    check_page(page, "callbacks-empty", problems)

    # The request appears on the open page, and follows its dialling to "missed".
    rid = leave_number(stack, VISITOR)
    wait_for(stack, rid, FINAL)
    row = page.wait_for_selector(f"tr[data-request='{rid}'][data-status='missed']", timeout=EVENT_TIMEOUT_MS)
    text = row.inner_text()
    assert "+1 415-555-0141" in text and "/pricing" in text and "google / cpc / winter" in text, text
    assert "Missed" in text and "no operator answered" in text, text
    check_page(page, "callbacks", problems)

    # Its page: the round, the operator who did not answer, the outcome, no recording.
    page.locator(f"tr[data-request='{rid}'] a").click()
    # The number does not break (non-breaking space and hyphens): a phone wraps between words.
    page.get_by_role("heading", name=re.compile(r"^Callback to \+1\W415\W555\W0141$")).wait_for()
    settled(stack, rid)
    operator = page.locator(".cb-round[data-round='1'] tr[data-role='operator']")
    operator.wait_for()
    assert "+1 415-555-0199" in operator.inner_text() and "no answer" in operator.inner_text()
    assert page.locator("[data-outcome]").inner_text() == "no operator answered"
    assert "Missed: no operator answered" in page.locator(".cb-timeline").inner_text()
    check_page(page, "callback-missed", problems)

    # Retried by hand: this time the operator and the visitor answer.
    script(stack, DEMO_DESTINATION, answer_after=1, talk_for=400)
    script(stack, VISITOR, answer_after=1, talk_for=300)
    page.get_by_role("button", name="Retry now").click()
    page.get_by_text("Dialling again").wait_for()
    page.locator(".cb-round[data-round='2']").wait_for()
    page.locator(".cb-detail [data-status='completed']").wait_for()
    page.locator(".cb-recordings audio[controls]").wait_for()
    round_two = page.locator(".cb-round[data-round='2']").inner_text()
    assert "connected" in round_two and "Answered by +1 415-555-0199" in round_two, round_two
    assert page.locator(".cb-round[data-round='2'] tr[data-role='visitor']").count() == 1
    timeline = page.locator(".cb-timeline").inner_text()
    assert "Retry 1 by hand, asked for by you" in timeline and "The visitor and the operator are talking" in timeline
    detail = dashboard(stack, f"/v1/callback-requests/{rid}")
    assert detail["status"] == "completed" and [r["after"] for r in detail["retries"]] == ["missed"]
    assert [r["result"] for r in detail["rounds"]] == ["operator_no_answer", "connected"]
    check_page(page, "callback-retried", problems)

    # Back on the list, the request reads as completed.
    page.get_by_role("link", name="All callbacks").click()
    page.wait_for_selector(f"tr[data-request='{rid}'][data-status='completed']", timeout=EVENT_TIMEOUT_MS)
    assert problems == [], problems
