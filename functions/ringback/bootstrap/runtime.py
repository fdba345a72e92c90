"""Which services a function's doors use: those built from the environment, once per
process, unless a test or tool installs others; and the wrapper every Lambda entry point
runs in."""
from __future__ import annotations

from functools import cache

from ringback.bootstrap.container import Services
from ringback.bootstrap.deployed import build_services
from ringback.settings import load_settings

_installed: Services | None = None


def install(chosen: Services | None) -> None:
    """Serve the doors from these services instead of the environment's (tests, tools)."""
    global _installed
    _installed = chosen


def services() -> Services:
    return _installed or _from_environment()


@cache
def _from_environment() -> Services:
    return build_services(load_settings())


def observed(handler):
    """A Lambda entry point, traced and with its business metrics flushed after each
    invocation (ringback.adapters.observability). Every function's and worker's handler
    is wrapped: the apps' in RingbackApp, the workers' in their app.py."""
    import functools

    @functools.wraps(handler)
    def run(event, context):
        try:
            svc = services()
        except Exception:  # noqa: BLE001 - the handler meets the same failure and answers it its way
            return handler(event, context)
        from ringback.adapters.observability import observe

        return observe(handler, svc.metrics, svc.tracer)(event, context)

    return run
