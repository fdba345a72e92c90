"""What every Lambda entry point does around its work: a Powertools Tracer segment for the
invocation, and the invocation's business metrics flushed when it ends, whether it
returned or raised (as Powertools' log_metrics does).

The composition root builds the tracer and the meter from settings and wraps the
handlers (ringback.bootstrap.observed); a worker without the composition root reads its
settings itself (`traced`). Nothing here reads the environment.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, Protocol

Handler = Callable[[Any, Any], Any]


class Flushable(Protocol):
    def flush(self) -> None: ...


def tracer_for(service: str | None):
    """Powertools' Tracer, which patches boto3, botocore and the HTTP clients so each AWS
    and carrier call is a subsegment. Its X-Ray grants come with `Tracing.ACTIVE` (CDK)."""
    from aws_lambda_powertools import Tracer

    return Tracer(service=service)


def observe(handler: Handler, metrics: Flushable | None, tracer: Any = None) -> Handler:
    """`handler` traced by `tracer` (if any), with `metrics` flushed after each call."""
    # The invocation's name: Chalice's workers are objects that keep the function as `func`.
    name = str(getattr(handler, "__name__", None) or getattr(getattr(handler, "func", None), "__name__", "handler"))

    def invoke(event: Any, context: Any) -> Any:
        return handler(event, context)

    invoke.__name__ = name
    call: Handler = invoke
    if tracer is not None:
        # No response and no error as trace metadata: TwiML, API answers and carrier
        # errors carry phone numbers, which the (masked) logs keep out and X-Ray would
        # not. The fault itself still marks the segment.
        call = tracer.capture_lambda_handler(invoke, capture_response=False, capture_error=False)

    def run(event: Any, context: Any) -> Any:
        try:
            return call(event, context)
        finally:
            if metrics is not None:
                metrics.flush()

    run.__name__ = run.__qualname__ = name
    return run


def traced(handler: Handler) -> Handler:
    """For a worker that runs without the composition root (the user pool's sign-up
    trigger: no services to build, no business metrics): its invocations traced as
    `ringback.bootstrap.observed` traces the others'."""

    def run(event: Any, context: Any) -> Any:
        try:
            tracer = _own_tracer()
        except Exception:  # noqa: BLE001 - the handler meets the same settings and fails its own way
            return handler(event, context)
        return observe(handler, None, tracer)(event, context)

    run.__name__ = run.__qualname__ = getattr(handler, "__name__", "handler")
    run.__doc__ = handler.__doc__
    return run


@cache
def _own_tracer() -> Any:
    from ringback.settings import load_settings

    settings = load_settings()
    return tracer_for(settings.service) if settings.tracing else None
