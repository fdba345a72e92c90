"""Analytics: the event lake the reports read, the Glue tables and Athena workgroup over
it, the role a report query runs as, and the pipeline that fills it.

The lake
--------
The analytics bucket holds one append-only log of changes per table of
`ringback.analytics.schema.TABLES`, as Parquet under

    events/{table}/tenant_id={tenant}/dt={yyyy-mm-dd}/*.parquet

Athena query results go under `athena-results/`, which expire after a week because every
report can be recomputed from the events. The events themselves expire after 25 months
(`ringback.calls.retention.ANALYTICS_EVENTS_DAYS`: a year-on-year report of the last twelve
months), and old versions of replaced files after 30 days.

The query side (infra/constructs/analytics_catalog.py)
------------------------------------------------------
One Glue database per stage, one Glue table per schema table, with partition
projection, and the Athena workgroup the reports run in, which enforces its own
settings (results at `athena_results_uri`, SSE-KMS with the data key, a scan limit).

Tenant isolation
----------------
The reports function (and its workers, which share its role) may assume one role,
ReportQueryRole, which can run queries in that workgroup, read the Glue catalog of that
database, read `events/`, write `athena-results/` and use the data key. A report query
assumes it with an STS session policy naming only `events/*/tenant_id=<t>/*` for the
tenants the caller may see (an agency: its clients). Athena reads S3 with the caller's
credentials, so the effective permissions are the intersection of the two: a query that
names another tenant finds nothing it may read. The session policy must restate the
Athena, Glue, KMS and `athena-results/` statements too, or the intersection drops them.

The pipeline (infra/constructs/analytics_pipeline.py)
-----------------------------------------------------
The streamed tables' changes reach the reports `changes` worker (in order per shard,
with a dead-letter queue); the `compact` worker runs once a day at 03:00 UTC.
"""
from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.catalog import READ, WRITE
from infra.constructs import acknowledge_wildcard
from infra.constructs.analytics_catalog import (  # noqa: F401 - also importable from here, as before
    ATHENA_ENGINE_VERSION,
    BYTES_SCANNED_CUTOFF,
    DT_FORMAT,
    DT_RANGE,
    PARQUET_INPUT,
    PARQUET_OUTPUT,
    PARQUET_SERDE,
    athena_workgroup,
    database_name,
    glue_database,
    glue_table,
    projection_parameters,
    workgroup_name,
)
from infra.constructs.analytics_pipeline import daily_compaction, stream_changes
from infra.constructs.data import DataConstruct, private_bucket
from ringback.analytics import schema
from ringback.calls import retention

ATHENA_RESULTS_PREFIX = "athena-results/"
EVENTS_PREFIX = "events/"


def report_role_name(stage: str, region: str) -> str:
    # IAM names are global to the account: the region keeps two regions' stacks apart.
    return f"ringback-{stage}-report-query-{region}"


