"""Lambda's Invoke API on this machine, for the functions' non-HTTP entry points.

moto's Step Functions engine invokes the dial workflow's task handler through Lambda's
Invoke API (POST /2015-03-31/functions/{name}/invocations); the moto server forwards
those calls here (devstack/moto_server.py). Each function is the real handler from
functions/*/app.py, called with the event as Lambda would call it. A handler that raises
answers 200 with X-Amz-Function-Error: Unhandled and {errorType, errorMessage}, as
Lambda does, so Retry and Catch in the state machine see the same error they would in
AWS.
"""
from __future__ import annotations

import json
import threading
import traceback
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

INVOCATIONS = "/2015-03-31/functions/"


def function_name(name_or_arn: str) -> str:
    """Invoke accepts a name, an ARN or a partial ARN; the name is what follows function:."""
    if ":function:" in name_or_arn:
        return name_or_arn.split(":function:", 1)[1].split(":", 1)[0]
    return name_or_arn


class LambdaContext:
    def __init__(self, name: str) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = name

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


class LocalLambda:
    """`handlers` maps a function name to its handler, or to the URL of the process that
    serves it (the local stack's router in front of the functions' processes)."""

    def __init__(self, handlers: dict[str, Callable | str], host: str = "127.0.0.1", port: int = 0) -> None:
        self.handlers = handlers
        self.invocations = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                path = urllib.parse.unquote(self.path.split("?", 1)[0])
                if not path.startswith(INVOCATIONS) or not path.endswith("/invocations"):
                    return self._answer(404, {"Type": "User", "message": "not found"})
                name = function_name(path[len(INVOCATIONS):-len("/invocations")])
                handler = outer.handlers.get(name)
                if handler is None:
                    return self._answer(404, {"Type": "User", "Message": f"Function not found: {name}"},
                                        {"x-amzn-ErrorType": "ResourceNotFoundException"})
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b"{}"
                outer.invocations += 1
                if isinstance(handler, str):
                    return self._forward(handler, name, raw)
                try:
                    result = handler(json.loads(raw or b"{}"), LambdaContext(name))
                except Exception as error:  # noqa: BLE001 - Lambda reports any error this way
                    traceback.print_exc()
                    return self._answer(200, {"errorType": type(error).__name__, "errorMessage": str(error)},
                                        {"X-Amz-Function-Error": "Unhandled"})
                return self._answer(200, result)

            def _forward(self, url: str, name: str, raw: bytes) -> None:
                """To the function's own process (devstack/function_host.py), as is."""
                request = urllib.request.Request(f"{url}{INVOCATIONS}{name}/invocations", data=raw, method="POST",
                                                 headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(request, timeout=900) as answer:
                    payload = answer.read()
                    error = answer.headers.get("X-Amz-Function-Error")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                if error:
                    self.send_header("X-Amz-Function-Error", error)
                self.end_headers()
                self.wfile.write(payload)

            def _answer(self, status: int, body, headers: dict | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self) -> LocalLambda:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
