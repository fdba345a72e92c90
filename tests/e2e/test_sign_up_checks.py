"""The user pool's pre sign-up trigger on the local stack, as a person signing up meets it:
the local pool invokes the pool function's signup worker as Cognito would (its own
process, its role's credentials from the synthesized template), and a refusal reaches
the caller as Cognito's UserLambdaValidationException. The module fails if IAM refused
the worker anything (Stack.stop)."""
import pytest
from botocore.exceptions import ClientError

from ringback.accounts.signup_guard import PER_DOMAIN
from tests.support.accounts import PASSWORD, call, code_sent_to, cognito, sign_up

pytestmark = pytest.mark.e2e


def attempt(stack, idp, email: str) -> dict:
    return idp.sign_up(ClientId=stack.client_id, Username=email, Password=PASSWORD,
                       UserAttributes=[{"Name": "email", "Value": email}])


def refusal(stack, idp, email: str) -> tuple[str, str]:
    with pytest.raises(ClientError) as raised:
        attempt(stack, idp, email)
    error = raised.value.response["Error"]
    return error["Code"], error["Message"]


@pytest.fixture(scope="module")
def idp(stack):
    return cognito(stack)


def test_a_disposable_address_is_refused_with_cognitos_error_and_sent_nothing(stack, idp):
    code, message = refusal(stack, idp, "someone@mailinator.com")
    assert code == "UserLambdaValidationException"
    assert message == ("PreSignUp failed with error Sign-ups from disposable e-mail addresses are not accepted; "
                       "sign up with your work address..")
    # No user was created: the address can still sign up once it is a real one, and no code went out.
    assert idp.list_users(UserPoolId=stack.user_pool_id, Filter='email = "someone@mailinator.com"')["Users"] == []


def test_a_business_address_signs_up_confirms_and_gets_its_tenant(stack):
    token = sign_up(stack, "owner@bakery-on-main.example")
    status, me = call(stack, "GET", "/v1/me", token)
    assert status == 200 and [m["role"] for m in me["memberships"]] == ["owner"]


def test_a_run_of_sign_ups_on_one_domain_is_stopped_by_the_count_on_dynamodb(stack, idp):
    for i in range(PER_DOMAIN.per_window):
        attempt(stack, idp, f"user{i}@catch-all.example")
    code, message = refusal(stack, idp, "one-more@catch-all.example")
    assert code == "UserLambdaValidationException"
    assert message.startswith("PreSignUp failed with error Too many sign-ups right now; try again in ")
    # Another company is not held up by it, and its code arrives.
    attempt(stack, idp, "first@other-company.example")
    assert code_sent_to(stack, "first@other-company.example")


def test_cognitos_own_checks_come_before_the_trigger(stack, idp):
    with pytest.raises(idp.exceptions.InvalidPasswordException):
        idp.sign_up(ClientId=stack.client_id, Username="weak@mailinator.com", Password="password",
                    UserAttributes=[{"Name": "email", "Value": "weak@mailinator.com"}])
