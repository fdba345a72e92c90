"""AnalyticsConstruct: the analytics bucket, the Glue tables and Athena workgroup over it,
the role a report query runs as, and the pipeline from the table streams."""
from __future__ import annotations

import json

import pytest

from infra.catalog import FUNCTIONS, function_spec
from infra.constructs.analytics import ATHENA_RESULTS_PREFIX, BYTES_SCANNED_CUTOFF
from ringback.analytics import schema
from tests.infra.policies import as_list, bucket_actions, function_resource, lifecycle, referenced, role_statements


@pytest.fixture(scope="module")
def analytics(synth):
    return synth.stack.analytics.bucket


def _bucket_join(synth, suffix: str) -> dict:
    return {"Fn::Join": ["", ["s3://", {"Ref": synth.logical_id(synth.stack.analytics.bucket)}, suffix]]}


def test_athena_results_expire(synth, analytics):
    rule = lifecycle(synth, analytics)["expire-athena-results"]
    assert rule["Prefix"] == ATHENA_RESULTS_PREFIX == "athena-results/"
    assert rule["ExpirationInDays"] == 7


def test_analytics_is_encrypted_with_the_data_key_and_keeps_old_versions_briefly(synth, analytics):
    props = synth.resources[synth.logical_id(analytics)]["Properties"]
    sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert sse["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert lifecycle(synth, analytics)["expire-noncurrent"]["NoncurrentVersionExpiration"] == {
        "NoncurrentDays": 30
    }


def test_athena_results_uri_points_into_the_bucket(synth):
    uri = synth.stack.resolve(synth.stack.analytics.athena_results_uri)
    assert uri == _bucket_join(synth, "/athena-results/")


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_only_functions_listed_for_analytics_reach_it(synth, analytics, spec):
    actions = bucket_actions(synth, spec.name, analytics)
    access = spec.buckets.get("analytics")
    if access is None:
        assert not actions
    elif access == "write":
        assert {"s3:PutObject", "s3:GetObject*"} <= actions
    else:
        assert "s3:GetObject*" in actions and "s3:PutObject" not in actions


# --- Glue: the schema's tables, partition-projected -------------------------------------

@pytest.fixture(scope="module")
def glue_tables(synth) -> dict[str, dict]:
    return {t["Properties"]["TableInput"]["Name"]: t["Properties"] for t in synth.of_type("AWS::Glue::Table").values()}


def test_one_glue_database_named_for_the_stage(synth):
    (database,) = synth.of_type("AWS::Glue::Database").values()
    assert database["Properties"]["DatabaseInput"]["Name"] == "ringback_prod"
    assert database["Properties"]["CatalogId"] == {"Ref": "AWS::AccountId"}


def test_one_glue_table_per_schema_table_and_no_crawler(synth, glue_tables):
    assert set(glue_tables) == {t.name for t in schema.TABLES}
    assert not synth.of_type("AWS::Glue::Crawler")
    assert all(t["DatabaseName"] == "ringback_prod" for t in glue_tables.values())


