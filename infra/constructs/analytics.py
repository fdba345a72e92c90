"""Analytics: the event lake the reports read, the Glue tables and Athena workgroup over
it, the role a report query runs as, and the pipeline that fills it.

The lake
--------
The analytics bucket holds one append-only log of changes per table of
`ringback.analytics.schema.TABLES`, as Parquet under

    events/{table}/tenant_id={tenant}/dt={yyyy-mm-dd}/*.parquet

Athena query results go under `athena-results/`, which expire after a week because every
report can be recomputed from the events.

The query side
--------------
One Glue database per stage, one Glue table per schema table (its columns are the
schema's, its partitions tenant_id and dt), with partition projection: Athena computes
the partition locations from the query itself, so there is no crawler, no MSCK REPAIR
and no partition to register when a tenant or a day appears. The Athena workgroup
enforces its own settings: results at `athena_results_uri`, SSE-KMS with the data key,
a per-query scan limit, CloudWatch metrics, engine version 3.

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

The pipeline
------------
The streamed tables' changes (`schema.BY_SOURCE`: visits, lease_history, calls,
callback_requests) reach the reports `changes` worker in order per shard, in batches,
with bisect-on-error, per-record failures and a dead-letter queue for a batch that keeps
failing. The `compact` worker runs once a day at 03:00 UTC.
"""
from __future__ import annotations

from typing import Mapping

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk.aws_lambda_event_sources import DynamoEventSource, SqsDlq
from constructs import Construct

from infra.catalog import READ, WRITE
from infra.constructs import acknowledge, acknowledge_wildcard
from infra.constructs.data import DataConstruct, private_bucket
from ringback.analytics import schema

ATHENA_RESULTS_PREFIX = "athena-results/"
EVENTS_PREFIX = "events/"
# Athena cancels a query once it has scanned this much; a report over a tenant's year
# scans far less, so only a runaway query (a missing partition filter) reaches it.
BYTES_SCANNED_CUTOFF = 10 * 1024**3
ATHENA_ENGINE_VERSION = "Athena engine version 3"

PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"

# Partition projection (https://docs.aws.amazon.com/athena/latest/ug/partition-projection.html).
#
# tenant_id is `injected`: Athena takes the values from the query's WHERE clause. The
# agency roll-up filters `tenant_id IN (...)`, which `injected` supports: AWS's own example
# for the type filters `device_id IN ('…', '…', '…')` and Athena computes one location
# per listed value (https://docs.aws.amazon.com/athena/latest/ug/partition-projection-dynamic-id-partitioning.html).
# The values must be literals (or constant expressions), and a query with no such
# condition on tenant_id fails with CONSTRAINT_VIOLATION instead of scanning every tenant.
# `enum` would need every tenant id written into the table's properties (and a
# deployment per sign-up); `integer` and `date` do not fit ids.
#
# dt is `date`, one partition per day from 2024-01-01 to today (UTC).
DT_FORMAT = "yyyy-MM-dd"
DT_RANGE = "2024-01-01,NOW"


def database_name(stage: str) -> str:
    """Glue/Athena database names take lowercase letters, digits and underscores."""
    return f"ringback_{stage}".replace("-", "_").lower()


def workgroup_name(stage: str) -> str:
    return f"ringback-{stage}"


def report_role_name(stage: str, region: str) -> str:
    # IAM names are global to the account: the region keeps two regions' stacks apart.
    return f"ringback-{stage}-report-query-{region}"


