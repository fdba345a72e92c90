"""A running carrier and a tiny application server that answers its webhooks."""
from __future__ import annotations

import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from devstack.carrier import Carrier, client

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "carrier-test-token"
# The number the carrier fixture's account owns (voice and SMS): tests call and text from it.
OUR_NUMBER = "+14155550100"


class App:
    """Answers each path with the TwiML set for it and remembers what it received."""

    def __init__(self) -> None:
        self.routes: dict[str, str] = {}
        self.received: list[tuple[str, dict[str, str], dict[str, str]]] = []
        app = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                params = {k: v[0] for k, v in urllib.parse.parse_qs(raw, keep_blank_values=True).items()}
                path = urllib.parse.urlsplit(self.path).path
                app.received.append((path, params, dict(self.headers)))
                body = app.routes.get(path, "<Response/>").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def on(self, path: str, twiml: str) -> str:
        self.routes[path] = twiml
        return self.url + path

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [params for p, params, _ in self.received if p == path]


@pytest.fixture
def carrier():
    with Carrier(port=0, auth_token=AUTH_TOKEN, account_sid=ACCOUNT_SID, time_scale=0.005) as running:
        running.add_number(OUR_NUMBER)
        yield running


@pytest.fixture
def app():
    application = App()
    yield application
    application.server.shutdown()
    application.server.server_close()


def wait_for(predicate, within: float = 60.0, what: str = "the carrier"):
    """`predicate()` once it is truthy: waits for the event itself, polling, with a deadline
    generous enough for a busy machine."""
    deadline = time.monotonic() + within
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


@dataclass
class Tenant:
    """A subaccount and a twilio client logged in with its own credentials."""

    sid: str
    auth_token: str
    twilio: object


@pytest.fixture
def main_twilio(carrier):
    return client(carrier.port, ACCOUNT_SID, AUTH_TOKEN)


@pytest.fixture
def open_subaccount(carrier, main_twilio):
    """Opens a subaccount of the main account through Twilio's REST API, as a self-service
    sign-up does."""
    def open_one(name: str) -> Tenant:
        account = main_twilio.api.v2010.accounts.create(friendly_name=name)
        return Tenant(account.sid, account.auth_token, client(carrier.port, account.sid, account.auth_token))

    return open_one
