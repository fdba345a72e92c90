"""Driving the dashboard as its users do, in Chromium: signing up and in through its own
pages, checking every page with axe-core, and saving each page at 1280 and 390 px.

A page that logs a console error, throws, or has a serious or critical axe violation
fails its test: a customer would see it broken or could not use it."""
from __future__ import annotations

import json
from pathlib import Path

from devstack.demo import DEMO_EMAIL, DEMO_PASSWORD
from tests.browser.conftest import EVENT_TIMEOUT_MS
from tests.support.accounts import PASSWORD, code_sent_to
from tests.support.stack import REPO

SCREENSHOTS = REPO / ".pytest_cache" / "screenshots" / "dashboard"
AXE = REPO / "frontend" / "dashboard" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (1280, 390)


def watch(page) -> list[str]:
    """The page's console errors and uncaught exceptions, as they happen."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"console: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    return problems


def sign_in(page, stack, email: str = DEMO_EMAIL, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{stack.url}/app/sign-in")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("header.top nav", timeout=EVENT_TIMEOUT_MS)


def sign_up(page, stack, email: str, password: str = PASSWORD) -> None:
    """A new customer's first minutes: sign up, the code from their e-mail, sign in."""
    page.goto(f"{stack.url}/app/")
    page.get_by_role("link", name="New to Ringback? Create an account").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Confirm your e-mail").wait_for()
    page.get_by_label("Code from the e-mail").fill(code_sent_to(stack, email))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("Your e-mail is confirmed. Sign in.").wait_for()
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("header.top nav", timeout=EVENT_TIMEOUT_MS)


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"] if v["impact"] in ("serious", "critical")
    ]


def check_page(page, name: str, problems: list[str] | None = None) -> None:
    """What every page of the walk must pass, at both widths: no serious or critical axe
    violation, no console error; and its screenshots saved for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or {"width": 1280, "height": 800}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_function("() => !document.querySelector('.state.loading')", timeout=EVENT_TIMEOUT_MS)
        violations = axe_violations(page)
        assert violations == [], f"{name} at {width} px:\n{json.dumps(violations, indent=1)}"
        # Nothing sticks out sideways at 390 px: a phone would scroll the whole page.
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name} at {width} px is {overflow} px wider than the screen"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)
    if problems is not None:
        assert problems == [], f"{name}: {problems}"


def screenshot_path(name: str, width: int) -> Path:
    return SCREENSHOTS / f"{name}-{width}.png"
