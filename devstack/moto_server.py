"""moto's server, with DynamoDB's per-item atomicity.

Real DynamoDB evaluates a condition expression and applies the write atomically, and
runs a transaction all-or-nothing against concurrent writers. moto's threaded server
does not: two concurrent conditional writes can both pass their condition. The lease
allocator's guarantees rest on that atomicity, so DynamoDB requests are served one at a
time here; every other service stays concurrent (Step Functions waits, for one, sleep).

    python -m devstack.moto_server PORT
"""
from __future__ import annotations

import os
import sys
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.moto_server.threaded_moto_server import MotoRequestHandler
from werkzeug.serving import run_simple


class SerialDynamoDB:
    def __init__(self, app) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with self._lock:
                return list(self._app(environ, start_response))
        return self._app(environ, start_response)


def main(argv: list[str]) -> None:
    port = int(argv[0])
    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    run_simple("127.0.0.1", port, SerialDynamoDB(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main(sys.argv[1:])
