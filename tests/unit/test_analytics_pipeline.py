"""The change log on the in-memory files: a batch becomes one file per partition, a retry
lands on the same objects, a failure names where to resume, and compaction keeps every
entity's latest change and nothing else."""
import dataclasses
import json
import sys

import pytest
from boto3.dynamodb.types import TypeSerializer

from infra.catalog import load_app
from ringback import bootstrap
from ringback.adapters.memory import MemoryEventFiles
from ringback.analytics import schema
from ringback.analytics.changes import Change, day_of
from ringback.analytics.pipeline import BatchFailed, ChangeLog, partitions_to_compact
from ringback.bootstrap import build_memory_services
from ringback.clock import ManualClock
from ringback.settings import Settings

DAY = 1_793_664_000_000  # 2026-11-03 00:00 UTC
HOUR = 3_600_000


def call(call_id, seq, status="ringing", tenant="t1", started=DAY + HOUR, event="INSERT"):
    item = {"call_id": call_id, "tenant_id": tenant, "site_id": "s1", "tracking_number": "+14155550101",
            "caller": "+14155550011", "started_at": started, "status": status,
            "attribution": json.dumps({"method": "static", "session_id": None, "confidence": 1.0,
                                       "source": "google"}),
            "outcome": json.dumps({"talk_seconds": 20} if status == "answered" else {})}
    return Change("calls", event, str(seq), started + 1_000, item)


def visit(session_id, seq, tenant="t1", started=DAY + HOUR, pages=1):
    item = {"session_id": session_id, "tenant_id": tenant, "site_id": "s1", "client_id": "client-0001",
            "started_at": started, "last_seen_at": started, "utm": {}, "region": {}, "pages_viewed": pages}
    return Change("visits", "INSERT" if pages == 1 else "MODIFY", str(seq), started, item)


class FailingWrites(MemoryEventFiles):
    """Fails the writes of one tenant's partitions."""

    def __init__(self, failing_tenant):
        super().__init__()
        self.failing_tenant = failing_tenant

    def write(self, table, tenant_id, dt, name, rows):
        if tenant_id == self.failing_tenant:
            raise OSError("S3 is unavailable")
        return super().write(table, tenant_id, dt, name, rows)


def all_rows(files, table):
    return [row for key, rows in files.files.items() if key.startswith(table.prefix) for row in rows]


def test_a_batch_writes_one_file_per_table_tenant_and_day():
    files = MemoryEventFiles()
    keys = ChangeLog(files).record([
        call("tw:CA1", 101), visit("sess-1", 102), call("tw:CA2", 103, tenant="t2"),
        call("tw:CA1", 104, status="answered", event="MODIFY"), call("tw:CA3", 105, started=DAY + 30 * HOUR),
    ])
    assert sorted(keys) == sorted([
        f"events/calls/tenant_id=t1/dt=2026-11-03/{101:040d}-{104:040d}.parquet",
        f"events/sessions/tenant_id=t1/dt=2026-11-03/{102:040d}-{102:040d}.parquet",
        f"events/calls/tenant_id=t2/dt=2026-11-03/{103:040d}-{103:040d}.parquet",
        f"events/calls/tenant_id=t1/dt=2026-11-04/{105:040d}-{105:040d}.parquet",
    ])
    rows = files.files[keys[0]]
    assert [(r["call_id"], r["status"], r["event_name"]) for r in rows] == [
        ("tw:CA1", "ringing", "INSERT"), ("tw:CA1", "answered", "MODIFY")]
    assert "tenant_id" not in rows[0] and "dt" not in rows[0]  # in the key only (Hive layout)


def test_a_retried_batch_overwrites_the_same_objects():
    files = MemoryEventFiles()
    batch = [call("tw:CA1", 101), visit("sess-1", 102), call("tw:CA1", 103, status="answered", event="MODIFY")]
    first = ChangeLog(files).record(batch)
    again = ChangeLog(files).record(list(batch))
    assert first == again and len(files.files) == 2
    assert len(all_rows(files, schema.CALLS)) == 2


