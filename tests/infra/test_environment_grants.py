"""A function that is told about a resource may use it: every environment variable that
names a table, bucket, queue, state machine, secret or role comes with a grant on it,
in the synthesized template. (A variable without its grant is a function that fails in
AWS on its first request, as the widget and pool did when they were handed the secret
they could not read.)"""
from __future__ import annotations

import json

import pytest

from infra.catalog import FUNCTIONS, RESOURCE_VARIABLES, function_spec
from tests.infra.policies import as_list, role_statements

PSEUDO = {"AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::URLSuffix", "AWS::StackName"}


def _lambdas(synth) -> dict[str, dict]:
    """Every function and worker of the catalog, by name, as synthesized."""
    everyone = {**synth.stack.functions.functions, **synth.stack.functions.workers}
    return {name: synth.resources[synth.logical_id(function)] for name, function in everyone.items()}


def _allowed(synth, function: dict) -> list[tuple[str, str]]:
    """(action, resource as JSON) for every Allow statement of the function's role."""
    found = []
    for statement in role_statements(synth, function["Properties"]["Role"]["Fn::GetAtt"][0]):
        if statement["Effect"] != "Allow":
            continue
        for action in as_list(statement["Action"]):
            for resource in as_list(statement["Resource"]):
                found.append((action, json.dumps(resource, sort_keys=True)))
    return found


def _references(value) -> set[str]:
    """The logical ids a template value refers to (pseudo parameters aside)."""
    if isinstance(value, dict):
        if "Ref" in value:
            return {value["Ref"]} - PSEUDO
        if "Fn::GetAtt" in value:
            return {value["Fn::GetAtt"][0]}
        return {ref for item in value.values() for ref in _references(item)}
    if isinstance(value, list):
        return {ref for item in value for ref in _references(item)}
    return set()


def _arn(logical_id: str, suffix: str = "") -> str:
    arn = {"Fn::GetAtt": [logical_id, "Arn"]}
    return json.dumps({"Fn::Join": ["", [arn, suffix]]} if suffix else arn, sort_keys=True)


def _grants(allowed, action: str, resource: str) -> bool:
    return (action, resource) in allowed


def _bucket_grant(allowed, value) -> bool:
    bucket = value["Ref"]
    return _grants(allowed, "s3:GetObject*", _arn(bucket, "/*")) and _grants(allowed, "s3:List*", _arn(bucket))


def _queue_grant(allowed, value) -> bool:
    return _grants(allowed, "sqs:SendMessage", _arn(value["Ref"]))


def _secret_grant(allowed, value) -> bool:
    return _grants(allowed, "secretsmanager:GetSecretValue", json.dumps(value, sort_keys=True))


def _workflow_grant(allowed, value) -> bool:
    resource = json.dumps(value, sort_keys=True)
    return any(action.startswith("states:") and granted == resource for action, granted in allowed)


def _tables_grant(allowed, value) -> bool:
    return any(action == "dynamodb:GetItem" for action, _ in allowed)


def _invalidation_grant(allowed, value) -> bool:
    """cloudfront:CreateInvalidation on the distribution the variable names, and only there."""
    ids = [json.loads(resource) for action, resource in allowed if action == "cloudfront:CreateInvalidation"]
    return bool(ids) and all(_references(resource) == {value["Ref"]} for resource in ids)


CHECKS = {
    "RINGBACK_TABLE_PREFIX": _tables_grant,
    "RINGBACK_DISTRIBUTION_ID": _invalidation_grant,
    "RINGBACK_RECORDINGS_BUCKET": _bucket_grant,
    "RINGBACK_ANALYTICS_BUCKET": _bucket_grant,
    "RINGBACK_FRONTEND_BUCKET": _bucket_grant,
    "RINGBACK_EVENTS_QUEUE_URL": _queue_grant,
    "RINGBACK_SECRETS_ARN": _secret_grant,
    "RINGBACK_DIAL_WORKFLOW_ARN": _workflow_grant,
}


PUBLIC_KEYS = {"RINGBACK_USER_POOL_ID", "RINGBACK_USER_POOL_CLIENT_ID"}


def _report_role_grant(synth, allowed, value) -> bool:
    role = synth.logical_id(synth.stack.analytics.report_role)
    return _grants(allowed, "sts:AssumeRole", _arn(role))


