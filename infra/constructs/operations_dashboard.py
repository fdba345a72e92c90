"""The operations dashboard (`ringback-<stage>` in CloudWatch): what the business is doing
at the top, then the alarms' state, then each part of the stack an alarm watches, in the
order an operator following docs/operations.md looks at them."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn

from ringback.metrics import Metric

if TYPE_CHECKING:
    from infra.constructs.operations import OperationsConstruct

WIDE, HALF, THIRD = 24, 12, 8
HEIGHT = 6
PERIOD = Duration.minutes(5)


def build_dashboard(
    ops: OperationsConstruct,
    *,
    stage: str,
    functions: Mapping[str, lambda_.Function],
    dead_letter_queues: Mapping[str, sqs.IQueue],
    workflows: Mapping[str, sfn.IStateMachine],
    apis: Mapping[str, apigw.RestApi],
    refusals: Mapping[str, Metric] | None = None,
) -> cw.Dashboard:
    dashboard = cw.Dashboard(ops, "Dashboard", dashboard_name=f"ringback-{stage}",
                             default_interval=Duration.hours(12))

    def graph(title: str, metrics: list[cw.IMetric], width: int = THIRD, **options) -> cw.GraphWidget:
        return cw.GraphWidget(title=title, left=metrics, width=width, height=HEIGHT, **options)

    def business(metric: Metric, statistic: str = "Sum") -> cw.Metric:
        return ops.business(metric, PERIOD, statistic)

    dashboard.add_widgets(cw.TextWidget(
        markdown=f"# Ringback {stage}\nBusiness metrics (namespace Ringback, dimension stage) above; "
                 "what each alarm means and what to do: docs/operations.md.", width=WIDE, height=2))
    dashboard.add_widgets(
        graph("Visits and leases", [business(Metric.SESSIONS_STARTED), business(Metric.LEASES_GRANTED),
                                    business(Metric.POOL_OVERFLOW)]),
        graph("Calls and attribution", [business(Metric.CALLS_RECEIVED)],
              right=[business(Metric.ATTRIBUTION_CONFIDENCE, "Average")],
              right_y_axis=cw.YAxisProps(min=0, max=1, label="confidence")),
        graph("Callbacks", [business(Metric.CALLBACKS_REQUESTED), business(Metric.CALLBACKS_CONNECTED),
                            business(Metric.CALLBACKS_FAILED)]),
    )
    dashboard.add_widgets(
        graph("Alert texts", [business(Metric.SMS_SENT), business(Metric.SMS_FAILED)]),
        graph("Webhook POSTs", [business(Metric.WEBHOOK_DELIVERIES), business(Metric.WEBHOOK_DELIVERY_FAILURES)]),
        graph("Full pools: the top tenant, and how many tenants", [
            ops.pool_exhaustion,
            cw.MathExpression(
                expression=f"INSIGHT_RULE_METRIC('{ops.overflow_rule.rule_name}', 'UniqueContributors')",
                using_metrics={}, period=PERIOD, label="Tenants with a full pool")]),
    )
    # A refusing function's refusals (an abuse wave shows here) beside its errors, and
    # what its errors alarm watches: the errors that were not refusals.
    dashboard.add_widgets(*(
        graph(f"{name}: refusals and real failures", [
            business(metric), functions[name].metric_errors(period=PERIOD, statistic="Sum", label=f"{name} errors"),
            ops.failures[name]], width=HALF)
        for name, metric in sorted((refusals or {}).items())))
    dashboard.add_widgets(cw.AlarmStatusWidget(title="Alarms", alarms=list(ops.alarms.values()), width=WIDE,
                                               height=HEIGHT))

    api_widgets = []
    for name, api in apis.items():
        api_widgets += [
            graph(f"{name} API: requests and errors", [
                api.metric_count(period=PERIOD, statistic="Sum"),
                api.metric_client_error(period=PERIOD, statistic="Sum"),
                api.metric_server_error(period=PERIOD, statistic="Sum")], width=HALF),
            graph(f"{name} API: latency", [
                api.metric_latency(period=PERIOD, statistic="p50"),
                api.metric_latency(period=PERIOD, statistic="p99")], width=HALF),
        ]
    dashboard.add_widgets(*api_widgets)

    names = sorted(functions)
    dashboard.add_widgets(
        graph("Lambda errors", [functions[n].metric_errors(period=PERIOD, statistic="Sum", label=n) for n in names]),
        graph("Lambda throttles", [functions[n].metric_throttles(period=PERIOD, statistic="Sum", label=n)
                                   for n in names]),
        graph("Lambda duration p99", [functions[n].metric_duration(period=PERIOD, statistic="p99", label=n)
                                      for n in names]),
    )
    dashboard.add_widgets(
        graph("Workflow executions", [
            metric for name, machine in workflows.items() for metric in (
                machine.metric_started(period=PERIOD, statistic="Sum", label=f"{name} started"),
                machine.metric_succeeded(period=PERIOD, statistic="Sum", label=f"{name} succeeded"),
                machine.metric_failed(period=PERIOD, statistic="Sum", label=f"{name} failed"),
                machine.metric_timed_out(period=PERIOD, statistic="Sum", label=f"{name} timed out"))],
            width=HALF),
        graph("Dead-letter queues: messages waiting", [
            queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum", label=name)
            for name, queue in dead_letter_queues.items()], width=HALF),
    )
    return dashboard
