"""The analytics files' contract, for the fake and for Parquet in S3 on moto."""
import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from devstack import aws
from ringback.adapters.memory import MemoryEventFiles
from ringback.adapters.parquet_s3 import ParquetEventFiles, arrow_schema, s3_filesystem
from ringback.analytics import schema
from ringback.analytics.changes import Change
from ringback.analytics.pipeline import ChangeLog

DAY = "2026-11-03"


@pytest.fixture(params=["memory", "s3"])
def files(request):
    if request.param == "memory":
        return MemoryEventFiles()
    settings = request.getfixturevalue("local_aws")
    return ParquetEventFiles(settings.analytics_bucket, settings.region, settings.aws_endpoint_url)


def call_row(call_id, seq, status="ringing", **extra):
    row = {name: None for name, _ in schema.CALLS.all_columns}
    row.update(call_id=call_id, site_id="s1", started_at=1_793_667_600_000, status=status,
               answered=status == "answered", confidence=0.75, ring_seconds=4, schema_version=1,
               event_seq=f"{seq:040d}", event_name="INSERT", event_at=1_793_667_601_000, **extra)
    return row


def test_written_rows_read_back_with_every_column_and_type(files, uid):
    tenant = uid("t")
    rows = [call_row("tw:CA1", 1), call_row("tw:CA1", 2, status="answered", talk_seconds=20)]
    key = files.write(schema.CALLS, tenant, DAY, "a.parquet", rows)
    assert key == f"events/calls/tenant_id={tenant}/dt={DAY}/a.parquet"
    assert files.read(schema.CALLS, tenant, DAY, "a.parquet") == rows


def test_keys_beyond_the_schema_are_not_written_and_missing_columns_read_as_null(files, uid):
    tenant = uid("t")
    files.write(schema.CALLS, tenant, DAY, "a.parquet",
                [{"call_id": "tw:CA1", "event_seq": "1", "tenant_id": tenant, "dt": DAY, "caller": "+14155550011"}])
    [row] = files.read(schema.CALLS, tenant, DAY, "a.parquet")
    assert set(row) == {name for name, _ in schema.CALLS.all_columns}
    assert row["call_id"] == "tw:CA1" and row["status"] is None and row["answered"] is None


def test_a_partition_lists_its_own_files_in_order(files, uid):
    tenant = uid("t")
    for name in ("b.parquet", "a.parquet"):
        files.write(schema.CALLS, tenant, DAY, name, [call_row("tw:CA1", 1)])
    files.write(schema.CALLS, tenant, "2026-11-04", "c.parquet", [call_row("tw:CA2", 3)])
    files.write(schema.CALLS, uid("other"), DAY, "d.parquet", [call_row("tw:CA3", 4)])
    files.write(schema.SESSIONS, tenant, DAY, "e.parquet", [{"session_id": "sess-1", "event_seq": "5"}])
    assert files.list(schema.CALLS, tenant, DAY) == ["a.parquet", "b.parquet"]
    assert files.list(schema.CALLS, tenant, "2026-11-05") == []
    counts = files.partitions(schema.CALLS)
    assert counts[(tenant, DAY)] == 2 and counts[(tenant, "2026-11-04")] == 1
    assert (tenant, DAY) in files.partitions(schema.SESSIONS)


def test_writing_a_name_again_replaces_the_file(files, uid):
    tenant = uid("t")
    files.write(schema.CALLS, tenant, DAY, "a.parquet", [call_row("tw:CA1", 1)])
    files.write(schema.CALLS, tenant, DAY, "a.parquet", [call_row("tw:CA2", 2)])
    assert [r["call_id"] for r in files.read(schema.CALLS, tenant, DAY, "a.parquet")] == ["tw:CA2"]
    assert files.list(schema.CALLS, tenant, DAY) == ["a.parquet"]


def test_deleted_files_are_gone_and_deleting_twice_is_harmless(files, uid):
    tenant = uid("t")
    files.write(schema.CALLS, tenant, DAY, "a.parquet", [call_row("tw:CA1", 1)])
    files.write(schema.CALLS, tenant, DAY, "b.parquet", [call_row("tw:CA2", 2)])
    files.delete(schema.CALLS, tenant, DAY, ["a.parquet"])
    files.delete(schema.CALLS, tenant, DAY, ["a.parquet"])
    assert files.list(schema.CALLS, tenant, DAY) == ["b.parquet"]
    with pytest.raises(FileNotFoundError):
        files.read(schema.CALLS, tenant, DAY, "a.parquet")


def test_batches_and_compaction_on_the_adapter_keep_the_latest_state(files, uid):
    tenant = uid("t")

    def change(seq, status):
        item = {"call_id": "tw:CA1", "tenant_id": tenant, "site_id": "s1", "caller": "+14155550011",
                "started_at": 1_793_667_600_000, "status": status, "attribution": "{}", "outcome": "{}"}
        return Change("calls", "MODIFY", str(seq), 1_793_667_601_000, item)

    log = ChangeLog(files)
    log.record([change(11, "ringing")])
    log.record([change(12, "answered")])
    compacted = log.compact(schema.CALLS, tenant, DAY)
    assert files.list(schema.CALLS, tenant, DAY) == [compacted.key.rsplit("/", 1)[1]]
    [row] = files.read(schema.CALLS, tenant, DAY, compacted.key.rsplit("/", 1)[1])
    assert row["status"] == "answered" and row["answered"] is True


# -- Parquet in S3 only ------------------------------------------------------------------


def test_s3_files_are_typed_parquet_a_hive_reader_partitions_by_tenant_and_day(local_aws, uid):
    tenant = uid("t")
    files = ParquetEventFiles(local_aws.analytics_bucket, local_aws.region, local_aws.aws_endpoint_url)
    files.write(schema.CALLS, tenant, DAY, "a.parquet", [call_row("tw:CA1", 1)])
    files.write(schema.CALLS, tenant, DAY, "b.parquet", [call_row("tw:CA1", 2, status="answered")])
    files.delete(schema.CALLS, tenant, DAY, ["a.parquet", "b.parquet"])  # leaves a directory marker
    files.write(schema.CALLS, tenant, DAY, "c.parquet", [call_row("tw:CA1", 3, status="answered")])
    fs = s3_filesystem(local_aws.region, local_aws.aws_endpoint_url)
    dataset = ds.dataset(f"{local_aws.analytics_bucket}/events/calls/tenant_id={tenant}/", filesystem=fs,
                         format="parquet", partitioning="hive")
    table = dataset.to_table()
    assert table.schema.field("started_at").type == pa.int64() and table.schema.field("ring_seconds").type == pa.int32()
    assert table.schema.field("answered").type == pa.bool_() and table.schema.field("confidence").type == pa.float64()
    assert table.to_pylist()[0]["dt"] == DAY and table.to_pylist()[0]["status"] == "answered"
    assert dataset.schema.remove(dataset.schema.get_field_index("dt")) == arrow_schema(schema.CALLS)
    assert files.list(schema.CALLS, tenant, DAY) == ["c.parquet"]
    assert files.partitions(schema.CALLS)[(tenant, DAY)] == 1


def test_s3_files_are_encrypted_with_the_buckets_kms_key(local_aws, uid):
    tenant = uid("t")
    key = ParquetEventFiles(local_aws.analytics_bucket, local_aws.region, local_aws.aws_endpoint_url).write(
        schema.CALLS, tenant, DAY, "a.parquet", [call_row("tw:CA1", 1)])
    head = aws.client("s3", local_aws).head_object(Bucket=local_aws.analytics_bucket, Key=key)
    assert head["ServerSideEncryption"] == "aws:kms"
