"""The Athena runner: credentials narrowed to the report's tenants, the query started in
the workgroup, polled with a growing pause, its results read page by page and typed; a
failed, cancelled or overdue query is a clear error. Athena and STS are botocore
Stubbers here, and moto's (which run no SQL but answer every call) at the end."""
import json
import urllib.request

import boto3
import pytest
from botocore.stub import Stubber

from ringback.adapters.athena import (
    POLICY_LIMIT,
    AthenaRunner,
    QueryFailed,
    policy_text,
    session_policy,
)
from ringback.analytics.reports import Query

BUCKET = "ringback-prod-analytics"
ROLE = "arn:aws:iam::123456789012:role/ringback-prod-reports"
QUERY = Query("SELECT 1", ("t1", "t2"), {"calls": ("2026-02-01", "2026-02-28")})
CREDENTIALS = {"AccessKeyId": "ASIAEXAMPLEEXAMPLE", "SecretAccessKey": "secret", "SessionToken": "token",
               "Expiration": "2030-01-01T00:00:00Z"}


class Capture:
    """Matches any value in a Stubber's expected parameters, and keeps it."""

    def __eq__(self, other):
        self.value = other
        return True


def client(service):
    return boto3.client(service, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")


class FakeTime:
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self):
        return self.now


@pytest.fixture
def aws():
    sts, athena = client("sts"), client("athena")
    with Stubber(sts) as sts_stub, Stubber(athena) as athena_stub:
        yield sts, sts_stub, athena, athena_stub


def runner(aws, time, given=None, **kwargs):
    sts, _, athena, _ = aws

    def athena_for(credentials):
        if given is not None:
            given.append(credentials)
        return athena

    return AthenaRunner("ringback-reports", "ringback_prod_analytics", BUCKET, ROLE, "us-east-1", sts=sts,
                        athena_for=athena_for, sleep=time.sleep, monotonic=time.monotonic, **kwargs)


def expect_role(sts_stub, policy):
    sts_stub.add_response("assume_role", {"Credentials": CREDENTIALS}, {
        "RoleArn": ROLE, "RoleSessionName": "ringback-report", "Policy": policy, "DurationSeconds": 900})


def expect_start(athena_stub, query_id="q-1"):
    athena_stub.add_response("start_query_execution", {"QueryExecutionId": query_id}, {
        "QueryString": "SELECT 1", "WorkGroup": "ringback-reports",
        "QueryExecutionContext": {"Catalog": "AwsDataCatalog", "Database": "ringback_prod_analytics"}})


def execution(state, scanned=None, reason=None):
    status = {"State": state, **({"StateChangeReason": reason} if reason else {})}
    return {"QueryExecution": {"QueryExecutionId": "q-1", "Status": status,
                               **({"Statistics": {"DataScannedInBytes": scanned}} if scanned is not None else {})}}


COLUMNS = [{"Name": "source", "Type": "varchar"}, {"Name": "calls", "Type": "bigint"},
           {"Name": "answered_pct", "Type": "double"}, {"Name": "first", "Type": "boolean"}]


def row(*cells):
    return {"Data": [{"VarCharValue": c} if c is not None else {} for c in cells]}


def test_a_query_runs_with_credentials_for_its_tenants_and_reads_every_page(aws):
    _, sts_stub, _, athena_stub = aws
    time, given, policy = FakeTime(), [], Capture()
    expect_role(sts_stub, policy)
    expect_start(athena_stub)
    for state in ("QUEUED", "RUNNING", "RUNNING"):
        athena_stub.add_response("get_query_execution", execution(state), {"QueryExecutionId": "q-1"})
    athena_stub.add_response("get_query_execution", execution("SUCCEEDED", scanned=12_345), {"QueryExecutionId": "q-1"})
    athena_stub.add_response("get_query_results", {
        "ResultSet": {"ResultSetMetadata": {"ColumnInfo": COLUMNS},
                      "Rows": [row("source", "calls", "answered_pct", "first"), row("google", "4", "75.0", "true")]},
        "NextToken": "page-2"}, {"QueryExecutionId": "q-1", "MaxResults": 1000})
    athena_stub.add_response("get_query_results", {
        "ResultSet": {"ResultSetMetadata": {"ColumnInfo": COLUMNS}, "Rows": [row(None, "1", None, "false")]}},
        {"QueryExecutionId": "q-1", "MaxResults": 1000, "NextToken": "page-2"})

    result = runner(aws, time, given).run(QUERY)

    assert result.columns == ("source", "calls", "answered_pct", "first")
    assert result.rows == [("google", 4, 75.0, True), (None, 1, None, False)]
    assert result.bytes_scanned == 12_345
    assert time.sleeps == [0.2, 0.4, 0.8]
    assert given == [{"aws_access_key_id": "ASIAEXAMPLEEXAMPLE", "aws_secret_access_key": "secret",
                      "aws_session_token": "token"}]
    assert json.loads(policy.value) == session_policy(BUCKET, ["t1", "t2"])
    sts_stub.assert_no_pending_responses()
    athena_stub.assert_no_pending_responses()


