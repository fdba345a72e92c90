"""Analytics, the pipeline that fills the lake: the streamed tables' changes
(`schema.BY_SOURCE`: visits, lease_history, calls, callback_requests) reach the reports
`changes` worker in order per shard, in batches, with bisect-on-error, per-record
failures and a dead-letter queue for a batch that keeps failing; the `compact` worker
runs once a day at 03:00 UTC.

The resources are made in the scope given (AnalyticsConstruct, infra/constructs/analytics.py),
so their logical ids are that construct's.
"""
from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk.aws_lambda_event_sources import DynamoEventSource, SqsDlq
from constructs import Construct

from infra.constructs import acknowledge
from ringback.analytics import schema


def stream_changes(scope: Construct, worker: lambda_.Function, tables: Mapping[str, dynamodb.ITable],
                   key: kms.IKey) -> sqs.Queue:
    """The streamed tables' changes to the `changes` worker, which writes Parquet;
    returns the queue a failed batch's stream position lands in."""
    # A failed batch's stream position (not its records) lands here; the records stay
    # readable in the stream for 24 hours, which is the time to replay them.
    dead_letters = sqs.Queue(
        scope,
        "ChangesDeadLetters",
        encryption=sqs.QueueEncryption.KMS,
        encryption_master_key=key,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )
    acknowledge(
        dead_letters,
        "SQS3",
        "This queue is the on-failure destination of the analytics stream consumers; "
        "it has no dead-letter queue of its own.",
    )
    for source in sorted(schema.BY_SOURCE):
        table = tables.get(source)
        if table is None or table.table_stream_arn is None:
            raise KeyError(f"analytics table {schema.BY_SOURCE[source].name!r} reads the stream of "
                           f"'{source}', which is missing or has no stream")
        worker.add_event_source(DynamoEventSource(
            table,
            starting_position=lambda_.StartingPosition.TRIM_HORIZON,
            batch_size=100,
            max_batching_window=Duration.seconds(5),
            bisect_batch_on_error=True,
            retry_attempts=10,
            report_batch_item_failures=True,
            # One batch at a time per shard: an entity's changes are written in order.
            parallelization_factor=1,
            on_failure=SqsDlq(dead_letters),
        ))
    return dead_letters


def daily_compaction(scope: Construct, worker: lambda_.IFunction) -> events.Rule:
    """The `compact` worker, once a day after midnight UTC has closed yesterday."""
    return events.Rule(
        scope,
        "CompactDaily",
        description="Ringback analytics: merge yesterday's small Parquet files",
        schedule=events.Schedule.cron(minute="0", hour="3"),
        targets=[targets.LambdaFunction(worker, retry_attempts=2, max_event_age=Duration.hours(6))],
    )
