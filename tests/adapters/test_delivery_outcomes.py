"""What a delivery over a real socket is recorded as (ringback.calls.deliveries.send with
the real poster): a 2xx is delivered, a receiver that never answers timed out, a closed
port failed, and an address the guard refuses refused before anything is sent."""
from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ringback.adapters.http_out import poster
from ringback.calls.deliveries import send


@pytest.fixture
def answering():
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(202)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent():
    """Accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    yield listener.getsockname()[1]
    listener.close()


def test_a_2xx_is_delivered(answering):
    sent = send(poster(allow_local=True), f"http://127.0.0.1:{answering}/in", b"{}", {})
    assert (sent.outcome, sent.status, sent.error) == ("delivered", 202, None) and sent.duration_ms >= 0


def test_a_receiver_that_never_answers_timed_out(silent):
    sent = send(poster(allow_local=True, timeout=0.3), f"http://127.0.0.1:{silent}/in", b"{}", {})
    assert (sent.outcome, sent.status) == ("timed_out", None) and sent.duration_ms >= 250


def test_a_closed_port_failed():
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    sent = send(poster(allow_local=True), f"http://127.0.0.1:{port}/in", b"{}", {})
    assert (sent.outcome, sent.status) == ("failed", None) and "refused" in sent.error.lower()


def test_an_address_inside_a_network_is_refused_and_never_reached(answering):
    sent = send(poster(), f"https://127.0.0.1:{answering}/in", b"{}", {})
    assert (sent.outcome, sent.status) == ("refused", None) and "loopback" in sent.error
