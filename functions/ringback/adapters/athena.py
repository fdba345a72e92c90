"""Reports in AWS: Athena runs the report SQL over the Glue tables of the analytics bucket.

Before a query, the function assumes the report role (`settings.report_role_arn`) with a
session policy that allows `s3:GetObject` on the event files of the tenants in scope
only: `arn:aws:s3:::BUCKET/events/*/tenant_id=T/*`, one per tenant, plus the query
results. A session policy can only narrow what the role may do, so the other statements
(Athena, Glue, KMS, listing) are left wide there and held tight by the role's own policy.
Even a report SQL that forgot its tenant filter could then read no other tenant's
files: IAM refuses them, and the query fails.

A session policy has at most 2,048 characters, so one query reads a bounded number of
tenants (`fits()`); a wider agency scope runs per-tenant reports in parts
(`Reports.execute`).

Query lifecycle: StartQueryExecution in the workgroup (whose settings fix the results
location, `s3://BUCKET/athena-results/`, and its encryption), GetQueryExecution polled
with a growing pause until SUCCEEDED, FAILED or CANCELLED, then GetQueryResults page by
page. A query still running at the deadline (25 s: API Gateway gives up on the function
at 29) is stopped.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from ringback.adapters.logs import get_logger
from ringback.analytics.reports import Query, ResultSet
from ringback.errors import Unavailable

POLICY_LIMIT = 2048  # characters of an inline session policy (STS AssumeRole)
RESULTS_PREFIX = "athena-results/"
SESSION_SECONDS = 900
PAGE_SIZE = 1000

logger = get_logger("reports")


class QueryFailed(Unavailable):
    """Athena did not finish the query. The state and Athena's reason are kept for the
    logs; the API answers with a plain message (a 5xx carries no internals)."""

    code = "report_failed"

    def __init__(self, query_id: str | None, state: str, reason: str = "") -> None:
        super().__init__(f"the report query did not finish ({state})")
        self.query_id = query_id
        self.state = state
        self.reason = reason

    def __str__(self) -> str:
        return f"Athena query {self.query_id} {self.state}: {self.reason}"


def session_policy(bucket: str, tenants: Sequence[str]) -> dict[str, Any]:
    """What a report's credentials may do: read these tenants' event files and the query
    results, and use Athena, Glue, listing and the bucket's key as the role allows (its
    own policy names the workgroup, database, prefixes and key; a session policy can only
    narrow it, so these resources are left wide here to leave room for tenants)."""
    if not tenants:
        raise ValueError("a report reads at least one tenant")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": [f"arn:aws:s3:::{bucket}/events/*/tenant_id={t}/*" for t in sorted(set(tenants))]
                + [f"arn:aws:s3:::{bucket}/{RESULTS_PREFIX}*"],
            },
            {
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:ListBucket",
                           "s3:GetBucketLocation", "athena:StartQueryExecution", "athena:GetQueryExecution",
                           "athena:GetQueryResults", "athena:StopQueryExecution", "athena:GetWorkGroup",
                           "glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions",
                           "kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
            },
        ],
    }


def policy_text(policy: dict[str, Any]) -> str:
    return json.dumps(policy, separators=(",", ":"))


_INTEGER_TYPES = {"tinyint", "smallint", "integer", "int", "bigint"}
_FLOAT_TYPES = {"double", "float", "real", "decimal"}


def athena_value(raw: dict[str, str], kind: str) -> Any:
    """A cell of GetQueryResults (all text) as the Python value of its column's type. A
    cell without VarCharValue is NULL."""
    if "VarCharValue" not in raw:
        return None
    text = raw["VarCharValue"]
    kind = kind.lower()
    if kind in _INTEGER_TYPES:
        return int(text)
    if kind in _FLOAT_TYPES:
        return float(text)
    if kind == "boolean":
        return text.lower() == "true"
    return text


class AthenaRunner:
    """A QueryRunner on Athena, with credentials narrowed per query to its tenants."""

    def __init__(self, workgroup: str, database: str, bucket: str, role_arn: str, region: str,
                 sts: Any = None, athena_for: Callable[[dict[str, str]], Any] | None = None,
                 sleep: Callable[[float], None] = time.sleep, monotonic: Callable[[], float] = time.monotonic,
                 timeout_seconds: float = 25.0, first_pause: float = 0.2, longest_pause: float = 2.0,
                 endpoint_url: str | None = None) -> None:
        if not role_arn:
            raise ValueError("Athena reports need RINGBACK_REPORT_ROLE_ARN: the role a report assumes per tenant scope")
        if not database:
            raise ValueError("Athena reports need RINGBACK_ANALYTICS_DATABASE")
        self._workgroup = workgroup
        self._database = database
        self._bucket = bucket
        self._role_arn = role_arn
        self._region = region
        self._sts = sts
        self._athena_for = athena_for or self._athena_client
        self._sleep = sleep
        self._monotonic = monotonic
        self._timeout = timeout_seconds
        self._first_pause = first_pause
        self._longest_pause = longest_pause
        self._endpoint_url = endpoint_url  # None in AWS; moto's in tests
        self._credentials: dict[tuple[str, ...], tuple[float, dict[str, str]]] = {}

    # -- the scope's credentials ---------------------------------------------------------
    def fits(self, tenants: Sequence[str]) -> bool:
        return len(policy_text(session_policy(self._bucket, tenants))) <= POLICY_LIMIT

    def credentials_for(self, tenants: Sequence[str]) -> dict[str, str]:
        """Temporary credentials that read these tenants' files only (cached until a minute
        before they expire)."""
        scope = tuple(sorted(set(tenants)))
        cached = self._credentials.get(scope)
        now = self._monotonic()
        if cached and cached[0] > now:
            return cached[1]
        policy = policy_text(session_policy(self._bucket, scope))
        if len(policy) > POLICY_LIMIT:
            raise ValueError(f"{len(scope)} tenants do not fit one session policy")
        if self._sts is None:
            import boto3

            self._sts = boto3.client("sts", region_name=self._region, endpoint_url=self._endpoint_url)
        answer = self._sts.assume_role(RoleArn=self._role_arn, RoleSessionName="ringback-report",
                                       Policy=policy, DurationSeconds=SESSION_SECONDS)
        given = answer["Credentials"]
        credentials = {"aws_access_key_id": given["AccessKeyId"], "aws_secret_access_key": given["SecretAccessKey"],
                       "aws_session_token": given["SessionToken"]}
        if len(self._credentials) > 64:
            self._credentials.clear()
        self._credentials[scope] = (now + SESSION_SECONDS - 60, credentials)
        return credentials

    def _athena_client(self, credentials: dict[str, str]):
        import boto3

        return boto3.client("athena", region_name=self._region, endpoint_url=self._endpoint_url, **credentials)

    # -- a query ---------------------------------------------------------------------------
    def run(self, query: Query) -> ResultSet:
        athena = self._athena_for(self.credentials_for(query.tenants))
        started = athena.start_query_execution(
            QueryString=query.sql,
            WorkGroup=self._workgroup,
            QueryExecutionContext={"Catalog": "AwsDataCatalog", "Database": self._database},
        )
        query_id = started["QueryExecutionId"]
        execution = self._wait(athena, query_id)
        columns, rows = self._results(athena, query_id)
        scanned = execution.get("Statistics", {}).get("DataScannedInBytes")
        return ResultSet(columns, rows, scanned)

    def _wait(self, athena: Any, query_id: str) -> dict[str, Any]:
        deadline = self._monotonic() + self._timeout
        pause = self._first_pause
        while True:
            execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
            status = execution["Status"]
            state = status["State"]
            if state == "SUCCEEDED":
                return execution
            if state in ("FAILED", "CANCELLED"):
                error = QueryFailed(query_id, state, status.get("StateChangeReason", ""))
                logger.error("report query failed", extra={"query_id": query_id, "state": state,
                                                           "reason": error.reason})
                raise error
            if self._monotonic() + pause > deadline:
                athena.stop_query_execution(QueryExecutionId=query_id)
                logger.error("report query stopped at its deadline", extra={"query_id": query_id})
                raise QueryFailed(query_id, "TIMED_OUT", f"still {state} after {self._timeout:.0f} s")
            self._sleep(pause)
            pause = min(pause * 2, self._longest_pause)

    def _results(self, athena: Any, query_id: str) -> tuple[tuple[str, ...], list[tuple]]:
        columns: tuple[str, ...] = ()
        kinds: list[str] = []
        rows: list[tuple] = []
        token = None
        first = True
        while True:
            page = athena.get_query_results(QueryExecutionId=query_id, MaxResults=PAGE_SIZE,
                                            **({"NextToken": token} if token else {}))
            result = page["ResultSet"]
            if first:
                info = result.get("ResultSetMetadata", {}).get("ColumnInfo", [])
                columns = tuple(c["Name"] for c in info)
                kinds = [c.get("Type", "varchar") for c in info]
            data = result.get("Rows", [])
            if first and data and [cell.get("VarCharValue") for cell in data[0]["Data"]] == list(columns):
                data = data[1:]  # a SELECT's first row repeats the column names
            first = False
            rows.extend(tuple(athena_value(cell, kind) for cell, kind in zip(row["Data"], kinds, strict=True))
                        for row in data)
            token = page.get("NextToken")
            if not token:
                return columns, rows
