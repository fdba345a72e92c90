"""AuthConstruct: anyone can sign up for the dashboard with an email and a strong
password; the dashboard client is a public SRP client."""
from __future__ import annotations

import pytest

from infra.catalog import FUNCTIONS
from tests.infra.policies import as_list, statements


@pytest.fixture(scope="module")
def pool(synth) -> dict:
    (pool,) = synth.of_type("AWS::Cognito::UserPool").values()
    return pool["Properties"]


@pytest.fixture(scope="module")
def client(synth) -> dict:
    (client,) = synth.of_type("AWS::Cognito::UserPoolClient").values()
    return client["Properties"]


def test_visitors_can_sign_up_themselves_with_their_email(pool):
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["AutoVerifiedAttributes"] == ["email"]
    assert pool["UsernameConfiguration"] == {"CaseSensitive": False}


def test_passwords_are_strong(pool):
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12
    assert policy["RequireLowercase"] and policy["RequireUppercase"]
    assert policy["RequireNumbers"] and policy["RequireSymbols"]


def test_mfa_is_offered_with_an_authenticator_app(pool):
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]


def test_accounts_are_recovered_by_email_only(pool):
    assert pool["AccountRecoverySetting"]["RecoveryMechanisms"] == [
        {"Name": "verified_email", "Priority": 1}
    ]


def test_threat_protection_is_enforced(pool):
    assert pool["UserPoolTier"] == "PLUS"
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "ENFORCED"}


def test_production_pool_cannot_be_deleted_by_a_stack_change(synth, pool):
    assert pool["DeletionProtection"] == "ACTIVE"
    (resource,) = synth.of_type("AWS::Cognito::UserPool").values()
    assert resource["DeletionPolicy"] == "Retain"


def test_dashboard_client_is_public_and_signs_in_with_srp(client):
    assert client["GenerateSecret"] is False
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    assert "AllowedOAuthFlows" not in client or client["AllowedOAuthFlows"] == []


def test_an_invited_colleague_is_emailed_their_address_and_a_temporary_password(pool):
    invite = pool["AdminCreateUserConfig"]["InviteMessageTemplate"]
    assert "Ringback" in invite["EmailSubject"]
    # Cognito refuses a template without both placeholders.
    assert "Ringback" in invite["EmailMessage"]
    assert "{username}" in invite["EmailMessage"] and "{####}" in invite["EmailMessage"]
    days = pool["Policies"]["PasswordPolicy"]["TemporaryPasswordValidityDays"]
    assert f"{days} days" in invite["EmailMessage"]


def test_only_the_pool_function_may_create_users_and_only_in_this_pool(synth):
    (pool_id,) = synth.of_type("AWS::Cognito::UserPool")
    for spec in FUNCTIONS:
        found = [(action, resource) for statement in statements(synth, spec.name) if statement["Effect"] == "Allow"
                 for action in as_list(statement["Action"]) if action.startswith("cognito-idp:")
                 for resource in as_list(statement["Resource"])]
        expected = ([("cognito-idp:AdminCreateUser", {"Fn::GetAtt": [pool_id, "Arn"]})]
                    if spec.name == "pool" else [])
        assert found == expected, spec.name
