"""Real-browser tests of the swap script: Debian Chromium driven by Playwright.

One browser for the whole session; a fresh context (so a fresh localStorage, a first-time
visitor) for every test. The script is built once per session with frontend/build.py,
into frontend/scripts/, which the edge serves as /v1/swap.js (infra/edge_routes.py).
"""
from __future__ import annotations

import functools
import http.server
import importlib.util
import shutil
import sys
import threading
from pathlib import Path

import pytest

from tests.support.stack import EVENT_SECONDS, REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu",
    "--disable-background-networking", "--disable-component-update", "--no-first-run",
]
PAGES = Path(__file__).parent / "pages"


def load_build_module():
    spec = importlib.util.spec_from_file_location("frontend_build", REPO / "frontend" / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def swap_script() -> Path:
    """The built, minified script (what the edge serves as GET /v1/swap.js)."""
    (built,) = [b for b in load_build_module().build() if b.name == "swap.js"]
    assert built.within_budget, f"swap.js is {built.gzip_bytes} B gzipped, over its {built.budget} B budget"
    return built.path


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail("Chromium is missing: `make browser` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# How long a wait for an event (a swap, a widget step) may take before it is a failure.
# Every wait is for the event itself, so a generous bound costs nothing when the event
# comes; a 2-core machine that is also running another suite needs it (10 s was seen to
# time out there on the first swap of a fresh stack).
EVENT_TIMEOUT_MS = EVENT_SECONDS * 1000


@pytest.fixture
def context(browser):
    context = browser.new_context()
    context.set_default_timeout(EVENT_TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.errors = []  # uncaught exceptions in the page: the script must never add any
    page.on("pageerror", lambda error: page.errors.append(error))
    return page


class _Files(http.server.SimpleHTTPRequestHandler):
    """tests/browser/pages/, plus the built script at /v1/swap.js (the API's path)."""

    script: Path

    def translate_path(self, path):
        if path.split("?")[0] == "/v1/swap.js":
            return str(self.script)
        return super().translate_path(path)

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


@pytest.fixture(scope="session")
def static_site(swap_script):
    """A customer's site on its own local origin; the API under it is stubbed per test."""
    handler = type("Files", (_Files,), {"script": swap_script})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(PAGES)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def customer_site(tmp_path):
    """The customer's own website on its own origin: (its folder, its origin)."""
    from tests.support.receivers import customer_pages

    pages = tmp_path / "site"
    pages.mkdir()
    with customer_pages(pages) as origin:
        yield pages, origin
