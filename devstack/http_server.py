"""The local stack's HTTP front: a threaded server that hands each request to a plain
function, and the JSON answer shape the local gateway and edge give their errors in."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# (method, path, headers, body, client IP) -> (status, headers, payload)
Handler = Callable[[str, str, dict, bytes | None, str], tuple[int, dict, bytes]]


def json_answer(status: int, body: dict) -> tuple[int, dict, bytes]:
    return int(status), {"Content-Type": "application/json"}, json.dumps(body).encode()


def serve(host: str, port: int, handle: Handler) -> ThreadingHTTPServer:
    """An HTTP server on its own thread; call .shutdown() to stop it."""

    class RequestHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _respond(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items()}
            status, response_headers, payload = handle(self.command, self.path, headers, body, self.client_address[0])
            self.send_response(status)
            for name, value in response_headers.items():
                if name.lower() not in {"content-length", "connection"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _respond

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's name
            pass  # the functions log every request themselves, masked

    server = ThreadingHTTPServer((host, port), RequestHandler)
    server.daemon_threads = True
    # A short poll interval: shutdown() waits for the loop to notice (Ctrl-C within 2 s).
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"http-{port}",
                     daemon=True).start()
    return server
