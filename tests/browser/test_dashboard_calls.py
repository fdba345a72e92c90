"""The dashboard's calls page against the real local stack: opened with an API key of the
demo tenant, it shows a call placed while it is open, without a reload, with its source
and why the product named that visit."""
from pathlib import Path

import pytest

from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.support.accounts import call
from tests.support.calls import call_after_a_visit
from tests.support.stack import Stack, id_token

pytestmark = pytest.mark.e2e

ARTEFACTS = Path(__file__).resolve().parents[2] / ".pytest_cache" / "screenshots"


@pytest.fixture(scope="module")
def stack(swap_script, tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"))
    yield stack
    stack.stop()


def test_a_call_placed_while_the_calls_page_is_open_appears_with_its_source_and_why(stack, page):
    status, key = call(stack, "POST", "/v1/api-keys", id_token(stack), {"name": "dashboard", "access": "read"})
    assert status == 201, key
    console = []
    page.on("console", lambda message: console.append(message) if message.type == "error" else None)
    page.goto(f"{stack.url}/app/")
    page.fill("#key", key["secret"])
    page.keyboard.press("Enter")  # the form works from the keyboard
    page.wait_for_selector("main >> text=No calls in the last seven days yet.", timeout=EVENT_TIMEOUT_MS)
    loads = []
    page.on("load", lambda _: loads.append(1))

    sid = call_after_a_visit(stack, "client-dashboard-01", "dashboard-spring", "+14155550066")

    row = page.wait_for_selector(f"tr[data-call='tw:{sid}']", timeout=EVENT_TIMEOUT_MS)
    text = row.inner_text()
    assert "google / cpc / dashboard-spring" in text and "+14155550066" in text
    assert "was on the site when they called" in text and "% sure" in text
    assert loads == [], "the page reloaded"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=str(ARTEFACTS / "dashboard-calls-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 800})
    page.screenshot(path=str(ARTEFACTS / "dashboard-calls-390.png"), full_page=True)
    assert page.errors == [] and console == []