@pytest.mark.parametrize("table", schema.TABLES, ids=lambda t: t.name)
def test_glue_table_is_the_schema_table_as_parquet(synth, glue_tables, table):
    props = glue_tables[table.name]["TableInput"]
    assert props["TableType"] == "EXTERNAL_TABLE"
    storage = props["StorageDescriptor"]
    assert [(c["Name"], c["Type"]) for c in storage["Columns"]] == list(table.all_columns)
    assert [(c["Name"], c["Type"]) for c in props["PartitionKeys"]] == list(schema.PARTITIONS)
    assert [c["Name"] for c in props["PartitionKeys"]] == ["tenant_id", "dt"]
    assert storage["InputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    assert storage["OutputFormat"] == "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"
    assert storage["SerdeInfo"]["SerializationLibrary"] == "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
    assert storage["Location"] == _bucket_join(synth, f"/events/{table.name}/")


@pytest.mark.parametrize("table", schema.TABLES, ids=lambda t: t.name)
def test_glue_table_projects_tenant_and_day_partitions(synth, glue_tables, table):
    parameters = glue_tables[table.name]["TableInput"]["Parameters"]
    template = parameters.pop("storage.location.template")
    assert template == _bucket_join(synth, f"/events/{table.name}/tenant_id=${{tenant_id}}/dt=${{dt}}/")
    assert {k: v for k, v in parameters.items() if k.startswith("projection.")} == {
        "projection.enabled": "true",
        # Values come from the query: `tenant_id = 't'` or an agency's `tenant_id IN (...)`.
        "projection.tenant_id.type": "injected",
        "projection.dt.type": "date",
        "projection.dt.format": "yyyy-MM-dd",
        "projection.dt.range": "2024-01-01,NOW",
        "projection.dt.interval": "1",
        "projection.dt.interval.unit": "DAYS",
    }
    assert parameters["classification"] == "parquet"


# --- Athena ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workgroup(synth) -> dict:
    (workgroup,) = synth.of_type("AWS::Athena::WorkGroup").values()
    return workgroup["Properties"]


def test_workgroup_enforces_its_results_location_encryption_and_scan_limit(synth, workgroup):
    assert workgroup["Name"] == "ringback-prod"
    config = workgroup["WorkGroupConfiguration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    assert config["BytesScannedCutoffPerQuery"] == BYTES_SCANNED_CUTOFF == 10 * 1024**3
    assert config["PublishCloudWatchMetricsEnabled"] is True
    assert config["EngineVersion"] == {"SelectedEngineVersion": "Athena engine version 3"}
    results = config["ResultConfiguration"]
    assert results["OutputLocation"] == _bucket_join(synth, "/athena-results/")
    assert results["EncryptionConfiguration"] == {
        "EncryptionOption": "SSE_KMS",
        "KmsKey": {"Fn::GetAtt": [synth.logical_id(synth.stack.data.key), "Arn"]},
    }


# --- ReportQueryRole: who may assume it, and what it may do ------------------------------

@pytest.fixture(scope="module")
def report_role(synth) -> tuple[str, dict]:
    role = synth.stack.analytics.report_role
    return synth.logical_id(role), synth.resources[synth.logical_id(role)]["Properties"]


def _reports_role_id(synth) -> str:
    return function_resource(synth, "reports")["Properties"]["Role"]["Fn::GetAtt"][0]


def test_only_the_reports_role_may_assume_the_report_role(synth, report_role):
    _, props = report_role
    (statement,) = props["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Principal"] == {"AWS": {"Fn::GetAtt": [_reports_role_id(synth), "Arn"]}}
    assert "Condition" not in statement


def test_no_other_role_is_allowed_to_assume_it(synth, report_role):
    role_id, _ = report_role
    allowed = set()
    for policy in synth.of_type("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if "sts:AssumeRole" in as_list(statement["Action"]) and any(
                referenced(r) == role_id for r in as_list(statement["Resource"])
            ):
                allowed.update(r["Ref"] for r in policy["Properties"]["Roles"])
    assert allowed == {_reports_role_id(synth)}


def test_settings_name_the_report_role_the_workgroup_and_the_database(synth, report_role):
    _, props = report_role
    assert props["RoleName"] == "ringback-prod-report-query-us-east-1"
    env = function_resource(synth, "reports")["Properties"]["Environment"]["Variables"]
    assert env["RINGBACK_ANALYTICS_DATABASE"] == "ringback_prod"
    assert env["RINGBACK_ATHENA_WORKGROUP"] == "ringback-prod"
    assert env["RINGBACK_REPORT_ROLE_ARN"] == {
        "Fn::Join": ["", ["arn:aws:iam::", {"Ref": "AWS::AccountId"}, f":role/{props['RoleName']}"]]
    }
    # The others run no report: they are not told where the reports live.
    widget = function_resource(synth, "widget")["Properties"]["Environment"]["Variables"]
    assert not {"RINGBACK_ANALYTICS_DATABASE", "RINGBACK_ATHENA_WORKGROUP", "RINGBACK_REPORT_ROLE_ARN"} & set(widget)


def _flat(value) -> str:
    """A policy resource as one readable string: Join parts concatenated, refs as <id>."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        return "".join(_flat(part) for part in value["Fn::Join"][1])
    if "Fn::GetAtt" in value:
        return "<{}.{}>".format(*value["Fn::GetAtt"])
    if "Ref" in value:
        return f"<{value['Ref']}>"
    return json.dumps(value)


@pytest.fixture(scope="module")
def report_grants(synth, report_role) -> dict[str, set[str]]:
    """Action -> the resources the report role may use it on."""
    role_id, _ = report_role
    grants: dict[str, set[str]] = {}
    for statement in role_statements(synth, role_id):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            grants.setdefault(action, set()).update(_flat(r) for r in as_list(statement["Resource"]))
    return grants


def test_report_role_runs_queries_only_in_the_reports_workgroup(report_grants):
    athena = {a: r for a, r in report_grants.items() if a.startswith("athena:")}
    assert {"athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults",
            "athena:StopQueryExecution"} <= set(athena)
    workgroup = "arn:aws:athena:us-east-1:<AWS::AccountId>:workgroup/ringback-prod"
    assert all(resources == {workgroup} for resources in athena.values())


def test_report_role_reads_only_the_analytics_catalog(report_grants):
    prefix = "arn:aws:glue:us-east-1:<AWS::AccountId>:"
    expected = {prefix + "catalog", prefix + "database/ringback_prod"} | {
        f"{prefix}table/ringback_prod/{t.name}" for t in schema.TABLES
    }
    glue = {a: r for a, r in report_grants.items() if a.startswith("glue:")}
    assert set(glue) == {"glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions"}
    assert all(resources == expected for resources in glue.values())


def test_report_role_reads_events_and_writes_only_query_results(synth, report_grants):
    bucket = f"<{synth.logical_id(synth.stack.analytics.bucket)}.Arn>"
    s3 = {a: r for a, r in report_grants.items() if a.startswith("s3:")}
    assert s3["s3:GetObject"] == {f"{bucket}/events/*", f"{bucket}/athena-results/*"}
    assert s3["s3:PutObject"] == {f"{bucket}/athena-results/*"}
    assert s3["s3:ListBucket"] == {bucket}
    assert not [a for a in s3 if "*" in a or a.startswith("s3:Delete")]
    # Nothing reaches the bucket's other objects.
    assert all(r in {bucket, f"{bucket}/events/*", f"{bucket}/athena-results/*"} for rs in s3.values() for r in rs)


def test_report_role_lists_only_the_events_and_results_prefixes(synth, report_role):
    role_id, _ = report_role
    (listing,) = [s for s in role_statements(synth, role_id) if "s3:ListBucket" in as_list(s["Action"])]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["events/*", "athena-results/*"]}}


def test_report_role_uses_only_the_data_key_and_nothing_else(synth, report_grants):
    key = f"<{synth.logical_id(synth.stack.data.key)}.Arn>"
    assert report_grants["kms:Decrypt"] == report_grants["kms:GenerateDataKey"] == {key}
    services = {a.split(":")[0] for a in report_grants}
    assert services == {"athena", "glue", "s3", "kms"}
    assert not [a for a in report_grants if "*" in a]


# --- the pipeline: streams to the changes worker, a daily compaction ---------------------

@pytest.fixture(scope="module")
def stream_mappings(synth) -> dict[str, dict]:
    """Logical table name -> its event source mapping's properties."""
    ids = {synth.logical_id(t): logical for logical, t in synth.stack.data.tables.items()}
    mappings = {}
    for mapping in synth.of_type("AWS::Lambda::EventSourceMapping").values():
        source = mapping["Properties"]["EventSourceArn"]["Fn::GetAtt"]
        if source[1] == "StreamArn":
            mappings[ids[source[0]]] = mapping["Properties"]
    return mappings


def test_the_four_streamed_tables_feed_the_changes_worker(synth, stream_mappings):
    assert set(stream_mappings) == set(schema.BY_SOURCE) == {"visits", "lease_history", "calls", "callback_requests"}
    worker = synth.logical_id(synth.stack.functions.workers["reports-changes"])
    assert all(m["FunctionName"] == {"Ref": worker} for m in stream_mappings.values())


@pytest.mark.parametrize("source", sorted(schema.BY_SOURCE))
def test_stream_batches_are_ordered_bisected_retried_and_dead_lettered(synth, stream_mappings, source):
    mapping = stream_mappings[source]
    assert mapping["StartingPosition"] == "TRIM_HORIZON"
    assert mapping["BatchSize"] == 100
    assert 0 < mapping["MaximumBatchingWindowInSeconds"] <= 10
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == 10
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["ParallelizationFactor"] == 1
    dead_letters = synth.logical_id(synth.stack.analytics.changes_dead_letters)
    assert mapping["DestinationConfig"] == {"OnFailure": {"Destination": {"Fn::GetAtt": [dead_letters, "Arn"]}}}


def test_changes_dead_letters_are_encrypted_with_the_data_key_and_tls_only(synth):
    queue_id = synth.logical_id(synth.stack.analytics.changes_dead_letters)
    props = synth.resources[queue_id]["Properties"]
    assert props["KmsMasterKeyId"] == {"Fn::GetAtt": [synth.logical_id(synth.stack.data.key), "Arn"]}
    assert props["MessageRetentionPeriod"] == 14 * 24 * 3600
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in synth.of_type("AWS::SQS::QueuePolicy").values()
        if {"Ref": queue_id} in p["Properties"]["Queues"]
    ]
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
               for statements in policies for s in statements)


