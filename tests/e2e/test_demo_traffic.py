"""`make dev` opens the demo dashboard on traffic: once the stack is up, visits with UTM
tags, calls through the local carrier (answered and recorded, or missed) and callbacks
through the widget's endpoint (one reached, one not) reach the product as production's
would, and the dashboard's API reads them. (tests/e2e/test_local_stack.py starts its
stack without this traffic: its tests count only what they make.)"""
import json
import time

import pytest

from tests.support.stack import EVENT_SECONDS, Stack, get, id_token

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("devstack"), demo_traffic=True)
    yield stack
    stack.stop()


def traffic_line(stack, timeout=4 * EVENT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in stack.output:
            if line.startswith("Demo traffic"):
                return line
        time.sleep(0.2)
    pytest.fail("the stack never said the demo traffic was in:\n" + "".join(stack.output))


def dashboard(stack, path):
    status, _, body = get(f"{stack.url}{path}", {"Authorization": id_token(stack)})
    assert status == 200, body
    return json.loads(body)


def test_the_banner_says_where_the_dashboard_is_and_who_signs_in(stack):
    from devstack.demo import DEMO_EMAIL, DEMO_PASSWORD

    banner = "".join(stack.output)
    assert f"{stack.url}/app/" in banner and DEMO_EMAIL in banner and DEMO_PASSWORD in banner
    assert "demo traffic" in banner


def test_the_demo_calls_are_in_the_call_log_answered_recorded_or_missed(stack):
    assert traffic_line(stack).startswith(
        "Demo traffic is in: 5 calls (3 answered, 3 recorded; 2 missed, 1 with a voicemail) and 2 callbacks")
    calls = {c["caller"]: c for c in dashboard(stack, "/v1/calls")["calls"]}
    assert len(calls) == 5
    tapped = calls["+13125550161"]
    assert tapped["status"] == "answered" and tapped["recordings"] and tapped["carrier_status"] == "completed"
    # The tap dialled the lease's code after the number: attributed by it, to the ad's campaign.
    assert tapped["attribution"]["method"] == "code" and tapped["attribution"]["campaign"] == "spring-sale"
    assert calls["+16175550162"]["attribution"]["source"] == "bing"
    assert calls["+14085550163"]["attribution"]["method"] == "static"
    # The operator was busy for two: one left a voicemail (recorded), one hung up.
    assert {calls[c]["status"] for c in ("+17735550164", "+15035550165")} == {"busy"}
    assert calls["+17735550164"]["recordings"] and not calls["+15035550165"]["recordings"]
    # The missed ones texted the alert contact, as any missed call does.
    assert all(calls[c]["alerts"] for c in ("+17735550164", "+15035550165"))


def test_the_demo_callbacks_are_listed_one_connected_one_missed(stack):
    traffic_line(stack)
    callbacks = {r["phone"]: r for r in dashboard(stack, "/v1/callback-requests")["callbacks"]}
    reached, unreachable = callbacks["+12085550142"], callbacks["+12085550143"]
    assert reached["status"] == "completed" and reached["outcome"]["talk_seconds"] > 0
    # From an organic search: the referrer names the source.
    assert reached["attribution"]["session_id"] and reached["attribution"]["source"] == "google.com"
    assert unreachable["status"] == "missed" and unreachable["outcome"]["result"] == "visitor_unreachable"
    detail = dashboard(stack, f"/v1/callback-requests/{reached['request_id']}")
    assert {leg["role"] for leg in detail["legs"]} == {"operator", "visitor"}
