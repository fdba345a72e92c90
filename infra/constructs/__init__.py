"""One construct per concern; infra/stack.py wires them.

This module holds what several of them share: how a cdk-nag finding is acknowledged.

cdk-nag 3 runs as a CDK policy-validation plugin and reads acknowledgements made with
`Validations.of(construct).acknowledge(...)`. It has no pattern matching: every finding
of a multi-finding rule (IAM5 lists each wildcard action and resource) must be named
exactly, and those names contain logical IDs. `AcknowledgeGrantWildcards` therefore reads
the final policy documents and acknowledges only the wildcards that CDK's own grant
methods produce and that we reviewed, each with its reason; anything else stays a finding.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import cast

import jsii
from aws_cdk import Acknowledgment, CfnResource, IAspect, Stack, Validations
from aws_cdk import aws_iam as iam
from constructs import IConstruct

NAG_PACK = "AwsSolutions"


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Accept one cdk-nag rule (e.g. "S1") for a construct's own CloudFormation resource.

    Acknowledgements apply to everything under the construct they are made on; made on
    the resource itself, one cannot spread to resources added under the construct later.
    """
    target = construct.node.default_child or construct
    Validations.of(target).acknowledge(Acknowledgment(id=f"{NAG_PACK}-{rule}", reason=reason))


def acknowledge_wildcard(policy: IConstruct, finding: str, reason: str) -> None:
    """Accept one IAM5 finding of a policy we wrote by hand, named as cdk-nag names it:
    `finding` is "Resource::" or "Action::" followed by the value as written in the
    policy (tokens allowed, e.g. f"Resource::{bucket.bucket_arn}/events/*")."""
    kind, _, value = finding.partition("::")
    if kind not in ("Resource", "Action") or not value:
        raise ValueError(f"not an IAM5 finding: {finding!r}")
    flat = flatten_reference(Stack.of(policy).resolve(value))
    target = policy.node.default_child or policy
    Validations.of(target).acknowledge(
        Acknowledgment(id=f"{NAG_PACK}-IAM5[{kind}::{flat}]", reason=reason)
    )


# --- IAM5: wildcards that CDK grants produce ------------------------------------------

def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def flatten_reference(value) -> str:
    """The string cdk-nag uses for a resource in a finding id (its flattenCfnReference)."""
    if isinstance(value, str):
        return value.replace("${", "<").replace("}", ">")
    if isinstance(value, dict):
        if "Fn::Join" in value:
            delimiter, items = value["Fn::Join"]
            return delimiter.join(flatten_reference(item) for item in items)
        if "Fn::Sub" in value:
            return flatten_reference(value["Fn::Sub"])
        if "Fn::GetAtt" in value:
            resource, attribute = value["Fn::GetAtt"]
            return f"<{flatten_reference(resource)}.{flatten_reference(attribute)}>"
        if "Fn::ImportValue" in value:
            return flatten_reference(value["Fn::ImportValue"])
        if "Ref" in value:
            return f"<{flatten_reference(value['Ref'])}>"
    return json.dumps(value, separators=(",", ":"))


# A rule looks at one wildcard finding of one Allow statement and returns the reason it
# is acceptable, or None.
WildcardRule = Callable[[str, dict], "str | None"]

_LOGICAL_ARN = r"<[A-Za-z0-9]+\.Arn>"


def _kms_grant(finding: str, statement: dict) -> str | None:
    if finding in ("Action::kms:ReEncrypt*", "Action::kms:GenerateDataKey*"):
        resources = [flatten_reference(r) for r in _as_list(statement.get("Resource"))]
        if resources and all(re.fullmatch(_LOGICAL_ARN, r) for r in resources):
            return (
                "CDK's grant for the data key uses the ReEncrypt*/GenerateDataKey* action "
                "families; the resource is our one customer-managed key, not *."
            )
    return None


def _table_indexes(finding: str, statement: dict) -> str | None:
    if re.fullmatch(rf"Resource::{_LOGICAL_ARN}/index/\*", finding):
        actions = _as_list(statement.get("Action"))
        if all(a.startswith("dynamodb:") for a in actions):
            return (
                "A table grant covers that table's GSIs (queries by site key, visitor, "
                "tenant and time go through them); the table itself is named."
            )
    return None


_S3_GRANT_ACTIONS = {
    "Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*",
    "Action::s3:DeleteObject*", "Action::s3:Abort*", "Action::s3:PutObject*",
}


