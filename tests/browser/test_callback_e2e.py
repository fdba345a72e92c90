"""Callbacks in a real browser, on the local stack: a visitor lingers on the demo site, the
widget opens, they leave a number, and the local carrier rings the operator, then the
visitor, through the state machine the CDK app deploys (on moto's Step Functions engine).

The phone network and the product's clock run 100x faster than real time
(configuration, not another code path): a 2-minute retry takes about 2 s.
"""

import pytest

from devstack.demo import DEMO_DESTINATION
from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.support.callbacks import FINAL, configure, dashboard, opening_soon, script, settled, wait_for
from tests.support.calls import aws_client
from tests.support.stack import Stack

pytestmark = pytest.mark.e2e

LANDING = "?utm_source=google&utm_medium=cpc&utm_campaign=winter&utm_term=burst+pipe"
TRIGGERS = {"secondsOnPage": 1, "exitIntent": False, "cooldownHours": 24}


@pytest.fixture(scope="module")
def stack(swap_script, tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"), clock_scale=0.01)
    yield stack
    stack.stop()


def leave_number(page, stack, national: str) -> str:
    """Open the demo site, linger until the widget opens by itself, type the number."""
    page.stack = stack
    page.goto(f"{stack.site_url}/{LANDING}")
    page.wait_for_function("() => window.__ringback && window.__ringback.widget"
                           " && window.__ringback.widget.isOpen", timeout=15_000)
    assert page.evaluate("window.__ringback.widget.openedBy") == "time"
    dialog = page.locator("#rb-dialog")
    assert dialog.get_attribute("role") == "dialog" and dialog.get_attribute("aria-modal") == "true"
    submit = page.locator("#ringback-callback button[type=submit]")
    page.locator("#ringback-callback input[name=phone]").fill(national[:-1])
    assert submit.is_disabled()  # checked as it is typed: one digit short
    page.locator("#ringback-callback input[name=phone]").fill(national)
    assert submit.is_enabled()
    submit.click()
    page.wait_for_function("() => window.__ringback.widget.requestId", timeout=EVENT_TIMEOUT_MS)
    return page.evaluate("window.__ringback.widget.requestId")


def widget_status(page, wanted, timeout=40_000):
    try:
        page.wait_for_function(
            f"() => {list(wanted)!r}.includes(document.querySelector('#ringback-callback .rb-status').dataset.status)",
            timeout=timeout)
    except Exception:
        rid = page.evaluate("window.__ringback.widget.requestId")
        pytest.fail(f"the widget never showed {wanted}: it went through "
                    f"{page.evaluate('window.__ringback.widget.statuses')}; the request: "
                    f"{dashboard(page.stack, f'/v1/callback-requests/{rid}') if rid else None}")
    return page.locator("#ringback-callback .rb-status").inner_text()


def test_the_visitor_leaves_a_number_and_is_connected_with_the_operator(stack, page):
    configure(stack, triggers=TRIGGERS, ring_seconds=120)
    # The operator lets it ring for 100 s and they talk for 400 s (1 and 4 real seconds).
    script(stack, DEMO_DESTINATION, answer_after=100, talk_for=500)
    script(stack, "+14155550131", answer_after=3, talk_for=400)

    rid = leave_number(page, stack, "4155550131")
    # Shown while the two talk (4 real seconds), not after: the widget follows the call.
    assert widget_status(page, ("connected",)) == "Connected"

    _, seen = wait_for(stack, rid, FINAL)
    detail = settled(stack, rid)
    assert detail["status"] == "completed"
    assert [t["status"] for t in detail["transitions"]] == [
        "accepted", "calling_operator", "calling_visitor", "connected", "completed"]
    # Both legs, with their durations; the visit's attribution; the recording in S3.
    legs = {leg["role"]: leg for leg in detail["legs"]}
    assert legs["operator"]["number"] == DEMO_DESTINATION and legs["visitor"]["number"] == "+14155550131"
    assert legs["visitor"]["talk_seconds"] == 400 and legs["operator"]["ring_seconds"] >= 100
    attribution = detail["attribution"]
    assert (attribution["source"], attribution["campaign"], attribution["keyword"]) == ("google", "winter",
                                                                                         "burst pipe")
    [key] = [k for k in _recording_keys(stack) if f"/callbacks/{rid}/" in k]
    body = aws_client(stack, "s3").get_object(Bucket="ringback-local-recordings", Key=key)["Body"].read()
    assert body[:4] == b"RIFF"


def _recording_keys(stack):
    listed = aws_client(stack, "s3").list_objects_v2(Bucket="ringback-local-recordings",
                                                     Prefix=f"tenants/{stack.tenant_id}/")
    return [o["Key"] for o in listed.get("Contents", [])]


def test_when_no_operator_answers_the_visitor_is_told_and_the_site_alerted(stack, page):
    # The retry waits 300 product seconds (3 real), longer than the widget's 1.5 s poll.
    configure(stack, triggers=TRIGGERS, max_rounds=2, operator_retry_seconds=300, ring_seconds=10)
    script(stack, DEMO_DESTINATION, outcome="no-answer")
    rid = leave_number(page, stack, "4155550132")
    assert widget_status(page, ("retry_scheduled",)).startswith("We'll retry at")
    assert widget_status(page, ("missed", "failed")) == "Sorry, we couldn't reach you. We'll be in touch."
    detail = settled(stack, rid)
    assert [r["result"] for r in detail["rounds"]] == ["operator_no_answer", "operator_no_answer"]


def test_a_busy_visitor_is_called_again_and_then_connected(stack, page):
    configure(stack, triggers=TRIGGERS)
    script(stack, DEMO_DESTINATION, answer_after=2, talk_for=600)  # longer than the visitor talks
    script(stack, "+14155550133", outcome="busy")
    rid = leave_number(page, stack, "4155550133")
    wait_for(stack, rid, ("retry_scheduled",))
    script(stack, "+14155550133", answer_after=2, talk_for=400)
    assert widget_status(page, ("connected",)) == "Connected"
    wait_for(stack, rid, FINAL)
    assert [r["result"] for r in settled(stack, rid)["rounds"]] == ["visitor_busy", "connected"]


def test_off_hours_the_widget_offers_the_opening_and_the_call_comes_then(stack, page):
    # The site opens about 30 product minutes from now (18 real seconds), in its own zone:
    # room for the page to load and the visitor to type even on a busy machine.
    hours, opens = opening_soon(stack, "+14155550139", minutes=30)
    configure(stack, triggers=TRIGGERS, working_hours=hours, timezone_name="America/New_York")
    script(stack, DEMO_DESTINATION, answer_after=2, talk_for=600)  # longer than the visitor talks
    script(stack, "+14155550134", answer_after=2, talk_for=400)

    rid = leave_number(page, stack, "4155550134")
    assert widget_status(page, ("scheduled",)).startswith("We'll call you at")
    assert widget_status(page, ("connected",), timeout=18_000 + EVENT_TIMEOUT_MS) == "Connected"
    wait_for(stack, rid, FINAL)
    detail = settled(stack, rid)
    first_ring = next(t["at"] for t in detail["transitions"] if t["status"] == "calling_operator")
    assert first_ring >= int(opens.timestamp() * 1000)
