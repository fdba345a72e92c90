"""Analytics: the event lake the reports read, and where Athena writes its results.

Owns the analytics bucket. functions/reports writes the analytics events here; Athena
query results go under `athena-results/`, which expire after a week because every
report can be recomputed from the events.

Where the query side goes (issue 6)
-----------------------------------
The Glue database and tables over the events (with partition projection, so no crawler
and no MSCK REPAIR), and the Athena workgroup that enforces `athena_results_uri` as its
output location with SSE-KMS on the data key and a per-query scan limit, are built in
this construct. The reports function then gets athena:StartQueryExecution /
GetQueryExecution / GetQueryResults on that workgroup and glue:Get* on that database.
"""
from __future__ import annotations

from aws_cdk import Duration, aws_iam as iam, aws_s3 as s3
from constructs import Construct

from infra.catalog import READ, WRITE
from infra.constructs.data import DataConstruct, private_bucket

ATHENA_RESULTS_PREFIX = "athena-results/"


class AnalyticsConstruct(Construct):
    def __init__(self, scope: Construct, id: str, *, data: DataConstruct) -> None:
        super().__init__(scope, id)
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

    def grant(self, grantee: iam.IGrantable, access: str) -> None:
        """Analytics-bucket access for one function, as infra/catalog.py states it."""
        if access == WRITE:
            self.bucket.grant_read_write(grantee)
        elif access == READ:
            self.bucket.grant_read(grantee)
        else:
            raise ValueError(f"unknown access {access!r} to the analytics bucket")
