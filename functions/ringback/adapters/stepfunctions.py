"""The callback dial workflow on Step Functions (ringback.callbacks.model.DialWorkflow)."""
from __future__ import annotations

import json
import logging

import boto3
from botocore.exceptions import ClientError

from ringback.callbacks.model import execution_name

log = logging.getLogger(__name__)

# A token that is no longer waiting: the round already ended (timed out, or another
# webhook answered first). Answering it again is a no-op by design, not an error.
_GONE = {"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"}


class StepFunctionsWorkflow:
    def __init__(self, state_machine_arn: str, region: str | None = None, endpoint_url: str | None = None,
                 client=None) -> None:
        self._arn = state_machine_arn
        self._client = client or boto3.client("stepfunctions", region_name=region, endpoint_url=endpoint_url)

    def start(self, request_id: str, attempt: int = 0) -> None:
        # The execution is named after the request and its attempt: Step Functions refuses
        # a second execution of that name, so a retried start can never dial twice.
        try:
            self._client.start_execution(stateMachineArn=self._arn, name=execution_name(request_id, attempt),
                                         input=json.dumps({"request_id": request_id, "last": {}}))
        except ClientError as error:
            if error.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise

    def succeed(self, token: str, output: dict) -> None:
        self._answer(lambda: self._client.send_task_success(taskToken=token, output=json.dumps(output)))

    def fail(self, token: str, error: str, cause: str) -> None:
        self._answer(lambda: self._client.send_task_failure(taskToken=token, error=error, cause=cause[:32_000]))

    def _answer(self, send) -> None:
        try:
            send()
        except ClientError as error:
            if error.response["Error"]["Code"] not in _GONE:
                raise
            log.info("task token no longer waiting: %s", error.response["Error"]["Code"])
