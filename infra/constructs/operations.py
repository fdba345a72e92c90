"""Operations: the alarms that tell an operator of trouble before a customer does, the
topic they go to, and the dashboard (infra/constructs/operations_dashboard.py).

Every alarm goes to one SNS topic, encrypted under a key of its own (CloudWatch must be
allowed to use the key, which an AWS-managed SNS key never allows), with an e-mail
subscription when the stack's `AlarmEmail` parameter is set. Each alarm's description
names its section of docs/operations.md, the runbook: what it means, what to do.

The business metrics come from the functions' EMF lines (ringback.adapters.emf_metrics):
namespace `Ringback`, one dimension, the stage. Pool exhaustion is alarmed per tenant
without a metric per tenant: the overflow's EMF line carries the tenant as a property, a
Contributor Insights rule over the functions' log groups counts those lines per tenant,
and the alarm watches the top contributor (INSIGHT_RULE_METRIC ... MaxContributorValue).
A tenant dimension would have cost a custom metric per tenant that ever filled a pool,
and an alarm per tenant known only at run time; the rule costs per matched line, and
overflows are rare by design.

A function whose contract is to refuse by raising (the user pool's pre sign-up trigger:
Cognito refuses a sign-up only when its trigger fails) would count every refusal as a
Lambda error, and an abuse wave would page the operators for the guard doing its work.
Such a function names the business metric it counts its refusals on (`refusals`), and its
errors alarm watches errors minus refusals (metric math), i.e. real failures alone; the
refusals themselves stay on the dashboard.
"""
from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import ArnFormat, CfnCondition, CfnParameter, Duration, Fn, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.constructs.operations_dashboard import build_dashboard
from ringback.metrics import Metric

NAMESPACE = "Ringback"
RUNBOOK = "docs/operations.md"
ALARM_EMAIL_PARAMETER = "AlarmEmail"
FIVE_MINUTES = Duration.minutes(5)
FIFTEEN_MINUTES = Duration.minutes(15)

# Thresholds, each explained in the runbook's section of its alarm.
LAMBDA_ERRORS = 5  # failed invocations of one function in 5 minutes
API_5XX_PERCENT = 5  # of an API's requests in 5 minutes, once it served at least API_MIN_REQUESTS
API_MIN_REQUESTS = 20
SMS_FAILURES = 5  # texts refused, undelivered or failed in 15 minutes
WEBHOOK_FAILURE_PERCENT = 25  # of the webhook POSTs in 15 minutes, once there were WEBHOOK_MIN_POSTS
WEBHOOK_MIN_POSTS = 20
POOL_OVERFLOWS_PER_TENANT = 20  # one tenant's visits that found a pool full, in 5 minutes