def test_compaction_runs_daily_at_three_utc(synth):
    rule = synth.resources[synth.logical_id(synth.stack.analytics.compaction_schedule)]["Properties"]
    assert rule["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert rule["State"] == "ENABLED"
    (target,) = rule["Targets"]
    compact = synth.logical_id(synth.stack.functions.workers["reports-compact"])
    assert target["Arn"] == {"Fn::GetAtt": [compact, "Arn"]}
    permissions = [
        p["Properties"] for p in synth.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["Principal"] == "events.amazonaws.com"
    ]
    assert [p["FunctionName"] for p in permissions] == [{"Fn::GetAtt": [compact, "Arn"]}]


@pytest.mark.parametrize("worker, handler", [("changes", "app.record_changes"), ("compact", "app.compact_changes")])
def test_pipeline_workers_run_with_their_own_size_and_the_reports_role(synth, worker, handler):
    spec = function_spec("reports")
    props = synth.resources[synth.logical_id(synth.stack.functions.workers[f"reports-{worker}"])]["Properties"]
    assert props["Handler"] == handler == spec.workers[worker]
    sizing = spec.worker_sizing[worker]
    assert (props["MemorySize"], props["Timeout"]) == (sizing.memory_mb, sizing.timeout_seconds)
    assert 1024 <= props["MemorySize"] <= 2048 and 60 <= props["Timeout"] <= 300
    assert props["Role"] == {"Fn::GetAtt": [_reports_role_id(synth), "Arn"]}
