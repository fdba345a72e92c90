"""What Lambda's SQS event source does, for the local stack: poll a queue on moto and hand
batches to a function's SQS handler in the same event shape; delete what succeeded."""
from __future__ import annotations

import threading
from typing import Callable


class QueuePoller:
    def __init__(self, sqs_client, queue_url: str, queue_arn: str, handler: Callable[[dict, object], object]) -> None:
        self._sqs, self._url, self._arn, self._handler = sqs_client, queue_url, queue_arn, handler
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqs-poller", daemon=True)
        self.failures = 0

    def start(self) -> "QueuePoller":
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
                messages = self._sqs.receive_message(
                    QueueUrl=self._url, MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["All"]
                ).get("Messages", [])
            except Exception:  # moto going away at shutdown
                if self._stop.wait(0.5):
                    return
                continue
            if not messages:
                continue
            event = {"Records": [
                {"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                 "attributes": m.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": m.get("MD5OfBody"),
                 "eventSource": "aws:sqs", "eventSourceARN": self._arn, "awsRegion": "us-east-1"}
                for m in messages
            ]}
            try:
                self._handler(event, None)
            except Exception:
                # As with Lambda: the batch stays on the queue and comes back after the
                # visibility timeout.
                self.failures += 1
                continue
            self._sqs.delete_message_batch(
                QueueUrl=self._url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )
