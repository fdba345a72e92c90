"""The local user pool refuses what the deployed one refuses, over real HTTP against the
moto server (devstack/cognito/), with the pool and app client made from the
synthesized template (devstack/aws/user_pool.py create_user_pool), and signed in with pycognito's
SRP client as the dashboard signs in."""
from __future__ import annotations

import copy
import json
import time
import urllib.parse
import urllib.request
import uuid

import jwt
import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from devstack import aws, template

# A wait ends as soon as its message arrives; the deadline is for a busy machine.
MAIL_SECONDS = 60
STRONG = "Correct-Horse-9-Battery"


@pytest.fixture(scope="module")
def synthesized():
    return template.synthesized()


@pytest.fixture(scope="module")
def pool(local_aws, synthesized):
    return aws.create_user_pool(local_aws, synthesized)


@pytest.fixture(scope="module")
def cognito(local_aws):
    return aws.client("cognito-idp", local_aws)


@pytest.fixture(scope="module")
def password_client(cognito, pool):
    """A second app client on the same pool that allows USER_PASSWORD_AUTH: the flow's own
    checks are then reachable (the dashboard's client refuses the flow outright)."""
    return cognito.create_user_pool_client(
        UserPoolId=pool.pool_id, ClientName="password-flow", GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]


@pytest.fixture
def email():
    return f"user-{uuid.uuid4().hex[:10]}@example.test"


