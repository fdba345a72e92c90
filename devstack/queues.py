"""What Lambda's SQS event source does, for the local stack: poll a queue on moto and hand
batches to a function's SQS handler in the same event shape; delete what succeeded.

With ReportBatchItemFailures on the mapping (FunctionResponseTypes in the template), the
handler's partial batch response is honoured as Lambda honours it: the messages it names
in `batchItemFailures` stay on the queue and come back after their visibility timeout, and
the rest are deleted. A response naming a message that is not in the batch, or a handler
that raises, fails the whole batch. Without it, any answer deletes the whole batch."""
from __future__ import annotations

import threading
from collections.abc import Callable


def reports_item_failures(synthesized, queue_name: str) -> bool:
    """Whether the synthesized template's event source mapping from this queue (its name in
    devstack.template: call_events) has ReportBatchItemFailures."""
    wanted = {"kind": "queue", "name": queue_name}
    logical_ids = [lid for lid, what in synthesized.resources.items() if what == wanted]
    if not logical_ids:
        return False
    queue_logical_id = logical_ids[0]
    for resource in synthesized.template.get("Resources", {}).values():
        props = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Lambda::EventSourceMapping" and \
                props.get("EventSourceArn") == {"Fn::GetAtt": [queue_logical_id, "Arn"]}:
            return "ReportBatchItemFailures" in props.get("FunctionResponseTypes", [])
    return False


class QueuePoller:
    def __init__(self, sqs_client, queue_url: str, queue_arn: str, handler: Callable[[dict, object], object],
                 report_batch_item_failures: bool = False) -> None:
        self._sqs, self._url, self._arn, self._handler = sqs_client, queue_url, queue_arn, handler
        self._partial = report_batch_item_failures
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sqs-poller", daemon=True)
        self.failures = 0

    def start(self) -> QueuePoller:
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
                answer = self._handler(event, None)
            except Exception:
                # As with Lambda: the batch stays on the queue and comes back after the
                # visibility timeout.
                self.failures += 1
                continue
            done = self._succeeded(messages, answer)
            if len(done) < len(messages):
                self.failures += 1
            if done:
                self._sqs.delete_message_batch(
                    QueueUrl=self._url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)],
                )

    def _succeeded(self, messages: list[dict], answer: object) -> list[dict]:
        """The messages to delete: all of them, less those a partial batch response names."""
        if not self._partial or not isinstance(answer, dict) or not answer.get("batchItemFailures"):
            return messages
        ids = {m["MessageId"] for m in messages}
        try:
            failed = {item["itemIdentifier"] for item in answer["batchItemFailures"]}
        except (KeyError, TypeError):
            return []  # a malformed response: Lambda retries the whole batch
        if not failed <= ids:
            return []  # an identifier that is not in the batch: so does Lambda
        return [m for m in messages if m["MessageId"] not in failed]
