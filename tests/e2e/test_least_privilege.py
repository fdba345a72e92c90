"""Each function runs locally with exactly the IAM policy the CDK app deploys for it: a
grant taken out of the synthesized template is an access error on the local stack, as
it would be in AWS."""
import copy
import json
import uuid

import pytest

from devstack.template import synthesized
from tests.support.stack import Stack, get

pytestmark = pytest.mark.e2e


def _without_table(template: dict, function: str, table: str) -> dict:
    """The synthesis with `function`'s role no longer granted anything on `table`."""
    edited = copy.deepcopy(template)
    table_id = next(k for k, v in edited["resources"].items() if v == {"kind": "table", "name": table})
    role_id = edited["roles"][function]
    removed = 0
    for resource in edited["template"]["Resources"].values():
        if resource["Type"] != "AWS::IAM::Policy" or {"Ref": role_id} not in resource["Properties"]["Roles"]:
            continue
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            targets = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            kept = [r for r in targets if table_id not in json.dumps(r)]
            removed += len(targets) - len(kept)
            statement["Resource"] = kept or ["arn:aws:dynamodb:us-east-1:123456789012:table/nothing"]
    assert removed, f"{function} had no grant on {table}"
    return edited


def _paid_visit(stack) -> tuple[int, dict]:
    body = json.dumps({"siteKey": stack.site_key, "clientId": f"c{uuid.uuid4().hex[:12]}",
                       "page": f"{stack.site_url}/?utm_medium=cpc", "referrer": ""}).encode()
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{stack.url}/v1/sessions", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Origin": stack.site_url})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _denials(stack) -> list[dict]:
    status, _, body = get(f"{stack.moto_url}/_ringback/iam/denials")
    assert status == 200
    return json.loads(body)


def test_a_grant_taken_from_the_widget_fails_its_visits_with_the_action_named_and_put_back_passes(tmp_path):
    template = synthesized().to_json()
    edited = tmp_path / "without-leases.json"
    edited.write_text(json.dumps(_without_table(template, "widget", "leases")))

    stack = Stack(tmp_path / "without", template=edited)
    try:
        status, body = _paid_visit(stack)
        denials = _denials(stack)
    finally:
        stack.stop(expect_denials=True)
    assert status == 500 and body["error"]["code"] == "internal_error"
    leases = [d for d in denials if d["resource"].endswith(":table/ringback-local-leases")]
    assert leases, denials
    assert leases[0]["action"] == "dynamodb:PutItem"
    assert "assumed-role/ringback-local-widget/" in leases[0]["principal"]
    assert "is not authorized to perform: dynamodb:PutItem" in leases[0]["message"]

    original = tmp_path / "as-synthesized.json"
    original.write_text(json.dumps(template))
    stack = Stack(tmp_path / "with", template=original)
    try:
        status, body = _paid_visit(stack)
        denials = _denials(stack)
    finally:
        stack.stop()
    assert status == 200 and body["numbers"][0]["kind"] == "pool"
    assert denials == []
