"""The local user pool runs the template's pre sign-up trigger as Cognito runs it
(devstack/cognito/triggers.py): a moto server with a Lambda service, the pool made from
the synthesized template (its LambdaConfig resolved to the local function's name), and
the pool function's real signup worker behind that name. What the worker is given, and
how its answer reaches the caller, is what these tests hold; that it runs with its own
role is tests/e2e/test_sign_up_checks.py's."""
from __future__ import annotations

import dataclasses
import importlib
import sys

import pytest
from botocore.exceptions import ClientError

from devstack import aws, template
from devstack.functions import function_name
from devstack.lambdas import LocalLambda
from infra.catalog import FUNCTIONS_DIR

STRONG = "Correct-Horse-9-Battery"


@pytest.fixture(scope="module")
def world(local_aws, monkeypatch_module):
    """(settings of the pool's server, the pool, the events the worker was given, the
    Lambda service's handlers). The worker runs in this process and counts on the
    session's tables (local_aws), as bound for every adapter test; the pool is on a moto
    server of its own, the one with a Lambda service."""
    sys.path.insert(0, str(FUNCTIONS_DIR / "pool"))
    trigger = importlib.import_module("signup_trigger")
    events: list[dict] = []

    def recorded(event, context):
        events.append(event)
        return trigger.pre_sign_up(event, context)

    lambdas = LocalLambda({}).start()
    server = aws.MotoServer(aws.free_port(), lambda_url=lambdas.url).start()
    for key, value in local_aws.as_environment().items():
        monkeypatch_module.setenv(key, value)
    trigger._guard.cache_clear()
    settings = dataclasses.replace(local_aws, aws_endpoint_url=server.url)
    lambdas.handlers[function_name(settings, "pool", "signup")] = recorded
    pool = aws.create_user_pool(settings, template.synthesized())
    yield settings, pool, events, lambdas.handlers
    trigger._guard.cache_clear()
    server.stop()
    lambdas.stop()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def sign_up(settings, pool, email, password=STRONG, **extra):
    return aws.client("cognito-idp", settings).sign_up(
        ClientId=pool.client_id, Username=email, Password=password,
        UserAttributes=[{"Name": "email", "Value": email}], **extra)


def refusal(call, *args, **kwargs) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    return raised.value.response["Error"]["Code"], raised.value.response["Error"]["Message"]


def test_a_sign_up_gives_the_trigger_cognitos_event(world):
    settings, pool, events, _ = world
    sign_up(settings, pool, "owner@acme.example", ValidationData=[{"Name": "plan", "Value": "trial"}],
            ClientMetadata={"source": "pricing-page"})
    event = events[-1]
    assert event["triggerSource"] == "PreSignUp_SignUp" and event["version"] == "1"
    assert event["userPoolId"] == pool.pool_id and event["region"] == settings.region
    assert event["callerContext"]["clientId"] == pool.client_id
    assert event["request"] == {"userAttributes": {"email": "owner@acme.example"},
                                "validationData": {"plan": "trial"}, "clientMetadata": {"source": "pricing-page"}}
    assert event["response"] == {"autoConfirmUser": False, "autoVerifyEmail": False, "autoVerifyPhone": False}


def test_a_refusal_reaches_the_caller_as_cognito_words_it_and_creates_no_user(world):
    settings, pool, _, _ = world
    assert refusal(sign_up, settings, pool, "bot@mailinator.com") == (
        "UserLambdaValidationException",
        ("PreSignUp failed with error Sign-ups from disposable e-mail addresses are not accepted; "
         "sign up with your work address.."))
    users = aws.client("cognito-idp", settings).list_users(UserPoolId=pool.pool_id)["Users"]
    assert "bot@mailinator.com" not in {a["Value"] for u in users for a in u["Attributes"] if a["Name"] == "email"}


def test_cognitos_own_checks_come_first(world):
    settings, pool, events, _ = world
    before = len(events)
    assert refusal(sign_up, settings, pool, "weak@mailinator.com", "password")[0] == "InvalidPasswordException"
    sign_up(settings, pool, "taken@acme.example")
    assert refusal(sign_up, settings, pool, "taken@acme.example")[0] == "UsernameExistsException"
    assert len(events) == before + 1  # only the one sign-up that passed them ran the trigger


def test_an_invitation_runs_the_trigger_as_admin_create_user(world):
    settings, pool, events, _ = world
    aws.client("cognito-idp", settings).admin_create_user(
        UserPoolId=pool.pool_id, Username="anna@acme.example", MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": "anna@acme.example"}])
    assert events[-1]["triggerSource"] == "PreSignUp_AdminCreateUser"
    assert events[-1]["callerContext"]["clientId"] == "CLIENT_ID_NOT_APPLICABLE"


def test_a_trigger_that_cannot_be_run_refuses_the_sign_up(world):
    settings, pool, _, handlers = world
    name = function_name(settings, "pool", "signup")
    saved = handlers.pop(name)
    try:
        code, message = refusal(sign_up, settings, pool, "later@acme.example")
    finally:
        handlers[name] = saved
    assert code == "UnexpectedLambdaException" and message.startswith("PreSignUp invocation failed")
    sign_up(settings, pool, "later@acme.example")  # and it was not created meanwhile