class AnalyticsConstruct(Construct):
    def __init__(self, scope: Construct, id: str, *, data: DataConstruct, stage: str) -> None:
        super().__init__(scope, id)
        self._data = data
        stack = Stack.of(self)
        self.bucket = private_bucket(
            self,
            "Analytics",
            access_logs=data.access_logs,
            encryption_key=data.key,
            removal_policy=data.removal_policy,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-athena-results",
                    prefix=ATHENA_RESULTS_PREFIX,
                    expiration=Duration.days(retention.ATHENA_RESULTS_DAYS),
                ),
                # The analytics retention (ringback.calls.retention): a day's changes are
                # one compacted file by then, and that file goes as a whole.
                s3.LifecycleRule(
                    id="expire-events",
                    prefix=EVENTS_PREFIX,
                    expiration=Duration.days(retention.ANALYTICS_EVENTS_DAYS),
                ),
                # Reports mostly read the recent months; Athena still reads older
                # objects from Standard-IA, at a per-GB retrieval cost.
                s3.LifecycleRule(
                    id="infrequent-after-90-days",
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                            transition_after=Duration.days(90),
                        )
                    ],
                ),
                # A compacted or erased file's old versions; an erasure removes those
                # it replaced itself, at once (ringback.analytics.erasure).
                s3.LifecycleRule(
                    id="expire-noncurrent",
                    noncurrent_version_expiration=Duration.days(retention.NONCURRENT_DAYS),
                    expired_object_delete_marker=True,
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                ),
            ],
        )
        self.athena_results_uri = f"s3://{self.bucket.bucket_name}/{ATHENA_RESULTS_PREFIX}"

        # Names fixed from the stage, so the functions' settings carry them without a
        # reference to the resources. The Glue and Athena resources hold no data (it is
        # all in the bucket, which the stage's removal policy keeps), so they are simply
        # deleted with the stack and recreated from this code.
        self.database_name = database_name(stage)
        self.workgroup_name = workgroup_name(stage)
        self.database = glue_database(self, self.database_name, stage)
        self.tables: dict[str, glue.CfnTable] = {
            t.name: glue_table(self, self.database, self.database_name, t, self.bucket.bucket_name)
            for t in schema.TABLES
        }
        self.workgroup: athena.CfnWorkGroup = athena_workgroup(
            self, self.workgroup_name, stage, self.athena_results_uri, data.key)

        # The role's ARN is computed from its fixed name, like the dial workflow's (see
        # DialerConstruct): the functions' settings need it before the role can exist,
        # because its trust policy names the reports function's role, which
        # FunctionsConstruct creates from those settings.
        self.report_role_name = report_role_name(stage, stack.region)
        self.report_role_arn = stack.format_arn(
            service="iam",
            region="",
            resource="role",
            resource_name=self.report_role_name,
        )
        self.report_role: iam.Role | None = None
        self.changes_dead_letters: sqs.Queue | None = None
        self.compaction_schedule: events.Rule | None = None

    # --- ARNs the report role is scoped to -----------------------------------------

    def _arn(self, service: str, resource: str, resource_name: str | None = None) -> str:
        return Stack.of(self).format_arn(
            service=service, resource=resource, resource_name=resource_name, arn_format=ArnFormat.SLASH_RESOURCE_NAME
        )

    @property
    def workgroup_arn(self) -> str:
        return self._arn("athena", "workgroup", self.workgroup_name)

    def glue_arns(self) -> list[str]:
        """The catalog, our database and each of its tables: what Athena reads in Glue."""
        return [
            self._arn("glue", "catalog"),
            self._arn("glue", "database", self.database_name),
            *(self._arn("glue", "table", f"{self.database_name}/{name}") for name in self.tables),
        ]

    # --- who may reach the bucket and the query side -------------------------------

    def grant(self, grantee: iam.IGrantable, access: str) -> None:
        """Analytics-bucket access for one function, as infra/catalog.py states it."""
        if access == WRITE:
            self.bucket.grant_read_write(grantee)
        elif access == READ:
            self.bucket.grant_read(grantee)
        else:
            raise ValueError(f"unknown access {access!r} to the analytics bucket")

    def allow_report_queries(self, reports: lambda_.Function) -> iam.Role:
        """ReportQueryRole, which only the reports function's role may assume."""
        if reports.role is None:
            raise ValueError("the reports function has no role")
        role = iam.Role(
            self,
            "ReportQueryRole",
            role_name=self.report_role_name,
            description="Ringback report queries; assumed with a session policy naming the tenants in scope",
            # The role itself, not the account: no other principal can be allowed to
            # assume it by its own identity policy. No sts:TagSession: the tenants travel
            # in the session policy, not in tags.
            assumed_by=iam.ArnPrincipal(reports.role.role_arn),
            max_session_duration=Duration.hours(1),
        )
        bucket_arn = self.bucket.bucket_arn
        role.add_to_policy(iam.PolicyStatement(
            sid="RunQueriesInTheReportsWorkgroup",
            actions=[
                "athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults",
                "athena:StopQueryExecution", "athena:GetWorkGroup",
            ],
            resources=[self.workgroup_arn],
        ))
        role.add_to_policy(iam.PolicyStatement(
            sid="ReadTheAnalyticsCatalog",
            actions=["glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions"],
            resources=self.glue_arns(),
        ))
        role.add_to_policy(iam.PolicyStatement(
            sid="FindTheBucket",
            actions=["s3:GetBucketLocation"],
            resources=[bucket_arn],
        ))
        role.add_to_policy(iam.PolicyStatement(
            sid="ListEventsAndResults",
            actions=["s3:ListBucket"],
            resources=[bucket_arn],
            conditions={"StringLike": {"s3:prefix": [f"{EVENTS_PREFIX}*", f"{ATHENA_RESULTS_PREFIX}*"]}},
        ))
        role.add_to_policy(iam.PolicyStatement(
            sid="ReadEvents",
            actions=["s3:GetObject"],
            resources=[f"{bucket_arn}/{EVENTS_PREFIX}*"],
        ))
        role.add_to_policy(iam.PolicyStatement(
            sid="WriteAndReadQueryResults",
            actions=["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            resources=[f"{bucket_arn}/{ATHENA_RESULTS_PREFIX}*"],
        ))
        role.add_to_policy(iam.PolicyStatement(
            sid="UseTheDataKey",
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            resources=[self._data.key.key_arn],
        ))
        role.grant_assume_role(reports.role)

        policy = role.node.find_child("DefaultPolicy")
        acknowledge_wildcard(
            policy,
            f"Resource::{bucket_arn}/{EVENTS_PREFIX}*",
            "Every tenant's events: the reports code always assumes this role with a session "
            "policy naming events/*/tenant_id=<t>/* for the tenants in scope only "
            "(functions/ringback/adapters/athena.py), and the intersection is what a query reads.",
        )
        acknowledge_wildcard(
            policy,
            f"Resource::{bucket_arn}/{ATHENA_RESULTS_PREFIX}*",
            "Athena writes each query's results under a new key (the query id) below the "
            "workgroup's enforced output location; the prefix is the narrowest resource.",
        )
        self.report_role = role
        return role

    # --- the pipeline ----------------------------------------------------------------

    def record_changes(self, worker: lambda_.Function, tables: Mapping[str, dynamodb.ITable]) -> None:
        """The streamed tables' changes to the `changes` worker, which writes Parquet."""
        self.changes_dead_letters = stream_changes(self, worker, tables, self._data.key)

    def compact_daily(self, worker: lambda_.IFunction) -> events.Rule:
        """The `compact` worker, once a day after midnight UTC has closed yesterday."""
        self.compaction_schedule = daily_compaction(self, worker)
        return self.compaction_schedule
