"""A person answers, declines and hangs up by hand: interactive parties, the control
endpoints behind the phone page, and the page itself in a browser."""
from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.error
import urllib.request

import pytest

from devstack.carrier import Carrier, Party
from tests.carrier.conftest import ACCOUNT_SID, AUTH_TOKEN

VISITOR, OUR_NUMBER, OPERATOR = "+14155550011", "+14155550100", "+14155550199"
WHISPER = "Call from the spring sale page"


@pytest.fixture
def carrier():
    # Slower than the shared fixture so that a person (an HTTP request here) acts within
    # a ring: 0.01 real seconds per simulated second.
    with Carrier(port=0, auth_token=AUTH_TOKEN, account_sid=ACCOUNT_SID, time_scale=0.01) as running:
        running.script(OPERATOR, Party.interactive())
        yield running


def control(carrier, path: str, body: dict | None = None) -> tuple[int, dict | list]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(carrier.url + path, data=data, method="GET" if body is None else "POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def dial(app, timeout: int = 600) -> None:
    app.on("/whisper", f"<Response><Say>{WHISPER}</Say></Response>")
    app.on("/after", "<Response><Hangup/></Response>")
    return app.on(
        "/voice",
        f'<Response><Dial timeout="{timeout}" action="{app.url}/after">'
        f'<Number url="{app.url}/whisper">{OPERATOR}</Number></Dial></Response>',
    )


def call_in(carrier, app, timeout: int = 600) -> str:
    carrier.add_number(OUR_NUMBER, voice_url=dial(app, timeout))
    status, call = control(carrier, "/_carrier/inbound", {"from": VISITOR, "to": OUR_NUMBER})
    assert status == 201
    return call["sid"]


def leg_of(carrier, parent_sid: str, until=lambda leg: True, within: float = 5.0) -> dict:
    """The operator's leg of the call, as GET /_carrier/state shows it, once `until` holds."""
    deadline = time.monotonic() + within
    while True:
        status, state = control(carrier, "/_carrier/state")
        assert status == 200
        legs = [c for c in state["calls"] if c["parent_call_sid"] == parent_sid]
        if legs and until(legs[0]):
            return legs[0]
        assert time.monotonic() < deadline, f"operator leg never matched: {legs}"
        time.sleep(0.01)


def ringing(leg: dict) -> bool:
    return leg["awaiting_decision"]


def test_answered_by_hand_hears_the_whisper_and_hanging_up_completes_the_dial(carrier, app):
    parent = call_in(carrier, app)
    leg = leg_of(carrier, parent, ringing)
    assert (leg["from"], leg["to"], leg["status"], leg["interactive"]) == (VISITOR, OPERATOR, "ringing", True)
    assert control(carrier, "/_carrier/state")[1]["operators"] == [OPERATOR]

    assert control(carrier, "/_carrier/answer", {"call_sid": leg["sid"]})[0] == 200
    leg = leg_of(carrier, parent, lambda leg: leg["status"] == "in-progress" and leg["heard"])
    assert leg["heard"] == [WHISPER] and not leg["awaiting_decision"]
    time.sleep(0.2)  # the whisper (twice 2.4 simulated seconds), then some conversation
    assert control(carrier, "/_carrier/hangup", {"call_sid": leg["sid"]})[0] == 200
    carrier.wait_idle()

    (after,) = app.requests_to("/after")
    assert after["DialCallStatus"] == "completed" and after["DialBridged"] == "true"
    assert int(after["DialCallDuration"]) >= 1
    leg = leg_of(carrier, parent)
    assert (leg["status"], leg["dial_status"]) == ("completed", "completed")
    assert carrier.calls[parent].status == "completed"


def test_declined_by_hand_is_busy(carrier, app):
    # Declining on a handset answers with 486 Busy Here / 603 Decline; Twilio error 34002
    # "Callee Busy" covers a device that rejects the call, and the leg ends busy.
    parent = call_in(carrier, app)
    leg = leg_of(carrier, parent, ringing)
    assert control(carrier, "/_carrier/decline", {"call_sid": leg["sid"]})[0] == 200
    carrier.wait_idle()

    (after,) = app.requests_to("/after")
    assert after["DialCallStatus"] == "busy" and after["DialBridged"] == "false"
    assert "DialCallDuration" not in after
    assert carrier.calls[leg["sid"]].status == "busy"
    assert app.requests_to("/whisper") == []


def test_no_decision_within_the_dial_timeout_is_no_answer(carrier, app):
    parent = call_in(carrier, app, timeout=5)  # 5 simulated seconds: 50 ms
    leg = leg_of(carrier, parent)
    carrier.wait_idle()

    (after,) = app.requests_to("/after")
    assert after["DialCallStatus"] == "no-answer"
    assert carrier.calls[leg["sid"]].status == "no-answer"
    status, body = control(carrier, "/_carrier/answer", {"call_sid": leg["sid"]})
    assert status == 400 and "not ringing" in body["message"]
    assert not leg_of(carrier, parent)["awaiting_decision"]


def test_the_visitor_hanging_up_while_it_rings_ends_the_ring(carrier, app):
    parent = call_in(carrier, app)
    leg = leg_of(carrier, parent, ringing)
    assert control(carrier, "/_carrier/hangup", {"call_sid": parent})[0] == 200
    carrier.wait_idle()

    assert carrier.calls[parent].status == "completed"
    assert carrier.calls[leg["sid"]].status == "canceled"
    assert app.requests_to("/after")[0]["DialCallStatus"] == "canceled"
    assert not leg_of(carrier, parent)["awaiting_decision"]


def test_control_endpoints_refuse_what_is_not_theirs_to_decide(carrier, app):
    assert control(carrier, "/_carrier/answer", {"call_sid": "CA" + "0" * 32})[0] == 400
    assert control(carrier, "/_carrier/hangup", {"call_sid": "CA" + "0" * 32})[0] == 400
    assert control(carrier, "/_carrier/decline", {})[0] == 400
    parent = call_in(carrier, app)
    leg = leg_of(carrier, parent, ringing)
    status, body = control(carrier, "/_carrier/hangup", {"call_sid": leg["sid"]})
    assert status == 400 and "answer or decline" in body["message"]
    assert control(carrier, "/_carrier/answer", {"call_sid": parent})[0] == 400  # not an interactive party
    assert control(carrier, "/_carrier/decline", {"call_sid": leg["sid"]})[0] == 200
    assert control(carrier, "/_carrier/answer", {"call_sid": leg["sid"]})[0] == 400  # decided already
    carrier.wait_idle()


def test_an_interactive_party_called_through_the_rest_api(carrier, app):
    twiml = app.on("/outbound", "<Response><Pause length=\"600\"/></Response>")
    call = carrier.outbound_call(OPERATOR, OUR_NUMBER, twiml, "POST", None, app.url + "/status",
                                 ["answered", "completed"], "POST", 600, False, None, "POST")
    deadline = time.monotonic() + 5
    while not carrier.state()["calls"][0]["awaiting_decision"]:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    carrier.answer(call.sid)
    while carrier.calls[call.sid].status != "in-progress" or not app.requests_to("/outbound"):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    carrier.hang_up(call.sid)
    carrier.wait_idle()

    assert [p["CallStatus"] for p in app.requests_to("/status")] == ["in-progress", "completed"]
    assert carrier.calls[call.sid].status == "completed"


def test_the_party_json_of_the_control_surface_can_be_interactive(carrier):
    status, _ = control(carrier, "/_carrier/script", {"number": "+14155550142", "party": {"outcome": "interactive"}})
    assert status == 200
    assert carrier.parties["+14155550142"] == Party.interactive()
    assert carrier.parties["+14155550142"].talk_for is None


# -- the page in a browser ------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def in_browser(drive) -> None:
    """Runs `drive(page)` in a fresh headless Chromium. In a thread of its own: when the
    browser tests run in the same session, their session-wide Playwright keeps an asyncio
    loop running in this thread, and the sync API refuses to start inside it."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not shutil.which(CHROMIUM):
        pytest.fail("Chromium is missing: `make browser` installs Debian's chromium")
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with playwright_api.sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page()
                    page.set_default_timeout(5000)
                    drive(page)
                finally:
                    browser.close()
        except BaseException as error:  # re-raised in the test's thread
            failures.append(error)

    thread = threading.Thread(target=run, name="phone-page-browser")
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the browser did not finish within 60 s"
    if failures:
        raise failures[0]


def test_the_phone_page_places_answers_and_hangs_up_a_call(carrier, app):
    carrier.add_number(OUR_NUMBER, voice_url=dial(app))
    in_browser(lambda page: place_answer_and_hang_up(page, carrier))
    carrier.wait_idle()
    assert app.requests_to("/after")[0]["DialCallStatus"] == "completed"


def place_answer_and_hang_up(page, carrier) -> None:
    from playwright.sync_api import expect

    page.goto(carrier.url + "/_carrier/phone")
    expect(page.locator("#operators")).to_have_text(OPERATOR)
    expect(page.locator("#from")).to_have_value(VISITOR)
    page.fill("#to", OUR_NUMBER)
    page.click("#call")

    ring = page.locator("#rings .card.ringing")
    expect(ring).to_contain_text(f"Incoming call to {OPERATOR} from {VISITOR}")
    expect(ring.locator(".status")).to_have_text("ringing")
    expect(page.locator("#my-calls .status")).to_have_text(f"in progress (ringing {OPERATOR})")
    ring.get_by_role("button", name="Answer").click()

    card = page.locator("#rings .card.ring").first
    expect(card.locator(".status")).to_have_text("in progress (connected)")
    expect(card.locator(".whisper")).to_have_text(WHISPER)
    expect(page.locator("#my-calls .status")).to_have_text("in progress (connected)")
    card.get_by_role("button", name="Hang up").click()

    expect(card.locator(".status")).to_have_text("completed")
    expect(card).to_contain_text("Dial outcome: completed")
    expect(card.get_by_role("button")).to_have_count(0)
    expect(page.locator("#my-calls .status")).to_have_text("completed")
    expect(page.locator("#webhooks tbody tr").first).to_be_visible()


def test_the_phone_page_declines_a_call_and_shows_the_sms_sent(carrier, app):
    carrier.add_number(OUR_NUMBER, voice_url=dial(app))
    in_browser(lambda page: decline_and_see_the_sms(page, carrier))
    carrier.wait_idle()
    assert app.requests_to("/after")[0]["DialCallStatus"] == "busy"


def decline_and_see_the_sms(page, carrier) -> None:
    from playwright.sync_api import expect

    page.goto(carrier.url + "/_carrier/phone")
    page.fill("#to", OUR_NUMBER)
    page.click("#call")
    page.locator("#rings .card.ringing").get_by_role("button", name="Decline").click()
    card = page.locator("#rings .card.ring").first
    expect(card.locator(".status")).to_have_text("busy")
    expect(card).to_contain_text("Dial outcome: busy")
    # What the application sends on a missed call (a POST to Messages.json) shows up too.
    carrier.send_message("+14155550177", OUR_NUMBER, f"Missed call from {VISITOR}", None, None)
    expect(page.locator("#messages tbody")).to_contain_text(f"Missed call from {VISITOR}")


def test_hanging_up_during_the_whisper_completes_the_leg_without_a_bridge(carrier, app):
    parent = call_in(carrier, app)
    leg = leg_of(carrier, parent, ringing)
    # A whisper of 1.2 real seconds, so the hangup lands in it on a busy machine too (the
    # usual one lasts 24 ms here); the leg ends when it is over.
    app.on("/whisper", f'<Response><Say loop="50">{WHISPER}</Say></Response>')
    assert control(carrier, "/_carrier/answer", {"call_sid": leg["sid"]})[0] == 200
    leg_of(carrier, parent, lambda leg: leg["heard"])  # the whisper has started
    assert control(carrier, "/_carrier/hangup", {"call_sid": leg["sid"]})[0] == 200
    carrier.wait_idle()

    (after,) = app.requests_to("/after")
    assert after["DialCallStatus"] == "completed" and after["DialBridged"] == "false"
    assert after["DialCallDuration"] == "0"
    assert carrier.calls[leg["sid"]].status == "completed"