def test_the_session_policy_reads_only_the_tenants_event_prefixes_and_results():
    policy = session_policy(BUCKET, ["t2", "t1", "t2"])
    readers = [s for s in policy["Statement"] if "s3:GetObject" in s["Action"]]
    resources = [r for s in readers for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])]
    assert resources == [f"arn:aws:s3:::{BUCKET}/events/*/tenant_id=t1/*",
                         f"arn:aws:s3:::{BUCKET}/events/*/tenant_id=t2/*",
                         f"arn:aws:s3:::{BUCKET}/athena-results/*"]
    others = [s for s in policy["Statement"] if s not in readers]
    assert not any(a.startswith("s3:GetObject") or "*" in a for s in others for a in s["Action"])
    assert all(s["Effect"] == "Allow" and "NotAction" not in s for s in policy["Statement"])


def test_a_session_policy_holds_a_bounded_number_of_tenants(aws):
    wide = runner(aws, FakeTime())
    assert wide.fits([f"tenant-{i:04d}" for i in range(10)])
    many = [f"0f8fad5b-d9cb-469f-a165-70867728{i:04d}" for i in range(40)]
    assert not wide.fits(many) and len(policy_text(session_policy(BUCKET, many))) > POLICY_LIMIT


def test_credentials_are_reused_for_the_same_tenants(aws):
    _, sts_stub, _, athena_stub = aws
    time = FakeTime()
    expect_role(sts_stub, Capture())
    run = runner(aws, time)
    for _ in range(2):
        expect_start(athena_stub)
        athena_stub.add_response("get_query_execution", execution("SUCCEEDED"), {"QueryExecutionId": "q-1"})
        athena_stub.add_response("get_query_results", {"ResultSet": {"ResultSetMetadata": {"ColumnInfo": []},
                                                                     "Rows": []}})
        run.run(QUERY)
    sts_stub.assert_no_pending_responses()  # one AssumeRole for both


@pytest.mark.parametrize("state", ["FAILED", "CANCELLED"])
def test_a_failed_or_cancelled_query_is_a_clear_error(aws, state):
    _, sts_stub, _, athena_stub = aws
    expect_role(sts_stub, Capture())
    expect_start(athena_stub)
    athena_stub.add_response("get_query_execution", execution(state, reason="TABLE_NOT_FOUND: calls"),
                             {"QueryExecutionId": "q-1"})
    with pytest.raises(QueryFailed) as failed:
        runner(aws, FakeTime()).run(QUERY)
    assert (failed.value.state, failed.value.reason, failed.value.code) == (state, "TABLE_NOT_FOUND: calls",
                                                                           "report_failed")
    assert "TABLE_NOT_FOUND" not in failed.value.message  # the API's answer carries no internals
    assert "TABLE_NOT_FOUND" in str(failed.value)  # the logs do


def test_a_query_still_running_at_the_deadline_is_stopped(aws):
    _, sts_stub, _, athena_stub = aws
    expect_role(sts_stub, Capture())
    expect_start(athena_stub)
    for _ in range(5):
        athena_stub.add_response("get_query_execution", execution("RUNNING"), {"QueryExecutionId": "q-1"})
    athena_stub.add_response("stop_query_execution", {}, {"QueryExecutionId": "q-1"})
    time = FakeTime()
    with pytest.raises(QueryFailed) as failed:
        runner(aws, time, timeout_seconds=3.0).run(QUERY)
    assert failed.value.state == "TIMED_OUT"
    assert sum(time.sleeps) <= 3.0
    athena_stub.assert_no_pending_responses()


def test_athena_reports_need_the_report_role():
    with pytest.raises(ValueError, match="REPORT_ROLE_ARN"):
        AthenaRunner("wg", "db", BUCKET, None, "us-east-1")


def test_on_moto_the_role_is_assumed_and_the_query_answered(local_aws):
    """moto runs no SQL: its canned result stands for Athena's; what is checked is that
    every call is one AWS accepts, in order."""
    body = json.dumps({"results": [{
        "rows": [row("tenant_id", "calls"), row("t1", "7")],
        "column_info": [{"Name": "tenant_id", "Type": "varchar"}, {"Name": "calls", "Type": "bigint"}],
    }]}).encode()
    urllib.request.urlopen(urllib.request.Request(f"{local_aws.aws_endpoint_url}/moto-api/static/athena/query-results",
                                                  data=body, method="POST",
                                                  headers={"Content-Type": "application/json"}))
    athena = AthenaRunner("primary", "ringback_test", local_aws.analytics_bucket, ROLE, local_aws.region,
                          endpoint_url=local_aws.aws_endpoint_url, first_pause=0.01)
    result = athena.run(Query("SELECT tenant_id, count(*) AS calls FROM calls GROUP BY 1", ("t1",),
                              {"calls": ("2026-02-01", "2026-02-28")}))
    assert result.columns == ("tenant_id", "calls") and result.rows == [("t1", 7)]
