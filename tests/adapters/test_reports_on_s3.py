"""Reports as the local stack runs them: the pipeline's Parquet files and an ad-spend
upload in the analytics bucket on the moto server, read by the DuckDB runner through
pyarrow's S3 filesystem."""
import uuid

import boto3

from ringback.accounts.tenants import TenantScope
from ringback.adapters.duckdb_runner import DuckDbRunner
from ringback.adapters.memory import MemorySites
from ringback.adapters.parquet_s3 import ParquetEventFiles
from ringback.analytics import schema
from ringback.analytics.ad_spend import AdSpend
from ringback.analytics.reports import Reports
from ringback.clock import ManualClock
from tests.support.analytics import utc_ms


def test_cost_per_lead_from_an_uploaded_csv_and_the_pipelines_files(local_aws):
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    scope = TenantScope(tenant, "owner", frozenset({tenant}))
    clock = ManualClock(utc_ms("2026-03-05"))
    bucket, region, endpoint = local_aws.analytics_bucket, local_aws.region, local_aws.aws_endpoint_url
    files = ParquetEventFiles(bucket, region, endpoint)
    for i, (source, status) in enumerate([("google", "answered"), ("google", "no-answer"), ("bing", "answered")]):
        started = utc_ms("2026-03-02", 10 + i)
        files.write(schema.CALLS, tenant, "2026-03-02", f"{i:040d}-{i:040d}.parquet", [{
            "call_id": f"c{i}", "site_id": "s", "started_at": started, "status": status,
            "answered": status == "answered", "source": source, "medium": "cpc", "campaign": "spring",
            "schema_version": 1, "event_seq": f"{i:040d}", "event_name": "INSERT", "event_at": started}])
    # pyarrow leaves directory markers behind: the runner must not read one as a file.
    s3 = boto3.client("s3", region_name=region, endpoint_url=endpoint)
    s3.put_object(Bucket=bucket, Key=f"events/calls/tenant_id={tenant}/dt=2026-03-03/", Body=b"")

    AdSpend(files, clock).upload(scope, None, b"day,source,medium,campaign,spend,currency,clicks\n"
                                              b"2026-03-02,google,cpc,spring,50,USD,20\n"
                                              b"2026-03-02,bing,cpc,spring,9.5,USD,3\n")
    reports = Reports(DuckDbRunner.on_s3(bucket, region, endpoint), MemorySites(), clock)
    _, result = reports.run(scope, "cost_per_lead", {"from": "2026-03-01", "to": "2026-03-04"})

    got = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
    assert [(r["source"], r["spend"], r["calls"], r["answered_calls"], r["cost_per_call"]) for r in got] == [
        ("google", 50.0, 2, 1, 25.0), ("bing", 9.5, 1, 1, 9.5)]
    assert result.bytes_scanned > 0