class OperationsConstruct(Construct):
    """`functions`: every Lambda function and worker by name ("widget", "dialer-events");
    `dead_letter_queues`, `workflows`, `apis`: by a name the alarm is called after."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stage: str,
        functions: Mapping[str, lambda_.Function],
        dead_letter_queues: Mapping[str, sqs.IQueue],
        workflows: Mapping[str, sfn.IStateMachine],
        apis: Mapping[str, apigw.RestApi],
        refusals: Mapping[str, Metric] | None = None,
    ) -> None:
        """`refusals`: a function (by name) that refuses by raising -> the business metric
        it counts those refusals on."""
        super().__init__(scope, id)
        self.stage = stage
        refusals = dict(refusals or {})
        unknown = set(refusals) - set(functions)
        if unknown:
            raise KeyError(f"refusals named for unknown functions {sorted(unknown)}")
        # name -> what its errors alarm watches: its errors, or those that were no refusal.
        self.failures: dict[str, cw.IMetric] = {}
        self.alarms: dict[str, cw.Alarm] = {}
        self.topic = self._topic()
        self._email_subscription()

        for name, queue in dead_letter_queues.items():
            self._alarm(
                f"DeadLetters-{name}", "dead-letter-queue-depth",
                queue.metric_approximate_number_of_messages_visible(period=FIVE_MINUTES, statistic="Maximum"),
                1, f"Messages are waiting in the {name} dead-letter queue")
        for name, machine in workflows.items():
            self._alarm(f"Workflow-{name}-failed", "workflow-executions-failed",
                        machine.metric_failed(period=FIVE_MINUTES, statistic="Sum"), 1,
                        f"An execution of the {name} workflow failed")
            self._alarm(f"Workflow-{name}-timed-out", "workflow-executions-timed-out",
                        machine.metric_timed_out(period=FIVE_MINUTES, statistic="Sum"), 1,
                        f"An execution of the {name} workflow timed out")
        for name, api in apis.items():
            self._alarm(f"Api-{name}-5xx", "api-5xx-rate", _rate(
                api.metric_server_error(period=FIVE_MINUTES, statistic="Sum"),
                api.metric_count(period=FIVE_MINUTES, statistic="Sum"), API_MIN_REQUESTS,
                f"{name} API: 5xx answers, % of requests"),
                API_5XX_PERCENT, f"The {name} API answered {API_5XX_PERCENT}% or more of its requests with a 5xx")
        for name, function in functions.items():
            errors = function.metric_errors(period=FIVE_MINUTES, statistic="Sum")
            if name in refusals:
                self.failures[name] = _unrefused(errors, self.business(refusals[name]), name)
                self._alarm(f"Lambda-{name}-errors", "lambda-errors", self.failures[name], LAMBDA_ERRORS,
                            f"The {name} function failed {LAMBDA_ERRORS} or more invocations in 5 minutes, "
                            f"not counting its refusals ({refusals[name].value})")
            else:
                self.failures[name] = errors
                self._alarm(f"Lambda-{name}-errors", "lambda-errors", errors, LAMBDA_ERRORS,
                            f"The {name} function failed {LAMBDA_ERRORS} or more invocations in 5 minutes")
            self._alarm(f"Lambda-{name}-throttles", "lambda-throttles",
                        function.metric_throttles(period=FIVE_MINUTES, statistic="Sum"), 1,
                        f"Invocations of the {name} function were throttled")

        self._alarm("SmsFailures", "sms-failures", self.business(Metric.SMS_FAILED, FIFTEEN_MINUTES), SMS_FAILURES,
                    f"{SMS_FAILURES} or more alert texts failed in 15 minutes")
        self._alarm("WebhookFailures", "webhook-delivery-failures", _rate(
            self.business(Metric.WEBHOOK_DELIVERY_FAILURES, FIFTEEN_MINUTES),
            self.business(Metric.WEBHOOK_DELIVERIES, FIFTEEN_MINUTES), WEBHOOK_MIN_POSTS,
            "Webhook POSTs that failed, % of all", failures_in_total=False, period=FIFTEEN_MINUTES),
            WEBHOOK_FAILURE_PERCENT, f"{WEBHOOK_FAILURE_PERCENT}% or more of the webhook POSTs failed in 15 minutes")

        self.overflow_rule = self._overflow_rule(functions)
        self.pool_exhaustion = cw.MathExpression(
            expression=f"INSIGHT_RULE_METRIC('{self.overflow_rule.rule_name}', 'MaxContributorValue')",
            using_metrics={}, period=FIVE_MINUTES, label="Visits that found a pool full, top tenant")
        alarm = self._alarm("PoolExhaustionPerTenant", "pool-exhaustion-per-tenant", self.pool_exhaustion,
                            POOL_OVERFLOWS_PER_TENANT,
                            f"One tenant's pools were full for {POOL_OVERFLOWS_PER_TENANT} or more visits in 5 minutes")
        alarm.node.add_dependency(self.overflow_rule)

        self.dashboard = build_dashboard(self, stage=stage, functions=functions, dead_letter_queues=dead_letter_queues,
                                         workflows=workflows, apis=apis, refusals=refusals)

    # -- the parts -----------------------------------------------------------------------

    def business(self, metric: Metric, period: Duration = FIVE_MINUTES, statistic: str = "Sum") -> cw.Metric:
        """One of ringback.metrics' business metrics of this stage, as the EMF lines define it."""
        return cw.Metric(namespace=NAMESPACE, metric_name=metric.value, dimensions_map={"stage": self.stage},
                         period=period, statistic=statistic)

    def _topic(self) -> sns.Topic:
        stack = Stack.of(self)
        key = kms.Key(self, "AlarmsKey", enable_key_rotation=True,
                      description=f"Ringback {self.stage}: encrypts the alarm topic's messages")
        # CloudWatch encrypts what it publishes with the topic's key, as itself.
        key.add_to_resource_policy(iam.PolicyStatement(
            sid="CloudWatchAlarms",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],
            conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
        ))
        topic = sns.Topic(self, "Alarms", display_name=f"Ringback {self.stage} alarms", master_key=key,
                          enforce_ssl=True)
        # enforce_ssl writes a topic policy, which replaces the default one: CloudWatch's
        # alarms of this account are allowed to publish by name.
        topic.add_to_resource_policy(iam.PolicyStatement(
            sid="CloudWatchAlarms",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions={
                "StringEquals": {"aws:SourceAccount": stack.account},
                "ArnLike": {"aws:SourceArn": stack.format_arn(service="cloudwatch", resource="alarm",
                                                              resource_name="*",
                                                              arn_format=ArnFormat.COLON_RESOURCE_NAME)},
            },
        ))
        return topic

    def _email_subscription(self) -> None:
        """The e-mail address alarms go to, a parameter of the stack: none when empty.
        SNS mails it a confirmation link first; nothing is delivered until it is opened."""
        email = CfnParameter(
            Stack.of(self), ALARM_EMAIL_PARAMETER, type="String", default="",
            allowed_pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$",
            constraint_description="an e-mail address, or empty for no subscription",
            description="Where Ringback's alarms are e-mailed (empty: subscribe to the topic yourself)",
        )
        self.alarm_email = email
        has_email = CfnCondition(self, "HasAlarmEmail",
                                 expression=Fn.condition_not(Fn.condition_equals(email.value_as_string, "")))
        subscription = sns.CfnSubscription(self, "AlarmEmailSubscription", protocol="email",
                                           endpoint=email.value_as_string, topic_arn=self.topic.topic_arn)
        subscription.cfn_options.condition = has_email

    def _alarm(self, id: str, runbook: str, metric: cw.IMetric, threshold: float, what: str) -> cw.Alarm:
        alarm = cw.Alarm(
            self, id,
            alarm_name=f"ringback-{self.stage}-{id}",
            alarm_description=f"{what}. Runbook: {RUNBOOK}#{runbook}",
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            # No traffic is no trouble: a quiet night must not page anyone.
            treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        # The all-clear too, so whoever was told knows it is over.
        alarm.add_ok_action(cw_actions.SnsAction(self.topic))
        self.alarms[id] = alarm
        return alarm

    def _overflow_rule(self, functions: Mapping[str, lambda_.Function]) -> cw.CfnInsightRule:
        """Counts each tenant's pool-overflow lines (their EMF line names the tenant) in
        every function's log group: the widget leases today, and a function that leases
        tomorrow is counted without a change here."""
        stack = Stack.of(self)
        groups = sorted({function.log_group.log_group_name for function in functions.values()}, key=str)
        definition = {
            "Schema": {"Name": "CloudWatchLogRule", "Version": 1},
            "LogGroupNames": groups,
            "LogFormat": "JSON",
            "Contribution": {
                "Keys": ["$.tenant"],
                "Filters": [{"Match": "$.metric", "In": [Metric.POOL_OVERFLOW.value]},
                            {"Match": "$.stage", "In": [self.stage]}],
            },
            "AggregateOn": "Count",
        }
        return cw.CfnInsightRule(self, "PoolOverflowByTenant",
                                 rule_name=f"ringback-{self.stage}-pool-overflow-by-tenant",
                                 rule_state="ENABLED", rule_body=stack.to_json_string(definition))


def _unrefused(errors: cw.IMetric, refused: cw.IMetric, name: str) -> cw.MathExpression:
    """Failed invocations that were not refusals. A period without refusals has no data
    point for them (FILL: none). Floored at 0: Lambda's count and the EMF line are
    separate metrics, so a refusal at a period's edge may be counted a period after its
    error, and the graph should read as a count of failures, never below none."""
    return cw.MathExpression(
        expression="IF(e - FILL(r, 0) > 0, e - FILL(r, 0), 0)",
        using_metrics={"e": errors, "r": refused},
        label=f"{name}: failed invocations, refusals not counted",
        period=FIVE_MINUTES,
    )


def _rate(failures: cw.IMetric, other: cw.IMetric, minimum: int, label: str, *,
          failures_in_total: bool = True, period: Duration = FIVE_MINUTES) -> cw.MathExpression:
    """failures as a percentage of all (`other` is the total, or, with
    failures_in_total=False, the successes beside them), 0 below `minimum` in all: two
    failures of three requests at night are not an outage."""
    total = "b" if failures_in_total else "a + b"
    return cw.MathExpression(
        expression=f"IF({total} >= {minimum}, 100 * a / ({total}), 0)",
        using_metrics={"a": failures, "b": other},
        label=label,
        period=period,
    )
