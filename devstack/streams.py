"""What Lambda's DynamoDB Streams event source does, for the local stack: read the streamed
tables' shards on moto from the start (TRIM_HORIZON), hand each batch to a function's
stream handler in Lambda's event shape, and honour its partial batch response
(ReportBatchItemFailures): a batch is read again from the first failed record, after a
pause, so a failure loses nothing and what succeeded before it is not repeated."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

BATCH_SIZE = 100
IDLE_SECONDS = 0.2
RETRY_SECONDS = 1.0
SHARD_REFRESH_SECONDS = 5.0


class StreamPoller:
    def __init__(self, streams_client, stream_arns: list[str], handler: Callable[[dict, object], dict | None],
                 region: str = "us-east-1") -> None:
        self._streams, self._arns, self._handler, self._region = streams_client, stream_arns, handler, region
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dynamodb-streams-poller", daemon=True)
        # (stream arn, shard id) -> the next iterator; None once a closed shard is read to its end.
        self._iterators: dict[tuple[str, str], str | None] = {}
        self._shards_seen_at = 0.0
        self.batches = 0
        self.failures = 0

    @classmethod
    def for_tables(cls, dynamodb_client, streams_client, table_names: list[str], handler, region: str = "us-east-1"):
        arns = [dynamodb_client.describe_table(TableName=name)["Table"]["LatestStreamArn"] for name in table_names]
        return cls(streams_client, arns, handler, region)

    def start(self) -> StreamPoller:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        # Briefly: a request in flight to a moto that is going away sits in botocore's
        # retries, and the thread is a daemon that goes with the process (Ctrl-C in 2 s).
        self._thread.join(timeout=0.5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if time.monotonic() - self._shards_seen_at > SHARD_REFRESH_SECONDS:
                    self._find_shards()
                busy = False
                for shard in list(self._iterators):
                    busy |= self._poll(shard)
            except Exception:  # moto going away at shutdown, or a transient error
                busy = False
            if not busy and self._stop.wait(IDLE_SECONDS):
                return

    def _find_shards(self) -> None:
        for arn in self._arns:
            for shard in self._streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
                if (arn, shard["ShardId"]) not in self._iterators:
                    self._iterators[(arn, shard["ShardId"])] = self._streams.get_shard_iterator(
                        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        self._shards_seen_at = time.monotonic()

    def _poll(self, shard: tuple[str, str]) -> bool:
        iterator = self._iterators[shard]
        if iterator is None:
            return False
        page = self._streams.get_records(ShardIterator=iterator, Limit=BATCH_SIZE)
        records = page.get("Records", [])
        if not records:
            self._iterators[shard] = page.get("NextShardIterator")
            return False
        event = {"Records": [self._lambda_record(shard[0], record) for record in records]}
        self.batches += 1
        try:
            failed = [f["itemIdentifier"] for f in (self._handler(event, None) or {}).get("batchItemFailures", [])]
        except Exception:
            # As with Lambda: a handler that raises gets the whole batch again.
            failed = [records[0]["dynamodb"]["SequenceNumber"]]
        if not failed:
            self._iterators[shard] = page.get("NextShardIterator")
            return True
        self.failures += 1
        self._iterators[shard] = self._streams.get_shard_iterator(
            StreamArn=shard[0], ShardId=shard[1], ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=min(failed, key=int))["ShardIterator"]
        self._stop.wait(RETRY_SECONDS)
        return False

    def _lambda_record(self, stream_arn: str, record: dict) -> dict:
        stream = dict(record["dynamodb"])
        created = stream.get("ApproximateCreationDateTime")
        if hasattr(created, "timestamp"):  # boto3 parses it; Lambda's event carries epoch seconds
            stream["ApproximateCreationDateTime"] = created.timestamp()
        return {
            "eventID": record.get("eventID"),
            "eventName": record["eventName"],
            "eventVersion": record.get("eventVersion", "1.1"),
            "eventSource": "aws:dynamodb",
            "awsRegion": record.get("awsRegion", self._region),
            "dynamodb": stream,
            "eventSourceARN": stream_arn,
        }
