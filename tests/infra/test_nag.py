"""cdk-nag's AwsSolutions pack passes: nothing left unacknowledged, and every
acknowledgement says why in words a reviewer can check."""
from __future__ import annotations

from aws_cdk import App, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk.assertions import Annotations, Match
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

from infra.constructs import AcknowledgeGrantWildcards

MIN_REASON = 20


def _describe(report) -> str:
    return "\n".join(
        f"{v.severity} {v.rule_name}: {', '.join(r.construct_path for r in v.violating_resources)}"
        for v in report.violations
    )


def test_no_unacknowledged_aws_solutions_errors_or_warnings(synth):
    assert synth.nag.success, "\n" + _describe(synth.nag)
    assert list(synth.nag.violations) == []


def test_no_construct_errors_or_warnings(synth):
    annotations = Annotations.from_stack(synth.stack)
    assert annotations.find_error("*", Match.string_like_regexp("AwsSolutions-.*")) == []
    assert annotations.find_warning("*", Match.string_like_regexp("AwsSolutions-.*")) == []
    assert annotations.find_error("*", Match.any_value()) == []
    assert annotations.find_warning("*", Match.any_value()) == []


def test_every_suppression_in_the_template_has_a_reason(synth):
    suppressions = [
        (logical, rule)
        for logical, resource in synth.resources.items()
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
    ]
    assert suppressions, "acknowledgements are written into the template"
    short = [(logical, rule["id"]) for logical, rule in suppressions if len(rule["reason"].strip()) < MIN_REASON]
    assert short == []


def _acknowledgements(root: IConstruct) -> list[tuple[str, str, str]]:
    key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    found = []
    for node in root.node.find_all():
        for entry in node.node.metadata:
            if entry.type == key and entry.data:
                found += [(node.node.path, rule, reason) for rule, reason in entry.data.items()]
    return found


def test_every_acknowledgement_in_the_app_has_a_reason(synth):
    acknowledgements = _acknowledgements(synth.stack)
    assert acknowledgements
    assert [a for a in acknowledgements if len(a[2].strip()) < MIN_REASON] == []


def test_nag_would_catch_an_unacknowledged_finding():
    stack = Stack(App(), "Probe")
    s3.Bucket(stack, "Careless")
    report = AwsSolutionsChecks().validate_scope(stack)
    assert {"AwsSolutions-S1", "AwsSolutions-S10"} <= {v.rule_name for v in report.violations}


def test_wildcard_acknowledger_leaves_unreviewed_wildcards_as_findings():
    stack = Stack(App(), "Probe")
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    role.add_to_policy(iam.PolicyStatement(actions=["s3:*"], resources=["*"]))
    role.add_to_policy(iam.PolicyStatement(actions=["xray:PutTraceSegments"], resources=["*"]))
    acknowledger = AcknowledgeGrantWildcards()
    for node in stack.node.find_all():
        acknowledger.visit(node)
    findings = {v.rule_name for v in AwsSolutionsChecks().validate_scope(stack).violations}
    # "Resource::*" is also produced by the s3:* statement, so it is not excused by X-Ray.
    assert {"AwsSolutions-IAM5[Action::s3:*]", "AwsSolutions-IAM5[Resource::*]"} <= findings
