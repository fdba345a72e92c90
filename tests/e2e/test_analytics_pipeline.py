"""The analytics pipeline on the local stack: a call placed through the local carrier
reaches the analytics bucket as Parquet, through the tables' streams and the reports
function's stream handler, as in AWS."""
import time

import pyarrow.compute as pc
import pyarrow.dataset as ds
import pytest

from devstack import aws
from ringback.adapters.parquet_s3 import s3_filesystem
from tests.support.calls import aws_client, call_after_a_visit

pytestmark = pytest.mark.e2e

BUCKET = "ringback-local-analytics"
CALLER = "+14155550077"


def latest_rows(stack, table, key, value):
    """The rows of one entity, as a report sees them: its latest change (max event_seq).
    Until the stream handler writes the table's first file, its prefix does not exist."""
    try:
        dataset = ds.dataset(f"{BUCKET}/events/{table}/", filesystem=s3_filesystem(aws.REGION, stack.moto_url),
                             format="parquet", partitioning="hive")
    except FileNotFoundError:
        return []
    rows = dataset.to_table(filter=pc.field(key) == value).to_pylist()
    return sorted(rows, key=lambda row: row["event_seq"])


def wait_for_row(stack, table, key, value, done, timeout=90):
    deadline = time.monotonic() + timeout
    rows = []
    while time.monotonic() < deadline:
        rows = latest_rows(stack, table, key, value)
        if rows and done(rows[-1]):
            return rows
        time.sleep(0.3)
    pytest.fail(f"no {table} row for {value} in the analytics bucket; last seen: {rows}")


def test_an_answered_call_lands_in_the_analytics_bucket_as_parquet(stack):
    sid = call_after_a_visit(stack, "client-analytics-01", "spring", CALLER, answer_after=2, talk_for=10)

    calls = wait_for_row(stack, "calls", "call_id", f"tw:{sid}", lambda row: row["status"] == "answered")
    call = calls[-1]
    assert call["tenant_id"] == stack.tenant_id and call["answered"] is True and call["talk_seconds"] == 10
    assert (call["source"], call["medium"], call["campaign"]) == ("google", "cpc", "spring")
    # Dialled by hand without the code: ranked to the one visit shown the number.
    assert call["attribution_method"] == "ranked" and call["first_time_caller"] is True
    assert calls[0]["status"] == "ringing" and calls[0]["event_name"] == "INSERT"  # every change, in order
    assert call["dt"] == time.strftime("%Y-%m-%d", time.gmtime(call["started_at"] / 1000))

    [session] = wait_for_row(stack, "sessions", "session_id", call["session_id"], lambda row: True)[-1:]
    assert session["source"] == "google" and session["visitor_id"] == "client-analytics-01"

    # The caller is a key, never a number, in every file of the bucket.
    s3 = aws_client(stack, "s3")
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix="events/")["Contents"]]
    assert keys and all(k.startswith("events/") for k in keys)
    for key in keys:
        body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        assert CALLER.encode() not in body and CALLER[2:].encode() not in body
