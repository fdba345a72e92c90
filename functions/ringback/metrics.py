"""Business metrics: what the product counts for its operators (sessions, leases, a full
pool, calls and how surely they were attributed, callbacks, texts, webhooks, refused
sign-ups).

The domain counts through the `BusinessMetrics` port and never sees how a count is
published: in Lambda, as CloudWatch Embedded Metric Format lines on stdout
(ringback.adapters.emf_metrics), flushed once per invocation; in tests and replays, by
`CountedMetrics` here.

Cardinality is kept by the port's shape: a metric has no dimension a caller chooses, so
no phone number, session or call id can become one. The tenant may be named on a count
(`tenant=`) where an operator needs to know whose it is (a full pool); it travels beside
the metric, never as a dimension, and the per-tenant alarm reads it from the log line
(CloudWatch Contributor Insights; infra/constructs/operations.py).
"""
from __future__ import annotations

import threading
from enum import StrEnum
from typing import Protocol


class Metric(StrEnum):
    """Every business metric, named as CloudWatch shows it."""

    SESSIONS_STARTED = "SessionsStarted"  # a new visit asked for its numbers
    LEASES_GRANTED = "LeasesGranted"  # a pool line leased to a visit (a shared line included)
    POOL_OVERFLOW = "PoolOverflow"  # a pool was full: the visit shares a line, or sees the site's own number
    CALLS_RECEIVED = "CallsReceived"  # an inbound call to a tracking number, stored once
    ATTRIBUTION_CONFIDENCE = "AttributionConfidence"  # a pool call's probability that the named visitor made it
    CALLBACKS_REQUESTED = "CallbacksRequested"  # a visitor's callback request accepted (a merged one is not new)
    CALLBACKS_CONNECTED = "CallbacksConnected"  # an operator and the visitor were put through
    CALLBACKS_FAILED = "CallbacksFailed"  # a request ended missed or failed
    SMS_SENT = "SmsSent"  # a text the carrier accepted
    SMS_FAILED = "SmsFailed"  # a text refused, with no number to send from, undelivered or failed
    WEBHOOK_DELIVERIES = "WebhookDeliveries"  # a POST to a site's endpoint answered 2xx
    WEBHOOK_DELIVERY_FAILURES = "WebhookDeliveryFailures"  # a POST that was not (it is retried)
    # A self sign-up the pre sign-up trigger refused (disposable address, a rate). Cognito's
    # contract makes each one a failed invocation of the trigger, so its errors alarm counts
    # these out (infra/constructs/operations.py).
    SIGN_UPS_REFUSED = "SignUpsRefused"


# Metrics that are a measurement (a value per occurrence) rather than a count.
OBSERVED = frozenset({Metric.ATTRIBUTION_CONFIDENCE})


class BusinessMetrics(Protocol):
    def count(self, metric: Metric, value: float = 1, *, tenant: str | None = None) -> None:
        """`value` more of `metric`; `tenant`: whose it is, where an operator needs that."""

    def observe(self, metric: Metric, value: float) -> None:
        """One measurement of `metric` (e.g. a call's attribution confidence)."""


class PublishedMetrics(BusinessMetrics, Protocol):
    """What the composition root holds: the counts, and their publication at the end of
    an invocation (ringback.bootstrap.observed)."""

    def flush(self) -> None: ...


class CountedMetrics:
    """BusinessMetrics in memory: what domain tests and replays read. Counts wait in
    `pending` until `flush()` (as the EMF adapter's wait for the end of an invocation)
    and are then in `published`, keyed by metric and tenant (None: nobody's)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.pending: dict[tuple[Metric, str | None], float] = {}
        self.published: dict[tuple[Metric, str | None], float] = {}
        self.observations: dict[Metric, list[float]] = {}

    def count(self, metric: Metric, value: float = 1, *, tenant: str | None = None) -> None:
        key = (Metric(metric), tenant)
        with self._lock:
            self.pending[key] = self.pending.get(key, 0) + value

    def observe(self, metric: Metric, value: float) -> None:
        with self._lock:
            self.observations.setdefault(Metric(metric), []).append(float(value))

    def flush(self) -> None:
        with self._lock:
            for key, value in self.pending.items():
                self.published[key] = self.published.get(key, 0) + value
            self.pending.clear()

    def total(self, metric: Metric, tenant: str | None = None) -> float:
        """Every count of `metric` so far, flushed or not; of one tenant's, if named."""
        with self._lock:
            return sum(value for counts in (self.pending, self.published) for (m, t), value in counts.items()
                       if m == metric and (tenant is None or t == tenant))
