"""The deploy meters every API key made before usage plans existed.

With usage plans, every tenant route requires the usage key the authorizer names, and a
key made before them has none: the gateway would answer it 403. So every deploy ends by
running the pool function's `enrolment` worker (functions/pool/key_enrolment.py), a CDK
trigger (aws-cdk-lib's triggers.Trigger: a custom resource that invokes the worker and
waits for its answer) after the API, its stage and usage plans, and the worker's own
grants exist. It enrols only the live keys the plan lacks, so a run over metered keys
changes nothing; it runs again whenever the worker's code or configuration changes (the
trigger follows the function's current version), which is most deploys, at the cost of
one Scan of the api_keys table and one listing of the plan.

A run that leaves a live key unmetered fails, and with it the deploy: CloudFormation
rolls back to the stage that needed no meter, instead of shipping one that refuses a
customer's key. The API keys it made stay (outside any plan after the rollback), and the
next run finds them by name and reuses them.

Why not enrol lazily in the authorizer: it runs on every tenant request with a role that
may only read keys, and it cannot tell a metered key from another without calling API
Gateway's management API, which allows a few calls a second per account. A key still
without a meter is refused by the gateway itself, in our error shape (403
`api_key_not_metered`, infra/constructs/api.py).

The worker's role (infra/catalog.py: worker_tables, worker_usage_plan) reads the
api_keys table and manages the API keys plan's keys; the trigger's provider may invoke
the worker and nothing else (CDK's grant).
"""
from __future__ import annotations

from aws_cdk import Duration, triggers
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

# Beyond the worker's own timeout, so the trigger hears the worker's answer, or its
# timeout, rather than timing out first.
ANSWER_GRACE = Duration.seconds(30)


class KeyEnrolment(Construct):
    def __init__(self, scope: Construct, id: str, *, worker: lambda_.Function, after: list[Construct]) -> None:
        super().__init__(scope, id)
        timeout = worker.timeout or Duration.minutes(10)
        self.trigger = triggers.Trigger(
            self, "Run",
            handler=worker,
            invocation_type=triggers.InvocationType.REQUEST_RESPONSE,
            timeout=Duration.seconds(timeout.to_seconds() + ANSWER_GRACE.to_seconds()),
            execute_after=after,
            execute_on_handler_change=True,
        )
