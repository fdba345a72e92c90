"""RingbackStack: wires the constructs; each concern's details live in its own file."""
from __future__ import annotations

from pathlib import Path

from aws_cdk import AspectPriority, Aspects, Aws, CfnOutput, Stack
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.catalog import FRONTEND_DIR, FUNCTIONS, load_app
from infra.constructs import AcknowledgeGrantWildcards
from infra.constructs.analytics import AnalyticsConstruct
from infra.constructs.api import PUBLIC, ApiConstruct, collect_routes
from infra.constructs.auth import AuthConstruct
from infra.constructs.data import DataConstruct
from infra.constructs.dialer import DialerConstruct
from infra.constructs.edge import EdgeConstruct
from infra.constructs.firewall import EDGE_REGION, ORIGIN_HEADER, ApiFirewall, EdgeFirewall, rate_limited_paths
from infra.constructs.functions import FunctionsConstruct
from infra.constructs.key_enrolment import KeyEnrolment
from infra.constructs.operations import OperationsConstruct
from ringback.metrics import Metric
from ringback.settings import Settings

PRODUCTION_STAGE = "prod"


def table_prefix(stage: str) -> str:
    return f"ringback-{stage}-"


class RingbackStack(Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        stage: str,
        frontend_dir: Path | None = FRONTEND_DIR,
        edge_web_acl_arn: str | None = None,
        **kwargs,
    ) -> None:
        """`edge_web_acl_arn`: the CloudFront web ACL, when infra/app.py built it in a
        us-east-1 stack of its own; without it this stack holds it, and must deploy there."""
        super().__init__(scope, id, **kwargs)
        retain = stage == PRODUCTION_STAGE
        log_retention = logs.RetentionDays.THREE_MONTHS if retain else logs.RetentionDays.TWO_WEEKS

        self.data = DataConstruct(self, "Data", table_prefix=table_prefix(stage), retain=retain)
        self.dialer = DialerConstruct(self, "Dialer", data=self.data, stage=stage)
        self.analytics = AnalyticsConstruct(self, "Analytics", data=self.data, stage=stage)
        self.auth = AuthConstruct(self, "Auth", stage=stage, retain=retain)
        apps = {spec.name: load_app(spec.name) for spec in FUNCTIONS}
        self.edge_firewall: EdgeFirewall | None = None
        if edge_web_acl_arn is None:
            if self.region != EDGE_REGION:
                raise ValueError(f"a CloudFront web ACL exists only in {EDGE_REGION}: deploying to {self.region}, "
                                 "build it in its own stack and pass its ARN (infra.app.build_app does)")
            self.edge_firewall = EdgeFirewall(self, "EdgeFirewall", stage=stage,
                                              **rate_limited_paths(r.path for r in collect_routes(apps)
                                                                   if r.group == PUBLIC))
            edge_web_acl_arn = self.edge_firewall.web_acl_arn
        self.edge = EdgeConstruct(
            self,
            "Edge",
            access_logs=self.data.access_logs,
            removal_policy=self.data.removal_policy,
            frontend_dir=frontend_dir,
            dashboard_config={
                "region": Aws.REGION,
                "userPoolId": self.auth.user_pool.user_pool_id,
                "clientId": self.auth.dashboard_client.user_pool_client_id,
            },
            web_acl_arn=edge_web_acl_arn,
        )

        settings = Settings(
            stage=stage,
            region=Aws.REGION,
            aws_endpoint_url=None,
            table_prefix=table_prefix(stage),
            recordings_bucket=self.dialer.recordings.bucket_name,
            analytics_bucket=self.analytics.bucket.bucket_name,
            frontend_bucket=self.edge.bucket.bucket_name,
            public_base_url=f"https://{self.edge.distribution.distribution_domain_name}",
            events_queue_url=self.dialer.events.queue_url,
            # The computed ARN, not the state machine's: see DialerConstruct.
            dial_workflow_arn=self.dialer.dial_workflow_arn,
            # Names and a computed ARN, not references: see AnalyticsConstruct.
            analytics_database=self.analytics.database_name,
            athena_workgroup=self.analytics.workgroup_name,
            report_role_arn=self.analytics.report_role_arn,
            secrets_arn=self.data.app_secrets.secret_arn,
            user_pool_id=self.auth.user_pool.user_pool_id,
            user_pool_client_id=self.auth.dashboard_client.user_pool_client_id,
            # The id (a Ref), not the distribution's config: functions may depend on it.
            distribution_id=self.edge.distribution.distribution_id,
        )
        self.functions = FunctionsConstruct(
            self,
            "Functions",
            specs=FUNCTIONS,
            settings=settings,
            tables=self.data.tables,
            log_retention=log_retention,
            removal_policy=self.data.removal_policy,
        )
        self._grant_declared_access()
        # The user pool's pre sign-up trigger: disposable domains and sign-up rates.
        self.auth.check_sign_ups(self.functions.workers["pool-signup"])
        self.dialer.deliver_events(self.functions.workers["dialer-events"])
        self.dialer.build_dial_workflow(self.functions.workers["dialer-workflow"], log_retention=log_retention)
        # The streamed tables feed the changes worker; compaction runs daily.
        self.analytics.record_changes(self.functions.workers["reports-changes"], self.data.tables)
        self.analytics.compact_daily(self.functions.workers["reports-compact"])

        self.api = ApiConstruct(
            self,
            "Api",
            stage_name=stage,
            apps=apps,
            functions=self.functions.functions,
            authorizer_function=self.functions.workers["pool-authorizer"],
            log_retention=log_retention,
            removal_policy=self.data.removal_policy,
        )
        for spec in FUNCTIONS:
            if spec.usage_plan:
                self.api.grant_usage_keys(self.functions.functions[spec.name])
            for worker in spec.worker_usage_plan:
                self.api.grant_usage_keys(self.functions.workers[f"{spec.name}-{worker}"], list_plan_keys=True)
        # Keys made before usage plans get their meter before the deploy may succeed.
        self.key_enrolment = KeyEnrolment(self, "KeyEnrolment", worker=self.functions.workers["pool-enrolment"],
                                          after=[self.api, self.data])
        # Only requests that came through CloudFront reach the API (infra/constructs/firewall.py).
        self.api_firewall = ApiFirewall(self, "ApiFirewall", stage=stage, removal_policy=self.data.removal_policy)
        self.api_firewall.protect(self.api.rest_api.deployment_stage.stage_arn)
        self.edge.serve_api(self.api.rest_api.rest_api_id, stage,
                            origin_headers={ORIGIN_HEADER: self.api_firewall.origin_value})

        # Alarms on every function, dead-letter queue, workflow and API above, and the dashboard.
        self.operations = OperationsConstruct(
            self,
            "Operations",
            stage=stage,
            functions={**self.functions.functions, **self.functions.workers},
            dead_letter_queues={"call-events": self.dialer.events_dead_letters,
                                "changes": self.analytics.changes_dead_letters},
            workflows={"callback-dial": self.dialer.dial_workflow},
            apis={"public": self.api.rest_api},
            # The pre sign-up trigger refuses a sign-up by raising (Cognito's contract).
            refusals={"pool-signup": Metric.SIGN_UPS_REFUSED},
        )

        # Runs before cdk-nag's writer (default priority) so acknowledgements reach the template.
        Aspects.of(self).add(AcknowledgeGrantWildcards(), priority=AspectPriority.MUTATING)

        CfnOutput(self, "PublicBaseUrl", value=settings.public_base_url)
        CfnOutput(self, "FrontendBucket", value=self.edge.bucket.bucket_name)
        CfnOutput(self, "DistributionId", value=self.edge.distribution.distribution_id)
        CfnOutput(self, "UserPoolId", value=self.auth.user_pool.user_pool_id)
        CfnOutput(self, "DashboardClientId", value=self.auth.dashboard_client.user_pool_client_id)

    def _grant_declared_access(self) -> None:
        """What infra/catalog.py declares each function uses, granted to its role; the
        same declaration decides which of the settings it is given
        (infra.catalog.function_environment)."""
        bucket_owners = {"recordings": self.dialer, "analytics": self.analytics}
        queue_owners = {"call_events": self.dialer}
        workflow_owners = {"callback_dial": self.dialer}
        for spec in FUNCTIONS:
            function = self.functions.functions[spec.name]
            for role, access in spec.buckets.items():
                _owner(bucket_owners, "bucket", spec.name, role).grant(function, access)
            for queue, access in spec.queues.items():
                _owner(queue_owners, "queue", spec.name, queue).grant_queue(function, access)
            for workflow, actions in spec.workflows.items():
                _owner(workflow_owners, "workflow", spec.name, workflow).grant_dial(function, actions)
            if spec.secrets:
                # One secret holds every value for now; SECRET_KEYS says which are whose.
                self.data.app_secrets.grant_read(function)
            if spec.report_queries:
                # Reports query Athena as ReportQueryRole, narrowed to the tenants in scope.
                self.analytics.allow_report_queries(function)
            if spec.user_pool:
                self.auth.grant_users(function, spec.user_pool)
            if spec.edge_cache:
                # cloudfront:CreateInvalidation on this distribution only.
                self.edge.grant_invalidation(function)


def _owner(owners: dict, kind: str, function: str, name: str):
    if name not in owners:
        raise KeyError(f"function '{function}': no {kind} '{name}' (known: {sorted(owners)})")
    return owners[name]
