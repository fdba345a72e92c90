"""Reading the synthesized template the way a reviewer would: what may this function do
to that table or bucket, and how does a bucket age its objects."""
from __future__ import annotations


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def referenced(resource) -> str | None:
    """The logical id a policy resource points at: GetAtt X.Arn or Join[X.Arn, suffix]."""
    if isinstance(resource, dict) and "Fn::GetAtt" in resource:
        return resource["Fn::GetAtt"][0]
    if isinstance(resource, dict) and "Fn::Join" in resource:
        return next((r for part in resource["Fn::Join"][1] if (r := referenced(part))), None)
    return None


def function_resource(synth, name: str) -> dict:
    return synth.resources[synth.logical_id(synth.stack.functions.functions[name])]


def statements(synth, function: str) -> list[dict]:
    """Every statement of every policy attached to the function's role."""
    return role_statements(synth, function_resource(synth, function)["Properties"]["Role"]["Fn::GetAtt"][0])


def role_statements(synth, role_id: str) -> list[dict]:
    """Every statement of every policy attached to a role, by its logical id."""
    found = []
    for policy in synth.of_type("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def table_access(synth, function: str) -> dict[str, set[str]]:
    """Logical table name -> the DynamoDB actions the function's role allows on it."""
    ids = {synth.logical_id(t): logical for logical, t in synth.stack.data.tables.items()}
    access: dict[str, set[str]] = {}
    for statement in statements(synth, function):
        actions = {a for a in as_list(statement["Action"]) if a.startswith("dynamodb:")}
        for resource in as_list(statement["Resource"]):
            target = ids.get(referenced(resource))
            if target and actions:
                access.setdefault(target, set()).update(actions)
    return access


def bucket_actions(synth, function: str, bucket) -> set[str]:
    bucket_id = synth.logical_id(bucket)
    actions: set[str] = set()
    for statement in statements(synth, function):
        if any(referenced(r) == bucket_id for r in as_list(statement["Resource"])):
            actions.update(a for a in as_list(statement["Action"]) if a.startswith("s3:"))
    return actions


def lifecycle(synth, bucket) -> dict[str, dict]:
    rules = synth.resources[synth.logical_id(bucket)]["Properties"]["LifecycleConfiguration"]["Rules"]
    return {rule["Id"]: rule for rule in rules}
