"""The local stack's SQS event source (devstack/queues.py) against a moto queue, honouring
a partial batch response as Lambda does: only the messages a handler names come back."""
import time
import uuid

from devstack import aws
from devstack.queues import QueuePoller


def delivered(local_aws, bodies, answer, partial, until, seconds=15):
    """Sends `bodies` to a new queue and polls it, until `until(seen)` or for `seconds`,
    with a handler that notes each body it is given and answers a batch with
    `answer(records, seen)`. Returns the bodies seen, in order, and the queue."""
    sqs = aws.client("sqs", local_aws)
    url = sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}", Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    seen = []

    def handler(event, context):
        records = event["Records"]
        seen.extend(r["body"] for r in records)
        return answer(records, seen)

    poller = QueuePoller(sqs, url, arn, handler, report_batch_item_failures=partial).start()
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline and not until(seen):
            time.sleep(0.1)
    finally:
        poller.stop()
    return seen, sqs, url


def test_only_the_failed_message_of_a_batch_comes_back(local_aws):
    # "bad" fails the first time it is seen, and goes through when it comes back.
    seen, sqs, url = delivered(
        local_aws, ("good-1", "bad", "good-2"),
        lambda records, seen: {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in records
                                                     if r["body"] == "bad" and seen.count("bad") == 1]},
        partial=True, until=lambda seen: seen.count("bad") == 2)
    assert sorted(seen) == ["bad", "bad", "good-1", "good-2"]
    time.sleep(1.5)  # past the visibility timeout: nothing else is left to come back
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages") is None


def test_a_response_naming_no_message_of_the_batch_fails_the_whole_batch(local_aws):
    seen, _, _ = delivered(
        local_aws, ("only",),
        lambda records, seen: {"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]}
        if len(seen) == 1 else None,
        partial=True, until=lambda seen: len(seen) == 2)
    assert seen == ["only", "only"]


def test_without_report_batch_item_failures_an_answer_deletes_the_whole_batch(local_aws):
    seen, _, _ = delivered(
        local_aws, ("one",),
        lambda records, seen: {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in records]},
        partial=False, until=lambda seen: False, seconds=3)
    assert seen == ["one"]
