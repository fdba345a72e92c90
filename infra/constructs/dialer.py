"""The call side of Ringback: call recordings, call-event delivery, and the callback
dial workflow.

Owns the recordings bucket, its lifecycle (one expiring rule per retention class a tenant
may choose, `recording_retention_rules`), and decides who may touch it (`grant`, driven by
the `buckets` entries of infra/catalog.py).

The dial workflow (issue 5)
---------------------------
A Step Functions state machine places a callback: ask the workflow function for a plan,
wait for working hours, ring the operators and wait for the carrier's status webhook
through a task token, bridge the visitor, retry by failure reason. Its definition is
infra/statemachines/callback_dial.asl.json, deployed as is (`callback_dial_definition`
gives the local stack the same text); its task handler is the dialer function's
`workflow` worker. Who may start it (the widget) and who may answer its task tokens (the
dialer and its workers) is granted here, on this state machine only.
"""
from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk.aws_lambda_event_sources import SqsEventSource
from constructs import Construct

from infra.catalog import ANSWER, ERASE, READ, SEND, START, WRITE
from infra.constructs import acknowledge
from infra.constructs.data import DataConstruct, private_bucket

# The definition lives beside its file, in plain Python, so the local stack reads it
# without loading CDK; `callback_dial_definition` is re-exported for CDK-side callers.
from infra.statemachines import CALLBACK_DIAL, FUNCTION_SUBSTITUTION, callback_dial_definition
from ringback.calls import retention

__all__ = ["DialerConstruct", "TASK_RESPONSE_ACTIONS", "callback_dial_definition", "dial_workflow_name",
           "recording_retention_rules"]

# Step Functions' own send/answer actions on a task token.
TASK_RESPONSE_ACTIONS = ("states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat")


def dial_workflow_name(stage: str) -> str:
    return f"ringback-{stage}-callback-dial"


def recording_retention_rules() -> list[s3.LifecycleRule]:
    """One rule per retention class a tenant may choose: a recording is tagged with its
    tenant's class at upload (ringback.calls.retention), and its class's rule expires it.
    Recordings are replayed in the first days after a call, rarely later, so a class
    kept long enough moves to Standard-IA after 30 days."""
    rules = []
    for days in retention.RECORDING_RETENTION_DAYS:
        transitions = [
            s3.Transition(storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                          transition_after=Duration.days(retention.INFREQUENT_ACCESS_AFTER_DAYS))
        ] if days >= retention.INFREQUENT_ACCESS_FROM_CLASS else None
        rules.append(s3.LifecycleRule(
            id=f"recordings-{days}-days",
            tag_filters={retention.RETENTION_TAG: str(days)},
            expiration=Duration.days(days),
            transitions=transitions,
        ))
    # A recording stored untagged (before the classes existed) still ends: where rules
    # overlap S3 applies the earliest expiration, so this one changes no tagged class.
    rules.append(s3.LifecycleRule(id="recordings-at-most-longest-class",
                                  expiration=Duration.days(max(retention.RECORDING_RETENTION_DAYS))))
    return rules