def test_the_same_change_twice_in_a_batch_is_written_once():
    files = MemoryEventFiles()
    ChangeLog(files).record([call("tw:CA1", 101), call("tw:CA1", 101)])
    assert len(all_rows(files, schema.CALLS)) == 1


def test_ttl_removals_and_unkept_tables_write_nothing():
    files = MemoryEventFiles()
    expired = Change("calls", "REMOVE", "101", DAY, None, call("tw:CA1", 1).new, by_ttl=True)
    leg = Change("callback_legs", "INSERT", "102", DAY, {"request_id": "cb-1", "leg": "01#operator#00"})
    assert ChangeLog(files).record([expired, leg]) == [] and files.files == {}


def test_a_failed_write_names_the_first_change_not_written_and_keeps_the_ones_before():
    files = FailingWrites("t2")
    batch = [call("tw:CA1", 101), call("tw:CA2", 102, tenant="t2"), call("tw:CA1", 103, status="answered"),
             call("tw:CA3", 104, tenant="t3")]
    with pytest.raises(BatchFailed) as failed:
        ChangeLog(files).record(batch)
    assert failed.value.first_failed.sequence_number == "102"
    assert [r["event_seq"] for r in all_rows(files, schema.CALLS)] == [f"{101:040d}", f"{103:040d}"]
    # The stream hands the batch back from 102: nothing is lost, and the t1 changes
    # written again (103) are duplicates the reports' window and compaction remove.
    files.failing_tenant = None
    ChangeLog(files).record(batch[1:])
    seqs = sorted(r["event_seq"] for r in all_rows(files, schema.CALLS))
    assert seqs == [f"{n:040d}" for n in (101, 102, 103, 103, 104)]


def test_an_unusable_change_fails_the_batch_from_there_after_writing_what_came_before():
    files = MemoryEventFiles()
    broken = call("tw:CA9", 103)
    broken.new["tenant_id"] = None
    with pytest.raises(BatchFailed) as failed:
        ChangeLog(files).record([call("tw:CA1", 101), visit("sess-1", 102), broken, call("tw:CA2", 104)])
    assert failed.value.first_failed is broken and len(failed.value.written) == 2
    assert [r["call_id"] for r in all_rows(files, schema.CALLS)] == ["tw:CA1"]


def test_compaction_keeps_each_entitys_latest_change_and_loses_none():
    files = MemoryEventFiles()
    log = ChangeLog(files)
    log.record([call("tw:CA1", 101), call("tw:CA2", 102)])
    log.record([call("tw:CA1", 103, status="answered", event="MODIFY"), call("tw:CA3", 104)])
    log.record([call("tw:CA1", 103, status="answered", event="MODIFY"), call("tw:CA2", 105, status="busy")])
    assert len(files.list(schema.CALLS, "t1", "2026-11-03")) == 3
    result = log.compact(schema.CALLS, "t1", "2026-11-03")
    assert (result.files_in, result.rows_in, result.rows_out) == (3, 6, 3)
    assert files.list(schema.CALLS, "t1", "2026-11-03") == [f"compacted-{105:040d}.parquet"]
    latest = {r["call_id"]: r["status"] for r in files.read(schema.CALLS, "t1", "2026-11-03",
                                                            f"compacted-{105:040d}.parquet")}
    assert latest == {"tw:CA1": "answered", "tw:CA2": "busy", "tw:CA3": "ringing"}


def test_compacting_again_changes_nothing_until_new_changes_arrive():
    files = MemoryEventFiles()
    log = ChangeLog(files)
    log.record([call("tw:CA1", 101)])
    log.record([call("tw:CA1", 102, status="answered")])
    first = log.compact(schema.CALLS, "t1", "2026-11-03")
    assert log.compact(schema.CALLS, "t1", "2026-11-03").key is None
    # A late retry of an old batch: compaction folds it in, and the latest change wins.
    log.record([call("tw:CA1", 101)])
    again = log.compact(schema.CALLS, "t1", "2026-11-03")
    assert again.key == first.key and files.list(schema.CALLS, "t1", "2026-11-03") == [first.key.split("/")[-1]]
    assert [r["status"] for r in all_rows(files, schema.CALLS)] == ["answered"]


