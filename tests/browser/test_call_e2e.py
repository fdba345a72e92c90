"""The whole inbound path in a real browser: a visitor opens the demo site with UTM tags,
sees a tracking number, and the local carrier calls exactly that number."""
import json
import urllib.parse

import pytest

from devstack.demo import DEMO_ALERT_CONTACT, DEMO_DESTINATION
from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.support.calls import aws_client, call_item, http, open_around_the_clock, place_call, wait_for_hook
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(swap_script, tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"))
    open_around_the_clock(stack)
    yield stack
    stack.stop()


def number_on_screen(page, stack, query):
    page.goto(f"{stack.site_url}/{query}")
    page.wait_for_function("() => window.__ringback && window.__ringback.swappedAt !== null", timeout=EVENT_TIMEOUT_MS)
    href = page.locator("header a[href^='tel:']").get_attribute("href")
    # What a phone dials on a tap: the number, pauses, and the visit's code.
    return href.removeprefix("tel:")


def test_a_visitor_calls_the_number_they_saw_and_the_call_carries_their_visit(stack, page):
    http("POST", f"{stack.carrier_url}/_carrier/script",
         {"number": DEMO_DESTINATION, "party": {"answer_after": 2, "talk_for": 15}})
    dialled = number_on_screen(page, stack, "?utm_source=google&utm_medium=cpc&utm_campaign=spring&utm_term=leak+fix")
    number, _, code = dialled.partition(",,")
    assert number != "+14155550100" and len(code) == 4
    assert f"ext. {code}" in page.locator("header").inner_text()
    sid = place_call(stack, "+14155550044", dialled)
    wait_for_hook(stack, "/v1/carrier/recording", sid)
    item = call_item(stack, sid)
    attribution = json.loads(item["attribution"]["S"])
    assert (attribution["source"], attribution["campaign"], attribution["keyword"]) == ("google", "spring", "leak fix")
    # The tap dialled the code after the number: the visit is named with certainty.
    assert (attribution["method"], attribution["level"]) == ("code", "high")
    [key] = [v["S"] for v in item["recordings"]["M"].values()]
    body = aws_client(stack, "s3").get_object(Bucket="ringback-local-recordings", Key=key)["Body"].read()
    assert body[:4] == b"RIFF"


def test_when_nobody_answers_the_missed_call_text_reaches_the_carrier(stack, page):
    http("POST", f"{stack.carrier_url}/_carrier/script",
         {"number": DEMO_DESTINATION, "party": {"outcome": "no-answer"}})
    # Dialled by hand, without the code: the prompt is skipped and the call still rings.
    number = number_on_screen(page, stack, "?utm_source=bing&utm_medium=cpc").partition(",")[0]
    sid = place_call(stack, "+14155550055", number)
    wait_for_hook(stack, "/v1/carrier/dial-complete", sid)
    _, messages = http("GET", f"{stack.carrier_url}/_carrier/messages?to={urllib.parse.quote(DEMO_ALERT_CONTACT)}")
    [text] = [m for m in messages if "+14155550055" in m["body"]]
    assert "bing" in text["body"] and text["from"] == number
