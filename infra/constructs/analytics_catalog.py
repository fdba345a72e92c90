"""Analytics, the query side: one Glue database per stage, one Glue table per schema
table of `ringback.analytics.schema.TABLES` (its columns are the schema's, its partitions
tenant_id and dt), and the Athena workgroup the reports run in.

The tables use partition projection: Athena computes the partition locations from the
query itself, so there is no crawler, no MSCK REPAIR and no partition to register when a
tenant or a day appears. The workgroup enforces its own settings: results at the
analytics bucket's athena-results/, SSE-KMS with the data key, a per-query scan limit,
CloudWatch metrics, engine version 3.

The resources are made in the scope given (AnalyticsConstruct, infra/constructs/analytics.py),
so their logical ids are that construct's.
"""
from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_kms as kms
from constructs import Construct

from ringback.analytics import schema

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


def glue_database(scope: Construct, name: str, stage: str) -> glue.CfnDatabase:
    return glue.CfnDatabase(
        scope,
        "Database",
        catalog_id=Stack.of(scope).account,
        database_input=glue.CfnDatabase.DatabaseInputProperty(
            name=name,
            description=f"Ringback analytics events ({stage}); partition-projected tables",
        ),
    )


def glue_table(scope: Construct, database: glue.CfnDatabase, database_name: str, table: schema.Table,
               bucket_name: str) -> glue.CfnTable:
    """The Glue table over one schema table's Parquet files in the bucket."""
    cfn = glue.CfnTable(
        scope,
        "".join(part.capitalize() for part in table.name.split("_")) + "Table",
        catalog_id=Stack.of(scope).account,
        database_name=database_name,
        table_input=glue.CfnTable.TableInputProperty(
            name=table.name,
            description=f"Changes of {table.source or 'uploaded'} rows, schema version {table.version}",
            table_type="EXTERNAL_TABLE",
            parameters={
                "EXTERNAL": "TRUE",
                "classification": "parquet",
                **projection_parameters(table, bucket_name),
            },
            partition_keys=[
                glue.CfnTable.ColumnProperty(name=name, type=type_) for name, type_ in schema.PARTITIONS
            ],
            storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                location=f"s3://{bucket_name}/{table.prefix}",
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
    cfn.node.add_dependency(database)
    return cfn


def athena_workgroup(scope: Construct, name: str, stage: str, results_uri: str, key: kms.IKey) -> athena.CfnWorkGroup:
    return athena.CfnWorkGroup(
        scope,
        "Workgroup",
        name=name,
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
                output_location=results_uri,
                expected_bucket_owner=Stack.of(scope).account,
                encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                    encryption_option="SSE_KMS",
                    kms_key=key.key_arn,
                ),
            ),
        ),
    )
