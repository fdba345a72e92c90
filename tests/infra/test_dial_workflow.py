"""The callback dial workflow: a STANDARD state machine deployed from
infra/statemachines/callback_dial.asl.json as is, logged and traced, invoking only its
worker; the widget may start it, the dialer may answer its task tokens, nobody else may
touch it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from infra.catalog import FUNCTIONS
from infra.constructs import dialer, flatten_reference
from infra.constructs.dialer import TASK_RESPONSE_ACTIONS

# What the local stack imports (devstack/aws/resources.py) to create the state machine on moto.
from infra.statemachines import CALLBACK_DIAL, callback_dial_definition
from tests.infra.policies import as_list, function_resource, role_statements, statements

SAMPLE_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:ringback-prod-DialerWorkflow"
LOG_DELIVERY_AND_TRACING = {
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
    "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
}


@pytest.fixture(scope="module")
def machine(synth):
    return synth.stack.dialer.dial_workflow


@pytest.fixture(scope="module")
def props(synth, machine) -> dict:
    return synth.resources[synth.logical_id(machine)]["Properties"]


@pytest.fixture(scope="module")
def worker_id(synth) -> str:
    return synth.logical_id(synth.stack.functions.workers["dialer-workflow"])


@pytest.fixture(scope="module")
def workflow_arn(synth):
    """The ARN the functions and the grants use, as the template renders it."""
    return synth.stack.resolve(synth.stack.dialer.dial_workflow_arn)


def _deployed_definition(synth, machine, props, worker_id: str, function_arn: str) -> str:
    """What CloudFormation deploys: the staged definition file with DefinitionSubstitutions
    applied (as CloudFormation does, by plain `${Name}` replacement), the worker's ARN
    given as `function_arn`."""
    asset = machine.node.find_child("DefinitionBody")
    assert props["DefinitionS3Location"]["Key"] == asset.s3_object_key
    text = (Path(synth.app.outdir) / asset.asset_path).read_text()
    for name, value in props["DefinitionSubstitutions"].items():
        assert value == {"Fn::GetAtt": [worker_id, "Arn"]}, name
        text = text.replace("${" + name + "}", function_arn)
    return text


def _task_functions(definition: dict) -> set[str]:
    return {
        state["Parameters"]["FunctionName"]
        for state in definition["States"].values()
        if state["Type"] == "Task"
    }


# --- the state machine ---------------------------------------------------------------

def test_dial_workflow_is_standard_so_an_off_hours_wait_can_last_until_morning(props):
    assert props["StateMachineType"] == "STANDARD"


def test_every_event_is_logged_without_execution_data_to_an_encrypted_group_and_traced(synth, props):
    logging = props["LoggingConfiguration"]
    assert logging["Level"] == "ALL"
    # Inputs carry phone numbers and task tokens.
    assert logging["IncludeExecutionData"] is False
    [destination] = logging["Destinations"]
    group_id = destination["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]
    group = synth.resources[group_id]["Properties"]
    assert group["KmsKeyId"] == {"Fn::GetAtt": [synth.logical_id(synth.stack.data.key), "Arn"]}
    assert group["RetentionInDays"] == 90
    assert group["LogGroupName"].startswith("/aws/vendedlogs/states/")
    assert props["TracingConfiguration"] == {"Enabled": True}


def test_cloudwatch_logs_may_use_the_data_key_for_the_workflow_log_group_only(synth, props):
    [destination] = props["LoggingConfiguration"]["Destinations"]
    group_name = synth.resources[destination["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"][0]][
        "Properties"]["LogGroupName"]
    key_policy = synth.resources[synth.logical_id(synth.stack.data.key)]["Properties"]["KeyPolicy"]
    [statement] = [s for s in key_policy["Statement"] if s.get("Sid") == "CallbackDialLogs"]
    assert flatten_reference(statement["Principal"]["Service"]).startswith("logs.")
    context = statement["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
    assert flatten_reference(context).endswith(f":log-group:{group_name}")


def test_the_state_machine_is_where_the_computed_arn_points(synth, props, workflow_arn):
    region = flatten_reference(synth.stack.resolve(synth.stack.region))
    partition = flatten_reference(synth.stack.resolve(synth.stack.partition))
    name = props["StateMachineName"]
    assert name == "ringback-prod-callback-dial"
    assert flatten_reference(workflow_arn) == f"arn:{partition}:states:{region}:<AWS::AccountId>:stateMachine:{name}"


def test_state_machine_may_invoke_the_workflow_worker_and_nothing_else(synth, props, worker_id):
    found = role_statements(synth, props["RoleArn"]["Fn::GetAtt"][0])
    lambda_statements = [s for s in found if any(a.startswith("lambda:") for a in as_list(s["Action"]))]
    # The unqualified function: the definition calls nothing else, so no ":*" version wildcard.
    assert lambda_statements == [
        {"Action": "lambda:InvokeFunction", "Effect": "Allow", "Resource": {"Fn::GetAtt": [worker_id, "Arn"]}}
    ]
    others = {a for s in found if s not in lambda_statements for a in as_list(s["Action"])}
    assert others <= LOG_DELIVERY_AND_TRACING


# --- one definition, deployed and local ----------------------------------------------

def test_cloudformation_deploys_the_asl_file_as_is(synth, machine, props, worker_id):
    asset = machine.node.find_child("DefinitionBody")
    assert (Path(synth.app.outdir) / asset.asset_path).read_bytes() == CALLBACK_DIAL.read_bytes()
    assert "DefinitionString" not in props
    assert props["DefinitionSubstitutions"] == {"WorkflowFunctionArn": {"Fn::GetAtt": [worker_id, "Arn"]}}


def test_local_stack_and_cdk_deploy_one_definition(synth, machine, props, worker_id):
    deployed = json.loads(_deployed_definition(synth, machine, props, worker_id, SAMPLE_ARN))
    local = json.loads(callback_dial_definition(SAMPLE_ARN))
    assert local == deployed
    assert _task_functions(local) == {SAMPLE_ARN}


def test_local_definition_fills_every_placeholder_and_keeps_the_task_token_path():
    text = callback_dial_definition(SAMPLE_ARN)
    assert "${" not in text
    assert json.loads(text)["States"]["Ring"]["Parameters"]["Payload"]["task_token.$"] == "$$.Task.Token"


def test_cdk_side_and_local_side_share_one_helper():
    assert dialer.callback_dial_definition is callback_dial_definition


# --- the workflow worker -------------------------------------------------------------

def test_workflow_worker_runs_the_dial_workflow_handler_with_the_dialer_role(synth, worker_id):
    props = synth.resources[worker_id]["Properties"]
    assert props["Handler"] == "app.dial_workflow"
    assert props["Timeout"] == 30
    assert props["TracingConfig"] == {"Mode": "Active"}
    # Same role as the dialer: its tables, the recordings bucket and the task-token answers.
    assert props["Role"] == function_resource(synth, "dialer")["Properties"]["Role"]
    env = props["Environment"]["Variables"]
    assert env["POWERTOOLS_SERVICE_NAME"] == "dialer-workflow"
    assert env == {**function_resource(synth, "dialer")["Properties"]["Environment"]["Variables"],
                   "POWERTOOLS_SERVICE_NAME": "dialer-workflow"}


def test_the_functions_that_start_or_answer_a_dial_are_told_the_workflow_arn_and_run_in_real_time(
        synth, workflow_arn):
    functions = {**synth.stack.functions.functions, **synth.stack.functions.workers}
    for name, function in functions.items():
        env = synth.resources[synth.logical_id(function)]["Properties"]["Environment"]["Variables"]
        # The pool's authorizer worker runs with a role of its own, told of no workflow.
        told = name in ("widget", "pool", "dialer") or name.startswith("dialer-")
        assert env.get("RINGBACK_DIAL_WORKFLOW_ARN") == (workflow_arn if told else None), name
        assert "RINGBACK_TIME_SCALE" not in env, name


# --- who may reach it ----------------------------------------------------------------

def _states_access(found: list[dict]) -> list[tuple[set[str], list]]:
    return [
        ({a for a in as_list(s["Action"]) if a.startswith("states:")}, as_list(s["Resource"]))
        for s in found
        if any(a.startswith("states:") for a in as_list(s["Action"]))
    ]


def test_widget_may_start_the_dial_workflow_only(synth, workflow_arn):
    assert _states_access(statements(synth, "widget")) == [({"states:StartExecution"}, [workflow_arn])]


def test_pool_may_start_the_dial_workflow_only_for_a_members_retry(synth, workflow_arn):
    assert _states_access(statements(synth, "pool")) == [({"states:StartExecution"}, [workflow_arn])]


def test_dialer_and_its_workers_may_answer_task_tokens_of_the_dial_workflow_only(synth, workflow_arn):
    assert _states_access(statements(synth, "dialer")) == [(set(TASK_RESPONSE_ACTIONS), [workflow_arn])]
    assert set(TASK_RESPONSE_ACTIONS) == {
        "states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"
    }


@pytest.mark.parametrize("spec", [s for s in FUNCTIONS if s.name not in ("widget", "pool", "dialer")],
                         ids=lambda s: s.name)
def test_other_functions_cannot_touch_the_dial_workflow(synth, spec):
    assert _states_access(statements(synth, spec.name)) == []


def test_no_other_policy_in_the_stack_grants_step_functions_actions(synth):
    granted_roles = {
        function_resource(synth, name)["Properties"]["Role"]["Fn::GetAtt"][0] for name in ("widget", "pool", "dialer")
    }
    for logical, policy in synth.of_type("AWS::IAM::Policy").items():
        if _states_access(policy["Properties"]["PolicyDocument"]["Statement"]):
            assert {r["Ref"] for r in policy["Properties"]["Roles"]} <= granted_roles, logical