class DialerConstruct(Construct):
    def __init__(self, scope: Construct, id: str, *, data: DataConstruct, stage: str) -> None:
        super().__init__(scope, id)
        self._data = data
        # The state machine's name and ARN are fixed before it exists, and the functions'
        # settings and grants use this computed ARN, never a reference to the resource.
        # Why: the state machine references the workflow worker's ARN, and that worker
        # depends on the dialer role's policy (SendTask*) and carries the settings; a
        # reference back to the state machine from either would be a cycle that
        # CloudFormation refuses. A fixed name costs one thing: a change that replaces
        # the state machine (e.g. its type) needs a new name.
        self.dial_workflow_name = dial_workflow_name(stage)
        self.dial_workflow_arn = Stack.of(self).format_arn(
            service="states",
            resource="stateMachine",
            resource_name=self.dial_workflow_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self.dial_workflow: sfn.StateMachine | None = None
        self.recordings = private_bucket(
            self,
            "Recordings",
            access_logs=data.access_logs,
            encryption_key=data.key,
            removal_policy=data.removal_policy,
            lifecycle_rules=[
                *recording_retention_rules(),
                # Versioning protects against an overwrite or delete by mistake; an old
                # version is not worth keeping beyond that window. An expired recording
                # leaves a delete marker over its last version: both go.
                s3.LifecycleRule(
                    id="expire-noncurrent",
                    noncurrent_version_expiration=Duration.days(retention.NONCURRENT_DAYS),
                    expired_object_delete_marker=True,
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

    def deliver_events(self, consumer: lambda_.Function) -> None:
        """The events worker posts the queued call events to the sites' endpoints; its
        event source grants it the queue's receive and delete. Its answer names the
        deliveries that failed (Powertools batch), so only those come back, not the batch."""
        consumer.add_event_source(SqsEventSource(self.events, batch_size=10, report_batch_item_failures=True))

    def grant_queue(self, grantee: iam.IGrantable, access: str) -> None:
        """Call-events queue access for one function, as infra/catalog.py states it."""
        if access != SEND:
            raise ValueError(f"unknown access {access!r} to the call-events queue")
        self.events.grant_send_messages(grantee)

    def grant(self, grantee: iam.IGrantable, access: str) -> None:
        """Recordings access for one function, as infra/catalog.py states it."""
        if access == WRITE:
            self.recordings.grant_read_write(grantee)
        elif access == READ:
            self.recordings.grant_read(grantee)
        elif access == ERASE:
            # A caller's erasure deletes their recordings, every version of each.
            self.recordings.grant_read(grantee)
            self.recordings.grant_delete(grantee)
        else:
            raise ValueError(f"unknown access {access!r} to the recordings bucket")

    # --- the callback dial workflow ------------------------------------------------

    def build_dial_workflow(
        self, workflow: lambda_.IFunction, *, log_retention: logs.RetentionDays
    ) -> sfn.StateMachine:
        """The state machine that dials a callback, with `workflow` as its task handler."""
        # Named, so that the data key's policy can name it before it exists (the group
        # refers to the key); /aws/vendedlogs/ keeps Step Functions' log-delivery
        # resource policy from growing with each state machine.
        log_group_name = f"/aws/vendedlogs/states/{self.dial_workflow_name}"
        log_group = logs.LogGroup(
            self,
            "DialWorkflowLogs",
            log_group_name=log_group_name,
            encryption_key=self._data.key,
            retention=log_retention,
            removal_policy=self._data.removal_policy,
        )
        # CloudWatch Logs encrypts with the key as its regional service principal, and
        # only for this log group (the encryption context names it).
        self._data.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CallbackDialLogs",
                principals=[iam.ServicePrincipal(f"logs.{Stack.of(self).region}.amazonaws.com")],
                actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                resources=["*"],
                conditions={
                    "ArnEquals": {
                        "kms:EncryptionContext:aws:logs:arn": Stack.of(self).format_arn(
                            service="logs",
                            resource="log-group",
                            resource_name=log_group_name,
                            arn_format=ArnFormat.COLON_RESOURCE_NAME,
                        )
                    }
                },
            )
        )

        machine = sfn.StateMachine(
            self,
            "DialWorkflow",
            state_machine_name=self.dial_workflow_name,
            # Not EXPRESS: an off-hours wait lasts until the next morning, past Express's
            # five minutes, and a ring waits on a task token, which Express cannot.
            state_machine_type=sfn.StateMachineType.STANDARD,
            # The file as is: the local stack runs the same one on moto.
            definition_body=sfn.DefinitionBody.from_file(str(CALLBACK_DIAL)),
            definition_substitutions={FUNCTION_SUBSTITUTION: workflow.function_arn},
            logs=sfn.LogOptions(
                destination=log_group,
                level=sfn.LogLevel.ALL,
                # Inputs and outputs carry phone numbers and task tokens (anyone who can
                # read a token can answer the ring); the transitions are enough to follow
                # a callback, and its execution history still holds the data.
                include_execution_data=False,
            ),
            tracing_enabled=True,
        )
        # The definition calls the unqualified function ARN and nothing else, so the
        # role gets exactly that one, no version or alias wildcard.
        machine.add_to_role_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[workflow.function_arn])
        )
        self.dial_workflow = machine
        return machine

    def grant_dial(self, grantee: iam.IGrantable, uses: tuple[str, ...]) -> None:
        """The dial workflow, as infra/catalog.py states a function uses it: START a
        callback (StartExecution), ANSWER its task tokens (the carrier's webhooks)."""
        actions = {START: ["states:StartExecution"], ANSWER: list(TASK_RESPONSE_ACTIONS)}
        unknown = set(uses) - set(actions)
        if unknown or not uses:
            raise ValueError(f"unknown use {sorted(unknown)} of the dial workflow")
        iam.Grant.add_to_principal(
            grantee=grantee, actions=[a for use in uses for a in actions[use]], resource_arns=[self.dial_workflow_arn]
        )
