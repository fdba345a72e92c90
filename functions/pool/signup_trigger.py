"""The dashboard user pool's pre sign-up trigger: a worker of the pool function
(infra/catalog.py), with a role of its own that may count on the rate_counters table and
nothing else.

Cognito calls it before it creates a user (a self sign-up, or an invitation's
AdminCreateUser) and refuses the sign-up when it raises: the caller gets
UserLambdaValidationException "PreSignUp failed with error <our message>.", which the
dashboard shows. The decision is ringback.accounts.signup_guard; this module reads
Cognito's event and builds the guard. It imports neither the Chalice app nor the
composition root, so a cold start loads the guard and the table models alone.

Since every refusal is a failed invocation to Lambda, the guard counts refusals as a
business metric (SignUpsRefused, an EMF line flushed after each invocation, refused or
not): the trigger's errors alarm subtracts them, so only real failures page anyone.
"""
from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from ringback.accounts.signup_guard import SignUp, SignUpGuard
from ringback.adapters.observability import traced

if TYPE_CHECKING:
    from ringback.metrics import PublishedMetrics

__all__ = ["pre_sign_up"]


@cache
def _guard() -> SignUpGuard:
    """Built on the first sign-up of a container: the rate counters' table and the clock,
    nothing of the composition root's other services (no carrier, queue or bucket)."""
    from ringback.adapters.disposable_domains import PackagedDisposableDomains
    from ringback.adapters.dynamo import DynamoRateCounter
    from ringback.adapters.tables import bind_tables
    from ringback.clock import ScaledClock, SystemClock
    from ringback.settings import load_settings

    settings = load_settings()
    bind_tables(settings.table_names(), settings.region, settings.aws_endpoint_url)
    # The local stack's tests run product time faster; every process shares its origin.
    clock = SystemClock() if settings.time_scale == 1.0 else ScaledClock(settings.time_scale,
                                                                          settings.time_origin_ms)
    return SignUpGuard(PackagedDisposableDomains(), DynamoRateCounter(), clock, metrics=_metrics())


@cache
def _metrics() -> PublishedMetrics:
    from ringback.adapters.emf_metrics import EmfMetrics
    from ringback.settings import load_settings

    settings = load_settings()
    return EmfMetrics(settings.metrics_namespace, settings.stage, settings.service)


@traced
def pre_sign_up(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Cognito's PreSignUp_* event in, the same event out (nothing auto-confirmed or
    auto-verified: the address is still proven by its code)."""
    attributes = (event.get("request") or {}).get("userAttributes") or {}
    guard = _guard()
    try:
        guard.check(SignUp(email=attributes.get("email") or "", source=event.get("triggerSource") or ""))
    finally:
        # A refusal raises: its count must reach the log before Cognito hears of it.
        _metrics().flush()
    return event