def _bucket_objects(finding: str, statement: dict) -> str | None:
    resources = [flatten_reference(r) for r in _as_list(statement.get("Resource"))]
    named = resources and all(re.fullmatch(rf"{_LOGICAL_ARN}(/\*)?", r) for r in resources)
    if not named:
        return None
    if finding in _S3_GRANT_ACTIONS:
        return "CDK's bucket grant action families, on named buckets and their objects only."
    if re.fullmatch(rf"Resource::{_LOGICAL_ARN}/\*", finding):
        return "The objects of a named bucket, which CDK's bucket grant covers."
    return None


_XRAY = "X-Ray PutTraceSegments/PutTelemetryRecords/GetSampling* support no resource-level permissions."
_LOG_DELIVERY = (
    "Step Functions sets up its CloudWatch Logs delivery with the log-delivery and "
    "resource-policy actions, which act on the account's deliveries, not on one log group; "
    "AWS documents them with Resource * and CDK adds exactly those for a state machine's logging."
)
_LIST_STREAMS = (
    "dynamodb:ListStreams only lists stream ARNs (the account's, or one table's); Lambda's "
    "DynamoDB event source needs it, and CDK's stream grant gives it on * as AWS's "
    "AWSLambdaDynamoDBExecutionRole does. Reading records is granted on the named streams only."
)
# Actions that are granted on "*" because no narrower resource applies, and why.
_ACCOUNT_LEVEL_ACTIONS = {
    "dynamodb:ListStreams": _LIST_STREAMS,
    "xray:PutTraceSegments": _XRAY,
    "xray:PutTelemetryRecords": _XRAY,
    "xray:GetSamplingRules": _XRAY,
    "xray:GetSamplingTargets": _XRAY,
    "logs:CreateLogDelivery": _LOG_DELIVERY,
    "logs:GetLogDelivery": _LOG_DELIVERY,
    "logs:UpdateLogDelivery": _LOG_DELIVERY,
    "logs:DeleteLogDelivery": _LOG_DELIVERY,
    "logs:ListLogDeliveries": _LOG_DELIVERY,
    "logs:PutResourcePolicy": _LOG_DELIVERY,
    "logs:DescribeResourcePolicies": _LOG_DELIVERY,
    "logs:DescribeLogGroups": _LOG_DELIVERY,
}


def _account_level(finding: str, statement: dict) -> str | None:
    """Resource * for X-Ray tracing, Step Functions log delivery and DynamoDB stream
    listing (CDK merges such actions into one statement of a role's policy)."""
    actions = _as_list(statement.get("Action"))
    if finding != "Resource::*" or not actions:
        return None
    reasons: set[str] = set()
    for action in actions:
        reason = _ACCOUNT_LEVEL_ACTIONS.get(action)
        if reason is None:
            return None
        reasons.add(reason)
    return " ".join(sorted(reasons))


GRANT_RULES: tuple[WildcardRule, ...] = (_kms_grant, _table_indexes, _bucket_objects, _account_level)


def wildcard_findings(document: dict) -> dict[str, list[dict]]:
    """IAM5 finding id suffix -> the Allow statements that produce it (cdk-nag's logic)."""
    findings: dict[str, list[dict]] = {}
    for statement in document.get("Statement", []):
        if statement.get("Effect") != "Allow":
            continue
        for action in _as_list(statement.get("Action")):
            if "*" in action:
                findings.setdefault(f"Action::{action}", []).append(statement)
        for resource in _as_list(statement.get("Resource")):
            flat = flatten_reference(resource)
            if "*" in flat:
                findings.setdefault(f"Resource::{flat}", []).append(statement)
    return findings


@jsii.implements(IAspect)
class AcknowledgeGrantWildcards:
    """Acknowledges an IAM5 finding only when every statement that produces it is
    explained by one of `rules`."""

    def __init__(self, rules: Iterable[WildcardRule] = GRANT_RULES) -> None:
        self.rules = tuple(rules)

    def visit(self, node: IConstruct) -> None:
        # jsii's is_cfn_resource() is no type guard: the casts say what it and the type checked.
        if not CfnResource.is_cfn_resource(node) or cast(CfnResource, node).cfn_resource_type != "AWS::IAM::Policy":
            return
        document = Stack.of(node).resolve(cast(iam.CfnPolicy, node).policy_document)
        for finding, statements in wildcard_findings(document).items():
            found = [self._reason(finding, statement) for statement in statements]
            reasons = {reason for reason in found if reason is not None}
            if not found or None in found:
                continue
            Validations.of(node).acknowledge(
                Acknowledgment(id=f"{NAG_PACK}-IAM5[{finding}]", reason=" ".join(sorted(reasons)))
            )

    def _reason(self, finding: str, statement: dict) -> str | None:
        return next((r for rule in self.rules if (r := rule(finding, statement))), None)
