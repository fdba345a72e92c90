"""One function of infra/catalog.py as a local Lambda: `python -m devstack.function_host
NAME STAGE [WORKER] [--port N] [--nice N]`, started by devstack/functions.py with the
function's environment and its role's credentials, nothing of the local stack's own.

It serves Lambda's Invoke API on a free loopback port (printed as `READY URL`): the
function's Chalice app under ringback-STAGE-NAME (API Gateway proxy events) and each
worker that shares its role under ringback-STAGE-NAME-WORKER; given a WORKER (one with a
role of its own), that worker alone. Like a warm Lambda it builds the function's
services once, before the first request; what that start-up costs or fails with is
logged, as a cold start's would be.
"""
from __future__ import annotations

import importlib
import os
import sys
import threading

from devstack.shutdown import die_with_parent, exit_at_once_on_signal


def _option(argv: list[str], flag: str) -> str | None:
    """The value given after `flag`, taken out of argv."""
    if flag not in argv:
        return None
    at = argv.index(flag)
    value = argv[at + 1]
    del argv[at:at + 2]
    return value


def main(argv: list[str]) -> int:
    # --port N: the port of the process this one replaces (devstack/functions.py, a cold start).
    port = int(_option(argv, "--port") or 0)
    # --nice N: a lower CPU priority, taken before anything is imported (bench/swap.py: the
    # function as if on a host of its own).
    nice = int(_option(argv, "--nice") or 0)
    if nice:
        os.nice(nice)
    name, stage, *alone = argv
    die_with_parent()
    from chalice.local import LocalChalice

    from devstack.lambdas import LocalLambda
    from infra.catalog import function_spec, load_app

    spec = function_spec(name)
    app = load_app(name)
    # Chalice keeps the current request on the app; concurrent invocations in one process
    # need it per thread, which LocalChalice gives.
    app.__class__ = type(f"Local{type(app).__name__}", (LocalChalice, type(app)), {})
    module = sys.modules[f"ringback_function_{name}"]
    if alone:
        handlers, workers = {}, {alone[0]: spec.workers[alone[0]]}
    else:
        # A worker with a role of its own runs in a process of its own, with that role.
        handlers = {f"ringback-{stage}-{name}": app}
        workers = {w: h for w, h in spec.workers.items() if w not in spec.worker_tables}
    for worker, handler in workers.items():
        # "app.authorize" is the app's; "signup_trigger.pre_sign_up" a module of the
        # function's folder, imported as Lambda imports a handler.
        handler_module, _, attribute = handler.rpartition(".")
        source = module if handler_module == "app" else importlib.import_module(handler_module)
        handlers[f"ringback-{stage}-{name}-{worker}"] = getattr(source, attribute)

    try:
        from ringback.bootstrap import services

        services()
    except Exception:  # noqa: BLE001 - a cold start that fails is retried by the next request
        app.logger.exception("function start-up failed")

    server = LocalLambda(handlers, port=port).start()
    # Told to stop, the process ends at once, as Lambda's execution environment does.
    exit_at_once_on_signal()
    print(f"READY {server.url}", flush=True)
    # From here the function's logs (Powertools writes them to stdout, as Lambda sends
    # stdout to CloudWatch) go where its errors go: the function's log file.
    os.dup2(2, 1)
    threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
