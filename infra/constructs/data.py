"""Where the product's state lives: the DynamoDB tables, the data key, the application's
secrets, and the bucket that receives every other bucket's access logs.

Tables are created from `ringback.adapters.tables.table_specs()`, the PynamoDB models the
code runs against, so a key schema or GSI cannot differ between code and template
(tests/infra/test_tables_match_models.py holds that). The recordings and analytics
buckets belong to the dialer and analytics constructs; `private_bucket` gives them, and
the frontend bucket, the same guarantees.
"""
from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.constructs import acknowledge
from ringback.adapters.tables import KeySpec, TableSpec, table_specs

_ATTRIBUTE_TYPES = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_PROJECTIONS = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "INCLUDE": dynamodb.ProjectionType.INCLUDE,
}
_STREAMS = {
    "NEW_AND_OLD_IMAGES": dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    "NEW_IMAGE": dynamodb.StreamViewType.NEW_IMAGE,
    "OLD_IMAGE": dynamodb.StreamViewType.OLD_IMAGE,
    "KEYS_ONLY": dynamodb.StreamViewType.KEYS_ONLY,
}


def _attribute(key: KeySpec | None) -> dynamodb.Attribute | None:
    return dynamodb.Attribute(name=key.name, type=_ATTRIBUTE_TYPES[key.type]) if key else None


def private_bucket(
    scope: Construct,
    id: str,
    *,
    access_logs: s3.IBucket,
    removal_policy: RemovalPolicy,
    encryption_key: kms.IKey | None = None,
    lifecycle_rules: list[s3.LifecycleRule] | None = None,
) -> s3.Bucket:
    """A bucket nobody reaches except through IAM grants: no public access, TLS only,
    versioned, encrypted, and logged to the access-logs bucket under its own prefix."""
    # One data key per bucket per hour (bucket_key_enabled) instead of a KMS call per object.
    with_key = encryption_key is not None
    return s3.Bucket(
        scope,
        id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        minimum_tls_version=1.2,
        versioned=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=f"s3/{id}/",
        lifecycle_rules=lifecycle_rules,
        removal_policy=removal_policy,
        encryption=s3.BucketEncryption.KMS if with_key else s3.BucketEncryption.S3_MANAGED,
        encryption_key=encryption_key,
        bucket_key_enabled=True if with_key else None,
    )


class DataConstruct(Construct):
    """`tables` maps each logical table name ("calls") to its table."""

    def __init__(self, scope: Construct, id: str, *, table_prefix: str, retain: bool) -> None:
        super().__init__(scope, id)
        self.removal_policy = RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY

        self.key = kms.Key(
            self,
            "DataKey",
            description="Ringback data at rest: tables, recordings, analytics",
            enable_key_rotation=True,
            removal_policy=self.removal_policy,
        )

        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            # S3 server access logging and CloudFront standard logging deliver only to
            # SSE-S3 buckets, and CloudFront writes its logs through ACLs.
            encryption=s3.BucketEncryption.S3_MANAGED,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-logs", expiration=Duration.days(365)),
                s3.LifecycleRule(
                    id="abort-uploads", abort_incomplete_multipart_upload_after=Duration.days(7)
                ),
            ],
            removal_policy=self.removal_policy,
        )
        acknowledge(
            self.access_logs,
            "S1",
            "This bucket is the access-log destination of every other bucket and of "
            "CloudFront; logging it into itself would log its own log deliveries.",
        )

        # The carrier's credentials and the key that stands in for phone numbers in
        # analytics (ringback.settings.SECRET_KEYS). The analytics key is generated here;
        # the Twilio account SID and auth token are put by whoever owns the account
        # (docs/architecture.md, "Secrets"), since they come from Twilio's console.
        self.app_secrets = secretsmanager.Secret(
            self,
            "AppSecrets",
            description="Ringback: Twilio account SID and auth token, analytics key",
            encryption_key=self.key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template='{"twilio_account_sid": "", "twilio_auth_token": ""}',
                generate_string_key="analytics_key",
                exclude_punctuation=True,
                password_length=48,
            ),
            removal_policy=self.removal_policy,
        )
        acknowledge(
            self.app_secrets,
            "SMG4",
            "A Twilio auth token is rotated in Twilio's console (promote the secondary token), "
            "which a rotation function cannot do; the new value is put here. The analytics key "
            "must stay stable: it is what keeps a caller's key the same across months.",
        )

        self.tables: dict[str, dynamodb.ITable] = {
            spec.logical_name: self._table(spec, table_prefix, retain) for spec in table_specs()
        }

    def _table(self, spec: TableSpec, table_prefix: str, retain: bool) -> dynamodb.Table:
        stream = _STREAMS[spec.stream_view_type] if spec.stream_view_type else None
        table = dynamodb.Table(
            self,
            "".join(part.capitalize() for part in spec.logical_name.split("_")),
            table_name=f"{table_prefix}{spec.logical_name}",
            partition_key=_attribute(spec.partition),
            sort_key=_attribute(spec.sort),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=self.key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=spec.ttl_attribute,
            stream=stream,
            deletion_protection=retain,
            removal_policy=self.removal_policy,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_attribute(index.partition),
                sort_key=_attribute(index.sort),
                projection_type=_PROJECTIONS[index.projection],
                non_key_attributes=list(index.non_key_attributes) or None,
            )
        return table
