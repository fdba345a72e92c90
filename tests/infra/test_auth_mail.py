"""The user pool's mail and sign-up checks (infra/constructs/auth.py): its e-mails go
through SES from a configured sender (production never uses Cognito's 50-a-day sender),
every sign-up passes the pre sign-up trigger, which runs with a role that may count
sign-ups and nothing else, and WAF limits each address's mail-sending requests."""
from __future__ import annotations

import os
import re

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk.assertions import Annotations, Match, Template

from infra.constructs.auth import (
    MAILING_OPERATIONS,
    MAILING_REQUESTS_PER_IP,
    AuthConstruct,
)
from tests.infra.conftest import cdk_context
from tests.infra.policies import as_list, referenced, role_statements

ACCOUNT, REGION = "123456789012", "eu-west-1"
READS = {"dynamodb:BatchGetItem", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:Query",
         "dynamodb:GetItem", "dynamodb:Scan", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"}

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


def auth_stack(*, retain: bool, stage: str = "prod", **context) -> Stack:
    """The auth construct alone, in a stack of its own with this context (a few seconds)."""
    app = App(context=cdk_context(**context))
    stack = Stack(app, "AuthOnly", env=Environment(account=ACCOUNT, region=REGION))
    AuthConstruct(stack, "Auth", stage=stage, retain=retain)
    return stack


def pool_of(template: dict) -> dict:
    (pool,) = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Cognito::UserPool"]
    return pool


# -- SES -------------------------------------------------------------------------------


def test_a_configured_sender_mails_through_ses_from_its_verified_domain():
    stack = auth_stack(retain=True, mailFrom="no-reply@mail.ringback.example", mailSesIdentity="mail.ringback.example",
                       mailReplyTo="support@ringback.example", mailConfigurationSet="ringback-mail")
    template = Template.from_stack(stack).to_json()
    assert pool_of(template)["EmailConfiguration"] == {
        "EmailSendingAccount": "DEVELOPER",
        "From": "Ringback <no-reply@mail.ringback.example>",
        "ReplyToEmailAddress": "support@ringback.example",
        "ConfigurationSet": "ringback-mail",
        "SourceArn": f"arn:aws:ses:{REGION}:{ACCOUNT}:identity/mail.ringback.example",
    }
    assert "Parameters" not in template or not {"MailFromAddress", "MailSesIdentity"} & set(template["Parameters"])


def test_the_sender_may_be_verified_in_another_region_and_as_an_address():
    stack = auth_stack(retain=True, mailFrom="ops@ringback.example", mailSesRegion="us-east-1")
    email = pool_of(Template.from_stack(stack).to_json())["EmailConfiguration"]
    assert email["EmailSendingAccount"] == "DEVELOPER" and email["From"] == "Ringback <ops@ringback.example>"
    assert email["SourceArn"] == f"arn:aws:ses:us-east-1:{ACCOUNT}:identity/ops@ringback.example"


def test_production_without_a_sender_in_context_asks_for_one_at_deploy():
    template = Template.from_stack(auth_stack(retain=True)).to_json()
    parameters = template["Parameters"]
    # No default: CloudFormation refuses a deploy that does not name the sender.
    assert "Default" not in parameters["MailFromAddress"] and "Default" not in parameters["MailSesIdentity"]
    email = pool_of(template)["EmailConfiguration"]
    assert email["EmailSendingAccount"] == "DEVELOPER"
    assert email["From"] == {"Fn::Join": ["", ["Ringback <", {"Ref": "MailFromAddress"}, ">"]]}
    assert {"Ref": "MailSesIdentity"} in email["SourceArn"]["Fn::Join"][1]


def test_a_dev_stage_without_a_sender_uses_cognitos_and_says_so():
    stack = auth_stack(retain=False, stage="dev")
    template = Template.from_stack(stack).to_json()
    assert pool_of(template)["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}
    assert "Parameters" not in template or "MailFromAddress" not in template["Parameters"]
    warnings = Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp("50 e-mails a day"))
    assert warnings


def test_a_dev_stage_given_a_sender_mails_through_ses_too():
    stack = auth_stack(retain=False, stage="dev", mailFrom="dev@ringback.example")
    assert pool_of(Template.from_stack(stack).to_json())["EmailConfiguration"]["EmailSendingAccount"] == "DEVELOPER"


@pytest.mark.parametrize("context, problem", [
    ({"mailFromName": "Ringback"}, "without mailFrom"),
    ({"mailFrom": "not-an-address"}, "not an e-mail address"),
    ({"mailFrom": "a@ringback.example", "mailSesIdentity": "a@ringback.example"}, "verified domain"),
    # SES sends as a domain's addresses only: CDK's own check.
    ({"mailFrom": "a@ringback.example", "mailSesIdentity": "other.example"}, "different domain"),
])
def test_a_sender_that_cannot_work_stops_the_synthesis(context, problem):
    with pytest.raises(Exception, match=problem):
        auth_stack(retain=True, **context)


def test_the_deployed_production_pool_mails_through_ses(synth):
    (pool,) = synth.of_type("AWS::Cognito::UserPool").values()
    assert pool["Properties"]["EmailConfiguration"]["EmailSendingAccount"] == "DEVELOPER"


# -- the pre sign-up trigger ---------------------------------------------------------------


def _trigger(synth) -> dict:
    return synth.resources[synth.logical_id(synth.stack.functions.workers["pool-signup"])]


def test_every_sign_up_passes_the_pool_functions_signup_worker(synth):
    (pool_id, pool), = synth.of_type("AWS::Cognito::UserPool").items()
    trigger_id = synth.logical_id(synth.stack.functions.workers["pool-signup"])
    assert pool["Properties"]["LambdaConfig"] == {"PreSignUp": {"Fn::GetAtt": [trigger_id, "Arn"]}}
    assert _trigger(synth)["Properties"]["Handler"] == "signup_trigger.pre_sign_up"
    # Cognito gives a trigger 5 seconds.
    assert _trigger(synth)["Properties"]["Timeout"] <= 5
    invokers = [p["Properties"] for p in synth.of_type("AWS::Lambda::Permission").values()
                if p["Properties"]["FunctionName"] == {"Fn::GetAtt": [trigger_id, "Arn"]}]
    assert invokers == [{"Action": "lambda:InvokeFunction", "FunctionName": {"Fn::GetAtt": [trigger_id, "Arn"]},
                         "Principal": "cognito-idp.amazonaws.com",
                         "SourceArn": {"Fn::GetAtt": [pool_id, "Arn"]}}]


def test_the_trigger_may_count_sign_ups_and_nothing_else(synth):
    trigger = _trigger(synth)
    role = trigger["Properties"]["Role"]["Fn::GetAtt"][0]
    pool_function = synth.resources[synth.logical_id(synth.stack.functions.functions["pool"])]
    assert role != pool_function["Properties"]["Role"]["Fn::GetAtt"][0]
    tables = {synth.logical_id(t): name for name, t in synth.stack.data.tables.items()}
    granted: dict[str, set[str]] = {}
    services = set()
    for statement in role_statements(synth, role):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            services.add(action.split(":")[0])
            if action.startswith("dynamodb:"):
                for resource in as_list(statement["Resource"]):
                    granted.setdefault(tables.get(referenced(resource), str(resource)), set()).add(action)
    assert set(granted) == {"rate_counters"}, granted
    assert granted["rate_counters"] - READS == {"dynamodb:UpdateItem"}
    # Its own logs and traces, the data key the table is encrypted with; no secret, no
    # queue or bucket, no user pool.
    assert services <= {"dynamodb", "kms", "logs", "xray"}, services
    variables = trigger["Properties"]["Environment"]["Variables"]
    assert "RINGBACK_TABLE_PREFIX" in variables
    assert not {v for v in variables if v.startswith(("RINGBACK_SECRETS", "RINGBACK_TWILIO", "RINGBACK_USER_POOL"))}


# -- WAF: mail-sending requests per address ------------------------------------------------


def test_each_address_may_make_the_pool_send_only_a_few_e_mails(synth):
    (pool_id,) = synth.of_type("AWS::Cognito::UserPool")
    (association,) = [a["Properties"] for a in synth.of_type("AWS::WAFv2::WebACLAssociation").values()
                      if a["Properties"]["ResourceArn"] == {"Fn::GetAtt": [pool_id, "Arn"]}]
    acl_id = association["WebACLArn"]["Fn::GetAtt"][0]
    acl = synth.resources[acl_id]["Properties"]
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    (rule,) = acl["Rules"]
    assert rule["Action"] == {"Block": {}}
    rate = rule["Statement"]["RateBasedStatement"]
    assert rate["AggregateKeyType"] == "IP" and rate["Limit"] == MAILING_REQUESTS_PER_IP
    match = rate["ScopeDownStatement"]["RegexMatchStatement"]
    assert match["FieldToMatch"] == {"SingleHeader": {"Name": "x-amz-target"}}
    pattern = re.compile(match["RegexString"])
    for operation in MAILING_OPERATIONS:
        assert pattern.fullmatch(f"AWSCognitoIdentityProviderService.{operation}")
    # Signing in and answering challenges are not limited here (threat protection covers them).
    assert not pattern.fullmatch("AWSCognitoIdentityProviderService.InitiateAuth")
    assert "SignUp" in MAILING_OPERATIONS
