"""Servers on 127.0.0.1 that stand for a customer's systems in end-to-end tests (the
local stack's URL guard lets its webhooks and page fetches reach loopback)."""
from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@contextlib.contextmanager
def webhook_receiver(path: str = "/hooks", answer: Callable[[bytes], int] = lambda body: 200
                     ) -> Iterator[tuple[str, list[tuple[dict, bytes]]]]:
    """The customer's endpoint: keeps (headers, body) of every POST and answers with the
    status `answer` gives for its body."""
    received: list[tuple[dict, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(answer(body))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    with _serving(Handler) as origin:
        yield f"{origin}{path}", received


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


@contextlib.contextmanager
def customer_pages(folder: Path) -> Iterator[str]:
    """The customer's own website on its own origin, serving `folder`; yields the origin."""
    with _serving(functools.partial(_QuietFiles, directory=str(folder))) as origin:
        yield origin


@contextlib.contextmanager
def _serving(handler) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