def _through_report_role(synth, allowed, service: str, name) -> bool:
    """The workgroup and the database are used by the role the function assumes."""
    if not _report_role_grant(synth, allowed, None):
        return False
    role_id = synth.logical_id(synth.stack.analytics.report_role)
    for statement in role_statements(synth, role_id):
        if any(a.startswith(f"{service}:") for a in as_list(statement["Action"])) and \
                name in json.dumps(statement["Resource"]):
            return True
    return False


@pytest.mark.parametrize("name", sorted({f.name for f in FUNCTIONS} | {
    f"{f.name}-{w}" for f in FUNCTIONS for w in f.workers}))
def test_every_variable_that_names_a_resource_comes_with_a_grant_on_it(synth, name):
    function = _lambdas(synth)[name]
    allowed = _allowed(synth, function)
    variables = function["Properties"]["Environment"]["Variables"]
    for variable, value in variables.items():
        if variable in CHECKS:
            assert CHECKS[variable](allowed, value), f"{name}: {variable} names a resource it may not use"
        elif variable == "RINGBACK_REPORT_ROLE_ARN":
            assert _report_role_grant(synth, allowed, value), f"{name}: may not assume the report role"
        elif variable == "RINGBACK_ATHENA_WORKGROUP":
            assert _through_report_role(synth, allowed, "athena", f"workgroup/{value}"), name
        elif variable == "RINGBACK_ANALYTICS_DATABASE":
            assert _through_report_role(synth, allowed, "glue", f"database/{value}"), name
        elif variable in PUBLIC_KEYS:
            # The pool's signing keys are public (its JWKS): no grant to read them, and
            # only the function serving the authorizer checks tokens with them.
            assert name.split("-")[0] == "pool", f"{name} is told of the user pool, which only the authorizer uses"
            # What a function declares it does in the pool (invitations), it is granted there.
            base, _, worker = name.partition("-")
            if variable == "RINGBACK_USER_POOL_ID" and function_spec(base).grants_of(worker or None).user_pool:
                assert _grants(allowed, "cognito-idp:AdminCreateUser", _arn(value["Ref"])), name
        else:
            # A variable this test does not know must not name a resource either.
            assert not _references(value) - {synth.logical_id(synth.stack.edge.distribution)}, (
                f"{name}: {variable} names {_references(value)}; add it to infra.catalog.RESOURCE_VARIABLES "
                f"and a check here")


def test_every_resource_variable_of_the_catalog_is_checked_here():
    checked = set(CHECKS) | PUBLIC_KEYS | {"RINGBACK_REPORT_ROLE_ARN", "RINGBACK_ATHENA_WORKGROUP",
                                           "RINGBACK_ANALYTICS_DATABASE"}
    local_only = {"RINGBACK_TWILIO_API_BASE_URL", "RINGBACK_TWILIO_ACCOUNT_SID", "RINGBACK_TWILIO_AUTH_TOKEN"}
    assert set(RESOURCE_VARIABLES) - local_only == checked


def test_only_the_functions_that_read_the_secret_are_told_where_it_is(synth):
    told = {name for name, f in _lambdas(synth).items()
            if "RINGBACK_SECRETS_ARN" in f["Properties"]["Environment"]["Variables"]}
    # The pool function buys tracking numbers from the carrier; its authorizer worker has a
    # role of its own, which reads API keys only (infra.catalog worker_tables).
    assert told == {"dialer", "dialer-events", "dialer-workflow", "reports", "reports-changes", "reports-compact",
                    "pool"}


def test_the_public_functions_get_no_secret_and_no_bucket(synth):
    for name in ("widget", "pool"):
        variables = _lambdas(synth)[name]["Properties"]["Environment"]["Variables"]
        assert not {"RINGBACK_RECORDINGS_BUCKET", "RINGBACK_ANALYTICS_BUCKET",
                    "RINGBACK_EVENTS_QUEUE_URL"} & set(variables), name
    # The widget never reaches the carrier; the pool function buys numbers there.
    assert "RINGBACK_SECRETS_ARN" not in _lambdas(synth)["widget"]["Properties"]["Environment"]["Variables"]
