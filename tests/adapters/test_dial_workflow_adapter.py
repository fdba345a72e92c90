"""The Step Functions adapter of the dial workflow on moto, and its fake: starting twice
never runs two executions, and answering a token that is no longer waiting is a no-op."""
import json

import pytest

from devstack import aws
from infra.statemachines import callback_dial_definition
from ringback.adapters.memory import MemoryWorkflow
from ringback.adapters.stepfunctions import StepFunctionsWorkflow


@pytest.fixture
def machine(local_aws, uid):
    sfn = aws.client("stepfunctions", local_aws)
    arn = sfn.create_state_machine(
        name=uid("callback-dial"), type="STANDARD",
        definition=callback_dial_definition("arn:aws:lambda:us-east-1:123456789012:function:nothing"),
        roleArn="arn:aws:iam::123456789012:role/callback-dial",
    )["stateMachineArn"]
    return sfn, arn


@pytest.fixture(params=["memory", "stepfunctions"])
def workflow(request):
    if request.param == "memory":
        return MemoryWorkflow(), None
    sfn, arn = request.getfixturevalue("machine")
    return StepFunctionsWorkflow(arn, client=sfn), (sfn, arn)


def test_starting_a_request_twice_makes_one_execution(workflow, uid):
    adapter, real = workflow
    rid = uid("cb")
    adapter.start(rid)
    adapter.start(rid)
    if real is None:
        assert adapter.started == [rid]
        return
    sfn, arn = real
    executions = sfn.list_executions(stateMachineArn=arn)["executions"]
    assert [e["name"] for e in executions] == [rid]
    described = sfn.describe_execution(executionArn=executions[0]["executionArn"])
    assert json.loads(described["input"]) == {"request_id": rid, "last": {}}


def test_a_manual_retry_is_an_execution_of_its_own_started_once(workflow, uid):
    adapter, real = workflow
    rid = uid("cb")
    adapter.start(rid)
    adapter.start(rid, 1)
    adapter.start(rid, 1)
    names = adapter.started if real is None else sorted(
        e["name"] for e in real[0].list_executions(stateMachineArn=real[1])["executions"])
    assert names == [rid, f"{rid}-retry-1"]
    if real is not None:
        retry = next(e for e in real[0].list_executions(stateMachineArn=real[1])["executions"]
                     if e["name"].endswith("-retry-1"))
        assert json.loads(real[0].describe_execution(executionArn=retry["executionArn"])["input"]) == {
            "request_id": rid, "last": {}}


def test_answering_a_token_nobody_waits_for_is_harmless(workflow):
    adapter, _ = workflow
    adapter.succeed("AAAA-not-a-token", {"result": "connected"})
    adapter.fail("AAAA-not-a-token", "Callback.VisitorBusy", "visitor_busy")