def projection_parameters(table: schema.Table, bucket_name: str) -> dict[str, str]:
    return {
        "projection.enabled": "true",
        "projection.tenant_id.type": "injected",
        "projection.dt.type": "date",
        "projection.dt.format": DT_FORMAT,
        "projection.dt.range": DT_RANGE,
        "projection.dt.interval": "1",
        "projection.dt.interval.unit": "DAYS",
        # ${...} are Athena's placeholders, not CloudFormation's (the value is a Join).
        "storage.location.template": (
            f"s3://{bucket_name}/{table.prefix}tenant_id=${{tenant_id}}/dt=${{dt}}/"
        ),
    }


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
                    expiration=Duration.days(7),
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
                s3.LifecycleRule(
                    id="expire-noncurrent",
                    noncurrent_version_expiration=Duration.days(30),
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
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=stack.account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=self.database_name,
                description=f"Ringback analytics events ({stage}); partition-projected tables",
            ),
        )
        self.tables: dict[str, glue.CfnTable] = {t.name: self._table(t) for t in schema.TABLES}

        self.workgroup = athena.CfnWorkGroup(
            self,
            "Workgroup",
            name=self.workgroup_name,
            description=f"Ringback reports ({stage})",
            # Query history and results are disposable (results expire in a week).
            recursive_delete_option=True,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                # A client's own output location or encryption settings are ignored.
                enforce_work_group_configuration=True,
                bytes_scanned_cutoff_per_query=BYTES_SCANNED_CUTOFF,
                publish_cloud_watch_metrics_enabled=True,
                # Pinned rather than AUTO: the report SQL is checked against this
                # dialect (Trino) before it ships.
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version=ATHENA_ENGINE_VERSION
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=self.athena_results_uri,
                    expected_bucket_owner=stack.account,
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_KMS",
                        kms_key=data.key.key_arn,
                    ),
                ),
            ),
        )

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

    def _table(self, table: schema.Table) -> glue.CfnTable:
        cfn = glue.CfnTable(
            self,
            "".join(part.capitalize() for part in table.name.split("_")) + "Table",
            catalog_id=Stack.of(self).account,
            database_name=self.database_name,
            table_input=glue.CfnTable.TableInputProperty(
                name=table.name,
                description=f"Changes of {table.source or 'uploaded'} rows, schema version {table.version}",
                table_type="EXTERNAL_TABLE",
                parameters={
                    "EXTERNAL": "TRUE",
                    "classification": "parquet",
                    **projection_parameters(table, self.bucket.bucket_name),
                },
                partition_keys=[
                    glue.CfnTable.ColumnProperty(name=name, type=type_) for name, type_ in schema.PARTITIONS
                ],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    location=f"s3://{self.bucket.bucket_name}/{table.prefix}",
                    input_format=PARQUET_INPUT,
                    output_format=PARQUET_OUTPUT,
                    serde_info=glue.CfnTable.SerdeInfoProperty(
                        serialization_library=PARQUET_SERDE,
                        parameters={"serialization.format": "1"},
                    ),
                    columns=[glue.CfnTable.ColumnProperty(name=name, type=type_) for name, type_ in table.all_columns],
                    compressed=False,
                    stored_as_sub_directories=False,
                ),
            ),
        )
        cfn.node.add_dependency(self.database)
        return cfn

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
        # A failed batch's stream position (not its records) lands here; the records stay
        # readable in the stream for 24 hours, which is the time to replay them.
        self.changes_dead_letters = sqs.Queue(
            self,
            "ChangesDeadLetters",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self._data.key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        acknowledge(
            self.changes_dead_letters,
            "SQS3",
            "This queue is the on-failure destination of the analytics stream consumers; "
            "it has no dead-letter queue of its own.",
        )
        for source in sorted(schema.BY_SOURCE):
            table = tables.get(source)
            if table is None or table.table_stream_arn is None:
                raise KeyError(f"analytics table {schema.BY_SOURCE[source].name!r} reads the stream of "
                               f"'{source}', which is missing or has no stream")
            worker.add_event_source(DynamoEventSource(
                table,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=100,
                max_batching_window=Duration.seconds(5),
                bisect_batch_on_error=True,
                retry_attempts=10,
                report_batch_item_failures=True,
                # One batch at a time per shard: an entity's changes are written in order.
                parallelization_factor=1,
                on_failure=SqsDlq(self.changes_dead_letters),
            ))

    def compact_daily(self, worker: lambda_.IFunction) -> events.Rule:
        """The `compact` worker, once a day after midnight UTC has closed yesterday."""
        self.compaction_schedule = events.Rule(
            self,
            "CompactDaily",
            description="Ringback analytics: merge yesterday's small Parquet files",
            schedule=events.Schedule.cron(minute="0", hour="3"),
            targets=[targets.LambdaFunction(worker, retry_attempts=2, max_event_age=Duration.hours(6))],
        )
        return self.compaction_schedule
