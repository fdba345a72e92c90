"""The API's authorizer, which every tenant request reaches, runs with a role of its own:
it reads API keys and notes their last use, and nothing else the pool function may do
(the carrier's secret, the management tables, the user pool's admin actions)."""
from __future__ import annotations

from tests.infra.policies import as_list, referenced, role_statements, table_access

READS = {"dynamodb:BatchGetItem", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:Query",
         "dynamodb:GetItem", "dynamodb:Scan", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"}


def _authorizer(synth) -> dict:
    return synth.resources[synth.logical_id(synth.stack.functions.workers["pool-authorizer"])]


def _role(function: dict) -> str:
    return function["Properties"]["Role"]["Fn::GetAtt"][0]


def test_the_authorizer_does_not_share_the_pool_functions_role(synth):
    pool = synth.resources[synth.logical_id(synth.stack.functions.functions["pool"])]
    assert _role(_authorizer(synth)) != _role(pool)


def test_it_reads_api_keys_and_touches_their_last_use_only(synth):
    statements = role_statements(synth, _role(_authorizer(synth)))
    tables = {synth.logical_id(t): name for name, t in synth.stack.data.tables.items()}
    granted: dict[str, set[str]] = {}
    for statement in statements:
        for action in as_list(statement["Action"]):
            for resource in as_list(statement["Resource"]):
                if action.startswith("dynamodb:"):
                    granted.setdefault(tables.get(referenced(resource), str(resource)), set()).add(action)
    assert set(granted) == {"api_keys"}, granted
    assert granted["api_keys"] - READS == {"dynamodb:UpdateItem"}


def test_it_cannot_read_the_carrier_secret_nor_act_on_the_user_pool(synth):
    actions = {a for s in role_statements(synth, _role(_authorizer(synth))) for a in as_list(s["Action"])}
    services = {a.split(":")[0] for a in actions}
    assert services <= {"dynamodb", "kms", "logs", "xray"}, services
    assert not {a for a in actions if a.startswith("kms:") and a not in (
        "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*")}
    variables = _authorizer(synth)["Properties"]["Environment"]["Variables"]
    assert "RINGBACK_SECRETS_ARN" not in variables
    assert not {v for v in variables if v.startswith("RINGBACK_TWILIO")}
    assert {"RINGBACK_USER_POOL_ID", "RINGBACK_USER_POOL_CLIENT_ID", "RINGBACK_TABLE_PREFIX"} <= set(variables)


def test_the_pool_function_keeps_what_it_manages(synth):
    assert table_access(synth, "pool")["api_keys"] >= {"dynamodb:PutItem", "dynamodb:UpdateItem"}