def test_finished_days_with_several_files_and_crowded_days_are_due_for_compaction():
    files = MemoryEventFiles()
    log = ChangeLog(files)
    yesterday, today = DAY + HOUR, DAY + 25 * HOUR
    log.record([call("tw:CA1", 101, started=yesterday)])
    log.record([call("tw:CA2", 102, started=yesterday)])
    log.record([call("tw:CA3", 103, started=yesterday, tenant="t2")])  # one file: nothing to fold
    for seq in range(200, 204):
        log.record([call(f"tw:CB{seq}", seq, started=today)])
    assert partitions_to_compact(files, schema.CALLS, day_of(today), max_files=5) == [("t1", "2026-11-03")]
    assert partitions_to_compact(files, schema.CALLS, day_of(today), max_files=3) == [
        ("t1", "2026-11-03"), ("t1", "2026-11-04")]


# -- the doors: Lambda's stream event and the schedule --------------------------------------

SETTINGS = Settings(stage="test", region="us-east-1", aws_endpoint_url=None, table_prefix="ringback-test-",
                    recordings_bucket="r", analytics_bucket="a", frontend_bucket="f",
                    public_base_url="https://calls.example")


@pytest.fixture
def files():
    """The analytics files of the services the doors use, a day after the calls began."""
    files = MemoryEventFiles()
    services = build_memory_services(ManualClock(DAY + 26 * HOUR), SETTINGS)
    bootstrap.install(dataclasses.replace(services, changes=ChangeLog(files)))
    yield files
    bootstrap.install(None)


def stream_record(change, table="calls"):
    serialize = TypeSerializer().serialize
    return {
        "eventID": f"e{change.sequence_number}", "eventName": change.event_name, "eventVersion": "1.1",
        "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
        "eventSourceARN": (f"arn:aws:dynamodb:us-east-1:123456789012:table/ringback-test-{table}"
                           "/stream/2026-11-01T00:00:00.000"),
        "dynamodb": {"ApproximateCreationDateTime": change.at_ms / 1000, "SequenceNumber": change.sequence_number,
                     "Keys": {}, "NewImage": {k: serialize(v) for k, v in change.new.items()},
                     "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }


def handlers():
    load_app("reports")
    return sys.modules["ringback_function_reports"]


def test_the_stream_handler_writes_the_batch_and_reports_no_failure(files):
    event = {"Records": [stream_record(call("tw:CA1", 101)), stream_record(visit("sess-1", 102), "visits")]}
    assert handlers().record_changes(event, None) == {"batchItemFailures": []}
    [row] = files.read(schema.CALLS, "t1", "2026-11-03", f"{101:040d}-{101:040d}.parquet")
    assert row["call_id"] == "tw:CA1" and row["event_at"] == DAY + HOUR + 1_000
    assert files.list(schema.SESSIONS, "t1", "2026-11-03")


def test_the_stream_handler_names_the_first_record_it_could_not_write(files):
    broken = stream_record(call("tw:CA2", 102))
    broken["eventSourceARN"] = "not-an-arn"
    event = {"Records": [stream_record(call("tw:CA1", 101)), broken, stream_record(call("tw:CA3", 103))]}
    assert handlers().record_changes(event, None) == {"batchItemFailures": [{"itemIdentifier": "102"}]}
    assert [r["call_id"] for r in all_rows(files, schema.CALLS)] == ["tw:CA1"]


def test_the_scheduled_compaction_folds_yesterdays_files(files):
    log = ChangeLog(files)
    log.record([call("tw:CA1", 101)])
    log.record([call("tw:CA1", 102, status="answered")])
    result = handlers().compact_changes({}, None)
    assert result["compacted"] == 1 and result["rows_out"] == 1 and result["left"] == 0
    assert files.list(schema.CALLS, "t1", "2026-11-03") == [f"compacted-{102:040d}.parquet"]