def refusal(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


def mailbox(local_aws, to: str) -> list[dict]:
    query = urllib.parse.urlencode({"to": to})
    with urllib.request.urlopen(f"{local_aws.aws_endpoint_url}/_local/mailbox?{query}", timeout=10) as answer:
        return json.loads(answer.read())


def next_message(local_aws, to: str, seen: int) -> dict:
    """The first message to `to` after the `seen` it already had, as soon as it arrives."""
    deadline = time.monotonic() + MAIL_SECONDS
    while True:
        messages = mailbox(local_aws, to)
        if len(messages) > seen:
            return messages[seen]
        assert time.monotonic() < deadline, f"no message reached {to} within {MAIL_SECONDS}s"
        time.sleep(0.05)


def srp_sign_in(cognito, pool, email, password, client_id=None) -> dict:
    return AWSSRP(username=email, password=password, pool_id=pool.pool_id, client_id=client_id or pool.client_id,
                  client=cognito).authenticate_user()


def sign_up(cognito, pool, email, password=STRONG) -> dict:
    return cognito.sign_up(ClientId=pool.client_id, Username=email, Password=password,
                           UserAttributes=[{"Name": "email", "Value": email}])


def signed_up_and_confirmed(cognito, pool, local_aws, email, password=STRONG) -> None:
    sign_up(cognito, pool, email, password)
    code = next_message(local_aws, email, 0)["code"]
    cognito.confirm_sign_up(ClientId=pool.client_id, Username=email, ConfirmationCode=code)


# -- the pool is the template's -----------------------------------------------------------


def test_the_local_pool_and_client_are_the_templates(cognito, pool, synthesized):
    resources = synthesized.template["Resources"]
    (wanted_pool,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Cognito::UserPool"]
    (wanted_client,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Cognito::UserPoolClient"]
    local = cognito.describe_user_pool(UserPoolId=pool.pool_id)["UserPool"]
    assert local["Policies"]["PasswordPolicy"] == wanted_pool["Policies"]["PasswordPolicy"]
    assert local["UsernameAttributes"] == wanted_pool["UsernameAttributes"] == ["email"]
    assert local["AutoVerifiedAttributes"] == ["email"]
    assert local["MfaConfiguration"] == wanted_pool["MfaConfiguration"]
    client = cognito.describe_user_pool_client(UserPoolId=pool.pool_id, ClientId=pool.client_id)["UserPoolClient"]
    assert client["ExplicitAuthFlows"] == wanted_client["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH",
                                                                                 "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["PreventUserExistenceErrors"] == "ENABLED"


def test_a_password_policy_change_in_the_template_reaches_the_local_pool(local_aws, cognito, synthesized):
    edited = copy.deepcopy(synthesized.template)
    (properties,) = [r["Properties"] for r in edited["Resources"].values() if r["Type"] == "AWS::Cognito::UserPool"]
    properties["Policies"]["PasswordPolicy"].update({"MinimumLength": 20, "RequireSymbols": False})
    changed = aws.create_user_pool(local_aws, template.Synthesized(edited, synthesized.resources, synthesized.roles))

    policy = cognito.describe_user_pool(UserPoolId=changed.pool_id)["UserPool"]["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 20 and policy["RequireSymbols"] is False
    # Accepted by the deployed policy (12 characters, a symbol), too short for the edited one.
    assert refusal(sign_up, cognito, changed, "long@example.test", "Short-Pass-9x") == (
        "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
    assert sign_up(cognito, changed, "long@example.test", "NoSymbolsButLongEnough9")["UserConfirmed"] is False


def test_a_template_property_the_local_stack_cannot_create_stops_it(local_aws, synthesized):
    edited = copy.deepcopy(synthesized.template)
    (properties,) = [r["Properties"] for r in edited["Resources"].values() if r["Type"] == "AWS::Cognito::UserPool"]
    properties["SomethingNew"] = True
    with pytest.raises(RuntimeError, match="SomethingNew"):
        aws.create_user_pool(local_aws, template.Synthesized(edited, synthesized.resources, synthesized.roles))


# -- passwords ----------------------------------------------------------------------------


@pytest.mark.parametrize("password, problem", [
    ("Aa1-short", "Password not long enough"),
    ("all-lowercase-9-chars", "Password must have uppercase characters"),
    ("ALL-UPPERCASE-9-CHARS", "Password must have lowercase characters"),
    ("No-Digits-Anywhere", "Password must have numeric characters"),
    ("NoSymbolsAnywhere9", "Password must have symbol characters"),
])
def test_weak_passwords_are_refused_on_sign_up(cognito, pool, email, password, problem):
    assert refusal(sign_up, cognito, pool, email, password) == (
        "InvalidPasswordException", f"Password did not conform with policy: {problem}")
    assert refusal(cognito.admin_get_user, UserPoolId=pool.pool_id, Username=email)[0] == "UserNotFoundException"


def test_weak_passwords_are_refused_on_every_path_that_sets_one(cognito, pool, local_aws, email):
    assert refusal(cognito.admin_create_user, UserPoolId=pool.pool_id, Username=email, TemporaryPassword="weak",
                   MessageAction="SUPPRESS") == (
        "InvalidPasswordException", "Password did not conform with password policy: Password not long enough")
    cognito.admin_create_user(UserPoolId=pool.pool_id, Username=email, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": email},
                                              {"Name": "email_verified", "Value": "true"}])
    assert refusal(cognito.admin_set_user_password, UserPoolId=pool.pool_id, Username=email,
                   Password="nouppercase-9-x", Permanent=True) == (
        "InvalidPasswordException", "Password does not conform to policy: Password must have uppercase characters")
    cognito.admin_set_user_password(UserPoolId=pool.pool_id, Username=email, Password=STRONG, Permanent=True)

    access = srp_sign_in(cognito, pool, email, STRONG)["AuthenticationResult"]["AccessToken"]
    assert refusal(cognito.change_password, AccessToken=access, PreviousPassword=STRONG,
                   ProposedPassword="NoSymbolsAnywhere9") == (
        "InvalidPasswordException", "Password does not conform to policy: Password must have symbol characters")
    assert refusal(cognito.change_password, AccessToken=access, PreviousPassword="Not-The-Password-1",
                   ProposedPassword="Another-Strong-Pass-2") == (
        "NotAuthorizedException", "Incorrect username or password.")
    cognito.change_password(AccessToken=access, PreviousPassword=STRONG, ProposedPassword="Another-Strong-Pass-2")
    assert srp_sign_in(cognito, pool, email, "Another-Strong-Pass-2")["AuthenticationResult"]["IdToken"]


# -- sign-up, codes and sign-in -----------------------------------------------------------


def test_a_user_signs_up_confirms_with_the_mailed_code_and_signs_in_with_srp(cognito, pool, local_aws, email):
    answer = sign_up(cognito, pool, email)
    assert answer["UserConfirmed"] is False
    assert answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"

    message = next_message(local_aws, email, 0)
    assert message["to"] == email and message["subject"] == "Verify your new account"
    assert message["code"].isdigit() and len(message["code"]) == 6
    assert message["body"] == f"The verification code to your new account is {message['code']}"

    wrong = "000000" if message["code"] != "000000" else "111111"
    assert refusal(cognito.confirm_sign_up, ClientId=pool.client_id, Username=email, ConfirmationCode=wrong) == (
        "CodeMismatchException", "Invalid verification code provided, please try again.")
    cognito.confirm_sign_up(ClientId=pool.client_id, Username=email, ConfirmationCode=message["code"])
    assert refusal(cognito.confirm_sign_up, ClientId=pool.client_id, Username=email,
                   ConfirmationCode=message["code"]) == (
        "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")

    tokens = srp_sign_in(cognito, pool, email, STRONG)["AuthenticationResult"]
    assert tokens["IdToken"] and tokens["AccessToken"] and tokens["RefreshToken"]


def test_a_wrong_password_is_refused_in_srp_and_in_the_password_flow(cognito, pool, local_aws, password_client,
                                                                      email):
    signed_up_and_confirmed(cognito, pool, local_aws, email)
    assert refusal(srp_sign_in, cognito, pool, email, STRONG + "x") == (
        "NotAuthorizedException", "Incorrect username or password.")
    assert refusal(cognito.initiate_auth, ClientId=password_client, AuthFlow="USER_PASSWORD_AUTH",
                   AuthParameters={"USERNAME": email, "PASSWORD": STRONG + "x"}) == (
        "NotAuthorizedException", "Incorrect username or password.")
    # The right password passes both, and the e-mail matches without case.
    assert cognito.initiate_auth(ClientId=password_client, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": email.upper(), "PASSWORD": STRONG}
                                 )["AuthenticationResult"]["IdToken"]
    assert srp_sign_in(cognito, pool, email, STRONG, client_id=password_client)["AuthenticationResult"]["IdToken"]


def test_a_forged_or_replayed_srp_proof_is_refused(cognito, pool, local_aws, email):
    signed_up_and_confirmed(cognito, pool, local_aws, email)
    srp = AWSSRP(username=email, password=STRONG, pool_id=pool.pool_id, client_id=pool.client_id, client=cognito)
    parameters = srp.get_auth_params()
    challenge = cognito.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_SRP_AUTH",
                                      AuthParameters=parameters)["ChallengeParameters"]
    proof = srp.process_challenge(challenge, parameters)
    forged = {**proof, "PASSWORD_CLAIM_SIGNATURE": proof["PASSWORD_CLAIM_SIGNATURE"][::-1]}
    assert refusal(cognito.respond_to_auth_challenge, ClientId=pool.client_id, ChallengeName="PASSWORD_VERIFIER",
                   ChallengeResponses=forged) == ("NotAuthorizedException", "Incorrect username or password.")
    # One answer per challenge: the right proof, sent after the forged one, is refused too.
    assert refusal(cognito.respond_to_auth_challenge, ClientId=pool.client_id, ChallengeName="PASSWORD_VERIFIER",
                   ChallengeResponses=proof) == ("NotAuthorizedException", "Incorrect username or password.")
    # A proof signed over a timestamp Cognito's clients would not write (a weekday wrong
    # for the date) is refused, though its signature is right.
    def wrong_weekday(moment):
        right = AWSSRP.get_cognito_formatted_timestamp(moment)
        days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        return days[(days.index(right[:3]) + 1) % 7] + right[3:]

    signer = AWSSRP(username=email, password=STRONG, pool_id=pool.pool_id, client_id=pool.client_id, client=cognito)
    signer.get_cognito_formatted_timestamp = wrong_weekday
    parameters = signer.get_auth_params()
    challenge = cognito.initiate_auth(ClientId=pool.client_id, AuthFlow="USER_SRP_AUTH",
                                      AuthParameters=parameters)["ChallengeParameters"]
    assert refusal(cognito.respond_to_auth_challenge, ClientId=pool.client_id, ChallengeName="PASSWORD_VERIFIER",
                   ChallengeResponses=signer.process_challenge(challenge, parameters)) == (
        "NotAuthorizedException", "Incorrect username or password.")


def test_an_unconfirmed_user_is_refused_whatever_the_password(cognito, pool, password_client, email):
    sign_up(cognito, pool, email)
    for password in (STRONG, "Wrong-Password-99"):
        assert refusal(srp_sign_in, cognito, pool, email, password) == (
            "UserNotConfirmedException", "User is not confirmed.")
        assert refusal(cognito.initiate_auth, ClientId=password_client, AuthFlow="USER_PASSWORD_AUTH",
                       AuthParameters={"USERNAME": email, "PASSWORD": password}) == (
            "UserNotConfirmedException", "User is not confirmed.")


def test_an_unknown_user_fails_as_a_wrong_password_does(cognito, pool, password_client):
    nobody = f"nobody-{uuid.uuid4().hex[:8]}@example.test"
    assert refusal(srp_sign_in, cognito, pool, nobody, STRONG) == (
        "NotAuthorizedException", "Incorrect username or password.")
    assert refusal(cognito.initiate_auth, ClientId=password_client, AuthFlow="USER_PASSWORD_AUTH",
                   AuthParameters={"USERNAME": nobody, "PASSWORD": STRONG}) == (
        "NotAuthorizedException", "Incorrect username or password.")


def test_the_password_flow_is_refused_on_the_srp_only_dashboard_client(cognito, pool, local_aws, email):
    signed_up_and_confirmed(cognito, pool, local_aws, email)
    assert refusal(cognito.initiate_auth, ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH",
                   AuthParameters={"USERNAME": email, "PASSWORD": STRONG}) == (
        "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
    assert refusal(cognito.admin_initiate_auth, UserPoolId=pool.pool_id, ClientId=pool.client_id,
                   AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters={"USERNAME": email, "PASSWORD": STRONG}) == (
        "InvalidParameterException", "Auth flow not enabled for this client")


def test_a_resent_code_replaces_the_first(cognito, pool, local_aws, email):
    sign_up(cognito, pool, email)
    first = next_message(local_aws, email, 0)["code"]
    assert cognito.resend_confirmation_code(ClientId=pool.client_id, Username=email
                                            )["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    second = next_message(local_aws, email, 1)["code"]
    if first != second:
        assert refusal(cognito.confirm_sign_up, ClientId=pool.client_id, Username=email,
                       ConfirmationCode=first)[0] == "CodeMismatchException"
    cognito.confirm_sign_up(ClientId=pool.client_id, Username=email, ConfirmationCode=second)
    assert refusal(cognito.resend_confirmation_code, ClientId=pool.client_id, Username=email) == (
        "InvalidParameterException", "User is already confirmed.")


def test_a_forgotten_password_is_reset_with_the_mailed_code(cognito, pool, local_aws, email):
    signed_up_and_confirmed(cognito, pool, local_aws, email)
    answer = cognito.forgot_password(ClientId=pool.client_id, Username=email)
    assert answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert "x-moto-forgot-password-confirmation-code" not in answer["ResponseMetadata"]["HTTPHeaders"]
    code = next_message(local_aws, email, 1)["code"]

    wrong = "000000" if code != "000000" else "111111"
    assert refusal(cognito.confirm_forgot_password, ClientId=pool.client_id, Username=email,
                   ConfirmationCode=wrong, Password="New-Strong-Pass-3") == (
        "CodeMismatchException", "Invalid verification code provided, please try again.")
    assert refusal(cognito.confirm_forgot_password, ClientId=pool.client_id, Username=email,
                   ConfirmationCode=code, Password="weak") == (
        "InvalidPasswordException", "Password does not conform to policy: Password not long enough")
    cognito.confirm_forgot_password(ClientId=pool.client_id, Username=email, ConfirmationCode=code,
                                    Password="New-Strong-Pass-3")

    assert srp_sign_in(cognito, pool, email, "New-Strong-Pass-3")["AuthenticationResult"]["IdToken"]
    assert refusal(srp_sign_in, cognito, pool, email, STRONG)[0] == "NotAuthorizedException"
    # The code was used up.
    assert refusal(cognito.confirm_forgot_password, ClientId=pool.client_id, Username=email,
                   ConfirmationCode=code, Password="Yet-Another-Pass-4")[0] == "CodeMismatchException"


# -- tokens -------------------------------------------------------------------------------


def test_the_id_token_is_a_jwt_the_pools_jwks_verifies(cognito, pool, local_aws, email):
    signed_up_and_confirmed(cognito, pool, local_aws, email)
    token = srp_sign_in(cognito, pool, email, STRONG)["AuthenticationResult"]["IdToken"]
    key = jwt.PyJWKClient(pool.jwks_url).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=pool.client_id, issuer=pool.issuer,
                        options={"require": ["exp", "iat", "iss", "sub", "aud"]})
    sub = next(a["Value"] for a in cognito.admin_get_user(UserPoolId=pool.pool_id, Username=email)["UserAttributes"]
               if a["Name"] == "sub")
    assert claims["token_use"] == "id" and claims["sub"] == sub
    # The confirmation code proved the address: the token says so, as Cognito's does.
    assert claims["email"] == email and claims["email_verified"] is True
    # The client's IdTokenValidity (60 minutes in the template).
    assert claims["exp"] - claims["iat"] == 3600

    tampered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(tampered, key.key, algorithms=["RS256"], audience=pool.client_id, issuer=pool.issuer)


def test_the_local_stacks_helpers_sign_in_with_srp(local_aws, pool, email):
    sub = aws.create_user(local_aws, pool, email, STRONG)
    token = aws.sign_in(local_aws, pool, email, STRONG)
    assert jwt.decode(token, options={"verify_signature": False})["sub"] == sub
