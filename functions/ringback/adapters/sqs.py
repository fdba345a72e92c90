"""Outgoing webhook deliveries on SQS: each message is one event for one endpoint, named by
its id only (Delivery.as_message): no URL, no secret; the worker reads those from the site."""
from __future__ import annotations

import json

import boto3

from ringback.calls.events import MAX_QUEUE_DELAY, Delivery


class SqsDeliveryQueue:
    def __init__(self, queue_url: str, client=None, region: str | None = None, endpoint_url: str | None = None) -> None:
        self._url = queue_url
        self._client = client or boto3.client("sqs", region_name=region, endpoint_url=endpoint_url)

    def send(self, delivery: Delivery, delay_seconds: int) -> None:
        self._client.send_message(
            QueueUrl=self._url,
            MessageBody=json.dumps(delivery.as_message()),
            DelaySeconds=max(0, min(delay_seconds, MAX_QUEUE_DELAY)),
        )


def deliveries_of(sqs_event_records) -> list[Delivery]:
    """The deliveries in a Lambda SQS event's records."""
    return [Delivery.from_message(json.loads(record["body"])) for record in sqs_event_records]
