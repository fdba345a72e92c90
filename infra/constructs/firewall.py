"""Limits per door at the two edges: AWS WAF on CloudFront, and an origin check on the API.

EdgeFirewall: a CLOUDFRONT web ACL. AWS-managed rule groups (IP reputation, common rule
set, known bad inputs) for everything but the carrier's webhooks, whose bodies are
visitors' own words (an SMS reading "<script>" must still reach us) and whose every
request is refused unless its X-Twilio-Signature matches; and rate rules per viewer IP
on the public routes (the swap script's and widget's), which anyone on the internet can
call without a credential. CloudFront-scoped web ACLs exist only in us-east-1, so
infra/app.py builds this construct in the main stack when that deploys to us-east-1 and
in a small us-east-1 stack of its own otherwise (a cross-region reference hands the
distribution its ARN).

ApiFirewall: API Gateway's execute-api endpoint cannot be switched off for a CloudFront
origin without a custom domain, so anyone who learns the API's id could call it around
CloudFront and forge CloudFront-Viewer-Address or -Country. CloudFront therefore adds a
secret header to every origin request, and a REGIONAL web ACL on the API's stage blocks
every request without it, before any authorizer, Lambda or mock integration runs. The
value lives in Secrets Manager; both CloudFront and WAF take it through a CloudFormation
dynamic reference, so the template, the functions' environments and the logs never hold
it. (A resource policy cannot read headers, and an authorizer or the apps' own check would
miss the public routes' CORS preflights and API Gateway's own answers.)
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable

from aws_cdk import RemovalPolicy
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.constructs import acknowledge
from ringback.adapters.carrier import WEBHOOKS as CARRIER_WEBHOOKS

# CloudFront's own region: a CLOUDFRONT-scoped web ACL can only be created there.
EDGE_REGION = "us-east-1"
# The widget's callback request (functions/widget/app.py): each one rings a person.
CALLBACK_REQUEST_PATH = "/v1/callbacks"

# What CloudFront adds to every request it sends the API; nothing else knows its value.
ORIGIN_HEADER = "X-Ringback-Origin-Verify"
ORIGIN_SECRET_KEY = "value"

# Per viewer IP, over WAF's 5-minute window. A page view costs the config, a session and a
# few heartbeats; many visitors behind one office or carrier NAT share an address.
PUBLIC_REQUESTS_PER_IP = 2000
# A callback request rings a person: a few per visitor is plenty.
CALLBACK_REQUESTS_PER_IP = 50
RATE_WINDOW_SECONDS = 300

MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
)
# The common rule set blocks bodies over 8 KB; a tenant's widget texts in several languages
# or a pool of many numbers can be larger, and the apps validate every body's shape.
COUNT_ONLY = {"AWSManagedRulesCommonRuleSet": ("SizeRestrictions_BODY",)}

FORBIDDEN_BODY, RATE_LIMITED_BODY = "forbidden", "rate_limited"


def path_pattern(paths: Iterable[str]) -> str:
    """One anchored regex for these route paths ({name} matches one path segment)."""
    alternatives = sorted({re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(p)) for p in paths})
    return "^(" + "|".join(alternatives) + ")$"


def rate_limited_paths(public_paths: Iterable[str]) -> dict[str, list[str]]:
    """EdgeFirewall's paths from the public routes' (infra.constructs.api: group PUBLIC)."""
    public = sorted(set(public_paths))
    if CALLBACK_REQUEST_PATH not in public:
        raise ValueError(f"no public route {CALLBACK_REQUEST_PATH}: the callback rate rule would guard nothing")
    return {"public_paths": public, "callback_paths": [CALLBACK_REQUEST_PATH]}


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True)


def _starts_with(prefix: str) -> wafv2.CfnWebACL.StatementProperty:
    return wafv2.CfnWebACL.StatementProperty(byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
        field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
        positional_constraint="STARTS_WITH", search_string=prefix,
        text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")]))


def _path_matches(pattern: str) -> wafv2.CfnWebACL.StatementProperty:
    return wafv2.CfnWebACL.StatementProperty(regex_match_statement=wafv2.CfnWebACL.RegexMatchStatementProperty(
        field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}), regex_string=pattern,
        text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")]))


def _json_refusal(key: str, code: str, message: str) -> dict:
    # The apps' error shape (ringback.adapters.web.error_body), so callers parse one shape.
    return {key: wafv2.CfnWebACL.CustomResponseBodyProperty(
        content_type="APPLICATION_JSON",
        content=json.dumps({"error": {"code": code, "message": message}}))}


def _block(status: int, body_key: str) -> wafv2.CfnWebACL.RuleActionProperty:
    return wafv2.CfnWebACL.RuleActionProperty(block=wafv2.CfnWebACL.BlockActionProperty(
        custom_response=wafv2.CfnWebACL.CustomResponseProperty(
            response_code=status, custom_response_body_key=body_key,
            # The widget on a customer's page reads the refusal as it reads the API's own
            # (API Gateway's responses carry the same header: infra/constructs/api.py).
            response_headers=[wafv2.CfnWebACL.CustomHTTPHeaderProperty(name="Access-Control-Allow-Origin",
                                                                       value="*")])))


class EdgeFirewall(Construct):
    """The CLOUDFRONT web ACL; its stack must deploy to us-east-1."""

    def __init__(self, scope: Construct, id: str, *, public_paths: Iterable[str], callback_paths: Iterable[str],
                 stage: str) -> None:
        super().__init__(scope, id)
        public_paths, callback_paths = sorted(public_paths), sorted(callback_paths)
        if not public_paths:
            raise ValueError("the edge firewall needs the public routes to rate-limit")
        not_carrier = wafv2.CfnWebACL.StatementProperty(
            not_statement=wafv2.CfnWebACL.NotStatementProperty(statement=_starts_with(f"{CARRIER_WEBHOOKS}/")))
        rules = [
            wafv2.CfnWebACL.RuleProperty(
                name=group, priority=priority, override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=group, scope_down_statement=not_carrier,
                        rule_action_overrides=[
                            wafv2.CfnWebACL.RuleActionOverrideProperty(
                                name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={}))
                            for rule in COUNT_ONLY.get(group, ())
                        ] or None)),
                visibility_config=_visibility(group))
            for priority, group in enumerate(MANAGED_RULE_GROUPS)
        ]
        for name, limit, paths, priority in (
            ("CallbackRequestsPerIp", CALLBACK_REQUESTS_PER_IP, callback_paths, 10),
            ("PublicRoutesPerIp", PUBLIC_REQUESTS_PER_IP, public_paths, 11),
        ):
            if not paths:
                continue
            rules.append(wafv2.CfnWebACL.RuleProperty(
                name=name, priority=priority, action=_block(429, RATE_LIMITED_BODY),
                statement=wafv2.CfnWebACL.StatementProperty(rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP", limit=limit, evaluation_window_sec=RATE_WINDOW_SECONDS,
                    scope_down_statement=_path_matches(path_pattern(paths)))),
                visibility_config=_visibility(name)))
        self.web_acl = wafv2.CfnWebACL(
            self, "WebAcl",
            name=f"ringback-{stage}-edge",
            description="Ringback at CloudFront: managed rule groups, and rate limits per IP on the public routes",
            scope="CLOUDFRONT",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            custom_response_bodies=_json_refusal(RATE_LIMITED_BODY, "rate_limited",
                                                 "too many requests from this address; retry later"),
            rules=rules,
            visibility_config=_visibility(f"ringback-{stage}-edge"),
        )
        self.web_acl_arn = self.web_acl.attr_arn


class ApiFirewall(Construct):
    """The origin secret CloudFront sends, and the REGIONAL web ACL on the API's stage
    that refuses every request without it."""

    def __init__(self, scope: Construct, id: str, *, stage: str, removal_policy: RemovalPolicy) -> None:
        super().__init__(scope, id)
        self.origin_secret = secretsmanager.Secret(
            self, "OriginSecret",
            description="Ringback: the header value CloudFront adds to every request to the API",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}", generate_string_key=ORIGIN_SECRET_KEY,
                exclude_punctuation=True, password_length=48),
            removal_policy=removal_policy,
        )
        acknowledge(
            self.origin_secret, "SMG4",
            "Rotated by a stack update, not a rotation Lambda: CloudFront and the API's web ACL read it "
            "through dynamic references resolved at deploy time, so a new value must reach both in the "
            "same deployment (docs/architecture.md, 'Limits per door').")
        # A dynamic reference, {{resolve:secretsmanager:...}}: CloudFormation resolves it at deploy time.
        self.origin_value = self.origin_secret.secret_value_from_json(ORIGIN_SECRET_KEY).unsafe_unwrap()

        self.web_acl = wafv2.CfnWebACL(
            self, "WebAcl",
            name=f"ringback-{stage}-api-origin",
            description="Ringback API: only requests that came through CloudFront",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(block=wafv2.CfnWebACL.BlockActionProperty(
                custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                    response_code=403, custom_response_body_key=FORBIDDEN_BODY))),
            custom_response_bodies=_json_refusal(FORBIDDEN_BODY, "forbidden",
                                                 "call this API through its public address"),
            rules=[wafv2.CfnWebACL.RuleProperty(
                name="ThroughCloudFront", priority=0,
                action=wafv2.CfnWebACL.RuleActionProperty(allow={}),
                statement=wafv2.CfnWebACL.StatementProperty(byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                    field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                        single_header={"Name": ORIGIN_HEADER.lower()}),
                    positional_constraint="EXACTLY", search_string=self.origin_value,
                    text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")])),
                visibility_config=_visibility("ThroughCloudFront"))],
            visibility_config=_visibility(f"ringback-{stage}-api-origin"),
        )

    def protect(self, stage_arn: str) -> wafv2.CfnWebACLAssociation:
        return wafv2.CfnWebACLAssociation(self, "StageAssociation", resource_arn=stage_arn,
                                          web_acl_arn=self.web_acl.attr_arn)
