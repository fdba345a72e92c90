"""Keys made before usage plans are metered on deploy (infra/constructs/key_enrolment.py): a
trigger runs the pool function's enrolment worker, and waits for it, once the API, its
usage plans and the worker's grants exist; the worker may read API keys and manage the API
keys plan's keys, and nothing else."""
from __future__ import annotations

from tests.infra.policies import as_list, referenced, role_statements

READS = {"dynamodb:BatchGetItem", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:Query",
         "dynamodb:GetItem", "dynamodb:Scan", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"}


def _worker(synth) -> tuple[str, dict]:
    logical = synth.logical_id(synth.stack.functions.workers["pool-enrolment"])
    return logical, synth.resources[logical]


def _trigger(synth) -> tuple[str, dict]:
    [(logical, trigger)] = synth.of_type("Custom::Trigger").items()
    return logical, trigger


def _joined(value) -> str:
    """A policy resource with its references written as <LogicalId>."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return f"<{value['Ref']}>"
    if "Fn::Join" in value:
        return "".join(_joined(part) for part in value["Fn::Join"][1])
    raise AssertionError(value)


def test_each_deploy_runs_the_enrolment_and_waits_for_its_answer(synth):
    worker_id, worker = _worker(synth)
    _, trigger = _trigger(synth)
    props = trigger["Properties"]
    version = synth.resources[props["HandlerArn"]["Ref"]]
    # The function's current version: a change of its code or configuration runs it again.
    assert version["Type"] == "AWS::Lambda::Version" and version["Properties"]["FunctionName"] == {"Ref": worker_id}
    assert props["InvocationType"] == "RequestResponse" and props["ExecuteOnHandlerChange"] is True
    # It hears the worker's answer, or its timeout, before giving up itself.
    assert int(props["Timeout"]) > worker["Properties"]["Timeout"] * 1000
    assert worker["Properties"]["Handler"] == "key_enrolment.enrol_existing_keys"
    assert worker["Properties"]["Timeout"] <= 900


def test_it_runs_after_the_usage_plan_the_stage_the_api_keys_table_and_the_workers_grants(synth):
    _, trigger = _trigger(synth)
    after = set(trigger["DependsOn"])
    api = synth.stack.api
    expected = {
        synth.logical_id(api.api_keys_plan),
        synth.logical_id(api.rest_api.deployment_stage),
        synth.logical_id(synth.stack.data.tables["api_keys"]),
        # Its grant on the plan is a policy apart from its role's default one.
        synth.stack.resolve(synth.stack.get_logical_id(api.node.find_child("UsageKeysPoolEnrolment").node
                                                       .default_child)),
    }
    assert expected <= after, expected - after


def test_the_worker_reads_api_keys_and_writes_no_table(synth):
    _, worker = _worker(synth)
    role = worker["Properties"]["Role"]["Fn::GetAtt"][0]
    pool = synth.resources[synth.logical_id(synth.stack.functions.functions["pool"])]
    assert role != pool["Properties"]["Role"]["Fn::GetAtt"][0]
    tables = {synth.logical_id(t): name for name, t in synth.stack.data.tables.items()}
    granted: dict[str, set[str]] = {}
    for statement in role_statements(synth, role):
        for action in as_list(statement["Action"]):
            if action.startswith("dynamodb:"):
                for resource in as_list(statement["Resource"]):
                    granted.setdefault(tables.get(referenced(resource), str(resource)), set()).add(action)
    assert set(granted) == {"api_keys"} and granted["api_keys"] <= READS and "dynamodb:Scan" in granted["api_keys"]
    services = {a.split(":")[0] for s in role_statements(synth, role) for a in as_list(s["Action"])}
    assert services <= {"dynamodb", "kms", "logs", "xray", "apigateway"}, services
    variables = worker["Properties"]["Environment"]["Variables"]
    assert "RINGBACK_SECRETS_ARN" not in variables and "RINGBACK_USER_POOL_ID" not in variables


def test_the_workers_gateway_grant_is_the_one_the_local_iam_tests_run_under(synth):
    """tests/adapters/test_local_iam_usage_keys.py's _grants(plan, list_plan_keys=True)."""
    _, worker = _worker(synth)
    role = worker["Properties"]["Role"]["Fn::GetAtt"][0]
    plan = synth.logical_id(synth.stack.api.api_keys_plan)
    arn = "arn:<AWS::Partition>:apigateway:<AWS::Region>::"
    granted = {}
    for statement in role_statements(synth, role):
        actions = as_list(statement["Action"])
        if any(a.startswith("apigateway:") for a in actions):
            assert statement["Effect"] == "Allow" and "Condition" not in statement
            for action in actions:
                granted.setdefault(action, set()).update(_joined(r) for r in as_list(statement["Resource"]))
    assert granted == {
        "apigateway:GET": {f"{arn}/usageplans", f"{arn}/apikeys", f"{arn}/usageplans/<{plan}>/keys"},
        "apigateway:POST": {f"{arn}/apikeys", f"{arn}/usageplans/<{plan}>/keys"},
        "apigateway:DELETE": {f"{arn}/apikeys/*", f"{arn}/usageplans/<{plan}>/keys/*"},
    }


def test_the_pool_function_may_not_list_the_plan(synth):
    pool = synth.resources[synth.logical_id(synth.stack.functions.functions["pool"])]
    plan = synth.logical_id(synth.stack.api.api_keys_plan)
    gets = {_joined(r) for s in role_statements(synth, pool["Properties"]["Role"]["Fn::GetAtt"][0])
            if "apigateway:GET" in as_list(s["Action"]) for r in as_list(s["Resource"])}
    assert gets and not any(g.endswith(f"<{plan}>/keys") for g in gets)


def test_the_triggers_provider_may_invoke_the_worker_and_nothing_else(synth):
    worker_id, _ = _worker(synth)
    _, trigger = _trigger(synth)
    provider = synth.resources[trigger["Properties"]["ServiceToken"]["Fn::GetAtt"][0]]
    role = synth.resources[provider["Properties"]["Role"]["Fn::GetAtt"][0]]
    statements = [s for policy in role["Properties"].get("Policies", [])
                  for s in policy["PolicyDocument"]["Statement"]]
    assert statements == [{"Effect": "Allow", "Action": ["lambda:InvokeFunction"],
                           "Resource": [{"Fn::Join": ["", [{"Fn::GetAtt": [worker_id, "Arn"]}, ":*"]]}]}]
    assert not [p for p in synth.of_type("AWS::IAM::Policy").values()
                if {"Ref": provider["Properties"]["Role"]["Fn::GetAtt"][0]} in p["Properties"]["Roles"]]


def test_a_key_the_plans_do_not_know_is_refused_in_the_apps_error_shape(synth):
    responses = {r["Properties"]["ResponseType"]: r["Properties"]
                 for r in synth.of_type("AWS::ApiGateway::GatewayResponse").values()}
    refused = responses["INVALID_API_KEY"]
    template = refused["ResponseTemplates"]["application/json"]
    assert refused["StatusCode"] == "403"
    assert '"code": "api_key_not_metered"' in template and '"message": "This API key has no meter' in template
    assert '"requestId": "$context.requestId"' in template
