"""BusinessMetrics as CloudWatch Embedded Metric Format, through Powertools Metrics.

Counts gather during an invocation and `flush()` (called by the handler's wrapper,
ringback.adapters.observability) prints them as one EMF JSON line on stdout, which Lambda
sends to the function's log group and CloudWatch turns into metrics: no PutMetricData
call, so no IAM grant and no latency on the request.

Every metric has one dimension, the stage, so that two stages in one account never add
up; the service (the function or worker) is a property of the line, not a dimension, so
an alarm on SmsFailed sees the dialer's webhooks and its workflow worker alike. A count
that names its tenant (a full pool) is printed on a line of its own with the tenant as a
property: a dimension per tenant would be a metric per tenant, and the per-tenant alarm
reads the property with Contributor Insights instead.

The local stack serves concurrent invocations from one process's threads; one lock keeps
their counts from tearing a batch, and their lines (Powertools prints a line in two
writes) from interleaving.
"""
from __future__ import annotations

import threading

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from ringback.metrics import OBSERVED, Metric

STAGE_DIMENSION = "stage"
# The property that names a tenant-bearing line's metric (see `count`).
CONTRIBUTION_KEY = "metric"


class EmfMetrics:
    def __init__(self, namespace: str, stage: str, service: str | None = None) -> None:
        self._namespace, self._stage, self._service = namespace, stage, service
        self._lock = threading.Lock()
        self._batch = self._new_batch()

    def _new_batch(self) -> EphemeralMetrics:
        # EphemeralMetrics, not Metrics: Powertools' Metrics share one metric set per
        # process (class state), which another Metrics user would flush with ours.
        batch = EphemeralMetrics(namespace=self._namespace)
        batch.add_dimension(name=STAGE_DIMENSION, value=self._stage)
        if self._service:
            batch.add_metadata(key="service", value=self._service)
        return batch

    def count(self, metric: Metric, value: float = 1, *, tenant: str | None = None) -> None:
        name = Metric(metric).value
        if tenant is None:
            with self._lock:
                self._add(self._batch, name, MetricUnit.Count, value)
            return
        line = self._new_batch()
        line.add_metric(name=name, unit=MetricUnit.Count, value=value)
        line.add_metadata(key="tenant", value=tenant)
        # What a Contributor Insights rule matches the line on: a plain string (the
        # metric's own value is an array in EMF).
        line.add_metadata(key=CONTRIBUTION_KEY, value=name)
        with self._lock:
            line.flush_metrics()

    def observe(self, metric: Metric, value: float) -> None:
        unit = MetricUnit.NoUnit if Metric(metric) in OBSERVED else MetricUnit.Count
        with self._lock:
            self._add(self._batch, Metric(metric).value, unit, value)

    def flush(self) -> None:
        """Print what this invocation counted, if anything, and start afresh."""
        with self._lock:
            batch, self._batch = self._batch, self._new_batch()
            if batch.metric_set:
                batch.flush_metrics()

    @staticmethod
    def _add(batch: EphemeralMetrics, name: str, unit: MetricUnit, value: float) -> None:
        # Powertools prints by itself at 100 values of one metric; that line then still
        # carries the stage and the service, as every line does.
        batch.add_metric(name=name, unit=unit, value=value)
