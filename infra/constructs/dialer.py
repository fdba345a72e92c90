"""The call side of Ringback: call recordings, and the callback dial workflow.

Owns the recordings bucket and decides who may touch it (`grant`, driven by the
`buckets` entries of infra/catalog.py).

Where the dial workflow goes (issue 5)
--------------------------------------
The Step Functions state machine that places a callback (call the operator, wait for the
status webhook through a task token, then bridge the visitor, retry on no-answer within
working hours) is built in this construct, next to the recordings it produces. Its task
handlers are `@app.lambda_function`s of functions/dialer/app.py, so the state machine
receives the dialer function from the stack; give it logging of ALL events to a log
group and X-Ray tracing (cdk-nag SF1 and SF2), and grant the dialer function
`states:SendTaskSuccess`/`SendTaskFailure` on that state machine only.
"""
from __future__ import annotations

from aws_cdk import Duration, aws_iam as iam, aws_lambda as lambda_, aws_s3 as s3, aws_sqs as sqs
from aws_cdk.aws_lambda_event_sources import SqsEventSource
from constructs import Construct

from infra.catalog import READ, WRITE
from infra.constructs import acknowledge
from infra.constructs.data import DataConstruct, private_bucket


class DialerConstruct(Construct):
    def __init__(self, scope: Construct, id: str, *, data: DataConstruct) -> None:
        super().__init__(scope, id)
        self.recordings = private_bucket(
            self,
            "Recordings",
            access_logs=data.access_logs,
            encryption_key=data.key,
            removal_policy=data.removal_policy,
            lifecycle_rules=[
                # Recordings are replayed in the first days after a call, rarely later.
                s3.LifecycleRule(
                    id="infrequent-after-30-days",
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                            transition_after=Duration.days(30),
                        )
                    ],
                ),
                # Versioning protects against an overwrite or delete by mistake; an old
                # version is not worth keeping beyond that window.
                s3.LifecycleRule(
                    id="expire-noncurrent",
                    noncurrent_version_expiration=Duration.days(30),
                    abort_incomplete_multipart_upload_after=Duration.days(7),
                ),
            ],
        )

        # Outgoing call-event webhooks: one message per event and endpoint. A consumer
        # that keeps failing on a message (not an endpoint that keeps failing: that is
        # retried by the consumer with backoff) parks it in the dead-letter queue.
        self.events_dead_letters = sqs.Queue(
            self,
            "CallEventsDeadLetters",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=data.key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        acknowledge(self.events_dead_letters, "SQS3",
                    "This is the dead-letter queue of the call-events queue; it has none of its own.")
        self.events = sqs.Queue(
            self,
            "CallEvents",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=data.key,
            enforce_ssl=True,
            # AWS's advice for a Lambda source: six times the consumer's timeout.
            visibility_timeout=Duration.seconds(180),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=self.events_dead_letters),
        )

    def deliver_events(self, publisher: lambda_.IFunction, consumer: lambda_.Function) -> None:
        """The dialer publishes call events; its events worker posts them to endpoints."""
        self.events.grant_send_messages(publisher)
        consumer.add_event_source(SqsEventSource(self.events, batch_size=10))

    def grant(self, grantee: iam.IGrantable, access: str) -> None:
        """Recordings access for one function, as infra/catalog.py states it."""
        if access == WRITE:
            self.recordings.grant_read_write(grantee)
        elif access == READ:
            self.recordings.grant_read(grantee)
        else:
            raise ValueError(f"unknown access {access!r} to the recordings bucket")
